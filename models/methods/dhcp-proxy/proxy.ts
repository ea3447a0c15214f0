/**
 * One DHCP client the gateway runs on a peer's behalf (strongSwan's dhcp plugin, dhcp_socket.c, modelled): the RFC
 * 2131 client machine with chaddr 7a:a7 ‖ 4 bytes of a hash of the IKE identity and client identifier = the identity
 * (client-identity.ts `strongSwanIdentity`), giaddr = the gateway's inside address (replies come back to giaddr:67,
 * RFC 2131 §4.1), optionally option 82 (RFC 3046) naming the IKE SA; 5 tries per phase with waits of 1, 2, 3, 4, 5 s
 * (DHCP_TRIES and `1000 * try` in dhcp_socket.c). Instead of blocking a thread, the IKE_AUTH response waits in the
 * responder's `waitingAddress` state until `onBound` or `onFailed` runs.
 */
import { createActor, type Actor } from 'xstate';
import { strongSwanIdentity, type DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { dhcpClientMachine, type DhcpLeaseInfo } from '../../dhcp/client-machine.ts';
import { buildRelease } from '../../dhcp/client-messages.ts';
import type { RetransmitPolicy } from '../../dhcp/client-timers.ts';
import { relayAgentSubOptions } from '../../dhcp/relay.ts';
import { toHex } from '../../dhcp/options.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import type { ProviderHost } from '../method.ts';
import { RetransmitWatch } from '../rfc3456/retransmit-watch.ts';
import { LeaseGuard } from '../lease-guard.ts';

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
  /** RFC 3527: name this subnet in option 82 when `linkSelection` is on. */
  readonly linkSelectionSubnet?: string;
  readonly linkSelection: boolean;
  /** Delete the IKE SA before a lease that could not be renewed runs out (lease-guard.ts). */
  readonly leaseGuard: boolean;
}

export interface ProxyEvents {
  onBound(lease: DhcpLeaseInfo): void;
  onFailed(reason: string): void;
}

/** The chaddr key replies are dispatched by (hex of the hardware address). */
export function chaddrKey(m: { readonly chaddr: Uint8Array; readonly hlen: number }): string {
  return toHex(m.chaddr.subarray(0, Math.min(16, m.hlen)));
}

export class DhcpProxyClient {
  readonly identity: DhcpClientIdentity;
  private actor: Actor<typeof dhcpClientMachine> | undefined;
  private lease: DhcpLeaseInfo | undefined;
  private lastXid = 0;
  private readonly watch = new RetransmitWatch();
  private readonly guard: LeaseGuard;

  constructor(
    private readonly host: ProviderHost,
    readonly ikeSaId: string,
    readonly peerId: string,
    private readonly s: ProxySettings,
    private readonly events: ProxyEvents,
  ) {
    this.identity = strongSwanIdentity(peerId, s.clientId);
    this.guard = new LeaseGuard(host, ikeSaId, 'proxy');
  }

  /** RFC 2131 §4.4.5: the IKE SA must not outlive the lease its address rests on (lease-guard.ts). */
  private guardLease(lease: DhcpLeaseInfo): void {
    if (!this.s.leaseGuard || lease.expiresAtUs >= Number.MAX_SAFE_INTEGER) return;
    const rebindAtUs = lease.expiresAtUs - Math.round((lease.leaseSecs - lease.t2Secs) * 1_000_000);
    this.guard.arm(lease.address, rebindAtUs, lease.expiresAtUs);
  }

  /** The proxy is dropped (IKE SA gone, crash): the guard has nothing left to protect. */
  dispose(): void {
    this.guard.disarm();
    this.stopMachine();
  }

  get key(): string {
    return chaddrKey(this.identity);
  }

  get address(): string | undefined {
    return this.lease?.address;
  }

