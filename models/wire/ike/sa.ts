/**
 * SA payload body (RFC 7296 §3.3): proposals (§3.3.1), transforms (§3.3.2) and transform attributes (§3.3.5).
 * "Last Substruc" (0 = last, 2 = more proposals, 3 = more transforms), lengths and counts are derived on emit and
 * checked on parse, so what parses re-emits byte-identical.
 */
import { readU16, writeHexDigits, writeU16 } from '../bytes.ts';
import { WireEmitError, decodeError, parsed, type ParseResult } from '../result.ts';
import {
  checkU16,
  checkU8,
  FIELD_HOLE,
  refill,
  rethrowFilled,
  spiByteLength,
  spiFromBytes,
  writeBytes,
} from './codec-util.ts';
import type { IkeProposal, IkeSaPayload, IkeTransform, IkeTransformAttribute } from './types.ts';
import { fitted } from '../fitted.ts';

const PROPOSAL_HEADER_BYTES = 8;
const TRANSFORM_HEADER_BYTES = 8;
const MORE_PROPOSALS = 2;
const MORE_TRANSFORMS = 3;
/** RFC 7296 §3.3.5: Attribute Format bit. */
const AF_TV = 0x8000;

// ---- attributes ----

export function transformAttributeLength(attr: IkeTransformAttribute): number {
  return attr.kind === 'tv' ? 4 : 4 + attr.data.length;
}

export function emitTransformAttributeInto(
  attr: IkeTransformAttribute,
  buffer: Uint8Array,
  offset: number,
  field = 'attribute',
): number {
  if (checkU16(attr.type, field, '.type') > 0x7fff) throw new WireEmitError(`${field}.type`, 'at most 0x7fff');
  if (attr.kind === 'tv') {
    writeU16(buffer, offset, AF_TV | attr.type);
    writeU16(buffer, offset + 2, checkU16(attr.value, field, '.value'));
    return 4;
  }
  writeU16(buffer, offset, attr.type);
  writeU16(buffer, offset + 2, checkU16(attr.data.length, field, '.length'));
  writeBytes(buffer, offset + 4, attr.data);
  return 4 + attr.data.length;
}

export function parseTransformAttributeIn(
  bytes: Uint8Array,
  offset: number,
  end: number,
  field: string,
): ParseResult<IkeTransformAttribute> {
  if (offset + 4 > end) return decodeError(field, offset, `needs 4 bytes, ${end - offset} left`);
  const word = readU16(bytes, offset);
  const type = word & 0x7fff;
  const second = readU16(bytes, offset + 2);
  if ((word & AF_TV) !== 0) return parsed({ kind: 'tv', type, value: second }, 4);
  if (offset + 4 + second > end) {
    return decodeError(
      `${field}.length`,
      offset + 2,
      `TLV length ${second} exceeds the ${end - offset - 4} bytes left`,
    );
  }
  return parsed({ kind: 'tlv', type, data: bytes.slice(offset + 4, offset + 4 + second) }, 4 + second);
}

// ---- transforms ----

export function transformLength(t: IkeTransform): number {
  let n = TRANSFORM_HEADER_BYTES;
  for (const a of t.attributes) n += transformAttributeLength(a);
  return n;
}

export function emitTransformInto(
  t: IkeTransform,
  buffer: Uint8Array,
  offset: number,
  last = true,
  field = 'transform',
): number {
  const length = checkU16(transformLength(t), field, '.length');
  buffer[offset] = last ? 0 : MORE_TRANSFORMS;
  buffer[offset + 1] = 0;
  writeU16(buffer, offset + 2, length);
  buffer[offset + 4] = checkU8(t.type, field, '.type');
  buffer[offset + 5] = 0;
  writeU16(buffer, offset + 6, checkU16(t.id, field, '.id'));
  let at = offset + TRANSFORM_HEADER_BYTES;
  let i = 0;
  try {
    for (; i < t.attributes.length; i++) {
      const a = t.attributes[i] as (typeof t.attributes)[number];
      at += emitTransformAttributeInto(a, buffer, at, FIELD_HOLE);
    }
  } catch (e) {
    rethrowFilled(e, `${field}.attribute[${i}]`);
  }
  return at - offset;
}

