/**
 * The RFC 3456 client on IKEv2 as a statechart (method `dhcp-over-ipsec`): the DHCP client of the virtual (intranet)
 * interface (models/dhcp/client-machine.ts, spawned as a child) runs over UDP through the client's SPD, and this
 * machine orchestrates the SAs around it. Three regions:
 *
 * - `lease`: `idle` → (the DHCP SA is up) `configuring` (DISCOVER … ACK through the DHCP SA, §4.1) → (ACK: the inner
 *   address is configured) `tunnelAsked` (CREATE_CHILD_SA for the tunnel SA, TSi = the leased address, §3.1 e) →
 *   `tunnelUp`. A lost lease (NAK, expiry, RFC 2131 §4.4.5) withdraws the address, deletes the tunnel SA and starts
 *   again at DISCOVER (`configuring`); a DISCOVER phase that gives up (RFC 2131 §4.1) waits in `backoff` and starts
 *   again (4 s doubling to 64 s, ±1 s, for ever: RFC 2131 sets no limit).
 * - `dhcpSa`: `none` ⇄ `asking` (a DHCP SA, slot `dhcp`, is being negotiated because a DHCP message no Child SA covers
 *   — a REBINDING broadcast, a DISCOVER after the DHCP SA is gone — is held: never in the clear, RFC 3456 §3) → `up`
 *   (the IKE_AUTH child `main`, or `dhcp`; the held message goes now).
 * - `teardown`: `idle` ⇄ `armed` (`dhcpSaTeardown`: the DHCP SA is deleted after the tunnel SA, §3.1 d, §4.4 "may now
 *   delete"; at its lifetime, §4.1 "on the order of minutes"; or kept). A DHCP SA brought back for a renewal goes
 *   again once the exchange is over.
 *
 * A tunnel SA asked for a lease that was lost before the CREATE_CHILD_SA answer came is refused and deleted, never
 * installed (§3.1 e: the tunnel SA is for the leased address): each tunnel slot remembers the lease epoch it was asked
 * under. The IKE initiator's hooks (client.ts) send `ike.*` / `net.udp` events and read `context.answer`.
 */
import { and, assign, assertEvent, emit, enqueueActions, not, setup, stopChild, type ActorRefFrom } from 'xstate';
import type { RandomStream } from '../../contract.ts';
import type { DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { dhcpClientMachine, type DhcpClientEmitted, type DhcpStateReport } from '../../dhcp/client-machine.ts';
import { drawJitterMs, nominalRetransmitMs, type RetransmitPolicy } from '../../dhcp/client-timers.ts';
import { messageTypeOf } from '../../dhcp/options.ts';
import { FIVE_TRIES_RETRANSMIT } from '../../dhcp/client-timers.ts';
import { tsForAddress, tsFullRange } from '../../wire/ike/index.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import type {
  ChildExchangeInfo,
  ChildRequest,
  ClientChildOutcome,
  ClientMethodContext,
  UdpDatagram,
} from '../method.ts';
import { configOfLease } from './lease-config.ts';
import {
  childCovers,
  dhcpSaSelectors,
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  type DhcpSaSelectorReading,
} from './selectors.ts';

export const RFC3456_MACHINE = 'rfc3456';

/** When the DHCP SA goes (RFC 3456 §3.1 d, §4.1 "key lifetime … on the order of minutes"). */
export type DhcpSaTeardown = 'after-tunnel' | 'at-lifetime' | 'keep';

export interface Rfc3456ClientOptions {
  readonly dhcpSaTeardown: DhcpSaTeardown;
  /** `at-lifetime`: the DHCP SA is deleted this long after it was installed. */
  readonly dhcpSaLifetimeMs: number;
  /** `after-tunnel`: the DHCP SA is deleted this long after the tunnel SA is installed. */
  readonly dhcpSaDeleteDelayMs: number;
  /** The persistent extra octet of the chaddr (§4.1 b). */
  readonly chaddrOctet: number;
  /**
   * The DHCP client's retransmission: `rfc2131` (DISCOVER without a give-up limit, 4–64 s ±1 s, RFC 2131 §4.1; REQUEST
   * four retransmissions over 60 s, §3.1) or `five-tries` (5 transmissions of each, the lab before issue 14).
   */
  readonly dhcpRetransmit?: 'rfc2131' | 'five-tries';
  /** Which reading of §4.1's DHCP SA selectors (selectors.ts). */
  readonly dhcpSaSelectors: DhcpSaSelectorReading;
}

