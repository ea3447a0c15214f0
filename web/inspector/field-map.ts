/**
 * The field map: re-parses a packet's bytes layer by layer and records, for every field, its byte range [start, end)
 * and the RFC section that defines it, so the inspector can highlight a field's bytes. Values come from the codecs
 * (parseIpv4Header, parseUdpHeader, parseIkeMessage, openEsp, parseDhcpMessage, decodeDhcpOption…); the offsets come
 * from the fixed layouts the RFCs draw. The codecs are not modified. Never throws: what cannot be walked is shown as
 * an opaque range with the reason.
 *
 * Real crypto (a run with `crypto: real`): given the run's keys (scenarios/keys-export.ts), SK payloads and ESP are
 * opened with them, and the walk goes on over a copy of the packet in which the ciphertext is replaced by its
 * plaintext (padding and trailer included): AES-CBC and AES-GCM keep the length (RFC 3602 §2.4, RFC 4106 §3), so
 * every field keeps its byte range in the packet, and the tree is the one the modelled crypto shows.
 */
import { CIPHER_SUITES, type CipherSuiteName, type CryptoModel, type Opened } from '../../models/wire/crypto-suite.ts';
import { boundCrypto } from '../../models/wire/crypto/bound-crypto.ts';
import type { SaKeyLookup } from '../../models/wire/crypto/sa-key-store.ts';
import { decodeDhcpOption } from '../../models/wire/dhcp/options.ts';
import { parseDhcpMessage } from '../../models/wire/dhcp/codec.ts';
import { ALL_SUITE_NAMES, openEsp, parseEsp } from '../../models/wire/esp.ts';
import {
  ikeExchangeName,
  modelledIkeCrypto,
  parseIkeHeader,
  parseIkeMessage,
  payloadTypeName,
  type IkeMessage,
  type IkePayload,
} from '../../models/wire/ike/index.ts';
import { parseIpv4Header } from '../../models/wire/ipv4.ts';
import { parseUdpHeader } from '../../models/wire/udp.ts';

export interface FieldNode {
  readonly label: string;
  readonly value?: string;
  /** Byte range in the whole packet, [start, end). */
  readonly start: number;
  readonly end: number;
  /** Where the structure is defined, e.g. `RFC 791 §3.1`. */
  readonly ref?: string;
  readonly children?: readonly FieldNode[];
  /** Set when the walk had to stop inside this node. */
  readonly error?: string;
}

type Bytes = Uint8Array;

const u8 = (b: Bytes, at: number): number => b[at] ?? 0;
const u16 = (b: Bytes, at: number): number => (u8(b, at) << 8) | u8(b, at + 1);
const u32 = (b: Bytes, at: number): number => u16(b, at) * 65536 + u16(b, at + 2);
const hex = (b: Bytes, start: number, end: number): string =>
  Array.from(b.subarray(start, end), (x) => x.toString(16).padStart(2, '0')).join('');
const dotted = (b: Bytes, at: number): string => `${u8(b, at)}.${u8(b, at + 1)}.${u8(b, at + 2)}.${u8(b, at + 3)}`;
const short = (b: Bytes, start: number, end: number): string =>
  end - start > 16 ? `${hex(b, start, start + 16)}… (${end - start} bytes)` : hex(b, start, end) || '(empty)';

function leaf(label: string, start: number, end: number, value: string, ref?: string): FieldNode {
  return { label, start, end, value, ...(ref !== undefined ? { ref } : {}) };
}

function group(
  label: string,
  start: number,
  end: number,
  children: FieldNode[],
  ref?: string,
  value?: string,
): FieldNode {
  return {
    label,
    start,
    end,
    children,
    ...(ref !== undefined ? { ref } : {}),
    ...(value !== undefined ? { value } : {}),
  };
}

function opaque(label: string, start: number, end: number, error: string): FieldNode {
  return { label, start, end, value: `${end - start} bytes`, error };
}

/**
 * The whole packet: an IPv4 datagram as the trace's `send` event carries it. With `keys` (a real-crypto run), SK and
 * ESP open with them; `bytes` is not modified (the plaintext goes into a copy).
 */
export function fieldMap(bytes: Bytes, keys?: SaKeyLookup): FieldNode[] {
  return [ipv4Layer(keys === undefined ? bytes : bytes.slice(), 0, 0, keys)];
}

/** Writes what was opened over its ciphertext: plaintext, padding, pad length, then (ESP) the next header. */
function writeClear(b: Bytes, at: number, o: Opened): void {
  b.set(o.plaintext, at);
  b.set(o.padding, at + o.plaintext.length);
  const trailer = at + o.plaintext.length + o.padding.length;
  b[trailer] = o.padding.length;
  if (o.nextHeader !== null) b[trailer + 1] = o.nextHeader;
}

