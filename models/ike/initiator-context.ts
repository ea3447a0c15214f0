/**
 * The IKE initiator's extended state (xstate context): what the statechart's states do not say — the IKE SA's keys,
 * the outstanding request (RFC 7296 §2.1–2.3: window 1), the queue of exchanges waiting for the window, the Child
 * SAs, the peer's request counter and cached response.
 */
import type { IkeCrypto, KeyExchangeHalf } from './ike-crypto.ts';
import type { RandomStream } from '../contract.ts';
import type { IkeMessage, IkePayload } from '../wire/ike/index.ts';
import type {
  ChildExchangeInfo,
  ChildSelectors,
  ClientAuthOutcome,
  ClientChildOutcome,
  IkeClientHooks,
} from './hooks.ts';
import type { IkePeerConfig } from './config.ts';
import type { IkeEndpoints } from './nat-detection.ts';
import { ZERO_SPI, type ClientChild, type IkeSaKeys } from './sa.ts';
import type { ChildResult } from './tasks/child-create.ts';
import type { AssignedConfig } from './tasks/ike-config.ts';

export type ExchangeKind =
  | 'ike-init'
  | 'ike-auth'
  | 'child-create'
  | 'child-rekey'
  | 'child-delete'
  | 'child-delete-old'
  | 'ike-rekey'
  | 'ike-delete-old'
  | 'liveness'
  | 'ike-delete';

/** An exchange waiting for the window (RFC 7296 §2.3: window 1 here). */
export type QueueItem =
  | {
      readonly kind: 'child-rekey';
      readonly slot: string;
      readonly byMethod: boolean;
      readonly payloads?: readonly IkePayload[];
    }
  | {
      readonly kind: 'child-create';
      readonly slot: string;
      readonly selectors: ChildSelectors;
      readonly payloads: readonly IkePayload[];
    }
  | { readonly kind: 'child-delete'; readonly slot: string }
  | { readonly kind: 'ike-rekey' | 'liveness' };

export interface Pending {
  readonly kind: ExchangeKind;
  readonly message: IkeMessage;
  /** Index of the last send (0 = first). */
  readonly sendIndex: number;
  /** Child exchanges: what the method hooks are told. */
  readonly info?: ChildExchangeInfo;
  /** The new Child SA's inbound SPI (create/rekey) or the deleted one's (delete). */
  readonly spiIn?: number;
  /** The Child SA being rekeyed. */
  readonly old?: ClientChild;
}

export interface InitiatorInput {
  readonly cfg: IkePeerConfig;
  readonly method: IkeClientHooks;
  /** IDr to send, if any (RFC 7296 §1.2 "[IDr]"). */
  readonly peerIdentity?: string;
  readonly rng: RandomStream;
  /** The IKE packet's ends now (the client's outer address may change): NAT detection (RFC 7296 §2.23). */
  readonly endpoints?: () => IkeEndpoints;
  /** KE, keys, AUTH (ike-crypto.ts); default the modelled crypto. */
  readonly crypto?: IkeCrypto;
}

/** What the last IKE_AUTH response said (read once: the method's hook has effects). */
export interface AuthReply {
  readonly outcome: ClientAuthOutcome;
  /** The IKE_AUTH Child SA's negotiation, when the method asks for one in IKE_AUTH. */
  readonly child: ChildResult | undefined;
}

/** What the last CREATE_CHILD_SA response said (read once: the method's hook has effects). */
export interface ChildReply {
  readonly info: ChildExchangeInfo;
  readonly spiIn: number;
  readonly old: ClientChild | undefined;
  /** RFC 7296 §2.25: a rekey the responder could not do now (or whose Child SA is gone): retry later. */
  readonly retry: boolean;
  readonly result: ChildResult;
  readonly outcome: ClientChildOutcome;
  /** The exchange's Ni and Nr: the Child SA's KEYMAT (RFC 7296 §2.17). */
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
}

/** IKE_SA_INIT as we negotiate it (RFC 7296 §1.2): our SPI, nonce and DH group; COOKIE retries (§2.6). */
export interface InitExchange {
  readonly spiI: string;
  readonly nonceI: Uint8Array;
  readonly dhGroup: number;
  readonly cookieRetries: number;
  /** Our KE of the last IKE_SA_INIT request (its private half keys the IKE SA, RFC 7296 §2.14). */
  readonly ke?: KeyExchangeHalf;
}

