/**
 * The generic payload chain (RFC 7296 §3.2) and the SK payload (§3.14).
 *
 * Every payload starts with Next Payload (1), C + RESERVED (1), Payload Length (2). The type of a payload is carried
 * by the previous header (or the IKE header), so the chain parser walks types and bodies together. SK is the last
 * payload of a message; its Next Payload names the first inner payload (§3.2), and its body is
 * IV ‖ encrypted(inner payloads ‖ Padding ‖ Pad Length) ‖ ICV.
 */
import {
  minPadBytes,
  modelledCrypto,
  openModelledIkeInPlace,
  sealedLength,
  sealModelledIkeInPlace,
  type CipherSuite,
} from '../crypto-suite.ts';
import { readU16, writeU16 } from '../bytes.ts';
import { WireEmitError, decodeError, emitError, parsed, type ParseResult } from '../result.ts';
import { checkU16, checkU8, FIELD_HOLE, fillField, rethrowFilled, writeBytes } from './codec-util.ts';
import { cpBodyLength, emitCpBodyInto, parseCpBody } from './cp.ts';
import { IkePayloadType } from './constants.ts';
import { deleteBodyLength, emitDeleteBodyInto, parseDeleteBody } from './delete.ts';
import { dhcpBodyLength, emitDhcpBodyInto, parseDhcpBody } from './dhcp-payload.ts';
import { emitNotifyBodyInto, notifyBodyLength, parseNotifyBody } from './notify.ts';
import { dhcpPayloadTypeOf, sealingContext, type IkeCodecOptions } from './options.ts';
import { emitSaBodyInto, parseSaBody, saBodyLength } from './sa.ts';
import {
  authBodyLength,
  certBodyLength,
  emitAuthBodyInto,
  emitCertBodyInto,
  emitIdBodyInto,
  emitKeBodyInto,
  idBodyLength,
  keBodyLength,
  parseAuthBody,
  parseCertBody,
  parseIdBody,
  parseKeBody,
  parseNonceBody,
  parseVendorIdBody,
} from './simple.ts';
import { emitTsBodyInto, parseTsBody, tsBodyLength } from './ts.ts';
import type { IkePayload, IkeSkOpaquePayload, IkeSkPayload } from './types.ts';

const GENERIC_HEADER_BYTES = 4;
const CRITICAL = 0x80;

/** The Next Payload value announcing `p`. */
export function payloadTypeOf(p: IkePayload, options?: IkeCodecOptions): number {
  switch (p.kind) {
    case 'SK':
    case 'SK-opaque':
      return IkePayloadType.SK;
    case 'DHCP':
      return dhcpPayloadTypeOf(options);
    case 'unknown':
      return p.payloadType;
    // One case per kind, not `IkePayloadType[p.kind]`: a keyed load with a different key per payload is megamorphic
    // and cost more than emitting a small payload.
    case 'SA':
      return IkePayloadType.SA;
    case 'KE':
      return IkePayloadType.KE;
    case 'IDi':
      return IkePayloadType.IDi;
    case 'IDr':
      return IkePayloadType.IDr;
    case 'CERT':
      return IkePayloadType.CERT;
    case 'CERTREQ':
      return IkePayloadType.CERTREQ;
    case 'AUTH':
      return IkePayloadType.AUTH;
    case 'Nonce':
      return IkePayloadType.Nonce;
    case 'N':
      return IkePayloadType.N;
    case 'D':
      return IkePayloadType.D;
    case 'V':
      return IkePayloadType.V;
    case 'TSi':
      return IkePayloadType.TSi;
    case 'TSr':
      return IkePayloadType.TSr;
    case 'CP':
      return IkePayloadType.CP;
  }
}

/** The short name used in decode-error paths and summaries for a payload type number. */
/** Payload type → name, built once: error paths name every payload, and a walk of the enum per payload was 22 % of parsing. */
const PAYLOAD_TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(IkePayloadType)
    .filter(([, value]) => value !== 0)
    .reverse()
    .map(([name, value]) => [value, name] as const),
);

