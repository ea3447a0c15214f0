/**
 * The gateway side of `dhcp-over-ipsec` (RFC 3456 §4.2): a stateless DHCP relay between the peers' DHCP SAs and the
 * DHCP server. A BOOTREQUEST decapsulated from a peer's tunnel gets giaddr = the gateway's inside address and option
 * 82 with circuit-id `ike:<IKE SA id>` (§4.2: "the virtual port number of the tunnel is inserted in the Agent Circuit
 * ID Sub-option") and remote-id = the peer identity (RFC 3046 §3.2); the server's BOOTREPLY comes back to giaddr:67,
 * its circuit-id names the tunnel to send it down (no per-exchange state), option 82 is checked and stripped (RFC 3046
 * §2.2) and the reply goes to the client's destination (RFC 2131 §4.1) through the peer's Child SA that covers it.
 *
 * The one piece of state is the one §4.2 asks for: the yiaddr of each ACK is snooped to "plumb a corresponding
 * route", i.e. the tunnel SA's TSi must be that address (a CREATE_CHILD_SA for another address is refused).
 */
import { relayAgentSubOptions, relayReply, relayRequest, type RelayRequestConfig } from '../../dhcp/relay.ts';
import { messageTypeOf } from '../../dhcp/options.ts';
import { DhcpMessageType, type RelayAgentSubOption } from '../../wire/dhcp/types.ts';
import type { AddressProvider, AssignedConfig, GatewayMethodContext, UdpDatagram, UdpSource } from '../method.ts';
import { configOfAck } from './lease-config.ts';
import {
  asksForDhcpSa,
  DHCP_CLIENT_PORT,
  DHCP_SA_TSR,
  DHCP_SERVER_PORT,
  literalDhcpSaTsr,
  type DhcpSaSelectorReading,
} from './selectors.ts';
import { selectorsContain } from '../../ike/tasks/child-create.ts';
import { isZeroAddress, ZERO_ADDRESS } from '../../wire/ipv4-address.ts';
import { findPayload } from '../../wire/ike/index.ts';
import { ClientPins, clientKeys, scopeMessage } from '../gateway-relay/pinning.ts';
import { circuitIdOf, ikeSaOfRelayInfo } from '../circuit-id.ts';
import { dhcpCanary } from '../../attacks/canary.ts';

export interface Rfc3456RelayOptions {
  /** The DHCP server the relay forwards to (RFC 2131 §4.1 "relay agent … configured with the server address"). */
  readonly serverAddress: string;
  /** RFC 3456 §4.1's DHCP SA selectors, wildcard or literal (selectors.ts); default wildcard. */
  readonly dhcpSaSelectors?: DhcpSaSelectorReading;
  /** Add remote-id = the peer's IKE identity beside the circuit-id (RFC 3046 §3.2). Default true. */
  readonly remoteId?: boolean;
  /** RFC 3527: name the VPN subnet in option 82 when giaddr (the inside address) is not in it. */
  readonly linkSelectionSubnet?: string;
  /**
   * RFC 3456 relays whatever the tunnel carries; `identity` (default) adds the DHCP-over-IKE relay's anti-theft rule
   * (gateway-relay/pinning.ts: a client named by another IKE identity is scoped to the asking identity, a tunnel that
   * switches client is refused); `off` is RFC 3456 as written.
   */
  readonly pinning?: 'identity' | 'off';
}

const text = new TextEncoder();

