/**
 * The RFC 3456 client on IKEv2 (method `dhcp-over-ipsec`): the DHCP client of the virtual (intranet) interface runs
 * over UDP through the client's SPD.
 *
 * 1. IKE_AUTH carries SAi2 for the DHCP SA: TSi 0.0.0.0/0 UDP 68, TSr 0.0.0.0/0 UDP 67, no CP (§3.1 b, §4.1).
 * 2. The RFC 2131 client (htype 31, chaddr x'4000' ‖ outer address ‖ octet, client identifier = htype/chaddr, §4.1
 *    (a); BROADCAST bit zero, §4.1 table 1) sends DISCOVER/REQUEST; the SPD seals them into the DHCP SA; the gateway
 *    relays (§4.2) and sends the replies down the same SA (§4.3, §4.4).
 * 3. After the ACK: the inner address is configured and a CREATE_CHILD_SA asks for the tunnel SA with TSi = the
 *    leased address (§3.1 e "the new address … SHOULD be used in the quick mode ID").
 * 4. The DHCP SA is deleted (§3.1 d "MAY request deletion", §4.4) — when, is the `dhcpSaTeardown` policy.
 * 5. Renewals: the client unicasts REQUEST from its leased address to the server; the tunnel SA (more specific than
 *    the DHCP SA, client-spd.ts rule 1) carries it (§4.4 "All future DHCP messages … will use the newly established
 *    VPN SA").
 * 6. No DHCP message leaves in the clear (RFC 3456 §3: the client brings a DHCP SA up for every DHCP exchange): a
 *    message no Child SA covers — a REBINDING broadcast, a DISCOVER after the DHCP SA is gone — waits while a new
 *    DHCP SA (slot `dhcp`) is negotiated, then goes through it; a DHCP SA brought up for a renewal goes again after
 *    the ACK (`dhcpSaTeardown`).
 * A lost lease (NAK, expiry) withdraws the address, deletes the tunnel SA and starts again at DISCOVER; a tunnel SA
 * asked for a lease that was lost before the CREATE_CHILD_SA answer came is refused and deleted, never installed
 * (§3.1 e: the tunnel SA is for the leased address). A DISCOVER
 * phase that gives up (RFC 2131 §4.1) starts again after a bounded backoff, forever (RFC 2131 sets no limit).
 */
import { createActor, type Actor } from 'xstate';
import { HTYPE_IPSEC_TUNNEL, ipsecTunnelIdentity, type DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { dhcpClientMachine, type DhcpDestination } from '../../dhcp/client-machine.ts';
import { tsForAddress, tsFullRange } from '../../wire/ike/index.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import { drawJitterMs, nominalRetransmitMs, type RetransmitPolicy } from '../../dhcp/client-timers.ts';
import type { RandomStream } from '../../contract.ts';
import type {
  ChildExchangeInfo,
  ClientMethodContext,
  ClientMethodFactory,
  ClientMethodTasks,
  UdpDatagram,
} from '../method.ts';
import { configOfLease } from './lease-config.ts';
import { RetransmitWatch } from './retransmit-watch.ts';
import { childCovers, DHCP_CLIENT_PORT, DHCP_SA_SELECTORS, DHCP_SERVER_PORT } from './selectors.ts';

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
}

export const DEFAULT_RFC3456_CLIENT: Rfc3456ClientOptions = {
  dhcpSaTeardown: 'after-tunnel',
  dhcpSaLifetimeMs: 300_000,
  dhcpSaDeleteDelayMs: 0,
  chaddrOctet: 0,
};

export const TUNNEL_SLOT = 'tunnel';

/** A tunnel SA's slot: `tunnel`, or `tunnel.<lease epoch>` while `tunnel` is still taken by a doomed one. */
function isTunnelSlot(slot: string): boolean {
  return slot === TUNNEL_SLOT || slot.startsWith(`${TUNNEL_SLOT}.`);
}
/** The first DHCP SA is the IKE_AUTH child (`main`); a later one (after a lost lease) is `dhcp`. */
export const MAIN_SLOT = 'main';
export const DHCP_SLOT = 'dhcp';

/** §4.1: htype 31, chaddr from the outer address; client identifier (option 61) = htype ‖ chaddr, choice (a). */
/**
 * The wait before DISCOVER starts again after a DISCOVER phase gave up: RFC 2131 sets no limit on DISCOVERs and §4.1
 * caps one wait at 64 s, so 4 s doubling to 64 s, ±1 s, for ever.
 */
