/**
 * One-line summaries in the notation of RFC 7296's exchange diagrams (§1.2–1.4), e.g.
 * `IKE_AUTH request #1 SK{IDi, AUTH, DHCP(DISCOVER)}` or `INFORMATIONAL response #2 SK{…encrypted 80 bytes}`.
 * SA inside SK is written SAi2 / SAr2 (a Child SA proposal, §1.2–1.3), as the RFC's diagrams do.
 */
import { DhcpMessageType } from '../dhcp/types.ts';
import { ikeCfgTypeName, ikeExchangeName, ikeNotifyName } from './constants.ts';
import { notifyTypeOf } from './notify.ts';
import type { IkeDhcpPacket, IkeMessage, IkePayload } from './types.ts';

const DHCP_TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(DhcpMessageType).map(([name, code]) => [code, name]),
);

function dhcpName(packet: IkeDhcpPacket): string {
  if (packet.kind === 'raw') return `type ${packet.packetType}`;
  for (const o of packet.message.options) {
    if (o.kind === 'messageType') return DHCP_TYPE_NAMES.get(o.type) ?? String(o.type);
  }
  return 'BOOTP';
}

/**
 * The texts of the few notify types, CP types and DHCP names a run sees, built once each: a summary is made for every
 * packet sent when packets are traced or metered, and each template literal was a new string per payload. Bounded
 * memos of pure functions (the domains are small; a full one is emptied and refills).
 */
const notifyTexts = new Map<number, string>();
const cfgTexts = new Map<number, string>();
const dhcpTexts = new Map<string, string>();
const TEXTS_MAX = 1024;

function memoText<K>(texts: Map<K, string>, key: K, make: (key: K) => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    text = make(key);
    if (texts.size >= TEXTS_MAX) texts.clear();
    texts.set(key, text);
  }
  return text;
}

const makeNotifyText = (type: number): string => `N(${ikeNotifyName(type)})`;
const makeCfgText = (type: number): string => `CP(${ikeCfgTypeName(type)})`;
const makeDhcpText = (name: string): string => `DHCP(${name})`;
const notifyText = (type: number): string => memoText(notifyTexts, type, makeNotifyText);
const cfgText = (type: number): string => memoText(cfgTexts, type, makeCfgText);
const dhcpText = (name: string): string => memoText(dhcpTexts, name, makeDhcpText);

/** One payload in diagram notation; `response` picks SAi2/SAr2 inside SK. */
export function summarizeIkePayload(p: IkePayload, insideSk = false, response = false): string {
  switch (p.kind) {
    case 'SA':
      return insideSk ? (response ? 'SAr2' : 'SAi2') : 'SA';
    case 'N':
      return notifyText(notifyTypeOf(p));
    case 'CP':
      return cfgText(p.cfgType);
    case 'DHCP':
      return dhcpText(dhcpName(p.packet));
    case 'SK':
      return `SK{${p.payloads.map((q) => summarizeIkePayload(q, true, response)).join(', ')}}`;
    case 'SK-opaque':
      return `SK{…encrypted ${p.encrypted.length} bytes}`;
    case 'unknown':
      return `PAYLOAD(${p.payloadType})`;
    default:
      return p.kind;
  }
}

/**
 * The pieces of the summary being built, joined once: a flat string, where template literals and per-payload
 * `map(…).join` built a tree of concatenations and two arrays per message (and a consumer that runs a regular
 * expression over the summary flattens the tree into yet another copy). Never used by two calls at once: the
 * function does not call itself.
 */
const parts: string[] = [];

/** `SK{…}` with its inner payloads, as `summarizeIkePayload` writes it, into `parts`. */
function pushSk(inner: readonly IkePayload[], response: boolean): void {
  parts.push('SK{');
  for (let i = 0; i < inner.length; i++) {
    if (i > 0) parts.push(', ');
    parts.push(summarizeIkePayload(inner[i] as IkePayload, true, response));
  }
  parts.push('}');
}

export function summarizeIkeMessage(m: IkeMessage): string {
  parts.length = 0;
  parts.push(ikeExchangeName(m.exchangeType), m.response ? ' response #' : ' request #', String(m.messageId));
  const payloads = m.payloads;
  for (let i = 0; i < payloads.length; i++) {
    parts.push(i === 0 ? ' ' : ', ');
    const p = payloads[i] as IkePayload;
    if (p.kind === 'SK') pushSk(p.payloads, m.response);
    else parts.push(summarizeIkePayload(p, false, m.response));
  }
  return parts.join('');
}
