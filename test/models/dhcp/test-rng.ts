/**
 * A seeded RandomStream for the DHCP tests (splitmix32-style, integer-only via Math.imul), so exact-value tests do
 * not depend on the engine's generator.
 */
import type { RandomStream } from '../../../models/contract.ts';

export function testRng(seed: number): RandomStream {
  let state = seed >>> 0;
  const nextU32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const intBelow = (n: number): number => {
    // Rejection sampling: no modulo bias.
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const v = nextU32();
      if (v < limit) return v % n;
    }
  };
  return {
    nextU32,
    intBelow,
    intBetween: (lo, hi) => lo + intBelow(hi - lo + 1),
    chancePpm: (ppm) => intBelow(1_000_000) < ppm,
    fork: (label) => {
      let h = seed >>> 0;
      for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
      return testRng(h);
    },
  };
}
