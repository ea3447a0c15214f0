/**
 * Byte helpers shared by the codecs: big-endian integers (network byte order, RFC 791 appendix B), dotted-quad IPv4
 * addresses, hex, and the Internet checksum (RFC 1071). Readers assume the caller checked the bounds; writers that
 * take a value from a caller validate it and throw WireEmitError naming the field.
 */
import { parseIpv4Text } from './ipv4-address.ts';
import { WireEmitError } from './result.ts';

export function readU16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

export function writeU16(buffer: Uint8Array, offset: number, value: number): void {
  buffer[offset] = (value >>> 8) & 0xff;
  buffer[offset + 1] = value & 0xff;
}

export function writeU32(buffer: Uint8Array, offset: number, value: number): void {
  buffer[offset] = (value >>> 24) & 0xff;
  buffer[offset + 1] = (value >>> 16) & 0xff;
  buffer[offset + 2] = (value >>> 8) & 0xff;
  buffer[offset + 3] = value & 0xff;
}

/** Throws unless `value` is an integer in [0, max]; used by emitters on caller-supplied fields. */
export function checkUint(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new WireEmitError(field, `must be an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

export const U8_MAX = 0xff;
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;

/** Dotted quad of the 4 bytes at `offset`. */
export function ipv4FromBytes(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/** Writes a dotted quad as 4 bytes; throws WireEmitError(field) when it is not one. */
export function writeIpv4(buffer: Uint8Array, offset: number, address: string, field: string): void {
  const octets = parseIpv4Text(address);
  if (octets === null) throw new WireEmitError(field, `not a dotted-quad IPv4 address: '${address}'`);
  buffer.set(octets, offset);
}

export function ipv4ToBytes(address: string, field = 'ipv4'): Uint8Array {
  const out = new Uint8Array(4);
  writeIpv4(out, 0, address, field);
  return out;
}

const HEX_DIGITS = '0123456789abcdef';

/** Lower-case hex, `separator` between bytes (e.g. `:` for a MAC address). */
export function toHex(bytes: Uint8Array, separator = ''): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (i > 0) out += separator;
    out += (HEX_DIGITS[b >>> 4] ?? '') + (HEX_DIGITS[b & 0xf] ?? '');
  }
  return out;
}

/** Parses hex, ignoring whitespace and `:`; throws on odd length or a non-hex digit (tests and fixtures only). */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`fromHex: not hex: '${text}'`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Printable ASCII (0x20–0x7e) as text, anything else as `0x`-prefixed hex; for summaries. */
export function printableOrHex(bytes: Uint8Array): string {
  let printable = bytes.length > 0;
  for (const b of bytes) if (b < 0x20 || b > 0x7e) printable = false;
  return printable ? String.fromCharCode(...bytes) : `0x${toHex(bytes)}`;
}

/**
 * The 16-bit one's-complement sum of `bytes[start, end)` added to `initial` (RFC 1071 §4.1), not yet complemented.
 * An odd trailing byte is padded with a zero byte on the right.
 */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (i < end) sum += (bytes[i] ?? 0) << 8;
  // Fold the carries: two folds always suffice for inputs below 2^31 bytes.
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** RFC 1071 Internet checksum of `bytes[start, end)`: the complement of the one's-complement sum. */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  return ~onesComplementSum(bytes, start, end, initial) & 0xffff;
}
