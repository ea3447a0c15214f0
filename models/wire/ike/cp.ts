/**
 * Configuration payload body (RFC 7296 §3.15): CFG Type (1), RESERVED (3), attributes (§3.15.1): R bit + Attribute
 * Type (15 bits), Length (2), Value. Requests carry zero-length attributes (§3.15.1 "0 or 4 octets").
 */
import { ipv4FromBytes, readU16, writeIpv4, writeU16 } from '../bytes.ts';
import { WireEmitError, decodeError, parsed, type ParseResult } from '../result.ts';
import {
  checkU16,
  checkU8,
  FIELD_HOLE,
  latin1Decode,
  refill,
  rethrowFilled,
  writeBytes,
  writeLatin1,
  writeZeros,
} from './codec-util.ts';
import { IkeConfigAttributeType as T } from './constants.ts';
import type { IkeConfigAddressKind, IkeConfigAttribute, IkeCpPayload } from './types.ts';
import { fitted } from '../fitted.ts';

const ADDRESS_TYPES: ReadonlyMap<IkeConfigAddressKind, number> = new Map<IkeConfigAddressKind, number>([
  ['ip4Address', T.INTERNAL_IP4_ADDRESS],
  ['ip4Netmask', T.INTERNAL_IP4_NETMASK],
  ['ip4Dns', T.INTERNAL_IP4_DNS],
  ['ip4Nbns', T.INTERNAL_IP4_NBNS],
  ['ip4Dhcp', T.INTERNAL_IP4_DHCP],
]);
const ADDRESS_KINDS: ReadonlyMap<number, IkeConfigAddressKind> = new Map(
  [...ADDRESS_TYPES].map(([kind, type]) => [type, kind]),
);

/** The Attribute Type number of an attribute. */
export function configAttributeTypeOf(a: IkeConfigAttribute): number {
  switch (a.kind) {
    case 'applicationVersion':
      return T.APPLICATION_VERSION;
    case 'ip4Subnet':
      return T.INTERNAL_IP4_SUBNET;
    case 'supportedAttributes':
      return T.SUPPORTED_ATTRIBUTES;
    case 'raw':
      return a.type;
    default:
      return ADDRESS_TYPES.get(a.kind) ?? 0;
  }
}

function valueLength(a: IkeConfigAttribute): number {
  switch (a.kind) {
    case 'applicationVersion':
      return a.version.length;
    case 'ip4Subnet':
      return a.subnet === null ? 0 : 8;
    case 'supportedAttributes':
      return 2 * a.types.length;
    case 'raw':
      return a.data.length;
    default:
      return a.address === null ? 0 : 4;
  }
}

export function configAttributeLength(a: IkeConfigAttribute): number {
  return 4 + valueLength(a);
}

export function emitConfigAttributeInto(
  a: IkeConfigAttribute,
  buffer: Uint8Array,
  offset: number,
  field = 'attribute',
): number {
  const type = checkU16(configAttributeTypeOf(a), field, '.type');
  if (type > 0x7fff) throw new WireEmitError(`${field}.type`, 'at most 0x7fff (the top bit is reserved)');
  writeU16(buffer, offset, type);
  writeU16(buffer, offset + 2, checkU16(valueLength(a), field, '.length'));
  const at = offset + 4;
  switch (a.kind) {
    case 'applicationVersion':
      return 4 + writeLatin1(buffer, at, a.version, field, '.version');
    case 'ip4Subnet':
      if (a.subnet === null) return 4;
      writeIpv4(buffer, at, a.subnet.address, field, '.subnet.address');
      writeIpv4(buffer, at + 4, a.subnet.netmask, field, '.subnet.netmask');
      return 12;
    case 'supportedAttributes':
      a.types.forEach((t, i) => writeU16(buffer, at + 2 * i, checkU16(t, `${field}.types[${i}]`)));
      return 4 + 2 * a.types.length;
    case 'raw':
      return 4 + writeBytes(buffer, at, a.data);
    default:
      if (a.address === null) return 4;
      writeIpv4(buffer, at, a.address, field, '.address');
      return 8;
  }
}