export const DISCOVER_RESTART: RetransmitPolicy = { baseMs: 4_000, maxMs: 64_000, jitterMs: 1_000, triesMax: 1 };

export function rfc3456Identity(outerAddress: string, octet: number): DhcpClientIdentity {
  const id = ipsecTunnelIdentity({ outerAddress, octet });
  return { ...id, clientId: { type: HTYPE_IPSEC_TUNNEL, data: id.chaddr.slice(0, id.hlen) } };
}

export function rfc3456Client(options: Rfc3456ClientOptions = DEFAULT_RFC3456_CLIENT): ClientMethodFactory {
  return (ctx) => new Rfc3456Client(ctx, options).tasks();
}

class Rfc3456Client {
  private dhcp: Actor<typeof dhcpClientMachine> | undefined;
  private lease: string | undefined;
  /** The slot of the live DHCP SA, if any. */
  private dhcpSlot: string | undefined;
  private cancelTeardown: (() => void) | undefined;
  private readonly watch = new RetransmitWatch();
  private readonly rng: RandomStream;
  /** A DHCP SA asked for and not installed yet. */
  private dhcpSaPending = false;
  /** The last DHCP message no Child SA covered: it goes once the DHCP SA is up (the machine retransmits anyway). */
  private held: UdpDatagram | undefined;
  /** DISCOVER phases given up in a row, and the restart timer (V5). */
  private restarts = 0;
  private cancelRestart: (() => void) | undefined;
  private restartRng: RandomStream | undefined;
  /** Bumped when a lease is lost: a tunnel SA asked for under an older epoch is for a lease no longer held. */
  private leaseEpoch = 0;
  /**
   * The lease epoch each tunnel slot was asked under, from the request until its answer fails or is refused, or its
   * lease is lost. Its rekeys stand or fall with that lease.
   */
  private readonly tunnelSlots = new Map<string, number>();

  constructor(
    private readonly ctx: ClientMethodContext,
    private readonly o: Rfc3456ClientOptions,
  ) {
    this.rng = ctx.rng('dhcp');
  }

  tasks(): ClientMethodTasks {
    return {
      childInAuth: true,
      // §3.1 b: no configuration payload; the DHCP SA is the IKE_AUTH child.
      authRequestPayloads: () => [],
      authChildSelectors: () => DHCP_SA_SELECTORS,
      processAuthResponse: (_resp, errors) => {
        const first = errors[0];
        return first === undefined ? { kind: 'configured', config: undefined } : { kind: 'failed', notify: first };
      },
      onChild: (child, rekey) => {
        if (rekey) return;
        if (child.slot === MAIN_SLOT || child.slot === DHCP_SLOT) this.onDhcpSa(child.slot);
        else if (isTunnelSlot(child.slot)) this.onTunnelSa();
      },
      onUdp: (d, slot) => {
        if (d.app.kind !== 'dhcp' || d.dstPort !== DHCP_CLIENT_PORT) return;
        this.ctx.traceNote('rfc3456.recv', { slot });
        this.dhcp?.send({ type: 'dhcp.recv', message: d.app.message });
      },
      processChildResponse: (info, _resp, errors) => {
        if (isTunnelSlot(info.slot) && !this.tunnelStillWanted(info)) {
          if (!info.rekey) this.tunnelSlots.delete(info.slot);
          // RFC 3456 §3.1 e: the tunnel SA is for the leased address, and that lease is gone (RFC 2131 §4.4.5): the
          // SA the gateway created (new or rekeyed) is deleted at once (RFC 7296 §1.4.1), not installed with a TSi we
          // do not hold; a rekeyed-away tunnel SA goes with the delete `lost` queued.
          const tsi = info.selectors.tsi[0];
          const address = tsi?.kind === 'ipv4Range' ? tsi.startAddress : 'none';
          this.ctx.traceNote('rfc3456.tunnelStale', { tsi: address, rekey: info.rekey });
          return { kind: 'reject', reason: 'lease-lost' };
        }
        const failed = errors[0];
        if (failed === undefined) return { kind: 'accept' };
        if (isTunnelSlot(info.slot) && !info.rekey) this.tunnelSlots.delete(info.slot);
        // The DHCP SA was refused: the next DHCP transmission (the machine retransmits) asks again.
        if (info.slot === DHCP_SLOT && !info.rekey) this.dhcpSaPending = false;
        return { kind: 'reject', reason: failed };
      },
      onIkeClosed: () => this.stopAll(),
      stop: () => this.stopAll(),
    };
  }

