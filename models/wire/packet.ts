/**
 * The layered packet the simulated nodes send: IPv4 → UDP → DHCP (ports 67/68), IKE (500, or 4500 after the
 * non-ESP marker, RFC 3948 §2.2), ESP-in-UDP (4500, RFC 3948 §2.1), NAT keepalive (4500, one 0xFF byte, RFC 3948
 * §2.3), or raw; IPv4 → ESP (RFC 4303) → (modelled decryption) → inner IPv4 packet (tunnel mode, Next Header 4).
 * `packetCodec` is what nodes use as their PacketCodec (models/contract.ts).
 */
import type { PacketCodec } from '../contract.ts';
import {
  CIPHER_SUITES,
  ESP_TAG_BYTES,
  minPadBytes,
  sealModelledEspInPlace,
  type CipherSuiteName,
  type CryptoModel,
} from './crypto-suite.ts';
import { boundCrypto } from './crypto/bound-crypto.ts';
import { rememberReceivedIkeBytes } from './ike/received-bytes.ts';
import type { DirectionKeys } from './crypto/ike-keys.ts';
import type { EspSaKeyEntry, IkeSaKeyEntry, SaKeyLookup } from './crypto/sa-key-store.ts';
import {
  parseDhcpMessage,
  dhcpMessageLength,
  emitDhcpMessageInto,
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
} from './dhcp/codec.ts';
import type { DhcpMessage } from './dhcp/types.ts';
import { summarizeDhcpMessage } from './dhcp/summary.ts';
import {
  ALL_SUITE_NAMES,
  emitEspInto,
  ESP_HEADER_BYTES,
  espLength,
  openEsp,
  parseEsp,
  sealEsp,
  writeEspHeaderInto,
  type EspPacket,
  type EspSealedView,
} from './esp.ts';
import {
  emitIkeMessageInto,
  emitIkeMessageOfLengthInto,
  ikeMessageLength,
  modelledIkeCrypto,
  parseIkeMessage,
  summarizeIkeMessage,
  type IkeCodecOptions,
  type IkeMessage,
} from './ike/index.ts';
import {
  emitIpv4HeaderWithAddressesInto,
  IpProtocol,
  ipv4HeaderLength,
  NO_IPV4_OPTIONS,
  ipv4HeaderAt,
  ipv4HeaderBytesAt,
  ipv4HeaderError,
  ipv4TotalLengthAt,
  type Ipv4Header,
} from './ipv4.ts';
import { decodeError, emitError, formatDecodeError, parsed, WireEmitError, type ParseResult } from './result.ts';
import { copyInto, hexOfRange, readU16, readU32, zeroRange } from './bytes.ts';
import { parseIpv4U32 } from './ipv4-address.ts';
import { packetBuffer } from './packet-buffer.ts';
import {
  udpChecksumAt,
  udpHeaderError,
  UDP_HEADER_BYTES,
  udpPseudoAddressSum,
  writeUdpHeaderInto,
  type UdpChecksum,
  type UdpParseOptions,
} from './udp.ts';

export const IKE_PORT = 500;
export const IKE_NAT_T_PORT = 4500;
/** RFC 3948 §2.2: four zero octets where ESP would have its SPI. */
export const NON_ESP_MARKER_BYTES = 4;

/** ESP as the wire shows it (really encrypted or not openable), or opened with the modelled crypto. */
export type EspLayer =
  | { readonly kind: 'esp'; readonly esp: EspPacket }
  | {
      readonly kind: 'esp-sealed';
      readonly spi: number;
      readonly sequence: number;
      readonly suite: CipherSuiteName;
      /** 4 = IPv4 (tunnel mode). */
      readonly nextHeader: number;
      /** Padding beyond the minimum for the suite (a multiple of its alignment); absent = minimal (RFC 4303 §2.4). */
      readonly extraPadBytes?: number;
      readonly inner: EspInner;
      /** The sender's SA key (modelled): emit writes the keyed ICV tag (crypto-suite.ts, RFC 4303 §3.4.4). */
      readonly integrityKey?: number;
      /** The keyed ICV tag as parsed (absent: the keyless bytes); re-emitted as is when there is no key. */
      readonly icvTag?: number;
    };

export type EspInner =
  { readonly kind: 'packet'; readonly packet: Packet } | { readonly kind: 'raw'; readonly data: Uint8Array };

