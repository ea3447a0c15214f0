/**
 * Seeded randomness: xoshiro128** (Blackman & Vigna) seeded through splitmix32, all in 32-bit integer arithmetic
 * (Math.imul, >>> 0), so Node and the browser draw identical values. No floating-point transcendental functions.
 *
 * Streams form a tree. `fork(label)` derives a child from (this stream's state *at creation*, hash of label); it
 * never draws from the parent's sequence, so forking B never changes A's draws, and the order of forks and draws does
 * not matter (common random numbers across methods). Forking the same label twice gives two identical streams:
 * labels name purposes (`link:lan0:client1→gw:loss`, `node:client1:xid`) and must be unique per purpose.
 */
import type { RandomStream } from '../models/contract.ts';

const TWO_POW_32 = 0x1_0000_0000;
const PPM = 1_000_000;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** MurmurHash3's 32-bit finaliser: a bijective avalanche mix. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** splitmix32: a counter stepped by the golden ratio, then mixed. Returns [output, next counter]. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return [z >>> 0, next];
}

/** FNV-1a over the UTF-8 bytes of `text`, starting from `basis`. */
function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  // Labels are ASCII (node and link names): their UTF-8 bytes are their char codes, no encoder allocation.
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
  if (ascii) {
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }
  const bytes = utf8(text);
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const encoder = new TextEncoder();
function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export class Rng implements RandomStream {
  // xoshiro128** state, held as signed 32-bit integers (`| 0`): every operation on it is a 32-bit bitwise one, so the
  // sign is only a representation, and V8 keeps small integers in the object instead of a boxed number per word.
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  // The state at creation (forks derive from it, never from the running state): four fields, not a tuple, so a stream
  // is one object (a run forks several per client).
  private readonly o0: number;
  private readonly o1: number;
  private readonly o2: number;
  private readonly o3: number;

  private constructor(words: readonly [number, number, number, number]) {
    const [w0, b, c, d] = words;
    // xoshiro's all-zero state is a fixed point; splitmix output makes it practically impossible, but be exact.
    const a = (w0 | b | c | d) === 0 ? 1 : w0;
    this.s0 = this.o0 = a | 0;
    this.s1 = this.o1 = b | 0;
    this.s2 = this.o2 = c | 0;
    this.s3 = this.o3 = d | 0;
  }

  /** The root stream of a run. `seed` is a non-negative safe integer. */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be a non-negative safe integer: ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let state = lo ^ fmix32(hi);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [out, next] = splitmix32(state);
      words.push(out);
      state = next;
    }
    return new Rng(words as unknown as [number, number, number, number]);
  }

  /** A stream with an explicit xoshiro128** state (for reference vectors). */
  static fromState(words: readonly [number, number, number, number]): Rng {
    return new Rng(words);
  }

  /** An independent stream for `label`, derived from this stream's state at creation and the label's hash. */
  fork(label: string): Rng {
    // Two 32-bit label hashes with different bases, so two labels colliding on one still differ on the other.
    const h1 = fnv1a(label, 0x811c9dc5);
    const h2 = fnv1a(label, 0x2f6b8a1d);
    const o = [this.o0, this.o1, this.o2, this.o3] as const;
    let state = fmix32(o[0] ^ h1) ^ rotl(o[1], 7) ^ Math.imul(o[2] ^ h2, 0x9e3779b1) ^ rotl(o[3], 19);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [out, next] = splitmix32(state);
      words.push((out ^ (i % 2 === 0 ? h2 : h1) ^ (o[i] as number)) >>> 0);
      state = next;
    }
    return new Rng(words as unknown as [number, number, number, number]);
  }

  /** Uniform in [0, 2^32). */
  nextU32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, n) for integer 1 ≤ n ≤ 2^32; rejection sampling, so no modulo bias. */
  intBelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new RangeError(`intBelow(${n}): need 1 ≤ n ≤ 2^32`);
    if (n === TWO_POW_32) return this.nextU32();
    // Accept x < limit where limit is the largest multiple of n not above 2^32. All values are exact integers < 2^53.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform in [lo, hi], both inclusive integers, hi - lo < 2^32. */
  intBetween(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      throw new RangeError(`intBetween(${lo}, ${hi}): need integers lo ≤ hi`);
    }
    return lo + this.intBelow(hi - lo + 1);
  }

  /** True with probability ppm / 1,000,000. Draws nothing when ppm ≤ 0 (false) or ppm ≥ 1,000,000 (true). */
  chancePpm(ppm: number): boolean {
    if (ppm <= 0) return false;
    if (ppm >= PPM) return true;
    return this.intBelow(PPM) < ppm;
  }

  /** `baseUs` plus a uniform integer in [0, spreadUs]. Draws nothing when spreadUs is 0. */
  jitter(baseUs: number, spreadUs: number): number {
    return spreadUs > 0 ? baseUs + this.intBelow(spreadUs + 1) : baseUs;
  }

  /** Fisher-Yates in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.intBelow(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

/** The root stream of a run. */
export function createRng(seed: number): Rng {
  return Rng.fromSeed(seed);
}

/** A ratio (e.g. 0.05) as integer parts per million, rounded to nearest. */
export function ppmFromRatio(ratio: number): number {
  return Math.round(ratio * PPM);
}
