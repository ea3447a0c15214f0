/**
 * The DHCP message (RFC 2131 §2, figure 1), after smoltcp's wire/dhcpv4.rs: a field table, parse/emit/length.
 *
 *   op(1) htype(1) hlen(1) hops(1) | xid(4) | secs(2) flags(2) | ciaddr(4) | yiaddr(4) | siaddr(4) | giaddr(4)
 *   chaddr(16) | sname(64) | file(128) | magic cookie 99.130.83.99 (RFC 2131 §3) | options … END [zero padding]
 *
 * The message fills its input to the end (the UDP payload, or the IKE DHCP payload). Parse keeps everything the wire
 * held (pads, sname/file raw, the zeros after END), so a parsed message re-emits byte-identical.
 */
import {
  checkUint,
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
import { decodeError, emitError, parsed, WireEmitError, type ParseResult } from '../result.ts';
import { DHCP_OPTION_END, dhcpOptionLength, emitDhcpOptionInto, parseDhcpOptionArea } from './options.ts';
import type { DhcpMessage, DhcpOption } from './types.ts';

/** Byte offsets of the fixed header (RFC 2131 §2). */
export const DhcpField = {
  OP: 0,
  HTYPE: 1,
  HLEN: 2,
  HOPS: 3,
  XID: 4,
  SECS: 8,
  FLAGS: 10,
  CIADDR: 12,
  YIADDR: 16,
  SIADDR: 20,
  GIADDR: 24,
  CHADDR: 28,
  SNAME: 44,
  FILE: 108,
  MAGIC: 236,
  OPTIONS: 240,
} as const;

export const DHCP_CHADDR_BYTES = 16;
export const DHCP_SNAME_BYTES = 64;
export const DHCP_FILE_BYTES = 128;

/**
 * The all-zero sname and file nearly every message carries, one of each for every message: the codecs and the lab
 * never write into a message's fields (see `ownedBytes`), and each message kept (a lease's last ACK, a request for
 * retransmission) held 192 zero bytes in two buffers of its own (~500 bytes of heap with their headers).
 */
export const ZERO_SNAME: Uint8Array = new Uint8Array(DHCP_SNAME_BYTES);
export const ZERO_FILE: Uint8Array = new Uint8Array(DHCP_FILE_BYTES);

/** Bytes `[start, start + zero.length)` as a parsed message keeps them: `zero` when they are all zero. */
function fixedField(bytes: Uint8Array, start: number, zero: Uint8Array): Uint8Array {
  const end = start + zero.length;
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return ownedBytes(bytes, start, end);
  return zero;
}
/** RFC 2131 §3: 99.130.83.99. */
export const DHCP_MAGIC_COOKIE = 0x63825363;
/** Fixed header plus cookie. */
export const DHCP_FIXED_BYTES = 240;
export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
/** RFC 2131 §2: every DHCP participant accepts 576-byte messages; more only if the peer's option 57 says so. */
export const DHCP_DEFAULT_MAX_MESSAGE_BYTES = 576;
/** RFC 2131 §2 figure 1 flags: the BROADCAST bit. */
export const DHCP_FLAG_BROADCAST = 0x8000;

export interface DhcpEmitOptions {
  /**
   * The size limit (bytes of the DHCP message). Default: 576 (RFC 2131 §2), or the message's own option 57
   * (RFC 2132 §9.10) when that is larger. Over the limit is a WireEmitError, never a silent truncation.
   */
  readonly maxMessageBytes?: number;
}

export function dhcpMessageLength(msg: DhcpMessage): number {
  let total = DHCP_FIXED_BYTES + 1 + msg.endPaddingBytes; // + END
  for (const o of msg.options) total += dhcpOptionLength(o);
  return total;
}

/** The default options, one shared value (a `{}` default is a new object on every call). */
const NO_EMIT_OPTIONS: DhcpEmitOptions = Object.freeze({});

function sizeLimit(msg: DhcpMessage, options: DhcpEmitOptions): number {
  if (options.maxMessageBytes !== undefined) return options.maxMessageBytes;
  for (const o of msg.options) {
    if (o.kind === 'maxMessageSize') return Math.max(DHCP_DEFAULT_MAX_MESSAGE_BYTES, o.bytes);
  }
  return DHCP_DEFAULT_MAX_MESSAGE_BYTES;
}

function writeFixed(buffer: Uint8Array, offset: number, data: Uint8Array, size: number, field: string): void {
  if (data.length !== size) throw emitError(field, 'must be exactly ', size, ' bytes, got ', data.length);
  buffer.set(data, offset);
}

const OPTION_FIELD = 'dhcp.options[?]';

export function emitDhcpMessageInto(
  msg: DhcpMessage,
  buffer: Uint8Array,
  offset: number,
  options: DhcpEmitOptions = NO_EMIT_OPTIONS,
): number {
  // The size limit is checked on the bytes written (below): walking the options once more only to size them cost
  // as much as writing them. The caller's buffer is sized by dhcpMessageLength, so an oversized message still fits.
  if (msg.op !== 1 && msg.op !== 2) throw emitError('dhcp.op', 'must be 1 or 2, got ', String(msg.op));
  checkUint(msg.endPaddingBytes, U16_MAX, 'dhcp.endPaddingBytes');
  const b = buffer;
  const o = offset;
  b[o + DhcpField.OP] = msg.op;
  b[o + DhcpField.HTYPE] = checkUint(msg.htype, U8_MAX, 'dhcp.htype');
  b[o + DhcpField.HLEN] = checkUint(msg.hlen, U8_MAX, 'dhcp.hlen');
  b[o + DhcpField.HOPS] = checkUint(msg.hops, U8_MAX, 'dhcp.hops');
  writeU32(b, o + DhcpField.XID, checkUint(msg.xid, U32_MAX, 'dhcp.xid'));
  writeU16(b, o + DhcpField.SECS, checkUint(msg.secs, U16_MAX, 'dhcp.secs'));
  writeU16(b, o + DhcpField.FLAGS, checkUint(msg.flags, U16_MAX, 'dhcp.flags'));
  writeIpv4(b, o + DhcpField.CIADDR, msg.ciaddr, 'dhcp.ciaddr');
  writeIpv4(b, o + DhcpField.YIADDR, msg.yiaddr, 'dhcp.yiaddr');
  writeIpv4(b, o + DhcpField.SIADDR, msg.siaddr, 'dhcp.siaddr');
  writeIpv4(b, o + DhcpField.GIADDR, msg.giaddr, 'dhcp.giaddr');
  writeFixed(b, o + DhcpField.CHADDR, msg.chaddr, DHCP_CHADDR_BYTES, 'dhcp.chaddr');
  writeFixed(b, o + DhcpField.SNAME, msg.sname, DHCP_SNAME_BYTES, 'dhcp.sname');
  writeFixed(b, o + DhcpField.FILE, msg.file, DHCP_FILE_BYTES, 'dhcp.file');
  writeU32(b, o + DhcpField.MAGIC, DHCP_MAGIC_COOKIE);
  let at = o + DhcpField.OPTIONS;
  const { options: list } = msg;
  for (let i = 0; i < list.length; i++) {
    const option = list[i];
    if (option === undefined) continue;
    try {
      at += emitDhcpOptionInto(option, b, at, OPTION_FIELD);
    } catch (e) {
      // Name the option's index only on error: building the name per option costs more than writing it.
      if (e instanceof WireEmitError)
        throw new WireEmitError(e.field.replace(OPTION_FIELD, `dhcp.options[${i}]`), e.reason);
      throw e;
    }
  }
  b[at] = DHCP_OPTION_END;
  at += 1;
  if (msg.endPaddingBytes > 0) b.fill(0, at, at + msg.endPaddingBytes);
  at += msg.endPaddingBytes;
  const length = at - o;
  // Every limit is at least 576 bytes unless the caller gives one: most messages need no walk for option 57.
  if (options.maxMessageBytes === undefined && length <= DHCP_DEFAULT_MAX_MESSAGE_BYTES) return length;
  const limit = sizeLimit(msg, options);
  if (length > limit) {
    throw new WireEmitError(
      'dhcp',
      `message is ${length} bytes, over the ${limit}-byte limit (RFC 2131 §2, RFC 2132 §9.10)`,
    );
  }
  return length;
}

export function emitDhcpMessage(msg: DhcpMessage, options: DhcpEmitOptions = {}): Uint8Array {
  const out = new Uint8Array(dhcpMessageLength(msg));
  emitDhcpMessageInto(msg, out, 0, options);
  return out;
}

/** Options carried in sname/file when option 52 says so (RFC 2131 §4.1: options field, then file, then sname). */
export interface DhcpOverloadedOptions {
  readonly file: readonly DhcpOption[];
  readonly sname: readonly DhcpOption[];
}

/** Parses the options in file/sname as option 52 directs; errors carry absolute offsets. */
export function parseOverloadedOptions(
  bytes: Uint8Array,
  offset: number,
  overload: 1 | 2 | 3,
): ParseResult<DhcpOverloadedOptions> {
  let file: readonly DhcpOption[] = [];
  let sname: readonly DhcpOption[] = [];
  // RFC 2132 §9.3: 1 = file holds options, 2 = sname, 3 = both.
  if (overload === 1 || overload === 3) {
    const start = offset + DhcpField.FILE;
    const area = parseDhcpOptionArea(bytes, start, start + DHCP_FILE_BYTES, 'dhcp.file.options');
    if (!area.ok) return area;
    file = area.value.options;
  }
  if (overload === 2 || overload === 3) {
    const start = offset + DhcpField.SNAME;
    const area = parseDhcpOptionArea(bytes, start, start + DHCP_SNAME_BYTES, 'dhcp.sname.options');
    if (!area.ok) return area;
    sname = area.value.options;
  }
  return parsed({ file, sname }, DHCP_FIXED_BYTES);
}

/** Parses a DHCP message filling `bytes[offset, end)`. Never throws. */
export function parseDhcpMessage(
  bytes: Uint8Array,
  offset: number,
  end: number = bytes.length,
): ParseResult<DhcpMessage> {
  const available = end - offset;
  if (available < DHCP_FIXED_BYTES + 1) {
    return decodeError(
      'dhcp',
      offset,
      `${Math.max(0, available)} bytes, a message needs at least 241 (header, cookie, END)`,
    );
  }
  const op = bytes[offset + DhcpField.OP];
  if (op !== 1 && op !== 2)
    return decodeError('dhcp.op', offset, `op ${String(op)}, expected 1 (BOOTREQUEST) or 2 (BOOTREPLY)`);
  const cookie = readU32(bytes, offset + DhcpField.MAGIC);
  if (cookie !== DHCP_MAGIC_COOKIE) {
    return decodeError(
      'dhcp.magicCookie',
      offset + DhcpField.MAGIC,
      `0x${cookie.toString(16)}, expected 0x63825363 (RFC 2131 §3)`,
    );
  }
  const area = parseDhcpOptionArea(bytes, offset + DhcpField.OPTIONS, end, 'dhcp.options');
  if (!area.ok) return area;
  if (!area.value.endFound) return decodeError('dhcp.options', end, 'no END option (RFC 2131 §4.1)');
  for (let i = area.value.endAt + 1; i < end; i++) {
    if (bytes[i] !== 0) return decodeError('dhcp.endPadding', i, 'non-zero byte after END');
  }
  const { options } = area.value;
  for (const option of options) {
    if (option.kind !== 'overload') continue;
    const extra = parseOverloadedOptions(bytes, offset, option.value);
    if (!extra.ok) return extra;
    break;
  }
  const msg: DhcpMessage = {
    op,
    htype: bytes[offset + DhcpField.HTYPE] ?? 0,
    hlen: bytes[offset + DhcpField.HLEN] ?? 0,
    hops: bytes[offset + DhcpField.HOPS] ?? 0,
    xid: readU32(bytes, offset + DhcpField.XID),
    secs: readU16(bytes, offset + DhcpField.SECS),
    flags: readU16(bytes, offset + DhcpField.FLAGS),
    ciaddr: ipv4FromBytes(bytes, offset + DhcpField.CIADDR),
    yiaddr: ipv4FromBytes(bytes, offset + DhcpField.YIADDR),
    siaddr: ipv4FromBytes(bytes, offset + DhcpField.SIADDR),
    giaddr: ipv4FromBytes(bytes, offset + DhcpField.GIADDR),
    chaddr: bytes.slice(offset + DhcpField.CHADDR, offset + DhcpField.CHADDR + DHCP_CHADDR_BYTES),
    sname: fixedField(bytes, offset + DhcpField.SNAME, ZERO_SNAME),
    file: fixedField(bytes, offset + DhcpField.FILE, ZERO_FILE),
    options,
    endPaddingBytes: end - area.value.endAt - 1,
  };
  return parsed(msg, available);
}