export type UdpApp =
  | { readonly kind: 'dhcp'; readonly message: DhcpMessage }
  | { readonly kind: 'ike'; readonly nonEspMarker: boolean; readonly message: IkeMessage }
  | EspLayer
  | { readonly kind: 'natKeepalive' }
  | { readonly kind: 'raw'; readonly data: Uint8Array };

export type PacketPayload =
  | {
      readonly kind: 'udp';
      readonly srcPort: number;
      readonly dstPort: number;
      readonly checksum: UdpChecksum;
      readonly app: UdpApp;
    }
  | EspLayer
  | { readonly kind: 'raw'; readonly data: Uint8Array };

export interface Packet {
  /** `protocol` must agree with the payload: 17 for udp, 50 for esp. */
  readonly ip: Ipv4Header;
  readonly payload: PacketPayload;
}

export interface PacketCodecOptions {
  /** For IKE: the DHCP payload type number (and, if given, a fixed crypto context instead of the modelled suites). */
  readonly ike?: IkeCodecOptions;
  /** Suites tried, in order, to open ESP and IKE SK with the modelled crypto. Default: all four. */
  readonly suites?: readonly CipherSuiteName[];
  readonly udp?: UdpParseOptions;
  /**
   * The node's SA keys (real crypto): SK payloads and ESP are sealed and opened with them, by SPI, and with nothing
   * else — what has no entry stays opaque (RFC 7296 §2.21.2, RFC 4303 §3.4.4: it cannot be verified). Absent: the
   * modelled crypto.
   */
  readonly keys?: SaKeyLookup;
}

/** The bound models of a key entry, built once per entry (and direction) rather than per packet. */
const boundModels = new WeakMap<DirectionKeys, CryptoModel>();
function bound(keys: DirectionKeys, ivSecret: Uint8Array): CryptoModel {
  let model = boundModels.get(keys);
  if (model === undefined) {
    model = boundCrypto(keys, ivSecret);
    boundModels.set(keys, model);
  }
  return model;
}

/** The IKE codec options that seal or open one IKE SA's SK in one direction (the I flag picks SK_ei/SK_er). */
function ikeKeyedOptions(ike: IkeCodecOptions | undefined, entry: IkeSaKeyEntry, initiator: boolean): IkeCodecOptions {
  const keys = initiator ? entry.initiator : entry.responder;
  return { ...ike, crypto: { suite: entry.suite, model: bound(keys, entry.ivSecret) } };
}

function espModel(entry: EspSaKeyEntry): CryptoModel {
  return bound(entry.keys, entry.ivSecret);
}

function hasSk(m: IkeMessage): boolean {
  for (const p of m.payloads) if (p.kind === 'SK') return true;
  return false;
}

/** The options that emit `m`: with the node's keys for its IKE SA when it carries SK and the keys are known. */
function ikeEmitOptions(m: IkeMessage, o: PacketCodecOptions): IkeCodecOptions | undefined {
  if (o.keys === undefined || !hasSk(m)) return o.ike;
  const entry = o.keys.ike(m.spiI, m.spiR);
  return entry === undefined ? o.ike : ikeKeyedOptions(o.ike, entry, m.initiator);
}

// ---------------------------------------------------------------------------------------------------------------
// Length

function espLayerLength(l: EspLayer, o: PacketCodecOptions): number {
  if (l.kind === 'esp') return espLength(l.esp);
  const suite = CIPHER_SUITES[l.suite];
  const plain = l.inner.kind === 'packet' ? packetLength(l.inner.packet, o) : l.inner.data.length;
  const pad = minPadBytes(suite, plain, 'esp') + (l.extraPadBytes ?? 0);
  return ESP_HEADER_BYTES + suite.ivBytes + plain + pad + 2 + suite.icvBytes;
}

function udpAppLength(app: UdpApp, o: PacketCodecOptions): number {
  switch (app.kind) {
    case 'dhcp':
      return dhcpMessageLength(app.message);
    case 'ike':
      return (app.nonEspMarker ? NON_ESP_MARKER_BYTES : 0) + ikeMessageLength(app.message, o.ike);
    case 'natKeepalive':
      return 1;
    case 'raw':
      return app.data.length;
    default:
      return espLayerLength(app, o);
  }
}