/** The keys' model, remembering what its last `open` returned (to write it into the walked copy). */
function recording(model: CryptoModel): { model: CryptoModel; last: () => Opened | undefined } {
  let last: Opened | undefined;
  return {
    model: {
      seal: (input, rule, ctx) => model.seal(input, rule, ctx),
      open: (sealed, rule, ctx) => {
        const r = model.open(sealed, rule, ctx);
        last = r.ok ? r.value : undefined;
        return r;
      },
    },
    last: () => last,
  };
}

const IP_PROTOCOLS: Record<number, string> = { 1: 'ICMP', 4: 'IPv4', 17: 'UDP', 50: 'ESP' };

function ipv4Layer(b: Bytes, at: number, depth: number, keys: SaKeyLookup | undefined): FieldNode {
  const r = parseIpv4Header(b, at);
  if (!r.ok) return opaque('IPv4', at, b.length, `${r.error.field}: ${r.error.reason}`);
  const { header: h, headerBytes: hl, totalLength } = r.value;
  const ref = 'RFC 791 §3.1';
  const end = at + totalLength;
  const children: FieldNode[] = [
    leaf('Version · IHL', at, at + 1, `4 · ${hl / 4} (${hl} bytes)`, ref),
    leaf('Type of Service', at + 1, at + 2, `0x${h.tos.toString(16).padStart(2, '0')}`, ref),
    leaf('Total Length', at + 2, at + 4, String(totalLength), ref),
    leaf('Identification', at + 4, at + 6, String(h.identification), ref),
    leaf(
      'Flags · Fragment Offset',
      at + 6,
      at + 8,
      `${h.flags & 2 ? 'DF ' : ''}${h.flags & 1 ? 'MF ' : ''}offset ${h.fragmentOffset}`,
      ref,
    ),
    leaf('Time to Live', at + 8, at + 9, String(h.ttl), ref),
    leaf('Protocol', at + 9, at + 10, `${h.protocol} (${IP_PROTOCOLS[h.protocol] ?? '?'})`, ref),
    leaf('Header Checksum', at + 10, at + 12, `0x${hex(b, at + 10, at + 12)}`, ref),
    leaf('Source Address', at + 12, at + 16, h.src, ref),
    leaf('Destination Address', at + 16, at + 20, h.dst, ref),
  ];
  if (hl > 20) children.push(leaf('Options', at + 20, at + hl, short(b, at + 20, at + hl), ref));
  const fragment = (h.flags & 1) !== 0 || h.fragmentOffset !== 0;
  if (!fragment && h.protocol === 17) children.push(udpLayer(b, at + hl, end, h.src, h.dst, depth, keys));
  else if (!fragment && h.protocol === 50) children.push(espLayer(b, at + hl, end, depth, keys));
  else if (end > at + hl) children.push(leaf('Payload', at + hl, end, short(b, at + hl, end)));
  return group(depth === 0 ? 'IPv4' : 'Inner IPv4', at, end, children, ref, `${h.src} → ${h.dst}`);
}

function udpLayer(
  b: Bytes,
  at: number,
  end: number,
  src: string,
  dst: string,
  depth: number,
  keys: SaKeyLookup | undefined,
): FieldNode {
  const r = parseUdpHeader(b.subarray(0, end), at, { src, dst });
  if (!r.ok) return opaque('UDP', at, end, `${r.error.field}: ${r.error.reason}`);
  const { srcPort, dstPort, length, checksum } = r.value;
  const ref = 'RFC 768';
  const appEnd = Math.min(end, at + length);
  const children: FieldNode[] = [
    leaf('Source Port', at, at + 2, String(srcPort), ref),
    leaf('Destination Port', at + 2, at + 4, String(dstPort), ref),
    leaf('Length', at + 4, at + 6, String(length), ref),
    leaf(
      'Checksum',
      at + 6,
      at + 8,
      `0x${hex(b, at + 6, at + 8)} (${checksum === 'auto' ? 'correct' : checksum === 'zero' ? 'none' : 'wrong'})`,
      ref,
    ),
  ];
  const app = at + 8;
  const port = (p: number): boolean => srcPort === p || dstPort === p;
  if (app < appEnd) {
    if (port(67) || port(68)) children.push(dhcpLayer(b, app, appEnd, 'DHCP message'));
    else if (port(500)) children.push(ikeLayer(b, app, appEnd, keys));
    else if (port(4500)) {
      if (appEnd - app === 1 && u8(b, app) === 0xff)
        children.push(leaf('NAT-keepalive', app, appEnd, '0xff', 'RFC 3948 §2.3'));
      else if (appEnd - app >= 4 && u32(b, app) === 0) {
        children.push(leaf('Non-ESP Marker', app, app + 4, '00000000', 'RFC 3948 §2.2'));
        children.push(ikeLayer(b, app + 4, appEnd, keys));
      } else children.push(espLayer(b, app, appEnd, depth, keys));
    } else children.push(leaf('Data', app, appEnd, short(b, app, appEnd)));
  }
  return group('UDP', at, appEnd, children, ref, `${srcPort} → ${dstPort}`);
}

