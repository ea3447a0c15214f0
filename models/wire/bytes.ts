/**
 * Byte helpers shared by the codecs: big-endian integers (network byte order, RFC 791 appendix B), dotted-quad IPv4
 * addresses, hex, and the Internet checksum (RFC 1071). Readers assume the caller checked the bounds; writers that
 * take a value from a caller validate it and throw WireEmitError naming the field.
 */
import { parseIpv4U32, u32ToIpv4 } from './ipv4-address.ts';
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
export function checkUint(value: number, max: number, field: string, suffix = ''): number {
  // `suffix` lets hot emitters pass `field, '.x'` instead of building `${field}.x` on every call. The error is built
  // in its own function: inlined into every emitter, the check stays a few instructions.
  if (!Number.isInteger(value) || value < 0 || value > max) throw uintError(value, max, field, suffix);
  return value;
}

function uintError(value: number, max: number, field: string, suffix: string): WireEmitError {
  return new WireEmitError(field + suffix, `must be an integer in [0, ${max}], got ${String(value)}`);
}

export const U8_MAX = 0xff;
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;

/** Dotted quad of the 4 bytes at `offset` (the one memoised string per address, ipv4-address.ts u32ToIpv4). */
export function ipv4FromBytes(bytes: Uint8Array, offset: number): string {
  return u32ToIpv4(
    (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8)) +
      (bytes[offset + 3] ?? 0),
  );
}

/** Writes a dotted quad as 4 bytes; throws WireEmitError(field) when it is not one. */
export function writeIpv4(buffer: Uint8Array, offset: number, address: string, field: string, suffix = ''): void {
  const v = parseIpv4U32(address);
  if (v < 0) throw ipv4Error(address, field, suffix);
  buffer[offset] = v >>> 24;
  buffer[offset + 1] = (v >>> 16) & 0xff;
  buffer[offset + 2] = (v >>> 8) & 0xff;
  buffer[offset + 3] = v & 0xff;
}

function ipv4Error(address: string, field: string, suffix: string): WireEmitError {
  return new WireEmitError(field + suffix, `not a dotted-quad IPv4 address: '${address}'`);
}

export function ipv4ToBytes(address: string, field = 'ipv4'): Uint8Array {
  const out = new Uint8Array(4);
  writeIpv4(out, 0, address, field);
  return out;
}

/** ASCII codes of the two lower-case hex digits of each byte value: HEX_CODES[2b], HEX_CODES[2b + 1]. */
const HEX_CODES = new Uint8Array(512);
/** The two-digit string of each byte value. */
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
for (let b = 0; b < 256; b++) {
  HEX_CODES[2 * b] = (HEX_PAIRS[b] as string).charCodeAt(0);
  HEX_CODES[2 * b + 1] = (HEX_PAIRS[b] as string).charCodeAt(1);
}
/**
 * Hex text is written as ASCII codes into this scratch buffer and decoded in one call: the result is one flat one-byte
 * string. Appending two characters per byte with `+=` made V8 build a rope of cons cells (~31 bytes of heap per input
 * byte, flattened again at the first comparison or hash). windows-1252 (the WHATWG "latin1") maps ASCII to itself.
 */
let hexScratch = new Uint8Array(1024);
const asciiDecoder = new TextDecoder('latin1');
/** Below 13 characters V8 copies concatenations flat anyway (ConsString::kMinLength) and the decoder call costs more. */
const SHORT_HEX_BYTES = 6;

/** Lower-case hex, `separator` between bytes (e.g. `:` for a MAC address). Returns a flat string. */
export function toHex(bytes: Uint8Array, separator = ''): string {
  return hexOfRange(bytes, 0, bytes.length, separator);
}