function payloadLength(p: PacketPayload, o: PacketCodecOptions): number {
  switch (p.kind) {
    case 'udp':
      return UDP_HEADER_BYTES + udpAppLength(p.app, o);
    case 'raw':
      return p.data.length;
    default:
      return espLayerLength(p, o);
  }
}

/** The default codec options, one shared value (a `{}` default is a new object on every call). */
const NO_OPTIONS: PacketCodecOptions = Object.freeze({});
const NO_UDP_OPTIONS: UdpParseOptions = Object.freeze({});

export function packetLength(p: Packet, o: PacketCodecOptions = NO_OPTIONS): number {
  return ipv4HeaderLength(p.ip) + payloadLength(p.payload, o);
}

// ---------------------------------------------------------------------------------------------------------------
// Emit

/** Throws unless `extra` (an ESP layer's padding beyond the minimum) is a non-negative multiple of `align`. */
function checkExtraPadBytes(extra: number, align: number): void {
  if (!Number.isInteger(extra) || extra < 0 || extra % align !== 0) {
    throw new WireEmitError('esp.extraPadBytes', `must be a non-negative multiple of ${align}, got ${String(extra)}`);
  }
}

/**
 * Writes an ESP layer at `buffer[at]`, returns its length. With the modelled crypto (no keys for the SA) the inner
 * packet is emitted straight into its place in the output and sealed there (sealModelledEspInPlace), byte-identical to
 * sealing it apart and copying; an opaque layer, or an SA with real keys, takes the general path.
 */
function emitEspLayerInto(l: EspLayer, buffer: Uint8Array, at: number, o: PacketCodecOptions): number {
  if (l.kind === 'esp' || o.keys?.espOut(l.spi) !== undefined) return emitEspInto(sealEspLayer(l, o), buffer, at);
  const suite = CIPHER_SUITES[l.suite];
  const bodyStart = at + ESP_HEADER_BYTES + suite.ivBytes;
  let plaintextBytes: number;
  if (l.inner.kind === 'packet') plaintextBytes = emitPacketOfLengthInto(l.inner.packet, -1, buffer, bodyStart, o);
  else {
    copyInto(buffer, bodyStart, l.inner.data);
    plaintextBytes = l.inner.data.length;
  }
  const extra = l.extraPadBytes ?? 0;
  checkExtraPadBytes(extra, Math.max(4, suite.blockBytes));
  writeEspHeaderInto(l.spi, l.sequence, buffer, at);
  const padBytes = minPadBytes(suite, plaintextBytes, 'esp') + extra;
  const end = sealModelledEspInPlace(
    suite,
    buffer,
    at,
    bodyStart,
    bodyStart + plaintextBytes,
    padBytes,
    l.nextHeader,
    l.integrityKey,
    l.icvTag,
  );
  return end - at;
}

function sealEspLayer(l: EspLayer, o: PacketCodecOptions): EspPacket {
  if (l.kind === 'esp') return l.esp;
  const plaintext = l.inner.kind === 'packet' ? emitPacket(l.inner.packet, o) : l.inner.data;
  const suite = CIPHER_SUITES[l.suite];
  const extra = l.extraPadBytes ?? 0;
  const align = Math.max(4, suite.blockBytes);
  checkExtraPadBytes(extra, align);
  const padBytes = minPadBytes(suite, plaintext.length, 'esp') + extra;
  const padding = Uint8Array.from({ length: padBytes }, (_, i) => (i + 1) & 0xff);
  const entry = o.keys?.espOut(l.spi);
  if (entry !== undefined) {
    return sealEsp(
      { spi: l.spi, sequence: l.sequence, suite: l.suite, nextHeader: l.nextHeader, plaintext, padding },
      espModel(entry),
    );
  }
  return sealEsp(
    {
      spi: l.spi,
      sequence: l.sequence,
      suite: l.suite,
      nextHeader: l.nextHeader,
      plaintext,
      padding,
      ...(l.icvTag === undefined ? {} : { icvTag: l.icvTag }),
    },
    undefined,
    l.integrityKey,
  );
}

/**
 * RFC 4303 §3.4.4 for a parsed ESP layer: does its keyed ICV tag verify under the SA's key? (Re-seals the layer with
 * the key, which the modelled crypto makes byte-identical apart from the tag, and compares the tags.)
 */