export function payloadTypeName(type: number, options?: IkeCodecOptions): string {
  if (type === dhcpPayloadTypeOf(options)) return 'DHCP';
  return PAYLOAD_TYPE_NAMES.get(type) ?? String(type);
}

// ---- SK ----

function skSuite(p: IkeSkPayload, options: IkeCodecOptions | undefined, field: string): CipherSuite {
  return sealingContext(p.suite, options, field).suite;
}

function skBodyLength(p: IkeSkPayload, options: IkeCodecOptions | undefined, field: string): number {
  return sealedLength(skSuite(p, options, field), chainLength(p.payloads, options, field), 'ike', p.padding?.length);
}

/** Writes the SK body at `offset`; `aadStart` is where the IKE header starts (associated data runs to `offset`). */
function emitSkBodyInto(
  p: IkeSkPayload,
  buffer: Uint8Array,
  offset: number,
  field: string,
  options: IkeCodecOptions | undefined,
  aadStart: number,
): number {
  const ctx = sealingContext(p.suite, options, field);
  if (ctx.model === modelledCrypto) {
    // The modelled cipher leaves the plaintext readable: emit the inner chain straight where the body goes and seal
    // around it (IV before, padding, Pad Length and ICV after), with no plaintext or body copies.
    const bodyStart = offset + ctx.suite.ivBytes;
    const plaintextEnd = bodyStart + emitChainInto(p.payloads, buffer, bodyStart, field, options, true);
    return sealModelledIkeInPlace(ctx.suite, buffer, aadStart, bodyStart, plaintextEnd, p.padding) - offset;
  }
  const plaintext = new Uint8Array(chainLength(p.payloads, options, field));
  emitChainInto(p.payloads, plaintext, 0, field, options, true);
  const sealed = ctx.model.seal(p.padding === undefined ? { plaintext } : { plaintext, padding: p.padding }, 'ike', {
    suite: ctx.suite,
    associatedData: buffer.slice(aadStart, offset),
  });
  const expected = skBodyLength(p, options, field);
  const total = sealed.iv.length + sealed.body.length + sealed.icv.length;
  if (total !== expected) throw new WireEmitError(field, `crypto model produced ${total} bytes, expected ${expected}`);
  let at = offset;
  at += writeBytes(buffer, at, sealed.iv);
  at += writeBytes(buffer, at, sealed.body);
  at += writeBytes(buffer, at, sealed.icv);
  return at - offset;
}

/** The SK payload kept encrypted (no crypto context, or it does not open). */
function opaqueSk(
  bytes: Uint8Array,
  start: number,
  end: number,
  critical: boolean,
  firstPayloadType: number,
): ParseResult<IkeSkOpaquePayload> {
  return parsed({ kind: 'SK-opaque', critical, firstPayloadType, encrypted: bytes.slice(start, end) }, end - start);
}

function parseSkBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
  firstPayloadType: number,
  options: IkeCodecOptions | undefined,
  aadStart: number,
): ParseResult<IkeSkPayload | IkeSkOpaquePayload> {
  const ctx = options?.crypto;
  if (ctx === undefined) return opaqueSk(bytes, start, end, critical, firstPayloadType);
  const { ivBytes, icvBytes } = ctx.suite;
  if (end - start < ivBytes + icvBytes) return opaqueSk(bytes, start, end, critical, firstPayloadType);
  const bodyStart = start + ivBytes;
  if (ctx.model === modelledCrypto)
    return (
      parseModelledSk(bytes, start, end, field, critical, firstPayloadType, options, aadStart, ctx.suite) ??
      opaqueSk(bytes, start, end, critical, firstPayloadType)
    );
  const opened = ctx.model.open(
    {
      iv: bytes.slice(start, bodyStart),
      body: bytes.slice(bodyStart, end - icvBytes),
      icv: bytes.slice(end - icvBytes, end),
    },
    'ike',
    { suite: ctx.suite, associatedData: bytes.slice(aadStart, start) },
  );
  // RFC 7296 §2.21.2: a message that fails its integrity check is not an error of the sender's format; keep it opaque.
  if (!opened.ok) return opaqueSk(bytes, start, end, critical, firstPayloadType);
  const { plaintext, padding } = opened.value;
  const inner = parseChain(firstPayloadType, plaintext, 0, plaintext.length, field, options, 0, true);
  if (!inner.ok) return decodeError(inner.error.field, inner.error.offset + bodyStart, inner.error.reason);
  const isDefault = padding.length === minPadBytes(ctx.suite, plaintext.length, 'ike') && padding.every((b) => b === 0);
  const sk: IkeSkPayload = isDefault
    ? { kind: 'SK', critical, suite: ctx.suite.name, payloads: inner.value }
    : { kind: 'SK', critical, suite: ctx.suite.name, payloads: inner.value, padding };
  return parsed(sk, end - start);
}

