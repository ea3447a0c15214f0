/**
 * The buffer an emitted packet is written into. V8 keeps a typed array longer than 64 bytes off its heap: every
 * `new Uint8Array(n)` is a malloc'd backing store, an ArrayBuffer extension the GC tracks, and a later free by the
 * array-buffer sweeper — most of the cost of emitting a packet (bench/codecs.bench.ts, `emit` − `emitInto`). Packets
 * are therefore carved out of a shared slab: `new Uint8Array(slab, offset, length)` is one small heap object.
 *
 * Safe because a carved range is never handed out twice: a slab is used once, front to back, and is freed by the GC
 * when no packet carved from it is reachable. Every range of a fresh ArrayBuffer is zero, as `new Uint8Array(n)` is,
 * so emitters that leave zero bytes unwritten produce the same bytes. Nothing in the lab writes into a sent or
 * delivered packet's bytes (the network and the codecs only read them), so neighbours in a slab never see each other.
 *
 * The cost is that a packet kept alive keeps its slab alive. Emitted packets live while in flight and while parsed;
 * what a parse keeps is copied out (the IKE codecs `slice`, and `ownedBytes` copies from any buffer larger than one
 * IPv4 datagram, which a slab is), so a slab is freed soon after its last packet is delivered.
 */

/** Up to this many bytes a typed array lives on V8's heap, and `new Uint8Array(n)` is as cheap as a view. */
const ON_HEAP_BYTES = 64;
/**
 * The slab size. Larger than the largest IPv4 datagram (65,535 bytes, RFC 791 §3.1), so `ownedBytes` (bytes.ts)
 * copies a parsed field out of a slab instead of keeping a view that would pin it.
 */
export const PACKET_SLAB_BYTES = 0x10000;
/** Packets larger than this get their own buffer, so a slab is never left mostly unused. */
const CARVE_MAX_BYTES = PACKET_SLAB_BYTES >>> 4;
/** Ranges start on 8-byte boundaries (as malloc'd buffers do). */
const ALIGN_MASK = 7;

let slab = new ArrayBuffer(PACKET_SLAB_BYTES);
let slabUsed = 0;

/** A zeroed `Uint8Array` of `length` bytes for one emitted packet, carved from the current slab when it is small. */
export function packetBuffer(length: number): Uint8Array {
  if (length <= ON_HEAP_BYTES || length > CARVE_MAX_BYTES) return new Uint8Array(length);
  if (slabUsed + length > PACKET_SLAB_BYTES) {
    slab = new ArrayBuffer(PACKET_SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, length);
  slabUsed = (slabUsed + length + ALIGN_MASK) & ~ALIGN_MASK;
  return out;
}
