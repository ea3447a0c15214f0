/**
 * The DHCP carrier as a statechart: the RFC 2131 client machine (models/dhcp/client-machine.ts, spawned as a child)
 * with IKE exchanges as its transport, shared by both DHCP-over-IKE methods (`variant` seed: draft-richardson-00 §2;
 * `wg`: draft-ietf-ipsec-dhcp-over-ike-00 §3).
 *
 * Two regions:
 * - `phase`, what the glue is doing for the lease: `idle` (no IKE SA) → `authorizing` (DHCP rides IKE_AUTH rounds) →
 *   `awaitingUp` (seed: the REQUEST waits for the IKE SA) → `requesting` (DHCP rides a CREATE_CHILD_SA) → `bound`
 *   (the slot's rekeys carry renewals) ⇄ `renewing`; a lost lease goes to `halted` (a new IKE SA is to carry DISCOVER,
 *   `dhcpIkeNakRestart` reconnect), back to `requesting` (child-discover) or `down` (stay-down).
 * - `call`, the hook being answered: the IKE initiator's hooks are synchronous, so a hook sends its event, the machine
 *   enters `call.reading.*` and collects what the DHCP child emits (it answers within the same `send`), then the hook
 *   sends `carrier.settle` and reads the decision from `context.answer` (guards pick the next phase). Outside a call
 *   (`call.free`) a DHCP message comes from the client's own timers (T1, the RFC 2131 §4.4.5 waits) and rides a
 *   CREATE_CHILD_SA of its own.
 *
 * DHCP retransmission under IKE (both drafts leave it to the implementation; WG §3 only asks for "normal DHCP
 * retransmission policies" when no DHCP comes back): IKE already retransmits each request until answered and the
 * responder re-sends its cached response (RFC 7296 §2.1), so the machine's own SELECTING/REQUESTING/REBOOTING
 * retransmission is disabled (`CARRIED_RETRANSMIT`: one transmission, a one-day wait) — except under WG with
 * `dhcpIkeWgRecarry: rfc2131` (the default). The same DHCP message is re-carried only when a response came back
 * without DHCP (WG §3, `dhcpIkeResendMax`) or a rekey carrying it must be retried (RFC 7296 §2.25). WG §3 asks the
 * re-carry to follow "normal DHCP retransmission policies": under `rfc2131` the DHCP client keeps RFC 2131 §4.1's
 * timers (4 s, 8 s, 16 s … ±1 s) and the next IKE_AUTH round is held (`hold`, the initiator's `authHeld`) until
 * the client retransmits — at once if it already did while the round was in flight (`authHold` due); under
 * `collect-window` the round goes at once, paced by the gateway's collect window (~2 s). On IKE give-up the IKE SA closes, and the next IKE SA starts the machine afresh at
 * DISCOVER (or INIT-REBOOT, `dhcpIkeRememberAddress`). RENEWING/REBINDING keep RFC 2131 §4.4.5's waits (≥ 60 s): a
 * renewal the rekey failed to carry goes out again on its own rekey when the client retransmits it; a retried rekey
 * carries no DHCP meanwhile (`dhcpIkeRenewRecarry: every-rekey` re-carries it on every retry instead).
 */