function espLayer(b: Bytes, at: number, end: number, depth: number, keys: SaKeyLookup | undefined): FieldNode {
  const ref = 'RFC 4303 §2';
  const view = b.subarray(0, end);
  const esp = parseEsp(view, at, end);
  if (!esp.ok) return opaque('ESP', at, end, `${esp.error.field}: ${esp.error.reason}`);
  const head: FieldNode[] = [
    leaf('Security Parameters Index', at, at + 4, `0x${hex(b, at, at + 4)}`, 'RFC 4303 §2.1'),
    leaf('Sequence Number', at + 4, at + 8, String(u32(b, at + 4)), 'RFC 4303 §2.2'),
  ];
  if (keys !== undefined) {
    // RFC 4303 §3.4.2: the SA (and its keys) by the SPI.
    const entry = keys.espIn(esp.value.spi);
    const opened = entry && openEsp(esp.value, entry.suite.name, boundCrypto(entry.keys, entry.ivSecret));
    if (entry === undefined || opened === undefined || !opened.ok) {
      const why = entry === undefined ? 'no key of this run for its SPI' : 'the key of its SPI does not open it';
      return group('ESP', at, end, [...head, opaque('Encrypted', at + 8, end, why)], ref);
    }
    writeClear(b, at + 8 + entry.suite.ivBytes, {
      plaintext: opened.value.plaintext,
      padding: opened.value.padding,
      nextHeader: opened.value.nextHeader,
    });
    return espOpened(b, at, end, depth, head, entry.suite.name, opened.value, keys, 'decrypted with the run’s keys');
  }
  for (const suiteName of ALL_SUITE_NAMES) {
    const opened = openEsp(esp.value, suiteName);
    if (!opened.ok) continue;
    return espOpened(b, at, end, depth, head, suiteName, opened.value, keys, 'modelled crypto');
  }
  return group('ESP', at, end, [...head, opaque('Encrypted', at + 8, end, 'no modelled suite opens it')], ref);
}

function espOpened(
  b: Bytes,
  at: number,
  end: number,
  depth: number,
  head: readonly FieldNode[],
  suiteName: CipherSuiteName,
  opened: { readonly plaintext: Uint8Array; readonly padding: Uint8Array; readonly nextHeader: number },
  keys: SaKeyLookup | undefined,
  how: string,
): FieldNode {
  const ref = 'RFC 4303 §2';
  const suite = CIPHER_SUITES[suiteName];
  const { plaintext, padding, nextHeader } = opened;
  const ivEnd = at + 8 + suite.ivBytes;
  const plainEnd = ivEnd + plaintext.length;
  const padEnd = plainEnd + padding.length;
  const children = [
    ...head,
    leaf('IV', at + 8, ivEnd, short(b, at + 8, ivEnd), 'RFC 4303 §2.3'),
    nextHeader === 4 && depth === 0
      ? ipv4Layer(b.subarray(0, plainEnd), ivEnd, depth + 1, keys)
      : leaf('Payload Data', ivEnd, plainEnd, short(b, ivEnd, plainEnd), 'RFC 4303 §2.3'),
    leaf('Padding', plainEnd, padEnd, `${padding.length} bytes`, 'RFC 4303 §2.4'),
    leaf('Pad Length', padEnd, padEnd + 1, String(u8(b, padEnd)), 'RFC 4303 §2.5'),
    leaf('Next Header', padEnd + 1, padEnd + 2, `${nextHeader} (${IP_PROTOCOLS[nextHeader] ?? '?'})`, 'RFC 4303 §2.6'),
    leaf('ICV', padEnd + 2, end, short(b, padEnd + 2, end), 'RFC 4303 §2.8'),
  ];
  return group('ESP', at, end, children, ref, `${suiteName} (${how})`);
}

// ---- IKEv2 ----------------------------------------------------------------------------------------------------

const PAYLOAD_REFS: Record<string, string> = {
  SA: 'RFC 7296 §3.3',
  KE: 'RFC 7296 §3.4',
  IDi: 'RFC 7296 §3.5',
  IDr: 'RFC 7296 §3.5',
  CERT: 'RFC 7296 §3.6',
  CERTREQ: 'RFC 7296 §3.7',
  AUTH: 'RFC 7296 §3.8',
  Nonce: 'RFC 7296 §3.9',
  N: 'RFC 7296 §3.10',
  D: 'RFC 7296 §3.11',
  V: 'RFC 7296 §3.12',
  TSi: 'RFC 7296 §3.13',
  TSr: 'RFC 7296 §3.13',
  SK: 'RFC 7296 §3.14',
  CP: 'RFC 7296 §3.15',
  EAP: 'RFC 7296 §3.16',
  DHCP: 'draft-ietf-ipsec-dhcp-over-ike-00 §5',
};

