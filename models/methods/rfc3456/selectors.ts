/**
 * The DHCP SA's traffic selectors (RFC 3456 §4.1): "From remote host to security gateway: Any to Any, destination:
 * UDP port 67; from security gateway to remote host: Any to Any, destination: UDP port 68". In IKEv2 terms TSi =
 * 0.0.0.0–255.255.255.255 UDP 68 (the client's side) and TSr = 0.0.0.0–255.255.255.255 UDP 67. These wildcards are
 * what catches a home DHCP renewal (draft-richardson-ipsec-dhcp-over-ike-00 §4).
 */
import { tsRange, type IkeMessage, type IkeTrafficSelector } from '../../wire/ike/index.ts';
import { findPayload } from '../../wire/ike/index.ts';
import type { ChildSelectors } from '../method.ts';

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
