/**
 * Traffic Selector payload body (RFC 7296 §3.13): Number of TSs (1), RESERVED (3), selectors (§3.13.1):
 * TS Type (1), IP Protocol ID (1), Selector Length (2), then for TS_IPV4_ADDR_RANGE: Start Port (2), End Port (2),
 * Starting Address (4), Ending Address (4).
 */
import { ipv4FromBytes, readU16, writeIpv4, writeU16 } from '../bytes.ts';
import { decodeError, parsed, type ParseResult } from '../result.ts';
import { checkU16, checkU8, FIELD_HOLE, refill, rethrowFilled, writeBytes, writeZeros } from './codec-util.ts';
import { IkeTsType } from './constants.ts';
import type { IkeTrafficSelector, IkeTsPayload } from './types.ts';
import { fitted } from '../fitted.ts';

const IPV4_RANGE_BYTES = 16;

export function trafficSelectorLength(ts: IkeTrafficSelector): number {
  return ts.kind === 'ipv4Range' ? IPV4_RANGE_BYTES : 4 + ts.data.length;
}

export function emitTrafficSelectorInto(
  ts: IkeTrafficSelector,
  buffer: Uint8Array,
  offset: number,
  field = 'ts',
): number {
  buffer[offset + 1] = checkU8(ts.ipProtocol, field, '.ipProtocol');
  writeU16(buffer, offset + 2, checkU16(trafficSelectorLength(ts), field, '.length'));
  if (ts.kind === 'raw') {
    buffer[offset] = checkU8(ts.tsType, field, '.tsType');
    return 4 + writeBytes(buffer, offset + 4, ts.data);
  }
  buffer[offset] = IkeTsType.TS_IPV4_ADDR_RANGE;
  writeU16(buffer, offset + 4, checkU16(ts.startPort, field, '.startPort'));
  writeU16(buffer, offset + 6, checkU16(ts.endPort, field, '.endPort'));
  writeIpv4(buffer, offset + 8, ts.startAddress, field, '.startAddress');
  writeIpv4(buffer, offset + 12, ts.endAddress, field, '.endAddress');
  return IPV4_RANGE_BYTES;
}

export function parseTrafficSelectorIn(
  bytes: Uint8Array,
  offset: number,
  end: number,
  field: string,
): ParseResult<IkeTrafficSelector> {
  if (end - offset < 4) return decodeError(field, offset, `needs 4 bytes, ${end - offset} left`);
  const tsType = bytes[offset] ?? 0;
  const ipProtocol = bytes[offset + 1] ?? 0;
  const length = readU16(bytes, offset + 2);
  if (length < 4 || offset + length > end) {
    return decodeError(`${field}.length`, offset + 2, `selector length ${length} outside [4, ${end - offset}]`);
  }
  if (tsType === IkeTsType.TS_IPV4_ADDR_RANGE && length === IPV4_RANGE_BYTES) {
    return parsed(
      {
        kind: 'ipv4Range',
        ipProtocol,
        startPort: readU16(bytes, offset + 4),
        endPort: readU16(bytes, offset + 6),
        startAddress: ipv4FromBytes(bytes, offset + 8),
        endAddress: ipv4FromBytes(bytes, offset + 12),
      },
      length,
    );
  }
  return parsed({ kind: 'raw', tsType, ipProtocol, data: bytes.slice(offset + 4, offset + length) }, length);
}

export function parseIkeTrafficSelector(bytes: Uint8Array, offset: number): ParseResult<IkeTrafficSelector> {
  return parseTrafficSelectorIn(bytes, offset, bytes.length, 'ts');
}

export function emitIkeTrafficSelector(ts: IkeTrafficSelector): Uint8Array {
  const out = new Uint8Array(trafficSelectorLength(ts));
  emitTrafficSelectorInto(ts, out, 0);
  return out;
}

export function tsBodyLength(p: IkeTsPayload): number {
  let n = 4;
  for (const ts of p.selectors) n += trafficSelectorLength(ts);
  return n;
}

export function emitTsBodyInto(p: IkeTsPayload, buffer: Uint8Array, offset: number, field: string): number {
  buffer[offset] = checkU8(p.selectors.length, field, '.numTs');
  writeZeros(buffer, offset + 1, 3);
  let at = offset + 4;
  let i = 0;
  try {
    for (; i < p.selectors.length; i++) {
      const ts = p.selectors[i] as (typeof p.selectors)[number];
      at += emitTrafficSelectorInto(ts, buffer, at, FIELD_HOLE);
    }
  } catch (e) {
    rethrowFilled(e, `${field}.ts[${i}]`);
  }
  return at - offset;
}

export function parseTsBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
  kind: 'TSi' | 'TSr',
): ParseResult<IkeTsPayload> {
  if (end - start < 4) return decodeError(field, start, `needs 4 bytes, ${end - start} left`);
  const count = bytes[start] ?? 0;
  const selectors: IkeTrafficSelector[] = [];
  let at = start + 4;
  for (let i = 0; i < count; i++) {
    const ts = parseTrafficSelectorIn(bytes, at, end, FIELD_HOLE);
    if (!ts.ok) return refill(ts, `${field}.ts[${i}]`);
    selectors.push(ts.value);
    at += ts.bytesRead;
  }
  if (at !== end) return decodeError(`${field}.numTs`, start, `${end - at} bytes after ${count} selectors`);
  return parsed({ kind, critical, selectors: fitted(selectors) }, end - start);
}