  private onDhcpSa(slot: string): void {
    this.dhcpSlot = slot;
    this.dhcpSaPending = false;
    if (this.o.dhcpSaTeardown === 'at-lifetime') this.armTeardown(this.o.dhcpSaLifetimeMs, 'lifetime');
    if (this.dhcp === undefined) {
      this.startDhcp();
      return;
    }
    // RFC 3456 §3: the DHCP SA this exchange waited for is up: its message goes now.
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.transmit(held);
  }

  /** A DHCP SA that was brought back for a renewal goes again once the exchange is over (§3.1 d, §4.4). */
  private exchangeDone(): void {
    if (this.dhcpSlot === undefined || this.cancelTeardown !== undefined) return;
    // Only a tunnel SA of the lease held now carries the next renewal (one of a lost lease is being deleted).
    const live = (slot: string): boolean => isTunnelSlot(slot) && this.tunnelSlots.get(slot) === this.leaseEpoch;
    if (!this.ctx.children().some((c) => live(c.slot))) return;
    if (this.o.dhcpSaTeardown === 'after-tunnel') this.armTeardown(this.o.dhcpSaDeleteDelayMs, 'after-exchange');
  }

  private onTunnelSa(): void {
    if (this.o.dhcpSaTeardown === 'after-tunnel') this.armTeardown(this.o.dhcpSaDeleteDelayMs, 'after-tunnel');
  }

  private armTeardown(delayMs: number, why: string): void {
    this.cancelTeardown?.();
    this.cancelTeardown = this.ctx.setTimerUs(delayMs * 1000, 'rfc3456.dhcpSaTeardown', () => {
      this.cancelTeardown = undefined;
      const slot = this.dhcpSlot;
      if (slot === undefined) return;
      this.dhcpSlot = undefined;
      this.ctx.traceNote('rfc3456.dhcpSaDelete', { slot, why });
      this.ctx.deleteChild(slot); // §3.1 d, §4.4
    });
  }

  private startDhcp(): void {
    this.dhcp?.stop();
    const ctx = this.ctx;
    const actor = createActor(dhcpClientMachine, {
      clock: ctx.clock,
      input: {
        identity: rfc3456Identity(ctx.outerAddress, this.o.chaddrOctet),
        rng: this.rng,
        nowUs: () => ctx.nowUs(),
        broadcastFlag: false, // §4.1 table 1: "Broadcast bit MUST be set to zero"
      },
    });
    // A stopped actor may still finish its transition (expiry → INIT → DISCOVER): only the live one sends.
    actor.on('dhcp.send', (e) => {
      if (this.dhcp === actor) this.send(e.message, e.destination);
    });
    actor.on('dhcp.bound', (e) => {
      this.lease = e.address;
      this.restarts = 0;
      ctx.configure(configOfLease(e));
      // §3.1 e: the tunnel SA for the leased address; TSr as wide as the gateway allows (it narrows).
      const slot = this.freeTunnelSlot();
      this.tunnelSlots.set(slot, this.leaseEpoch);
      ctx.requestChild({ slot, selectors: { tsi: [tsForAddress(e.address)], tsr: [tsFullRange()] } });
    });
    actor.on('dhcp.renewed', (e) => {
      ctx.traceNote('lease.renewed', { address: e.address, leaseSecs: e.leaseSecs });
      this.exchangeDone();
    });
    actor.on('dhcp.expired', (e) => this.lost(e.address, 'expired'));
    actor.on('dhcp.nak', (e) => {
      if (e.withdrawn !== null) this.lost(e.withdrawn, 'nak');
    });
    actor.on('dhcp.gaveUp', (e) => {
      ctx.traceNote('dhcp.gaveUp', { state: e.state, tries: e.tries });
      if (e.state === 'SELECTING' && this.dhcp === actor) this.armRestart();
    });
    this.dhcp = actor;
    ctx.traceMachine(actor, 'dhcp');
    actor.start();
  }

