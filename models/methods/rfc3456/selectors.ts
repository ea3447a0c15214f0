/**
 * The DHCP SA's traffic selectors (RFC 3456 §4.1): "From remote host to security gateway: Any to Any, destination:
 * UDP port 67; from security gateway to remote host: Any to Any, destination: UDP port 68". In IKEv2 terms TSi =
 * 0.0.0.0–255.255.255.255 UDP 68 (the client's side) and TSr = 0.0.0.0–255.255.255.255 UDP 67. These wildcards are
 * what catches a home DHCP renewal (draft-richardson-ipsec-dhcp-over-ike-00 §4).
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