/** RFC 7296 §3.14: where the SK payload's encrypted body starts (after its generic header and IV); SK is last. */
function skBodyStart(b: Bytes, at: number, end: number, ivBytes: number): number | undefined {
  let type = u8(b, at + 16);
  let pos = at + 28;
  for (let i = 0; type !== 46 && type !== 0 && pos + 4 <= end && i < 256; i++) {
    type = u8(b, pos);
    pos += Math.max(4, u16(b, pos + 2));
  }
  return type === 46 && pos + 4 + ivBytes <= end ? pos + 4 + ivBytes : undefined;
}

/**
 * Parses as packet.ts does: plain first, then with the run's keys for the IKE SA the header names (the I flag picks
 * SK_ei or SK_er, RFC 7296 §2.14), else each modelled suite, until SK opens.
 */
function parseIkeValue(
  b: Bytes,
  at: number,
  end: number,
  keys: SaKeyLookup | undefined,
): { message: IkeMessage | undefined; error?: string; how?: string } {
  const view = b.subarray(0, end);
  const first = parseIkeMessage(view, at);
  if (!first.ok) return { message: undefined, error: `${first.error.field}: ${first.error.reason}` };
  if (!first.value.payloads.some((p) => p.kind === 'SK-opaque')) return { message: first.value };
  const entry = keys?.ike(first.value.spiI, first.value.spiR);
  if (entry !== undefined) {
    const dir = first.value.initiator ? entry.initiator : entry.responder;
    const rec = recording(boundCrypto(dir, entry.ivSecret));
    const opened = parseIkeMessage(view, at, { crypto: { suite: entry.suite, model: rec.model } });
    const clear = rec.last();
    const bodyAt = skBodyStart(b, at, end, entry.suite.ivBytes);
    if (
      opened.ok &&
      clear !== undefined &&
      bodyAt !== undefined &&
      !opened.value.payloads.some((p) => p.kind === 'SK-opaque')
    ) {
      writeClear(b, bodyAt, clear);
      return { message: opened.value, how: 'decrypted with the run’s keys' };
    }
  }
  for (const suite of ALL_SUITE_NAMES) {
    const again = parseIkeMessage(view, at, { crypto: modelledIkeCrypto(suite) });
    if (again.ok && !again.value.payloads.some((p) => p.kind === 'SK-opaque')) return { message: again.value };
  }
  return { message: first.value };
}

function ikeLayer(b: Bytes, at: number, end: number, keys: SaKeyLookup | undefined): FieldNode {
  const ref = 'RFC 7296 §3.1';
  const h = parseIkeHeader(b.subarray(0, end), at);
  if (!h.ok) return opaque('IKEv2', at, end, `${h.error.field}: ${h.error.reason}`);
  const hv = h.value;
  const flags = [hv.initiator ? 'I' : '', hv.higherVersion ? 'V' : '', hv.response ? 'R' : '']
    .filter(Boolean)
    .join(' ');
  const header = group(
    'IKE Header',
    at,
    at + 28,
    [
      leaf("Initiator's SPI", at, at + 8, hv.spiI, ref),
      leaf("Responder's SPI", at + 8, at + 16, hv.spiR, ref),
      leaf('Next Payload', at + 16, at + 17, `${hv.nextPayload} (${payloadTypeName(hv.nextPayload)})`, ref),
      leaf('MjVer · MnVer', at + 17, at + 18, `${hv.majorVersion}.${hv.minorVersion}`, ref),
      leaf('Exchange Type', at + 18, at + 19, `${hv.exchangeType} (${ikeExchangeName(hv.exchangeType)})`, ref),
      leaf('Flags', at + 19, at + 20, flags || 'none', ref),
      leaf('Message ID', at + 20, at + 24, String(hv.messageId), ref),
      leaf('Length', at + 24, at + 28, String(hv.length), ref),
    ],
    ref,
  );
  const { message, error, how } = parseIkeValue(b, at, end, keys);
  const children: FieldNode[] = [header];
  if (!message) children.push(opaque('Payloads', at + 28, end, error ?? 'unreadable'));
  else children.push(...ikeChain(b, at + 28, end, hv.nextPayload, message.payloads, message.response, how));
  return group(
    'IKEv2',
    at,
    end,
    children,
    ref,
    `${ikeExchangeName(hv.exchangeType)} ${hv.response ? 'response' : 'request'} #${hv.messageId}`,
  );
}

