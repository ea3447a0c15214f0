/**
 * The IKE header (RFC 7296 §3.1) and whole messages: header + payload chain. Length and Next Payload are derived.
 *
 *   IKE SA Initiator's SPI (8) | IKE SA Responder's SPI (8) | Next Payload (1) | MjVer/MnVer (1) |
 *   Exchange Type (1) | Flags (1: R=0x20, V=0x10, I=0x08) | Message ID (4) | Length (4)
 */
import { readU32, writeU32 } from '../bytes.ts';
import { WireEmitError, decodeError, emitError, parsed, type ParseResult } from '../result.ts';
import { checkU32, checkU8, spiFromBytes, writeSpiInto } from './codec-util.ts';
import { IkePayloadType } from './constants.ts';
import type { IkeCodecOptions } from './options.ts';
import { chainLength, emitChainInto, parseChain, payloadTypeOf } from './payload.ts';
import type { IkeMessage, IkeSpi } from './types.ts';

export const IKE_HEADER_BYTES = 28;
const FLAG_INITIATOR = 0x08;
const FLAG_VERSION = 0x10;
const FLAG_RESPONSE = 0x20;
/** RFC 7296 §3.1: "MjVer … MUST be set to 2". */
const IKE_MAJOR_VERSION = 2;

/** The header as on the wire, for code that must look at a message it will not parse (RFC 7296 §2.5, §1.5). */
export interface IkeHeader {
  readonly spiI: IkeSpi;
  readonly spiR: IkeSpi;
  readonly nextPayload: number;
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly exchangeType: number;
  readonly initiator: boolean;
  readonly higherVersion: boolean;
  readonly response: boolean;
  /** The other five flag bits: "MUST be cleared when sending and MUST be ignored on receipt". */
  readonly reservedFlags: number;
  readonly messageId: number;
  readonly length: number;
}

export function parseIkeHeader(bytes: Uint8Array, offset: number): ParseResult<IkeHeader> {
  if (offset < 0 || bytes.length - offset < IKE_HEADER_BYTES) {
    return decodeError('ike.header', Math.max(0, Math.min(offset, bytes.length)), `needs ${IKE_HEADER_BYTES} bytes`);
  }
  const version = bytes[offset + 17] ?? 0;
  const flags = bytes[offset + 19] ?? 0;
  return parsed(
    {
      spiI: spiFromBytes(bytes, offset, offset + 8),
      spiR: spiFromBytes(bytes, offset + 8, offset + 16),
      nextPayload: bytes[offset + 16] ?? 0,
      majorVersion: version >>> 4,
      minorVersion: version & 0x0f,
      exchangeType: bytes[offset + 18] ?? 0,
      initiator: (flags & FLAG_INITIATOR) !== 0,
      higherVersion: (flags & FLAG_VERSION) !== 0,
      response: (flags & FLAG_RESPONSE) !== 0,
      reservedFlags: flags & ~(FLAG_INITIATOR | FLAG_VERSION | FLAG_RESPONSE) & 0xff,
      messageId: readU32(bytes, offset + 20),
      length: readU32(bytes, offset + 24),
    },
    IKE_HEADER_BYTES,
  );
}

export function emitIkeHeaderInto(h: IkeHeader, buffer: Uint8Array, offset: number): number {
  writeSpiInto(buffer, offset, h.spiI, 'ike.spiI', 8);
  writeSpiInto(buffer, offset + 8, h.spiR, 'ike.spiR', 8);
  buffer[offset + 16] = checkU8(h.nextPayload, 'ike.nextPayload');
  if (h.majorVersion > 15 || h.minorVersion > 15 || h.majorVersion < 0 || h.minorVersion < 0) {
    throw new WireEmitError('ike.version', 'major and minor version are 4-bit fields');
  }
  buffer[offset + 17] = (h.majorVersion << 4) | h.minorVersion;
  buffer[offset + 18] = checkU8(h.exchangeType, 'ike.exchangeType');
  buffer[offset + 19] =
    (checkU8(h.reservedFlags, 'ike.reservedFlags') & ~(FLAG_INITIATOR | FLAG_VERSION | FLAG_RESPONSE)) |
    (h.initiator ? FLAG_INITIATOR : 0) |
    (h.higherVersion ? FLAG_VERSION : 0) |
    (h.response ? FLAG_RESPONSE : 0);
  writeU32(buffer, offset + 20, checkU32(h.messageId, 'ike.messageId'));
  writeU32(buffer, offset + 24, checkU32(h.length, 'ike.length'));
  return IKE_HEADER_BYTES;
}