  /**
   * The lease is gone (RFC 2131 §4.4.5): withdraw the address, drop the tunnel SA bound to it, start again at DISCOVER
   * (its DISCOVER waits for a DHCP SA if none is up, `send`).
   */
  private lost(address: string, why: string): void {
    this.ctx.traceNote('lease.lost', { address, why });
    this.lease = undefined;
    this.leaseEpoch += 1;
    this.held = undefined;
    this.ctx.configure(undefined);
    // Installed tunnel SAs go now; one still being asked for is refused at its answer (`tunnelStillWanted`).
    for (const c of this.ctx.children()) {
      if (!isTunnelSlot(c.slot)) continue;
      this.tunnelSlots.delete(c.slot);
      this.ctx.deleteChild(c.slot);
    }
    this.startDhcp();
  }

  /**
   * The slot for a new tunnel SA: `tunnel`, unless a tunnel SA of a lost lease still holds it (its delete is queued
   * behind the exchange in flight, RFC 7296 §2.3 window) or an answer for one is still due — the IKE side would turn a
   * request for a held slot into a rekey of the doomed SA, and match a late answer to the wrong lease.
   */
  private freeTunnelSlot(): string {
    const held = this.tunnelSlots.has(TUNNEL_SLOT) || this.ctx.children().some((c) => c.slot === TUNNEL_SLOT);
    return held ? `${TUNNEL_SLOT}.${this.leaseEpoch}` : TUNNEL_SLOT;
  }

  /**
   * Whether the answered tunnel CREATE_CHILD_SA (new or rekey) is still for the lease held now: its slot was asked
   * under the current lease epoch and its TSi is the leased address. One asked before the lease was lost (and maybe
   * granted again, even the same address: that bound asked for its own tunnel SA) is stale.
   */
  private tunnelStillWanted(info: ChildExchangeInfo): boolean {
    if (this.tunnelSlots.get(info.slot) !== this.leaseEpoch) return false;
    const lease = this.lease;
    return lease !== undefined && info.selectors.tsi.some((s) => s.kind === 'ipv4Range' && s.startAddress === lease);
  }

  /** V5: the DISCOVER phase gave up; start it again after the next backoff wait (RFC 2131 sets no limit). */
  private armRestart(): void {
    this.cancelRestart?.();
    this.restartRng ??= this.ctx.rng('dhcp-restart');
    const waitMs = nominalRetransmitMs(DISCOVER_RESTART, this.restarts) + drawJitterMs(this.restartRng, 1_000);
    this.restarts += 1;
    this.ctx.traceNote('dhcp.restartIn', { waitMs, attempt: this.restarts });
    this.cancelRestart = this.ctx.setTimerUs(waitMs * 1000, 'rfc3456.dhcpRestart', () => {
      this.cancelRestart = undefined;
      this.dhcp?.send({ type: 'cmd.start' });
    });
  }

  private send(message: DhcpMessage, destination: DhcpDestination): void {
    if (this.watch.isRetransmit(message)) this.ctx.traceNote('dhcp.retransmit', { client: this.ctx.outerAddress });
    const d: UdpDatagram = {
      src: this.lease ?? '0.0.0.0',
      dst: destination === 'broadcast' ? '255.255.255.255' : destination.unicast,
      srcPort: DHCP_CLIENT_PORT,
      dstPort: DHCP_SERVER_PORT,
      app: { kind: 'dhcp', message },
    };
    if (childCovers(this.ctx.children(), d)) {
      this.transmit(d);
      return;
    }
    // RFC 3456 §3: no SA covers it (the DHCP SA was deleted; a REBINDING broadcast is outside the tunnel SA's TSr):
    // never in the clear — it waits for a new DHCP SA.
    this.held = d;
    this.ctx.traceNote('rfc3456.held', { dst: d.dst });
    if (this.dhcpSaPending || !this.ctx.ikeUp()) return;
    this.dhcpSaPending = true;
    this.ctx.requestChild({ slot: DHCP_SLOT, selectors: DHCP_SA_SELECTORS });
  }

  private transmit(d: UdpDatagram): void {
    this.ctx.sendUdp(d);
  }

  private stopAll(): void {
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    this.restarts = 0;
    this.held = undefined;
    this.dhcpSaPending = false;
    this.cancelTeardown?.();
    this.cancelTeardown = undefined;
    this.dhcp?.stop();
    this.dhcp = undefined;
    this.lease = undefined;
    this.dhcpSlot = undefined;
    // The IKE SA (and its queue) is gone: no tunnel answer is coming for these.
    this.tunnelSlots.clear();
  }
}
