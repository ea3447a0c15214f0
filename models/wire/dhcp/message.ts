/**
 * Helpers for users of DHCP messages: typed option lookup (options field, then file and sname when overloaded,
 * RFC 2131 §4.1), the message type, the hardware address, and builders with RFC 2131 §4.3–4.4 defaults.
 */
import { DHCP_CHADDR_BYTES, ZERO_FILE, ZERO_SNAME } from './codec.ts';
import { parseDhcpOptionArea } from './options.ts';
import {
  DhcpMessageType,
  type DhcpMessage,
  type DhcpMessageTypeCode,
  type DhcpMessageTypeName,
  type DhcpOption,
  type DhcpOptionKind,
} from './types.ts';

export type DhcpOptionOf<K extends DhcpOptionKind> = Extract<DhcpOption, { kind: K }>;

/**
 * Every option of the message in RFC 2131 §4.1 order: the options field, then file, then sname when option 52 says
 * they hold options. Pads are left out.
 */
export function dhcpAllOptions(msg: DhcpMessage): DhcpOption[] {
  const main = msg.options.filter((o) => o.kind !== 'pad');
  const overload = main.find((o): o is DhcpOptionOf<'overload'> => o.kind === 'overload');
  if (overload === undefined) return main;
  // RFC 2132 §9.3: 1 = file holds options, 2 = sname, 3 = both. Malformed areas were rejected at parse time;
  // for a hand-built message they contribute nothing.
  const area = (bytes: Uint8Array, field: string): DhcpOption[] => {
    const r = parseDhcpOptionArea(bytes, 0, bytes.length, field);
    return r.ok ? r.value.options : [];
  };
  const file = overload.value !== 2 ? area(msg.file, 'dhcp.file.options') : [];
  const sname = overload.value !== 1 ? area(msg.sname, 'dhcp.sname.options') : [];
  return [...main, ...file, ...sname].filter((o) => o.kind !== 'pad');
}

/** The first option of a kind, typed by kind: `getDhcpOption(msg, 'messageType')?.type`. */
export function getDhcpOption<K extends DhcpOptionKind>(msg: DhcpMessage, kind: K): DhcpOptionOf<K> | undefined {
  const direct = msg.options.find((o): o is DhcpOptionOf<K> => o.kind === kind);
  if (direct !== undefined || !msg.options.some((o) => o.kind === 'overload')) return direct;
  return dhcpAllOptions(msg).find((o): o is DhcpOptionOf<K> => o.kind === kind);
}

/** The raw option with `code`, for codes without a typed kind. */
export function getRawDhcpOption(msg: DhcpMessage, code: number): Uint8Array | undefined {
  const o = dhcpAllOptions(msg).find((x): x is DhcpOptionOf<'raw'> => x.kind === 'raw' && x.code === code);
  return o?.data;
}

export function dhcpMessageTypeOf(msg: DhcpMessage): DhcpMessageTypeCode | undefined {
  return getDhcpOption(msg, 'messageType')?.type;
}

const TYPE_NAMES = Object.fromEntries(Object.entries(DhcpMessageType).map(([name, code]) => [code, name])) as Record<
  DhcpMessageTypeCode,
  DhcpMessageTypeName
>;

export function dhcpMessageTypeName(code: DhcpMessageTypeCode): DhcpMessageTypeName {
  return TYPE_NAMES[code];
}

/** The client hardware address: the first `hlen` bytes of chaddr (at most 16). */
export function hardwareAddress(msg: DhcpMessage): Uint8Array {
  return msg.chaddr.slice(0, Math.min(msg.hlen, DHCP_CHADDR_BYTES));
}

/** Replaces the first option of the same kind (or raw code), or appends it. */
export function withDhcpOption(msg: DhcpMessage, option: DhcpOption): DhcpMessage {
  const same = (o: DhcpOption): boolean =>
    option.kind === 'raw' ? o.kind === 'raw' && o.code === option.code : o.kind === option.kind;
  const i = msg.options.findIndex(same);
  const options = i < 0 ? [...msg.options, option] : msg.options.map((o, j) => (j === i ? option : o));
  return { ...msg, options };
}

export function withoutDhcpOption(msg: DhcpMessage, kind: DhcpOptionKind): DhcpMessage {
  return { ...msg, options: msg.options.filter((o) => o.kind !== kind) };
}

/** An all-zero BOOTREQUEST with Ethernet hardware type and no options; override any field. */
export function defaultDhcpMessage(overrides: Partial<DhcpMessage> = {}): DhcpMessage {
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: new Uint8Array(DHCP_CHADDR_BYTES),
    sname: ZERO_SNAME,
    file: ZERO_FILE,
    options: [],
    endPaddingBytes: 0,
    ...overrides,
  };
}

export interface DhcpBuildInput {
  readonly type: DhcpMessageTypeName;
  readonly xid: number;
  /** Up to 16 bytes; hlen is its length. */
  readonly hardwareAddress: Uint8Array;
  /** Default 1 (Ethernet); 31 for an IPsec virtual interface (RFC 3456 §2.1). */
  readonly htype?: number;
  /** Options after the message type (which the builder puts first). */
  readonly options?: readonly DhcpOption[];
  readonly fields?: Partial<Omit<DhcpMessage, 'options' | 'op' | 'chaddr' | 'hlen' | 'htype' | 'xid'>>;
}

const REPLY_TYPES: readonly DhcpMessageTypeName[] = ['OFFER', 'ACK', 'NAK'];

/** A message of a type: op from the type (RFC 2131 §3: OFFER/ACK/NAK are BOOTREPLY), option 53 first. */
export function buildDhcpMessage(input: DhcpBuildInput): DhcpMessage {
  const chaddr = new Uint8Array(DHCP_CHADDR_BYTES);
  chaddr.set(input.hardwareAddress.subarray(0, DHCP_CHADDR_BYTES));
  return defaultDhcpMessage({
    ...input.fields,
    op: REPLY_TYPES.includes(input.type) ? 2 : 1,
    htype: input.htype ?? 1,
    hlen: Math.min(input.hardwareAddress.length, DHCP_CHADDR_BYTES),
    xid: input.xid,
    chaddr,
    options: [{ kind: 'messageType', type: DhcpMessageType[input.type] }, ...(input.options ?? [])],
  });
}