export function ikeMessageLength(m: IkeMessage, options?: IkeCodecOptions): number {
  return IKE_HEADER_BYTES + chainLength(m.payloads, options);
}

export function emitIkeMessageInto(
  m: IkeMessage,
  buffer: Uint8Array,
  offset: number,
  options?: IkeCodecOptions,
): number {
  return emitIkeMessageOfLengthInto(m, ikeMessageLength(m, options), buffer, offset, options);
}

/**
 * `emitIkeMessageInto` for a caller that has computed `ikeMessageLength(m, options)` already (packet.ts sizes the
 * whole datagram first): the payload lengths are not walked again. `length` must be that value.
 */
export function emitIkeMessageOfLengthInto(
  m: IkeMessage,
  length: number,
  buffer: Uint8Array,
  offset: number,
  options?: IkeCodecOptions,
): number {
  checkU32(length, 'ike.length');
  const first = m.payloads[0];
  // The header of `emitIkeHeaderInto` written in place (no header value): version 2.0, no reserved flags.
  writeSpiInto(buffer, offset, m.spiI, 'ike.spiI', 8);
  writeSpiInto(buffer, offset + 8, m.spiR, 'ike.spiR', 8);
  buffer[offset + 16] = checkU8(
    first === undefined ? IkePayloadType.NONE : payloadTypeOf(first, options),
    'ike.nextPayload',
  );
  buffer[offset + 17] = IKE_MAJOR_VERSION << 4;
  buffer[offset + 18] = checkU8(m.exchangeType, 'ike.exchangeType');
  buffer[offset + 19] =
    (m.initiator ? FLAG_INITIATOR : 0) | (m.higherVersion ? FLAG_VERSION : 0) | (m.response ? FLAG_RESPONSE : 0);
  writeU32(buffer, offset + 20, checkU32(m.messageId, 'ike.messageId'));
  writeU32(buffer, offset + 24, length);
  const written =
    IKE_HEADER_BYTES +
    emitChainInto(m.payloads, buffer, offset + IKE_HEADER_BYTES, 'ike', options, false, offset, offset + length);
  if (written !== length) throw emitError('ike.length', 'wrote ', written, ' bytes, computed ', length);
  return written;
}

export function emitIkeMessage(m: IkeMessage, options?: IkeCodecOptions): Uint8Array {
  const out = new Uint8Array(ikeMessageLength(m, options));
  emitIkeMessageInto(m, out, 0, options);
  return out;
}

/**
 * Parses one IKE message at `offset` (the UDP payload on port 500, or after the 4-byte non-ESP marker on 4500,
 * RFC 3948 §2.2). Reads exactly the header's Length bytes; trailing bytes are left to the caller. Never throws.
 */
export function parseIkeMessage(bytes: Uint8Array, offset: number, options?: IkeCodecOptions): ParseResult<IkeMessage> {
  const header = parseIkeHeader(bytes, offset);
  if (!header.ok) return header;
  const h = header.value;
  if (h.majorVersion !== IKE_MAJOR_VERSION) {
    return decodeError('ike.version', offset + 17, `major version ${h.majorVersion}, not 2 (RFC 7296 §3.1)`);
  }
  if (h.length < IKE_HEADER_BYTES || h.length > bytes.length - offset) {
    return decodeError('ike.length', offset + 24, `length ${h.length} outside [28, ${bytes.length - offset}]`);
  }
  const chain = parseChain(
    h.nextPayload,
    bytes,
    offset + IKE_HEADER_BYTES,
    offset + h.length,
    'ike',
    options,
    offset,
    false,
  );
  if (!chain.ok) return chain;
  return parsed(
    {
      spiI: h.spiI,
      spiR: h.spiR,
      exchangeType: h.exchangeType,
      initiator: h.initiator,
      higherVersion: h.higherVersion,
      response: h.response,
      messageId: h.messageId,
      payloads: chain.value,
    },
    h.length,
  );
}