/** IKE_AUTH as it goes: rounds answered (draft-ietf-ipsec-dhcp-over-ike-00 §3), the last reply, the Child SA's SPI. */
export interface AuthExchange {
  readonly round: number;
  readonly reply: AuthReply | undefined;
  /** The IKE_AUTH child's inbound SPI. */
  readonly childSpiIn: number;
  /** `cmd.disconnect` arrived while IKE_AUTH was outstanding: delete the IKE SA as soon as the response is in. */
  readonly disconnectAfter: boolean;
}

/** The gateway's requests on our IKE SA (RFC 7296 §2.1): the next ID we expect and our cached response. */
export interface PeerRequests {
  readonly nextId: number;
  readonly lastResponse: IkeMessage | undefined;
}

/**
 * The request window (RFC 7296 §2.1–2.3, window 1): the next message ID, the outstanding request, the INVALID_IKE_SPI
 * hints about it and the exchanges waiting for the window. They change together — every request sent, answered or
 * retransmitted writes this one key, a literal of fixed shape (`requestWindow`), not four keys of the context.
 */
export interface RequestWindow {
  readonly nextId: number;
  readonly pending: Pending | undefined;
  /** Unprotected INVALID_IKE_SPI answers to the outstanding request since it was sent (RFC 7296 §2.21.4). */
  readonly invalidSpiHints: number;
  /** Exchanges waiting for the window (rekeys or liveness due while another exchange is outstanding). */
  readonly queue: readonly QueueItem[];
}

/** The empty queue (shared: nothing is ever added to a queue in place, `enqueue` makes a new one). */
export const NO_QUEUE: readonly QueueItem[] = Object.freeze([]);

/** A request window, always built here: one field order, so every window has one shape. */
export function requestWindow(
  nextId: number,
  pending: Pending | undefined,
  invalidSpiHints: number,
  queue: readonly QueueItem[],
): RequestWindow {
  return { nextId, pending, invalidSpiHints, queue };
}

/** RFC 7296 §2.1: the exchange is over (no request outstanding, its hints forgotten). */
export function endedWindow(w: RequestWindow): RequestWindow {
  return requestWindow(w.nextId, undefined, 0, w.queue);
}

/**
 * The initiator's extended state. Grouped (input, init, auth, window, peer) rather than flat: xstate — and the lab's
 * runtime, as xstate does — copies the whole context on every assign, key by key at a copy site that has seen more
 * than four object shapes (~12 ns a key), so the number of keys is the cost of every assign. What changes together
 * is one key; the retransmission schedule is read from the configuration (`retransmitWaitsMs`, computed once per
 * policy), not kept per machine.
 */
export interface InitiatorContext {
  readonly input: InitiatorInput;
  readonly keys: IkeSaKeys | undefined;
  readonly init: InitExchange;
  readonly window: RequestWindow;
  /** Live Child SAs, one per slot (a rekeyed one leaves this list when its replacement arrives). */
  readonly children: readonly ClientChild[];
  /** Next slot age (`ClientChild.seq`). */
  readonly slotSeq: number;
  /** Slots whose rekey timer may be armed (cancelled on close). */
  readonly timerSlots: readonly string[];
  readonly auth: AuthExchange;
  readonly childReply: ChildReply | undefined;
  readonly config: AssignedConfig | undefined;
  readonly newKeys: IkeSaKeys | undefined;
  /** The IKE SA rekey timer's next wait (strongSwan: rekey_time − jitter), drawn when it is armed. */
  readonly ikeRekeyDelayMs: number;
  readonly closeReason: string;
  readonly peer: PeerRequests;
}

/** The slot of the Child SA created by IKE_AUTH. */
export const MAIN_SLOT = 'main';

export function childRekeyTimerId(slot: string): string {
  return `timer.childRekey:${slot}`;
}

export function initialContext(input: InitiatorInput): InitiatorContext {
  return {
    input,
    keys: undefined,
    init: { spiI: ZERO_SPI, nonceI: new Uint8Array(0), dhGroup: input.cfg.dhGroups[0] ?? 31, cookieRetries: 0 },
    window: requestWindow(0, undefined, 0, NO_QUEUE),
    children: [],
    slotSeq: 0,
    timerSlots: [],
    auth: { round: 0, reply: undefined, childSpiIn: 0, disconnectAfter: false },
    childReply: undefined,
    config: undefined,
    newKeys: undefined,
    ikeRekeyDelayMs: 0,
    closeReason: '',
    peer: { nextId: 0, lastResponse: undefined },
  };
}
