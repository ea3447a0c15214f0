/**
 * DHCP options (RFC 2132) as a table: code ↔ kind, how to read the data into the typed value, how to write it back.
 * A known code whose data does not fit its type (wrong length) is kept `raw`, so any well-framed option list parses
 * and re-emits byte-identical. Options longer than 255 bytes are split into consecutive instances on emit and
 * concatenated on parse (RFC 3396 §5, §7: only adjacent runs, each full instance being 255 bytes, are joined).
 */
import {
  checkUint,
  copyInto,
  ipv4FromBytes,
  ownedBytes,
  readU16,
  readU32,
  U16_MAX,
  U32_MAX,
  U8_MAX,
  writeIpv4,
  writeU16,
  writeU32,
} from '../bytes.ts';
import { parseIpv4Text } from '../ipv4-address.ts';
import { decodeError, parsed, WireEmitError, type ParseResult } from '../result.ts';
import { emitRelayAgentSubOptionsInto, parseRelayAgentSubOptions, relayAgentSubOptionsLength } from './relay-agent.ts';
import type { DhcpMessageTypeCode, DhcpOption, DhcpOptionKind } from './types.ts';
import { fitted } from '../fitted.ts';

export const DHCP_OPTION_PAD = 0;
export const DHCP_OPTION_END = 255;

/** RFC 2132 code of each typed kind (pad is 0; raw carries its own code). */
export const DhcpOptionCode = {
  subnetMask: 1,
  routers: 3,
  dnsServers: 6,
  hostName: 12,
  domainName: 15,
  requestedAddress: 50,
  leaseTime: 51,
  overload: 52,
  messageType: 53,
  serverId: 54,
  parameterRequestList: 55,
  maxMessageSize: 57,
  renewalTime: 58,
  rebindingTime: 59,
  clientId: 61,
  relayAgentInfo: 82,
} as const satisfies Record<Exclude<DhcpOptionKind, 'pad' | 'raw'>, number>;

type TypedKind = keyof typeof DhcpOptionCode;

export function dhcpOptionCode(option: DhcpOption): number {
  // A switch on the kind, not `DhcpOptionCode[option.kind]`: a keyed load with a different key per option is a
  // megamorphic lookup on every emitted option.
  switch (option.kind) {
    case 'pad':
      return DHCP_OPTION_PAD;
    case 'raw':
      return option.code;
    case 'subnetMask':
      return DhcpOptionCode.subnetMask;
    case 'routers':
      return DhcpOptionCode.routers;
    case 'dnsServers':
      return DhcpOptionCode.dnsServers;
    case 'hostName':
      return DhcpOptionCode.hostName;
    case 'domainName':
      return DhcpOptionCode.domainName;
    case 'requestedAddress':
      return DhcpOptionCode.requestedAddress;
    case 'leaseTime':
      return DhcpOptionCode.leaseTime;
    case 'overload':
      return DhcpOptionCode.overload;
    case 'messageType':
      return DhcpOptionCode.messageType;
    case 'serverId':
      return DhcpOptionCode.serverId;
    case 'parameterRequestList':
      return DhcpOptionCode.parameterRequestList;
    case 'maxMessageSize':
      return DhcpOptionCode.maxMessageSize;
    case 'renewalTime':
      return DhcpOptionCode.renewalTime;
    case 'rebindingTime':
      return DhcpOptionCode.rebindingTime;
    case 'clientId':
      return DhcpOptionCode.clientId;
    case 'relayAgentInfo':
      return DhcpOptionCode.relayAgentInfo;
  }
}

const KIND_BY_CODE = new Map<number, TypedKind>(
  (Object.entries(DhcpOptionCode) as [TypedKind, number][]).map(([kind, code]) => [code, kind]),
);

/** Latin-1: every byte is one char, so any bytes survive a string round trip (RFC 2132 §3.14 NVT ASCII in practice). */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

function writeLatin1(buffer: Uint8Array, offset: number, text: string, field: string, suffix = ''): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new WireEmitError(field + suffix, `character U+${c.toString(16)} at ${i} is not one byte`);
    buffer[offset + i] = c;
  }
}

