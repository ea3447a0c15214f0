/**
 * The RFC 2131 DHCP client (§4.4, figure 5) as an xstate v5 machine with no I/O. DHCP messages come in as
 * `dhcp.recv`, leave as emitted `dhcp.send` events; the node decides what carries them (UDP on a LAN, UDP in ESP,
 * a DHCP payload in IKE). Like smoltcp's `socket/dhcpv4.rs`, lease deadlines (T1, T2, expiry) are absolute µs
 * values kept in the context; each state arms the one timer it needs from them, so re-entering a state never
 * stretches a deadline. Timers are delayed `raise`s with fixed ids on the injected clock, cancelled on exit
 * (xstate does not cancel a delayed raise when its state exits, and re-using a pending id would leak a timeout).
 * Randomness (xid, jitter) comes from the `rng` in the input; time from `nowUs`.
 */
import { enqueueActions, setup } from 'xstate';
import type { RandomStream } from '../contract.ts';
import type { DhcpMessage, Ipv4Address } from '../wire/dhcp/types.ts';
import { DhcpMessageType } from '../wire/dhcp/types.ts';
import type { DhcpClientIdentity } from './client-identity.ts';
import type { ClientMessageBase } from './client-messages.ts';
import {
  DEFAULT_PARAMETER_REQUEST_LIST,
  buildDecline,
  buildDiscover,
  buildRelease,
  buildRequestInitReboot,
  buildRequestRenewing,
  buildRequestSelecting,
} from './client-messages.ts';
import type { RetransmitPolicy } from './client-timers.ts';
import {
  RFC2131_REQUEST_RETRANSMIT,
  RFC2131_RETRANSMIT,
  leaseTimers,
  msUntil,
  renewalRetransmitMs,
  retransmitDelayMs,
  retransmitTriesMax,
  secsSince,
} from './client-timers.ts';
import { isZeroAddress } from '../wire/ipv4-address.ts';
import { findOption, messageTypeOf, prefixEqual } from './options.ts';

export const DHCP_CLIENT_STATES = [
  'INIT',
  'SELECTING',
  'REQUESTING',
  'BOUND',
  'RENEWING',
  'REBINDING',
  'INIT-REBOOT',
  'REBOOTING',
  'RELEASED',
] as const;
export type DhcpClientStateName = (typeof DHCP_CLIENT_STATES)[number];

export interface DhcpClientInput {
  readonly identity: DhcpClientIdentity;
  /** The client's own stream (xid, jitter), e.g. `host.rng('dhcp')`. */
  readonly rng: RandomStream;
  /**
   * Where the retransmission jitter is drawn (default `rng`). A carrier that turns its retransmissions on for some
   * runs only (dhcp-carrier, `dhcpIkeWgRecarry`) passes a stream of its own so the xids stay those of the other runs.
   */
  readonly jitterRng?: RandomStream;
  /** Virtual time in µs (the host's `nowUs`); read for `secs` and lease deadlines. */
  readonly nowUs: () => number;
  /** DISCOVER (and, without `requestRetransmit`, REQUEST). Default RFC 2131 §4.1: 4 s doubling to 64 s, ±1 s, no limit. */
  readonly retransmit?: RetransmitPolicy;
  /**
   * REQUEST in REQUESTING/REBOOTING. Default: `retransmit` when given, else RFC 2131 §3.1's four retransmissions over
   * 60 s (`RFC2131_REQUEST_RETRANSMIT`).
   */
  readonly requestRetransmit?: RetransmitPolicy;
  /** 0 (default): take the first offer. Otherwise collect for this long after the first offer, then choose. */
  readonly offerWindowMs?: number;
  /** Wait in INIT after a NAK before DISCOVER (default 0). */
  readonly nakRestartMs?: number;
  /** Wait in INIT after a DECLINE before DISCOVER: RFC 2131 §3.1.5 "at least 10 seconds" (default 10 000). */
  readonly declineRestartMs?: number;
  /** After SELECTING exhausts its tries: wait this long in INIT and start again; null (default) waits for cmd.start. */
  readonly giveUpRestartMs?: number | null;
  /** Set the BROADCAST flag in DISCOVER/REQUEST (a client that cannot receive unicast before it is configured). */
  readonly broadcastFlag?: boolean;
  /** An address from a previous lease: start in INIT-REBOOT (§3.2, §4.4.2). */
  readonly rememberedAddress?: Ipv4Address | null;
  readonly parameterRequestList?: readonly number[];
  /**
   * Emit `dhcp.state` on entering each state (default false). The DHCP carrier's guards read the client's state; an
   * emitted event rides the listener it already has, where an observer forwarding snapshots was ~100 B of every
   * idle carrier.
   */
  readonly reportStates?: boolean;
}

