/**
 * One proxy session per IKE SA of `mode-cfg-dhcp` (strongSwan's dhcp plugin, dhcp_socket.c, modelled), as an xstate
 * machine: the gateway's DHCP client on the peer's behalf (the RFC 2131 machine, models/dhcp/client-machine.ts, run
 * beside it with chaddr/client identifier from the IKE identity) and what the gateway does with its lease:
 *
 *   discovering (DISCOVERs go out) → requesting (REQUEST) → bound (the IKE_AUTH answered with CP(CFG_REPLY), the
 *   lease guard armed) → renewing (REQUEST with ciaddr, `dhcpRenewal: renew-at-t1`) → bound …; expiring (the lease
 *   guard fired, RFC 2131 §4.4.5); failed (DISCOVER or REQUEST timed out: INTERNAL_ADDRESS_FAILURE); released
 *   (DHCPRELEASE on IKE SA delete, RFC 2131 §4.4.6) or closed.
 *
 * The DHCP client's emitted events are this machine's events (forwarded by the provider); what it sends goes out here
 * with giaddr = the gateway's inside address (replies come back to giaddr:67, RFC 2131 §4.1) and optionally option 82
 * (RFC 3046, RFC 3527). Its DISCOVER/REQUEST retries are the DHCP client's (5 tries, waits of 1–5 s:
 * STRONGSWAN_DHCP_RETRANSMIT, or RFC 2131 §4.1). The lease guard is the named delay `leaseGuard`.
 */