  start(): void {
    const host = this.host;
    const actor = createActor(dhcpClientMachine, {
      clock: host.clock,
      input: {
        identity: this.identity,
        rng: host.rng(`dhcp:${this.ikeSaId}`),
        nowUs: () => host.nowUs(),
        ...(this.s.retry === 'strongswan' ? { retransmit: STRONGSWAN_DHCP_RETRANSMIT } : {}),
      },
    });
    actor.on('dhcp.send', (e) => {
      const unicast = e.destination === 'broadcast' ? undefined : e.destination.unicast;
      this.send(e.message, unicast ?? this.s.serverAddress);
    });
    actor.on('dhcp.bound', (e) => {
      this.lease = e;
      host.traceNote('proxy.bound', { peer: this.peerId, address: e.address, leaseSecs: e.leaseSecs });
      this.guardLease(e);
      // strongSwan's plugin never renews: the machine stops here and the lease runs out at the server.
      if (this.s.renewal === 'none') this.stopMachine();
      this.events.onBound(e);
    });
    actor.on('dhcp.renewed', (e) => {
      this.lease = e;
      host.traceNote('lease.renewed', { gateway: host.insideAddress, peer: this.peerId, address: e.address });
      this.guardLease(e);
    });
    actor.on('dhcp.expired', (e) => {
      this.lease = undefined;
      host.traceNote('lease.lost', { gateway: host.insideAddress, peer: this.peerId, address: e.address });
    });
    actor.on('dhcp.gaveUp', (e) => {
      host.traceNote('dhcp.gaveUp', { state: e.state, tries: e.tries, peer: this.peerId });
      // dhcp_socket.c: "DHCP DISCOVER timed out" / "DHCP REQUEST timed out" ⇒ no address.
      if (this.lease === undefined) {
        this.stopMachine();
        this.events.onFailed(`dhcp-${e.state.toLowerCase()}-timeout`);
      }
    });
    actor.on('dhcp.nak', (e) => host.traceNote('proxy.nak', { peer: this.peerId, state: e.state }));
    this.actor = actor;
    host.traceMachine(actor, `dhcp:${this.ikeSaId}`);
    actor.start();
  }

  /** A BOOTREPLY addressed to giaddr (the machine checks xid and chaddr). */
  receive(m: DhcpMessage): void {
    this.actor?.send({ type: 'dhcp.recv', message: m });
  }

  /** RFC 2131 §4.4.6 DHCPRELEASE, unicast to the server (dhcp_socket.c `release`). */
  release(): void {
    const lease = this.lease;
    this.stopMachine();
    if (lease === undefined) return;
    const base = {
      identity: this.identity,
      xid: this.lastXid,
      secs: 0,
      broadcastFlag: false,
      parameterRequestList: [],
    };
    this.send(buildRelease(base, lease.address, lease.serverId), lease.serverId);
    this.host.traceNote('proxy.release', { peer: this.peerId, address: lease.address });
    this.lease = undefined;
  }

  stopMachine(): void {
    this.actor?.stop();
    this.actor = undefined;
  }

  private send(message: DhcpMessage, dst: string): void {
    this.lastXid = message.xid;
    if (this.watch.isRetransmit(message)) this.host.traceNote('dhcp.retransmit', { gateway: this.host.insideAddress });
    const circuitId = new TextEncoder().encode(`ike:${this.ikeSaId}`);
    const linkSelection = this.s.linkSelection ? this.s.linkSelectionSubnet : undefined;
    const options82 =
      this.s.option82 || linkSelection !== undefined
        ? [
            {
              kind: 'relayAgentInfo' as const,
              subOptions: relayAgentSubOptions({ giaddr: this.host.insideAddress, circuitId, linkSelection }),
            },
          ]
        : [];
    // giaddr = our inside address: the server answers to giaddr:67 (RFC 2131 §4.1), where the gateway listens.
    const out: DhcpMessage = {
      ...message,
      giaddr: this.host.insideAddress,
      options: [...message.options, ...options82],
    };
    this.host.sendUdp({ dst, srcPort: 68, dstPort: 67, app: { kind: 'dhcp', message: out } });
  }
}
