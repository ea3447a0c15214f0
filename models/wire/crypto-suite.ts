/**
 * The modelled cryptography shared by the IKEv2 SK payload (RFC 7296 §3.14) and ESP (RFC 4303 §2). Sizes are exact
 * for each suite (IV, padding, ICV), so every packet has its real length; the contents are not: the "ciphertext" is
 * the padded plaintext left readable, and IV and ICV are deterministic bytes derived from the inputs (no randomness,
 * Node and the browser agree). A later issue can put real ciphers behind `CryptoModel` without touching the codecs.
 */
import { copyInto, zeroRange } from './bytes.ts';
import { WireEmitError, decodeError, emitError, parsed, type ParseResult } from './result.ts';
import type { DirectionKeys } from './crypto/ike-keys.ts';

/** IANA "IKEv2 Transform Type 1 - Encryption Algorithm Transform IDs" (RFC 7296 §3.3.2). */
export const EncrTransformId = { AES_CBC: 12, AES_GCM_16: 20 } as const;
/** IANA "Transform Type 3 - Integrity Algorithm Transform IDs" (RFC 4868 §2 for HMAC-SHA2-256-128). */
export const IntegTransformId = { NONE: 0, HMAC_SHA2_256_128: 12 } as const;
/** IANA "Transform Type 2 - Pseudorandom Function Transform IDs" (RFC 4868). */
export const PrfTransformId = { HMAC_SHA2_256: 5 } as const;
/** RFC 7296 §3.3.5: the only transform attribute, Key Length in bits (TV format, AF=1). */
export const KEY_LENGTH_ATTRIBUTE_TYPE = 14;

export type CipherSuiteName = 'aes128-sha256' | 'aes256-sha256' | 'aes128gcm16' | 'aes256gcm16';

export interface CipherSuite {
  /** strongSwan proposal keyword for the encryption (and integrity) part. */
  readonly name: CipherSuiteName;
  /** Explicit IV carried in every SK payload / ESP packet: 16 for CBC (RFC 3602 §3), 8 for GCM (RFC 4106 §3.1). */
  readonly ivBytes: number;
  /** The padded plaintext (with its trailer) is a multiple of this: 16 for AES-CBC, 4 for GCM (RFC 4106 §3.2). */
  readonly blockBytes: number;
  /** Integrity check value: 16 for HMAC-SHA2-256-128 (RFC 4868 §2.3) and for the GCM 16-octet tag (RFC 4106 §3.3). */
  readonly icvBytes: number;
  /** True for combined-mode (AEAD) ciphers: no separate integrity transform is negotiated (RFC 5282 §8). */
  readonly aead: boolean;
  readonly encrTransformId: number;
  readonly keyLengthBits: 128 | 256;
  /** null for AEAD suites. */
  readonly integTransformId: number | null;
  /** The PRF an IKE SA negotiates with this suite, and its output size (AUTH payload data for PSK, RFC 7296 §2.15). */
  readonly prfTransformId: number;
  readonly prfOutputBytes: number;
}

function cbc(name: CipherSuiteName, keyLengthBits: 128 | 256): CipherSuite {
  return {
    name,
    ivBytes: 16,
    blockBytes: 16,
    icvBytes: 16,
    aead: false,
    encrTransformId: EncrTransformId.AES_CBC,
    keyLengthBits,
    integTransformId: IntegTransformId.HMAC_SHA2_256_128,
    prfTransformId: PrfTransformId.HMAC_SHA2_256,
    prfOutputBytes: 32,
  };
}

function gcm(name: CipherSuiteName, keyLengthBits: 128 | 256): CipherSuite {
  return {
    name,
    ivBytes: 8,
    blockBytes: 4,
    icvBytes: 16,
    aead: true,
    encrTransformId: EncrTransformId.AES_GCM_16,
    keyLengthBits,
    integTransformId: null,
    prfTransformId: PrfTransformId.HMAC_SHA2_256,
    prfOutputBytes: 32,
  };
}

