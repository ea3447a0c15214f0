import { describe, expect, it } from 'vitest';
import { Rng, createRng, ppmFromRatio } from '../../sim/rng.ts';

const draws = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.nextU32());

describe('Rng', () => {
  it('is xoshiro128**: reference outputs for state {1, 2, 3, 4}', () => {
    expect(draws(Rng.fromState([1, 2, 3, 4]), 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('draws these exact values for seed 1 (root and forks)', () => {
    expect(draws(createRng(1), 6)).toEqual([393288148, 2174103013, 3814759091, 2092745082, 1865176206, 2179171167]);
    expect(draws(createRng(1).fork('link:client1→gw:loss'), 6)).toEqual([
      4172552840, 2112143470, 3757867624, 1615215660, 1096662855, 3168885575,
    ]);
    expect(draws(createRng(1).fork('node:client1:xid'), 6)).toEqual([
      1811669879, 3870423060, 3580930062, 192101059, 184318299, 2190441514,
    ]);
    const r = createRng(1);
    expect(Array.from({ length: 8 }, () => r.intBelow(10))).toEqual([8, 3, 1, 2, 6, 7, 0, 9]);
    expect(Array.from({ length: 4 }, () => r.intBetween(-5, 5))).toEqual([2, 1, 3, -2]);
    expect(Array.from({ length: 8 }, () => r.chancePpm(500_000))).toEqual([
      false,
      false,
      true,
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(createRng(1).shuffle([1, 2, 3, 4, 5, 6, 7, 8])).toEqual([2, 4, 1, 8, 3, 7, 6, 5]);
  });

  it('forks are stable: forking or drawing other streams never changes a fork', () => {
    const plain = createRng(1).fork('A');
    const expected = draws(plain, 20);

    const busy = createRng(1);
    draws(busy, 17); // parent draws before the fork
    const b = busy.fork('B');
    draws(b, 5);
    busy.fork('C').fork('D');
    const a = busy.fork('A');
    draws(busy, 3);
    expect(draws(a, 20)).toEqual(expected);
    // Different labels and different seeds give different streams.
    expect(draws(createRng(1).fork('B'), 20)).not.toEqual(expected);
    expect(draws(createRng(2).fork('A'), 20)).not.toEqual(expected);
  });

  it('intBelow has no modulo bias: rejection of the top partial range', () => {
    // n = 3·2^30: limit = 2^32 − (2^32 mod n) = 3·2^30, so draws ≥ 3·2^30 are rejected and counts stay even.
    const r = createRng(7);
    const counts = [0, 0, 0];
    const n = 3 * 2 ** 30;
    for (let i = 0; i < 30_000; i++) counts[Math.floor(r.intBelow(n) / 2 ** 30)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(r.intBelow(1)).toBe(0);
    expect(() => r.intBelow(0)).toThrow(RangeError);
    expect(() => r.intBelow(2 ** 32 + 1)).toThrow(RangeError);
  });

  it('chancePpm draws nothing at 0 and 1,000,000 ppm; jitter is base + [0, spread]', () => {
    const a = createRng(3);
    const b = createRng(3);
    expect(a.chancePpm(0)).toBe(false);
    expect(a.chancePpm(1_000_000)).toBe(true);
    expect(a.nextU32()).toBe(b.nextU32());
    const values = new Set<number>();
    for (let i = 0; i < 2000; i++) values.add(a.jitter(100, 3));
    expect([...values].sort()).toEqual([100, 101, 102, 103]);
    expect(a.jitter(100, 0)).toBe(100);
    expect(ppmFromRatio(0.05)).toBe(50_000);
  });
});
