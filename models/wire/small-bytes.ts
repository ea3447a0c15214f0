/**
 * Small byte arrays carved from a shared slab, for values a message keeps for one exchange (the NAT-D hashes of an
 * IKE_SA_INIT, RFC 7296 §2.23). V8 keeps a `new Uint8Array(20)` on its heap as three objects, ~230 bytes; a view
 * into a shared ArrayBuffer is one, ~105 bytes, and the bytes themselves sit off the heap. A storm keeps each
 * IKE_SA_INIT request until its response (a retransmission sends it again), so those bytes survived young-generation
 * GC and were copied by every scavenge until promoted.
 *
 * Safe for the reason packet-buffer.ts gives: a range is handed out once, zeroed, and nothing writes into a kept
 * value's bytes. The cost: a view kept alive keeps its slab (4 KB) alive, so this is only for short-lived values —
 * not for anything an SA keeps for its life (a long-lived value in a slab of short-lived ones pins the whole slab).
 */

/** Slab size: ~100 pairs of 20-byte hashes. */
export const SMALL_BYTES_SLAB = 4096;
/** Larger requests get a buffer of their own: the slab is for the few-dozen-byte values named above. */
const SMALL_BYTES_MAX = 64;
const ALIGN_MASK = 3;

let slab = new ArrayBuffer(SMALL_BYTES_SLAB);
let used = 0;

/** A zeroed `Uint8Array` of `length` bytes, a view into the current slab when `length` ≤ 64. */
export function smallBytes(length: number): Uint8Array {
  if (length > SMALL_BYTES_MAX) return new Uint8Array(length);
  if (used + length > SMALL_BYTES_SLAB) {
    slab = new ArrayBuffer(SMALL_BYTES_SLAB);
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  used = (used + length + ALIGN_MASK) & ~ALIGN_MASK;
  return out;
}
