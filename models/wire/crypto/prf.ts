/**
 * The IKEv2 pseudorandom function and its expansion prf+ (RFC 7296 §2.13) with PRF_HMAC_SHA2_256 (RFC 4868 §2.1:
 * HMAC-SHA-256, 32-byte output, key of any length). Pure functions over bytes: no clock, no randomness, the same
 * bytes in Node and in the browser (@noble/hashes, no node:crypto).
 */
import { concatBytes as concatByteArrays } from '../bytes.ts';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Output size of PRF_HMAC_SHA2_256 (RFC 4868 §2.1). */
export const PRF_OUTPUT_BYTES = 32;

/** RFC 7296 §2.13: prf+ stops at T255 (the counter is one octet). */
export const PRF_PLUS_MAX_BYTES = 255 * PRF_OUTPUT_BYTES;

/** prf(K, S) = HMAC-SHA-256(K, S) (RFC 4868 §2.1, RFC 2104). */
export function prfHmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

/** The parts one after another in a new array (bytes.ts `concatBytes`, variadic). */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  return concatByteArrays(parts);
}

/**
 * prf+(K, S) = T1 | T2 | … with T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) (RFC 7296 §2.13), cut to `bytes`.
 * Throws for more than 255 blocks: the counter would wrap, which §2.13 forbids.
 */
export function prfPlus(key: Uint8Array, seed: Uint8Array, bytes: number): Uint8Array {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > PRF_PLUS_MAX_BYTES) {
    throw new Error(`prf+: ${String(bytes)} bytes requested, at most ${PRF_PLUS_MAX_BYTES} (RFC 7296 §2.13)`);
  }
  const out = new Uint8Array(bytes);
  let previous: Uint8Array = new Uint8Array(0);
  const counter = new Uint8Array(1);
  for (let n = 1, at = 0; at < bytes; n++) {
    counter[0] = n;
    previous = prfHmacSha256(key, concatBytes(previous, seed, counter));
    const take = Math.min(previous.length, bytes - at);
    out.set(previous.subarray(0, take), at);
    at += take;
  }
  return out;
}
