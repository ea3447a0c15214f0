/**
 * The hooks the IKE machines call, defined where they are offered (strongSwan keeps `attribute_provider` in libcharon;
 * plugins implement it): the initiator asks the client method about IKE_AUTH and CREATE_CHILD_SA payloads and
 * responses; the responder asks the gateway's address provider for each IKE_AUTH round and CREATE_CHILD_SA.
 * models/methods implements these; nothing here imports models/methods.
 */
import type { ActorRef, Snapshot } from 'xstate';
import type { IkeMessage, IkePayload, IkeTrafficSelector } from '../wire/ike/index.ts';
import type { AssignedConfig } from './tasks/ike-config.ts';

// ---------------------------------------------------------------------------------------------------------------
// Client side: the initiator's hooks

/** TSi (the client's side) and TSr (the gateway's side) of a Child SA, RFC 7296 §2.9. */
export interface ChildSelectors {
  readonly tsi: readonly IkeTrafficSelector[];
  readonly tsr: readonly IkeTrafficSelector[];
}

export type ClientAuthOutcome =
  /** The IKE SA is up. `config` undefined: no inner address yet (childless methods configure later). */
  | { readonly kind: 'configured'; readonly config: AssignedConfig | undefined }
  /** The IKE SA is deleted at once (a client without an address has no use for it). */
  | { readonly kind: 'failed'; readonly notify: string }
  /** Another IKE_AUTH request (next message ID) with these payloads (draft-ietf-ipsec-dhcp-over-ike-00 §3). */
  | { readonly kind: 'more'; readonly payloads: readonly IkePayload[] }
  /**
   * Another IKE_AUTH request, but later: the method sends it (`cmd.authRound`, ClientMethodContext.continueAuth) when
   * it has something to carry — draft-ietf-ipsec-dhcp-over-ike-00 §3: "normal DHCP retransmission policies" decide
   * when the next packet goes. No request is outstanding meanwhile, so nothing is retransmitted (RFC 7296 §2.1); no
   * round within `maxWaitMs` ⇒ the IKE SA is deleted (§1.4.1) as one without an address.
   */
  | { readonly kind: 'hold'; readonly maxWaitMs: number };

/**
 * A Child SA the method asks for (CREATE_CHILD_SA, RFC 7296 §1.3.1). A `slot` names the SA across rekeys: the
 * IKE_AUTH child is `main`; a request for a slot that holds a Child SA rekeys it (N(REKEY_SA), §1.3.3).
 */
export interface ChildRequest {
  readonly slot: string;
  /** New children: default wildcards (full range both sides). Rekeys: the current child's negotiated selectors. */
  readonly selectors?: ChildSelectors;
  /** Method payloads after TSr, e.g. DHCP(REQUEST) (draft-richardson §2 steps 5–6). */
  readonly payloads?: readonly IkePayload[];
}

/** Which CREATE_CHILD_SA a hook is about. */
export interface ChildExchangeInfo {
  readonly slot: string;
  /** True for a rekey of the slot's current Child SA (N(REKEY_SA)). */
  readonly rekey: boolean;
  /** The selectors offered. */
  readonly selectors: ChildSelectors;
  /** True when the method asked for it (`requestChild`), false when the IKE rekey timer started it. */
  readonly byMethod: boolean;
}

export type ClientChildOutcome =
  /** Install the Child SA; `config` (when given) becomes the client's inner address (draft-richardson §2 DHCP(ACK)). */
  | { readonly kind: 'accept'; readonly config?: AssignedConfig }
  /** Do not use it: a Child SA the response created is deleted at once (RFC 7296 §1.4.1). */
  | { readonly kind: 'reject'; readonly reason: string };

/**
 * What the IKE initiator asks the method (the client-side hooks it calls; `ClientMethodTasks` in models/methods extends
 * it with the node's hooks).
 */
