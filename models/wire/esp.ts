/**
 * ESP (RFC 4303 §2). On the wire an ESP packet is SPI, Sequence Number and bytes only the SA can read: `EspPacket`
 * keeps them opaque (that is what a real capture gives). With the modelled crypto the rest has a known layout,
 * `EspSealedView`: IV ‖ plaintext ‖ padding (1, 2, 3, …) ‖ Pad Length ‖ Next Header ‖ ICV (RFC 4303 §2.3–2.8),
 * sized exactly for the suite.
 *
 *    0                   1                   2                   3
 *   |               Security Parameters Index (SPI)                 |
 *   |                      Sequence Number                          |
 *   |                    Payload Data* (variable)  [IV ‖ data]      |
 *   |               |     Padding (0-255 bytes)                     |
 *   |                               |  Pad Length   | Next Header   |
 *   |         Integrity Check Value-ICV   (variable)                |
 */
import { checkUint, readU32, U32_MAX, writeU32 } from './bytes.ts';
import {
  CIPHER_SUITES,
  modelledCrypto,
  type CipherSuite,
  type CipherSuiteName,
  type CryptoContext,
  type CryptoModel,
  espTagMatches,
} from './crypto-suite.ts';
import { decodeError, parsed, type ParseResult } from './result.ts';

export const ESP_HEADER_BYTES = 8;

/** An ESP packet as the wire shows it. */
export interface EspPacket {
  readonly spi: number;
  /** Low 32 bits of the sequence number (RFC 4303 §2.2). */
  readonly sequence: number;
  /** IV ‖ encrypted body ‖ ICV, opaque. */
  readonly data: Uint8Array;
}

export function espLength(packet: EspPacket): number {
  return ESP_HEADER_BYTES + packet.data.length;
}

export function emitEspInto(packet: EspPacket, buffer: Uint8Array, offset: number): number {
  writeEspHeaderInto(packet.spi, packet.sequence, buffer, offset);
  buffer.set(packet.data, offset + ESP_HEADER_BYTES);
  return ESP_HEADER_BYTES + packet.data.length;
}

/** SPI and Sequence Number at `offset` (RFC 4303 §2.1–2.2); throws WireEmitError when either is not a u32. */
export function writeEspHeaderInto(spi: number, sequence: number, buffer: Uint8Array, offset: number): void {
  writeU32(buffer, offset, checkUint(spi, U32_MAX, 'esp.spi'));
  writeU32(buffer, offset + 4, checkUint(sequence, U32_MAX, 'esp.sequence'));
}

export function emitEsp(packet: EspPacket): Uint8Array {
  const out = new Uint8Array(espLength(packet));
  emitEspInto(packet, out, 0);
  return out;
}

/** Reads SPI and sequence; the rest of the input (to its end: ESP fills the IP payload) is `data`. */
export function parseEsp(bytes: Uint8Array, offset: number, end: number = bytes.length): ParseResult<EspPacket> {
  const available = end - offset;
  if (available < ESP_HEADER_BYTES)
    return decodeError('esp', offset, `${Math.max(0, available)} bytes, a header needs 8`);
  const spi = readU32(bytes, offset);
  // RFC 4303 §2.1: SPI 0 is reserved for local use and MUST NOT be sent; 1–255 are reserved by IANA.
  if (spi === 0) return decodeError('esp.spi', offset, 'SPI 0 is reserved (RFC 4303 §2.1)');
  return parsed(
    { spi, sequence: readU32(bytes, offset + 4), data: bytes.slice(offset + ESP_HEADER_BYTES, end) },
    available,
  );
}

/** The modelled-crypto view of an ESP packet: what a node sealing or opening it with its SA sees. */
export interface EspSealedView {
  readonly spi: number;
  readonly sequence: number;
  readonly suite: CipherSuiteName;
  /** 4 for a tunnelled IPv4 packet (RFC 4303 §2.6), 17 UDP in transport mode. */
  readonly nextHeader: number;
  readonly plaintext: Uint8Array;
  /** 1, 2, 3, … (RFC 4303 §2.4); usually the minimum, may be longer (traffic-flow confidentiality). */
  readonly padding: Uint8Array;
  /**
   * The keyed tag in the ICV's last `ESP_TAG_BYTES` (crypto-suite.ts), as read or to write; absent = the keyless
   * modelled bytes. A sender holding the SA's key passes `integrityKey` to `sealEsp` instead.
   */
  readonly icvTag?: number;
}

/** RFC 4303 §2.1–2.2: the ICV covers SPI and sequence; the modelled crypto takes them as associated data. */
function espContext(spi: number, sequence: number, suite: CipherSuite): CryptoContext {
  const associatedData = new Uint8Array(8);
  writeU32(associatedData, 0, checkUint(spi, U32_MAX, 'esp.spi'));
  writeU32(associatedData, 4, checkUint(sequence, U32_MAX, 'esp.sequence'));
  return { suite, associatedData };
}

/**
 * Seals a plaintext into an ESP packet; throws WireEmitError on bad padding or out-of-range fields. `integrityKey`
 * (the SA's modelled key) writes the keyed tag; without it `view.icvTag` (or the keyless bytes) is written.
 */
export function sealEsp(view: EspSealedView, crypto: CryptoModel = modelledCrypto, integrityKey?: number): EspPacket {
  const suite = CIPHER_SUITES[view.suite];
  const ctx = espContext(view.spi, view.sequence, suite);
  const sealed = crypto.seal({ plaintext: view.plaintext, padding: view.padding, nextHeader: view.nextHeader }, 'esp', {
    ...ctx,
    ...(integrityKey === undefined ? {} : { integrityKey }),
    ...(view.icvTag === undefined ? {} : { icvTag: view.icvTag }),
  });
  const data = new Uint8Array(sealed.iv.length + sealed.body.length + sealed.icv.length);
  data.set(sealed.iv, 0);
  data.set(sealed.body, sealed.iv.length);
  data.set(sealed.icv, sealed.iv.length + sealed.body.length);
  return { spi: view.spi, sequence: view.sequence, data };
}