function ikeChain(
  b: Bytes,
  start: number,
  end: number,
  firstType: number,
  values: readonly IkePayload[],
  response: boolean,
  how = 'modelled: readable',
): FieldNode[] {
  const out: FieldNode[] = [];
  let at = start;
  let type = firstType;
  for (let i = 0; type !== 0 && at + 4 <= end && i < 256; i++) {
    const next = u8(b, at);
    const length = u16(b, at + 2);
    if (length < 4 || at + length > end) {
      out.push(opaque(`Payload ${payloadTypeName(type)}`, at, end, `length ${length} out of range`));
      return out;
    }
    const value = values[i];
    const name = payloadTypeName(type);
    const ref = PAYLOAD_REFS[value?.kind === 'SK-opaque' ? 'SK' : (value?.kind ?? name)] ?? 'RFC 7296 §3.2';
    const generic = [
      leaf('Next Payload', at, at + 1, `${next} (${payloadTypeName(next)})`, 'RFC 7296 §3.2'),
      leaf('Critical · Reserved', at + 1, at + 2, (u8(b, at + 1) & 0x80) !== 0 ? 'C' : '0', 'RFC 7296 §3.2'),
      leaf('Payload Length', at + 2, at + 4, String(length), 'RFC 7296 §3.2'),
    ];
    const body = value
      ? ikeBody(b, at + 4, at + length, value, next, response, how)
      : [leaf('Body', at + 4, at + length, short(b, at + 4, at + length))];
    out.push(group(`${name} payload`, at, at + length, [...generic, ...body], ref));
    at += length;
    if (type === 46) break; // SK is last (RFC 7296 §3.14)
    type = next;
  }
  return out;
}

function ikeBody(
  b: Bytes,
  s: number,
  e: number,
  p: IkePayload,
  nextField: number,
  response: boolean,
  how: string,
): FieldNode[] {
  const ref = PAYLOAD_REFS[p.kind];
  switch (p.kind) {
    case 'SA':
      return saProposals(b, s, e);
    case 'KE':
      return [
        leaf('Diffie-Hellman Group Num', s, s + 2, String(p.dhGroup), ref),
        leaf('Reserved', s + 2, s + 4, hex(b, s + 2, s + 4), ref),
        leaf('Key Exchange Data', s + 4, e, short(b, s + 4, e), ref),
      ];
    case 'IDi':
    case 'IDr': {
      const id = p.id;
      const text =
        id.kind === 'ipv4' ? id.address : id.kind === 'fqdn' || id.kind === 'rfc822' ? id.name : short(b, s + 4, e);
      return [
        leaf('ID Type', s, s + 1, `${u8(b, s)} (${id.kind})`, ref),
        leaf('Reserved', s + 1, s + 4, hex(b, s + 1, s + 4), ref),
        leaf('Identification Data', s + 4, e, text, ref),
      ];
    }
    case 'AUTH':
      return [
        leaf('Auth Method', s, s + 1, String(p.method), ref),
        leaf('Reserved', s + 1, s + 4, hex(b, s + 1, s + 4), ref),
        leaf('Authentication Data', s + 4, e, short(b, s + 4, e), ref),
      ];
    case 'N': {
      const spiSize = u8(b, s + 1);
      return [
        leaf('Protocol ID', s, s + 1, String(u8(b, s)), ref),
        leaf('SPI Size', s + 1, s + 2, String(spiSize), ref),
        leaf('Notify Message Type', s + 2, s + 4, `${u16(b, s + 2)} (${p.notify})`, ref),
        ...(spiSize > 0 ? [leaf('SPI', s + 4, s + 4 + spiSize, hex(b, s + 4, s + 4 + spiSize), ref)] : []),
        ...(e > s + 4 + spiSize
          ? [leaf('Notification Data', s + 4 + spiSize, e, short(b, s + 4 + spiSize, e), ref)]
          : []),
      ];
    }
    case 'TSi':
    case 'TSr': {
      const out = [
        leaf('Number of TSs', s, s + 1, String(u8(b, s)), ref),
        leaf('Reserved', s + 1, s + 4, hex(b, s + 1, s + 4), ref),
      ];
      let at = s + 4;
      for (let i = 0; at + 4 <= e && i < 255; i++) {
        const len = u16(b, at + 2);
        if (len < 8 || at + len > e) break;
        const sub =
          len === 16
            ? [
                leaf('TS Type', at, at + 1, String(u8(b, at)), 'RFC 7296 §3.13.1'),
                leaf('IP Protocol ID', at + 1, at + 2, String(u8(b, at + 1)), 'RFC 7296 §3.13.1'),
                leaf('Selector Length', at + 2, at + 4, String(len), 'RFC 7296 §3.13.1'),
                leaf('Start Port', at + 4, at + 6, String(u16(b, at + 4)), 'RFC 7296 §3.13.1'),
                leaf('End Port', at + 6, at + 8, String(u16(b, at + 6)), 'RFC 7296 §3.13.1'),
                leaf('Starting Address', at + 8, at + 12, dotted(b, at + 8), 'RFC 7296 §3.13.1'),
                leaf('Ending Address', at + 12, at + 16, dotted(b, at + 12), 'RFC 7296 §3.13.1'),
              ]
            : [leaf('Selector', at, at + len, short(b, at, at + len), 'RFC 7296 §3.13.1')];
        out.push(
          group(
            `Traffic Selector ${i + 1}`,
            at,
            at + len,
            sub,
            'RFC 7296 §3.13.1',
            len === 16 ? `${dotted(b, at + 8)}–${dotted(b, at + 12)}` : undefined,
          ),
        );
        at += len;
      }
      return out;
    }
    case 'CP': {
      const out = [
        leaf('CFG Type', s, s + 1, String(p.cfgType), ref),
        leaf('Reserved', s + 1, s + 4, hex(b, s + 1, s + 4), ref),
      ];
      let at = s + 4;
      for (let i = 0; at + 4 <= e && i < 255; i++) {
        const len = u16(b, at + 2);
        if (at + 4 + len > e) break;
        const a = p.attributes[i];
        const val = len === 4 ? dotted(b, at + 4) : len === 0 ? '(requested)' : short(b, at + 4, at + 4 + len);
        out.push(
          group(
            `Attribute ${a?.kind ?? u16(b, at) & 0x7fff}`,
            at,
            at + 4 + len,
            [
              leaf('Attribute Type', at, at + 2, String(u16(b, at) & 0x7fff), 'RFC 7296 §3.15.1'),
              leaf('Length', at + 2, at + 4, String(len), 'RFC 7296 §3.15.1'),
              ...(len > 0 ? [leaf('Value', at + 4, at + 4 + len, val, 'RFC 7296 §3.15.1')] : []),
            ],
            'RFC 7296 §3.15.1',
            val,
          ),
        );
        at += 4 + len;
      }
      return out;
    }
    case 'DHCP':
      return [
        leaf('Packet Type', s, s + 1, `${u8(b, s)}${u8(b, s) === 1 ? ' (DHCPv4)' : ''}`, ref),
        u8(b, s) === 1
          ? dhcpLayer(b, s + 1, e, 'DHCP message (inside IKE)')
          : leaf('Configuration Packet', s + 1, e, short(b, s + 1, e), ref),
      ];
    case 'SK':
      return skBody(b, s, e, p.suite, p.payloads, nextField, response, how);
    case 'SK-opaque':
      return [opaque('Encrypted', s, e, 'no modelled suite opens it')];
    default:
      return [leaf('Data', s, e, short(b, s, e), ref)];
  }
}