/**
 * The SK body under the modelled cipher, read in place: the ICV is checked over the input, and the inner payloads are
 * parsed where they lie (their offsets are then already absolute). null when it does not open (kept opaque).
 */
function parseModelledSk(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
  firstPayloadType: number,
  options: IkeCodecOptions | undefined,
  aadStart: number,
  suite: CipherSuite,
): ParseResult<IkeSkPayload> | null {
  const opened = openModelledIkeInPlace(suite, bytes, aadStart, start, end);
  if (opened === null) return null;
  const bodyStart = start + suite.ivBytes;
  const { plaintextEnd, padLength } = opened;
  const inner = parseChain(firstPayloadType, bytes, bodyStart, plaintextEnd, field, options, 0, true);
  if (!inner.ok) return inner;
  // The padding "MAY contain any value" (RFC 7296 §3.14): kept only when it is not the minimal zeros we write.
  let isDefault = padLength === minPadBytes(suite, plaintextEnd - bodyStart, 'ike');
  for (let i = plaintextEnd; isDefault && i < plaintextEnd + padLength; i++) if (bytes[i] !== 0) isDefault = false;
  const sk: IkeSkPayload = isDefault
    ? { kind: 'SK', critical, suite: suite.name, payloads: inner.value }
    : {
        kind: 'SK',
        critical,
        suite: suite.name,
        payloads: inner.value,
        padding: bytes.slice(plaintextEnd, plaintextEnd + padLength),
      };
  return parsed(sk, end - start);
}

// ---- one payload ----

export function payloadBodyLength(p: IkePayload, options?: IkeCodecOptions, field = 'payload'): number {
  switch (p.kind) {
    case 'SA':
      return saBodyLength(p);
    case 'KE':
      return keBodyLength(p);
    case 'IDi':
    case 'IDr':
      return idBodyLength(p);
    case 'CERT':
    case 'CERTREQ':
      return certBodyLength(p);
    case 'AUTH':
      return authBodyLength(p);
    case 'Nonce':
    case 'V':
    case 'unknown':
      return p.data.length;
    case 'N':
      return notifyBodyLength(p);
    case 'D':
      return deleteBodyLength(p);
    case 'TSi':
    case 'TSr':
      return tsBodyLength(p);
    case 'CP':
      return cpBodyLength(p);
    case 'DHCP':
      return dhcpBodyLength(p);
    case 'SK':
      return skBodyLength(p, options, field);
    case 'SK-opaque':
      return p.encrypted.length;
  }
}

/** Generic header + body. */
export function ikePayloadLength(p: IkePayload, options?: IkeCodecOptions): number {
  return GENERIC_HEADER_BYTES + payloadBodyLength(p, options, `payload(${p.kind})`);
}