/** `toHex(bytes.subarray(start, end), separator)` without the view. */
export function hexOfRange(bytes: Uint8Array, start: number, end: number, separator = ''): string {
  const n = end - start;
  if (n <= 0) return '';
  if (n === 8 && separator.length === 0) return hex8(bytes, start);
  const sep = separator.length === 1 ? separator.charCodeAt(0) : -1;
  if ((separator.length > 0 && (sep < 0 || sep > 0x7f)) || (separator.length === 0 && n <= SHORT_HEX_BYTES)) {
    let out = HEX_PAIRS[bytes[start] ?? 0] as string;
    for (let i = start + 1; i < end; i++) out += separator + (HEX_PAIRS[bytes[i] ?? 0] as string);
    return out;
  }
  const stride = sep < 0 ? 2 : 3;
  const chars = n * stride - (stride - 2);
  if (hexScratch.length < chars) hexScratch = new Uint8Array(Math.max(chars, 2 * hexScratch.length));
  const out = hexScratch;
  let at = 0;
  for (let i = start; i < end; i++) {
    if (sep >= 0 && i > start) out[at++] = sep;
    const x = 2 * (bytes[i] ?? 0);
    out[at] = HEX_CODES[x] as number;
    out[at + 1] = HEX_CODES[x + 1] as number;
    at += 2;
  }
  return asciiDecoder.decode(out.subarray(0, chars));
}

/** 8 bytes (an IKE SPI, RFC 7296 §3.1) as one flat 16-character string: one call, no scratch buffer, no decoder. */
function hex8(b: Uint8Array, at: number): string {
  const c = HEX_CODES;
  const x0 = 2 * (b[at] ?? 0);
  const x1 = 2 * (b[at + 1] ?? 0);
  const x2 = 2 * (b[at + 2] ?? 0);
  const x3 = 2 * (b[at + 3] ?? 0);
  const x4 = 2 * (b[at + 4] ?? 0);
  const x5 = 2 * (b[at + 5] ?? 0);
  const x6 = 2 * (b[at + 6] ?? 0);
  const x7 = 2 * (b[at + 7] ?? 0);
  return String.fromCharCode(
    c[x0] as number,
    c[x0 + 1] as number,
    c[x1] as number,
    c[x1 + 1] as number,
    c[x2] as number,
    c[x2 + 1] as number,
    c[x3] as number,
    c[x3 + 1] as number,
    c[x4] as number,
    c[x4 + 1] as number,
    c[x5] as number,
    c[x5 + 1] as number,
    c[x6] as number,
    c[x6 + 1] as number,
    c[x7] as number,
    c[x7 + 1] as number,
  );
}

/** The value of each ASCII hex digit (either case) by char code, -1 for anything else. */
const HEX_DIGIT_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX_DIGIT_VALUE['0123456789abcdef'.charCodeAt(d)] = d;
  HEX_DIGIT_VALUE['0123456789ABCDEF'.charCodeAt(d)] = d;
}

/** The value of an ASCII hex digit (either case), or -1: one table load. */
function hexDigitValue(c: number): number {
  return c < 128 ? (HEX_DIGIT_VALUE[c] as number) : -1;
}

/**
 * Writes the bytes of hex `text` (digits only, either case, even length) at `offset`; returns the byte count, or -1
 * (writing nothing past what it checked) when `text` holds anything else. No allocation: SPIs are written this way.
 */
export function writeHexDigits(buffer: Uint8Array, offset: number, text: string): number {
  const n = text.length;
  if (n % 2 !== 0) return -1;
  for (let i = 0; i < n; i += 2) {
    const hi = hexDigitValue(text.charCodeAt(i));
    const lo = hexDigitValue(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return -1;
    buffer[offset + i / 2] = (hi << 4) | lo;
  }
  return n / 2;
}

/** Parses hex, ignoring whitespace and `:`; throws on odd length or a non-hex digit (tests and fixtures only). */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 === 0) {
    const out = new Uint8Array(text.length / 2);
    if (writeHexDigits(out, 0, text) >= 0) return out;
  }
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`fromHex: not hex: '${text}'`);
  const out = new Uint8Array(clean.length / 2);
  writeHexDigits(out, 0, clean);
  return out;
}

/** V8 keeps typed arrays up to 64 bytes on its own heap; larger ones get a separately allocated backing store. */
const ON_HEAP_BYTES = 64;
/** An IPv4 datagram's maximum size (RFC 791 §3.1 Total Length): a buffer this small holds one packet. */
const PACKET_BUFFER_BYTES = 0xffff;