export interface IkeClientHooks {
  /** False: childless IKE_AUTH (RFC 6023); Child SAs come from `requestChild`. */
  readonly childInAuth: boolean;
  /** Payloads of the first IKE_AUTH request after AUTH. */
  authRequestPayloads(): IkePayload[];
  /**
   * Put those payloads after SAi2, TSi, TSr instead (draft-ietf-ipsec-dhcp-over-ike-00 §3: "SK {IDi, [CERTREQ,]
   * [IDr,] SAi2, TSi, TSr, DHCP}"). Default false: RFC 7296 §2.19's order, CP before SAi2.
   */
  readonly authPayloadsAfterChild?: boolean;
  /** TSi/TSr of the SAi2 in IKE_AUTH; default full range both (draft-ietf-ipsec-dhcp-over-ike-00 §3 wildcards). */
  authChildSelectors?(): ChildSelectors;
  /** Reads an IKE_AUTH response (AUTHENTICATION_FAILED is handled before). `errors`: its error notifies. */
  processAuthResponse(resp: IkeMessage, errors: readonly string[]): ClientAuthOutcome;
  /** Payloads for a rekey the IKE timer started (draft-richardson §2 "later, upon rekey … DHCP(request)"). */
  childRequestPayloads?(info: ChildExchangeInfo): readonly IkePayload[];
  /** Reads every CREATE_CHILD_SA response (new child or rekey). Absent ⇒ accept when an SA was negotiated. */
  processChildResponse?(info: ChildExchangeInfo, resp: IkeMessage, errors: readonly string[]): ClientChildOutcome;
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway side: the responder's address provider

export type AddressAnswer =
  | {
      readonly ok: true;
      /** Undefined when the peer asked for nothing and policy allows that (TSi is then not narrowed). */
      readonly config: AssignedConfig | undefined;
      /** Payloads the IKE_AUTH response carries for the method (CP(CFG_REPLY), DHCP(ACK), …), before SAr2. */
      readonly replyPayloads: readonly IkePayload[];
      readonly more?: false;
      /**
       * TSr of the IKE_AUTH Child SA instead of the offered TSr ∩ protected subnets (RFC 3456 §4.1: the DHCP SA's
       * "Any to Any, destination UDP port 67"). Absent: narrowed as usual.
       */
      readonly tsr?: readonly IkeTrafficSelector[];
    }
  /** Not finished: answer this round with `replyPayloads` and wait for the next IKE_AUTH (draft-ietf §3). */
  | { readonly ok: true; readonly more: true; readonly replyPayloads: readonly IkePayload[] }
  | {
      readonly ok: false;
      readonly notify: 'INTERNAL_ADDRESS_FAILURE' | 'FAILED_CP_REQUIRED';
      /** Said before the error (e.g. N(UNKNOWN_DHCP_PAYLOAD_TYPE), draft-ietf-ipsec-dhcp-over-ike-00 §5). */
      readonly replyPayloads?: readonly IkePayload[];
    };

export interface AddressRequest {
  /** The responder's key for this IKE SA (the SPIi of its first IKE SA; rekeys keep it). */
  readonly ikeSaId: string;
  readonly peerId: string;
  /** The whole IKE_AUTH request of this round. */
  readonly request: IkeMessage;
  /** 0 for the first IKE_AUTH, then 1, 2, … (draft-ietf-ipsec-dhcp-over-ike-00 §3). */
  readonly round: number;
}

export interface ChildProviderRequest {
  readonly ikeSaId: string;
  readonly peerId: string;
  /** The whole CREATE_CHILD_SA request. */
  readonly request: IkeMessage;
  /** Our outbound SPI of the Child SA being rekeyed (N(REKEY_SA)), or undefined for a new Child SA. */
  readonly rekeyOf: number | undefined;
  /** The IKE SA's current configuration (from IKE_AUTH or an earlier child answer). */
  readonly config: AssignedConfig | undefined;
}

export type ChildAnswer =
  | {
      readonly ok: true;
      /** After SAr2, Nr, TSi, TSr (draft-richardson §2: DHCP(ACK)). */
      readonly replyPayloads?: readonly IkePayload[];
      /**
       * TSi narrowing: an address (draft-richardson §2, the leased address); `null` keeps TSi as offered (RFC 3456's
       * DHCP SA, 0.0.0.0/0 UDP 68); absent: the IKE SA's config address, else as offered.
       */
      readonly tsiAddress?: string | null;
      /** TSr instead of the offered TSr ∩ protected subnets (RFC 3456 §4.1: the gateway's own address, UDP 67). */
      readonly tsr?: readonly IkeTrafficSelector[];
      /** The IKE SA's configuration from now on (routing and later narrowing). */
      readonly config?: AssignedConfig;
    }
  | {
      readonly ok: false;
      readonly notify: 'INTERNAL_ADDRESS_FAILURE' | 'TS_UNACCEPTABLE' | 'NO_PROPOSAL_CHOSEN' | 'TEMPORARY_FAILURE';
      readonly replyPayloads?: readonly IkePayload[];
    };

// ---------------------------------------------------------------------------------------------------------------
// The provider protocol: how a responder asks the gateway's provider actor (events, no callbacks)

/** What the provider actor answers to the `replyTo` of a request. */
export type ProviderReply =
  | { readonly type: 'provider.answer'; readonly answer: AddressAnswer }
  | { readonly type: 'provider.childAnswer'; readonly answer: ChildAnswer };

/** Something that takes the provider's reply (the responder's invoked ask actor). */
export type ProviderReplyTo = ActorRef<Snapshot<unknown>, ProviderReply>;

/**
 * What the gateway's provider actor receives. The responder's `waitingAddress` (`waitingChild`) invokes an ask actor
 * that sends `provider.address` (`provider.child`) with itself as `replyTo` and finishes with the answer it gets back;
 * when the address timeout answers first, the responder sends `provider.abandon` (the provider may stop retrying).
 */
export type ProviderEvent =
  | { readonly type: 'provider.address'; readonly req: AddressRequest; readonly replyTo: ProviderReplyTo }
  | { readonly type: 'provider.child'; readonly req: ChildProviderRequest; readonly replyTo: ProviderReplyTo }
  | { readonly type: 'provider.abandon'; readonly ikeSaId: string };

/** The provider actor as the responder sees it (its ref is in the responder's input). */
export type ProviderRef = ActorRef<Snapshot<unknown>, ProviderEvent>;
