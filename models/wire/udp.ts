/**
 * UDP (RFC 768). The checksum covers a pseudo-header of the IPv4 source, destination, protocol and UDP length, so the
 * codec needs the two addresses; packet.ts passes them from the enclosing IPv4 header.
 *
 *    0      7 8     15 16    23 24    31
 *   |     Source      |   Destination   |
 *   |      Port       |      Port       |
 *   |     Length      |    Checksum     |
 */
import { checkUint, onesComplementSum, readU16, U16_MAX, writeU16 } from './bytes.ts';
import { parseIpv4U32 } from './ipv4-address.ts';
import { IpProtocol } from './ipv4.ts';
import { decodeError, emitError, parsed, WireEmitError, type ParseResult } from './result.ts';

export const UDP_HEADER_BYTES = 8;

/**
 * How the checksum field is written:
 * - `'auto'`: computed over the pseudo-header (what every new datagram uses);
 * - `'zero'`: 0, "no checksum" (RFC 768);
 * - a number: exactly this value, kept from a parse where it did not verify (captures taken with checksum offload
 *   hold a partial checksum), so re-emission is byte-identical.
 */
export type UdpChecksum = 'auto' | 'zero' | number;

export interface UdpDatagram {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly checksum: UdpChecksum;
  readonly payload: Uint8Array;
}

/** The IPv4 addresses the checksum's pseudo-header carries (RFC 768 "Fields"). */
export interface UdpPseudoHeader {
  readonly src: string;
  readonly dst: string;
}

export interface UdpParseOptions {
  /** `'keep'` (default) records a checksum that does not verify as its number; `'verify'` makes it a DecodeError. */
  readonly badChecksum?: 'keep' | 'verify';
}

export function udpLength(datagram: UdpDatagram): number {
  return UDP_HEADER_BYTES + datagram.payload.length;
}

/**
 * The RFC 768 pseudo-header's addresses and protocol as a one's-complement sum (not folded): the 16-bit words of
 * source and destination plus the zero byte and protocol 17. The UDP length is added per datagram.
 */
export function udpPseudoAddressSum(srcU32: number, dstU32: number): number {
  return (srcU32 >>> 16) + (srcU32 & 0xffff) + (dstU32 >>> 16) + (dstU32 & 0xffff) + IpProtocol.UDP;
}

function pseudoHeaderSum(pseudo: UdpPseudoHeader): number {
  const src = parseIpv4U32(pseudo.src);
  if (src < 0) throw new WireEmitError('udp.pseudoHeader.src', `not a dotted-quad IPv4 address: '${pseudo.src}'`);
  const dst = parseIpv4U32(pseudo.dst);
  if (dst < 0) throw new WireEmitError('udp.pseudoHeader.dst', `not a dotted-quad IPv4 address: '${pseudo.dst}'`);
  return udpPseudoAddressSum(src, dst);
}

/**
 * The checksum the datagram at `bytes[offset, offset+length)` should carry; 0 is sent as 0xffff (RFC 768).
 * `addressSum` is `udpPseudoAddressSum` of the enclosing IPv4 addresses.
 */
function computeChecksum(
  bytes: Uint8Array,
  offset: number,
  length: number,
  addressSum: number,
  wireChecksum: number,
): number {
  // Sum with the checksum field treated as zero: subtracting it in one's complement is adding its complement.
  const sum = onesComplementSum(bytes, offset, offset + length, addressSum + length + (~wireChecksum & 0xffff));
  const checksum = ~sum & 0xffff;
  return checksum === 0 ? 0xffff : checksum;
}

/** Writes header (its checksum included) for a payload already at `offset + 8`; returns 8. */
export function finishUdpHeaderInto(
  datagram: UdpDatagram,
  pseudo: UdpPseudoHeader,
  buffer: Uint8Array,
  offset: number,
): number {
  const length = UDP_HEADER_BYTES + datagram.payload.length;
  if (length > U16_MAX) throw emitError('udp.length', length, ' bytes exceeds 65535');
  return writeUdpHeaderInto(datagram.srcPort, datagram.dstPort, datagram.checksum, length, pseudo, buffer, offset);
}

/**
 * `finishUdpHeaderInto` for a datagram of `length` bytes (header included) already in `buffer`, the pseudo-header's
 * addresses given as strings (the codec checks them) or as their `udpPseudoAddressSum`. packet.ts emits this way
 * without a datagram value or a view of the payload.
 */