/** Parses one transform; `last` reports its Last Substruc field (0 = last). */
export function parseTransformIn(
  bytes: Uint8Array,
  offset: number,
  end: number,
  field: string,
): ParseResult<{ readonly transform: IkeTransform; readonly last: boolean }> {
  if (offset + TRANSFORM_HEADER_BYTES > end) {
    return decodeError(field, offset, `needs ${TRANSFORM_HEADER_BYTES} bytes, ${end - offset} left`);
  }
  const lastSubstruc = bytes[offset] ?? 0;
  if (lastSubstruc !== 0 && lastSubstruc !== MORE_TRANSFORMS) {
    return decodeError(`${field}.lastSubstruc`, offset, `must be 0 or 3, got ${lastSubstruc}`);
  }
  const length = readU16(bytes, offset + 2);
  if (length < TRANSFORM_HEADER_BYTES || offset + length > end) {
    return decodeError(`${field}.length`, offset + 2, `length ${length} outside [8, ${end - offset}]`);
  }
  const attributes: IkeTransformAttribute[] = [];
  let at = offset + TRANSFORM_HEADER_BYTES;
  const tEnd = offset + length;
  while (at < tEnd) {
    const a = parseTransformAttributeIn(bytes, at, tEnd, FIELD_HOLE);
    if (!a.ok) return refill(a, `${field}.attribute[${attributes.length}]`);
    attributes.push(a.value);
    at += a.bytesRead;
  }
  const transform: IkeTransform = {
    type: bytes[offset + 4] ?? 0,
    id: readU16(bytes, offset + 6),
    attributes: fitted(attributes),
  };
  return parsed({ transform, last: lastSubstruc === 0 }, length);
}

// ---- proposals ----

export function proposalLength(p: IkeProposal): number {
  let n = PROPOSAL_HEADER_BYTES + p.spi.length / 2;
  for (const t of p.transforms) n += transformLength(t);
  return n;
}

export function emitProposalInto(
  p: IkeProposal,
  buffer: Uint8Array,
  offset: number,
  last = true,
  field = 'proposal',
): number {
  const spiBytes = spiByteLength(p.spi, field, '.spi');
  const length = checkU16(proposalLength(p), field, '.length');
  buffer[offset] = last ? 0 : MORE_PROPOSALS;
  buffer[offset + 1] = 0;
  writeU16(buffer, offset + 2, length);
  buffer[offset + 4] = checkU8(p.number, field, '.number');
  buffer[offset + 5] = checkU8(p.protocolId, field, '.protocolId');
  buffer[offset + 6] = checkU8(spiBytes, field, '.spiSize');
  buffer[offset + 7] = checkU8(p.transforms.length, field, '.numTransforms');
  let at = offset + PROPOSAL_HEADER_BYTES + writeHexDigits(buffer, offset + PROPOSAL_HEADER_BYTES, p.spi);
  let i = 0;
  try {
    for (; i < p.transforms.length; i++) {
      const t = p.transforms[i] as (typeof p.transforms)[number];
      at += emitTransformInto(t, buffer, at, i === p.transforms.length - 1, FIELD_HOLE);
    }
  } catch (e) {
    rethrowFilled(e, `${field}.transform[${i}]`);
  }
  return at - offset;
}