export const TUNNEL_SLOT = 'tunnel';
/** The first DHCP SA is the IKE_AUTH child (`main`); a later one (after a lost lease) is `dhcp`. */
export const MAIN_SLOT = 'main';
export const DHCP_SLOT = 'dhcp';

/**
 * The wait before DISCOVER starts again after a DISCOVER phase gave up: RFC 2131 sets no limit on DISCOVERs and §4.1
 * caps one wait at 64 s, so 4 s doubling to 64 s, ±1 s, for ever.
 */
export const DISCOVER_RESTART: RetransmitPolicy = { baseMs: 4_000, maxMs: 64_000, jitterMs: 1_000, triesMax: 1 };

/** A tunnel SA's slot: `tunnel`, or `tunnel.<lease epoch>` while `tunnel` is still taken by a doomed one. */
export function isTunnelSlot(slot: string): boolean {
  return slot === TUNNEL_SLOT || slot.startsWith(`${TUNNEL_SLOT}.`);
}

export interface Rfc3456Input {
  readonly ctx: ClientMethodContext;
  readonly options: Rfc3456ClientOptions;
  readonly identity: DhcpClientIdentity;
}

export interface Rfc3456Context {
  readonly ctx: ClientMethodContext;
  readonly options: Rfc3456ClientOptions;
  readonly identity: DhcpClientIdentity;
  readonly rng: RandomStream;
  readonly restartRng: RandomStream | undefined;
  readonly dhcp: ActorRefFrom<typeof dhcpClientMachine> | undefined;
  /** The leased address, if any. */
  readonly lease: string | undefined;
  /** The slot of the live DHCP SA, if any. */
  readonly dhcpSlot: string | undefined;
  /** The last DHCP message no Child SA covered: it goes once the DHCP SA is up (the machine retransmits anyway). */
  readonly held: UdpDatagram | undefined;
  /** `xid:type` of the last DHCP message sent: a repeat is a retransmission (RFC 2131 §4.1, `dhcp.retransmit`). */
  readonly lastSentKey: string;
  /** DISCOVER phases given up in a row, and the wait before the next one. */
  readonly restarts: number;
  readonly restartWaitMs: number;
  /** Bumped when a lease is lost: a tunnel SA asked for under an older epoch is for a lease no longer held. */
  readonly leaseEpoch: number;
  /**
   * The lease epoch each tunnel slot was asked under, from the request until its answer fails or is refused, or its
   * lease is lost. Its rekeys stand or fall with that lease.
   */
  readonly tunnelSlots: SlotEpochs;
  readonly teardownDelayMs: number;
  readonly teardownWhy: string;
  /** The answer to `processChildResponse`. */
  readonly answer: ClientChildOutcome;
}

export type Rfc3456Event =
  /** onChild: a Child SA is installed (`rekey`: it replaced the slot's previous one). */
  | { readonly type: 'ike.child'; readonly slot: string; readonly rekey: boolean }
  /** processChildResponse. */
  | { readonly type: 'ike.childResponse'; readonly info: ChildExchangeInfo; readonly errors: readonly string[] }
  /** onUdp: a DHCP reply decapsulated from Child SA `slot`. */
  | { readonly type: 'net.udp'; readonly message: DhcpMessage; readonly slot: string }
  /** onIkeClosed: the IKE SA (and every Child SA) is gone. */
  | { readonly type: 'ike.closed' }
  /** Raised by the teardown region: the DHCP SA's delete went out. */
  | { readonly type: 'rfc3456.dhcpSaDeleted' }
  | DhcpClientEmitted
  /** The client's `dhcp.state` (its emitted type); never sent: this machine's client does not report states. */
  | DhcpStateReport;

/**
 * What the machine asks of the IKE initiator, emitted (delivered after the step, so the initiator never runs inside
 * this machine's actions); client.ts hands them to the method context.
 */
/**
 * What the machine asks of the IKE initiator; each names the method context it is for, so one listener function
 * serves every client (client.ts), not a closure over its context per client (~100 B each).
 */
export type Rfc3456Emitted =
  | { readonly type: 'method.requestChild'; readonly ctx: ClientMethodContext; readonly request: ChildRequest }
  | { readonly type: 'method.deleteChild'; readonly ctx: ClientMethodContext; readonly slot: string };

