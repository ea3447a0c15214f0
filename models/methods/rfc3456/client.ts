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
 * A lost lease (NAK, expiry) withdraws the address, deletes the tunnel SA and asks for a new DHCP SA (slot `dhcp`).
 */
import { createActor, type Actor } from 'xstate';
import { HTYPE_IPSEC_TUNNEL, ipsecTunnelIdentity, type DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { dhcpClientMachine, type DhcpDestination } from '../../dhcp/client-machine.ts';
import { tsForAddress, tsFullRange } from '../../wire/ike/index.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import type { ClientMethodContext, ClientMethodFactory, ClientMethodTasks } from '../method.ts';
import { configOfLease } from './lease-config.ts';
import { RetransmitWatch } from './retransmit-watch.ts';
import { DHCP_CLIENT_PORT, DHCP_SA_SELECTORS, DHCP_SERVER_PORT } from './selectors.ts';

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
/** The first DHCP SA is the IKE_AUTH child (`main`); a later one (after a lost lease) is `dhcp`. */
export const MAIN_SLOT = 'main';
export const DHCP_SLOT = 'dhcp';

/** §4.1: htype 31, chaddr from the outer address; client identifier (option 61) = htype ‖ chaddr, choice (a). */
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
  private readonly rng;

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
        else if (child.slot === TUNNEL_SLOT) this.onTunnelSa();
      },
      onUdp: (d, slot) => {
        if (d.app.kind !== 'dhcp' || d.dstPort !== DHCP_CLIENT_PORT) return;
        this.ctx.traceNote('rfc3456.recv', { slot });
        this.dhcp?.send({ type: 'dhcp.recv', message: d.app.message });
      },
      onIkeClosed: () => this.stopAll(),
      stop: () => this.stopAll(),
    };
  }

  private onDhcpSa(slot: string): void {
    this.dhcpSlot = slot;
    if (this.o.dhcpSaTeardown === 'at-lifetime') this.armTeardown(this.o.dhcpSaLifetimeMs, 'lifetime');
    this.startDhcp();
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
      ctx.configure(configOfLease(e));
      // §3.1 e: the tunnel SA for the leased address; TSr as wide as the gateway allows (it narrows).
      ctx.requestChild({ slot: TUNNEL_SLOT, selectors: { tsi: [tsForAddress(e.address)], tsr: [tsFullRange()] } });
    });
    actor.on('dhcp.renewed', (e) => ctx.traceNote('lease.renewed', { address: e.address, leaseSecs: e.leaseSecs }));
    actor.on('dhcp.expired', (e) => this.lost(e.address, 'expired'));
    actor.on('dhcp.nak', (e) => {
      if (e.withdrawn !== null) this.lost(e.withdrawn, 'nak');
    });
    actor.on('dhcp.gaveUp', (e) => ctx.traceNote('dhcp.gaveUp', { state: e.state, tries: e.tries }));
    this.dhcp = actor;
    ctx.traceMachine(actor, 'dhcp');
    actor.start();
  }

  /** The lease is gone: withdraw the address, drop the tunnel SA, get a DHCP SA for the new exchange. */
  private lost(address: string, why: string): void {
    this.ctx.traceNote('lease.lost', { address, why });
    this.lease = undefined;
    this.ctx.configure(undefined);
    this.ctx.deleteChild(TUNNEL_SLOT);
    this.dhcp?.stop();
    this.dhcp = undefined;
    if (this.dhcpSlot === undefined) this.ctx.requestChild({ slot: DHCP_SLOT, selectors: DHCP_SA_SELECTORS });
    else this.startDhcp();
  }

  private send(message: DhcpMessage, destination: DhcpDestination): void {
    if (this.watch.isRetransmit(message)) this.ctx.traceNote('dhcp.retransmit', { client: this.ctx.outerAddress });
    const dst = destination === 'broadcast' ? '255.255.255.255' : destination.unicast;
    this.ctx.sendUdp({
      src: this.lease ?? '0.0.0.0',
      dst,
      srcPort: DHCP_CLIENT_PORT,
      dstPort: DHCP_SERVER_PORT,
      app: { kind: 'dhcp', message },
    });
  }

  private stopAll(): void {
    this.cancelTeardown?.();
    this.cancelTeardown = undefined;
    this.dhcp?.stop();
    this.dhcp = undefined;
    this.lease = undefined;
    this.dhcpSlot = undefined;
  }
}
