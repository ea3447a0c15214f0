/**
 * What the IKE SA responder sends (responder-machine.ts decides when, and which state follows). RFC 7296 §2.1: the
 * responder never retransmits a response; it keeps its last one and re-sends exactly it when the request repeats. Each
 * function here is pure in (context, message) — apart from the SA's seeded random stream for SPIs and nonces — and
 * returns the context changes and the events to emit; none of them chooses a state.
 */
import type { RandomStream } from '../contract.ts';
import { IkeExchangeType, findPayload, notifyPayload, type IkeMessage, type IkePayload } from '../wire/ike/index.ts';
import { modelledIkeCrypto, type IkeCrypto } from './ike-crypto.ts';
import type { AddressAnswer, AddressRequest, ChildAnswer, ChildProviderRequest, ProviderRef } from './hooks.ts';
import { AUTH_ROUND_WAIT_MS, type IkePeerConfig, type ResponderPolicy } from './config.ts';
import { addressing, ikeMessage, saMessage } from './messages.ts';
import { NO_NONCE, randomEspSpi, randomIkeSpi, withoutInitNonces, type ChildSa, type IkeSaKeys } from './sa.ts';
import { retransmitWaitsMs } from './retransmit.ts';
import { natDetectionResult, type IkeEndpoints } from './nat-detection.ts';
import { note, type IkeEmitted } from './emitted.ts';
import * as childCreate from './tasks/child-create.ts';
import * as childDelete from './tasks/child-delete.ts';
import * as childRekey from './tasks/child-rekey.ts';
import type { AssignedConfig } from './tasks/ike-config.ts';
import * as ikeAuth from './tasks/ike-auth.ts';
import * as ikeDelete from './tasks/ike-delete.ts';
import * as ikeInit from './tasks/ike-init.ts';
import * as ikeRekey from './tasks/ike-rekey.ts';
import * as invalidSpi from './tasks/invalid-spi.ts';
import * as liveness from './tasks/liveness.ts';

export interface ResponderInput {
  readonly cfg: IkePeerConfig;
  readonly policy: ResponderPolicy;
  /** The key name the gateway holds for an identity (undefined: unknown peer). */
  readonly pskFor: (identity: string) => string | undefined;
  readonly rng: RandomStream;
  /**
   * The SA's stable id for the provider: the initiator's SPI of the IKE_SA_INIT (rekeys keep it). The request itself
   * comes with the `ike.start` event: an input is kept for the actor's life, and an idle SA need not keep its
   * IKE_SA_INIT (real crypto keeps the bytes AUTH signs, `IkeSaKeys.initMessages`).
   */
  readonly ikeSaId: string;
  /** What ike-init's processR accepted of the IKE_SA_INIT request (its Ni is read from the request, `ike.start`). */
  readonly accepted: {
    readonly suite: IkeSaKeys['suite'];
    readonly dhGroup: number;
    readonly proposalNumber: number;
  };
  /** The gateway's provider actor: asked for each IKE_AUTH round (and CREATE_CHILD_SA with `providerChildren`). */
  readonly provider: ProviderRef;
  /** The provider answers CREATE_CHILD_SA too (`AddressProvider.childRequest`): ask it and wait. */
  readonly providerChildren?: boolean;
  /** Does the gateway hold another IKE SA authenticated as this identity (`ResponderPolicy.uniqueIds` = keep)? */
  readonly hasOtherSa?: (peerId: string) => boolean;
  /** The IKE_SA_INIT's ends as it arrived (local = ours): NAT detection (RFC 7296 §2.23). */
  readonly endpoints?: IkeEndpoints;
  /** KE, keys, AUTH (ike-crypto.ts); default the modelled crypto. */
  readonly crypto?: IkeCrypto;
}

/**
 * The peer's request window (RFC 7296 §2.1–2.3): the ID expected next and the response kept for a repeat. Every
 * response writes both: one key of the context, a literal of fixed shape (`answeredWindow`).
 */
export interface PeerWindow {
  readonly nextExpect: number;
  /**
   * The message ID of the last response sent, which its node keeps as sent for a repeat of the request (`net.resend`,
   * RFC 7296 §2.1); undefined before the first response and once a rekeyed IKE SA starts over.
   */
  readonly cachedResponseId: number | undefined;
}

/** Our own requests (liveness, RFC 7296 §2.4): next message ID, the outstanding one, INVALID_IKE_SPI hints about it. */
export interface OwnRequests {
  readonly nextId: number;
  readonly pending: { readonly message: IkeMessage; readonly sendIndex: number } | undefined;
  /** Unprotected INVALID_IKE_SPI answers to our outstanding request (RFC 7296 §2.21.4, see `ownInvalidSpi`). */
  readonly invalidSpiHints: number;
}

/** Our own requests, always built here: one field order, so every value has one shape. */
function ownRequests(nextId: number, pending: OwnRequests['pending'], invalidSpiHints: number): OwnRequests {
  return { nextId, pending, invalidSpiHints };
}

