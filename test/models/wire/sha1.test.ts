import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha1 } from '../../../models/wire/sha1.ts';

const reference = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('sha1', () => {
  it('agrees with node:crypto for every length across the one- and two-block paddings, calls in sequence', () => {
    // Long inputs first, then short ones: the reused padding buffer must not leak bytes of an earlier input.
    for (const length of [200, 130, 64, 56, 55, 22, 1, 0]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      expect(hex(sha1(data))).toBe(reference(data));
    }
  });

  it('returns a fresh digest per call (the scratch is not the output)', () => {
    const a = sha1(Uint8Array.of(1, 2, 3));
    const b = sha1(Uint8Array.of(4, 5, 6));
    expect(hex(a)).toBe(reference(Uint8Array.of(1, 2, 3)));
    expect(hex(b)).toBe(reference(Uint8Array.of(4, 5, 6)));
  });
});
