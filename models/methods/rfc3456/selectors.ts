/**
 * The DHCP SA's traffic selectors (RFC 3456 §4.1). The section says two things:
 *
 * - `wildcard` (default): "The DHCP SA is established as a tunnel mode SA with filters set as follows: From remote
 *   host to security gateway: Any to Any, destination: UDP port 67; from security gateway to remote host: Any to Any,
 *   destination: UDP port 68" — in IKEv2 terms TSi = 0.0.0.0–255.255.255.255 UDP 68 (the client's side) and TSr =
 *   0.0.0.0–255.255.255.255 UDP 67. These wildcards are what catches a home DHCP renewal (draft-richardson §4).
 * - `literal`: "The remote host SHOULD use an IDci payload of 0.0.0.0/UDP/port 68 in the quick mode exchange. The
 *   security gateway will use an IDcr payload of its own Internet address/UDP/port 67" — TSi = 0.0.0.0 UDP 68, TSr =
 *   the gateway's outside address UDP 67. The client then addresses what it would broadcast to the gateway (the
 *   relay the IDcr names), and the gateway's replies to a client without an address go to 0.0.0.0:68 from its
 *   outside address: nothing else fits those selectors.
 */
import { tsRange, type IkeMessage, type IkeTrafficSelector } from '../../wire/ike/index.ts';
import { findPayload } from '../../wire/ike/index.ts';
import type { ChildSelectors } from '../method.ts';
import { ipv4ToU32 } from '../../wire/ipv4-address.ts';

export const DHCP_CLIENT_PORT = 68;
export const DHCP_SERVER_PORT = 67;
const UDP = 17;

export const DHCP_SA_TSI: IkeTrafficSelector = tsRange('0.0.0.0', '255.255.255.255', UDP, 68, 68);
export const DHCP_SA_TSR: IkeTrafficSelector = tsRange('0.0.0.0', '255.255.255.255', UDP, 67, 67);
export const DHCP_SA_SELECTORS: ChildSelectors = { tsi: [DHCP_SA_TSI], tsr: [DHCP_SA_TSR] };

export type DhcpSaSelectorReading = 'wildcard' | 'literal';

/** RFC 3456 §4.1 IDci: 0.0.0.0/UDP/port 68. */
export const LITERAL_DHCP_SA_TSI: IkeTrafficSelector = tsRange('0.0.0.0', '0.0.0.0', UDP, 68, 68);

/** RFC 3456 §4.1 IDcr: the security gateway's own Internet address/UDP/port 67. */
export function literalDhcpSaTsr(gatewayAddress: string): IkeTrafficSelector {
  return tsRange(gatewayAddress, gatewayAddress, UDP, 67, 67);
}

/** The DHCP SA's selectors under a reading of §4.1 (`gatewayAddress`: the peer's outside address). */
export function dhcpSaSelectors(reading: DhcpSaSelectorReading, gatewayAddress: string): ChildSelectors {
  return reading === 'literal'
    ? { tsi: [LITERAL_DHCP_SA_TSI], tsr: [literalDhcpSaTsr(gatewayAddress)] }
    : DHCP_SA_SELECTORS;
}

/** True when a request's TSi asks for the DHCP SA (UDP, client port 68 only). */
export function asksForDhcpSa(m: IkeMessage): boolean {
  const tsi = findPayload(m, 'TSi');
  return (
    tsi !== undefined &&
    tsi.selectors.length > 0 &&
    tsi.selectors.every((s) => s.kind === 'ipv4Range' && s.ipProtocol === UDP && s.startPort === 68 && s.endPort === 68)
  );
}

/** RFC 4301 §4.4.1: a selector list covers an endpoint when one of its ranges holds the address, protocol and port. */
function listCovers(list: readonly IkeTrafficSelector[], address: string, port: number): boolean {
  const v = ipv4ToU32(address);
  return list.some(
    (s) =>
      s.kind === 'ipv4Range' &&
      (s.ipProtocol === 0 || s.ipProtocol === UDP) &&
      port >= s.startPort &&
      port <= s.endPort &&
      v >= ipv4ToU32(s.startAddress) &&
      v <= ipv4ToU32(s.endAddress),
  );
}

/**
 * True when one of `children` would seal this UDP datagram (TSi covers its source, TSr its destination): the same
 * test as the client's SPD (client-spd.ts), asked before sending so a DHCP message never falls through to BYPASS.
 */
export function childCovers(children: readonly ChildSelectors[], d: UdpEndpoints): boolean {
  return children.some((c) => listCovers(c.tsi, d.src, d.srcPort) && listCovers(c.tsr, d.dst, d.dstPort));
}

export interface UdpEndpoints {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
}