/** Bytes of the option's data (before any RFC 3396 split). */
export function dhcpOptionDataLength(option: DhcpOption): number {
  switch (option.kind) {
    case 'pad':
      return 0;
    case 'subnetMask':
    case 'requestedAddress':
    case 'serverId':
    case 'leaseTime':
    case 'renewalTime':
    case 'rebindingTime':
      return 4;
    case 'routers':
    case 'dnsServers':
      return 4 * option.addresses.length;
    case 'hostName':
    case 'domainName':
      return option.name.length;
    case 'overload':
    case 'messageType':
      return 1;
    case 'parameterRequestList':
      return option.codes.length;
    case 'maxMessageSize':
      return 2;
    case 'clientId':
      return 1 + option.data.length;
    case 'relayAgentInfo':
      return relayAgentSubOptionsLength(option.subOptions);
    case 'raw':
      return option.data.length;
  }
}

/** Bytes on the wire: pad is 1; otherwise 2 per 255-byte instance (at least one) plus the data. */
export function dhcpOptionLength(option: DhcpOption): number {
  if (option.kind === 'pad') return 1;
  const data = dhcpOptionDataLength(option);
  const instances = data === 0 ? 1 : Math.ceil(data / 255);
  return 2 * instances + data;
}

function writeData(option: DhcpOption, buffer: Uint8Array, at: number, field: string): void {
  switch (option.kind) {
    case 'pad':
      return;
    case 'subnetMask':
      return writeIpv4(buffer, at, option.mask, field, '.mask');
    case 'requestedAddress':
    case 'serverId':
      return writeIpv4(buffer, at, option.address, field, '.address');
    case 'leaseTime':
    case 'renewalTime':
    case 'rebindingTime':
      return writeU32(buffer, at, checkUint(option.secs, U32_MAX, field, '.secs'));
    case 'routers':
    case 'dnsServers':
      // RFC 2132 §3.5, §3.8: minimum length 4.
      if (option.addresses.length === 0) throw new WireEmitError(`${field}.addresses`, 'at least one address');
      for (let i = 0; i < option.addresses.length; i++) {
        const a = option.addresses[i] ?? '';
        const octets = parseIpv4Text(a);
        if (octets === null)
          throw new WireEmitError(`${field}.addresses[${i}]`, `not a dotted-quad IPv4 address: '${a}'`);
        buffer.set(octets, at + 4 * i);
      }
      return;
    case 'hostName':
    case 'domainName':
      return writeLatin1(buffer, at, option.name, field, '.name');
    case 'overload':
      if (option.value !== 1 && option.value !== 2 && option.value !== 3) {
        throw new WireEmitError(`${field}.value`, `overload must be 1, 2 or 3 (RFC 2132 §9.3)`);
      }
      buffer[at] = option.value;
      return;
    case 'messageType':
      if (!Number.isInteger(option.type) || option.type < 1 || option.type > 8) {
        throw new WireEmitError(`${field}.type`, `message type must be 1..8 (RFC 2132 §9.6)`);
      }
      buffer[at] = option.type;
      return;
    case 'parameterRequestList':
      for (let i = 0; i < option.codes.length; i++) {
        const c = option.codes[i] ?? -1;
        if (!Number.isInteger(c) || c < 0 || c > U8_MAX) checkUint(c, U8_MAX, `${field}.codes[${i}]`);
        buffer[at + i] = c;
      }
      return;
    case 'maxMessageSize':
      return writeU16(buffer, at, checkUint(option.bytes, U16_MAX, field, '.bytes'));
    case 'clientId':
      buffer[at] = checkUint(option.type, U8_MAX, field, '.type');
      copyInto(buffer, at + 1, option.data);
      return;
    case 'relayAgentInfo':
      emitRelayAgentSubOptionsInto(option.subOptions, buffer, at, field);
      return;
    case 'raw':
      if (option.code === DHCP_OPTION_PAD || option.code === DHCP_OPTION_END) {
        throw new WireEmitError(`${field}.code`, `code ${option.code} is PAD/END, not a raw option`);
      }
      checkUint(option.code, U8_MAX, field, '.code');
      buffer.set(option.data, at);
      return;
  }
}