export const CIPHER_SUITES: Readonly<Record<CipherSuiteName, CipherSuite>> = {
  'aes128-sha256': cbc('aes128-sha256', 128),
  'aes256-sha256': cbc('aes256-sha256', 256),
  aes128gcm16: gcm('aes128gcm16', 128),
  aes256gcm16: gcm('aes256gcm16', 256),
};

/** The suites in `CIPHER_SUITES`'s order, listed once: every SA payload read looked its suite up in a new array. */
const SUITE_LIST: readonly CipherSuite[] = Object.values(CIPHER_SUITES);

/** The suite negotiated by transform ids (ENCR id + key length, INTEG id or null), or undefined when not modelled. */
export function cipherSuiteByTransforms(
  encrTransformId: number,
  keyLengthBits: number,
  integTransformId: number | null,
): CipherSuite | undefined {
  // A loop, not `find` with a closure: this runs for every proposal an IKE or Child SA negotiation reads.
  for (const s of SUITE_LIST) {
    if (s.encrTransformId !== encrTransformId || s.keyLengthBits !== keyLengthBits) continue;
    if (
      s.aead
        ? integTransformId === null || integTransformId === IntegTransformId.NONE
        : s.integTransformId === integTransformId
    )
      return s;
  }
  return undefined;
}

export interface DhGroup {
  /** IANA "Transform Type 4 - Key Exchange Method Transform IDs". */
  readonly id: number;
  readonly name: string;
  /** Length of the KE payload's Key Exchange Data (RFC 7296 §3.4; RFC 5903 §7 for ECP: x || y; RFC 8031 §2). */
  readonly keBytes: number;
}

export const DH_GROUPS: Readonly<Record<number, DhGroup>> = {
  14: { id: 14, name: 'modp2048', keBytes: 256 },
  19: { id: 19, name: 'ecp256', keBytes: 64 },
  31: { id: 31, name: 'curve25519', keBytes: 32 },
};

export function dhGroup(id: number): DhGroup | undefined {
  return DH_GROUPS[id];
}

/**
 * Where the trailer after the padding differs: ESP has Pad Length and Next Header (RFC 4303 §2.4–2.6) and pads with
 * 1, 2, 3, …; the IKE SK payload has only Pad Length (RFC 7296 §3.14) and its padding "MAY contain any value": we
 * write zeros.
 */
export type PaddingRule = 'esp' | 'ike';

export function trailerBytes(rule: PaddingRule): number {
  return rule === 'esp' ? 2 : 1;
}

/** The fewest padding bytes that align plaintext + padding + trailer to the suite's block (and to 4 for ESP). */
export function minPadBytes(suite: CipherSuite, plaintextBytes: number, rule: PaddingRule): number {
  const align = rule === 'esp' ? Math.max(4, suite.blockBytes) : suite.blockBytes;
  const used = plaintextBytes + trailerBytes(rule);
  return (align - (used % align)) % align;
}

/** Bytes of IV + encrypted body + ICV for a plaintext with the minimal padding (or `padBytes` when given). */
export function sealedLength(suite: CipherSuite, plaintextBytes: number, rule: PaddingRule, padBytes?: number): number {
  const pad = padBytes ?? minPadBytes(suite, plaintextBytes, rule);
  return suite.ivBytes + plaintextBytes + pad + trailerBytes(rule) + suite.icvBytes;
}

/** The padding bytes written by default: 1, 2, 3, … for ESP (RFC 4303 §2.4), zeros for IKE. */
export function defaultPadding(rule: PaddingRule, padBytes: number): Uint8Array {
  const out = new Uint8Array(padBytes);
  if (rule === 'esp') for (let i = 0; i < padBytes; i++) out[i] = (i + 1) & 0xff;
  return out;
}

export interface SealInput {
  readonly plaintext: Uint8Array;
  /** ESP Next Header (4 IPv4 in tunnel mode, 17 UDP in transport mode); ignored for the IKE rule. */
  readonly nextHeader?: number;
  /** Explicit padding (kept from a parse so re-emission is identical); default: minimal, `defaultPadding` content. */
  readonly padding?: Uint8Array;
}