export function espLayerIntegrityValid(l: EspLayer, integrityKey: number, o: PacketCodecOptions = {}): boolean {
  if (l.kind === 'esp') return false;
  if (o.keys?.espOut(l.spi) !== undefined) return l.icvTag === tagOf(sealEspLayer({ ...l, integrityKey }, o));
  // The modelled layer is re-sealed into a scratch buffer (no allocation per received packet); its tag ends it.
  const n = espLayerLength(l, o);
  if (resealScratch.length < n) resealScratch = new Uint8Array(Math.max(n, 2 * resealScratch.length));
  const end = emitEspLayerInto({ ...l, integrityKey }, resealScratch, 0, o);
  return l.icvTag === readU32(resealScratch, end - ESP_TAG_BYTES) >>> 0;
}

/** Scratch for espLayerIntegrityValid's re-seal, grown to the largest layer checked. */
let resealScratch = new Uint8Array(2048);

function tagOf(p: EspPacket): number {
  const d = p.data;
  const at = d.length - ESP_TAG_BYTES;
  return (((d[at] ?? 0) << 24) | ((d[at + 1] ?? 0) << 16) | ((d[at + 2] ?? 0) << 8) | (d[at + 3] ?? 0)) >>> 0;
}

/** `appBytes`: the application's length when the caller computed it (emitPacket sizes the datagram first), else -1. */
function emitUdpAppInto(app: UdpApp, buffer: Uint8Array, at: number, o: PacketCodecOptions, appBytes: number): number {
  switch (app.kind) {
    case 'dhcp':
      return emitDhcpMessageInto(app.message, buffer, at);
    case 'ike': {
      let n = 0;
      if (app.nonEspMarker) {
        zeroRange(buffer, at, at + NON_ESP_MARKER_BYTES);
        n = NON_ESP_MARKER_BYTES;
      }
      const ike = ikeEmitOptions(app.message, o);
      if (appBytes < 0) return n + emitIkeMessageInto(app.message, buffer, at + n, ike);
      return n + emitIkeMessageOfLengthInto(app.message, appBytes - n, buffer, at + n, ike);
    }
    case 'natKeepalive':
      buffer[at] = 0xff;
      return 1;
    case 'raw':
      buffer.set(app.data, at);
      return app.data.length;
    default:
      return emitEspLayerInto(app, buffer, at, o);
  }
}

/** The IPv4 protocol a payload kind requires (null: any); a switch, not a keyed load per packet. */
function expectedProtocol(kind: PacketPayload['kind']): number | null {
  switch (kind) {
    case 'udp':
      return IpProtocol.UDP;
    case 'esp':
    case 'esp-sealed':
      return IpProtocol.ESP;
    case 'raw':
      return null;
  }
}

export function emitPacketInto(
  p: Packet,
  buffer: Uint8Array,
  offset: number,
  o: PacketCodecOptions = NO_OPTIONS,
): number {
  return emitPacketOfLengthInto(p, -1, buffer, offset, o);
}

/** `emitPacketInto` knowing `totalBytes = packetLength(p, o)` (or -1): the inner lengths are not computed again. */
function emitPacketOfLengthInto(
  p: Packet,
  totalBytes: number,
  buffer: Uint8Array,
  offset: number,
  o: PacketCodecOptions,
): number {
  const expected = expectedProtocol(p.payload.kind);
  if (expected !== null && p.ip.protocol !== expected) {
    throw new WireEmitError(
      'ipv4.protocol',
      `${p.ip.protocol} does not match a ${p.payload.kind} payload (${expected})`,
    );
  }
  const headerBytes = ipv4HeaderLength(p.ip);
  const at = offset + headerBytes;
  const { payload } = p;
  let written: number;
  let srcU32 = -1;
  let dstU32 = -1;
  if (payload.kind === 'udp') {
    const known = totalBytes < 0 ? -1 : totalBytes - headerBytes - UDP_HEADER_BYTES;
    const appBytes = emitUdpAppInto(payload.app, buffer, at + UDP_HEADER_BYTES, o, known);
    written = UDP_HEADER_BYTES + appBytes;
    if (written > 0xffff) throw emitError('udp.length', written, ' bytes exceeds 65535');
    // The checksum covers the payload just written. The addresses are parsed once for it and the IPv4 header; when
    // either is not a dotted quad the string path runs and throws the error it always did.
    srcU32 = parseIpv4U32(p.ip.src);
    dstU32 = parseIpv4U32(p.ip.dst);
    const pseudo = srcU32 < 0 || dstU32 < 0 ? p.ip : udpPseudoAddressSum(srcU32, dstU32);
    writeUdpHeaderInto(payload.srcPort, payload.dstPort, payload.checksum, written, pseudo, buffer, at);
  } else if (payload.kind === 'raw') {
    buffer.set(payload.data, at);
    written = payload.data.length;
  } else {
    written = emitEspLayerInto(payload, buffer, at, o);
  }
  emitIpv4HeaderWithAddressesInto(p.ip, written, buffer, offset, srcU32, dstU32);
  return headerBytes + written;
}