/** What the client holds while bound. Deadlines are absolute virtual µs. */
export interface DhcpLease {
  readonly address: Ipv4Address;
  readonly mask: Ipv4Address;
  readonly router: Ipv4Address | null;
  readonly dns: readonly Ipv4Address[];
  readonly leaseSecs: number;
  readonly serverId: Ipv4Address;
  /** T1/T2 in ms from the lease start (exact; see `leaseTimers`). */
  readonly t1Ms: number;
  readonly t2Ms: number;
  readonly infinite: boolean;
  /**
   * When the first REQUEST of the answered exchange was sent: RFC 2131 §4.4.1 "the sum of the time at which the
   * original request was sent and the duration of the lease", not the retransmission the ACK answered — so the
   * client's lease never ends after the server's, which starts when the server saw some copy of that request.
   */
  readonly startUs: number;
  /**
   * T1 and T2 as absolute times are `renewAtUs(lease)` / `rebindAtUs(lease)`, computed, not kept: every bound client
   * holds its lease, and two more fields of µs values past 2^30 were two boxed numbers each (~50 B per idle client).
   */
  readonly expiresAtUs: number;
}

/** T1 as an absolute time (RFC 2131 §4.4.5): the lease start + T1; never for an infinite lease. */
export function renewAtUs(lease: DhcpLease): number {
  return lease.infinite ? Number.MAX_SAFE_INTEGER : lease.startUs + lease.t1Ms * 1000;
}

/** T2 as an absolute time (RFC 2131 §4.4.5): the lease start + T2; never for an infinite lease. */
export function rebindAtUs(lease: DhcpLease): number {
  return lease.infinite ? Number.MAX_SAFE_INTEGER : lease.startUs + lease.t2Ms * 1000;
}

export type DhcpDestination = 'broadcast' | { readonly unicast: Ipv4Address };

export interface DhcpLeaseInfo {
  readonly address: Ipv4Address;
  readonly mask: Ipv4Address;
  readonly router: Ipv4Address | null;
  readonly dns: readonly Ipv4Address[];
  readonly leaseSecs: number;
  readonly serverId: Ipv4Address;
  /** May be fractional for odd leases (T1 = lease × 0.5); exact in ms. */
  readonly t1Secs: number;
  readonly t2Secs: number;
  readonly expiresAtUs: number;
}

export type DhcpClientEmitted =
  | { readonly type: 'dhcp.send'; readonly message: DhcpMessage; readonly destination: DhcpDestination }
  | ({ readonly type: 'dhcp.bound' } & DhcpLeaseInfo)
  | ({ readonly type: 'dhcp.renewed' } & DhcpLeaseInfo)
  /** The lease ran out (§4.4.5): the node must withdraw the address. */
  | { readonly type: 'dhcp.expired'; readonly address: Ipv4Address }
  /** A NAK; `withdrawn` is the address the client held (RENEWING/REBINDING), to remove from the interface. */
  | { readonly type: 'dhcp.nak'; readonly state: DhcpClientStateName; readonly withdrawn: Ipv4Address | null }
  | { readonly type: 'dhcp.gaveUp'; readonly state: DhcpClientStateName; readonly tries: number }
  /** DECLINE sent after cmd.conflict (§3.1.5); the node must withdraw the address. */
  | { readonly type: 'dhcp.declined'; readonly address: Ipv4Address }
  | { readonly type: 'dhcp.released'; readonly address: Ipv4Address };

/**
 * The state just entered, emitted only with `reportStates` (for a glue machine whose guards read the client's state):
 * a plain mirror of the machine's own state, not one of the client's protocol reports (`DhcpClientEmitted`).
 */
export interface DhcpStateReport {
  readonly type: 'dhcp.state';
  readonly state: DhcpClientStateName;
}

export type DhcpClientEvent =
  | { readonly type: 'dhcp.recv'; readonly message: DhcpMessage }
  | { readonly type: 'timer.start' }
  | { readonly type: 'timer.retransmit' }
  | { readonly type: 'timer.offerWindow' }
  | { readonly type: 'timer.t1' }
  | { readonly type: 'timer.t2' }
  | { readonly type: 'timer.expire' }
  /** Leave INIT (when idle after a give-up) or RELEASED. */
  | { readonly type: 'cmd.start' }
  /** Renew now (BOUND → RENEWING), e.g. when the carrier rekeys (dhcp-over-ike). */
  | { readonly type: 'cmd.renew' }
  /** The node found the bound address in use (ARP probe, §4.4.1): DECLINE, then INIT after declineRestartMs. */
  | { readonly type: 'cmd.conflict' }
  /** RELEASE the lease (§4.4.6) and stop. */
  | { readonly type: 'cmd.release' };

