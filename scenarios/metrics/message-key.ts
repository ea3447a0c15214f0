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
  let a = 0x811c9dc5 | 0;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return { length: text.length, a, b };
}

export function sameFingerprint(x: Fingerprint, y: Fingerprint): boolean {
  return x.length === y.length && x.a === y.a && x.b === y.b;
}