/** The window once the response with ID `id` is sent. */
function answeredWindow(id: number): PeerWindow {
  return { nextExpect: id + 1, cachedResponseId: id };
}

/**
 * The responder's extended state. The gateway's inputs sit under `input` rather than beside the SA's state, and what
 * changes together is one key (`window`, `own`): xstate — and the lab's runtime, as xstate does — copies the whole
 * context on every assign, key by key at a copy site that has seen more than four object shapes (~12 ns a key), so the
 * number of keys is the cost of every assign. The provider's answers are not kept: the actions that read them get
 * them as params.
 */
export interface ResponderContext {
  readonly input: ResponderInput;
  readonly keys: IkeSaKeys;
  readonly window: PeerWindow;
  readonly peerId: string;
  /** The request the provider is working on (an IKE_AUTH round or a CREATE_CHILD_SA). */
  readonly waitingRequest: IkeMessage | undefined;
  /** CREATE_CHILD_SA being answered: the Child SA it rekeys (our outbound SPI), if any. */
  readonly waitingRekeyOf: number | undefined;
  /** The IKE_AUTH request that carried SAi2/TSi/TSr (the first, draft-ietf §3), answered in the last round. */
  readonly authChildRequest: IkeMessage | undefined;
  /** IKE_AUTH rounds answered so far. */
  readonly round: number;
  /** `ack-later`: a repeat arrived while busy; the response goes out once when ready (it is sent anyway). */
  readonly repeatWhileBusy: number;
  /** Live Child SAs, newest first (a rekeyed one stays until the peer deletes it, RFC 7296 §2.8). */
  readonly children: readonly ChildSa[];
  readonly config: AssignedConfig | undefined;
  readonly newKeys: IkeSaKeys | undefined;
  readonly own: OwnRequests;
  /** Child SA rekeys answered TEMPORARY_FAILURE so far (`ResponderPolicy.rekeyBusyTimes`). */
  readonly busyAnswered: number;
}

type Ctx = ResponderContext;

function cryptoOf(ctx: Ctx): IkeCrypto {
  return ctx.input.crypto ?? modelledIkeCrypto;
}

/** A computed reaction: context changes and events to emit, in order. */
export interface Out {
  readonly ctx?: Partial<Ctx>;
  readonly emits: readonly IkeEmitted[];
}

export function initialContext(input: ResponderInput): Ctx {
  const keys: IkeSaKeys = {
    spiI: input.ikeSaId,
    spiR: randomIkeSpi(input.rng),
    suite: input.accepted.suite,
    dhGroup: input.accepted.dhGroup,
    nonceI: NO_NONCE,
    nonceR: NO_NONCE,
  };
  return {
    input,
    keys,
    window: { nextExpect: 0, cachedResponseId: undefined },
    peerId: '',
    waitingRequest: undefined,
    waitingRekeyOf: undefined,
    authChildRequest: undefined,
    round: 0,
    repeatWhileBusy: 0,
    children: [],
    config: undefined,
    newKeys: undefined,
    own: ownRequests(0, undefined, 0),
    busyAnswered: 0,
  };
}

function responseTo(ctx: Ctx, req: IkeMessage, payloads: readonly IkePayload[]): IkeMessage {
  const k = ctx.keys;
  return saMessage(k.spiI, k.spiR, false, k.suite, req.exchangeType, req.messageId, true, payloads);
}

/** `respond`'s default: one shared empty value, not a new `{}` per response (a liveness answer has no extra). */
const NO_EXTRA: Partial<Ctx> = Object.freeze({});

function sent(message: IkeMessage, extra: Partial<Ctx>): Out {
  const id = message.messageId;
  return {
    // Most responses (liveness answers) change nothing else: a literal of fixed shape, not a spread of the shared
    // empty extra (V8's generic object clone, ~1 µs per response in a storm).
    ctx: extra === NO_EXTRA ? { window: answeredWindow(id) } : { ...extra, window: answeredWindow(id) },
    emits: [{ type: 'net.send', message }],
  };
}

function respond(ctx: Ctx, req: IkeMessage, payloads: readonly IkePayload[], extra: Partial<Ctx> = NO_EXTRA): Out {
  return sent(responseTo(ctx, req, payloads), extra);
}

function around(o: Out, before: readonly IkeEmitted[], after: readonly IkeEmitted[] = []): Out {
  return { ...o, emits: [...before, ...o.emits, ...after] };
}

const closedBy = (reason: string): IkeEmitted => ({ type: 'ike.closed', reason });

// ---------------------------------------------------------------------------------------------------------------
// Timers (named delays of the machine)