function skBody(
  b: Bytes,
  s: number,
  e: number,
  suiteName: CipherSuiteName,
  inner: readonly IkePayload[],
  firstType: number,
  response: boolean,
  how: string,
): FieldNode[] {
  const suite = CIPHER_SUITES[suiteName];
  const ref = 'RFC 7296 §3.14';
  const ivEnd = s + suite.ivBytes;
  const icvStart = e - suite.icvBytes;
  const padLength = u8(b, icvStart - 1);
  const plainEnd = icvStart - 1 - padLength;
  return [
    leaf('Initialization Vector', s, ivEnd, short(b, s, ivEnd), ref),
    group(
      `Encrypted payloads (${suiteName}, ${how})`,
      ivEnd,
      plainEnd,
      ikeChain(b, ivEnd, plainEnd, firstType, inner, response, how),
      ref,
    ),
    leaf('Padding', plainEnd, icvStart - 1, `${padLength} bytes`, ref),
    leaf('Pad Length', icvStart - 1, icvStart, String(padLength), ref),
    leaf('Integrity Checksum Data', icvStart, e, short(b, icvStart, e), ref),
  ];
}

function saProposals(b: Bytes, s: number, e: number): FieldNode[] {
  const ref = 'RFC 7296 §3.3.1';
  const out: FieldNode[] = [];
  let at = s;
  for (let i = 0; at + 8 <= e && i < 64; i++) {
    const len = u16(b, at + 2);
    if (len < 8 || at + len > e) break;
    const spiSize = u8(b, at + 6);
    const count = u8(b, at + 7);
    const fields: FieldNode[] = [
      leaf('Last Substruc', at, at + 1, u8(b, at) === 0 ? '0 (last)' : '2 (more)', ref),
      leaf('Proposal Length', at + 2, at + 4, String(len), ref),
      leaf('Proposal Num', at + 4, at + 5, String(u8(b, at + 4)), ref),
      leaf('Protocol ID', at + 5, at + 6, `${u8(b, at + 5)} (${['', 'IKE', 'AH', 'ESP'][u8(b, at + 5)] ?? '?'})`, ref),
      leaf('SPI Size', at + 6, at + 7, String(spiSize), ref),
      leaf('Num Transforms', at + 7, at + 8, String(count), ref),
    ];
    if (spiSize > 0) fields.push(leaf('SPI', at + 8, at + 8 + spiSize, hex(b, at + 8, at + 8 + spiSize), ref));
    let t = at + 8 + spiSize;
    const TYPES = ['', 'ENCR', 'PRF', 'INTEG', 'DH', 'ESN'];
    for (let k = 0; k < count && t + 8 <= at + len; k++) {
      const tl = u16(b, t + 2);
      if (tl < 8 || t + tl > at + len) break;
      const tType = TYPES[u8(b, t + 4)] ?? String(u8(b, t + 4));
      fields.push(
        group(
          `Transform ${tType}`,
          t,
          t + tl,
          [
            leaf('Transform Type', t + 4, t + 5, `${u8(b, t + 4)} (${tType})`, 'RFC 7296 §3.3.2'),
            leaf('Transform ID', t + 6, t + 8, String(u16(b, t + 6)), 'RFC 7296 §3.3.2'),
            ...(tl > 8
              ? [
                  leaf(
                    'Attributes',
                    t + 8,
                    t + tl,
                    tl === 12 && (u16(b, t + 8) & 0x7fff) === 14
                      ? `Key Length ${u16(b, t + 10)}`
                      : short(b, t + 8, t + tl),
                    'RFC 7296 §3.3.5',
                  ),
                ]
              : []),
          ],
          'RFC 7296 §3.3.2',
          `${tType} ${u16(b, t + 6)}`,
        ),
      );
      t += tl;
    }
    out.push(group(`Proposal ${u8(b, at + 4)}`, at, at + len, fields, ref));
    at += len;
  }
  return out;
}

