/**
 * The identities a DHCP client presents (htype, hlen, chaddr and an optional client identifier, option 61), one
 * helper per way the methods build them.
 */
import { chaddrField } from './options.ts';
import { ipv4ToU32 } from '../wire/ipv4-address.ts';

export interface DhcpClientIdentity {
  readonly htype: number;
  readonly hlen: number;
  /** The whole 16-byte chaddr field (RFC 2131 §2); the hardware address is its first `hlen` bytes. */
  readonly chaddr: Uint8Array;
  /** Option 61 (RFC 2132 §9.14): a type octet and data. */
  readonly clientId?: { readonly type: number; readonly data: Uint8Array };
}

export const HTYPE_ETHERNET = 1;
/** draft-ietf-ipsec-dhcp-over-ike-00 §4, RFC 3456 §2.1: IPsec tunnel mode virtual interface. */
export const HTYPE_IPSEC_TUNNEL = 31;

/** `02:00:00:00:00:01` or `02-00-…` → 6 bytes. Throws on a malformed literal (configuration error). */
export function parseMac(mac: string): Uint8Array {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new Error(`not a MAC address: ${mac}`);
  }
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** A client on an Ethernet LAN: htype 1, hlen 6, chaddr = MAC (RFC 1700 hardware type 1). */
export function ethernetIdentity(
  mac: string | Uint8Array,
  clientId?: DhcpClientIdentity['clientId'],
): DhcpClientIdentity {
  const bytes = typeof mac === 'string' ? parseMac(mac) : mac;
  return { htype: HTYPE_ETHERNET, hlen: 6, chaddr: chaddrField(bytes), ...(clientId ? { clientId } : {}) };
}

/**
 * draft-ietf-ipsec-dhcp-over-ike-00 §4: htype 31 and a chaddr that persists across reboots. With a LAN interface the
 * chaddr is its MAC (hlen 6); without one it is x'4000' ‖ the IPv4 address of the interface supplying connectivity ‖
 * one persistent octet (hlen 7).
 */
export function ipsecTunnelIdentity(
  source: { readonly lanMac: string | Uint8Array } | { readonly outerAddress: string; readonly octet: number },
): DhcpClientIdentity {
  if ('lanMac' in source) {
    const bytes = typeof source.lanMac === 'string' ? parseMac(source.lanMac) : source.lanMac;
    return { htype: HTYPE_IPSEC_TUNNEL, hlen: bytes.length, chaddr: chaddrField(bytes) };
  }
  const a = ipv4ToU32(source.outerAddress);
  const hardware = Uint8Array.of(
    0x40,
    0x00,
    a >>> 24,
    (a >>> 16) & 0xff,
    (a >>> 8) & 0xff,
    a & 0xff,
    source.octet & 0xff,
  );
  return { htype: HTYPE_IPSEC_TUNNEL, hlen: 7, chaddr: chaddrField(hardware) };
}

/**
 * FNV-1a, 32-bit (offset basis 0x811c9dc5, prime 0x01000193) over bytes. `Math.imul` keeps the multiply exact in
 * 32 bits so Node and browsers agree. Not cryptographic: it only spreads identities over chaddr values.
 */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * strongSwan's dhcp plugin (mode-cfg-dhcp): the gateway requests on the peer's behalf with chaddr 7a:a7 followed by
 * four bytes of a hash of the peer identity, htype 1. strongSwan hashes with its own chunk_hash; we use FNV-1a 32 of
 * the UTF-8 identity (big-endian) — the property that matters is a stable, identity-derived, locally administered
 * MAC (0x7a has the locally-administered bit set). With `withClientId` the identity also goes in option 61 (type 0,
 * RFC 2132 §9.14 "other than a hardware address"), as the plugin's `identity_lease` setting does.
 */
export function strongSwanIdentity(identity: string, withClientId = false): DhcpClientIdentity {
  const data = new TextEncoder().encode(identity);
  const h = fnv1a32(data);
  const hardware = Uint8Array.of(0x7a, 0xa7, h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
  return {
    htype: HTYPE_ETHERNET,
    hlen: 6,
    chaddr: chaddrField(hardware),
    ...(withClientId ? { clientId: { type: 0, data } } : {}),
  };
}

/** RFC 4361 §6.1: option 61 = type 255 ‖ IAID (4 bytes, big-endian) ‖ DUID. */
export function rfc4361ClientId(iaid: number, duid: Uint8Array): { readonly type: number; readonly data: Uint8Array } {
  const data = new Uint8Array(4 + duid.length);
  data[0] = (iaid >>> 24) & 0xff;
  data[1] = (iaid >>> 16) & 0xff;
  data[2] = (iaid >>> 8) & 0xff;
  data[3] = iaid & 0xff;
  data.set(duid, 4);
  return { type: 255, data };
}
