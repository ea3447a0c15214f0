/**
 * IPv4 header (RFC 791 §3.1). Options are kept raw so a parsed header re-emits byte-identical; the header checksum is
 * verified on parse and computed on emit; Total Length and IHL are derived from the value.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options                    |    Padding    |
 */
import {
  checkUint,
  internetChecksum,
  ipv4FromBytes,
  readU16,
  U16_MAX,
  U8_MAX,
  writeIpv4,
  writeU16,
  writeU32,
} from './bytes.ts';
import { decodeError, emitError, parsed, WireEmitError, type ParseResult } from './result.ts';

export const IpProtocol = { ICMP: 1, IPV4: 4, UDP: 17, ESP: 50 } as const;

/** Field offsets (RFC 791 §3.1). */
const field = {
  VER_IHL: 0,
  TOS: 1,
  TOTAL_LENGTH: 2,
  IDENTIFICATION: 4,
  FLAGS_FRAGMENT: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
  OPTIONS: 20,
} as const;

export const IPV4_MIN_HEADER_BYTES = 20;
/** IHL is 4 bits of 32-bit words: at most 60 bytes of header, 40 of options. */
export const IPV4_MAX_OPTIONS_BYTES = 40;
/** Flags bit 1 (0x2): Don't Fragment; bit 2 (0x1): More Fragments. */
export const IPV4_FLAG_DF = 0x2;
export const IPV4_FLAG_MF = 0x1;

export interface Ipv4Header {
  /** Type of Service byte (DSCP ‖ ECN). */
  readonly tos: number;
  readonly identification: number;
  /** The 3 flag bits: 0x2 DF, 0x1 MF. */
  readonly flags: number;
  /** In 8-byte units. */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
  /** Raw options and their padding, a multiple of 4 bytes, at most 40. */
  readonly options: Uint8Array;
}

export interface Ipv4Packet extends Ipv4Header {
  readonly payload: Uint8Array;
}

export function ipv4HeaderLength(header: Ipv4Header): number {
  return IPV4_MIN_HEADER_BYTES + header.options.length;
}

export function ipv4Length(packet: Ipv4Packet): number {
  return ipv4HeaderLength(packet) + packet.payload.length;
}

/**
 * Writes the header for a payload of `payloadBytes` (written separately by the caller, right after it) and returns the
 * header length. Lets packet.ts emit the layers in place without copying.
 */
export function emitIpv4HeaderInto(
  header: Ipv4Header,
  payloadBytes: number,
  buffer: Uint8Array,
  offset: number,
): number {
  return emitIpv4HeaderWithAddressesInto(header, payloadBytes, buffer, offset, -1, -1);
}

/**
 * `emitIpv4HeaderInto` with the source and destination already parsed to u32 by the caller (packet.ts needs them for
 * the UDP pseudo-header too); -1 for either means "parse `header.src` / `header.dst`", with their errors.
 */
export function emitIpv4HeaderWithAddressesInto(
  header: Ipv4Header,
  payloadBytes: number,
  buffer: Uint8Array,
  offset: number,
  srcU32: number,
  dstU32: number,
): number {
  const { options } = header;
  if (options.length % 4 !== 0 || options.length > IPV4_MAX_OPTIONS_BYTES) {
    throw new WireEmitError(
      'ipv4.options',
      `${options.length} bytes: must be a multiple of 4, at most 40 (RFC 791 §3.1)`,
    );
  }
  const headerBytes = IPV4_MIN_HEADER_BYTES + options.length;
  const totalLength = headerBytes + payloadBytes;
  if (totalLength > U16_MAX) throw emitError('ipv4.totalLength', totalLength, ' bytes exceeds 65535');
  buffer[offset + field.VER_IHL] = 0x40 | (headerBytes / 4);
  buffer[offset + field.TOS] = checkUint(header.tos, U8_MAX, 'ipv4.tos');
  writeU16(buffer, offset + field.TOTAL_LENGTH, totalLength);
  writeU16(buffer, offset + field.IDENTIFICATION, checkUint(header.identification, U16_MAX, 'ipv4.identification'));
  const flagsFragment =
    (checkUint(header.flags, 7, 'ipv4.flags') << 13) | checkUint(header.fragmentOffset, 0x1fff, 'ipv4.fragmentOffset');
  writeU16(buffer, offset + field.FLAGS_FRAGMENT, flagsFragment);
  buffer[offset + field.TTL] = checkUint(header.ttl, U8_MAX, 'ipv4.ttl');
  buffer[offset + field.PROTOCOL] = checkUint(header.protocol, U8_MAX, 'ipv4.protocol');
  writeU16(buffer, offset + field.CHECKSUM, 0);
  if (srcU32 < 0) writeIpv4(buffer, offset + field.SRC, header.src, 'ipv4.src');
  else writeU32(buffer, offset + field.SRC, srcU32);
  if (dstU32 < 0) writeIpv4(buffer, offset + field.DST, header.dst, 'ipv4.dst');
  else writeU32(buffer, offset + field.DST, dstU32);
  if (options.length > 0) buffer.set(options, offset + field.OPTIONS);
  writeU16(buffer, offset + field.CHECKSUM, internetChecksum(buffer, offset, offset + headerBytes));
  return headerBytes;
}