import { and, assign, assertEvent, enqueueActions, setup, stateIn, stopChild, type ActorRefFrom } from 'xstate';
import type { RandomStream } from '../../contract.ts';
import type { DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { dhcpClientMachine, type DhcpClientEmitted, type DhcpLeaseInfo } from '../../dhcp/client-machine.ts';
import { RFC2131_REQUEST_RETRANSMIT, RFC2131_RETRANSMIT, type RetransmitPolicy } from '../../dhcp/client-timers.ts';
import { messageTypeOf } from '../../dhcp/options.ts';
import { netmaskToPrefix } from '../../wire/ipv4-address.ts';
import { DhcpMessageType, type DhcpMessage } from '../../wire/dhcp/types.ts';
import { dhcpPayload, type IkePayload } from '../../wire/ike/index.ts';
import type {
  AssignedConfig,
  ChildExchangeInfo,
  ChildRequest,
  ClientAuthOutcome,
  ClientChildOutcome,
  ClientMethodContext,
} from '../method.ts';
import type { CarrierPolicy } from './policies.ts';

/** One transmission, then a one-day wait: IKE carries and retransmits the message (see the module comment). */
export const CARRIED_RETRANSMIT: RetransmitPolicy = { delaysMs: [86_400_000], jitterMs: 0 };

/**
 * The bound of a held IKE_AUTH round: the DHCP client's longest retransmission wait, RFC 2131 §4.1's 64 s plus its
 * +1 s randomisation (with the default `dhcpIkeResendMax` the longest wait is 32 ± 1 s). A round not sent by then
 * means the client has nothing to carry: the initiator deletes the IKE SA.
 */
export const AUTH_HOLD_MAX_MS = 65_000;

export const DHCP_MACHINE = 'dhcp';
export const CARRIER_MACHINE = 'carrier';

/** seed: childless IKE_AUTH with DISCOVER/OFFER, REQUEST/ACK in CREATE_CHILD_SA; wg: all of DHCP in IKE_AUTH. */
export type CarrierVariant = 'seed' | 'wg';

export interface CarrierInput {
  readonly ctx: ClientMethodContext;
  readonly variant: CarrierVariant;
  /** The Child SA whose CREATE_CHILD_SA / rekeys carry DHCP (seed `tunnel`, WG `main`). */
  readonly slot: string;
  readonly policy: CarrierPolicy;
  readonly identity: DhcpClientIdentity;
  /** For the `dhcp.retransmit` trace notes. */
  readonly clientName: string;
  /** WG §3 second example: the first IKE_AUTH carries an INIT-REBOOT REQUEST for this address. */
  readonly rememberedAddress: string | null;
  /** The DHCP client's stream (xids): `ctx.rng('dhcp')`. */
  readonly rng: RandomStream;
  /** The DHCP client's retransmission jitter (its own stream: the xids stay those of `rng`). */
  readonly jitterRng: RandomStream;
}

/**
 * What the machine answers the hook that is being called (read from `context.answer` after `carrier.settle`): the
 * hook's outcome itself (the kinds of the two outcome types and `payloads` are all distinct), not a wrapper around it:
 * every idle carrier keeps its last answer, and the wrapper was 40 B of it.
 */
export type CarrierAnswer =
  | { readonly kind: 'none' }
  | { readonly kind: 'payloads'; readonly payloads: readonly IkePayload[] }
  | ClientAuthOutcome
  | ClientChildOutcome;

/** What the DHCP child emitted during the current call. */
interface Collected {
  readonly sent: DhcpMessage | undefined;
  /** The first `dhcp.bound` / `dhcp.renewed`. */
  readonly lease: DhcpLeaseInfo | undefined;
  readonly nak: { readonly withdrawn: string | null } | undefined;
}

const NOTHING: Collected = { sent: undefined, lease: undefined, nak: undefined };
const NO_ANSWER: CarrierAnswer = { kind: 'none' };
/** No error notifies: one shared empty list, not a fresh `[]` per cleared call (kept by every idle carrier). */
const NO_ERRORS: readonly string[] = Object.freeze([]);
const NO_PAYLOADS: CarrierAnswer = { kind: 'payloads', payloads: [] };
const ACCEPT: CarrierAnswer = { kind: 'accept' };

/**
 * The carrier's extended state. Everything fixed at creation sits under `input` (the streams too): every assign copies
 * the context key by key (xstate's `Object.assign`; ~12 ns a key once the copy site has seen a few shapes), so a key
 * less is a cheaper step. Fields are never `undefined` in one context and a number in another (`rekeyAtUs`): one
 * shape per context.
 */
export interface CarrierContext {
  readonly input: CarrierInput;
  /** `input.rememberedAddress` until the first IKE_AUTH has used it (INIT-REBOOT once, WG §3). */
  readonly rememberedAddress: string | null;
  readonly dhcp: ActorRefFrom<typeof dhcpClientMachine> | undefined;
  /** The DHCP client's state (RFC 2131 figure 5), reported by the client on entering it (`dhcp.state`); `none` without one. */
  readonly dhcpState: string;
  /** The last message the machine sent (re-carried with the same xid, draft-ietf §3). */
  readonly lastSent: DhcpMessage | undefined;
  /** The last lease's address (INIT-REBOOT on the next IKE SA, draft-ietf §3's second example). */
  readonly lastAddress: string | null;
  /**
   * When the slot's rekey carrying the renewal is due (µs; `dhcpIkeRekeyT1Percent` of T1 after the lease start),
   * `NO_REKEY` without a lease or for an infinite one: all the carrier needs of the lease it holds.
   */
  readonly rekeyAtUs: number;
  /** After a lost lease under `reconnect`: the machine's messages are dropped until the next IKE_AUTH. */
  readonly halted: boolean;
  readonly firstSession: boolean;
  /** WG: IKE_AUTH responses without DHCP in a row (§3). */
  readonly emptyRounds: number;
  /**
   * WG `rfc2131`: `held` — the next IKE_AUTH round waits for the DHCP client's retransmission; `due` — the client
   * retransmitted while a round was in flight (the next empty response re-carries at once); `off` otherwise.
   */
  readonly authHold: 'off' | 'held' | 'due';
  /** New Child SAs that failed without DHCP in a row (the same REQUEST re-carried). */
  readonly resends: number;
  /** Seed: the REQUEST that rides the first CREATE_CHILD_SA once the IKE SA is up. */
  readonly request: DhcpMessage | undefined;
  readonly got: Collected;
  /** The error notifies of the response being read. */
  readonly errors: readonly string[];
  readonly answer: CarrierAnswer;
}

export type CarrierEvent =
  /** authRequestPayloads: a new IKE SA's first IKE_AUTH. */
  | { readonly type: 'ike.authRequest' }
  /** processAuthResponse. */
  | { readonly type: 'ike.authResponse'; readonly messages: readonly DhcpMessage[]; readonly errors: readonly string[] }
  /** onIkeUp. */
  | { readonly type: 'ike.up'; readonly config: AssignedConfig | undefined }
  /** childRequestPayloads (a rekey the IKE timer started). */
  | { readonly type: 'ike.childRequest'; readonly info: ChildExchangeInfo }
  /** processChildResponse. */
  | {
      readonly type: 'ike.childResponse';
      readonly info: ChildExchangeInfo;
      readonly messages: readonly DhcpMessage[];
      readonly errors: readonly string[];
    }
  /** onIkeClosed. */
  | { readonly type: 'ike.closed' }
  /** The hook has read the response: decide. */
  | { readonly type: 'carrier.settle' }
  /** The state the DHCP client entered (its `reportStates` report). */
  | { readonly type: 'dhcp.state'; readonly state: string }
  | DhcpClientEmitted;

/**
 * What the machine asks of the IKE initiator, emitted (delivered after the step, so the initiator never runs inside
 * this machine's actions); tasks.ts hands them to the method context each names (`ctx`: so one listener function
 * serves every carrier, not a closure over its context per carrier, ~100 B each).
 */
export type CarrierEmitted =
  /** A CREATE_CHILD_SA for the slot (a rekey when the slot holds a Child SA) carrying DHCP (seed §2 steps 5–6). */
  | { readonly type: 'method.requestChild'; readonly ctx: ClientMethodContext; readonly request: ChildRequest }
  /** (Re)arms the slot's rekey (seed §2 "later, upon rekey": no later than T1). */
  | {
      readonly type: 'method.scheduleRekey';
      readonly ctx: ClientMethodContext;
      readonly slot: string;
      readonly delayMs: number;
    }
  | { readonly type: 'method.deleteChild'; readonly ctx: ClientMethodContext; readonly slot: string }
  /** The held IKE_AUTH round goes now with this DHCP message (WG §3, `dhcpIkeWgRecarry: rfc2131`). */
  | {
      readonly type: 'method.continueAuth';
      readonly ctx: ClientMethodContext;
      readonly payloads: readonly IkePayload[];
    };

const carry = (input: CarrierInput, m: DhcpMessage): CarrierEmitted => ({
  type: 'method.requestChild',
  ctx: input.ctx,
  request: { slot: input.slot, payloads: [dhcpPayload(m)] },
});

const isRequest = (m: DhcpMessage | undefined): m is DhcpMessage =>
  m !== undefined && messageTypeOf(m) === DhcpMessageType.REQUEST;

/** The configuration a lease grants (option 1 → prefix, /32 without it; option 6). */
export function configOfLease(lease: DhcpLeaseInfo): AssignedConfig {
  return { address: lease.address, prefixLength: netmaskToPrefix(lease.mask) ?? 32, dns: lease.dns };
}

/**
 * No rekey to schedule: no lease, or an infinite one. A small integer, not `Number.MAX_SAFE_INTEGER`: one context
 * holding a double in `rekeyAtUs` makes V8 box the field in every carrier's context (16 B of each idle client), while
 * due times stay small integers (µs, below 2^31 for the first ~35 minutes of a run).
 */
export const NO_REKEY = -1;

/**
 * When the rekey at `percent` of T1 after the lease start is due (RFC 2131 §4.4.1: the lease starts when the REQUEST
 * was sent), µs; `NO_REKEY` for an infinite lease.
 */
export function rekeyAtUsOf(lease: DhcpLeaseInfo, percent: number): number {
  if (lease.expiresAtUs >= Number.MAX_SAFE_INTEGER) return NO_REKEY;
  const startUs = lease.expiresAtUs - lease.leaseSecs * 1_000_000;
  const t1Ms = Math.round(lease.t1Secs * 1000);
  return startUs + Math.floor((t1Ms * percent) / 100) * 1000;
}

/** The delay to the rekey due at `rekeyAtUs`, at least 1 ms; undefined for none (`NO_REKEY`). */
export function rekeyDelayMs(rekeyAtUs: number, nowUs: number): number | undefined {
  if (rekeyAtUs === NO_REKEY) return undefined;
  return Math.max(1, Math.floor((rekeyAtUs - nowUs) / 1000));
}

const payloadsOf = (m: DhcpMessage | undefined): CarrierAnswer => ({
  kind: 'payloads',
  payloads: m === undefined ? [] : [dhcpPayload(m)],
});
const authFailed = (notify: string): CarrierAnswer => ({ kind: 'failed', notify });
const more = (m: DhcpMessage): CarrierAnswer => ({ kind: 'more', payloads: [dhcpPayload(m)] });
const HOLD: CarrierAnswer = { kind: 'hold', maxWaitMs: AUTH_HOLD_MAX_MS };
const reject = (reason: string): CarrierAnswer => ({ kind: 'reject', reason });
const firstError = (context: CarrierContext): string => context.errors[0] ?? 'INTERNAL_ADDRESS_FAILURE';

/** Why the lease is lost, from the event that lost it (the settle of a response with a NAK, an expiry, no ACK). */
function whyLost(event: CarrierEvent): string {
  if (event.type === 'dhcp.expired') return 'expired';
  return event.type === 'ike.childResponse' ? 'no-ack' : 'nak';
}

/** Leaves a call without changing phase. */
const FREE = '#carrier.call.free';

export const dhcpCarrierMachine = setup({
  types: {
    context: {} as CarrierContext,
    events: {} as CarrierEvent,
    input: {} as CarrierInput,
    emitted: {} as CarrierEmitted,
  },
  actors: { dhcpClient: dhcpClientMachine },
  guards: {
    isSeed: ({ context }) => context.input.variant === 'seed',
    /** WG and `dhcpIkeWgRenew` none: the slot's rekeys carry no DHCP. */
    renewalsOff: ({ context }) => context.input.variant === 'wg' && context.input.policy.wgRenew === 'none',
    hasDhcp: ({ event }) => event.type === 'ike.authResponse' && event.messages.length > 0,
    hasErrors: ({ event }) => event.type === 'ike.authResponse' && event.errors.length > 0,
    /** WG §3: another round with the same DHCP payload is allowed (`dhcpIkeResendMax`). */
    mayResendAuth: ({ context }) =>
      context.emptyRounds < context.input.policy.resendMax && context.lastSent !== undefined,
    mayRoundAgain: ({ context }) => context.emptyRounds < context.input.policy.resendMax,
    /** `dhcpIkeWgRecarry: collect-window`: the re-carry goes at once (the lab before issue 14). */
    recarryAtOnce: ({ context }) => context.input.policy.wgRecarry === 'collect-window',
    /** The DHCP client retransmitted while the round was in flight. */
    retransmitDue: ({ context }) => context.authHold === 'due',
    /** A round is held and the DHCP client retransmits: the round goes now. */
    roundHeld: ({ context }) => context.authHold === 'held' && !context.halted,
    /** WG `rfc2131`, IKE_AUTH rounds under way, none held: a retransmission now is carried by the next empty answer. */
    roundInFlight: and([
      stateIn('#carrier.phase.authorizing'),
      ({ context }) =>
        context.input.variant === 'wg' && context.input.policy.wgRecarry === 'rfc2131' && context.authHold === 'off',
    ]),
    /** §3: "if client is trying to use DHCPREQUEST and does not get any reply back … starts again with DHCPDISCOVER". */
    requestUnanswered: ({ context }) => ['REQUESTING', 'REBOOTING'].includes(context.dhcpState),
    gotRequest: ({ context }) => isRequest(context.got.sent),
    gotSent: ({ context }) => context.got.sent !== undefined,
    gotLease: ({ context }) => context.got.lease !== undefined,
    gotNak: ({ context }) => context.got.nak !== undefined,
    /** WG: the slot's renewal rides a rekey only while the slot holds a Child SA. */
    maySpontaneous: ({ context }) =>
      !context.halted &&
      context.input.ctx.ikeUp() &&
      (context.input.variant === 'seed' ||
        (context.input.policy.wgRenew === 'rekey' &&
          context.input.ctx.children().some((c) => c.slot === context.input.slot))),
    wgConfigured: ({ context, event }) =>
      event.type === 'ike.up' &&
      context.input.variant === 'wg' &&
      event.config !== undefined &&
      context.input.policy.wgRenew === 'rekey',
    notOurRekey: ({ context, event }) =>
      event.type === 'ike.childRequest' && (event.info.slot !== context.input.slot || !event.info.rekey),
    dhcpBound: ({ context }) => context.dhcpState === 'BOUND',
    dhcpRenewing: ({ context }) => ['RENEWING', 'REBINDING'].includes(context.dhcpState),
    /** `dhcpIkeRenewRecarry: every-rekey`: a retried rekey carries the renewal again (else RFC 2131 §4.4.5's wait). */
    recarryEveryRekey: ({ context }) => context.input.policy.renewRecarry === 'every-rekey',
    otherSlotOk: ({ context, event }) =>
      event.type === 'ike.childResponse' && event.info.slot !== context.input.slot && event.errors.length === 0,
    otherSlot: ({ context, event }) => event.type === 'ike.childResponse' && event.info.slot !== context.input.slot,
    emptyOk: ({ event }) =>
      event.type === 'ike.childResponse' && event.messages.length === 0 && event.errors.length === 0,
    /** A new Child SA failed without DHCP while the exchange is unanswered (RFC 2131 §4.1 retransmission). */
    newChildUnanswered: ({ context, event }) =>
      event.type === 'ike.childResponse' &&
      event.messages.length === 0 &&
      !event.info.rekey &&
      ['REQUESTING', 'SELECTING'].includes(context.dhcpState),
    emptyFailed: ({ event }) => event.type === 'ike.childResponse' && event.messages.length === 0,
    /** Another re-carry of the same REQUEST is allowed (`dhcpIkeResendMax`). */
    mayResendChildNext: ({ context }) =>
      context.resends < context.input.policy.resendMax && context.lastSent !== undefined,
    restartByReconnect: ({ context }) => context.input.policy.nakRestart === 'reconnect',
    restartByChildDiscover: ({ context }) => context.input.policy.nakRestart === 'child-discover',
  },
  actions: {
    /** A new IKE SA: the DHCP exchange starts afresh (seed §2 at DISCOVER; WG §3 maybe INIT-REBOOT). */
    prepareAuth: assign(({ context }) => {
      const remembered =
        context.input.variant === 'seed'
          ? null
          : context.firstSession
            ? context.rememberedAddress
            : context.input.policy.rememberAddress
              ? context.lastAddress
              : null;
      return {
        emptyRounds: 0,
        authHold: 'off' as const,
        request: undefined,
        firstSession: false,
        rememberedAddress: remembered,
      };
    }),
    stopDhcp: enqueueActions(({ context, enqueue }) => {
      if (context.dhcp !== undefined) enqueue(stopChild(context.dhcp));
      enqueue.assign({ dhcp: undefined, dhcpState: 'none' });
    }),
    /** (Re)starts the DHCP client: INIT → SELECTING (DISCOVER), or INIT-REBOOT → REBOOTING with the remembered address. */
    spawnDhcp: assign(({ context, spawn }) => ({
      rekeyAtUs: NO_REKEY,
      lastSent: undefined,
      halted: false,
      // A fixed id: the snapshot's `children` object is keyed by it, and a key of its own per carrier (`x:<n>`) gave
      // every carrier a hidden class of its own (~190 B each).
      dhcp: spawn('dhcpClient', {
        id: DHCP_MACHINE,
        input: {
          identity: context.input.identity,
          rng: context.input.rng,
          nowUs: context.input.ctx.nowUs,
          ...(context.input.variant === 'wg' && context.input.policy.wgRecarry === 'rfc2131'
            ? { retransmit: RFC2131_RETRANSMIT, requestRetransmit: RFC2131_REQUEST_RETRANSMIT }
            : { retransmit: CARRIED_RETRANSMIT }),
          jitterRng: context.input.jitterRng,
          rememberedAddress: context.rememberedAddress,
          reportStates: true,
        },
      }),
    })),
    /** Its emitted events come back as this machine's events; its transitions are traced as `dhcp`. */
    watchDhcp: ({ context, self }) => {
      const dhcp = context.dhcp;
      if (dhcp === undefined) return;
      // A bound `send`, not a closure and its scope (~50 B of every carrier).
      // Its `dhcp.state` reports (`reportStates`) come the same way: no snapshot observer per carrier (~100 B).
      dhcp.on('*', self.send.bind(self));
      context.input.ctx.traceMachine(dhcp, DHCP_MACHINE);
    },
    keepDhcpState: assign(({ event }) => {
      assertEvent(event, 'dhcp.state');
      return { dhcpState: event.state };
    }),
    forgetRemembered: assign({ rememberedAddress: null, emptyRounds: 0 }),
    clearCall: assign({ got: NOTHING, answer: NO_ANSWER, errors: NO_ERRORS }),
    /**
     * A call is over (its answer is decided): what the DHCP client emitted during it is not kept through the idle
     * lease (the lease itself is in `lease`), ~50 B per client.
     */
    forgetCollected: assign({ got: NOTHING }),
    /** Server replies, in payload order (several OFFERs: the DHCP client takes the first usable, draft-ietf §3). */
    deliver: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['ike.authResponse', 'ike.childResponse']);
      const dhcp = context.dhcp;
      if (dhcp === undefined) return;
      for (const message of event.messages) enqueue.sendTo(dhcp, { type: 'dhcp.recv', message });
    }),
    keepErrors: assign(({ event }) => {
      assertEvent(event, ['ike.authResponse', 'ike.childResponse']);
      return { errors: event.errors };
    }),
    renewNow: enqueueActions(({ context, enqueue }) => {
      if (context.dhcp !== undefined) enqueue.sendTo(context.dhcp, { type: 'cmd.renew' });
    }),
    /** A send repeating the previous (xid, type) is a retransmission. */
    noteIfRetransmit: ({ context, event }) => {
      assertEvent(event, 'dhcp.send');
      const last = context.lastSent;
      if (last !== undefined && last.xid === event.message.xid && messageTypeOf(last) === messageTypeOf(event.message))
        context.input.ctx.traceNote('dhcp.retransmit', { client: context.input.clientName, xid: event.message.xid });
    },
    noteResend: ({ context }) => {
      const m = context.lastSent;
      if (m !== undefined)
        context.input.ctx.traceNote('dhcp.retransmit', { client: context.input.clientName, xid: m.xid });
    },
    recordSent: assign(({ context, event }) => {
      assertEvent(event, 'dhcp.send');
      return context.halted ? {} : { lastSent: event.message };
    }),
    collectSent: assign(({ context, event }) => {
      assertEvent(event, 'dhcp.send');
      return context.halted ? {} : { got: { ...context.got, sent: event.message } };
    }),
    /**
     * The exchange is over (BOUND): nothing is re-carried any more (a renewal is a new exchange with a fresh xid,
     * RFC 2131 §4.4.5), so the last message is not kept through the idle lease (~600 B per client).
     */
    recordLease: assign(({ context, event }) => {
      assertEvent(event, ['dhcp.bound', 'dhcp.renewed']);
      return {
        rekeyAtUs: rekeyAtUsOf(event, context.input.policy.rekeyT1Percent),
        lastAddress: event.address,
        lastSent: undefined,
      };
    }),
    collectLease: assign(({ context, event }) => {
      assertEvent(event, ['dhcp.bound', 'dhcp.renewed']);
      return context.got.lease === undefined ? { got: { ...context.got, lease: event } } : {};
    }),
    forgetLease: assign({ rekeyAtUs: NO_REKEY, lastAddress: null }),
    collectNak: assign(({ context, event }) => {
      assertEvent(event, 'dhcp.nak');
      return { got: { ...context.got, nak: { withdrawn: event.withdrawn } } };
    }),
    /** A CREATE_CHILD_SA for the slot carrying the message (a rekey when the slot holds a Child SA). */
    carrySent: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'dhcp.send');
      enqueue.emit(carry(context.input, event.message));
    }),
    carryCollected: enqueueActions(({ context, enqueue }) => {
      if (context.got.sent !== undefined) enqueue.emit(carry(context.input, context.got.sent));
    }),
    carryRequest: enqueueActions(({ context, enqueue }) => {
      if (context.request !== undefined) enqueue.emit(carry(context.input, context.request));
    }),
    carryLast: enqueueActions(({ context, enqueue }) => {
      if (context.lastSent !== undefined) enqueue.emit(carry(context.input, context.lastSent));
    }),
    keepRequest: assign(({ context }) => ({ request: context.got.sent })),
    dropRequest: assign({ request: undefined }),
    /** (Re)arms the slot's rekey at `dhcpIkeRekeyT1Percent` of T1 (seed §2 "later, upon rekey"). */
    scheduleRekey: enqueueActions(({ context, enqueue }) => {
      const delayMs = rekeyDelayMs(context.rekeyAtUs, context.input.ctx.nowUs());
      if (delayMs !== undefined)
        enqueue.emit({ type: 'method.scheduleRekey', ctx: context.input.ctx, slot: context.input.slot, delayMs });
    }),
    countRound: assign(({ context }) => ({ emptyRounds: context.emptyRounds + 1 })),
    holdRound: assign({ authHold: 'held' }),
    markDue: assign({ authHold: 'due' }),
    clearHold: assign({ authHold: 'off' }),
    /** The held round carries the DHCP client's retransmission (WG §3: "normal DHCP retransmission policies"). */
    continueAuth: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'dhcp.send');
      enqueue.emit({ type: 'method.continueAuth', ctx: context.input.ctx, payloads: [dhcpPayload(event.message)] });
    }),
    answerHold: assign({ answer: HOLD }),
    clearRounds: assign({ emptyRounds: 0 }),
    countResend: assign(({ context }) => ({ resends: context.resends + 1 })),
    clearResends: assign({ resends: 0 }),
    noteExpired: ({ context, event }) => {
      assertEvent(event, 'dhcp.expired');
      context.input.ctx.traceNote('lease.lost', { address: event.address, why: 'expired' });
    },
    noteNak: ({ context }) => {
      const withdrawn = context.got.nak?.withdrawn;
      if (withdrawn !== undefined && withdrawn !== null)
        context.input.ctx.traceNote('lease.lost', { address: withdrawn, why: 'nak' });
    },
    /** RFC 2131 §4.4.5: the client MUST stop using the address. */
    withdraw: ({ context }) => context.input.ctx.configure(undefined),
    /** The Child SA bound to the lost address goes (RFC 7296 §1.4.1). */
    deleteSlot: enqueueActions(({ context, enqueue }) => {
      if (context.input.ctx.children().some((c) => c.slot === context.input.slot))
        enqueue.emit({ type: 'method.deleteChild', ctx: context.input.ctx, slot: context.input.slot });
    }),
    /**
     * `dhcpIkeNakRestart` reconnect: DISCOVER rides only IKE_AUTH (seed §2, WG §3), so the IKE SA is closed and a new
     * one started; the machine is silenced meanwhile (it may be mid-transition, expiry → INIT → DISCOVER).
     */
    reconnect: enqueueActions(({ context, event, enqueue }) => {
      enqueue.assign({ halted: true, resends: 0 });
      enqueue(() => {
        context.input.ctx.configure(undefined);
        context.input.ctx.reconnect(`dhcp-${whyLost(event)}`);
      });
    }),
    stayDown: enqueueActions(({ context, event, enqueue }) => {
      enqueue(() => context.input.ctx.traceNote('dhcp.stayDown', { reason: whyLost(event) }));
      if (context.dhcp !== undefined) enqueue(stopChild(context.dhcp));
      enqueue.assign({ dhcp: undefined, dhcpState: 'none', resends: 0 });
    }),
    restartResends: assign({ resends: 0 }),
    answerSentPayloads: assign(({ context }) => ({ answer: payloadsOf(context.got.sent) })),
    answerLastPayloads: assign(({ context }) => ({ answer: payloadsOf(context.lastSent) })),
    answerNoPayloads: assign({ answer: NO_PAYLOADS }),
    answerConfiguredLater: assign({
      answer: { kind: 'configured', config: undefined } satisfies CarrierAnswer,
    }),
    answerConfigured: assign(({ context }) => ({
      answer:
        context.got.lease === undefined
          ? authFailed(firstError(context))
          : { kind: 'configured', config: configOfLease(context.got.lease) },
    })),
    answerFailed: assign(({ context }) => ({ answer: authFailed(firstError(context)) })),
    answerFailedNotify: assign(({ event }) => {
      assertEvent(event, 'ike.authResponse');
      return { answer: authFailed(event.errors[0] ?? 'INTERNAL_ADDRESS_FAILURE') };
    }),
    answerAddressFailure: assign({ answer: authFailed('INTERNAL_ADDRESS_FAILURE') }),
    answerMoreSent: assign(({ context }) => ({
      answer: context.got.sent === undefined ? authFailed('INTERNAL_ADDRESS_FAILURE') : more(context.got.sent),
    })),
    answerMoreLast: assign(({ context }) => ({
      answer: context.lastSent === undefined ? authFailed('INTERNAL_ADDRESS_FAILURE') : more(context.lastSent),
    })),
    answerAccept: assign({ answer: ACCEPT }),
    answerAcceptLease: assign(({ context }) => ({
      answer: context.got.lease === undefined ? ACCEPT : { kind: 'accept', config: configOfLease(context.got.lease) },
    })),
    answerRejectError: assign(({ event }) => {
      assertEvent(event, 'ike.childResponse');
      return { answer: reject(event.errors[0] ?? 'INTERNAL_ADDRESS_FAILURE') };
    }),
    answerRejectKept: assign(({ context }) => ({ answer: reject(firstError(context)) })),
    answerNak: assign({ answer: reject('DHCPNAK') }),
    answerNoAck: assign({ answer: reject('no DHCPACK') }),
  },
}).createMachine({
  id: 'carrier',
  type: 'parallel',
  context: ({ input }) => ({
    input,
    rememberedAddress: input.rememberedAddress,
    dhcp: undefined,
    dhcpState: 'none',
    lastSent: undefined,
    lastAddress: null,
    rekeyAtUs: NO_REKEY,
    halted: false,
    firstSession: true,
    emptyRounds: 0,
    authHold: 'off',
    resends: 0,
    request: undefined,
    got: NOTHING,
    errors: NO_ERRORS,
    answer: NO_ANSWER,
  }),
  states: {
    phase: {
      initial: 'idle',
      on: {
        'ike.closed': { target: '.idle', actions: 'stopDhcp' },
        'dhcp.bound': { actions: 'recordLease' },
        'dhcp.renewed': { actions: 'recordLease' },
        'dhcp.nak': { actions: 'forgetLease' },
        'dhcp.state': { actions: 'keepDhcpState' },
        // RFC 2131 §4.4.5: the lease ran out: stop using the address, start again at DISCOVER (`dhcpIkeNakRestart`);
        // under child-discover the DISCOVER follows as the machine's own message.
        'dhcp.expired': [
          {
            guard: 'restartByReconnect',
            target: '.halted',
            actions: ['forgetLease', 'noteExpired', 'reconnect'],
          },
          {
            guard: 'restartByChildDiscover',
            target: '.requesting',
            actions: ['forgetLease', 'noteExpired', 'restartResends', 'withdraw', 'deleteSlot'],
          },
          { target: '.down', actions: ['forgetLease', 'noteExpired', 'withdraw', 'deleteSlot', 'stayDown'] },
        ],
      },
      states: {
        idle: {},
        /** IKE_AUTH rounds carry DHCP (seed §2: DISCOVER/OFFER; WG §3: everything up to the ACK). */
        authorizing: {},
        /** Seed: the REQUEST rides the first CREATE_CHILD_SA once the IKE SA is up (seed §2 step 5). */
        awaitingUp: {
          on: { 'ike.up': { target: 'requesting', actions: ['carryRequest', 'dropRequest'] } },
        },
        /** A REQUEST (or DISCOVER, child-discover) rides a CREATE_CHILD_SA; the ACK comes in its response. */
        requesting: {},
        /** The lease is held; the slot's rekey at a share of T1 carries the renewal (seed §2 "later, upon rekey"). */
        bound: {
          on: { 'ike.up': { guard: 'wgConfigured', actions: 'scheduleRekey' } },
        },
        /** A rekey carried the renewal (RENEWING/REBINDING); the ACK in its response renews the lease. */
        renewing: {},
        /** Lost lease, `reconnect`: the DHCP client is silenced until the new IKE SA's IKE_AUTH. */
        halted: {},
        /** Lost lease, `stay-down`: no address and no DHCP client until the next IKE SA. */
        down: {},
      },
    },
    call: {
      initial: 'free',
      states: {
        free: {
          entry: 'forgetCollected',
          on: {
            'ike.authRequest': {
              target: ['#carrier.phase.authorizing', 'reading.start'],
              actions: ['prepareAuth', 'stopDhcp', 'spawnDhcp', 'watchDhcp'],
            },
            'ike.authResponse': [
              { guard: 'isSeed', target: 'reading.auth', actions: ['keepErrors', 'deliver'] },
              { guard: 'hasDhcp', target: 'reading.auth', actions: ['keepErrors', 'deliver'] },
              { guard: 'hasErrors', actions: 'answerFailedNotify' },
              // WG §3: no DHCP in the response ⇒ the same DHCP payload in a new IKE_AUTH (new message ID), "using normal
              // DHCP retransmission policies": held until the RFC 2131 client retransmits (at once if it already did);
              // `collect-window`: at once.
              {
                guard: and(['mayResendAuth', 'recarryAtOnce']),
                actions: ['countRound', 'noteResend', 'answerMoreLast'],
              },
              {
                guard: and(['mayResendAuth', 'retransmitDue']),
                actions: ['countRound', 'clearHold', 'noteResend', 'answerMoreLast'],
              },
              { guard: 'mayResendAuth', actions: ['countRound', 'holdRound', 'answerHold'] },
              { guard: 'mayRoundAgain', actions: ['countRound', 'answerAddressFailure'] },
              // WG §3: "if client is trying to use DHCPREQUEST and does not get any reply back … starts again with
              // DHCPDISCOVER".
              {
                guard: 'requestUnanswered',
                target: 'reading.rediscover',
                actions: ['forgetRemembered', 'stopDhcp', 'spawnDhcp', 'watchDhcp'],
              },
              { actions: ['countRound', 'answerAddressFailure'] },
            ],
            'ike.childRequest': [
              { guard: 'notOurRekey', actions: 'answerNoPayloads' },
              { guard: 'renewalsOff', actions: 'answerNoPayloads' },
              // Seed §2 "later, upon rekey … DHCP(REQUEST)": BOUND renews now.
              { guard: 'dhcpBound', target: 'reading.renewal', actions: 'renewNow' },
              // A renewal already in progress: a retried rekey (RFC 7296 §2.25) carries it again only under
              // `every-rekey`; by default it goes again when the RFC 2131 client retransmits it (≥ 60 s, §4.4.5).
              {
                guard: and(['dhcpRenewing', 'recarryEveryRekey']),
                target: '#carrier.phase.renewing',
                actions: ['noteResend', 'answerLastPayloads'],
              },
              { actions: 'answerNoPayloads' },
            ],
            'ike.childResponse': [
              { guard: 'otherSlotOk', actions: 'answerAccept' },
              { guard: 'otherSlot', actions: 'answerRejectError' },
              { guard: 'emptyOk', actions: 'answerAccept' },
              // A new Child SA failed without DHCP (the gateway timed out): the same REQUEST again, like REQUESTING's
              // own retransmission (RFC 2131 §4.1), `dhcpIkeResendMax` times, then DISCOVER again.
              {
                guard: and(['newChildUnanswered', 'mayResendChildNext']),
                actions: ['countResend', 'noteResend', 'carryLast', 'answerRejectError'],
              },
              {
                guard: and(['newChildUnanswered', 'restartByChildDiscover']),
                target: 'reading.rediscoverChild',
                actions: ['keepErrors', 'forgetRemembered', 'stopDhcp', 'spawnDhcp', 'watchDhcp'],
              },
              {
                guard: and(['newChildUnanswered', 'restartByReconnect']),
                target: '#carrier.phase.halted',
                actions: ['reconnect', 'answerRejectError'],
              },
              {
                guard: 'newChildUnanswered',
                target: '#carrier.phase.down',
                actions: ['withdraw', 'deleteSlot', 'stayDown', 'answerRejectError'],
              },
              { guard: 'emptyFailed', actions: 'answerRejectError' },
              { target: 'reading.child', actions: ['keepErrors', 'deliver'] },
            ],
            // Outside a call the machine speaks on its own: its RFC 2131 §4.1 retransmission (WG `rfc2131`) sends the
            // held IKE_AUTH round, or is carried by the next one; T1 and RFC 2131 §4.4.5 waits ride a CREATE_CHILD_SA.
            'dhcp.send': [
              { guard: 'roundHeld', actions: ['noteIfRetransmit', 'recordSent', 'clearHold', 'continueAuth'] },
              // Traced as a retransmission only when a copy goes (the next empty answer's re-carry, `noteResend`).
              { guard: 'roundInFlight', actions: ['recordSent', 'markDue'] },
              { guard: 'maySpontaneous', actions: ['noteIfRetransmit', 'recordSent', 'carrySent'] },
              { actions: ['noteIfRetransmit', 'recordSent'] },
            ],
          },
        },
        reading: {
          initial: 'start',
          entry: 'clearCall',
          on: {
            'dhcp.send': { actions: ['noteIfRetransmit', 'recordSent', 'collectSent'] },
            'dhcp.bound': { actions: 'collectLease' },
            'dhcp.renewed': { actions: 'collectLease' },
            'dhcp.nak': { actions: 'collectNak' },
          },
          states: {
            /** The first IKE_AUTH's DHCP message. */
            start: { on: { 'carrier.settle': { target: FREE, actions: 'answerSentPayloads' } } },
            /** An IKE_AUTH response's DHCP messages. */
            auth: {
              on: {
                'carrier.settle': [
                  // Seed §2: OFFER ⇒ REQUEST, which rides the CREATE_CHILD_SA once the IKE SA is up.
                  {
                    guard: and(['isSeed', 'gotRequest']),
                    target: '#carrier.phase.awaitingUp',
                    actions: ['keepRequest', 'answerConfiguredLater'],
                  },
                  { guard: 'isSeed', target: FREE, actions: 'answerFailed' },
                  { guard: 'gotLease', target: '#carrier.phase.bound', actions: 'answerConfigured' },
                  // OFFER(s) ⇒ REQUEST; NAK ⇒ DISCOVER (the machine restarts at once, RFC 2131 §3.2 / WG §3).
                  { guard: 'gotSent', target: FREE, actions: ['clearRounds', 'clearHold', 'answerMoreSent'] },
                  { target: FREE, actions: 'answerFailed' },
                ],
              },
            },
            /** WG §3: a REQUEST never answered: the DHCP client starts again at DISCOVER within IKE_AUTH. */
            rediscover: {
              on: { 'carrier.settle': { target: FREE, actions: ['clearHold', 'answerMoreSent'] } },
            },
            /** A rekey's renewal REQUEST (BOUND → RENEWING). */
            renewal: {
              on: { 'carrier.settle': { target: '#carrier.phase.renewing', actions: 'answerSentPayloads' } },
            },
            /** A CREATE_CHILD_SA response's DHCP messages. */
            child: {
              on: {
                'carrier.settle': [
                  {
                    guard: 'gotLease',
                    target: '#carrier.phase.bound',
                    actions: ['clearResends', 'scheduleRekey', 'answerAcceptLease'],
                  },
                  // RFC 2131 §4.4.5 (RENEWING/REBINDING) / §3.1 step 4 (REQUESTING): the address is gone.
                  {
                    guard: and(['gotNak', 'restartByReconnect']),
                    target: '#carrier.phase.halted',
                    actions: ['noteNak', 'reconnect', 'answerNak'],
                  },
                  {
                    guard: and(['gotNak', 'restartByChildDiscover']),
                    target: '#carrier.phase.requesting',
                    actions: ['noteNak', 'restartResends', 'withdraw', 'deleteSlot', 'carryCollected', 'answerNak'],
                  },
                  {
                    guard: 'gotNak',
                    target: '#carrier.phase.down',
                    actions: ['noteNak', 'withdraw', 'deleteSlot', 'stayDown', 'answerNak'],
                  },
                  // An OFFER (restart after a NAK): the REQUEST goes in the next CREATE_CHILD_SA.
                  {
                    guard: 'gotRequest',
                    target: '#carrier.phase.requesting',
                    actions: ['carryCollected', 'answerNoAck'],
                  },
                  { target: FREE, actions: 'answerNoAck' },
                ],
              },
            },
            /** child-discover after unanswered REQUESTs: the new DISCOVER rides a CREATE_CHILD_SA. */
            rediscoverChild: {
              on: {
                'carrier.settle': {
                  target: '#carrier.phase.requesting',
                  actions: ['restartResends', 'withdraw', 'deleteSlot', 'carryCollected', 'answerRejectKept'],
                },
              },
            },
          },
        },
      },
    },
  },
});
