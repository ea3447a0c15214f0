/**
 * Payload bodies with a small fixed header and opaque data: KE (RFC 7296 §3.4), IDi/IDr (§3.5), CERT/CERTREQ
 * (§3.6, §3.7), AUTH (§3.8), Nonce (§3.9), Vendor ID (§3.12). Bodies span [start, end) after the generic header.
 */
import { ipv4FromBytes, readU16, writeIpv4, writeU16 } from '../bytes.ts';
import { decodeError, parsed, type ParseResult } from '../result.ts';
import { checkU16, checkU8, latin1Decode, writeBytes, writeLatin1, writeZeros } from './codec-util.ts';
import { IkeIdType } from './constants.ts';
import type {
  IkeAuthPayload,
  IkeCertPayload,
  IkeIdPayload,
  IkeIdentity,
  IkeKePayload,
  IkeNoncePayload,
  IkeVendorIdPayload,
} from './types.ts';

function need(bytes: number, start: number, end: number, field: string): ParseResult<never> | null {
  return end - start < bytes ? decodeError(field, start, `needs ${bytes} bytes, ${end - start} left`) : null;
}

// ---- KE (§3.4): DH Group Num (2), RESERVED (2), Key Exchange Data ----

export function keBodyLength(ke: IkeKePayload): number {
  return 4 + ke.data.length;
}

export function emitKeBodyInto(ke: IkeKePayload, buffer: Uint8Array, offset: number, field: string): number {
  writeU16(buffer, offset, checkU16(ke.dhGroup, field, '.dhGroup'));
  writeZeros(buffer, offset + 2, 2);
  return 4 + writeBytes(buffer, offset + 4, ke.data);
}

export function parseKeBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
): ParseResult<IkeKePayload> {
  const short = need(4, start, end, field);
  if (short) return short;
  return parsed(
    { kind: 'KE', critical, dhGroup: readU16(bytes, start), data: bytes.slice(start + 4, end) },
    end - start,
  );
}

// ---- IDi / IDr (§3.5): ID Type (1), RESERVED (3), Identification Data ----

function identityDataLength(id: IkeIdentity): number {
  switch (id.kind) {
    case 'ipv4':
      return 4;
    case 'fqdn':
    case 'rfc822':
      return id.name.length;
    case 'keyId':
    case 'raw':
      return id.data.length;
  }
}

export function idBodyLength(p: IkeIdPayload): number {
  return 4 + identityDataLength(p.id);
}

export function emitIdBodyInto(p: IkeIdPayload, buffer: Uint8Array, offset: number, field: string): number {
  const id = p.id;
  const dataAt = offset + 4;
  writeZeros(buffer, offset + 1, 3);
  switch (id.kind) {
    case 'ipv4':
      buffer[offset] = IkeIdType.ID_IPV4_ADDR;
      writeIpv4(buffer, dataAt, id.address, field, '.address');
      return 8;
    case 'fqdn':
      buffer[offset] = IkeIdType.ID_FQDN;
      return 4 + writeLatin1(buffer, dataAt, id.name, field, '.name');
    case 'rfc822':
      buffer[offset] = IkeIdType.ID_RFC822_ADDR;
      return 4 + writeLatin1(buffer, dataAt, id.name, field, '.name');
    case 'keyId':
      buffer[offset] = IkeIdType.ID_KEY_ID;
      return 4 + writeBytes(buffer, dataAt, id.data);
    case 'raw':
      buffer[offset] = checkU8(id.idType, field, '.idType');
      return 4 + writeBytes(buffer, dataAt, id.data);
  }
}

export function parseIdBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
  kind: 'IDi' | 'IDr',
): ParseResult<IkeIdPayload> {
  const short = need(4, start, end, field);
  if (short) return short;
  const idType = bytes[start] ?? 0;
  const dataAt = start + 4;
  let id: IkeIdentity;
  if (idType === IkeIdType.ID_IPV4_ADDR && end - dataAt === 4)
    id = { kind: 'ipv4', address: ipv4FromBytes(bytes, dataAt) };
  else if (idType === IkeIdType.ID_FQDN) id = { kind: 'fqdn', name: latin1Decode(bytes, dataAt, end) };
  else if (idType === IkeIdType.ID_RFC822_ADDR) id = { kind: 'rfc822', name: latin1Decode(bytes, dataAt, end) };
  else if (idType === IkeIdType.ID_KEY_ID) id = { kind: 'keyId', data: bytes.slice(dataAt, end) };
  else id = { kind: 'raw', idType, data: bytes.slice(dataAt, end) };
  return parsed({ kind, critical, id }, end - start);
}

// ---- CERT / CERTREQ (§3.6, §3.7): Cert Encoding (1), data ----

export function certBodyLength(p: IkeCertPayload): number {
  return 1 + p.data.length;
}

export function emitCertBodyInto(p: IkeCertPayload, buffer: Uint8Array, offset: number, field: string): number {
  buffer[offset] = checkU8(p.encoding, field, '.encoding');
  return 1 + writeBytes(buffer, offset + 1, p.data);
}

export function parseCertBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
  kind: 'CERT' | 'CERTREQ',
): ParseResult<IkeCertPayload> {
  const short = need(1, start, end, field);
  if (short) return short;
  return parsed({ kind, critical, encoding: bytes[start] ?? 0, data: bytes.slice(start + 1, end) }, end - start);
}

// ---- AUTH (§3.8): Auth Method (1), RESERVED (3), Authentication Data ----

export function authBodyLength(p: IkeAuthPayload): number {
  return 4 + p.data.length;
}

export function emitAuthBodyInto(p: IkeAuthPayload, buffer: Uint8Array, offset: number, field: string): number {
  buffer[offset] = checkU8(p.method, field, '.method');
  writeZeros(buffer, offset + 1, 3);
  return 4 + writeBytes(buffer, offset + 4, p.data);
}

export function parseAuthBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
): ParseResult<IkeAuthPayload> {
  const short = need(4, start, end, field);
  if (short) return short;
  return parsed({ kind: 'AUTH', critical, method: bytes[start] ?? 0, data: bytes.slice(start + 4, end) }, end - start);
}

// ---- Nonce (§3.9) and Vendor ID (§3.12): data only ----

export function parseNonceBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  _field: string,
  critical: boolean,
): ParseResult<IkeNoncePayload> {
  return parsed({ kind: 'Nonce', critical, data: bytes.slice(start, end) }, end - start);
}

export function parseVendorIdBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  _field: string,
  critical: boolean,
): ParseResult<IkeVendorIdPayload> {
  return parsed({ kind: 'V', critical, data: bytes.slice(start, end) }, end - start);
}