function emitBodyInto(
  p: IkePayload,
  buffer: Uint8Array,
  offset: number,
  field: string,
  options: IkeCodecOptions | undefined,
  aadStart: number,
): number {
  switch (p.kind) {
    case 'SA':
      return emitSaBodyInto(p, buffer, offset, field);
    case 'KE':
      return emitKeBodyInto(p, buffer, offset, field);
    case 'IDi':
    case 'IDr':
      return emitIdBodyInto(p, buffer, offset, field);
    case 'CERT':
    case 'CERTREQ':
      return emitCertBodyInto(p, buffer, offset, field);
    case 'AUTH':
      return emitAuthBodyInto(p, buffer, offset, field);
    case 'Nonce':
    case 'V':
    case 'unknown':
      return writeBytes(buffer, offset, p.data);
    case 'N':
      return emitNotifyBodyInto(p, buffer, offset, field);
    case 'D':
      return emitDeleteBodyInto(p, buffer, offset, field);
    case 'TSi':
    case 'TSr':
      return emitTsBodyInto(p, buffer, offset, field);
    case 'CP':
      return emitCpBodyInto(p, buffer, offset, field);
    case 'DHCP':
      return emitDhcpBodyInto(p, buffer, offset, field);
    case 'SK':
      return emitSkBodyInto(p, buffer, offset, field, options, aadStart);
    case 'SK-opaque':
      return writeBytes(buffer, offset, p.encrypted);
  }
}

/** The Next Payload written in `p`'s own header when it is followed by a payload of type `nextType`. */
function headerNextType(p: IkePayload, nextType: number, options: IkeCodecOptions | undefined): number {
  if (p.kind === 'SK') return p.payloads[0] === undefined ? 0 : payloadTypeOf(p.payloads[0], options);
  if (p.kind === 'SK-opaque') return p.firstPayloadType;
  return nextType;
}

/**
 * Writes one payload; `knownLength` is its total length when the caller knows it (-1 otherwise). Only SK needs its
 * length before its body (its generic header is associated data, RFC 7296 §3.14): the others write the body first
 * and then the header with the length written, so no payload's length is computed twice.
 */
function emitOneInto(
  p: IkePayload,
  nextType: number,
  buffer: Uint8Array,
  offset: number,
  field: string,
  options: IkeCodecOptions | undefined,
  aadStart: number,
  knownLength = -1,
): number {
  const next = headerNextType(p, nextType, options);
  if (!(next >= 0 && next <= 0xff && Number.isInteger(next))) checkU8(next, field, '.nextPayload');
  buffer[offset] = next;
  buffer[offset + 1] = p.critical ? CRITICAL : 0;
  if (p.kind === 'SK') {
    const length = knownLength >= 0 ? knownLength : GENERIC_HEADER_BYTES + payloadBodyLength(p, options, field);
    if (length > 0xffff) checkU16(length, field, '.length');
    writeU16(buffer, offset + 2, length);
    const written =
      GENERIC_HEADER_BYTES + emitBodyInto(p, buffer, offset + GENERIC_HEADER_BYTES, field, options, aadStart);
    if (written !== length) throw emitError(field, 'wrote ', written, ' bytes, declared ', length);
    return written;
  }
  const written =
    GENERIC_HEADER_BYTES + emitBodyInto(p, buffer, offset + GENERIC_HEADER_BYTES, field, options, aadStart);
  if (written > 0xffff) checkU16(written, field, '.length');
  writeU16(buffer, offset + 2, written);
  return written;
}

// ---- the chain ----

/** The path of payload `i` of a chain, e.g. `ike.payload[2](SA)`; built only for errors. */
function payloadPath(prefix: string, i: number, kind: string): string {
  return `${prefix}.payload[${i}](${kind})`;
}

export function chainLength(payloads: readonly IkePayload[], options?: IkeCodecOptions, prefix = 'ike'): number {
  let n = 0;
  let i = 0;
  try {
    for (; i < payloads.length; i++) {
      n += GENERIC_HEADER_BYTES + payloadBodyLength(payloads[i] as IkePayload, options, FIELD_HOLE);
    }
  } catch (e) {
    return rethrowFilled(e, payloadPath(prefix, i, (payloads[i] as IkePayload).kind));
  }
  return n;
}

/**
 * Emits `payloads` chained at `offset`. `aadStart` is the IKE header's offset (the SK payload's associated data
 * starts there); `inner` is true inside SK, where another SK is not allowed. `end`, when known (≥ 0), is where the
 * chain ends: the last payload's length is then not computed again.
 */
