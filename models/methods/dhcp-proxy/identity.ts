/**
 * The DHCP client identity strongSwan's dhcp plugin presents on a peer's behalf (dhcp_socket.c `prepare_dhcp`):
 * htype 1, hlen 6, chaddr 7a:a7 ‖ four bytes derived from the IKE identity, and — with `identity_lease` — option 61
 * holding the identity's encoding as the whole option value, with no type octet (the captures in
 * test/fixtures/captures/strongswan-dhcp-plugin*.pcap: `3d 11 "alice@example.com"`), truncated to 255 bytes.
 * RFC 2132 §9.14 reads the first octet as a type; the plugin does not write one, so a server keys the lease by
 * whatever the identity's first byte is. `type-0` (a lab extension) sends 00 ‖ identity as RFC 2132 suggests for an
 * identifier "other than a hardware address".
 */
import { strongSwanIdentity, type DhcpClientIdentity } from '../../dhcp/client-identity.ts';

export type ProxyClientIdForm = 'raw' | 'type-0';

/** dhcp_socket.c: `option->len = min(min(chunk.len, remaining - 2), 255)`; remaining is 288 without option 12. */
const CLIENT_ID_BYTES_MAX = 255;

export function proxyIdentity(peerId: string, clientId: boolean, form: ProxyClientIdForm): DhcpClientIdentity {
  const base = strongSwanIdentity(peerId, false);
  if (!clientId) return base;
  const bytes = new TextEncoder().encode(peerId).subarray(0, CLIENT_ID_BYTES_MAX);
  // Literals, not `{ ...base, clientId }`: V8 gives each spread copy of this object a map of its own (~190 B per
  // session of a storm).
  if (form === 'type-0' || bytes.length === 0)
    return { htype: base.htype, hlen: base.hlen, chaddr: base.chaddr, clientId: { type: 0, data: bytes } };
  // The codec models option 61 as type ‖ data: the identity's first byte takes the type octet's place on the wire.
  return {
    htype: base.htype,
    hlen: base.hlen,
    chaddr: base.chaddr,
    clientId: { type: bytes[0] ?? 0, data: bytes.subarray(1) },
  };
}

/** dhcp_socket.c `discover`/`request`: option 55 = DNS server (6), NetBIOS name server (44), RFC 2132 §3.8, §8.5. */
export const STRONGSWAN_PARAMETER_REQUEST_LIST: readonly number[] = [6, 44];