import { assertEvent, enqueueActions, sendTo, setup, type Actor } from 'xstate';
import type { DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import type {
  DhcpClientEmitted,
  DhcpLeaseInfo,
  DhcpStateReport,
  dhcpClientMachine,
} from '../../dhcp/client-machine.ts';
import { buildRelease } from '../../dhcp/client-messages.ts';
import type { RetransmitPolicy } from '../../dhcp/client-timers.ts';
import { messageTypeOf } from '../../dhcp/options.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import { DhcpMessageType } from '../../wire/dhcp/types.ts';
import { isZeroAddress } from '../../wire/ipv4-address.ts';
import type { AddressAnswer } from '../method.ts';
import type { ProviderHost } from '../method.ts';
import * as ikeConfig from '../../ike/tasks/ike-config.ts';
import type { ProxyClientIdForm } from './identity.ts';
import { configOfLease } from '../rfc3456/lease-config.ts';
import { armLeaseGuard, leaseGuardDelayMs, type ArmedLeaseGuard } from '../lease-guard.ts';

/** dhcp_socket.c: DHCP_TRIES 5, `timed_wait(…, 1000 * try)` for DISCOVER and again for REQUEST. */
export const STRONGSWAN_DHCP_RETRANSMIT: RetransmitPolicy = { delaysMs: [1000, 2000, 3000, 4000, 5000], jitterMs: 0 };

export type ProxyRetry = 'strongswan' | 'rfc2131';
export type DhcpRenewal = 'none' | 'renew-at-t1';

export interface ProxySettings {
  readonly serverAddress: string;
  readonly retry: ProxyRetry;
  readonly renewal: DhcpRenewal;
  readonly option82: boolean;
  readonly clientId: boolean;
  /** Option 61 as the plugin writes it (the identity, no type octet) or 00 ‖ identity (identity.ts). */
  readonly clientIdForm: ProxyClientIdForm;
  /** RFC 3527: name this subnet in option 82 when `linkSelection` is on. */
  readonly linkSelectionSubnet?: string;
  readonly linkSelection: boolean;
  /** Delete the IKE SA before a lease that could not be renewed runs out (lease-guard.ts). */
  readonly leaseGuard: boolean;
}

export const PROXY_SESSION_STATES = [
  'discovering',
  'requesting',
  'bound',
  'renewing',
  'expiring',
  'failed',
  'released',
  'closed',
] as const;

export interface ProxySessionInput {
  readonly ikeSaId: string;
  readonly peerId: string;
  readonly host: ProviderHost;
  readonly settings: ProxySettings;
  readonly identity: DhcpClientIdentity;
  /** The RFC 2131 client run on the peer's behalf (started by the provider after this session). */
  readonly dhcp: Actor<typeof dhcpClientMachine>;
  /** The waiting IKE_AUTH round's answer. */
  readonly answer: (a: AddressAnswer) => void;
}

export interface ProxySessionContext extends Omit<ProxySessionInput, 'answer'> {
  /** null once answered (exactly once). */
  readonly answer: ((a: AddressAnswer) => void) | null;
  readonly lease: DhcpLeaseInfo | null;
  /** The xid of the last message sent (dhcp_socket.c releases with it). */
  readonly lastXid: number;
  /** `xid:type` of the last message sent: the same again is a retransmission (RFC 2131 §4.1). */
  readonly lastSent: string;
  readonly guard: ArmedLeaseGuard | null;
  /** The DHCP client was stopped (renewal none, failure, release). */
  readonly dhcpStopped: boolean;
}

export type ProxySessionEvent =
  | DhcpClientEmitted
  /** The client's `dhcp.state` (its emitted type); never sent: this session's client does not report states. */
  | DhcpStateReport
  /** A BOOTREPLY addressed to giaddr, dispatched by chaddr (the DHCP client checks xid and chaddr). */
  | { readonly type: 'proxy.recv'; readonly message: DhcpMessage }
  /** The IKE SA is gone and the lease goes back (`leaseOnDelete: release`, the peer no longer holds it). */
  | { readonly type: 'proxy.release' }
  /** The IKE SA is gone (lease left to run out), or replaced by a new IKE_AUTH on the same SA. */
  | { readonly type: 'proxy.drop' }
  /** The responder answered INTERNAL_ADDRESS_FAILURE first (addressTimeoutMs): the peer will not use a lease now. */
  | { readonly type: 'proxy.abandon' }
  | { readonly type: 'timer.leaseGuard' };

/** What the session asks its provider to do after the step (outside the session's own transition). */
export type ProxySessionEmitted =
  | { readonly type: 'proxy.answer'; readonly answer: (a: AddressAnswer) => void; readonly result: AddressAnswer }
  /** The SA's guard point is reached (the SA named here: the provider's one listener serves every session). */
  | { readonly type: 'proxy.leaseGuard'; readonly ikeSaId: string; readonly guard: ArmedLeaseGuard };

type Ctx = ProxySessionContext;

function assertRecv(e: ProxySessionEvent): Extract<ProxySessionEvent, { type: 'proxy.recv' }> {
  assertEvent(e, 'proxy.recv');
  return e;
}

function sendKey(m: DhcpMessage): string {
  return `${m.xid >>> 0}:${messageTypeOf(m) ?? 0}`;
}

/**
 * To the server with giaddr = our inside address (RFC 2131 §4.1) and secs 0: dhcp_socket.c `prepare_dhcp` zeroes the
 * message and sets only op, htype, hlen, xid, giaddr, chaddr and the options, so the plugin sends no option 82 and
 * never counts secs, retransmissions included. Option 82 is a lab extension, off by default: `proxyOption82` adds
 * circuit-id = ike:<IKE SA> (RFC 3046 §2.0), `proxyLinkSelection` adds the link-selection sub-option (RFC 3527 §3),
 * each on its own (RFC 3046 §2.0 asks for at least one sub-option, not for the circuit-id).
 */
function sendToServer(c: Ctx, message: DhcpMessage, dst: string): void {
  const s = c.settings;
  const linkSelection = s.linkSelection ? s.linkSelectionSubnet : undefined;
  const subOptions = [
    ...(s.option82 ? [{ kind: 'circuitId' as const, data: new TextEncoder().encode(`ike:${c.ikeSaId}`) }] : []),
    ...(linkSelection !== undefined ? [{ kind: 'linkSelection' as const, subnet: linkSelection }] : []),
  ];
  const options82 = subOptions.length > 0 ? [{ kind: 'relayAgentInfo' as const, subOptions }] : [];
  const out: DhcpMessage = {
    ...message,
    secs: 0,
    giaddr: c.host.insideAddress,
    options: [...message.options, ...options82],
  };
  c.host.sendUdp({ dst, srcPort: 68, dstPort: 67, app: { kind: 'dhcp', message: out } });
}

/** RFC 2131 §4.4.5: the IKE SA must not outlive the lease its address rests on (lease-guard.ts). */
function guardOf(c: Ctx, lease: DhcpLeaseInfo): ArmedLeaseGuard | null {
  if (!c.settings.leaseGuard || lease.expiresAtUs >= Number.MAX_SAFE_INTEGER) return c.guard;
  const rebindAtUs = lease.expiresAtUs - Math.round((lease.leaseSecs - lease.t2Secs) * 1_000_000);
  return armLeaseGuard(lease.address, rebindAtUs, lease.expiresAtUs);
}

function leaseOf(e: ProxySessionEvent): DhcpLeaseInfo | null {
  if (e.type !== 'dhcp.bound' && e.type !== 'dhcp.renewed') return null;
  const { type: _type, ...lease } = e;
  return lease;
}

export const proxySessionMachine = setup({
  types: {
    context: {} as ProxySessionContext,
    events: {} as ProxySessionEvent,
    input: {} as ProxySessionInput,
    emitted: {} as ProxySessionEmitted,
  },
  delays: {
    leaseGuard: ({ context }) => leaseGuardDelayMs(context.guard, context.host.nowUs()),
  },
  guards: {
    sendsDiscover: ({ event }) =>
      event.type === 'dhcp.send' && messageTypeOf(event.message) === DhcpMessageType.DISCOVER,
    /** RFC 2131 §4.3.2: a REQUEST with ciaddr is a renewal (RENEWING or REBINDING). */
    sendsRenewal: ({ event }) =>
      event.type === 'dhcp.send' &&
      messageTypeOf(event.message) === DhcpMessageType.REQUEST &&
      !isZeroAddress(event.message.ciaddr),
    sendsRequest: ({ event }) => event.type === 'dhcp.send' && messageTypeOf(event.message) === DhcpMessageType.REQUEST,
    /** dhcp_socket.c: "DHCP DISCOVER timed out" / "DHCP REQUEST timed out" with no lease ⇒ no address. */
    noLease: ({ context }) => context.lease === null,
    dhcpRunning: ({ context }) => !context.dhcpStopped,
    answerPending: ({ context }) => context.answer !== null,
    guardArmed: ({ context }) => context.guard !== null,
    renewsNever: ({ context }) => context.settings.renewal === 'none',
  },
  actions: {
    send: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'dhcp.send') return;
      const m = event.message;
      const key = sendKey(m);
      if (key === context.lastSent) context.host.traceNote('dhcp.retransmit', { gateway: context.host.insideAddress });
      enqueue.assign({ lastXid: m.xid, lastSent: key });
      const unicast = event.destination === 'broadcast' ? undefined : event.destination.unicast;
      sendToServer(context, m, unicast ?? context.settings.serverAddress);
    }),
    receive: sendTo(
      ({ context }) => context.dhcp,
      ({ event }) => ({ type: 'dhcp.recv' as const, message: assertRecv(event).message }),
    ),
    /** ACK (bound or renewed): the lease, and the guard moved with it. */
    takeLease: enqueueActions(({ context, event, enqueue }) => {
      const lease = leaseOf(event);
      if (lease === null) return;
      const host = context.host;
      if (event.type === 'dhcp.bound')
        host.traceNote('proxy.bound', { peer: context.peerId, address: lease.address, leaseSecs: lease.leaseSecs });
      else
        host.traceNote('lease.renewed', { gateway: host.insideAddress, peer: context.peerId, address: lease.address });
      const guard = guardOf(context, lease);
      enqueue.assign({ lease, guard });
      if (guard !== context.guard) {
        enqueue.cancel('leaseGuard');
        enqueue.raise({ type: 'timer.leaseGuard' }, { id: 'leaseGuard', delay: 'leaseGuard' });
      }
    }),
    /** strongSwan's plugin never renews: the DHCP client stops here and the lease runs out at the server. */
    stopDhcp: enqueueActions(({ context, enqueue }) => {
      if (context.dhcpStopped) return;
      context.dhcp.stop();
      enqueue.assign({ dhcpStopped: true });
    }),
    /** RFC 7296 §2.19: CP(CFG_REPLY) with the ACK's address, netmask and DNS servers, once. */
    answerBound: enqueueActions(({ context, event, enqueue }) => {
      const lease = leaseOf(event);
      const answer = context.answer;
      if (lease === null || answer === null) return;
      const config = configOfLease(lease);
      context.host.traceNote('proxy.answer', { peer: context.peerId, address: config.address });
      enqueue.assign({ answer: null });
      enqueue.emit({
        type: 'proxy.answer',
        answer,
        result: { ok: true, config, replyPayloads: [ikeConfig.buildR(config)] },
      });
    }),
    loseLease: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'dhcp.expired') return;
      const host = context.host;
      host.traceNote('lease.lost', { gateway: host.insideAddress, peer: context.peerId, address: event.address });
      enqueue.assign({ lease: null });
    }),
    noteNak: ({ context, event }) => {
      if (event.type === 'dhcp.nak') context.host.traceNote('proxy.nak', { peer: context.peerId, state: event.state });
    },
    noteGaveUp: ({ context, event }) => {
      if (event.type === 'dhcp.gaveUp')
        context.host.traceNote('dhcp.gaveUp', { state: event.state, tries: event.tries, peer: context.peerId });
    },
    fail: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'dhcp.gaveUp') return;
      context.host.traceNote('proxy.failed', {
        peer: context.peerId,
        reason: `dhcp-${event.state.toLowerCase()}-timeout`,
      });
      enqueue.assign({ answer: null });
      if (context.answer !== null)
        enqueue.emit({
          type: 'proxy.answer',
          answer: context.answer,
          result: { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' },
        });
    }),
    noteAbandoned: ({ context }) => context.host.traceNote('proxy.abandoned', { peer: context.peerId }),
    fireGuard: enqueueActions(({ context, enqueue }) => {
      if (context.guard !== null)
        enqueue.emit({ type: 'proxy.leaseGuard', ikeSaId: context.ikeSaId, guard: context.guard });
    }),
    disarmGuard: enqueueActions(({ enqueue }) => {
      enqueue.cancel('leaseGuard');
      enqueue.assign({ guard: null });
    }),
    /** RFC 2131 §4.4.6 DHCPRELEASE, unicast to the server (dhcp_socket.c `release`). */
    sendRelease: enqueueActions(({ context, enqueue }) => {
      const lease = context.lease;
      if (lease === null) return;
      const base = {
        identity: context.identity,
        xid: context.lastXid,
        secs: 0,
        broadcastFlag: false,
        parameterRequestList: [],
      };
      sendToServer(context, buildRelease(base, lease.address, lease.serverId), lease.serverId);
      context.host.traceNote('proxy.release', { peer: context.peerId, address: lease.address });
      enqueue.assign({ lease: null });
    }),
  },
}).createMachine({
  id: 'proxySession',
  context: ({ input }) => ({
    ...input,
    lease: null,
    lastXid: 0,
    lastSent: '',
    guard: null,
    dhcpStopped: false,
  }),
  initial: 'discovering',
  states: {
    discovering: {},
    requesting: {},
    bound: {},
    renewing: {},
    expiring: {},
    failed: { type: 'final', entry: ['disarmGuard', 'stopDhcp'] },
    released: { type: 'final', entry: ['disarmGuard', 'stopDhcp'] },
    closed: { type: 'final', entry: ['disarmGuard', 'stopDhcp'] },
  },
  on: {
    'dhcp.send': [
      { guard: 'sendsDiscover', target: '.discovering', actions: 'send' },
      { guard: 'sendsRenewal', target: '.renewing', actions: 'send' },
      { guard: 'sendsRequest', target: '.requesting', actions: 'send' },
      { actions: 'send' },
    ],
    'proxy.recv': { guard: 'dhcpRunning', actions: 'receive' },
    'dhcp.bound': [
      { guard: 'renewsNever', target: '.bound', actions: ['takeLease', 'stopDhcp', 'answerBound'] },
      { target: '.bound', actions: ['takeLease', 'answerBound'] },
    ],
    'dhcp.renewed': { target: '.bound', actions: 'takeLease' },
    'dhcp.expired': { target: '.discovering', actions: 'loseLease' },
    'dhcp.nak': { actions: 'noteNak' },
    'dhcp.gaveUp': [
      { guard: 'noLease', target: '.failed', actions: ['noteGaveUp', 'stopDhcp', 'fail'] },
      { actions: 'noteGaveUp' },
    ],
    'timer.leaseGuard': { guard: 'guardArmed', target: '.expiring', actions: 'fireGuard' },
    'proxy.abandon': { guard: 'answerPending', target: '.closed', actions: 'noteAbandoned' },
    'proxy.release': { target: '.released', actions: ['stopDhcp', 'sendRelease'] },
    'proxy.drop': { target: '.closed' },
  },
});
