/**
 * Relay Agent Information option 82 (RFC 3046 §2.0): a sequence of sub-options, each code (1) ‖ len (1) ‖ data.
 * Typed: 1 Agent Circuit ID, 2 Agent Remote ID (RFC 3046 §3.1–3.2), 5 Link Selection (RFC 3527 §3), 11 Server
 * Identifier Override (RFC 5107 §4), 19 Relay Source Port (RFC 8357 §5.1). Any other code, or a known code with a
 * length its type cannot hold, is kept raw so re-emission is identical.
 */
import {
  checkUint,
  copyInto,
  ipv4FromBytes,
  readU16,
  U16_MAX,
  U8_MAX,
  writeIpv4,
  writeU16,
  writeU32,
} from '../bytes.ts';
import { parseIpv4U32 } from '../ipv4-address.ts';
import { decodeError, emitError, parsed, type ParseResult } from '../result.ts';
import type { RelayAgentSubOption } from './types.ts';

export const RelayAgentSubOptionCode = {
  circuitId: 1,
  remoteId: 2,
  linkSelection: 5,
  serverIdOverride: 11,
  relayPort: 19,
} as const;

function subOptionCode(sub: RelayAgentSubOption): number {
  // A switch, not a keyed load with a different key per sub-option (megamorphic).
  switch (sub.kind) {
    case 'raw':
      return sub.code;
    case 'circuitId':
      return RelayAgentSubOptionCode.circuitId;
    case 'remoteId':
      return RelayAgentSubOptionCode.remoteId;
    case 'linkSelection':
      return RelayAgentSubOptionCode.linkSelection;
    case 'serverIdOverride':
      return RelayAgentSubOptionCode.serverIdOverride;
    case 'relayPort':
      return RelayAgentSubOptionCode.relayPort;
  }
}

function subOptionDataLength(sub: RelayAgentSubOption): number {
  switch (sub.kind) {
    case 'circuitId':
    case 'remoteId':
    case 'raw':
      return sub.data.length;
    case 'linkSelection':
    case 'serverIdOverride':
      return 4;
    case 'relayPort':
      return sub.port === null ? 0 : 2;
  }
}

export function relayAgentSubOptionsLength(subs: readonly RelayAgentSubOption[]): number {
  let total = 0;
  for (const sub of subs) total += 2 + subOptionDataLength(sub);
  return total;
}

/** `dhcp.option82.sub[2]`: built only when an error needs it. */
function subPath(field: string, i: number): string {
  return `${field}.sub[${i}]`;
}

function emitSubOptionInto(
  sub: RelayAgentSubOption,
  buffer: Uint8Array,
  at: number,
  field: string,
  index: number,
): number {
  const code = subOptionCode(sub);
  if (!Number.isInteger(code) || code < 0 || code > U8_MAX) checkUint(code, U8_MAX, subPath(field, index), '.code');
  const len = subOptionDataLength(sub);
  if (len > U8_MAX) {
    throw emitError(`${subPath(field, index)}.len`, len, ' bytes of data, a sub-option holds at most 255');
  }
  buffer[at] = code;
  buffer[at + 1] = len;
  const data = at + 2;
  switch (sub.kind) {
    case 'circuitId':
    case 'remoteId':
    case 'raw':
      copyInto(buffer, data, sub.data);
      break;
    case 'linkSelection': {
      const v = parseIpv4U32(sub.subnet);
      if (v < 0) writeIpv4(buffer, data, sub.subnet, subPath(field, index), '.subnet'); // throws, naming the field
      writeU32(buffer, data, v);
      break;
    }
    case 'serverIdOverride': {
      const v = parseIpv4U32(sub.serverId);
      if (v < 0) writeIpv4(buffer, data, sub.serverId, subPath(field, index), '.serverId'); // throws, naming the field
      writeU32(buffer, data, v);
      break;
    }
    case 'relayPort':
      if (sub.port !== null) writeU16(buffer, data, checkUint(sub.port, U16_MAX, subPath(field, index), '.port'));
      break;
  }
  return 2 + len;
}

export function emitRelayAgentSubOptionsInto(
  subs: readonly RelayAgentSubOption[],
  buffer: Uint8Array,
  offset: number,
  field = 'dhcp.option82',
): number {
  let at = offset;
  for (let i = 0; i < subs.length; i++) {
    const sub = subs[i];
    if (sub !== undefined) at += emitSubOptionInto(sub, buffer, at, field, i);
  }
  return at - offset;
}

export function emitRelayAgentSubOptions(subs: readonly RelayAgentSubOption[]): Uint8Array {
  const out = new Uint8Array(relayAgentSubOptionsLength(subs));
  emitRelayAgentSubOptionsInto(subs, out, 0);
  return out;
}

function typedSubOption(code: number, bytes: Uint8Array, start: number, len: number): RelayAgentSubOption {
  switch (code) {
    case RelayAgentSubOptionCode.circuitId:
      return { kind: 'circuitId', data: bytes.slice(start, start + len) };
    case RelayAgentSubOptionCode.remoteId:
      return { kind: 'remoteId', data: bytes.slice(start, start + len) };
    case RelayAgentSubOptionCode.linkSelection:
      if (len === 4) return { kind: 'linkSelection', subnet: ipv4FromBytes(bytes, start) };
      break;
    case RelayAgentSubOptionCode.serverIdOverride:
      if (len === 4) return { kind: 'serverIdOverride', serverId: ipv4FromBytes(bytes, start) };
      break;
    case RelayAgentSubOptionCode.relayPort:
      if (len === 0) return { kind: 'relayPort', port: null };
      if (len === 2) return { kind: 'relayPort', port: readU16(bytes, start) };
      break;
  }
  return { kind: 'raw', code, data: bytes.slice(start, start + len) };
}

/** Parses the sub-options filling `bytes[start, end)`; an overrunning length is an error at its offset. */
export function parseRelayAgentSubOptions(
  bytes: Uint8Array,
  start: number,
  end: number,
  field = 'dhcp.option82',
): ParseResult<RelayAgentSubOption[]> {
  const subs: RelayAgentSubOption[] = [];
  let at = start;
  while (at < end) {
    if (at + 2 > end)
      return decodeError(`${field}.sub[${subs.length}].len`, at, 'sub-option header runs past the option');
    const code = bytes[at] ?? 0;
    const len = bytes[at + 1] ?? 0;
    if (at + 2 + len > end)
      return decodeError(`${field}.sub[${subs.length}].len`, at + 1, `length ${len} runs past the option end`);
    subs.push(typedSubOption(code, bytes, at + 2, len));
    at += 2 + len;
  }
  return parsed(subs, end - start);
}

/** The first sub-option of a kind, typed. */
export function getRelayAgentSubOption<K extends RelayAgentSubOption['kind']>(
  subs: readonly RelayAgentSubOption[],
  kind: K,
): Extract<RelayAgentSubOption, { kind: K }> | undefined {
  return subs.find((s): s is Extract<RelayAgentSubOption, { kind: K }> => s.kind === kind);
}