export function emitIpv4Into(packet: Ipv4Packet, buffer: Uint8Array, offset: number): number {
  const headerBytes = emitIpv4HeaderInto(packet, packet.payload.length, buffer, offset);
  buffer.set(packet.payload, offset + headerBytes);
  return headerBytes + packet.payload.length;
}

export function emitIpv4(packet: Ipv4Packet): Uint8Array {
  const out = new Uint8Array(ipv4Length(packet));
  emitIpv4Into(packet, out, 0);
  return out;
}

/** The options of every header without any: zero bytes, so sharing one array aliases nothing. */
/** The options of a 20-byte header: one shared empty array (nothing can be written into it). */
export const NO_IPV4_OPTIONS = new Uint8Array(0);

export interface Ipv4HeaderView {
  readonly header: Ipv4Header;
  readonly headerBytes: number;
  readonly totalLength: number;
}

/**
 * The checks of `parseIpv4Header` (version 4, IHL ≥ 5, Total Length within the input, correct checksum): the error,
 * or null when the header at `offset` is sound. parsePacket checks and then reads the header with `ipv4HeaderAt`,
 * without the view and result objects of `parseIpv4Header`.
 */
export function ipv4HeaderError(bytes: Uint8Array, offset: number): ParseResult<never> | null {
  const available = bytes.length - offset;
  if (available < IPV4_MIN_HEADER_BYTES) {
    return decodeError('ipv4', offset, `${Math.max(0, available)} bytes, a header needs 20`);
  }
  const verIhl = bytes[offset] ?? 0;
  if (verIhl >>> 4 !== 4) return decodeError('ipv4.version', offset, `version ${verIhl >>> 4}, expected 4`);
  const headerBytes = (verIhl & 0x0f) * 4;
  if (headerBytes < IPV4_MIN_HEADER_BYTES) return decodeError('ipv4.ihl', offset, `IHL ${verIhl & 0x0f} is below 5`);
  const totalLength = readU16(bytes, offset + field.TOTAL_LENGTH);
  if (totalLength < headerBytes) {
    return decodeError(
      'ipv4.totalLength',
      offset + field.TOTAL_LENGTH,
      `${totalLength} is shorter than the ${headerBytes}-byte header`,
    );
  }
  if (totalLength > available) {
    return decodeError(
      'ipv4.totalLength',
      offset + field.TOTAL_LENGTH,
      `${totalLength} bytes but only ${available} present`,
    );
  }
  // RFC 791 §3.1: the checksum over the header including the checksum field is zero when correct.
  if (internetChecksum(bytes, offset, offset + headerBytes) !== 0) {
    return decodeError('ipv4.checksum', offset + field.CHECKSUM, 'header checksum mismatch');
  }
  return null;
}

/** The header length in bytes (IHL × 4) of the header at `offset`. */
export function ipv4HeaderBytesAt(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) & 0x0f) * 4;
}

/** The Total Length field of the header at `offset`. */
export function ipv4TotalLengthAt(bytes: Uint8Array, offset: number): number {
  return readU16(bytes, offset + field.TOTAL_LENGTH);
}

/** The header at `offset`, which `ipv4HeaderError` found sound. */
export function ipv4HeaderAt(bytes: Uint8Array, offset: number): Ipv4Header {
  const headerBytes = ipv4HeaderBytesAt(bytes, offset);
  const flagsFragment = readU16(bytes, offset + field.FLAGS_FRAGMENT);
  return {
    tos: bytes[offset + field.TOS] ?? 0,
    identification: readU16(bytes, offset + field.IDENTIFICATION),
    flags: flagsFragment >>> 13,
    fragmentOffset: flagsFragment & 0x1fff,
    ttl: bytes[offset + field.TTL] ?? 0,
    protocol: bytes[offset + field.PROTOCOL] ?? 0,
    src: ipv4FromBytes(bytes, offset + field.SRC),
    dst: ipv4FromBytes(bytes, offset + field.DST),
    options:
      headerBytes === IPV4_MIN_HEADER_BYTES
        ? NO_IPV4_OPTIONS
        : bytes.slice(offset + field.OPTIONS, offset + headerBytes),
  };
}

/**
 * Reads and checks the header at `offset`: version 4, IHL ≥ 5, Total Length within the input, correct checksum.
 * Bytes after Total Length (link-layer padding) are not consumed.
 */
export function parseIpv4Header(bytes: Uint8Array, offset: number): ParseResult<Ipv4HeaderView> {
  const error = ipv4HeaderError(bytes, offset);
  if (error !== null) return error;
  const totalLength = ipv4TotalLengthAt(bytes, offset);
  return parsed(
    { header: ipv4HeaderAt(bytes, offset), headerBytes: ipv4HeaderBytesAt(bytes, offset), totalLength },
    totalLength,
  );
}

export function parseIpv4(bytes: Uint8Array, offset: number): ParseResult<Ipv4Packet> {
  const view = parseIpv4Header(bytes, offset);
  if (!view.ok) return view;
  const { header, headerBytes, totalLength } = view.value;
  return parsed({ ...header, payload: bytes.slice(offset + headerBytes, offset + totalLength) }, totalLength);
}