/**
 * The client's settings with their defaults filled in: no per-client field, so every client with the same settings
 * shares one object (`sharedConfig`: a storm's clients all do; one each was ~100 B per client).
 */
interface ResolvedConfig {
  readonly retransmit: RetransmitPolicy;
  readonly requestRetransmit: RetransmitPolicy;
  readonly offerWindowMs: number;
  readonly nakRestartMs: number;
  readonly declineRestartMs: number;
  readonly giveUpRestartMs: number | null;
  readonly broadcastFlag: boolean;
  readonly parameterRequestList: readonly number[];
  readonly reportStates: boolean;
}

interface Offer {
  readonly address: Ipv4Address;
  readonly serverId: Ipv4Address;
}

export interface DhcpClientContext {
  readonly config: ResolvedConfig;
  readonly identity: DhcpClientIdentity;
  readonly rng: RandomStream;
  /** Where the retransmission jitter is drawn (`input.jitterRng`, else `rng`). */
  readonly jitterRng: RandomStream;
  readonly nowUs: () => number;
  readonly xid: number;
  /** RFC 2131 §2 secs counts from here. */
  readonly exchangeStartUs: number;
  /** Transmissions so far in the current state. */
  readonly tries: number;
  readonly offers: readonly Offer[];
  readonly chosen: Offer | null;
  /** First transmission of the current REQUEST exchange (same xid): the lease start (§4.4.1). */
  readonly requestStartUs: number;
  readonly lease: DhcpLease | null;
  /** Address to ask for again: remembered, or the last lease (option 50 in DISCOVER, preferred offer). */
  readonly previousAddress: Ipv4Address | null;
  /** INIT-REBOOT pending (set from `rememberedAddress`). */
  readonly reboot: boolean;
  /** Wait in INIT: 0 = go now, null = wait for cmd.start. */
  readonly initDelayMs: number | null;
}

type TimerName = 'start' | 'retransmit' | 'offerWindow' | 't1' | 't2' | 'expire';

type Recv = Extract<DhcpClientEvent, { type: 'dhcp.recv' }>;

function messageBase(context: DhcpClientContext, xid: number, startUs: number): ClientMessageBase {
  return {
    identity: context.identity,
    xid,
    secs: secsSince(startUs, context.nowUs()),
    broadcastFlag: context.config.broadcastFlag,
    parameterRequestList: context.config.parameterRequestList,
  };
}

/** A reply to our exchange: BOOTREPLY, our xid, our hardware address. */
function isOurReply(context: DhcpClientContext, message: DhcpMessage): boolean {
  const id = context.identity;
  return (
    message.op === 2 &&
    message.xid === context.xid >>> 0 &&
    message.htype === id.htype &&
    message.hlen === id.hlen &&
    prefixEqual(message.chaddr, id.chaddr, id.hlen)
  );
}

function isReplyOfType(context: DhcpClientContext, event: Recv, type: number): boolean {
  return isOurReply(context, event.message) && messageTypeOf(event.message) === type;
}

/** §4.4.1: an offer is usable with a yiaddr and a server identifier (table 3 MUST). */
function offerOf(message: DhcpMessage): Offer | null {
  const serverId = findOption(message, 'serverId')?.address;
  if (!serverId || isZeroAddress(message.yiaddr)) return null;
  return { address: message.yiaddr, serverId };
}

/** The lease an ACK grants, or null when the ACK lacks what §4.3.1 table 3 requires (lease time, server id). */
function leaseOf(context: DhcpClientContext, message: DhcpMessage): DhcpLease | null {
  const leaseSecs = findOption(message, 'leaseTime')?.secs;
  const serverId = findOption(message, 'serverId')?.address ?? context.lease?.serverId ?? context.chosen?.serverId;
  if (leaseSecs === undefined || !serverId || isZeroAddress(message.yiaddr)) return null;
  const timers = leaseTimers(
    leaseSecs,
    findOption(message, 'renewalTime')?.secs,
    findOption(message, 'rebindingTime')?.secs,
  );
  const startUs = context.requestStartUs;
  const never = Number.MAX_SAFE_INTEGER;
  return {
    address: message.yiaddr,
    mask: findOption(message, 'subnetMask')?.mask ?? '255.255.255.255',
    router: findOption(message, 'routers')?.addresses[0] ?? null,
    dns: findOption(message, 'dnsServers')?.addresses ?? [],
    leaseSecs,
    serverId,
    t1Ms: timers.t1Ms,
    t2Ms: timers.t2Ms,
    infinite: timers.infinite,
    startUs,
    expiresAtUs: timers.infinite ? never : startUs + timers.leaseMs * 1000,
  };
}

