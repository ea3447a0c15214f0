/**
 * Compact identities of sent messages for retransmission counting. An IKE message is identified by its sender, the
 * initiator's SPI (RFC 7296 §3.1: fixed for the life of the IKE SA) and whether it is a request or a response; with
 * window 1 (§2.3) a retransmission repeats the last message of that triple byte for byte, so the collector keeps one
 * fingerprint per triple instead of the bytes of every message ever sent.
 */

/** UDP port 4500: IKE behind a 4-byte non-ESP marker (RFC 3948 §2.2). */
const NAT_T_PORT_HEX = '1194';

/**
 * The initiator's SPI of an IKE datagram given as lowercase hex of the whole IPv4 packet, as two 8-character
 * strings (short enough that V8 copies them instead of keeping a slice of the packet alive).
 */
export function ikeSpiiHex(packetHex: string): string {
  const ihlBytes = (parseInt(packetHex.charAt(1), 16) || 5) * 4;
  const udp = ihlBytes * 2;
  const natT = packetHex.slice(udp, udp + 4) === NAT_T_PORT_HEX || packetHex.slice(udp + 4, udp + 8) === NAT_T_PORT_HEX;
  const at = udp + 16 + (natT ? 8 : 0);
  return packetHex.slice(at, at + 8) + ':' + packetHex.slice(at + 8, at + 16);
}

/** A 64-bit fingerprint of a string as two 32-bit FNV-1a hashes with different offset bases (and its length). */
export interface Fingerprint {
  readonly length: number;
  readonly a: number;
  readonly b: number;
}

export function fingerprint(text: string): Fingerprint {
  const out = { length: 0, a: 0, b: 0 };
  fingerprintInto(text, out);
  return out;
}

/** `fingerprint` written into `out` (no object per message). */
export function fingerprintInto(text: string, out: MutableFingerprint): void {
  let a = 0x811c9dc5 | 0;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  out.length = text.length;
  out.a = a;
  out.b = b;
}

export function sameFingerprint(x: Fingerprint, y: Fingerprint): boolean {
  return x.length === y.length && x.a === y.a && x.b === y.b;
}

// ---- the same identities from the datagram's bytes (a streaming run hands the collector the packet itself) ----------
//
// `ikeSpiiKey` and `packetFingerprint` read the bytes; their `…OfHex` twins decode the trace's hex of the same bytes
// and call them, so a streamed run and a trace read back from a file count the same retransmissions.

/** UDP port 4500: IKE behind a 4-byte non-ESP marker (RFC 3948 §2.2). */
const NAT_T_PORT = 4500;

/**
 * Where the initiator's SPI of an IKE datagram starts: after the IPv4 and UDP headers and, on port 4500, the non-ESP
 * marker.
 */
export function ikeSpiiOffset(packet: Uint8Array): number {
  const ihlBytes = ((packet[0] ?? 0) & 0x0f || 5) * 4;
  const natT =
    (((packet[ihlBytes] ?? 0) << 8) | (packet[ihlBytes + 1] ?? 0)) === NAT_T_PORT ||
    (((packet[ihlBytes + 2] ?? 0) << 8) | (packet[ihlBytes + 3] ?? 0)) === NAT_T_PORT;
  return ihlBytes + 8 + (natT ? 4 : 0);
}

/** Four bytes of a datagram from `at` as a big-endian int32 (a byte past the end reads as 0). */
export function int32At(packet: Uint8Array, at: number): number {
  return (
    ((packet[at] ?? 0) << 24) | ((packet[at + 1] ?? 0) << 16) | ((packet[at + 2] ?? 0) << 8) | (packet[at + 3] ?? 0)
  );
}

/**
 * The initiator's SPI of an IKE datagram as an 8-character key (one character per byte): a short flat string, built
 * without the packet's hex.
 */
export function ikeSpiiKey(packet: Uint8Array): string {
  const at = ikeSpiiOffset(packet);
  return String.fromCharCode(
    packet[at] ?? 0,
    packet[at + 1] ?? 0,
    packet[at + 2] ?? 0,
    packet[at + 3] ?? 0,
    packet[at + 4] ?? 0,
    packet[at + 5] ?? 0,
    packet[at + 6] ?? 0,
    packet[at + 7] ?? 0,
  );
}

/** A fingerprint the caller reuses (no object per packet): `packetFingerprintInto` writes it. */
export interface MutableFingerprint {
  length: number;
  a: number;
  b: number;
}

/** `packetFingerprint` written into `out`. */
export function packetFingerprintInto(packet: Uint8Array, out: MutableFingerprint): void {
  let a = 0x811c9dc5 | 0;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < packet.length; i++) {
    const c = packet[i] as number;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  out.length = packet.length;
  out.a = a;
  out.b = b;
}