/** Opens an ESP packet under one suite; errors carry offsets relative to the ESP header start. */
export function openEsp(
  packet: EspPacket,
  suiteName: CipherSuiteName,
  crypto: CryptoModel = modelledCrypto,
): ParseResult<EspSealedView> {
  const suite = CIPHER_SUITES[suiteName];
  const { data } = packet;
  if (data.length < suite.ivBytes + suite.icvBytes + 4) {
    return decodeError('esp.data', ESP_HEADER_BYTES, `${data.length} bytes, too short for ${suiteName}`);
  }
  const iv = data.subarray(0, suite.ivBytes);
  const body = data.subarray(suite.ivBytes, data.length - suite.icvBytes);
  const icv = data.subarray(data.length - suite.icvBytes);
  const opened = crypto.open({ iv, body, icv }, 'esp', espContext(packet.spi, packet.sequence, suite));
  if (!opened.ok) {
    const { field, offset, reason } = opened.error;
    return decodeError(field, ESP_HEADER_BYTES + suite.ivBytes + offset, reason);
  }
  const { plaintext, padding, nextHeader, icvTag } = opened.value;
  return parsed(
    {
      spi: packet.spi,
      sequence: packet.sequence,
      suite: suiteName,
      nextHeader: nextHeader ?? 0,
      plaintext,
      padding,
      ...(icvTag === undefined ? {} : { icvTag }),
    },
    ESP_HEADER_BYTES + data.length,
  );
}

/**
 * RFC 4303 §3.4.4: the receiver checks the ICV with the SA's key. True when the packet's keyed tag is the one
 * `integrityKey` gives (the keyless part was checked when it was opened).
 */
export function espIntegrityValid(packet: EspPacket, suiteName: CipherSuiteName, integrityKey: number): boolean {
  const suite = CIPHER_SUITES[suiteName];
  const icv = packet.data.subarray(packet.data.length - suite.icvBytes);
  return espTagMatches(icv, espContext(packet.spi, packet.sequence, suite), integrityKey);
}

export const ALL_SUITE_NAMES: readonly CipherSuiteName[] = [
  'aes128-sha256',
  'aes256-sha256',
  'aes128gcm16',
  'aes256gcm16',
];

/**
 * Opens with the first modelled suite whose ICV verifies (the modelled ICV is keyed by suite, so at most one does):
 * the lab's nodes need no SA lookup to read their own traffic. null when none verifies (really encrypted traffic).
 */
export function tryOpenEsp(
  packet: EspPacket,
  suites: readonly CipherSuiteName[] = ALL_SUITE_NAMES,
  crypto: CryptoModel = modelledCrypto,
): EspSealedView | null {
  for (const suite of suites) {
    const opened = openEsp(packet, suite, crypto);
    if (opened.ok) return opened.value;
  }
  return null;
}

// The sealed view as a codec of its own (parse = parseEsp + tryOpenEsp), for tests and tools.
export function sealedEspLength(view: EspSealedView): number {
  const suite = CIPHER_SUITES[view.suite];
  return ESP_HEADER_BYTES + suite.ivBytes + view.plaintext.length + view.padding.length + 2 + suite.icvBytes;
}

export function emitSealedEspInto(view: EspSealedView, buffer: Uint8Array, offset: number): number {
  return emitEspInto(sealEsp(view), buffer, offset);
}

export function emitSealedEsp(view: EspSealedView): Uint8Array {
  return emitEsp(sealEsp(view));
}

export function parseSealedEsp(
  bytes: Uint8Array,
  offset: number,
  end: number = bytes.length,
): ParseResult<EspSealedView> {
  const packet = parseEsp(bytes, offset, end);
  if (!packet.ok) return packet;
  const view = tryOpenEsp(packet.value);
  if (view === null) return decodeError('esp.icv', offset, 'no modelled suite verifies the ICV');
  return parsed(view, packet.bytesRead);
}

/** RFC 4303 §3.4.3: the default (and minimum) anti-replay window is 32 packets; 64 is the recommended size. */
export const ESP_REPLAY_WINDOW = 64;

export type ReplayVerdict = 'ok' | 'replayed' | 'stale' | 'zero';

/**
 * The receiver's anti-replay window of one inbound SA (RFC 4303 §3.4.3): a sequence number already received, or
 * left of the window (`top - size + 1`), is rejected; the window moves right when a higher number passes the
 * integrity check (`accept` is only called after it, as §3.4.3 requires). A ring of the last `size` numbers: slot
 * `seq % size` holds `seq` once received, so a number inside the window was seen iff its slot holds it.
 */
export class EspReplayWindow {
  private top = 0;
  private readonly seen: Uint32Array;

  constructor(readonly size: number = ESP_REPLAY_WINDOW) {
    this.seen = new Uint32Array(Math.max(1, size));
  }

  check(sequence: number): ReplayVerdict {
    // §2.2: the first packet sent on an SA has sequence number 1; 0 is never sent.
    if (sequence === 0) return 'zero';
    if (sequence + this.size <= this.top) return 'stale';
    return this.seen[sequence % this.size] === sequence ? 'replayed' : 'ok';
  }

  accept(sequence: number): void {
    this.seen[sequence % this.size] = sequence;
    if (sequence > this.top) this.top = sequence;
  }
}