/**
 * strongSwan's half_open_timeout: a half-open IKE SA waits this long for the peer's next IKE_AUTH (0 = never). Between
 * IKE_AUTH rounds (round > 0) it waits at least `authRoundWaitMs`: draft-ietf-ipsec-dhcp-over-ike-00 §3 has the
 * client pace its rounds by DHCP retransmission, whose longest wait is 64 s ± 1 s (RFC 2131 §4.1).
 */
export const halfOpenMs = (ctx: Ctx): number => {
  const base = ctx.input.policy.halfOpenTimeoutMs ?? 0;
  if (base === 0 || ctx.round === 0) return base;
  return Math.max(base, ctx.input.policy.authRoundWaitMs ?? AUTH_ROUND_WAIT_MS);
};
/** The gateway's own liveness check interval (RFC 7296 §2.4), 0 = never. */
export const livenessEveryMs = (ctx: Ctx): number => ctx.input.policy.livenessMs ?? 0;
/** The wait after the `sendIndex`-th transmission of our own request (RFC 7296 §2.1). */
export const ownRetransmitWaitMs = (ctx: Ctx): number =>
  retransmitWaitsMs(ctx.input.cfg.retransmit)[ctx.own.pending?.sendIndex ?? 0] ?? 0;

// ---------------------------------------------------------------------------------------------------------------
// IKE_SA_INIT, the half-open timeout, the gateway's delete

/** IKE_SA_INIT response (RFC 7296 §1.2) to `req`, the request the SA was made for. */
export function initResponse(ctx: Ctx, req: IkeMessage): Out {
  const { payloads, nonceR, ke } = ikeInit.buildR(ctx.input.accepted, ctx.input.rng, cryptoOf(ctx));
  // Ni as the request carries it (ike-init's processR has checked it is there).
  const keys = { ...ctx.keys, nonceI: findPayload(req, 'Nonce')?.data ?? NO_NONCE, nonceR };
  // NAT-D answers NAT-D (RFC 7296 §2.23); CHILDLESS_IKEV2_SUPPORTED answers the initiator's (RFC 6023 §3: this
  // responder accepts a childless IKE_AUTH).
  const ends = ctx.input.endpoints;
  const notifies = ikeInit.initNotifies(keys.spiI, keys.spiR, ends, {
    natDetection: ctx.input.cfg.natDetection && ikeInit.hasNatDetection(req),
    childless: ikeInit.saysChildless(req),
  });
  const nat = ends === undefined ? undefined : natDetectionResult(req, ends);
  const notes =
    nat !== undefined && (nat.peerBehindNat || nat.selfBehindNat) ? [note('ike.natDetected', { ...nat })] : [];
  const response = responseTo({ ...ctx, keys }, req, [...payloads, ...notifies]);
  // RFC 7296 §2.14: the IKE SA's keys from KEi and our private half; AUTH will sign this response (§2.15).
  const established = cryptoOf(ctx).establish(keys, 'responder', ke, findPayload(req, 'KE')?.data, req, response);
  return around(sent(response, { keys: established }), notes);
}

/**
 * No (further) IKE_AUTH request came within `halfOpenTimeoutMs`: the half-open IKE SA is removed (a peer that
 * vanished, or spoofed IKE_SA_INITs). RFC 7296 §2.4 lets a node forget an IKE SA at any time; it never reached
 * `established`, so nothing is sent. A late IKE_AUTH retransmission then draws INVALID_IKE_SPI (§2.21.4).
 */
export function halfOpenTimeout(ctx: Ctx): Out {
  return {
    emits: [note('ike.halfOpenTimeout', { peer: ctx.peerId, round: ctx.round }), closedBy('half-open-timeout')],
  };
}

/**
 * The gateway deletes this IKE SA on its own (another IKE SA of the same identity replaces it: `uniqueIds`, or
 * INITIAL_CONTACT, RFC 7296 §2.4). `notifyPeer`: send a Delete inside it first (§1.4.1, §2.4 "SHOULD send a Delete
 * payload ... unless the other endpoint is no longer responding"); we do not wait for the answer — the identity's
 * new IKE SA is already being set up and the old one's address must go now. The answer, if any, then arrives for an
 * unknown SPI and, being a response, is not answered (§2.21.4). With our own request outstanding (window 1, §2.3)
 * no Delete can be sent and the SA just goes.
 */
