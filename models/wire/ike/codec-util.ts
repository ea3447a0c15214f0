/**
 * Small helpers shared by the IKEv2 payload codecs: SPI hex, latin1 text, emit-side checks, decode-error shorthands.
 */
import { checkUint, fromHex, toHex } from '../bytes.ts';
import { WireEmitError } from '../result.ts';
import type { IkeSpi } from './types.ts';

const HEX_PAIRS = /^(?:[0-9a-f]{2})*$/;

/** The bytes of a lower-case hex SPI; throws WireEmitError for anything else (upper case would not round-trip). */
export function spiToBytes(spi: IkeSpi, field: string): Uint8Array {
  if (!HEX_PAIRS.test(spi)) throw new WireEmitError(field, `SPI must be lower-case hex pairs, got '${spi}'`);
  return fromHex(spi);
}

export function spiFromBytes(bytes: Uint8Array, start: number, end: number): IkeSpi {
  return toHex(bytes.subarray(start, end));
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

export function writeLatin1(buffer: Uint8Array, offset: number, text: string, field: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new WireEmitError(field, `character ${i} (U+${code.toString(16)}) is not one byte`);
    buffer[offset + i] = code;
  }
  return text.length;
}

export function checkU8(value: number, field: string): number {
  return checkUint(value, 0xff, field);
}

export function checkU16(value: number, field: string): number {
  return checkUint(value, 0xffff, field);
}

export function checkU32(value: number, field: string): number {
  return checkUint(value, 0xffffffff, field);
}

/** Copies `data` into `buffer` at `offset`; returns its length. */
export function writeBytes(buffer: Uint8Array, offset: number, data: Uint8Array): number {
  buffer.set(data, offset);
  return data.length;
}

/** Fills `buffer[offset, offset + n)` with zeros (reserved fields); returns n. */
export function writeZeros(buffer: Uint8Array, offset: number, n: number): number {
  buffer.fill(0, offset, offset + n);
  return n;
}