/** Writes one option (split per RFC 3396 when its data exceeds 255 bytes); returns bytes written. */
export function emitDhcpOptionInto(
  option: DhcpOption,
  buffer: Uint8Array,
  offset: number,
  field = 'dhcp.option',
): number {
  // The fixed-size kinds in one step: code, length and data, without sizing the data by a second switch.
  switch (option.kind) {
    case 'pad':
      buffer[offset] = DHCP_OPTION_PAD;
      return 1;
    case 'messageType':
    case 'requestedAddress':
    case 'serverId':
    case 'subnetMask':
    case 'leaseTime':
    case 'renewalTime':
    case 'rebindingTime':
    case 'maxMessageSize': {
      const dataBytes = option.kind === 'messageType' ? 1 : option.kind === 'maxMessageSize' ? 2 : 4;
      buffer[offset] = dhcpOptionCode(option);
      buffer[offset + 1] = dataBytes;
      writeData(option, buffer, offset + 2, field);
      return 2 + dataBytes;
    }
  }
  const code = dhcpOptionCode(option);
  const dataBytes = dhcpOptionDataLength(option);
  if (dataBytes <= 255) {
    buffer[offset] = code;
    buffer[offset + 1] = dataBytes;
    writeData(option, buffer, offset + 2, field);
    return 2 + dataBytes;
  }
  // RFC 3396 §5: encode into a scratch buffer, then cut into 255-byte instances of the same code.
  const data = new Uint8Array(dataBytes);
  writeData(option, data, 0, field);
  let at = offset;
  for (let from = 0; from < dataBytes; from += 255) {
    const len = Math.min(255, dataBytes - from);
    buffer[at] = code;
    buffer[at + 1] = len;
    buffer.set(data.subarray(from, from + len), at + 2);
    at += 2 + len;
  }
  return at - offset;
}

/** KIND_BY_CODE as a table indexed by code (a Map lookup per option showed in parse profiles). */
const KIND_TABLE: readonly (TypedKind | undefined)[] = Array.from({ length: 256 }, (_, code) => KIND_BY_CODE.get(code));

/** The typed value of option `code` with `data`, or raw when the data does not fit the type. */
export function decodeDhcpOption(code: number, data: Uint8Array): DhcpOption {
  return decodeDhcpOptionAt(code, data, 0, data.length, data);
}

/**
 * `decodeDhcpOption` of the data at `bytes[start, end)`, read in place: typed options keep numbers and strings, only
 * raw, client-id and relay data are copied out. `whole`, when given, is exactly that data already owned by the caller
 * and is kept as the raw option's data.
 */
function decodeDhcpOptionAt(
  code: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  whole: Uint8Array | null,
): DhcpOption {
  const kind = KIND_TABLE[code];
  const n = end - start;
  switch (kind) {
    case undefined:
      break;
    case 'subnetMask':
      if (n === 4) return { kind, mask: ipv4FromBytes(bytes, start) };
      break;
    case 'requestedAddress':
    case 'serverId':
      if (n === 4) return { kind, address: ipv4FromBytes(bytes, start) };
      break;
    case 'leaseTime':
    case 'renewalTime':
    case 'rebindingTime':
      if (n === 4) return { kind, secs: readU32(bytes, start) };
      break;
    case 'routers':
    case 'dnsServers': {
      if (n === 0 || n % 4 !== 0) break;
      const addresses: string[] = [];
      for (let i = start; i < end; i += 4) addresses.push(ipv4FromBytes(bytes, i));
      return { kind, addresses: fitted(addresses) };
    }
    case 'hostName':
    case 'domainName':
      return { kind, name: latin1(bytes, start, end) };
    case 'overload': {
      const v = bytes[start];
      if (n === 1 && (v === 1 || v === 2 || v === 3)) return { kind, value: v };
      break;
    }
    case 'messageType': {
      const v = bytes[start] ?? 0;
      if (n === 1 && v >= 1 && v <= 8) return { kind, type: v as DhcpMessageTypeCode };
      break;
    }
    case 'parameterRequestList': {
      const codes: number[] = [];
      for (let i = start; i < end; i++) codes.push(bytes[i] as number);
      return { kind, codes: fitted(codes) };
    }
    case 'maxMessageSize':
      if (n === 2) return { kind, bytes: readU16(bytes, start) };
      break;
    case 'clientId':
      if (n >= 1) return { kind, type: bytes[start] ?? 0, data: bytes.slice(start + 1, end) };
      break;
    case 'relayAgentInfo': {
      const subs = parseRelayAgentSubOptions(bytes, start, end);
      if (subs.ok) return { kind, subOptions: subs.value };
      break;
    }
  }
  return { kind: 'raw', code, data: whole ?? ownedBytes(bytes, start, end) };
}

