/**
 * SHA-256 (FIPS 180-4) in plain TypeScript with 32-bit integer operations, so the trace digest is computed the same
 * way in Node and in the browser (no dependency on node:crypto or SubtleCrypto, which is async). Incremental:
 * `update` may be called as the trace streams.
 */
import type { TraceEvent } from './trace.ts';
import { canonicalJsonLine } from './trace-jsonl.ts';

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
// Int32Array: values stay small integers for the JIT (a Uint32Array read above 2^31 is a heap double).
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const encoder = new TextEncoder();

/** What the trace recorder hashes with: SHA-256 over the UTF-8 of the text given. */
export interface TextHasher {
  update(text: string): unknown;
  /**
   * Feeds bytes that are already the UTF-8 of the text (the recorder writes its lines and a packet's hex digits into a
   * byte batch). Optional: a hasher without it is given the batch decoded back to text.
   */
  updateBytes?(bytes: Uint8Array): unknown;
  digestHex(): string;
}

let textHasherFactory: (() => TextHasher) | undefined;

/**
 * Node entries (scenarios/node.ts) install node:crypto's SHA-256: the same function in native code, so every digest is
 * identical (test/sim/trace-hasher.test.ts) and the trace costs less to hash. The browser keeps this module's `Sha256`.
 * `undefined` restores it.
 */
export function setTextHasherFactory(factory: (() => TextHasher) | undefined): void {
  textHasherFactory = factory;
}

/** A fresh SHA-256 for text: the installed one, else this module's. */
export function createTextHasher(): TextHasher {
  return textHasherFactory?.() ?? new Sha256();
}

export class Sha256 {
  private readonly h = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  private readonly block = new Uint8Array(64);
  private readonly w = new Int32Array(64);
  private blockLength = 0;
  /** Total message length in bytes; exact below 2^53. */
  private lengthBytes = 0;
  private finished = false;
  private scratch = new Uint8Array(4096);

  /** Feeds bytes, or a string as UTF-8. */
  update(data: Uint8Array | string): this {
    if (this.finished) throw new Error('Sha256: update after digest');
    let bytes: Uint8Array;
    if (typeof data === 'string') {
      // UTF-8 needs at most 3 bytes per UTF-16 code unit; reuse one scratch buffer instead of allocating per line.
      if (this.scratch.length < data.length * 3) this.scratch = new Uint8Array(data.length * 3 + 1024);
      bytes = this.scratch.subarray(0, encoder.encodeInto(data, this.scratch).written);
    } else {
      bytes = data;
    }
    this.lengthBytes += bytes.length;
    let i = 0;
    if (this.blockLength > 0) {
      while (i < bytes.length && this.blockLength < 64) this.block[this.blockLength++] = bytes[i++] as number;
      if (this.blockLength < 64) return this;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    while (bytes.length - i >= 64) {
      this.compress(bytes, i);
      i += 64;
    }
    while (i < bytes.length) this.block[this.blockLength++] = bytes[i++] as number;
    return this;
  }

  /** Finishes and returns the digest; the hasher cannot be updated afterwards. */
  digest(): Uint8Array {
    if (!this.finished) {
      const bitLengthHi = Math.floor(this.lengthBytes / 0x2000_0000) >>> 0;
      const bitLengthLo = (this.lengthBytes * 8) >>> 0;
      // FIPS 180-4 §5.1.1: a 1 bit, zeros, then the 64-bit big-endian bit length.
      this.block[this.blockLength++] = 0x80;
      if (this.blockLength > 56) {
        this.block.fill(0, this.blockLength);
        this.compress(this.block, 0);
        this.blockLength = 0;
      }
      this.block.fill(0, this.blockLength);
      const view = new DataView(this.block.buffer);
      view.setUint32(56, bitLengthHi);
      view.setUint32(60, bitLengthLo);
      this.compress(this.block, 0);
      this.finished = true;
    }
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) view.setUint32(i * 4, (this.h[i] as number) >>> 0);
    return out;
  }

  digestHex(): string {
    return toHex(this.digest());
  }

  /** TextHasher: bytes that are already UTF-8 text. */
  updateBytes(bytes: Uint8Array): this {
    return this.update(bytes);
  }

  // FIPS 180-4 §6.2.2.
  private compress(bytes: Uint8Array, offset: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const j = offset + t * 4;
      w[t] =
        ((bytes[j] as number) << 24) |
        ((bytes[j + 1] as number) << 16) |
        ((bytes[j + 2] as number) << 8) |
        (bytes[j + 3] as number);
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15] as number;
      const y = w[t - 2] as number;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
    }
    const h = this.h;
    let a = h[0] as number;
    let b = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    let f = h[5] as number;
    let g = h[6] as number;
    let hh = h[7] as number;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + (K[t] as number) + (w[t] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = ((h[0] as number) + a) | 0;
    h[1] = ((h[1] as number) + b) | 0;
    h[2] = ((h[2] as number) + c) | 0;
    h[3] = ((h[3] as number) + d) | 0;
    h[4] = ((h[4] as number) + e) | 0;
    h[5] = ((h[5] as number) + f) | 0;
    h[6] = ((h[6] as number) + g) | 0;
    h[7] = ((h[7] as number) + hh) | 0;
  }
}

/** The two ASCII digits of each byte value, at 2 × value. */
const HEX_DIGITS = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, '0');
  HEX_DIGITS[2 * i] = h.charCodeAt(0);
  HEX_DIGITS[2 * i + 1] = h.charCodeAt(1);
}
/** ASCII digits decode the same in latin1 as in any ASCII-compatible encoding (WHATWG Encoding: latin1 = windows-1252). */
const LATIN1 = new TextDecoder('latin1');
/** Scratch for the digits, grown to the largest packet seen. */
let digits = new Uint8Array(4096);

/**
 * Lowercase hex of bytes. The digits are written into a byte buffer and decoded once: one flat string per packet,
 * where appending two characters per byte built a chain of partial strings (garbage for every packet traced).
 */
export function toHex(bytes: Uint8Array): string {
  const n = bytes.length * 2;
  if (digits.length < n) digits = new Uint8Array(Math.max(n, digits.length * 2));
  writeHex(bytes, digits, 0);
  return LATIN1.decode(digits.subarray(0, n));
}

/**
 * Writes the lowercase hex digits of `bytes` (ASCII, so also their UTF-8) into `out` from `at`; returns the index
 * after the last digit. `out` must have room for `2 × bytes.length` more bytes.
 */
export function writeHex(bytes: Uint8Array, out: Uint8Array, at: number): number {
  let n = at;
  for (let i = 0; i < bytes.length; i++) {
    const d = (bytes[i] as number) * 2;
    out[n++] = HEX_DIGITS[d] as number;
    out[n++] = HEX_DIGITS[d + 1] as number;
  }
  return n;
}

export function sha256Hex(data: Uint8Array | string): string {
  return new Sha256().update(data).digestHex();
}

/**
 * The trace digest: SHA-256 of the canonical JSON Lines text (one event per line, each line ending in `\n`).
 * It covers exactly the events kept at the run's trace level, so digests of different levels differ, and the digest
 * at level `none` is the digest of the empty string.
 */
export function traceSha256(events: Iterable<TraceEvent>): string {
  const hash = new Sha256();
  for (const event of events) hash.update(canonicalJsonLine(event) + '\n');
  return hash.digestHex();
}