export function emitChainInto(
  payloads: readonly IkePayload[],
  buffer: Uint8Array,
  offset: number,
  prefix: string,
  options: IkeCodecOptions | undefined,
  inner: boolean,
  aadStart = offset,
  end = -1,
): number {
  let at = offset;
  let i = 0;
  try {
    for (; i < payloads.length; i++) {
      const p = payloads[i] as IkePayload;
      const next = payloads[i + 1];
      if (p.kind === 'SK' || p.kind === 'SK-opaque') {
        if (inner) throw new WireEmitError(FIELD_HOLE, 'an SK payload cannot be nested inside SK');
        if (next !== undefined) throw new WireEmitError(FIELD_HOLE, 'SK must be the last payload (RFC 7296 §3.14)');
      }
      const nextType = next === undefined ? IkePayloadType.NONE : payloadTypeOf(next, options);
      at += emitOneInto(
        p,
        nextType,
        buffer,
        at,
        FIELD_HOLE,
        options,
        aadStart,
        next === undefined && end >= 0 ? end - at : -1,
      );
    }
  } catch (e) {
    return rethrowFilled(e, payloadPath(prefix, i, (payloads[i] as IkePayload).kind));
  }
  return at - offset;
}

function parseBody(
  type: number,
  nextType: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
  options: IkeCodecOptions | undefined,
  aadStart: number,
): ParseResult<IkePayload> {
  if (type === dhcpPayloadTypeOf(options)) return parseDhcpBody(bytes, start, end, field, critical);
  switch (type) {
    case IkePayloadType.SA:
      return parseSaBody(bytes, start, end, field, critical);
    case IkePayloadType.KE:
      return parseKeBody(bytes, start, end, field, critical);
    case IkePayloadType.IDi:
      return parseIdBody(bytes, start, end, field, critical, 'IDi');
    case IkePayloadType.IDr:
      return parseIdBody(bytes, start, end, field, critical, 'IDr');
    case IkePayloadType.CERT:
      return parseCertBody(bytes, start, end, field, critical, 'CERT');
    case IkePayloadType.CERTREQ:
      return parseCertBody(bytes, start, end, field, critical, 'CERTREQ');
    case IkePayloadType.AUTH:
      return parseAuthBody(bytes, start, end, field, critical);
    case IkePayloadType.Nonce:
      return parseNonceBody(bytes, start, end, field, critical);
    case IkePayloadType.N:
      return parseNotifyBody(bytes, start, end, field, critical);
    case IkePayloadType.D:
      return parseDeleteBody(bytes, start, end, field, critical);
    case IkePayloadType.V:
      return parseVendorIdBody(bytes, start, end, field, critical);
    case IkePayloadType.TSi:
      return parseTsBody(bytes, start, end, field, critical, 'TSi');
    case IkePayloadType.TSr:
      return parseTsBody(bytes, start, end, field, critical, 'TSr');
    case IkePayloadType.CP:
      return parseCpBody(bytes, start, end, field, critical);
    case IkePayloadType.SK:
      return parseSkBody(bytes, start, end, field, critical, nextType, options, aadStart);
    default:
      return parsed({ kind: 'unknown', critical, payloadType: type, data: bytes.slice(start, end) }, end - start);
  }
}

/**
 * The payloads of the chain being parsed, one scratch per level: the message's chain, and the chain inside its SK
 * (parsed while the outer one is under way; SK never nests, so there is no third level). Parsing is synchronous, and
 * every chain parse starts its level afresh; what a scratch still holds of the last parse is overwritten by the next.
 */
const outerChainScratch: IkePayload[] = [];
const innerChainScratch: IkePayload[] = [];

/**
 * Parses the chain that starts with a payload of type `firstType` at `start` and must end exactly at `end`.
 * Never throws. Each payload consumes at least 4 bytes, so the walk is bounded by (end - start) / 4 steps.
 */