/**
 * Bytes `[start, end)` of a received buffer for a parsed value to keep. Up to 64 bytes: a copy (as cheap as a view).
 * Larger: a view when the buffer holds a single packet (≤ 65,535 bytes), else a copy. Copying a large field was the
 * dearest step of a parse (an off-heap backing store each, ~1 µs: a DHCP message's 128-byte `file`); a view keeps its
 * packet alive instead, which is bounded by the packet's size. The codecs and the lab never write into received
 * buffers or parsed values, so the view aliases nothing that changes. A big buffer (a capture file, or the slab
 * emitted packets are carved from, packet-buffer.ts) is copied from: a view would keep all of it alive.
 */
export function ownedBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  if (end - start <= ON_HEAP_BYTES || bytes.buffer.byteLength > PACKET_BUFFER_BYTES) return bytes.slice(start, end);
  return bytes.subarray(start, end);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Below this many bytes a loop beats `fill`/`set`, whose builtin call costs ~30 ns (reserved fields, short data). */
const SHORT_RUN_BYTES = 8;

/** `buffer.fill(0, start, end)`; the few-byte reserved fields of a header are written by a loop. */
export function zeroRange(buffer: Uint8Array, start: number, end: number): void {
  if (end - start > SHORT_RUN_BYTES || end > buffer.length) buffer.fill(0, start, end);
  else for (let i = start; i < end; i++) buffer[i] = 0;
}

/** `buffer.set(data, offset)`; a few bytes by a loop. Out of bounds throws the RangeError of `set`, as before. */
export function copyInto(buffer: Uint8Array, offset: number, data: Uint8Array): void {
  const n = data.length;
  if (n > SHORT_RUN_BYTES || offset < 0 || offset + n > buffer.length) buffer.set(data, offset);
  else for (let i = 0; i < n; i++) buffer[offset + i] = data[i] as number;
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
  // Indexed loop and an array-like apply: no iterator objects per summary (this runs for every relayed DHCP message's
  // option 82 sub-options).
  let printable = bytes.length > 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 || b > 0x7e) {
      printable = false;
      break;
    }
  }
  if (!printable) return `0x${toHex(bytes)}`;
  const text: string = Reflect.apply(String.fromCharCode, undefined, bytes);
  return text;
}

/**
 * The 16-bit one's-complement sum of `bytes[start, end)` added to `initial` (RFC 1071 §4.1), not yet complemented.
 * An odd trailing byte is padded with a zero byte on the right.
 */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  // The high and the low bytes of the 16-bit words are summed apart and combined once (RFC 1071 §2 (B): the sum is
  // independent of grouping): one add per byte, no shift or or per word. Sixteen bytes per iteration.
  let hi = 0;
  let lo = 0;
  let i = start;
  const last = Math.min(end, bytes.length) - 1;
  for (; i + 15 <= last; i += 16) {
    hi +=
      (bytes[i] as number) +
      (bytes[i + 2] as number) +
      (bytes[i + 4] as number) +
      (bytes[i + 6] as number) +
      (bytes[i + 8] as number) +
      (bytes[i + 10] as number) +
      (bytes[i + 12] as number) +
      (bytes[i + 14] as number);
    lo +=
      (bytes[i + 1] as number) +
      (bytes[i + 3] as number) +
      (bytes[i + 5] as number) +
      (bytes[i + 7] as number) +
      (bytes[i + 9] as number) +
      (bytes[i + 11] as number) +
      (bytes[i + 13] as number) +
      (bytes[i + 15] as number);
  }
  for (; i < last; i += 2) {
    hi += bytes[i] as number;
    lo += bytes[i + 1] as number;
  }
  if (i < end) hi += bytes[i] ?? 0;
  if (i + 1 < end) lo += bytes[i + 1] ?? 0; // only past the buffer's end: reads as zero, as before
  let sum = initial + hi * 256 + lo;
  // Fold the carries (exact integers below 2^53): arithmetic while the sum does not fit 32 bits, then bit operations.
  while (sum > 0xffffffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** RFC 1071 Internet checksum of `bytes[start, end)`: the complement of the one's-complement sum. */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  return ~onesComplementSum(bytes, start, end, initial) & 0xffff;
}
