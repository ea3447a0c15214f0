/** Delete payload body (RFC 7296 §3.11): Protocol ID (1), SPI Size (1), Num of SPIs (2), SPIs. */
import { readU16, writeU16 } from '../bytes.ts';
import { decodeError, parsed, type ParseResult } from '../result.ts';
import { checkSpiBytes, checkU16, checkU8, spiFromBytes, writeBytes } from './codec-util.ts';
import type { IkeDeletePayload, IkeSpi } from './types.ts';

export function deleteBodyLength(p: IkeDeletePayload): number {
  return 4 + p.spiSize * p.spis.length;
}

export function emitDeleteBodyInto(p: IkeDeletePayload, buffer: Uint8Array, offset: number, field: string): number {
  buffer[offset] = checkU8(p.protocolId, field, '.protocolId');
  buffer[offset + 1] = checkU8(p.spiSize, field, '.spiSize');
  writeU16(buffer, offset + 2, checkU16(p.spis.length, field, '.numSpis'));
  let at = offset + 4;
  p.spis.forEach((spi, i) => {
    at += writeBytes(buffer, at, checkSpiBytes(spi, p.spiSize, `${field}.spis[${i}]`));
  });
  return at - offset;
}

export function parseDeleteBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
): ParseResult<IkeDeletePayload> {
  if (end - start < 4) return decodeError(field, start, `needs 4 bytes, ${end - start} left`);
  const spiSize = bytes[start + 1] ?? 0;
  const numSpis = readU16(bytes, start + 2);
  if (4 + spiSize * numSpis !== end - start) {
    return decodeError(
      `${field}.numSpis`,
      start + 2,
      `${numSpis} SPIs of ${spiSize} bytes do not fill ${end - start - 4} bytes`,
    );
  }
  const spis: IkeSpi[] = [];
  for (let i = 0; i < numSpis; i++) {
    const at = start + 4 + i * spiSize;
    spis.push(spiFromBytes(bytes, at, at + spiSize));
  }
  return parsed({ kind: 'D', critical, protocolId: bytes[start] ?? 0, spiSize, spis }, end - start);
}