// ---- DHCP -----------------------------------------------------------------------------------------------------

const DHCP_TYPES = ['', 'DISCOVER', 'OFFER', 'REQUEST', 'DECLINE', 'ACK', 'NAK', 'RELEASE', 'INFORM'];

const OPTION_INFO: Record<number, [string, string]> = {
  1: ['Subnet Mask', 'RFC 2132 §3.3'],
  3: ['Router', 'RFC 2132 §3.5'],
  6: ['Domain Name Server', 'RFC 2132 §3.8'],
  12: ['Host Name', 'RFC 2132 §3.14'],
  15: ['Domain Name', 'RFC 2132 §3.17'],
  50: ['Requested IP Address', 'RFC 2132 §9.1'],
  51: ['IP Address Lease Time', 'RFC 2132 §9.2'],
  52: ['Option Overload', 'RFC 2132 §9.3'],
  53: ['DHCP Message Type', 'RFC 2132 §9.6'],
  54: ['Server Identifier', 'RFC 2132 §9.7'],
  55: ['Parameter Request List', 'RFC 2132 §9.8'],
  57: ['Maximum DHCP Message Size', 'RFC 2132 §9.10'],
  58: ['Renewal (T1) Time', 'RFC 2132 §9.11'],
  59: ['Rebinding (T2) Time', 'RFC 2132 §9.12'],
  61: ['Client-identifier', 'RFC 2132 §9.14'],
  82: ['Relay Agent Information', 'RFC 3046 §2.0'],
};

const SUB_OPTIONS: Record<number, [string, string]> = {
  1: ['Agent Circuit ID', 'RFC 3046 §3.1'],
  2: ['Agent Remote ID', 'RFC 3046 §3.2'],
  5: ['Link Selection', 'RFC 3527 §3'],
  11: ['Server Identifier Override', 'RFC 5107 §4'],
};

function describe(value: object): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k === 'kind') continue;
    if (v instanceof Uint8Array) parts.push(printable(v));
    else if (Array.isArray(v))
      parts.push(v.map((x) => (typeof x === 'object' && x !== null ? describe(x as object) : String(x))).join(', '));
    else parts.push(String(v));
  }
  return parts.join(' ');
}

function printable(v: Uint8Array): string {
  const ok = v.length > 0 && v.every((c) => c >= 0x20 && c < 0x7f);
  return ok ? JSON.stringify(String.fromCharCode(...v)) : hex(v, 0, v.length) || '(empty)';
}