export function parseChain(
  firstType: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  prefix: string,
  options: IkeCodecOptions | undefined,
  aadStart: number,
  inner: boolean,
): ParseResult<IkePayload[]> {
  // Written by index into the level's scratch (`count` of them) and copied to fit at the end: a list built by `push`
  // reserves room for 17 and was then copied to fit anyway (one ~150-byte array of garbage per chain parsed).
  const payloads = inner ? innerChainScratch : outerChainScratch;
  let count = 0;
  let type = firstType;
  let at = start;
  while (type !== IkePayloadType.NONE) {
    if (end - at < GENERIC_HEADER_BYTES) {
      return decodeError(
        payloadPath(prefix, count, payloadTypeName(type, options)),
        at,
        `needs a ${GENERIC_HEADER_BYTES}-byte payload header, ${end - at} bytes left`,
      );
    }
    const nextType = bytes[at] ?? 0;
    const critical = ((bytes[at + 1] ?? 0) & CRITICAL) !== 0;
    const length = readU16(bytes, at + 2);
    if (length < GENERIC_HEADER_BYTES || at + length > end) {
      return decodeError(
        `${payloadPath(prefix, count, payloadTypeName(type, options))}.length`,
        at + 2,
        `payload length ${length} outside [4, ${end - at}]`,
      );
    }
    // The error's field path is built only when there is an error (it walks the payload type names).
    if (type === IkePayloadType.SK && (inner || at + length !== end)) {
      const field = payloadPath(prefix, count, payloadTypeName(type, options));
      if (inner) return decodeError(field, at, 'an SK payload cannot be nested inside SK');
      return decodeError(`${field}.length`, at + 2, 'SK must be the last payload (RFC 7296 §3.14)');
    }
    const body = parseBody(
      type,
      nextType,
      bytes,
      at + GENERIC_HEADER_BYTES,
      at + length,
      FIELD_HOLE,
      critical,
      options,
      aadStart,
    );
    if (!body.ok) {
      const { field, offset, reason } = body.error;
      return decodeError(fillField(field, payloadPath(prefix, count, payloadTypeName(type, options))), offset, reason);
    }
    payloads[count++] = body.value;
    at += length;
    if (type === IkePayloadType.SK) break;
    type = nextType;
  }
  if (at !== end) return decodeError(prefix, at, `${end - at} bytes after the last payload`);
  return parsed(count === 0 ? [] : payloads.slice(0, count), end - start);
}

// ---- standalone payload codec (Next Payload written as 0, or the first inner type for SK) ----

/**
 * Parses one payload of type `payloadType` at `offset` (its own Next Payload field is ignored, except that SK reads
 * it as the first inner payload's type). For SK, the associated data is taken to start at `offset`.
 */
export function parseIkePayload(
  bytes: Uint8Array,
  offset: number,
  payloadType: number,
  options?: IkeCodecOptions,
): ParseResult<IkePayload> {
  const field = `payload(${payloadTypeName(payloadType, options)})`;
  if (offset < 0 || bytes.length - offset < GENERIC_HEADER_BYTES) {
    return decodeError(field, Math.max(0, Math.min(offset, bytes.length)), 'needs a 4-byte payload header');
  }
  const length = readU16(bytes, offset + 2);
  if (length < GENERIC_HEADER_BYTES || offset + length > bytes.length) {
    return decodeError(`${field}.length`, offset + 2, `payload length ${length} outside [4, ${bytes.length - offset}]`);
  }
  const critical = ((bytes[offset + 1] ?? 0) & CRITICAL) !== 0;
  const body = parseBody(
    payloadType,
    bytes[offset] ?? 0,
    bytes,
    offset + 4,
    offset + length,
    field,
    critical,
    options,
    offset,
  );
  return body.ok ? parsed(body.value, length) : body;
}

export function emitIkePayloadInto(
  p: IkePayload,
  buffer: Uint8Array,
  offset: number,
  options?: IkeCodecOptions,
): number {
  return emitOneInto(p, IkePayloadType.NONE, buffer, offset, `payload(${p.kind})`, options, offset);
}

export function emitIkePayload(p: IkePayload, options?: IkeCodecOptions): Uint8Array {
  const out = new Uint8Array(ikePayloadLength(p, options));
  emitIkePayloadInto(p, out, 0, options);
  return out;
}