export function parseConfigAttributeIn(
  bytes: Uint8Array,
  offset: number,
  end: number,
  field: string,
): ParseResult<IkeConfigAttribute> {
  if (end - offset < 4) return decodeError(field, offset, `needs 4 bytes, ${end - offset} left`);
  // §3.15.1: the R bit "MUST be zero; MUST be ignored on receipt".
  const type = readU16(bytes, offset) & 0x7fff;
  const length = readU16(bytes, offset + 2);
  if (offset + 4 + length > end) {
    return decodeError(`${field}.length`, offset + 2, `length ${length} exceeds the ${end - offset - 4} bytes left`);
  }
  const v = offset + 4;
  const vEnd = v + length;
  const addressKind = ADDRESS_KINDS.get(type);
  if (addressKind !== undefined && (length === 0 || length === 4)) {
    return parsed<IkeConfigAttribute>(
      { kind: addressKind, address: length === 0 ? null : ipv4FromBytes(bytes, v) },
      4 + length,
    );
  }
  if (type === T.APPLICATION_VERSION)
    return parsed<IkeConfigAttribute>(
      { kind: 'applicationVersion', version: latin1Decode(bytes, v, vEnd) },
      4 + length,
    );
  if (type === T.INTERNAL_IP4_SUBNET && (length === 0 || length === 8)) {
    const subnet = length === 0 ? null : { address: ipv4FromBytes(bytes, v), netmask: ipv4FromBytes(bytes, v + 4) };
    return parsed<IkeConfigAttribute>({ kind: 'ip4Subnet', subnet }, 4 + length);
  }
  if (type === T.SUPPORTED_ATTRIBUTES && length % 2 === 0) {
    const types: number[] = [];
    for (let i = v; i < vEnd; i += 2) types.push(readU16(bytes, i));
    return parsed<IkeConfigAttribute>({ kind: 'supportedAttributes', types }, 4 + length);
  }
  return parsed<IkeConfigAttribute>({ kind: 'raw', type, data: bytes.slice(v, vEnd) }, 4 + length);
}

export function parseIkeConfigAttribute(bytes: Uint8Array, offset: number): ParseResult<IkeConfigAttribute> {
  return parseConfigAttributeIn(bytes, offset, bytes.length, 'attribute');
}

export function emitIkeConfigAttribute(a: IkeConfigAttribute): Uint8Array {
  const out = new Uint8Array(configAttributeLength(a));
  emitConfigAttributeInto(a, out, 0);
  return out;
}

export function cpBodyLength(p: IkeCpPayload): number {
  let n = 4;
  for (const a of p.attributes) n += configAttributeLength(a);
  return n;
}

export function emitCpBodyInto(p: IkeCpPayload, buffer: Uint8Array, offset: number, field: string): number {
  buffer[offset] = checkU8(p.cfgType, field, '.cfgType');
  writeZeros(buffer, offset + 1, 3);
  let at = offset + 4;
  let i = 0;
  try {
    for (; i < p.attributes.length; i++) {
      const a = p.attributes[i] as (typeof p.attributes)[number];
      at += emitConfigAttributeInto(a, buffer, at, FIELD_HOLE);
    }
  } catch (e) {
    rethrowFilled(e, `${field}.attribute[${i}]`);
  }
  return at - offset;
}

export function parseCpBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
): ParseResult<IkeCpPayload> {
  if (end - start < 4) return decodeError(field, start, `needs 4 bytes, ${end - start} left`);
  const attributes: IkeConfigAttribute[] = [];
  let at = start + 4;
  while (at < end) {
    const a = parseConfigAttributeIn(bytes, at, end, FIELD_HOLE);
    if (!a.ok) return refill(a, `${field}.attribute[${attributes.length}]`);
    attributes.push(a.value);
    at += a.bytesRead;
  }
  return parsed({ kind: 'CP', critical, cfgType: bytes[start] ?? 0, attributes: fitted(attributes) }, end - start);
}