export function writeUdpHeaderInto(
  srcPort: number,
  dstPort: number,
  checksum: UdpChecksum,
  length: number,
  pseudo: UdpPseudoHeader | number,
  buffer: Uint8Array,
  offset: number,
): number {
  writeU16(buffer, offset, checkUint(srcPort, U16_MAX, 'udp.srcPort'));
  writeU16(buffer, offset + 2, checkUint(dstPort, U16_MAX, 'udp.dstPort'));
  writeU16(buffer, offset + 4, length);
  writeU16(buffer, offset + 6, 0);
  let value: number;
  if (checksum === 'auto') {
    const addressSum = typeof pseudo === 'number' ? pseudo : pseudoHeaderSum(pseudo);
    value = computeChecksum(buffer, offset, length, addressSum, 0);
  } else if (checksum === 'zero') value = 0;
  else value = checkUint(checksum, U16_MAX, 'udp.checksum');
  writeU16(buffer, offset + 6, value);
  return UDP_HEADER_BYTES;
}

export function emitUdpInto(
  datagram: UdpDatagram,
  pseudo: UdpPseudoHeader,
  buffer: Uint8Array,
  offset: number,
): number {
  if (UDP_HEADER_BYTES + datagram.payload.length > U16_MAX) {
    throw new WireEmitError('udp.length', `${UDP_HEADER_BYTES + datagram.payload.length} bytes exceeds 65535`);
  }
  buffer.set(datagram.payload, offset + UDP_HEADER_BYTES);
  finishUdpHeaderInto(datagram, pseudo, buffer, offset);
  return UDP_HEADER_BYTES + datagram.payload.length;
}

export function emitUdp(datagram: UdpDatagram, pseudo: UdpPseudoHeader): Uint8Array {
  const out = new Uint8Array(udpLength(datagram));
  emitUdpInto(datagram, pseudo, out, 0);
  return out;
}

export interface UdpHeaderView {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly checksum: UdpChecksum;
  /** The UDP Length field: header + payload. */
  readonly length: number;
}

/** The length checks of `parseUdpHeader`: the error, or null when the header's Length fits the input. */
export function udpHeaderError(bytes: Uint8Array, offset: number): ParseResult<never> | null {
  const available = bytes.length - offset;
  if (available < UDP_HEADER_BYTES)
    return decodeError('udp', offset, `${Math.max(0, available)} bytes, a header needs 8`);
  const length = readU16(bytes, offset + 4);
  if (length < UDP_HEADER_BYTES) return decodeError('udp.length', offset + 4, `${length} is below the 8-byte header`);
  if (length > available) return decodeError('udp.length', offset + 4, `${length} bytes but only ${available} present`);
  return null;
}

/**
 * The checksum of the datagram at `offset` (which `udpHeaderError` found sound) classified as `parseUdpHeader` does,
 * or the decode error: parsePacket reads the header fields itself, without the view and result objects.
 */
export function udpChecksumAt(
  bytes: Uint8Array,
  offset: number,
  pseudo: UdpPseudoHeader | number,
  options: UdpParseOptions,
): UdpChecksum | ParseResult<never> {
  const wire = readU16(bytes, offset + 6);
  if (wire === 0) return 'zero'; // RFC 768: the transmitter generated no checksum.
  let addressSum: number;
  if (typeof pseudo === 'number') addressSum = pseudo;
  else {
    const src = parseIpv4U32(pseudo.src);
    const dst = parseIpv4U32(pseudo.dst);
    if (src < 0 || dst < 0)
      return decodeError('udp.pseudoHeader', offset, 'pseudo-header addresses are not dotted quads');
    addressSum = udpPseudoAddressSum(src, dst);
  }
  const expected = computeChecksum(bytes, offset, readU16(bytes, offset + 4), addressSum, wire);
  if (expected === wire) return 'auto';
  if (options.badChecksum === 'verify')
    return decodeError('udp.checksum', offset + 6, `0x${wire.toString(16)} should be 0x${expected.toString(16)}`);
  return wire;
}

/** Reads the header and classifies the checksum; the payload is `bytes[offset+8, offset+length)`. */
export function parseUdpHeader(
  bytes: Uint8Array,
  offset: number,
  pseudo: UdpPseudoHeader | number,
  options: UdpParseOptions = {},
): ParseResult<UdpHeaderView> {
  const error = udpHeaderError(bytes, offset);
  if (error !== null) return error;
  const checksum = udpChecksumAt(bytes, offset, pseudo, options);
  if (typeof checksum === 'object') return checksum;
  const length = readU16(bytes, offset + 4);
  return parsed({ srcPort: readU16(bytes, offset), dstPort: readU16(bytes, offset + 2), checksum, length }, length);
}

export function parseUdp(
  bytes: Uint8Array,
  offset: number,
  pseudo: UdpPseudoHeader,
  options: UdpParseOptions = {},
): ParseResult<UdpDatagram> {
  const header = parseUdpHeader(bytes, offset, pseudo, options);
  if (!header.ok) return header;
  const { srcPort, dstPort, checksum, length } = header.value;
  return parsed(
    { srcPort, dstPort, checksum, payload: bytes.slice(offset + UDP_HEADER_BYTES, offset + length) },
    length,
  );
}