/** `fingerprint`'s hash over a datagram's bytes (length in bytes). */
export function packetFingerprint(packet: Uint8Array): Fingerprint {
  const out = { length: 0, a: 0, b: 0 };
  packetFingerprintInto(packet, out);
  return out;
}

/** The datagram whose lowercase hex is `packetHex` (tolerant: see below). */
export function datagramOfTraceHex(packetHex: string): Uint8Array {
  return datagramOfHex(packetHex);
}

/** `ikeSpiiKey` of the datagram whose lowercase hex is `packetHex`. */
export function ikeSpiiKeyOfHex(packetHex: string): string {
  return ikeSpiiKey(datagramOfHex(packetHex));
}

/** `packetFingerprint` of the datagram whose lowercase hex is `packetHex`. */
export function packetFingerprintOfHex(packetHex: string): Fingerprint {
  return packetFingerprint(datagramOfHex(packetHex));
}

/**
 * The bytes of a trace event's hex, tolerantly: a digit that is not lowercase hex reads as 0 and an odd last digit is
 * dropped (a trace read back from a file is counted, never refused; bytes.ts `fromHex` would throw).
 */
function datagramOfHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++)
    out[i] = (hexNibble(hex.charCodeAt(2 * i)) << 4) | hexNibble(hex.charCodeAt(2 * i + 1));
  return out;
}

function hexNibble(c: number): number {
  // '0'..'9' → 0..9, 'a'..'f' → 10..15; anything else → 0.
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return 0;
}

// ---- an IKE message's role from the datagram (a streaming run without summaries, collect.ts) ------------------------

/** UDP ports that carry DHCP (RFC 2131 §4.1): the packet codec parses these as DHCP before it looks for IKE. */
const DHCP_PORTS: readonly number[] = [67, 68];
/** UDP port 500: IKE (RFC 7296 §2). */
const IKE_PORT = 500;
/** IKE header: 28 bytes; the exchange type at 18, the flags at 19 (R = 0x20), the length at 24 (RFC 7296 §3.1). */
const IKE_HEADER_BYTES = 28;
const IKE_RESPONSE_FLAG = 0x20;
/** The exchanges `IKE_SUMMARY` names (RFC 7296 §3.1): IKE_SA_INIT 34 … INFORMATIONAL 37. */
const IKE_EXCHANGE_FIRST = 34;
const IKE_EXCHANGE_LAST = 37;
/** CREATE_CHILD_SA (RFC 7296 §3.1). */
export const IKE_CREATE_CHILD_SA = 36;

/**
 * Where the IKE header of an IPv4/UDP datagram starts, or −1 when the packet codec (models/wire/packet.ts
 * parseUdpApp) would not read the UDP payload as one whole IKE message: not UDP or a fragment, a DHCP port first,
 * then port 4500 with the non-ESP marker (RFC 3948 §2.2) or port 500, a version 2.0 header whose length fills the
 * rest of the datagram.
 */
export function ikeHeaderOffset(packet: Uint8Array): number {
  if (packet.length < 20 || (packet[0] ?? 0) >> 4 !== 4 || packet[9] !== 17) return -1;
  // More fragments, or a fragment offset: not a whole UDP datagram (RFC 791 §3.1).
  if (((packet[6] ?? 0) & 0x3f) !== 0 || packet[7] !== 0) return -1;
  const udp = ((packet[0] ?? 0) & 0x0f) * 4;
  if (packet.length < udp + 8) return -1;
  const src = ((packet[udp] ?? 0) << 8) | (packet[udp + 1] ?? 0);
  const dst = ((packet[udp + 2] ?? 0) << 8) | (packet[udp + 3] ?? 0);
  if (DHCP_PORTS.includes(src) || DHCP_PORTS.includes(dst)) return -1;
  let at: number;
  if (src === NAT_T_PORT || dst === NAT_T_PORT) {
    if (int32At(packet, udp + 8) !== 0 || packet.length < udp + 12) return -1;
    at = udp + 12;
  } else if (src === IKE_PORT || dst === IKE_PORT) at = udp + 8;
  else return -1;
  if (packet.length - at < IKE_HEADER_BYTES || packet[at + 17] !== 0x20) return -1;
  return int32At(packet, at + 24) === packet.length - at ? at : -1;
}

/**
 * What `ikeSummaryRole` says of the datagram's summary, read from its IKE header at `at` (ikeHeaderOffset): 1 a
 * request, 2 a response, 0 an exchange the summaries do not name as IKE.
 */
export function ikeRoleAt(packet: Uint8Array, at: number): 0 | 1 | 2 {
  const exchange = packet[at + 18] ?? 0;
  if (exchange < IKE_EXCHANGE_FIRST || exchange > IKE_EXCHANGE_LAST) return 0;
  return ((packet[at + 19] ?? 0) & IKE_RESPONSE_FLAG) !== 0 ? 2 : 1;
}