export function rfc3456Relay(options: Rfc3456RelayOptions, ctx: GatewayMethodContext): AddressProvider {
  const host = ctx.host;
  const literal = options.dhcpSaSelectors === 'literal';
  const dhcpSaTsr = literal ? literalDhcpSaTsr(host.outsideAddress) : DHCP_SA_TSR;
  /** ikeSaId → the snooped ACK (§4.2) and its peer. */
  const snooped = new Map<string, { config: AssignedConfig; peerId: string }>();
  /** Snooped address → the one IKE SA it is snooped for (an ACK takes its address from any other SA, so one each). */
  const snoopedByAddress = new Map<string, string>();
  function forgetSnooped(ikeSaId: string): void {
    const s = snooped.get(ikeSaId);
    if (s === undefined) return;
    snooped.delete(ikeSaId);
    if (snoopedByAddress.get(s.config.address) === ikeSaId) snoopedByAddress.delete(s.config.address);
  }
  /**
   * §4.2: snoop yiaddr to plumb the route (the tunnel SA's TSi). The server has given this address to this peer, so
   * another tunnel's snooped lease of it is over (it expired or was released): that stale mapping goes.
   */
  function snoop(ikeSaId: string, config: AssignedConfig, peerId: string): void {
    const holder = snoopedByAddress.get(config.address);
    if (holder !== undefined && holder !== ikeSaId) forgetSnooped(holder);
    const before = snooped.get(ikeSaId)?.config.address;
    if (before !== undefined && before !== config.address && snoopedByAddress.get(before) === ikeSaId)
      snoopedByAddress.delete(before);
    snooped.set(ikeSaId, { config, peerId });
    snoopedByAddress.set(config.address, ikeSaId);
  }
  const requestConfig = (ikeSaId: string, peerId: string): RelayRequestConfig => ({
    giaddr: host.insideAddress,
    circuitId: circuitIdOf(ikeSaId),
    ...(options.remoteId === false ? {} : { remoteId: text.encode(peerId) }),
    ...(options.linkSelectionSubnet === undefined ? {} : { linkSelection: options.linkSelectionSubnet }),
  });
  // RFC 3046 §2.2: the server echoes option 82 unchanged, so a reply must carry exactly what the request got.
  const expected = (ikeSaId: string, peerId: string): RelayAgentSubOption[] =>
    relayAgentSubOptions(requestConfig(ikeSaId, peerId));
  /** Peer identities by IKE SA, for remote-id checks on replies (set on first contact). */
  const peers = new Map<string, string>();
  const pins = options.pinning === 'off' ? undefined : new ClientPins('identity');

  function fromTunnel(d: UdpDatagram, ikeSaId: string, peerId: string): void {
    if (d.app.kind !== 'dhcp') return;
    peers.set(ikeSaId, peerId);
    let message = d.app.message;
    const canary = dhcpCanary(message);
    const label = (verdict: 'attack.refused' | 'attack.succeeded', reason: string): void => {
      if (canary !== undefined)
        host.traceNote(verdict, { kind: canary.kind, attacker: canary.attacker, reason, via: 'relay' });
    };
    if (pins !== undefined) {
      const keys = clientKeys(message);
      const pin = pins.claim(ikeSaId, peerId, keys);
      if (!pin.ok) {
        host.traceNote('relay.drop', { reason: 'theft', peer: peerId });
        label('attack.refused', 'theft');
        return;
      }
      if (pin.scoped) {
        host.traceNote('dhcp.scoped', { peer: peerId, chaddr: keys.hardware });
        label('attack.refused', 'identity-scoped');
        message = scopeMessage(message, peerId, keys);
      }
    }
    const r = relayRequest(message, requestConfig(ikeSaId, peerId));
    if (r.kind === 'drop') {
      host.traceNote('relay.drop', { reason: r.reason, peer: peerId });
      label('attack.refused', r.reason);
      return;
    }
    if (canary?.kind !== 'lease-theft' && message === d.app.message) label('attack.succeeded', 'relayed');
    // RFC 2131 §4.4.6: a DHCPRELEASE ends the tunnel's lease; its address is no longer this peer's.
    if (messageTypeOf(message) === DhcpMessageType.RELEASE) forgetSnooped(ikeSaId);
    host.traceNote('relay.forward', { peer: peerId, xid: r.message.xid });
    host.sendUdp({
      dst: options.serverAddress,
      srcPort: DHCP_SERVER_PORT,
      dstPort: DHCP_SERVER_PORT,
      app: { kind: 'dhcp', message: r.message },
    });
  }

  function fromInside(d: UdpDatagram): void {
    if (d.app.kind !== 'dhcp') return;
    const message = d.app.message;
    const info = message.options.find((o) => o.kind === 'relayAgentInfo');
    const ikeSaId = ikeSaOfRelayInfo(info?.kind === 'relayAgentInfo' ? info.subOptions : null);
    const peerId = ikeSaId === undefined ? undefined : peers.get(ikeSaId);
    if (ikeSaId === undefined || peerId === undefined) {
      host.traceNote('relay.drop', { reason: 'unknown-circuit' });
      return;
    }
    const r = relayReply(message, { ourAddresses: [host.insideAddress], expected: expected(ikeSaId, peerId) });
    if (r.kind === 'drop') {
      host.traceNote('relay.drop', { reason: r.reason, peer: peerId });
      return;
    }
    if (messageTypeOf(r.message) === DhcpMessageType.ACK) snoop(ikeSaId, configOfAck(r.message), peerId);
    // §4.1 literal: a client without an address is 0.0.0.0 behind the DHCP SA, and we are its IDcr (selectors.ts).
    const toUnaddressed = literal && isZeroAddress(r.message.ciaddr);
    const sent = host.sendToPeer(ikeSaId, {
      src: toUnaddressed ? host.outsideAddress : host.insideAddress,
      dst: toUnaddressed ? ZERO_ADDRESS : r.destination.address,
      srcPort: DHCP_SERVER_PORT,
      dstPort: DHCP_CLIENT_PORT,
      app: { kind: 'dhcp', message: r.message },
    });
    host.traceNote(sent ? 'relay.reply' : 'relay.noSa', { peer: peerId, xid: r.message.xid });
  }

  return {
    udpPorts: [DHCP_SERVER_PORT],
    request(req, answer) {
      if (findPayload(req.request, 'SA') === undefined) {
        // Childless IKE_AUTH (RFC 6023): the DHCP SA will come in a CREATE_CHILD_SA.
        answer({ ok: true, config: undefined, replyPayloads: [] });
        return;
      }
      // §4.1: the DHCP SA keeps its wildcards (TSi not narrowed, TSr Any:67). Anything else needs a lease first.
      if (asksForDhcpSa(req.request)) answer({ ok: true, config: undefined, replyPayloads: [], tsr: [dhcpSaTsr] });
      else answer({ ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' });
    },
    childRequest(req, answer) {
      if (asksForDhcpSa(req.request)) {
        answer({ ok: true, tsiAddress: null, tsr: [dhcpSaTsr] });
        return;
      }
      if (req.rekeyOf !== undefined) {
        answer({ ok: true });
        return;
      }
      // §3.1 e / §4.2: the tunnel SA for the address the server leased (snooped from the ACK).
      const lease = snooped.get(req.ikeSaId);
      const tsi = findPayload(req.request, 'TSi');
      if (lease === undefined || tsi === undefined || !selectorsContain(tsi.selectors, lease.config.address)) {
        host.traceNote('relay.tunnelRefused', { peer: req.peerId, leased: lease?.config.address ?? 'none' });
        answer({ ok: false, notify: 'TS_UNACCEPTABLE' });
        return;
      }
      answer({ ok: true, tsiAddress: lease.config.address, config: lease.config });
    },
    onUdp(d: UdpDatagram, from: UdpSource) {
      if (d.dstPort !== DHCP_SERVER_PORT) return;
      if (from.via === 'tunnel') fromTunnel(d, from.ikeSaId, from.peerId);
      else fromInside(d);
    },
    release(ikeSaId) {
      forgetSnooped(ikeSaId);
      peers.delete(ikeSaId);
      pins?.drop(ikeSaId);
    },
    reset() {
      snooped.clear();
      snoopedByAddress.clear();
      peers.clear();
      pins?.clear();
    },
    snapshot() {
      const out: Record<string, string> = {};
      for (const s of snooped.values()) out[s.config.address] = s.peerId;
      return out;
    },
  };
}