/**
 * The `dhcp.bound` / `dhcp.renewed` event of a lease, every field written out: an object spread (`{ type, ...info }`)
 * puts most of its ten fields in a separate property array (~90 B more), and a carrier keeps its last one for the
 * client's life.
 */
function leaseEvent(type: 'dhcp.bound' | 'dhcp.renewed', lease: DhcpLease): DhcpClientEmitted {
  return {
    type,
    address: lease.address,
    mask: lease.mask,
    router: lease.router,
    dns: lease.dns,
    leaseSecs: lease.leaseSecs,
    serverId: lease.serverId,
    t1Secs: lease.t1Ms / 1000,
    t2Secs: lease.t2Ms / 1000,
    expiresAtUs: lease.expiresAtUs,
  };
}

/** No offers: one shared empty list (every bound client holds one; a fresh `[]` each was 32 B per client). */
const NO_OFFERS: readonly Offer[] = Object.freeze([]);

/** Best offer: one for the address we asked for (previous lease), else the first received (§4.4.1 leaves it open). */
function bestOffer(offers: readonly Offer[], preferred: Ipv4Address | null): Offer | null {
  return offers.find((o) => o.address === preferred) ?? offers[0] ?? null;
}

/** The distinct settings seen so far (a handful per run: the methods pass shared policy constants), bounded. */
const sharedConfigs: ResolvedConfig[] = [];
const SHARED_CONFIGS_MAX = 32;

/** `config`, or an equal one already held by other clients (settings compared field by field, policies by identity). */
function sharedConfig(config: ResolvedConfig): ResolvedConfig {
  for (const c of sharedConfigs)
    if (
      c.retransmit === config.retransmit &&
      c.requestRetransmit === config.requestRetransmit &&
      c.offerWindowMs === config.offerWindowMs &&
      c.nakRestartMs === config.nakRestartMs &&
      c.declineRestartMs === config.declineRestartMs &&
      c.giveUpRestartMs === config.giveUpRestartMs &&
      c.broadcastFlag === config.broadcastFlag &&
      c.parameterRequestList === config.parameterRequestList &&
      c.reportStates === config.reportStates
    )
      return c;
  if (sharedConfigs.length < SHARED_CONFIGS_MAX) sharedConfigs.push(config);
  return config;
}

function timerEvent(name: TimerName): DhcpClientEvent {
  switch (name) {
    case 'start':
      return { type: 'timer.start' };
    case 'retransmit':
      return { type: 'timer.retransmit' };
    case 'offerWindow':
      return { type: 'timer.offerWindow' };
    case 't1':
      return { type: 'timer.t1' };
    case 't2':
      return { type: 'timer.t2' };
    case 'expire':
      return { type: 'timer.expire' };
  }
}