export interface CryptoContext {
  readonly suite: CipherSuite;
  /**
   * What the ICV authenticates besides IV and body, and what the IV is derived from: for ESP the SPI and
   * sequence number (8 bytes, RFC 4303 §2.1–2.2); for IKE the IKE header and the SK payload's generic header (RFC 5282 §5.1).
   */
  readonly associatedData: Uint8Array;
  /**
   * ESP only: the SA's modelled integrity key. The last `ESP_TAG_BYTES` of the ICV become a tag keyed with it, so only
   * the SA's holder can produce ESP its peer accepts (RFC 4303 §3.4.4: the ICV is verified with the SA's key before
   * anything else). Absent: the keyless modelled ICV (tools, captures, codec tests).
   */
  readonly integrityKey?: number;
  /** ESP only: the tag a parse read (re-emission writes it back as is); ignored when `integrityKey` is given. */
  readonly icvTag?: number;
  /** Real crypto (crypto/real-crypto.ts): this direction's keys; the modelled crypto ignores them. */
  readonly keys?: DirectionKeys;
  /** Real crypto: the IV to seal with (the caller derives it, crypto/real-crypto.ts `deriveIv`). */
  readonly iv?: Uint8Array;
}

export interface Sealed {
  readonly iv: Uint8Array;
  /** plaintext ‖ padding ‖ pad length ‖ (ESP: next header), "encrypted". */
  readonly body: Uint8Array;
  readonly icv: Uint8Array;
}

export interface Opened {
  readonly plaintext: Uint8Array;
  readonly padding: Uint8Array;
  /** ESP only; null for IKE. */
  readonly nextHeader: number | null;
  /** ESP only: the keyed tag (last `ESP_TAG_BYTES` of the ICV); absent when they are the keyless model's bytes. */
  readonly icvTag?: number;
}

export interface CryptoModel {
  /** Throws WireEmitError when the padding is invalid for the suite (wrong alignment, over 255 bytes). */
  seal(input: SealInput, rule: PaddingRule, ctx: CryptoContext): Sealed;
  /** Never throws: a wrong ICV, a misaligned body or a bad pad length is a DecodeError with offsets inside `body`. */
  open(sealed: Sealed, rule: PaddingRule, ctx: CryptoContext): ParseResult<Opened>;
}

/** 32-bit FNV-1a over a list of byte arrays, each preceded by its length so boundaries count. */
function fnv1a(parts: readonly Uint8Array[], seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const part of parts) {
    h = Math.imul(h ^ (part.length & 0xff), 0x01000193) >>> 0;
    h = Math.imul(h ^ ((part.length >>> 8) & 0xff), 0x01000193) >>> 0;
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ (part[i] ?? 0), 0x01000193) >>> 0;
  }
  return h;
}

/** `n` deterministic bytes from a 32-bit state (xorshift32; a zero state is replaced by a constant). */
/** One step of the modelled key stream (xorshift32), as an unsigned 32-bit value. */
function xorshift32(x: number): number {
  let y = x ^ (x << 13);
  y >>>= 0;
  y ^= y >>> 17;
  y ^= y << 5;
  return y >>> 0;
}

function expand(state: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = state === 0 ? 0x9e3779b9 : state;
  for (let i = 0; i < n; i++) {
    x = xorshift32(x);
    out[i] = x & 0xff;
  }
  return out;
}

const TAG_IV = Uint8Array.of(0x49, 0x56); // "IV"
const TAG_ICV = Uint8Array.of(0x49, 0x43); // "IC"
const TAG_KEYED = Uint8Array.of(0x4b, 0x54); // "KT"

/**
 * Bytes of the ESP ICV that carry the keyed tag. The tag replaces the ICV's last bytes (it adds none: sizes stay those
 * of the suite, RFC 4868 §2.3 / RFC 4106 §3.3); the rest stays the keyless model so captures and tools still open it.
 */
export const ESP_TAG_BYTES = 4;

/** murmur3's 32-bit finaliser: every input bit reaches every output bit (integer arithmetic only). */
function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The modelled keyed tag: two FNV-1a lanes seeded from the key, finalised and mixed with the key again (an
 * envelope-style keyed hash). Not a MAC anyone should use: it stands for HMAC-SHA2-256-128 / the GCM tag (RFC 4868,
 * RFC 4106) so that a node without the SA's key cannot forge, which is all the lab needs.
 */