export function parseProposalIn(
  bytes: Uint8Array,
  offset: number,
  end: number,
  field: string,
): ParseResult<{ readonly proposal: IkeProposal; readonly last: boolean }> {
  if (offset + PROPOSAL_HEADER_BYTES > end) {
    return decodeError(field, offset, `needs ${PROPOSAL_HEADER_BYTES} bytes, ${end - offset} left`);
  }
  const lastSubstruc = bytes[offset] ?? 0;
  if (lastSubstruc !== 0 && lastSubstruc !== MORE_PROPOSALS) {
    return decodeError(`${field}.lastSubstruc`, offset, `must be 0 or 2, got ${lastSubstruc}`);
  }
  const length = readU16(bytes, offset + 2);
  if (length < PROPOSAL_HEADER_BYTES || offset + length > end) {
    return decodeError(`${field}.length`, offset + 2, `length ${length} outside [8, ${end - offset}]`);
  }
  const pEnd = offset + length;
  const spiSize = bytes[offset + 6] ?? 0;
  const numTransforms = bytes[offset + 7] ?? 0;
  const spiStart = offset + PROPOSAL_HEADER_BYTES;
  if (spiStart + spiSize > pEnd) {
    return decodeError(`${field}.spiSize`, offset + 6, `SPI of ${spiSize} bytes exceeds the proposal`);
  }
  const transforms: IkeTransform[] = [];
  let at = spiStart + spiSize;
  for (let i = 0; i < numTransforms; i++) {
    const t = parseTransformIn(bytes, at, pEnd, FIELD_HOLE);
    if (!t.ok) return refill(t, `${field}.transform[${i}]`);
    const isLast = i === numTransforms - 1;
    if (t.value.last !== isLast) {
      return decodeError(`${field}.transform[${i}].lastSubstruc`, at, `disagrees with Num Transforms ${numTransforms}`);
    }
    transforms.push(t.value.transform);
    at += t.bytesRead;
  }
  if (at !== pEnd) return decodeError(`${field}.length`, at, `${pEnd - at} bytes after the last transform`);
  const proposal: IkeProposal = {
    number: bytes[offset + 4] ?? 0,
    protocolId: bytes[offset + 5] ?? 0,
    spi: spiFromBytes(bytes, spiStart, spiStart + spiSize),
    transforms: fitted(transforms),
  };
  return parsed({ proposal, last: lastSubstruc === 0 }, length);
}

// ---- SA payload body ----

export function saBodyLength(sa: IkeSaPayload): number {
  let n = 0;
  for (const p of sa.proposals) n += proposalLength(p);
  return n;
}

export function emitSaBodyInto(sa: IkeSaPayload, buffer: Uint8Array, offset: number, field: string): number {
  let at = offset;
  let i = 0;
  try {
    for (; i < sa.proposals.length; i++) {
      const p = sa.proposals[i] as (typeof sa.proposals)[number];
      at += emitProposalInto(p, buffer, at, i === sa.proposals.length - 1, FIELD_HOLE);
    }
  } catch (e) {
    rethrowFilled(e, `${field}.proposal[${i}]`);
  }
  return at - offset;
}

export function parseSaBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
): ParseResult<IkeSaPayload> {
  const proposals: IkeProposal[] = [];
  let at = start;
  while (at < end) {
    const p = parseProposalIn(bytes, at, end, FIELD_HOLE);
    if (!p.ok) return refill(p, `${field}.proposal[${proposals.length}]`);
    proposals.push(p.value.proposal);
    at += p.bytesRead;
    if (p.value.last !== (at === end)) {
      return decodeError(
        `${field}.proposal[${proposals.length - 1}].lastSubstruc`,
        at - p.bytesRead,
        'disagrees with the SA length',
      );
    }
  }
  return parsed({ kind: 'SA', critical, proposals: fitted(proposals) }, end - start);
}

// ---- standalone codecs for the substructures (Last Substruc written as "last") ----

export function parseIkeTransform(bytes: Uint8Array, offset: number): ParseResult<IkeTransform> {
  const r = parseTransformIn(bytes, offset, bytes.length, 'transform');
  return r.ok ? parsed(r.value.transform, r.bytesRead) : r;
}

export function emitIkeTransform(t: IkeTransform): Uint8Array {
  const out = new Uint8Array(transformLength(t));
  emitTransformInto(t, out, 0);
  return out;
}

export function emitIkeTransformInto(t: IkeTransform, buffer: Uint8Array, offset: number): number {
  return emitTransformInto(t, buffer, offset);
}

export function parseIkeProposal(bytes: Uint8Array, offset: number): ParseResult<IkeProposal> {
  const r = parseProposalIn(bytes, offset, bytes.length, 'proposal');
  return r.ok ? parsed(r.value.proposal, r.bytesRead) : r;
}

export function emitIkeProposal(p: IkeProposal): Uint8Array {
  const out = new Uint8Array(proposalLength(p));
  emitProposalInto(p, out, 0);
  return out;
}

export function emitIkeProposalInto(p: IkeProposal, buffer: Uint8Array, offset: number): number {
  return emitProposalInto(p, buffer, offset);
}