export interface DhcpOptionArea {
  readonly options: DhcpOption[];
  /** True when an END option was found; `endAt` is its offset. */
  readonly endFound: boolean;
  readonly endAt: number;
}

/**
 * Parses options in `bytes[start, end)` until END or the end of the area. `field` names the area in errors
 * (`dhcp.options`, `dhcp.file.options`, `dhcp.sname.options`).
 */
/**
 * Parses one option at `offset` (a pad, or code ‖ len ‖ data, with the RFC 3396 §7 run of 255-byte instances joined).
 * END is not an option: it is an error here (the message parser handles it).
 */
export function parseDhcpOption(
  bytes: Uint8Array,
  offset: number,
  end: number = bytes.length,
  field = 'dhcp.option',
): ParseResult<DhcpOption> {
  if (offset >= end) return decodeError(`${field}.code`, offset, 'no bytes left');
  const code = bytes[offset] ?? 0;
  if (code === DHCP_OPTION_PAD) return parsed({ kind: 'pad' }, 1);
  if (code === DHCP_OPTION_END) return decodeError(`${field}.code`, offset, 'END is not an option');
  let at = offset;
  if (at + 2 > end) return decodeError(`${field}.len`, at, `option ${code} has no length byte`);
  // RFC 3396 §7: a run of instances of the same code, all but the last exactly 255 bytes, is one long option.
  let len = bytes[at + 1] ?? 0;
  if (at + 2 + len > end)
    return decodeError(`${field}.len`, at + 1, `length ${len} runs past the option area end (${end})`);
  const firstStart = at + 2;
  at += 2 + len;
  if (len !== 255 || at + 2 > end || bytes[at] !== code) {
    // One instance (the usual case): decode in place.
    return parsed(decodeDhcpOptionAt(code, bytes, firstStart, firstStart + len, null), at - offset);
  }
  const chunks: Uint8Array[] = [bytes.subarray(firstStart, firstStart + len)];
  let total = len;
  for (;;) {
    len = bytes[at + 1] ?? 0;
    if (at + 2 + len > end)
      return decodeError(`${field}.len`, at + 1, `length ${len} runs past the option area end (${end})`);
    chunks.push(bytes.subarray(at + 2, at + 2 + len));
    total += len;
    at += 2 + len;
    if (len !== 255 || at + 2 > end || bytes[at] !== code) break;
  }
  const data = new Uint8Array(total);
  let w = 0;
  for (const c of chunks) {
    data.set(c, w);
    w += c.length;
  }
  return parsed(decodeDhcpOptionAt(code, data, 0, total, data), at - offset);
}

export function emitDhcpOption(option: DhcpOption): Uint8Array {
  const out = new Uint8Array(dhcpOptionLength(option));
  emitDhcpOptionInto(option, out, 0);
  return out;
}

export function parseDhcpOptionArea(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
): ParseResult<DhcpOptionArea> {
  const options: DhcpOption[] = [];
  let at = start;
  // Each iteration consumes at least one byte: bounded by end - start.
  while (at < end) {
    if (bytes[at] === DHCP_OPTION_END)
      return parsed({ options: fitted(options), endFound: true, endAt: at }, at + 1 - start);
    const option = parseDhcpOption(bytes, at, end, OPTION_FIELD);
    if (!option.ok) {
      // Field names are built only on error: this loop is hot.
      const { field: f, offset, reason } = option.error;
      return decodeError(f.replace(OPTION_FIELD, `${field}[${options.length}]`), offset, reason);
    }
    options.push(option.value);
    at += option.bytesRead;
  }
  return parsed({ options: fitted(options), endFound: false, endAt: end }, end - start);
}

const OPTION_FIELD = 'dhcp.option[?]';