export function dhcpLayer(b: Bytes, at: number, end: number, label: string): FieldNode {
  const ref = 'RFC 2131 §2';
  const parsedMsg = parseDhcpMessage(b.subarray(0, end), at, end);
  if (end - at < 240)
    return opaque(label, at, end, parsedMsg.ok ? 'too short' : `${parsedMsg.error.field}: ${parsedMsg.error.reason}`);
  const f = (name: string, off: number, len: number, value: string): FieldNode =>
    leaf(name, at + off, at + off + len, value, ref);
  const children: FieldNode[] = [
    f('op', 0, 1, u8(b, at) === 1 ? '1 (BOOTREQUEST)' : '2 (BOOTREPLY)'),
    f(
      'htype',
      1,
      1,
      `${u8(b, at + 1)}${u8(b, at + 1) === 31 ? ' (IPsec tunnel)' : u8(b, at + 1) === 1 ? ' (Ethernet)' : ''}`,
    ),
    f('hlen', 2, 1, String(u8(b, at + 2))),
    f('hops', 3, 1, String(u8(b, at + 3))),
    f('xid', 4, 4, `0x${hex(b, at + 4, at + 8)}`),
    f('secs', 8, 2, String(u16(b, at + 8))),
    f('flags', 10, 2, u16(b, at + 10) & 0x8000 ? 'BROADCAST' : '0'),
    f('ciaddr', 12, 4, dotted(b, at + 12)),
    f('yiaddr', 16, 4, dotted(b, at + 16)),
    f('siaddr', 20, 4, dotted(b, at + 20)),
    f('giaddr', 24, 4, dotted(b, at + 24)),
    f('chaddr', 28, 16, hex(b, at + 28, at + 28 + Math.min(16, u8(b, at + 2) || 16))),
    f('sname', 44, 64, b.subarray(at + 44, at + 108).every((x) => x === 0) ? '(empty)' : short(b, at + 44, at + 108)),
    f(
      'file',
      108,
      128,
      b.subarray(at + 108, at + 236).every((x) => x === 0) ? '(empty)' : short(b, at + 108, at + 236),
    ),
    leaf('magic cookie', at + 236, at + 240, `0x${hex(b, at + 236, at + 240)}`, 'RFC 2131 §3'),
  ];
  const options: FieldNode[] = [];
  let o = at + 240;
  let type = '';
  while (o < end && options.length < 256) {
    const code = u8(b, o);
    if (code === 0) {
      options.push(leaf('Pad', o, o + 1, '0', 'RFC 2132 §3.1'));
      o++;
      continue;
    }
    if (code === 255) {
      options.push(leaf('End', o, o + 1, '255', 'RFC 2132 §3.2'));
      o++;
      break;
    }
    const len = u8(b, o + 1);
    if (o + 2 + len > end) {
      options.push(opaque(`Option ${code}`, o, end, `length ${len} runs past the message`));
      o = end;
      break;
    }
    const data = b.subarray(o + 2, o + 2 + len);
    const [name, oref] = OPTION_INFO[code] ?? [`Option ${code}`, 'RFC 2132'];
    const value = decodeDhcpOption(code, data);
    const text =
      value.kind === 'messageType' ? `${value.type} (DHCP${DHCP_TYPES[value.type] ?? '?'})` : describe(value);
    if (value.kind === 'messageType') type = `DHCP${DHCP_TYPES[value.type] ?? '?'}`;
    const parts: FieldNode[] = [
      leaf('Code', o, o + 1, String(code), oref),
      leaf('Length', o + 1, o + 2, String(len), oref),
    ];
    if (code === 82) parts.push(...relaySubOptions(b, o + 2, o + 2 + len));
    else if (len > 0) parts.push(leaf('Value', o + 2, o + 2 + len, text, oref));
    options.push(group(`${code} ${name}`, o, o + 2 + len, parts, oref, code === 82 ? undefined : text));
    o += 2 + len;
  }
  children.push(group('Options', at + 240, o, options, 'RFC 2132'));
  if (o < end) children.push(leaf('Padding after End', o, end, `${end - o} bytes`, 'RFC 2131 §2'));
  return group(label, at, end, children, ref, type || undefined);
}

function relaySubOptions(b: Bytes, s: number, e: number): FieldNode[] {
  const out: FieldNode[] = [];
  let at = s;
  while (at + 2 <= e && out.length < 64) {
    const code = u8(b, at);
    const len = u8(b, at + 1);
    if (at + 2 + len > e) break;
    const [name, ref] = SUB_OPTIONS[code] ?? [`Sub-option ${code}`, 'RFC 3046 §2.0'];
    const v =
      len === 4 && (code === 5 || code === 11) ? dotted(b, at + 2) : printable(b.subarray(at + 2, at + 2 + len));
    out.push(
      group(
        `${code} ${name}`,
        at,
        at + 2 + len,
        [
          leaf('SubOpt', at, at + 1, String(code), 'RFC 3046 §2.0'),
          leaf('Len', at + 1, at + 2, String(len), 'RFC 3046 §2.0'),
          ...(len > 0 ? [leaf('Value', at + 2, at + 2 + len, v, ref)] : []),
        ],
        ref,
        v,
      ),
    );
    at += 2 + len;
  }
  return out;
}

/** Depth-first list of nodes, for lookups by range in the UI and for tests. */
export function flattenFields(
  nodes: readonly FieldNode[],
  depth = 0,
  out: { node: FieldNode; depth: number }[] = [],
): { node: FieldNode; depth: number }[] {
  for (const n of nodes) {
    out.push({ node: n, depth });
    if (n.children) flattenFields(n.children, depth + 1, out);
  }
  return out;
}
