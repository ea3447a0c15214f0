/**
 * Small helpers shared by the IKEv2 payload codecs: SPI hex, latin1 text, emit-side checks, decode-error shorthands.
 */
import { checkUint, copyInto, fromHex, hexOfRange, zeroRange } from '../bytes.ts';
import { decodeError, emitError, WireEmitError, type ParseResult } from '../result.ts';
import type { IkeSpi } from './types.ts';

/** The bytes of a lower-case hex SPI; throws WireEmitError for anything else (upper case would not round-trip). */
export function spiToBytes(spi: IkeSpi, field: string): Uint8Array {
  if (!isLowerHexPairs(spi)) throw new WireEmitError(field, `SPI must be lower-case hex pairs, got '${spi}'`);
  return fromHex(spi);
}

export function spiFromBytes(bytes: Uint8Array, start: number, end: number): IkeSpi {
  return hexOfRange(bytes, start, end);
}

/** Is `spi` lower-case hex pairs (what `spiToBytes` accepts)? Checked by char codes: no RegExp per SPI. */
function isLowerHexPairs(spi: string): boolean {
  if (spi.length % 2 !== 0) return false;
  for (let i = 0; i < spi.length; i++) {
    const c = spi.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The byte length of `spi` after the checks of `spiToBytes` (error field `field + suffix`), without converting it. */
export function spiByteLength(spi: IkeSpi, field: string, suffix = ''): number {
  if (!isLowerHexPairs(spi)) throw new WireEmitError(field + suffix, `SPI must be lower-case hex pairs, got '${spi}'`);
  return spi.length / 2;
}

/**
 * Writes `spi` at `offset` without an intermediate array; the checks and errors of `checkSpiBytes` (`sizeBytes`
 * given) or `spiToBytes` (undefined). Returns the bytes written.
 */
export function writeSpiInto(
  buffer: Uint8Array,
  offset: number,
  spi: IkeSpi,
  field: string,
  sizeBytes?: number,
): number {
  // One pass: check and write each pair (on a bad digit the partly written bytes are thrown away with the error).
  const n = spi.length;
  let ok = n % 2 === 0;
  for (let i = 0; ok && i < n; i += 2) {
    const hi = lowerHexValue(spi.charCodeAt(i));
    const lo = lowerHexValue(spi.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) ok = false;
    else buffer[offset + i / 2] = (hi << 4) | lo;
  }
  if (!ok) throw emitError(field, "SPI must be lower-case hex pairs, got '", spi, "'");
  if (sizeBytes !== undefined && n / 2 !== sizeBytes)
    throw emitError(field, 'SPI must be ', sizeBytes, ' bytes, got ', n / 2);
  return n / 2;
}

/** The value of each lower-case hex digit by char code, -1 for anything else (upper case would not round-trip). */
const LOWER_HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) LOWER_HEX_VALUE['0123456789abcdef'.charCodeAt(d)] = d;

/** The value of a lower-case hex digit, or -1: one table load (an SPI is 16 digits, written on every message). */
function lowerHexValue(c: number): number {
  return c < 128 ? (LOWER_HEX_VALUE[c] as number) : -1;
}

/** Checks the byte length of an SPI written in a fixed-size field. */
export function checkSpiBytes(spi: IkeSpi, sizeBytes: number, field: string): Uint8Array {
  const bytes = spiToBytes(spi, field);
  if (bytes.length !== sizeBytes) throw new WireEmitError(field, `SPI must be ${sizeBytes} bytes, got ${bytes.length}`);
  return bytes;
}

/** One character per byte, so arbitrary bytes survive a round trip. */
export function latin1Decode(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i] ?? 0);
  return out;
}

export function latin1Length(text: string): number {
  return text.length;
}

export function writeLatin1(buffer: Uint8Array, offset: number, text: string, field: string, suffix = ''): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new WireEmitError(field + suffix, `character ${i} (U+${code.toString(16)}) is not one byte`);
    buffer[offset + i] = code;
  }
  return text.length;
}

export function checkU8(value: number, field: string, suffix = ''): number {
  return checkUint(value, 0xff, field, suffix);
}

export function checkU16(value: number, field: string, suffix = ''): number {
  return checkUint(value, 0xffff, field, suffix);
}

export function checkU32(value: number, field: string, suffix = ''): number {
  return checkUint(value, 0xffffffff, field, suffix);
}

/** Copies `data` into `buffer` at `offset`; returns its length. */
export function writeBytes(buffer: Uint8Array, offset: number, data: Uint8Array): number {
  copyInto(buffer, offset, data);
  return data.length;
}

/** Fills `buffer[offset, offset + n)` with zeros (reserved fields); returns n. */
export function writeZeros(buffer: Uint8Array, offset: number, n: number): number {
  zeroRange(buffer, offset, offset + n);
  return n;
}

/**
 * Where a decode or emit error's field path is not built yet. Hot loops pass `FIELD_HOLE` (or a path starting with it)
 * down instead of building `ike.payload[3](SA)` for every payload, and fill the hole only when an error comes back:
 * building the names cost more than the parsing. The character never occurs in a real path.
 */
export const FIELD_HOLE = '\u0000';

/** `field` with its hole replaced by `path` (a function replacement: `$` in a path is literal). */
export function fillField(field: string, path: string): string {
  return field.replace(FIELD_HOLE, () => path);
}

/**
 * Rethrows `e` with the hole in its field filled, when it is a WireEmitError that has one. `path` is a string built
 * in the catch block, not a closure: a closure there captures the loop index, which V8 then keeps in a context object
 * allocated on every call of the emitter, error or not.
 */
export function rethrowFilled(e: unknown, path: string): never {
  if (e instanceof WireEmitError && e.field.includes(FIELD_HOLE)) {
    throw new WireEmitError(fillField(e.field, path), e.reason);
  }
  throw e;
}

/** A decode error from a part parsed with `FIELD_HOLE`, its field filled with the part's `path`. */
export function refill(
  r: { readonly error: { field: string; offset: number; reason: string } },
  path: string,
): ParseResult<never> {
  return decodeError(fillField(r.error.field, path), r.error.offset, r.error.reason);
}