export function emitPacket(p: Packet, o: PacketCodecOptions = NO_OPTIONS): Uint8Array {
  const out = packetBuffer(packetLength(p, o));
  const n = emitPacketOfLengthInto(p, out.length, out, 0, o);
  if (n !== out.length) throw emitError('packet', 'wrote ', n, ' bytes, computed ', out.length);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Parse

function prefixed<T>(r: ParseResult<T> & { ok: false }, offsetShift: number, prefix = ''): ParseResult<never> {
  return decodeError(`${prefix}${r.error.field}`, r.error.offset + offsetShift, r.error.reason);
}

/** Does the message carry an SK payload that was not opened (no keys for its SA, or a failed ICV)? */
export function hasOpaqueSk(m: IkeMessage): boolean {
  for (const p of m.payloads) if (p.kind === 'SK-opaque') return true;
  return false;
}

/** `{ ...o.ike, crypto: modelledIkeCrypto(suite) }`, built once per (options, suite) instead of per message. */
const openOptionsCache = new WeakMap<object, Map<CipherSuiteName, IkeCodecOptions>>();
const defaultOpenOptions = new Map<CipherSuiteName, IkeCodecOptions>();
function openOptions(ike: IkeCodecOptions | undefined, suite: CipherSuiteName): IkeCodecOptions {
  let bySuite = ike === undefined ? defaultOpenOptions : openOptionsCache.get(ike);
  if (bySuite === undefined) {
    bySuite = new Map();
    openOptionsCache.set(ike as IkeCodecOptions, bySuite);
  }
  let options = bySuite.get(suite);
  if (options === undefined) {
    options = { ...ike, crypto: modelledIkeCrypto(suite) };
    bySuite.set(suite, options);
  }
  return options;
}

/** RFC 7296 §3.2: payload type 46 is Encrypted and Authenticated (SK); the header's Next Payload is at byte 16. */
const IKE_PAYLOAD_SK = 46;
/** RFC 7296 §3.1 Exchange Type of IKE_SA_INIT. */
const IKE_SA_INIT = 34;
const IKE_NEXT_PAYLOAD_OFFSET = 16;

/**
 * Parses IKE. When the message starts with an SK payload, tries the modelled suites first (the modelled ICV names its
 * suite, so at most one opens it) and falls back to an opaque SK (really encrypted traffic, e.g. a capture).
 */
function parseIke(bytes: Uint8Array, at: number, o: PacketCodecOptions): ParseResult<IkeMessage> {
  if (o.keys !== undefined) return parseIkeWithKeys(bytes, at, o, o.keys);
  if (o.ike?.crypto === undefined && bytes[at + IKE_NEXT_PAYLOAD_OFFSET] === IKE_PAYLOAD_SK) {
    const suites = o.suites ?? ALL_SUITE_NAMES;
    for (let i = -1; i < suites.length; i += 1) {
      const suite = i < 0 ? lastOpened.ike : suites[i];
      if (suite === undefined || (i >= 0 && suite === lastOpened.ike) || !suites.includes(suite)) continue;
      const opened = parseIkeMessage(bytes, at, openOptions(o.ike, suite));
      if (opened.ok && !hasOpaqueSk(opened.value)) {
        lastOpened.ike = suite;
        return opened;
      }
    }
  }
  return parseIkeMessage(bytes, at, o.ike);
}

/** RFC 7296 §3.1: the SPIs are the header's first 16 bytes, the I flag is bit 3 of the Flags octet (byte 19). */
const IKE_FLAGS_OFFSET = 19;
const IKE_FLAG_INITIATOR = 0x08;

/** Real crypto: the SK payload opens with the keys of the IKE SA the header names, or stays opaque. */
function parseIkeWithKeys(
  bytes: Uint8Array,
  at: number,
  o: PacketCodecOptions,
  keys: SaKeyLookup,
): ParseResult<IkeMessage> {
  if (bytes.length < at + 28) return parseIkeMessage(bytes, at, o.ike);
  const entry = keys.ike(hexOfRange(bytes, at, at + 8), hexOfRange(bytes, at + 8, at + 16));
  if (entry === undefined) return parseIkeMessage(bytes, at, o.ike);
  const initiator = ((bytes[at + IKE_FLAGS_OFFSET] as number) & IKE_FLAG_INITIATOR) !== 0;
  return parseIkeMessage(bytes, at, ikeKeyedOptions(o.ike, entry, initiator));
}

/**
 * The suite that opened the last SK payload and ESP packet, tried first: a run uses one suite, and trying the others
 * first cost up to three full parses per message. At most one suite opens a modelled message (its ICV names the
 * suite), so the order changes the cost, never the result.
 */
const lastOpened: { ike: CipherSuiteName | undefined; esp: CipherSuiteName | undefined } = {
  ike: undefined,
  esp: undefined,
};

function parseEspLayer(bytes: Uint8Array, at: number, end: number, o: PacketCodecOptions): ParseResult<EspLayer> {
  const esp = parseEsp(bytes, at, end);
  if (!esp.ok) return esp;
  const opaque = parsed<EspLayer>({ kind: 'esp', esp: esp.value }, end - at);
  if (o.keys !== undefined) {
    // Real crypto: ESP opens with our inbound SA's keys (RFC 4303 §3.4.2 SA lookup by SPI), or stays opaque.
    const entry = o.keys.espIn(esp.value.spi);
    if (entry === undefined) return opaque;
    const opened = openEsp(esp.value, entry.suite.name, espModel(entry));
    return (opened.ok ? sealedLayer(opened.value, at, end, o) : null) ?? opaque;
  }
  const suites = o.suites ?? ALL_SUITE_NAMES;
  for (let i = -1; i < suites.length; i += 1) {
    const suiteName = i < 0 ? lastOpened.esp : suites[i];
    if (suiteName === undefined || (i >= 0 && suiteName === lastOpened.esp) || !suites.includes(suiteName)) continue;
    const opened = openEsp(esp.value, suiteName);
    if (!opened.ok) continue;
    lastOpened.esp = suiteName;
    return sealedLayer(opened.value, at, end, o) ?? opaque;
  }
  return opaque;
}

/** The layer of an opened ESP packet; null when its padding is not ours (kept opaque). */
function sealedLayer(
  view: EspSealedView,
  at: number,
  end: number,
  o: PacketCodecOptions,
): ParseResult<EspLayer> | null {
  const suite = CIPHER_SUITES[view.suite];
  const extra = view.padding.length - minPadBytes(suite, view.plaintext.length, 'esp');
  if (extra < 0) return null;
  let inner: EspInner = { kind: 'raw', data: view.plaintext };
  if (view.nextHeader === IpProtocol.IPV4) {
    const innerPacket = parsePacket(view.plaintext, o);
    if (!innerPacket.ok) return prefixed(innerPacket, at + ESP_HEADER_BYTES + suite.ivBytes, 'esp.inner.');
    inner = { kind: 'packet', packet: innerPacket.value };
  }
  const layer: EspLayer = {
    kind: 'esp-sealed',
    spi: view.spi,
    sequence: view.sequence,
    suite: view.suite,
    nextHeader: view.nextHeader,
    ...(extra > 0 ? { extraPadBytes: extra } : {}),
    inner,
    ...(view.icvTag === undefined ? {} : { icvTag: view.icvTag }),
  };
  return parsed(layer, end - at);
}

function parseUdpApp(
  bytes: Uint8Array,
  at: number,
  end: number,
  srcPort: number,
  dstPort: number,
  o: PacketCodecOptions,
): ParseResult<UdpApp> {
  const view = bytes.length === end ? bytes : bytes.subarray(0, end);
  if (
    srcPort === DHCP_SERVER_PORT ||
    dstPort === DHCP_SERVER_PORT ||
    srcPort === DHCP_CLIENT_PORT ||
    dstPort === DHCP_CLIENT_PORT
  ) {
    const m = parseDhcpMessage(view, at, end);
    return m.ok ? parsed({ kind: 'dhcp', message: m.value }, m.bytesRead) : m;
  }
  if (srcPort === IKE_NAT_T_PORT || dstPort === IKE_NAT_T_PORT) {
    if (end - at === 1 && bytes[at] === 0xff) return parsed({ kind: 'natKeepalive' }, 1);
    if (
      end - at >= NON_ESP_MARKER_BYTES &&
      bytes[at] === 0 &&
      bytes[at + 1] === 0 &&
      bytes[at + 2] === 0 &&
      bytes[at + 3] === 0
    ) {
      return wholeIke(view, o, parseIke(view, at + NON_ESP_MARKER_BYTES, o), at, at + NON_ESP_MARKER_BYTES, end, true);
    }
    return parseEspLayer(view, at, end, o);
  }
  if (srcPort === IKE_PORT || dstPort === IKE_PORT) return wholeIke(view, o, parseIke(view, at, o), at, at, end, false);
  return parsed({ kind: 'raw', data: bytes.slice(at, end) }, end - at);
}

/** The IKE message must fill the UDP payload `[at, end)` from `start` (after any non-ESP marker). */
function wholeIke(
  view: Uint8Array,
  o: PacketCodecOptions,
  r: ParseResult<IkeMessage>,
  at: number,
  start: number,
  end: number,
  nonEspMarker: boolean,
): ParseResult<UdpApp> {
  if (!r.ok) return r;
  if (start + r.bytesRead !== end)
    return decodeError('ike.length', start + 24, `${end - start - r.bytesRead} bytes after the IKE message`);
  // RFC 7296 §2.15: the real AUTH signs the IKE_SA_INIT messages as they were on the wire (ike/received-bytes.ts);
  // only a codec with keys (a real-crypto node) needs them, so the modelled hot path copies nothing.
  if (o.keys !== undefined && r.value.exchangeType === IKE_SA_INIT)
    rememberReceivedIkeBytes(r.value, view.slice(start, end));
  return parsed({ kind: 'ike', nonEspMarker, message: r.value }, end - at);
}

/** Parses an IPv4 packet filling `bytes` (trailing bytes after Total Length are an error: nodes send exact datagrams). */
export function parsePacket(bytes: Uint8Array, o: PacketCodecOptions = NO_OPTIONS): ParseResult<Packet> {
  // The header is checked, then read field by field (no view or result objects per packet: this runs per delivery).
  const ipError = ipv4HeaderError(bytes, 0);
  if (ipError !== null) return ipError;
  const totalLength = ipv4TotalLengthAt(bytes, 0);
  if (totalLength !== bytes.length) {
    return decodeError('ipv4.totalLength', 2, `${totalLength} but the datagram has ${bytes.length} bytes`);
  }
  const header = ipv4HeaderAt(bytes, 0);
  const at = ipv4HeaderBytesAt(bytes, 0);
  const end = totalLength;
  // A fragment's payload is not a whole transport datagram (RFC 791 §2.3): keep it raw.
  const fragment = (header.flags & 0x1) !== 0 || header.fragmentOffset !== 0;
  if (!fragment && header.protocol === IpProtocol.UDP) {
    const udpError = udpHeaderError(bytes, at);
    if (udpError !== null) return udpError;
    // The pseudo-header's addresses straight from the IPv4 header bytes (RFC 768), not re-parsed from the strings.
    const checksum = udpChecksumAt(
      bytes,
      at,
      udpPseudoAddressSum(readU32(bytes, 12), readU32(bytes, 16)),
      o.udp ?? NO_UDP_OPTIONS,
    );
    if (typeof checksum === 'object') return checksum;
    const length = readU16(bytes, at + 4);
    if (at + length !== end)
      return decodeError('udp.length', at + 4, `${length} but the IPv4 payload is ${end - at} bytes`);
    const srcPort = readU16(bytes, at);
    const dstPort = readU16(bytes, at + 2);
    const app = parseUdpApp(bytes, at + UDP_HEADER_BYTES, end, srcPort, dstPort, o);
    if (!app.ok) return app;
    return parsed({ ip: header, payload: { kind: 'udp', srcPort, dstPort, checksum, app: app.value } }, end);
  }
  if (!fragment && header.protocol === IpProtocol.ESP) {
    const esp = parseEspLayer(bytes, at, end, o);
    if (!esp.ok) return esp;
    return parsed({ ip: header, payload: esp.value }, end);
  }
  return parsed({ ip: header, payload: { kind: 'raw', data: bytes.slice(at, end) } }, end);
}

// ---------------------------------------------------------------------------------------------------------------
// Summary

function summarizeEsp(l: EspLayer): string {
  const spi = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
  if (l.kind === 'esp') return `ESP spi=${spi(l.esp.spi)} seq=${l.esp.sequence} (${l.esp.data.length} bytes encrypted)`;
  const inner =
    l.inner.kind === 'packet'
      ? summarizePacket(l.inner.packet)
      : `next-header ${l.nextHeader}, ${l.inner.data.length} bytes`;
  return `ESP spi=${spi(l.spi)} seq=${l.sequence} (${inner})`;
}

/** One line in RFC-diagram notation for the innermost readable layer. */
export function summarizePacket(p: Packet): string {
  const { payload } = p;
  switch (payload.kind) {
    case 'raw':
      return `IPv4 proto ${p.ip.protocol} (${payload.data.length} bytes)`;
    case 'esp':
    case 'esp-sealed':
      return summarizeEsp(payload);
    case 'udp': {
      const { app } = payload;
      switch (app.kind) {
        case 'dhcp':
          return summarizeDhcpMessage(app.message);
        case 'ike':
          return summarizeIkeMessage(app.message);
        case 'natKeepalive':
          return 'NAT-keepalive';
        case 'raw':
          return `UDP ${payload.srcPort} → ${payload.dstPort} (${app.data.length} bytes)`;
        default:
          return summarizeEsp(app);
      }
    }
  }
}

export function createPacketCodec(o: PacketCodecOptions = {}): PacketCodec<Packet> {
  return {
    decode: (bytes) => parsePacket(bytes, o),
    encode: (packet) => emitPacket(packet, o),
    summarize: summarizePacket,
  };
}

/** The nodes' codec: modelled crypto, the default DHCP payload type. */
export const packetCodec: PacketCodec<Packet> = createPacketCodec();

export { formatDecodeError };

// ---------------------------------------------------------------------------------------------------------------
// Builders

/** An IPv4 header with the lab's defaults: TTL 64, DF set (RFC 791), identification 0, no options. */
export function ipv4HeaderFor(src: string, dst: string, protocol: number, overrides?: Partial<Ipv4Header>): Ipv4Header {
  // Every packet a node sends is built here: one object and no spread unless something is overridden.
  const header: Ipv4Header = {
    tos: 0,
    identification: 0,
    flags: 0x2,
    fragmentOffset: 0,
    ttl: 64,
    protocol,
    src,
    dst,
    options: NO_IPV4_OPTIONS,
  };
  return overrides === undefined ? header : { ...header, ...overrides };
}

export interface UdpPacketInput {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly app: UdpApp;
  readonly ip?: Partial<Ipv4Header>;
}

/** A UDP packet with a computed checksum. */
export function udpPacket(input: UdpPacketInput): Packet {
  return {
    ip: ipv4HeaderFor(input.src, input.dst, IpProtocol.UDP, input.ip),
    payload: { kind: 'udp', srcPort: input.srcPort, dstPort: input.dstPort, checksum: 'auto', app: input.app },
  };
}

export interface EspTunnelInput {
  readonly src: string;
  readonly dst: string;
  readonly spi: number;
  readonly sequence: number;
  readonly suite: CipherSuiteName;
  readonly inner: Packet;
  /** Encapsulate in UDP 4500 (RFC 3948) instead of IP protocol 50. */
  readonly natT?: boolean;
  readonly ip?: Partial<Ipv4Header>;
}

/** A tunnel-mode ESP packet carrying `inner` (Next Header 4), minimal padding. */
export function espTunnelPacket(input: EspTunnelInput): Packet {
  const esp: EspLayer = {
    kind: 'esp-sealed',
    spi: input.spi,
    sequence: input.sequence,
    suite: input.suite,
    nextHeader: IpProtocol.IPV4,
    inner: { kind: 'packet', packet: input.inner },
  };
  if (input.natT === true) {
    return udpPacket({
      src: input.src,
      dst: input.dst,
      srcPort: IKE_NAT_T_PORT,
      dstPort: IKE_NAT_T_PORT,
      app: esp,
      ...(input.ip ? { ip: input.ip } : {}),
    });
  }
  return { ip: ipv4HeaderFor(input.src, input.dst, IpProtocol.ESP, input.ip), payload: esp };
}