export const dhcpClientMachine = setup({
  types: {
    context: {} as DhcpClientContext,
    events: {} as DhcpClientEvent,
    input: {} as DhcpClientInput,
    emitted: {} as DhcpClientEmitted | DhcpStateReport,
  },
  guards: {
    startNow: ({ context }) => context.initDelayMs === 0 && !context.reboot,
    rebootNow: ({ context }) => context.reboot,
    isUsableOffer: ({ context, event }) =>
      event.type === 'dhcp.recv' &&
      isReplyOfType(context, event, DhcpMessageType.OFFER) &&
      offerOf(event.message) !== null,
    /** No offer window: the first usable offer is taken (§4.4.1 leaves the choice to the client). */
    isOfferToTakeAtOnce: ({ context, event }) =>
      context.config.offerWindowMs <= 0 &&
      event.type === 'dhcp.recv' &&
      isReplyOfType(context, event, DhcpMessageType.OFFER) &&
      offerOf(event.message) !== null,
    isAck: ({ context, event }) =>
      event.type === 'dhcp.recv' &&
      isReplyOfType(context, event, DhcpMessageType.ACK) &&
      leaseOf(context, event.message) !== null,
    /**
     * An ACK whose lease, counted from the original request (§4.4.1), has already run out: a REQUEST retransmitted for
     * longer than the server's lease time. Binding would use an address the server no longer leases (§4.4.5).
     */
    isStaleAck: ({ context, event }) => {
      if (event.type !== 'dhcp.recv' || !isReplyOfType(context, event, DhcpMessageType.ACK)) return false;
      const lease = leaseOf(context, event.message);
      return lease !== null && !lease.infinite && lease.expiresAtUs <= context.nowUs();
    },
    isNak: ({ context, event }) => event.type === 'dhcp.recv' && isReplyOfType(context, event, DhcpMessageType.NAK),
    triesLeft: ({ context }) => context.tries < retransmitTriesMax(context.config.retransmit),
    requestTriesLeft: ({ context }) => context.tries < retransmitTriesMax(context.config.requestRetransmit),
  },
  actions: {
    /** Every state's last entry action: `dhcp.state` to a glue machine that asked for it (`reportStates`). */
    reportState: enqueueActions(({ context, enqueue }, params: { readonly state: DhcpClientStateName }) => {
      if (context.config.reportStates) enqueue.emit({ type: 'dhcp.state', state: params.state });
    }),
    /** Arm the INIT wait (none when 0: `always` leaves at once; none when null: wait for cmd.start). */
    armStart: enqueueActions(({ context, enqueue }) => {
      enqueue.cancel('start');
      if (context.initDelayMs !== null && context.initDelayMs > 0) {
        enqueue.raise(timerEvent('start'), { id: 'start', delay: context.initDelayMs });
      }
    }),
    cancelAllTimers: enqueueActions(({ enqueue }) => {
      for (const id of ['start', 'retransmit', 'offerWindow', 't1', 't2', 'expire'] as const) enqueue.cancel(id);
    }),
    /** SELECTING entry and retransmission: DISCOVER, then the next §4.1 wait. A new exchange on first entry. */
    sendDiscover: enqueueActions(({ context, enqueue }, params: { readonly fresh: boolean }) => {
      const xid = params.fresh ? context.rng.nextU32() : context.xid;
      const startUs = params.fresh ? context.nowUs() : context.exchangeStartUs;
      const tries = params.fresh ? 0 : context.tries;
      const message = buildDiscover(messageBase(context, xid, startUs), context.previousAddress);
      const delayMs = retransmitDelayMs(context.config.retransmit, tries, context.jitterRng);
      enqueue.assign({
        xid,
        exchangeStartUs: startUs,
        tries: tries + 1,
        ...(params.fresh ? { offers: NO_OFFERS } : {}),
      });
      enqueue.emit({ type: 'dhcp.send', message, destination: 'broadcast' });
      enqueue.cancel('retransmit');
      enqueue.raise(timerEvent('retransmit'), { id: 'retransmit', delay: delayMs });
    }),
    /** REQUESTING / REBOOTING: broadcast REQUEST (§4.4.1, §4.4.2), then the next §4.1 wait. Same xid as the offer. */
    sendRequest: enqueueActions(
      ({ context, enqueue }, params: { readonly fresh: boolean; readonly reboot: boolean }) => {
        const xid = params.fresh && params.reboot ? context.rng.nextU32() : context.xid;
        const startUs = params.fresh && params.reboot ? context.nowUs() : context.exchangeStartUs;
        const tries = params.fresh ? 0 : context.tries;
        const base = messageBase(context, xid, startUs);
        const message = params.reboot
          ? buildRequestInitReboot(base, context.previousAddress ?? '0.0.0.0')
          : buildRequestSelecting(base, context.chosen?.address ?? '0.0.0.0', context.chosen?.serverId ?? '0.0.0.0');
        const delayMs = retransmitDelayMs(context.config.requestRetransmit, tries, context.jitterRng);
        // §4.4.1: the lease counts from the original REQUEST; a retransmission keeps that time.
        enqueue.assign({
          xid,
          exchangeStartUs: startUs,
          tries: tries + 1,
          requestStartUs: params.fresh ? context.nowUs() : context.requestStartUs,
        });
        enqueue.emit({ type: 'dhcp.send', message, destination: 'broadcast' });
        enqueue.cancel('retransmit');
        enqueue.raise(timerEvent('retransmit'), { id: 'retransmit', delay: delayMs });
      },
    ),
    /**
     * RENEWING (unicast to the server) / REBINDING (broadcast) REQUEST with ciaddr (§4.3.2, §4.4.5), then the §4.4.5
     * wait: half the time left to T2 (RENEWING) or to expiry (REBINDING), at least 60 s, none if that reaches the
     * deadline. One xid and one `secs` origin for the whole renewal, RENEWING through REBINDING.
     */
    sendRenewal: enqueueActions(
      ({ context, enqueue }, params: { readonly fresh: boolean; readonly rebinding: boolean }) => {
        const lease = context.lease;
        if (!lease) return;
        const nowUs = context.nowUs();
        const xid = params.fresh && !params.rebinding ? context.rng.nextU32() : context.xid;
        const startUs = params.fresh && !params.rebinding ? nowUs : context.exchangeStartUs;
        const message = buildRequestRenewing(messageBase(context, xid, startUs), lease.address);
        const deadlineUs = params.rebinding ? lease.expiresAtUs : rebindAtUs(lease);
        const waitMs = renewalRetransmitMs(Math.floor((deadlineUs - nowUs) / 1000));
        enqueue.assign({
          xid,
          exchangeStartUs: startUs,
          tries: (params.fresh ? 0 : context.tries) + 1,
          // §4.4.1: the original request of this xid — RENEWING's first REQUEST; REBINDING keeps the xid (and the
          // ACK may answer a RENEWING copy), so it keeps that start too.
          requestStartUs: params.fresh && !params.rebinding ? nowUs : context.requestStartUs,
        });
        enqueue.emit({
          type: 'dhcp.send',
          message,
          destination: params.rebinding ? 'broadcast' : { unicast: lease.serverId },
        });
        enqueue.cancel('retransmit');
        if (waitMs !== null) enqueue.raise(timerEvent('retransmit'), { id: 'retransmit', delay: waitMs });
      },
    ),
    /** Arm one lease deadline from the absolute time stored in the lease (smoltcp style). */
    armDeadline: enqueueActions(({ context, enqueue }, params: { readonly timer: 't1' | 't2' | 'expire' }) => {
      const lease = context.lease;
      enqueue.cancel(params.timer);
      if (!lease || lease.infinite) return;
      const atUs =
        params.timer === 't1' ? renewAtUs(lease) : params.timer === 't2' ? rebindAtUs(lease) : lease.expiresAtUs;
      enqueue.raise(timerEvent(params.timer), { id: params.timer, delay: msUntil(atUs, context.nowUs()) });
    }),
    collectOffer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'dhcp.recv') return;
      const offer = offerOf(event.message);
      if (!offer) return;
      if (context.offers.length === 0) {
        // Offers now come in: stop retransmitting DISCOVER and close the window offerWindowMs later.
        enqueue.cancel('retransmit');
        enqueue.cancel('offerWindow');
        enqueue.raise(timerEvent('offerWindow'), { id: 'offerWindow', delay: context.config.offerWindowMs });
      }
      enqueue.assign({ offers: [...context.offers, offer] });
    }),
    chooseThisOffer: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'dhcp.recv') return;
      enqueue.assign({ chosen: offerOf(event.message) });
    }),
    chooseBestOffer: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ chosen: bestOffer(context.offers, context.previousAddress) });
    }),
    takeLease: enqueueActions(({ context, event, enqueue }, params: { readonly renewed: boolean }) => {
      if (event.type !== 'dhcp.recv') return;
      const lease = leaseOf(context, event.message);
      if (!lease) return;
      // The offer that led here is spent (a renewal names the lease's server): not kept through the idle lease.
      enqueue.assign({ lease, previousAddress: lease.address, reboot: false, chosen: null });
      enqueue.emit(leaseEvent(params.renewed ? 'dhcp.renewed' : 'dhcp.bound', lease));
    }),
    /** A NAK, or an ACK that came too late to use (isStaleAck): either way the exchange is void, restart (§3.2). */
    onNak: enqueueActions(({ context, enqueue }, params: { readonly state: DhcpClientStateName }) => {
      const withdrawn = context.lease?.address ?? null;
      enqueue.emit({ type: 'dhcp.nak', state: params.state, withdrawn });
      // §3.2 / §4.4.2: after a NAK the client restarts without the address it asked for.
      enqueue.assign({
        lease: null,
        chosen: null,
        previousAddress: null,
        reboot: false,
        initDelayMs: context.config.nakRestartMs,
      });
    }),
    onGiveUp: enqueueActions(({ context, enqueue }, params: { readonly state: DhcpClientStateName }) => {
      enqueue.emit({ type: 'dhcp.gaveUp', state: params.state, tries: context.tries });
      // SELECTING follows the configured policy; REQUESTING and REBOOTING go back to discovery at once (§4.4.1,
      // §3.2 step 5 with the "MAY keep using the address" option not taken).
      enqueue.assign({
        chosen: null,
        reboot: false,
        initDelayMs: params.state === 'SELECTING' ? context.config.giveUpRestartMs : 0,
      });
    }),
    onExpire: enqueueActions(({ context, enqueue }) => {
      if (context.lease) enqueue.emit({ type: 'dhcp.expired', address: context.lease.address });
      enqueue.assign({ lease: null, chosen: null, initDelayMs: 0 });
    }),
    sendDecline: enqueueActions(({ context, enqueue }) => {
      const lease = context.lease;
      if (!lease) return;
      const message = buildDecline(
        messageBase(context, context.xid, context.exchangeStartUs),
        lease.address,
        lease.serverId,
      );
      enqueue.emit({ type: 'dhcp.send', message, destination: 'broadcast' });
      enqueue.emit({ type: 'dhcp.declined', address: lease.address });
      enqueue.assign({
        lease: null,
        chosen: null,
        previousAddress: null,
        initDelayMs: context.config.declineRestartMs,
      });
    }),
    sendRelease: enqueueActions(({ context, enqueue }) => {
      const lease = context.lease;
      if (!lease) return;
      const xid = context.rng.nextU32();
      const message = buildRelease(messageBase(context, xid, context.nowUs()), lease.address, lease.serverId);
      enqueue.emit({ type: 'dhcp.send', message, destination: { unicast: lease.serverId } });
      enqueue.emit({ type: 'dhcp.released', address: lease.address });
      enqueue.assign({ lease: null, chosen: null, xid });
    }),
    restartNow: enqueueActions(({ enqueue }) => {
      enqueue.assign({ initDelayMs: 0 });
    }),
  },
}).createMachine({
  id: 'dhcpClient',
  context: ({ input }) => ({
    config: sharedConfig({
      retransmit: input.retransmit ?? RFC2131_RETRANSMIT,
      requestRetransmit: input.requestRetransmit ?? input.retransmit ?? RFC2131_REQUEST_RETRANSMIT,
      offerWindowMs: input.offerWindowMs ?? 0,
      nakRestartMs: input.nakRestartMs ?? 0,
      declineRestartMs: input.declineRestartMs ?? 10_000,
      giveUpRestartMs: input.giveUpRestartMs ?? null,
      broadcastFlag: input.broadcastFlag ?? false,
      parameterRequestList: input.parameterRequestList ?? DEFAULT_PARAMETER_REQUEST_LIST,
      reportStates: input.reportStates ?? false,
    }),
    identity: input.identity,
    rng: input.rng,
    jitterRng: input.jitterRng ?? input.rng,
    nowUs: input.nowUs,
    xid: 0,
    exchangeStartUs: 0,
    tries: 0,
    offers: NO_OFFERS,
    chosen: null,
    requestStartUs: 0,
    lease: null,
    previousAddress: input.rememberedAddress ?? null,
    reboot: Boolean(input.rememberedAddress),
    initDelayMs: 0,
  }),
  initial: 'INIT',
  states: {
    INIT: {
      entry: ['armStart', { type: 'reportState', params: { state: 'INIT' } }],
      exit: { type: 'cancelAllTimers' },
      always: [
        { guard: 'rebootNow', target: 'INIT-REBOOT' },
        { guard: 'startNow', target: 'SELECTING' },
      ],
      on: {
        'timer.start': { target: 'SELECTING' },
        'cmd.start': { target: 'SELECTING' },
        'cmd.release': { target: 'RELEASED' },
      },
    },
    SELECTING: {
      entry: [
        { type: 'sendDiscover', params: { fresh: true } },
        { type: 'reportState', params: { state: 'SELECTING' } },
      ],
      exit: enqueueActions(({ enqueue }) => {
        enqueue.cancel('retransmit');
        enqueue.cancel('offerWindow');
      }),
      on: {
        'timer.retransmit': [
          { guard: 'triesLeft', actions: { type: 'sendDiscover', params: { fresh: false } } },
          { target: 'INIT', actions: { type: 'onGiveUp', params: { state: 'SELECTING' } } },
        ],
        'dhcp.recv': [
          { guard: 'isOfferToTakeAtOnce', target: 'REQUESTING', actions: 'chooseThisOffer' },
          { guard: 'isUsableOffer', actions: 'collectOffer' },
        ],
        'timer.offerWindow': { target: 'REQUESTING', actions: 'chooseBestOffer' },
        'cmd.release': { target: 'RELEASED' },
      },
    },
    REQUESTING: {
      entry: [
        { type: 'sendRequest', params: { fresh: true, reboot: false } },
        { type: 'reportState', params: { state: 'REQUESTING' } },
      ],
      exit: enqueueActions(({ enqueue }) => enqueue.cancel('retransmit')),
      on: {
        'timer.retransmit': [
          { guard: 'requestTriesLeft', actions: { type: 'sendRequest', params: { fresh: false, reboot: false } } },
          { target: 'INIT', actions: { type: 'onGiveUp', params: { state: 'REQUESTING' } } },
        ],
        'dhcp.recv': [
          { guard: 'isStaleAck', target: 'INIT', actions: { type: 'onNak', params: { state: 'REQUESTING' } } },
          { guard: 'isAck', target: 'BOUND', actions: { type: 'takeLease', params: { renewed: false } } },
          { guard: 'isNak', target: 'INIT', actions: { type: 'onNak', params: { state: 'REQUESTING' } } },
        ],
        'cmd.release': { target: 'RELEASED' },
      },
    },
    BOUND: {
      entry: [
        { type: 'armDeadline', params: { timer: 't1' } },
        { type: 'reportState', params: { state: 'BOUND' } },
      ],
      exit: enqueueActions(({ enqueue }) => enqueue.cancel('t1')),
      on: {
        'timer.t1': { target: 'RENEWING' },
        'cmd.renew': { target: 'RENEWING' },
        'cmd.conflict': { target: 'INIT', actions: 'sendDecline' },
        'cmd.release': { target: 'RELEASED', actions: 'sendRelease' },
      },
    },
    RENEWING: {
      entry: [
        { type: 'sendRenewal', params: { fresh: true, rebinding: false } },
        { type: 'armDeadline', params: { timer: 't2' } },
        { type: 'reportState', params: { state: 'RENEWING' } },
      ],
      exit: enqueueActions(({ enqueue }) => {
        enqueue.cancel('retransmit');
        enqueue.cancel('t2');
      }),
      on: {
        'timer.retransmit': { actions: { type: 'sendRenewal', params: { fresh: false, rebinding: false } } },
        'timer.t2': { target: 'REBINDING' },
        'dhcp.recv': [
          { guard: 'isAck', target: 'BOUND', actions: { type: 'takeLease', params: { renewed: true } } },
          { guard: 'isNak', target: 'INIT', actions: { type: 'onNak', params: { state: 'RENEWING' } } },
        ],
        'cmd.release': { target: 'RELEASED', actions: 'sendRelease' },
      },
    },
    REBINDING: {
      entry: [
        { type: 'sendRenewal', params: { fresh: true, rebinding: true } },
        { type: 'armDeadline', params: { timer: 'expire' } },
        { type: 'reportState', params: { state: 'REBINDING' } },
      ],
      exit: enqueueActions(({ enqueue }) => {
        enqueue.cancel('retransmit');
        enqueue.cancel('expire');
      }),
      on: {
        'timer.retransmit': { actions: { type: 'sendRenewal', params: { fresh: false, rebinding: true } } },
        'timer.expire': { target: 'INIT', actions: 'onExpire' },
        'dhcp.recv': [
          { guard: 'isAck', target: 'BOUND', actions: { type: 'takeLease', params: { renewed: true } } },
          { guard: 'isNak', target: 'INIT', actions: { type: 'onNak', params: { state: 'REBINDING' } } },
        ],
        'cmd.release': { target: 'RELEASED', actions: 'sendRelease' },
      },
    },
    'INIT-REBOOT': {
      // Figure 5: INIT-REBOOT --/send DHCPREQUEST--> REBOOTING.
      entry: { type: 'reportState', params: { state: 'INIT-REBOOT' } },
      always: { target: 'REBOOTING' },
    },
    REBOOTING: {
      entry: [
        { type: 'sendRequest', params: { fresh: true, reboot: true } },
        { type: 'reportState', params: { state: 'REBOOTING' } },
      ],
      exit: enqueueActions(({ enqueue }) => enqueue.cancel('retransmit')),
      on: {
        'timer.retransmit': [
          { guard: 'requestTriesLeft', actions: { type: 'sendRequest', params: { fresh: false, reboot: true } } },
          { target: 'INIT', actions: { type: 'onGiveUp', params: { state: 'REBOOTING' } } },
        ],
        'dhcp.recv': [
          { guard: 'isStaleAck', target: 'INIT', actions: { type: 'onNak', params: { state: 'REBOOTING' } } },
          { guard: 'isAck', target: 'BOUND', actions: { type: 'takeLease', params: { renewed: false } } },
          { guard: 'isNak', target: 'INIT', actions: { type: 'onNak', params: { state: 'REBOOTING' } } },
        ],
        'cmd.release': { target: 'RELEASED' },
      },
    },
    RELEASED: {
      entry: ['cancelAllTimers', { type: 'reportState', params: { state: 'RELEASED' } }],
      on: {
        'cmd.start': { target: 'INIT', actions: 'restartNow' },
      },
    },
  },
});