export function deleteNow(ctx: Ctx, notifyPeer: boolean, reason: string): Out {
  const send: IkeEmitted[] = [];
  const own = ctx.own;
  if (notifyPeer && own.pending === undefined) {
    const message = ikeMessage(
      addressing(ctx.keys, false),
      IkeExchangeType.INFORMATIONAL,
      own.nextId,
      false,
      ikeDelete.buildI(),
    );
    send.push({ type: 'net.send', message });
  }
  return {
    ctx: { own: ownRequests(own.nextId + send.length, own.pending, own.invalidSpiHints) },
    emits: [note('ike.saReplaced', { peer: ctx.peerId, reason }), ...send, closedBy(reason)],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The request window (every state): RFC 7296 §2.1–2.3

/** A repeat of the request answered last: it gets the cached response, byte for byte (RFC 7296 §2.1). */
export const isCachedRepeat = (ctx: Ctx, m: IkeMessage): boolean =>
  !m.response && m.messageId === ctx.window.nextExpect - 1 && ctx.window.cachedResponseId === m.messageId;
export const isNextRequest = (ctx: Ctx, m: IkeMessage): boolean => !m.response && m.messageId === ctx.window.nextExpect;

export function cachedResponse(ctx: Ctx, m: IkeMessage): Out {
  const id = ctx.window.cachedResponseId;
  const send: IkeEmitted[] = id === undefined ? [] : [{ type: 'net.resend', messageId: id }];
  return { emits: [note('ike.cachedResponse', { messageId: m.messageId }), ...send] };
}

export function outOfWindow(ctx: Ctx, m: IkeMessage): Out {
  return { emits: [note('ike.ignored', { messageId: m.messageId, why: `expected #${ctx.window.nextExpect}` })] };
}

/** The request being worked on came again (`ResponderPolicy.busyRepeat`). */
export function alreadyProcessing(ctx: Ctx, m: IkeMessage): Out {
  if (ctx.input.policy.busyRepeat === 'ack-later')
    return {
      ctx: { repeatWhileBusy: ctx.repeatWhileBusy + 1 },
      emits: [note('ike.alreadyProcessing', { messageId: m.messageId, policy: 'ack-later' })],
    };
  return { emits: [note('ike.alreadyProcessing', { messageId: m.messageId, policy: 'ignore' })] };
}

function ackLaterNotes(ctx: Ctx): IkeEmitted[] {
  return ctx.repeatWhileBusy > 0 ? [note('ike.ackLater', { repeats: ctx.repeatWhileBusy })] : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Our own requests (liveness, RFC 7296 §2.4) and the responses to them

export function notOurRequest(m: IkeMessage): Out {
  return { emits: [note('ike.ignored', { messageId: m.messageId, why: 'not our outstanding request' })] };
}

/** An unprotected INVALID_IKE_SPI answering our outstanding request (RFC 7296 §2.21.4). */
export function isOwnInvalidSpi(ctx: Ctx, m: IkeMessage): boolean {
  const p = ctx.own.pending;
  return p !== undefined && m.response && invalidSpi.matches(m, ctx.keys.spiI, ctx.keys.spiR, p.message.messageId);
}

export const isOwnResponse = (ctx: Ctx, m: IkeMessage): boolean =>
  m.response && ctx.own.pending !== undefined && m.messageId === ctx.own.pending.message.messageId;

/**
 * The client answered our request with an unprotected INVALID_IKE_SPI: it no longer knows this IKE SA (it restarted
 * or reconnected). As on the initiator (RFC 7296 §2.21.4): the first one makes us re-send the request at once as the
 * liveness check; a second one before any protected answer closes the SA as `peer-lost` (its address is released).
 */
export function ownInvalidSpiResend(ctx: Ctx, m: IkeMessage): Out {
  const own = ctx.own;
  const send: IkeEmitted[] = own.pending === undefined ? [] : [{ type: 'net.send', message: own.pending.message }];
  return {
    ctx: { own: ownRequests(own.nextId, own.pending, 1) },
    emits: [note('ike.invalidSpi', { messageId: m.messageId, check: 'resend' }), ...send],
  };
}

export function ownInvalidSpiConfirmed(ctx: Ctx, m: IkeMessage): Out {
  return {
    ctx: { own: ownRequests(ctx.own.nextId, undefined, ctx.own.invalidSpiHints) },
    emits: [note('ike.invalidSpi', { messageId: m.messageId, check: 'confirmed' }), closedBy('peer-lost')],
  };
}

/** Our liveness check (RFC 7296 §2.4), `ResponderPolicy.livenessMs`: an empty INFORMATIONAL request. */
export function livenessRequest(ctx: Ctx): Out {
  const message = ikeMessage(
    addressing(ctx.keys, false),
    IkeExchangeType.INFORMATIONAL,
    ctx.own.nextId,
    false,
    liveness.buildI(),
  );
  return {
    ctx: { own: ownRequests(ctx.own.nextId + 1, { message, sendIndex: 0 }, 0) },
    emits: [{ type: 'net.send', message }],
  };
}

/** Our request retransmits like an initiator's (RFC 7296 §2.1) until `retransmit.tries`. */
export const ownTriesLeft = (ctx: Ctx): boolean =>
  ctx.own.pending !== undefined && ctx.own.pending.sendIndex < ctx.input.cfg.retransmit.tries;

export function ownRetransmit(ctx: Ctx): Out {
  const own = ctx.own;
  const p = own.pending;
  if (p === undefined) return { emits: [] };
  return {
    ctx: { own: ownRequests(own.nextId, { message: p.message, sendIndex: p.sendIndex + 1 }, own.invalidSpiHints) },
    emits: [{ type: 'net.send', message: p.message }],
  };
}

/** No answer at all to our request ⇒ the client is dead (RFC 7296 §2.4). */
export function ownGiveUp(ctx: Ctx): Out {
  return {
    ctx: { own: ownRequests(ctx.own.nextId, undefined, ctx.own.invalidSpiHints) },
    emits: [
      note('ike.giveUp', { exchange: 'liveness', messageId: ctx.own.pending?.message.messageId ?? -1 }),
      closedBy('dead-peer'),
    ],
  };
}

/** Our request was answered: nothing outstanding, its hints forgotten. */
export function ownAnswered(ctx: Ctx): OwnRequests {
  return ownRequests(ctx.own.nextId, undefined, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// IKE_AUTH (RFC 7296 §1.2, §2.15) and its rounds (draft-ietf-ipsec-dhcp-over-ike-00 §3)

export type AuthVerdict = 'notAuth' | 'failed' | 'duplicate' | 'ok';

/** How the first IKE_AUTH request is answered. */
export function authVerdict(ctx: Ctx, m: IkeMessage): AuthVerdict {
  if (m.exchangeType !== IkeExchangeType.IKE_AUTH) return 'notAuth';
  const r = ikeAuth.processR(m, ctx.keys, ctx.input.pskFor, cryptoOf(ctx));
  if (!r.ok) return 'failed';
  // strongSwan's uniqueids=keep: the identity's existing IKE SA stays, the new one is refused (as AUTH failure).
  const keep = ctx.input.policy.uniqueIds === 'keep' && !ikeAuth.initialContactOf(m);
  return keep && ctx.input.hasOtherSa?.(r.peerId) === true ? 'duplicate' : 'ok';
}

export function notIkeAuth(m: IkeMessage): Out {
  return { emits: [note('ike.ignored', { messageId: m.messageId, why: 'expected IKE_AUTH' })] };
}

/** RFC 7296 §2.21.2: AUTHENTICATION_FAILED in the response; the IKE SA is not created. */
export function authFailed(ctx: Ctx, m: IkeMessage): Out {
  return around(respond(ctx, m, ikeAuth.failureR()), [], [closedBy('AUTHENTICATION_FAILED')]);
}

export function duplicateRejected(ctx: Ctx, m: IkeMessage): Out {
  const peer = ikeAuth.processR(m, ctx.keys, ctx.input.pskFor, cryptoOf(ctx)).peerId ?? '';
  return around(
    respond(ctx, m, ikeAuth.failureR()),
    [note('ike.duplicateRejected', { peer })],
    [closedBy('duplicate-rejected')],
  );
}

function childInRequest(m: IkeMessage): boolean {
  return m.payloads.some((p) => p.kind === 'SK' && p.payloads.some((q) => q.kind === 'SA'));
}

/** The request goes to the provider (the machine's `waitingAddress` asks it). */
function toProvider(ctx: Ctx, m: IkeMessage, peerId: string): Partial<Ctx> {
  return { peerId, waitingRequest: m, authChildRequest: ctx.authChildRequest ?? (childInRequest(m) ? m : undefined) };
}

/**
 * The peer is authenticated: the gateway replaces the identity's other IKE SAs on `ike.authenticated` (uniqueIds,
 * INITIAL_CONTACT) before the address is asked for, so their addresses are back in the pool first.
 */
export function authenticated(ctx: Ctx, m: IkeMessage): Out {
  const peerId = ikeAuth.processR(m, ctx.keys, ctx.input.pskFor, cryptoOf(ctx)).peerId ?? '';
  const initialContact = ikeAuth.initialContactOf(m);
  return { ctx: toProvider(ctx, m, peerId), emits: [{ type: 'ike.authenticated', peerId, initialContact }] };
}

/** A further IKE_AUTH round: the provider sees each request. */
export function nextRound(ctx: Ctx, m: IkeMessage): Out {
  return { ctx: toProvider(ctx, m, ctx.peerId), emits: [] };
}

export const isIkeAuth = (m: IkeMessage): boolean => m.exchangeType === IkeExchangeType.IKE_AUTH;
/** An INFORMATIONAL with Delete of the IKE SA (RFC 7296 §1.4.1). */
export const isIkeDelete = (m: IkeMessage): boolean =>
  m.exchangeType === IkeExchangeType.INFORMATIONAL && ikeDelete.processR(m);

/**
 * The peer deletes the IKE SA (RFC 7296 §1.4.1) — between IKE_AUTH rounds too: the first round authenticated the peer
 * (draft-ietf-ipsec-dhcp-over-ike-00 §3: a client that gives up on DHCP closes the SA).
 */
export function peerDeleted(ctx: Ctx, m: IkeMessage): Out {
  return around(respond(ctx, m, ikeDelete.buildR()), [], [closedBy('deleted')]);
}

export function invalidSyntax(ctx: Ctx, m: IkeMessage): Out {
  return respond(ctx, m, [notifyPayload({ notify: 'INVALID_SYNTAX' })]);
}

/**
 * The request the provider is working on: set on every way into `waitingAddress` and `waitingChild`, whose actions
 * alone read it.
 */
function waiting(ctx: Ctx): IkeMessage {
  if (ctx.waitingRequest === undefined) throw new Error('ike responder: no request is waiting for the provider');
  return ctx.waitingRequest;
}

/** What the provider is asked for the IKE_AUTH round being answered. */
export function addressRequest(ctx: Ctx): AddressRequest {
  // `waitingRequest` is set on every way into `waitingAddress`; the init request stands in for the type only.
  return {
    ikeSaId: ctx.input.ikeSaId,
    peerId: ctx.peerId,
    request: waiting(ctx),
    round: ctx.round,
  };
}

/**
 * An IKE_AUTH response: the first round carries IDr and AUTH (RFC 7296 §1.2), later rounds only `rest`. `round`,
 * `config` and `children` are what the context holds after it (the context's own values where the round changes
 * none): the update is one literal of fixed shape, not spreads of extras of four shapes (V8's generic object clone).
 */
function authReply(
  ctx: Ctx,
  rest: readonly IkePayload[],
  round: number,
  config: AssignedConfig | undefined,
  children: readonly ChildSa[],
  up: IkeEmitted | undefined,
): Out {
  const m = waiting(ctx);
  const payloads =
    ctx.round === 0
      ? ikeAuth.buildR(
          ctx.input.cfg.identity,
          ctx.input.pskFor(ctx.peerId) ?? ctx.input.cfg.pskName,
          ctx.keys,
          rest,
          cryptoOf(ctx),
        )
      : [...rest];
  // The last round (the SA comes up) has read the request that carried SAi2/TSi/TSr, and the IKE_SA_INIT nonces have
  // keyed the SA, signed AUTH and keyed its Child SA (RFC 7296 §2.14–2.17): neither need stay.
  const done = up !== undefined;
  const response = responseTo(ctx, m, payloads);
  const id = response.messageId;
  return {
    ctx: {
      round,
      config,
      children,
      authChildRequest: done ? undefined : ctx.authChildRequest,
      keys: done ? withoutInitNonces(ctx.keys) : ctx.keys,
      waitingRequest: undefined,
      repeatWhileBusy: 0,
      window: answeredWindow(id),
    },
    emits: [...ackLaterNotes(ctx), { type: 'net.send', message: response }, ...(up === undefined ? [] : [up])],
  };
}

const up = (ctx: Ctx, config: AssignedConfig | undefined, child: ChildSa | undefined): IkeEmitted => ({
  type: 'ike.up',
  keys: ctx.keys,
  config,
  child,
});

export const answerFailed = (a: AddressAnswer): boolean => !a.ok;
export const answerMore = (a: AddressAnswer): boolean => a.ok && a.more === true;

/** RFC 7296 §1.2/§3.10.1: the provider refused; the IKE SA is created, the Child SA is not. */
export function addressRefused(ctx: Ctx, a: AddressAnswer): Out {
  const notify = a.ok ? 'INTERNAL_ADDRESS_FAILURE' : a.notify;
  const before = a.ok ? [] : (a.replyPayloads ?? []);
  return authReply(
    ctx,
    [...before, notifyPayload({ notify })],
    ctx.round,
    ctx.config,
    ctx.children,
    up(ctx, undefined, undefined),
  );
}

/** Not finished: answer this round and wait for the next IKE_AUTH (draft-ietf-ipsec-dhcp-over-ike-00 §3). */
export function addressMore(ctx: Ctx, a: AddressAnswer): Out {
  return authReply(ctx, a.ok ? a.replyPayloads : [], ctx.round + 1, ctx.config, ctx.children, undefined);
}

/** The provider's address (and the IKE_AUTH Child SA, RFC 7296 §1.2, narrowed to it). */
export function addressGiven(ctx: Ctx, a: AddressAnswer): Out {
  if (!a.ok || a.more === true) return addressRefused(ctx, a);
  const config = a.config;
  const childReq = ctx.authChildRequest;
  if (childReq === undefined)
    return authReply(ctx, a.replyPayloads, ctx.round, config, ctx.children, up(ctx, config, undefined));
  const r = childCreate.processR(ctx.input.cfg, ctx.input.policy.protectedSubnets, childReq, config?.address, a.tsr);
  if (!r.ok)
    return authReply(
      ctx,
      [...a.replyPayloads, childCreate.errorPayload(r.notify)],
      ctx.round,
      config,
      ctx.children,
      up(ctx, config, undefined),
    );
  const spiIn = randomEspSpi(ctx.input.rng);
  const child: ChildSa = { spiIn, spiOut: r.spiOut, suite: r.suite, tsi: r.tsi, tsr: r.tsr };
  // RFC 7296 §2.17: the IKE_AUTH Child SA's KEYMAT uses the IKE_SA_INIT nonces.
  cryptoOf(ctx).childKeys(ctx.keys, child, ctx.keys.nonceI, ctx.keys.nonceR, 'responder', ctx.input.endpoints);
  return authReply(
    ctx,
    [...a.replyPayloads, ...childCreate.buildR(r, spiIn)],
    ctx.round,
    config,
    [child],
    up(ctx, config, child),
  );
}

/** The provider did not answer in time (`addressTimeoutMs`): INTERNAL_ADDRESS_FAILURE, the IKE SA is up. */
export function addressTimeoutNote(ctx: Ctx): Out {
  return { emits: [note('ike.addressTimeout', { peer: ctx.peerId })] };
}

export function addressTimeoutReply(ctx: Ctx): Out {
  return authReply(
    ctx,
    [notifyPayload({ notify: 'INTERNAL_ADDRESS_FAILURE' })],
    ctx.round,
    ctx.config,
    ctx.children,
    up(ctx, undefined, undefined),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Requests on the established IKE SA

export type EstablishedKind =
  | 'ikeRekey'
  | 'childBusy'
  | 'childAsk'
  | 'child'
  | 'invalidSyntax'
  | 'rekeyedDelete'
  | 'delete'
  | 'childDelete'
  | 'liveness';

function rekeyBusy(ctx: Ctx): boolean {
  return ctx.input.policy.rekeyBusy || ctx.busyAnswered < (ctx.input.policy.rekeyBusyTimes ?? 0);
}

/** What kind of request on the established IKE SA `m` is (the machine's guards). */
export function establishedKind(ctx: Ctx, m: IkeMessage): EstablishedKind {
  if (m.exchangeType === IkeExchangeType.CREATE_CHILD_SA) {
    if (ikeRekey.processR(m) !== undefined) return 'ikeRekey';
    // RFC 7296 §2.25: a busy responder (or one rekeying the same SA) answers TEMPORARY_FAILURE.
    if (childRekey.processR(m) !== undefined && rekeyBusy(ctx)) return 'childBusy';
    return ctx.input.providerChildren === true ? 'childAsk' : 'child';
  }
  if (m.exchangeType !== IkeExchangeType.INFORMATIONAL) return 'invalidSyntax';
  if (ikeDelete.processR(m)) return ctx.newKeys !== undefined ? 'rekeyedDelete' : 'delete';
  return childDelete.deletesAny(m) ? 'childDelete' : 'liveness';
}

/** IKE SA rekey (RFC 7296 §1.3.2): the new SA's keys wait for the old one's Delete. */
export function ikeRekeyed(ctx: Ctx, m: IkeMessage): Out {
  const ike = ikeRekey.processR(m);
  if (ike === undefined) return invalidSyntax(ctx, m);
  const spiR = randomIkeSpi(ctx.input.rng);
  const { payloads, nonceR, ke } = ikeRekey.buildR(
    ctx.keys.suite,
    ctx.keys.dhGroup,
    spiR,
    ctx.input.rng,
    cryptoOf(ctx),
  );
  const next: IkeSaKeys = { ...ctx.keys, spiI: ike.spiI, spiR, nonceI: ike.nonceI, nonceR };
  // RFC 7296 §2.18: the new SA is keyed from the old SK_d and this exchange's g^ir and nonces.
  const newKeys = cryptoOf(ctx).rekey(ctx.keys, next, 'responder', ke, ike.ke);
  return respond(ctx, m, payloads, { newKeys });
}

export function childBusy(ctx: Ctx, m: IkeMessage): Out {
  const s = respond(ctx, m, childRekey.busyR(), { busyAnswered: ctx.busyAnswered + 1 });
  return around(s, [note('ike.rekeyBusy', { messageId: m.messageId })]);
}

/** A CREATE_CHILD_SA for the provider (the machine's `waitingChild` asks it). */
export function childAsk(m: IkeMessage): Partial<Ctx> {
  return { waitingRequest: m, waitingRekeyOf: childRekey.processR(m) };
}

export function childRequest(ctx: Ctx): ChildProviderRequest {
  return {
    ikeSaId: ctx.input.ikeSaId,
    peerId: ctx.peerId,
    request: waiting(ctx),
    rekeyOf: ctx.waitingRekeyOf,
    config: ctx.config,
  };
}

/** The CREATE_CHILD_SA response from the provider's answer (or the default one). */
function childReply(ctx: Ctx, m: IkeMessage, rekeyOf: number | undefined, answer: ChildAnswer): Out {
  const extra: Partial<Ctx> = { waitingRequest: undefined, waitingRekeyOf: undefined, repeatWhileBusy: 0 };
  if (!answer.ok)
    return respond(ctx, m, [...(answer.replyPayloads ?? []), notifyPayload({ notify: answer.notify })], extra);
  const config = answer.config ?? ctx.config;
  const assigned = answer.tsiAddress === null ? undefined : (answer.tsiAddress ?? config?.address);
  const r = childCreate.processR(ctx.input.cfg, ctx.input.policy.protectedSubnets, m, assigned, answer.tsr);
  if (!r.ok) return respond(ctx, m, [childCreate.errorPayload(r.notify)], { ...extra, config });
  const spiIn = randomEspSpi(ctx.input.rng);
  const child: ChildSa = { spiIn, spiOut: r.spiOut, suite: r.suite, tsi: r.tsi, tsr: r.tsr };
  const replaced = rekeyOf === undefined ? undefined : ctx.children.find((c) => c.spiOut === rekeyOf);
  const created = childRekey.buildR(ctx.input.rng, r, spiIn);
  // RFC 7296 §2.17: this exchange's Ni (the request's) and Nr (ours) key the new Child SA.
  const nonceR = created.find((p) => p.kind === 'Nonce');
  const nonceI = findPayload(m, 'Nonce');
  if (nonceR?.kind === 'Nonce' && nonceI !== undefined)
    cryptoOf(ctx).childKeys(ctx.keys, child, nonceI.data, nonceR.data, 'responder', ctx.input.endpoints);
  const s = respond(ctx, m, [...created, ...(answer.replyPayloads ?? [])], {
    ...extra,
    config,
    children: [child, ...ctx.children],
  });
  return around(s, [], [{ type: 'ike.child', child, replaces: replaced }]);
}

/** A CREATE_CHILD_SA answered at once (no provider for children): TSi narrowed to the IKE SA's address. */
export function childNow(ctx: Ctx, m: IkeMessage): Out {
  return childReply(ctx, m, childRekey.processR(m), { ok: true });
}

export function childAnswered(ctx: Ctx, answer: ChildAnswer): Out {
  return around(childReply(ctx, waiting(ctx), ctx.waitingRekeyOf, answer), ackLaterNotes(ctx));
}

/** No child answer in time: a new Child SA fails (INTERNAL_ADDRESS_FAILURE), a rekey is retried (TEMPORARY_FAILURE). */
export function childTimeoutNotify(ctx: Ctx): 'INTERNAL_ADDRESS_FAILURE' | 'TEMPORARY_FAILURE' {
  return ctx.waitingRekeyOf === undefined ? 'INTERNAL_ADDRESS_FAILURE' : 'TEMPORARY_FAILURE';
}

export function childTimeoutNote(ctx: Ctx): Out {
  return { emits: [note('ike.childTimeout', { peer: ctx.peerId, notify: childTimeoutNotify(ctx) })] };
}

export function childTimeoutReply(ctx: Ctx): Out {
  const s = childReply(ctx, waiting(ctx), ctx.waitingRekeyOf, {
    ok: false,
    notify: childTimeoutNotify(ctx),
  });
  return around(s, ackLaterNotes(ctx));
}

/** The old IKE SA of a rekey is deleted (RFC 7296 §2.18): continue on the new one, message IDs from 0 (ours too). */
export function rekeyedDelete(ctx: Ctx, m: IkeMessage): Out {
  const nk = ctx.newKeys;
  const s = respond(ctx, m, ikeDelete.buildR());
  if (nk === undefined) return s;
  return {
    ctx: {
      ...s.ctx,
      keys: nk,
      newKeys: undefined,
      window: { nextExpect: 0, cachedResponseId: undefined },
      own: ownRequests(0, undefined, ctx.own.invalidSpiHints),
    },
    emits: [...s.emits, { type: 'ike.rekeyed', oldSpiI: ctx.keys.spiI, keys: nk }],
  };
}

/** RFC 7296 §1.4.1: answer with the inbound SPIs of the pairs; the routes of the deleted Child SAs go too. */
export function childDeleted(ctx: Ctx, m: IkeMessage): Out {
  const deleted = childDelete.processR(m);
  const mine = ctx.children.filter((c) => deleted.includes(c.spiOut));
  const s = respond(ctx, m, childDelete.buildR(mine.map((c) => c.spiIn)), {
    children: ctx.children.filter((c) => !mine.includes(c)),
  });
  return mine.length > 0 ? around(s, [], [{ type: 'ike.childDeleted', spisIn: mine.map((c) => c.spiIn) }]) : s;
}

/** No payloads (an empty INFORMATIONAL): the message takes a fitted copy, so one shared value serves every answer. */
const NO_PAYLOADS: readonly IkePayload[] = Object.freeze([]);

/** An empty INFORMATIONAL (liveness, RFC 7296 §2.4) gets an empty response. */
export function livenessAnswer(ctx: Ctx, m: IkeMessage): Out {
  return respond(ctx, m, NO_PAYLOADS);
}
