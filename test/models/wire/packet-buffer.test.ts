import { describe, expect, it } from 'vitest';
import { ownedBytes } from '../../../models/wire/bytes.ts';
import { PACKET_SLAB_BYTES, packetBuffer } from '../../../models/wire/packet-buffer.ts';

describe('packetBuffer', () => {
  it('hands out zeroed, disjoint ranges of the requested length, across slab boundaries', () => {
    const lengths = [65, 351, 480, 1500, 100, 4096, 77];
    const taken: Uint8Array[] = [];
    // Enough packets to fill several slabs; each is written in full, then every earlier one is checked untouched.
    for (let i = 0; i < 600; i++) {
      const length = lengths[i % lengths.length] as number;
      const b = packetBuffer(length);
      expect(b.length).toBe(length);
      expect(b.every((x) => x === 0)).toBe(true);
      b.fill((i % 255) + 1);
      taken.push(b);
    }
    taken.forEach((b, i) => expect(b.every((x) => x === (i % 255) + 1)).toBe(true));
    const slabs = new Set(taken.map((b) => b.buffer));
    expect(slabs.size).toBeGreaterThan(1);
    expect(slabs.size).toBeLessThan(taken.length / 10);
  });

  it('gives small and large packets a buffer of their own', () => {
    const small = packetBuffer(64);
    const large = packetBuffer(PACKET_SLAB_BYTES / 2);
    expect(small.buffer.byteLength).toBe(64);
    expect(large.buffer.byteLength).toBe(PACKET_SLAB_BYTES / 2);
  });

  it('is a buffer parsed fields are copied out of, so a kept field does not pin the slab', () => {
    const b = packetBuffer(400);
    b.fill(7);
    const field = ownedBytes(b, 100, 300);
    expect(field.buffer).not.toBe(b.buffer);
    expect(field.buffer.byteLength).toBe(200);
    expect(field.every((x) => x === 7)).toBe(true);
  });
});