export function keyedTag(key: number, parts: readonly Uint8Array[]): number {
  const k = key >>> 0;
  const a = fnv1a([TAG_KEYED, ...parts], k);
  const b = fnv1a([...parts, TAG_KEYED], fmix32(k ^ 0x9e3779b9));
  return fmix32((a ^ Math.imul(b, 0x01000193) ^ k) >>> 0);
}

/** A 32-bit key from text and numbers (e.g. a PSK name and SPIs): the lab's stand-in for keys from SKEYSEED. */
export function modelledKey(text: string, ...numbers: readonly number[]): number {
  const bytes = new Uint8Array(text.length + 4 * numbers.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  numbers.forEach((n, j) => {
    const at = text.length + 4 * j;
    bytes[at] = (n >>> 24) & 0xff;
    bytes[at + 1] = (n >>> 16) & 0xff;
    bytes[at + 2] = (n >>> 8) & 0xff;
    bytes[at + 3] = n & 0xff;
  });
  return fmix32(fnv1a([bytes], text.length));
}

function readTag(icv: Uint8Array): number {
  const at = icv.length - ESP_TAG_BYTES;
  return (((icv[at] ?? 0) << 24) | ((icv[at + 1] ?? 0) << 16) | ((icv[at + 2] ?? 0) << 8) | (icv[at + 3] ?? 0)) >>> 0;
}

function writeTag(icv: Uint8Array, tag: number): void {
  const at = icv.length - ESP_TAG_BYTES;
  icv[at] = (tag >>> 24) & 0xff;
  icv[at + 1] = (tag >>> 16) & 0xff;
  icv[at + 2] = (tag >>> 8) & 0xff;
  icv[at + 3] = tag & 0xff;
}

/** The ESP tag for an SA key over the keyless ICV head (which covers SPI, sequence, IV and body). */
function espTag(key: number, ctx: CryptoContext, icvHead: Uint8Array): number {
  return keyedTag(key, [ctx.associatedData, icvHead]);
}

/** A per-suite seed, so a packet sealed under one suite never verifies under another of the same sizes. */
function suiteSeed(suite: CipherSuite): number {
  let h = 0;
  for (let i = 0; i < suite.name.length; i++) h = Math.imul(h ^ suite.name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function modelIcv(ctx: CryptoContext, iv: Uint8Array, body: Uint8Array): Uint8Array {
  return expand(fnv1a([TAG_ICV, ctx.associatedData, iv, body], suiteSeed(ctx.suite)), ctx.suite.icvBytes);
}

/**
 * True when the ICV's keyed tail is the tag `integrityKey` gives for this ICV's keyless head (ESP, RFC 4303 §3.4.4).
 * The head was checked when the packet was opened.
 */
export function espTagMatches(icv: Uint8Array, ctx: CryptoContext, integrityKey: number): boolean {
  if (icv.length < ESP_TAG_BYTES) return false;
  return readTag(icv) === espTag(integrityKey, ctx, icv.subarray(0, icv.length - ESP_TAG_BYTES));
}

// ---- In-place fast paths of the modelled crypto for the IKE SK payload (byte-identical to seal/open above) ----

/** One `fnv1a` part, `bytes[start, end)`, continuing from state `h`. */
function fnvRange(h: number, bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  // Int32 inside the loop (Math.imul's result; the same 32 bits as `>>> 0` would give), unsigned once at the end.
  let x = Math.imul(h ^ (n & 0xff), 0x01000193);
  x = Math.imul(x ^ ((n >>> 8) & 0xff), 0x01000193);
  for (let i = start; i < end; i++) x = Math.imul(x ^ (bytes[i] as number), 0x01000193);
  return x >>> 0;
}

/** `expand(state, n)` written at `buffer[offset]`. */
function expandInto(state: number, buffer: Uint8Array, offset: number, n: number): void {
  let x = state === 0 ? 0x9e3779b9 : state;
  for (let i = 0; i < n; i++) {
    x = xorshift32(x);
    buffer[offset + i] = x & 0xff;
  }
}

/** Does `bytes[offset, offset + n)` equal `expand(state, n)`? */
function expandEquals(state: number, bytes: Uint8Array, offset: number, n: number): boolean {
  let x = state === 0 ? 0x9e3779b9 : state;
  for (let i = 0; i < n; i++) {
    x = xorshift32(x);
    if (bytes[offset + i] !== (x & 0xff)) return false;
  }
  return true;
}

const suiteSeeds = new Map<CipherSuiteName, number>();
function cachedSuiteSeed(suite: CipherSuite): number {
  let seed = suiteSeeds.get(suite.name);
  if (seed === undefined) {
    seed = suiteSeed(suite);
    suiteSeeds.set(suite.name, seed);
  }
  return seed;
}

/**
 * `modelledCrypto.seal(…, 'ike', …)` in place: the plaintext is already at `buffer[bodyStart, plaintextEnd)` (where
 * the encrypted body starts, after the IV's `suite.ivBytes`), the associated data is `buffer[aadStart, ivStart)` with
 * `ivStart = bodyStart - ivBytes`. Writes the IV, the padding (`padding`, or the default zeros), the Pad Length and
 * the ICV; returns the end of the ICV. Same checks and errors as `seal`; no intermediate arrays (RFC 7296 §3.14).
 */
export function sealModelledIkeInPlace(
  suite: CipherSuite,
  buffer: Uint8Array,
  aadStart: number,
  bodyStart: number,
  plaintextEnd: number,
  padding: Uint8Array | undefined,
): number {
  const plaintextBytes = plaintextEnd - bodyStart;
  const padBytes = padding?.length ?? minPadBytes(suite, plaintextBytes, 'ike');
  if (padBytes > 255) throw emitError('crypto.padding', padBytes, ' bytes, at most 255');
  const bodyBytes = plaintextBytes + padBytes + 1;
  if (bodyBytes % suite.blockBytes !== 0) {
    throw emitError(
      'crypto.padding',
      'plaintext+padding+trailer is ',
      bodyBytes,
      ' bytes, not a multiple of ',
      suite.blockBytes,
    );
  }
  if (padding === undefined) zeroRange(buffer, plaintextEnd, plaintextEnd + padBytes);
  else copyInto(buffer, plaintextEnd, padding);
  buffer[plaintextEnd + padBytes] = padBytes;
  return writeModelledIvAndIcv(suite, buffer, aadStart, bodyStart, plaintextEnd, bodyStart + bodyBytes);
}

const FNV_PRIME = 0x01000193;

/**
 * The modelled IV and ICV of a body laid out in place (IKE's SK payload, ESP): the associated data at
 * `buffer[aadStart, bodyStart - ivBytes)`, the plaintext at `[bodyStart, plaintextEnd)`, padding and trailer up to
 * `bodyEnd`. Writes the IV before the body and the ICV after it; returns the end of the ICV.
 */
function writeModelledIvAndIcv(
  suite: CipherSuite,
  buffer: Uint8Array,
  aadStart: number,
  bodyStart: number,
  plaintextEnd: number,
  bodyEnd: number,
): number {
  const ivStart = bodyStart - suite.ivBytes;
  const tagged = taggedStates(suite);
  // The IV's hash (TAG_IV, aad, plaintext) and the ICV's (TAG_ICV, aad, IV, body) both start with the associated
  // data: one loop runs both chains over it. Each chain is a serial multiply per byte; two in one loop overlap.
  const aadBytes = ivStart - aadStart;
  let x = Math.imul(tagged.iv ^ (aadBytes & 0xff), FNV_PRIME);
  x = Math.imul(x ^ ((aadBytes >>> 8) & 0xff), FNV_PRIME);
  let y = Math.imul(tagged.icv ^ (aadBytes & 0xff), FNV_PRIME);
  y = Math.imul(y ^ ((aadBytes >>> 8) & 0xff), FNV_PRIME);
  for (let i = aadStart; i < ivStart; i++) {
    const b = buffer[i] as number;
    x = Math.imul(x ^ b, FNV_PRIME);
    y = Math.imul(y ^ b, FNV_PRIME);
  }
  expandInto(fnvRange(x >>> 0, buffer, bodyStart, plaintextEnd), buffer, ivStart, suite.ivBytes);
  const icv = fnvRange(fnvRange(y >>> 0, buffer, ivStart, bodyStart), buffer, bodyStart, bodyEnd);
  expandInto(icv, buffer, bodyEnd, suite.icvBytes);
  return bodyEnd + suite.icvBytes;
}

/**
 * `modelledCrypto.seal(…, 'esp', …)` in place (RFC 4303 §2.3–2.8): the ESP header (SPI ‖ Sequence, the associated
 * data) is at `buffer[espStart, espStart + 8)` and the plaintext at `buffer[bodyStart, plaintextEnd)`, after the IV's
 * `suite.ivBytes`. Writes the monotonic padding (1, 2, 3, …, §2.4), Pad Length, Next Header, the IV and the ICV with
 * the keyed tag of `integrityKey` (else `icvTag`, else the keyless bytes); returns the end of the ICV. Byte-identical
 * to `sealEsp` with the modelled crypto and the same checks, without its intermediate arrays (plaintext, padding, IV,
 * body, ICV and their concatenation: seven off-heap buffers per ESP packet).
 */
export function sealModelledEspInPlace(
  suite: CipherSuite,
  buffer: Uint8Array,
  espStart: number,
  bodyStart: number,
  plaintextEnd: number,
  padBytes: number,
  nextHeader: number,
  integrityKey: number | undefined,
  icvTag: number | undefined,
): number {
  if (padBytes > 255) throw emitError('crypto.padding', padBytes, ' bytes, at most 255');
  const bodyBytes = plaintextEnd - bodyStart + padBytes + 2;
  const align = blockAlignment('esp', suite);
  if (bodyBytes % align !== 0) {
    throw emitError('crypto.padding', 'plaintext+padding+trailer is ', bodyBytes, ' bytes, not a multiple of ', align);
  }
  if (!Number.isInteger(nextHeader) || nextHeader < 0 || nextHeader > 255) {
    throw new WireEmitError('esp.nextHeader', `must be in [0, 255], got ${String(nextHeader)}`);
  }
  for (let i = 0; i < padBytes; i++) buffer[plaintextEnd + i] = i + 1;
  buffer[plaintextEnd + padBytes] = padBytes;
  buffer[plaintextEnd + padBytes + 1] = nextHeader;
  const ivStart = bodyStart - suite.ivBytes;
  const bodyEnd = bodyStart + bodyBytes;
  const icvEnd = writeModelledIvAndIcv(suite, buffer, espStart, bodyStart, plaintextEnd, bodyEnd);
  // RFC 4303 §3.4.4 stand-in: the keyed tag over the associated data and the ICV's keyless head (espTag).
  const tag =
    integrityKey !== undefined
      ? keyedTag(integrityKey, [buffer.subarray(espStart, ivStart), buffer.subarray(bodyEnd, icvEnd - ESP_TAG_BYTES)])
      : icvTag;
  if (tag !== undefined) writeTag(buffer.subarray(bodyEnd, icvEnd), tag);
  return icvEnd;
}

/** The FNV-1a states of a suite after its seed and the IV tag, and after its seed and the ICV tag, computed once. */
interface TaggedStates {
  readonly iv: number;
  readonly icv: number;
}
const taggedStatesBySuite = new Map<CipherSuiteName, TaggedStates>();
function taggedStates(suite: CipherSuite): TaggedStates {
  let states = taggedStatesBySuite.get(suite.name);
  if (states === undefined) {
    const start = (0x811c9dc5 ^ cachedSuiteSeed(suite)) >>> 0;
    states = {
      iv: fnvRange(start, TAG_IV, 0, TAG_IV.length),
      icv: fnvRange(start, TAG_ICV, 0, TAG_ICV.length),
    };
    taggedStatesBySuite.set(suite.name, states);
  }
  return states;
}

/** The `fnv1a([TAG_ICV, aad, iv, body])` state of `modelIcv`, over ranges of one buffer. */
function icvState(
  seed: number,
  bytes: Uint8Array,
  aadStart: number,
  ivStart: number,
  bodyStart: number,
  bodyEnd: number,
): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  h = fnvRange(h, TAG_ICV, 0, TAG_ICV.length);
  h = fnvRange(h, bytes, aadStart, ivStart);
  h = fnvRange(h, bytes, ivStart, bodyStart);
  return fnvRange(h, bytes, bodyStart, bodyEnd);
}

/** Where `openModelledIkeInPlace` found the plaintext and the padding: offsets into the input. */
export interface OpenedIkeRange {
  readonly plaintextEnd: number;
  readonly padLength: number;
}

/**
 * `modelledCrypto.open(…, 'ike', …)` in place for an SK body at `bytes[ivStart, end)` (IV ‖ body ‖ ICV) with the
 * associated data `bytes[aadStart, ivStart)`: the plaintext is `bytes[ivStart + ivBytes, plaintextEnd)`, the padding
 * follows it. Returns null wherever `open` returns a DecodeError (the SK parser keeps such a payload opaque).
 */
export function openModelledIkeInPlace(
  suite: CipherSuite,
  bytes: Uint8Array,
  aadStart: number,
  ivStart: number,
  end: number,
): OpenedIkeRange | null {
  const bodyStart = ivStart + suite.ivBytes;
  const bodyEnd = end - suite.icvBytes;
  if (bodyEnd < bodyStart) return null;
  if (
    !expandEquals(
      icvState(cachedSuiteSeed(suite), bytes, aadStart, ivStart, bodyStart, bodyEnd),
      bytes,
      bodyEnd,
      suite.icvBytes,
    )
  )
    return null;
  const bodyBytes = bodyEnd - bodyStart;
  if (bodyBytes < 1 || bodyBytes % suite.blockBytes !== 0) return null;
  const padLengthAt = bodyEnd - 1;
  const padLength = bytes[padLengthAt] as number;
  if (padLength > bodyBytes - 1) return null;
  return { plaintextEnd: padLengthAt - padLength, padLength };
}

/** A DecodeError when the IV or ICV is not the suite's size (both models check it before anything else), else null. */
export function sealedSizesError(sealed: Sealed, suite: CipherSuite, field: string): ParseResult<never> | null {
  if (sealed.iv.length !== suite.ivBytes)
    return decodeError(`${field}.iv`, 0, `IV is ${sealed.iv.length} bytes, suite needs ${suite.ivBytes}`);
  if (sealed.icv.length !== suite.icvBytes)
    return decodeError(`${field}.icv`, 0, `ICV is ${sealed.icv.length} bytes, suite needs ${suite.icvBytes}`);
  return null;
}

/** The body alignment of the modelled crypto: the cipher block (and 4 bytes for ESP, RFC 4303 §2.4). */
export function blockAlignment(rule: PaddingRule, suite: CipherSuite): number {
  return rule === 'esp' ? Math.max(4, suite.blockBytes) : suite.blockBytes;
}

/**
 * plaintext ‖ padding ‖ Pad Length (‖ Next Header for ESP), before encryption (RFC 7296 §3.14, RFC 4303 §2.4–2.6).
 * Default padding: the suite's minimal (`minPadBytes`, what the codecs size packets by); given padding must make the
 * body a multiple of `align`, what the cipher needs (`blockAlignment`, or the real crypto's). Throws WireEmitError for
 * padding or a Next Header the rules refuse.
 */
export function paddedBody(input: SealInput, rule: PaddingRule, suite: CipherSuite, align: number): Uint8Array {
  const padding = input.padding ?? defaultPadding(rule, minPadBytes(suite, input.plaintext.length, rule));
  if (padding.length > 255) throw new WireEmitError('crypto.padding', `${padding.length} bytes, at most 255`);
  if (rule === 'esp') {
    for (let i = 0; i < padding.length; i++) {
      if (padding[i] !== i + 1)
        throw new WireEmitError('esp.padding', `pad byte ${i} must be ${i + 1} (RFC 4303 §2.4)`);
    }
  }
  const bodyBytes = input.plaintext.length + padding.length + trailerBytes(rule);
  if (bodyBytes % align !== 0) {
    throw new WireEmitError(
      'crypto.padding',
      `plaintext+padding+trailer is ${bodyBytes} bytes, not a multiple of ${align}`,
    );
  }
  const body = new Uint8Array(bodyBytes);
  body.set(input.plaintext, 0);
  body.set(padding, input.plaintext.length);
  body[input.plaintext.length + padding.length] = padding.length;
  if (rule === 'esp') {
    const nextHeader = input.nextHeader ?? 0;
    if (!Number.isInteger(nextHeader) || nextHeader < 0 || nextHeader > 255) {
      throw new WireEmitError('esp.nextHeader', `must be in [0, 255], got ${String(nextHeader)}`);
    }
    body[bodyBytes - 1] = nextHeader;
  }
  return body;
}

/** The decrypted body split into plaintext, padding and (ESP) Next Header; offsets in errors are inside the body. */
export function unpadBody(body: Uint8Array, rule: PaddingRule, field: string, align: number): ParseResult<Opened> {
  const trailer = trailerBytes(rule);
  if (body.length < trailer || body.length % align !== 0) {
    return decodeError(field, 0, `encrypted body is ${body.length} bytes, not a non-empty multiple of ${align}`);
  }
  const padLengthAt = body.length - trailer;
  const padLength = body[padLengthAt] ?? 0;
  if (padLength > padLengthAt) {
    return decodeError(
      `${field}.padLength`,
      padLengthAt,
      `pad length ${padLength} exceeds the ${padLengthAt} bytes before it`,
    );
  }
  const plaintextEnd = padLengthAt - padLength;
  const padding = body.slice(plaintextEnd, padLengthAt);
  if (rule === 'esp') {
    // RFC 4303 §2.4: the receiver SHOULD check the monotonic 1, 2, 3, … padding.
    for (let i = 0; i < padding.length; i++) {
      if (padding[i] !== ((i + 1) & 0xff))
        return decodeError(`${field}.padding`, plaintextEnd + i, `pad byte ${i} is not ${i + 1}`);
    }
  }
  return parsed(
    {
      plaintext: body.slice(0, plaintextEnd),
      padding,
      nextHeader: rule === 'esp' ? (body[body.length - 1] ?? 0) : null,
    },
    body.length,
  );
}

export const modelledCrypto: CryptoModel = {
  seal(input, rule, ctx) {
    const { suite } = ctx;
    const body = paddedBody(input, rule, suite, blockAlignment(rule, suite));
    const iv = expand(fnv1a([TAG_IV, ctx.associatedData, input.plaintext], suiteSeed(suite)), suite.ivBytes);
    const icv = modelIcv(ctx, iv, body);
    if (rule === 'esp') {
      const head = icv.subarray(0, icv.length - ESP_TAG_BYTES);
      if (ctx.integrityKey !== undefined) writeTag(icv, espTag(ctx.integrityKey, ctx, head));
      else if (ctx.icvTag !== undefined) writeTag(icv, ctx.icvTag);
    }
    return { iv, body, icv };
  },

  open(sealed, rule, ctx) {
    const { suite } = ctx;
    const field = rule === 'esp' ? 'esp.body' : 'sk.body';
    const sizes = sealedSizesError(sealed, suite, field);
    if (sizes !== null) return sizes;
    const expected = modelIcv(ctx, sealed.iv, sealed.body);
    // ESP: the keyless head is checked here; the keyed tail is the SA holder's to check (`espTagMatches`).
    const checked = rule === 'esp' ? expected.length - ESP_TAG_BYTES : expected.length;
    for (let i = 0; i < checked; i++) {
      if (expected[i] !== sealed.icv[i]) return decodeError(`${field}.icv`, 0, 'integrity check failed');
    }
    const tag = readTag(sealed.icv);
    const icvTag = rule === 'esp' && tag !== readTag(expected) ? tag : null;
    const opened = unpadBody(sealed.body, rule, field, blockAlignment(rule, suite));
    if (!opened.ok || icvTag === null) return opened;
    return parsed({ ...opened.value, icvTag }, opened.bytesRead);
  },
};
