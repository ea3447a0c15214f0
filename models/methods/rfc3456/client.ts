/**
 * The RFC 3456 client on IKEv2 (method `dhcp-over-ipsec`): the DHCP client of the virtual (intranet) interface runs
 * over UDP through the client's SPD; client-machine.ts orchestrates DHCP SA → DHCP → tunnel SA → delete DHCP SA.
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
 * 6. No DHCP message leaves in the clear (RFC 3456 §3): a message no Child SA covers waits for a new DHCP SA.
 * This file is the IKE initiator's hooks over the machine: each hook sends an event and reads the machine's answer.
 */
import { HTYPE_IPSEC_TUNNEL, ipsecTunnelIdentity, type DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import type { Actor } from 'xstate';
import type { ChildSelectors } from '../../ike/hooks.ts';
import type { IkeMessage, IkePayload } from '../../wire/ike/index.ts';
import type {
  ChildExchangeInfo,
  ClientAuthOutcome,
  ClientChildOutcome,
  ClientChildView,
  ClientMethodContext,
  ClientMethodFactory,
  ClientMethodTasks,
  UdpDatagram,
} from '../method.ts';
import {
  RFC3456_MACHINE,
  rfc3456ClientMachine,
  type Rfc3456ClientOptions,
  type Rfc3456Emitted,
  type Rfc3456Event,
} from './client-machine.ts';
import { DHCP_CLIENT_PORT, dhcpSaSelectors } from './selectors.ts';
import { labActor } from '../../../sim/statechart/runtime-choice.ts';

export {
  DHCP_SLOT,
  DISCOVER_RESTART,
  MAIN_SLOT,
  TUNNEL_SLOT,
  type DhcpSaTeardown,
  type Rfc3456ClientOptions,
} from './client-machine.ts';

export const DEFAULT_RFC3456_CLIENT: Rfc3456ClientOptions = {
  dhcpSaTeardown: 'after-tunnel',
  dhcpSaLifetimeMs: 300_000,
  dhcpSaDeleteDelayMs: 0,
  chaddrOctet: 0,
  dhcpSaSelectors: 'wildcard',
};

/** §4.1: htype 31, chaddr from the outer address; client identifier (option 61) = htype ‖ chaddr, choice (a). */
export function rfc3456Identity(outerAddress: string, octet: number): DhcpClientIdentity {
  const id = ipsecTunnelIdentity({ outerAddress, octet });
  // A literal, not `{ ...id, clientId }`: V8 gives each spread copy a map of its own (~190 B per client).
  return {
    htype: id.htype,
    hlen: id.hlen,
    chaddr: id.chaddr,
    clientId: { type: HTYPE_IPSEC_TUNNEL, data: id.chaddr.slice(0, id.hlen) },
  };
}

const CLOSED: Rfc3456Event = { type: 'ike.closed' };

export function rfc3456Client(options: Rfc3456ClientOptions = DEFAULT_RFC3456_CLIENT): ClientMethodFactory {
  return (ctx) => {
    const actor = labActor(rfc3456ClientMachine, {
      clock: ctx.clock,
      input: { ctx, options, identity: rfc3456Identity(ctx.outerAddress, options.chaddrOctet) },
    });
    // One listener function for both emitted requests of every client (each names its context).
    actor.on('*', toContext);
    ctx.traceMachine(actor, RFC3456_MACHINE);
    actor.start();
    return new Rfc3456Tasks(actor, ctx, options);
  };
}

/** What the machine asks of the IKE side (Rfc3456Emitted), done through the method context it names. */
function toContext(e: Rfc3456Emitted): void {
  if (e.type === 'method.requestChild') e.ctx.requestChild(e.request);
  else e.ctx.deleteChild(e.slot);
}

type Rfc3456Actor = Actor<typeof rfc3456ClientMachine>;

/**
 * The hooks as one object whose methods sit on the prototype: the tasks live as long as the client, and eight
 * closures over the actor (plus their shared scope) were ~500 B per client; an instance is its three fields.
 */
class Rfc3456Tasks implements ClientMethodTasks {
  readonly childInAuth = true;

  constructor(
    private readonly actor: Rfc3456Actor,
    private readonly ctx: ClientMethodContext,
    private readonly options: Rfc3456ClientOptions,
  ) {}

  /** §3.1 b: no configuration payload; the DHCP SA is the IKE_AUTH child. */
  authRequestPayloads(): IkePayload[] {
    return [];
  }

  authChildSelectors(): ChildSelectors {
    return dhcpSaSelectors(this.options.dhcpSaSelectors, this.ctx.gatewayAddress);
  }

  processAuthResponse(_resp: IkeMessage, errors: readonly string[]): ClientAuthOutcome {
    const first = errors[0];
    return first === undefined ? { kind: 'configured', config: undefined } : { kind: 'failed', notify: first };
  }

  onChild(child: ClientChildView, rekey: boolean): void {
    this.actor.send({ type: 'ike.child', slot: child.slot, rekey });
  }

  onUdp(d: UdpDatagram, slot: string): void {
    if (d.app.kind !== 'dhcp' || d.dstPort !== DHCP_CLIENT_PORT) return;
    this.actor.send({ type: 'net.udp', message: d.app.message, slot });
  }

  processChildResponse(info: ChildExchangeInfo, _resp: IkeMessage, errors: readonly string[]): ClientChildOutcome {
    this.actor.send({ type: 'ike.childResponse', info, errors });
    return this.actor.getSnapshot().context.answer;
  }

  onIkeClosed(): void {
    this.actor.send(CLOSED);
  }

  stop(): void {
    this.actor.stop();
  }
}