const ACCEPT: ClientChildOutcome = { kind: 'accept' };

function sendKey(m: DhcpMessage): string {
  return `${m.xid >>> 0}:${messageTypeOf(m) ?? 0}`;
}

/**
 * The datagram a DHCP client message becomes (§4.1: from the lease or 0.0.0.0, port 68 → 67). A broadcast goes to
 * 255.255.255.255, or under the literal reading of §4.1 to the gateway its IDcr names (selectors.ts).
 */
function datagramOf(context: Rfc3456Context, event: Extract<Rfc3456Event, { type: 'dhcp.send' }>): UdpDatagram {
  const destination = event.destination;
  const broadcast = context.options.dhcpSaSelectors === 'literal' ? context.ctx.gatewayAddress : '255.255.255.255';
  return {
    src: context.lease ?? '0.0.0.0',
    dst: destination === 'broadcast' ? broadcast : destination.unicast,
    srcPort: DHCP_CLIENT_PORT,
    dstPort: DHCP_SERVER_PORT,
    app: { kind: 'dhcp', message: event.message },
  };
}

function isDhcpSaChild(event: Rfc3456Event): boolean {
  return event.type === 'ike.child' && !event.rekey && (event.slot === MAIN_SLOT || event.slot === DHCP_SLOT);
}

/**
 * Whether the answered tunnel CREATE_CHILD_SA (new or rekey) is still for the lease held now: its slot was asked under
 * the current lease epoch and its TSi is the leased address. One asked before the lease was lost (and maybe granted
 * again, even the same address: that bound asked for its own tunnel SA) is stale.
 */
function tunnelStillWanted(context: Rfc3456Context, info: ChildExchangeInfo): boolean {
  if (epochOf(context.tunnelSlots, info.slot) !== context.leaseEpoch) return false;
  const lease = context.lease;
  return lease !== undefined && info.selectors.tsi.some((s) => s.kind === 'ipv4Range' && s.startAddress === lease);
}

/**
 * Tunnel slots and the lease epoch each was asked under, in the order first asked: a short list (an idle client has
 * one), not a Map (~200 B of heap for its one entry, kept by every idle client of a storm).
 */
export type SlotEpochs = readonly { readonly slot: string; readonly epoch: number }[];

const NO_SLOTS: SlotEpochs = [];

function epochOf(slots: SlotEpochs, slot: string): number | undefined {
  for (const s of slots) if (s.slot === slot) return s.epoch;
  return undefined;
}

/**
 * `slots` with `slot` asked under `epoch` (a slot already listed keeps its place, as in a Map). `concat`, not a spread:
 * `[...slots, entry]` gets room for 17 elements (~140 B of every idle client's one-entry list).
 */
function withSlot(slots: SlotEpochs, slot: string, epoch: number): SlotEpochs {
  const entry = { slot, epoch };
  return epochOf(slots, slot) === undefined ? slots.concat([entry]) : slots.map((s) => (s.slot === slot ? entry : s));
}

function withoutSlot(slots: SlotEpochs, slot: string): SlotEpochs {
  if (epochOf(slots, slot) === undefined) return slots;
  return slots.length === 1 ? NO_SLOTS : slots.filter((s) => s.slot !== slot);
}

/** What `LIVE_DHCP.forward` needs of this machine's actor (`self`). */
interface Rfc3456Self {
  getSnapshot(): { readonly context: { readonly dhcp: unknown } };
  send(event: DhcpClientEmitted | DhcpStateReport): void;
}

/**
 * The DHCP client's emitted events, forwarded as this machine's events while it is the live client: a replaced client
 * may still finish its transition (expiry → INIT → DISCOVER: its stop waits in its mailbox) and is not heard. A method
 * of an object, not a function declaration: under esbuild's `keepNames` (tsx) a declared function has its `name`
 * redefined, and V8 then binds it the slow way, a bound function with a property dictionary of its own (~400 B).
 */
const LIVE_DHCP = {
  forward(self: Rfc3456Self, dhcp: unknown, e: DhcpClientEmitted | DhcpStateReport): void {
    if (self.getSnapshot().context.dhcp === dhcp) self.send(e);
  },
};

export const rfc3456ClientMachine = setup({
  types: {
    context: {} as Rfc3456Context,
    events: {} as Rfc3456Event,
    input: {} as Rfc3456Input,
    emitted: {} as Rfc3456Emitted,
  },
  actors: { dhcpClient: dhcpClientMachine },
  delays: {
    teardownDelay: ({ context }) => context.teardownDelayMs,
    discoverRestart: ({ context }) => context.restartWaitMs,
  },
  guards: {
    dhcpSaInstalled: ({ event }) => isDhcpSaChild(event),
    tunnelInstalled: ({ event }) => event.type === 'ike.child' && !event.rekey && isTunnelSlot(event.slot),
    noDhcpClient: ({ context }) => context.dhcp === undefined,
    atLifetime: ({ context }) => context.options.dhcpSaTeardown === 'at-lifetime',
    afterTunnel: ({ context }) => context.options.dhcpSaTeardown === 'after-tunnel',
    /** The SPD would seal it (client-spd.ts): a Child SA whose TSi covers the source and TSr the destination. */
    covered: ({ context, event }) =>
      event.type === 'dhcp.send' && childCovers(context.ctx.children(), datagramOf(context, event)),
    ikeUp: ({ context }) => context.ctx.ikeUp(),
    hasDhcpSlot: ({ context }) => context.dhcpSlot !== undefined,
    /**
     * A renewal through a DHCP SA brought back for it is over: only a tunnel SA of the lease held now carries the
     * next one (one of a lost lease is being deleted).
     */
    exchangeDone: ({ context }) =>
      context.dhcpSlot !== undefined &&
      context.ctx
        .children()
        .some((c) => isTunnelSlot(c.slot) && epochOf(context.tunnelSlots, c.slot) === context.leaseEpoch),
    nakWithdrew: ({ event }) => event.type === 'dhcp.nak' && event.withdrawn !== null,
    selectingGaveUp: ({ event }) => event.type === 'dhcp.gaveUp' && event.state === 'SELECTING',
    staleTunnel: ({ context, event }) =>
      event.type === 'ike.childResponse' && isTunnelSlot(event.info.slot) && !tunnelStillWanted(context, event.info),
    answered: ({ event }) => event.type === 'ike.childResponse' && event.errors.length === 0,
    dhcpSaRefused: ({ event }) =>
      event.type === 'ike.childResponse' && event.info.slot === DHCP_SLOT && !event.info.rekey,
  },
  actions: {
    noteRetransmit: assign(({ context, event }) => {
      assertEvent(event, 'dhcp.send');
      const key = sendKey(event.message);
      if (key === context.lastSentKey) context.ctx.traceNote('dhcp.retransmit', { client: context.ctx.outerAddress });
      return { lastSentKey: key };
    }),
    transmit: ({ context, event }) => {
      assertEvent(event, 'dhcp.send');
      context.ctx.sendUdp(datagramOf(context, event));
    },
    /** RFC 3456 §3: no SA covers it — never in the clear: it waits for a (new) DHCP SA. */
    hold: assign(({ context, event }) => {
      assertEvent(event, 'dhcp.send');
      const held = datagramOf(context, event);
      context.ctx.traceNote('rfc3456.held', { dst: held.dst });
      return { held };
    }),
    askDhcpSa: emit(({ context }) => ({
      type: 'method.requestChild',
      ctx: context.ctx,
      request: {
        slot: DHCP_SLOT,
        selectors: dhcpSaSelectors(context.options.dhcpSaSelectors, context.ctx.gatewayAddress),
      },
    })),
    keepDhcpSlot: assign(({ event }) => {
      assertEvent(event, 'ike.child');
      return { dhcpSlot: event.slot };
    }),
    /** The DHCP SA this exchange waited for is up: its message goes now (RFC 3456 §3). */
    sendHeld: enqueueActions(({ context, enqueue }) => {
      const held = context.held;
      enqueue.assign({ held: undefined });
      if (held !== undefined) enqueue(() => context.ctx.sendUdp(held));
    }),
    armForLifetime: assign(({ context }) => ({
      teardownDelayMs: context.options.dhcpSaLifetimeMs,
      teardownWhy: 'lifetime',
    })),
    armAfterTunnel: assign(({ context }) => ({
      teardownDelayMs: context.options.dhcpSaDeleteDelayMs,
      teardownWhy: 'after-tunnel',
    })),
    armAfterExchange: assign(({ context }) => ({
      teardownDelayMs: context.options.dhcpSaDeleteDelayMs,
      teardownWhy: 'after-exchange',
    })),
    /** §3.1 d, §4.4: the DHCP SA is deleted. */
    deleteDhcpSa: enqueueActions(({ context, enqueue }) => {
      const slot = context.dhcpSlot;
      if (slot === undefined) return;
      enqueue.assign({ dhcpSlot: undefined });
      enqueue(() => context.ctx.traceNote('rfc3456.dhcpSaDelete', { slot, why: context.teardownWhy }));
      enqueue.emit({ type: 'method.deleteChild', ctx: context.ctx, slot });
      enqueue.raise({ type: 'rfc3456.dhcpSaDeleted' });
    }),
    stopDhcp: enqueueActions(({ context, enqueue }) => {
      if (context.dhcp !== undefined) enqueue(stopChild(context.dhcp));
      enqueue.assign({ dhcp: undefined });
    }),
    /** §4.1: htype 31, chaddr from the outer address, client identifier (a); BROADCAST bit zero (table 1). */
    spawnDhcp: assign(({ context, spawn }) => ({
      // A fixed id: the snapshot's `children` object is keyed by it (a key of its own per client, `x:<n>`, gave every
      // client's `children` a hidden class of its own, ~190 B each).
      dhcp: spawn('dhcpClient', {
        id: 'dhcp',
        input: {
          identity: context.identity,
          rng: context.rng,
          nowUs: context.ctx.nowUs,
          broadcastFlag: false,
          ...(context.options.dhcpRetransmit === 'five-tries' ? { retransmit: FIVE_TRIES_RETRANSMIT } : {}),
        },
      }),
    })),
    /**
     * Its emitted events come back as this machine's events; traced as `dhcp`. A replaced client may still finish its
     * transition (expiry → INIT → DISCOVER: its stop waits in its mailbox): only the live one is heard.
     */
    watchDhcp: ({ context, self }) => {
      const dhcp = context.dhcp;
      if (dhcp === undefined) return;
      // A bound function, not a closure and its scopes (~60 B of every client).
      dhcp.on('*', LIVE_DHCP.forward.bind(null, self, dhcp));
      context.ctx.traceMachine(dhcp, 'dhcp');
    },
    deliver: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'net.udp');
      context.ctx.traceNote('rfc3456.recv', { slot: event.slot });
      if (context.dhcp !== undefined) enqueue.sendTo(context.dhcp, { type: 'dhcp.recv', message: event.message });
    }),
    /** §3.1 e: the tunnel SA for the leased address; TSr as wide as the gateway allows (it narrows). */
    configureAndAskTunnel: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'dhcp.bound');
      enqueue(() => context.ctx.configure(configOfLease(event)));
      // `tunnel`, unless a tunnel SA of a lost lease still holds it (its delete is queued behind the exchange in
      // flight, RFC 7296 §2.3 window) or an answer for one is still due — the IKE side would turn a request for a held
      // slot into a rekey of the doomed SA, and match a late answer to the wrong lease.
      const held =
        epochOf(context.tunnelSlots, TUNNEL_SLOT) !== undefined ||
        context.ctx.children().some((c) => c.slot === TUNNEL_SLOT);
      const slot = held ? `${TUNNEL_SLOT}.${context.leaseEpoch}` : TUNNEL_SLOT;
      enqueue.emit({
        type: 'method.requestChild',
        ctx: context.ctx,
        request: { slot, selectors: { tsi: [tsForAddress(event.address)], tsr: [tsFullRange()] } },
      });
      enqueue.assign({
        lease: event.address,
        restarts: 0,
        tunnelSlots: withSlot(context.tunnelSlots, slot, context.leaseEpoch),
      });
    }),
    noteRenewed: ({ context, event }) => {
      assertEvent(event, 'dhcp.renewed');
      context.ctx.traceNote('lease.renewed', { address: event.address, leaseSecs: event.leaseSecs });
    },
    /**
     * The lease is gone (RFC 2131 §4.4.5): withdraw the address and drop the tunnel SAs bound to it (one still being
     * asked for is refused at its answer, `staleTunnel`).
     */
    loseLease: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['dhcp.expired', 'dhcp.nak']);
      const address = event.type === 'dhcp.expired' ? event.address : (event.withdrawn ?? '');
      const why = event.type === 'dhcp.expired' ? 'expired' : 'nak';
      enqueue(() => {
        context.ctx.traceNote('lease.lost', { address, why });
        context.ctx.configure(undefined);
      });
      let tunnelSlots = context.tunnelSlots;
      for (const c of context.ctx.children()) {
        if (!isTunnelSlot(c.slot)) continue;
        tunnelSlots = withoutSlot(tunnelSlots, c.slot);
        enqueue.emit({ type: 'method.deleteChild', ctx: context.ctx, slot: c.slot });
      }
      enqueue.assign({ lease: undefined, leaseEpoch: context.leaseEpoch + 1, held: undefined, tunnelSlots });
    }),
    noteGaveUp: ({ context, event }) => {
      assertEvent(event, 'dhcp.gaveUp');
      context.ctx.traceNote('dhcp.gaveUp', { state: event.state, tries: event.tries });
    },
    /** The next wait of DISCOVER_RESTART (its jitter from the method's own `dhcp-restart` stream). */
    planRestart: assign(({ context }) => {
      const rng = context.restartRng ?? context.ctx.rng('dhcp-restart');
      const waitMs = nominalRetransmitMs(DISCOVER_RESTART, context.restarts) + drawJitterMs(rng, 1_000);
      context.ctx.traceNote('dhcp.restartIn', { waitMs, attempt: context.restarts + 1 });
      return { restartRng: rng, restartWaitMs: waitMs, restarts: context.restarts + 1 };
    }),
    startDiscover: enqueueActions(({ context, enqueue }) => {
      if (context.dhcp !== undefined) enqueue.sendTo(context.dhcp, { type: 'cmd.start' });
    }),
    forgetAll: assign({
      lease: undefined,
      restarts: 0,
      held: undefined,
      dhcpSlot: undefined,
      tunnelSlots: NO_SLOTS,
    }),
    answerStale: assign(({ context, event }) => {
      assertEvent(event, 'ike.childResponse');
      const info = event.info;
      // RFC 3456 §3.1 e: the tunnel SA is for the leased address, and that lease is gone (RFC 2131 §4.4.5): the SA the
      // gateway created (new or rekeyed) is deleted at once (RFC 7296 §1.4.1), not installed with a TSi we do not hold.
      const tsi = info.selectors.tsi[0];
      const address = tsi?.kind === 'ipv4Range' ? tsi.startAddress : 'none';
      context.ctx.traceNote('rfc3456.tunnelStale', { tsi: address, rekey: info.rekey });
      return {
        answer: { kind: 'reject', reason: 'lease-lost' } as const,
        tunnelSlots: info.rekey ? context.tunnelSlots : withoutSlot(context.tunnelSlots, info.slot),
      };
    }),
    answerAccept: assign({ answer: ACCEPT }),
    /** Refused: a new tunnel slot is free again; the next DHCP transmission asks for a DHCP SA again. */
    answerRefused: assign(({ context, event }) => {
      assertEvent(event, 'ike.childResponse');
      const dropSlot = isTunnelSlot(event.info.slot) && !event.info.rekey;
      return {
        answer: { kind: 'reject', reason: event.errors[0] ?? 'refused' } as const,
        tunnelSlots: dropSlot ? withoutSlot(context.tunnelSlots, event.info.slot) : context.tunnelSlots,
      };
    }),
  },
}).createMachine({
  id: 'rfc3456',
  type: 'parallel',
  context: ({ input }) => ({
    ctx: input.ctx,
    options: input.options,
    identity: input.identity,
    rng: input.ctx.rng('dhcp'),
    restartRng: undefined,
    dhcp: undefined,
    lease: undefined,
    dhcpSlot: undefined,
    held: undefined,
    lastSentKey: '',
    restarts: 0,
    restartWaitMs: 0,
    leaseEpoch: 0,
    tunnelSlots: NO_SLOTS,
    teardownDelayMs: 0,
    teardownWhy: '',
    answer: ACCEPT,
  }),
  states: {
    lease: {
      initial: 'idle',
      on: {
        'ike.closed': { target: '.idle', actions: ['stopDhcp', 'forgetAll'] },
        'net.udp': { actions: 'deliver' },
        'dhcp.bound': { target: '.tunnelAsked', actions: 'configureAndAskTunnel' },
        'dhcp.renewed': { actions: 'noteRenewed' },
        'dhcp.expired': { target: '.configuring', actions: ['loseLease', 'stopDhcp', 'spawnDhcp', 'watchDhcp'] },
        'dhcp.nak': {
          guard: 'nakWithdrew',
          target: '.configuring',
          actions: ['loseLease', 'stopDhcp', 'spawnDhcp', 'watchDhcp'],
        },
        'dhcp.gaveUp': [
          // RFC 2131 sets no limit on DISCOVERs: start again after the next backoff wait.
          { guard: 'selectingGaveUp', target: '.backoff', actions: ['noteGaveUp', 'planRestart'] },
          { actions: 'noteGaveUp' },
        ],
        'ike.childResponse': [
          { guard: 'staleTunnel', actions: 'answerStale' },
          { guard: 'answered', actions: 'answerAccept' },
          { actions: 'answerRefused' },
        ],
      },
      states: {
        /** No DHCP client yet: waiting for the DHCP SA (the IKE_AUTH child, §3.1 b). */
        idle: {
          on: {
            'ike.child': { guard: 'dhcpSaInstalled', target: 'configuring', actions: ['spawnDhcp', 'watchDhcp'] },
          },
        },
        /** DISCOVER … ACK through the DHCP SA (§4.1), relayed by the gateway (§4.2). */
        configuring: {},
        /** The DISCOVER phase gave up: DISCOVER_RESTART's wait, then again. */
        backoff: {
          after: { discoverRestart: { target: 'configuring', actions: 'startDiscover' } },
        },
        /** The address is configured; the tunnel SA for it is being negotiated (§3.1 e). */
        tunnelAsked: {
          on: { 'ike.child': { guard: 'tunnelInstalled', target: 'tunnelUp' } },
        },
        /** The tunnel SA carries the traffic and every later DHCP message (§4.4). */
        tunnelUp: {},
      },
    },
    dhcpSa: {
      initial: 'none',
      on: {
        'ike.closed': { target: '.none' },
        'ike.child': [
          // The first DHCP SA: the DHCP client starts on it (lease region).
          { guard: and(['dhcpSaInstalled', 'noDhcpClient']), target: '.up', actions: 'keepDhcpSlot' },
          { guard: 'dhcpSaInstalled', target: '.up', actions: ['keepDhcpSlot', 'sendHeld'] },
        ],
        'dhcp.send': [
          { guard: 'covered', actions: ['noteRetransmit', 'transmit'] },
          { guard: 'ikeUp', target: '.asking', actions: ['noteRetransmit', 'hold', 'askDhcpSa'] },
          { actions: ['noteRetransmit', 'hold'] },
        ],
      },
      states: {
        none: {},
        /** A DHCP SA (slot `dhcp`) is being negotiated for the held message. */
        asking: {
          on: {
            'dhcp.send': [
              { guard: 'covered', actions: ['noteRetransmit', 'transmit'] },
              { actions: ['noteRetransmit', 'hold'] },
            ],
            'ike.childResponse': [
              { guard: and(['dhcpSaRefused', not('answered'), 'hasDhcpSlot']), target: 'up' },
              { guard: and(['dhcpSaRefused', not('answered')]), target: 'none' },
            ],
          },
        },
        /** A DHCP SA is installed (`dhcpSlot`). */
        up: {
          on: { 'rfc3456.dhcpSaDeleted': { target: 'none' } },
        },
      },
    },
    teardown: {
      initial: 'idle',
      on: {
        'ike.closed': { target: '.idle' },
      },
      states: {
        idle: {
          on: {
            'ike.child': [
              { guard: and(['dhcpSaInstalled', 'atLifetime']), target: 'armed', actions: 'armForLifetime' },
              { guard: and(['tunnelInstalled', 'afterTunnel']), target: 'armed', actions: 'armAfterTunnel' },
            ],
            'dhcp.renewed': {
              guard: and(['exchangeDone', 'afterTunnel']),
              target: 'armed',
              actions: 'armAfterExchange',
            },
          },
        },
        /** The DHCP SA's delete is due (`dhcpSaTeardown`); re-armed by a later trigger. */
        armed: {
          on: {
            'ike.child': [
              {
                guard: and(['dhcpSaInstalled', 'atLifetime']),
                target: 'armed',
                reenter: true,
                actions: 'armForLifetime',
              },
              {
                guard: and(['tunnelInstalled', 'afterTunnel']),
                target: 'armed',
                reenter: true,
                actions: 'armAfterTunnel',
              },
            ],
          },
          after: {
            teardownDelay: { target: 'idle', actions: 'deleteDhcpSa' },
          },
        },
      },
    },
  },
});
