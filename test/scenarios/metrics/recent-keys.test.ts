/** RecentKeys' combined operations do what `get` and `set` do one after the other. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../../../scenarios/metrics/recent-keys.ts';

type Op =
  | { readonly kind: 'advance'; readonly byUs: number }
  | { readonly kind: 'replace' | 'touch' | 'set'; readonly key: string; readonly value: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), byUs: fc.integer({ min: 0, max: 250 }) }),
  fc.record({
    kind: fc.constantFrom('replace' as const, 'touch' as const, 'set' as const),
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    value: fc.integer({ min: 0, max: 9 }),
  }),
);

describe('RecentKeys replace and touch', () => {
  it('replace returns the old value and sets; touch returns the value and keeps it as long as a set would', () => {
    const k = new RecentKeys<number>(100);
    expect(k.replace('a', 1)).toBeUndefined();
    expect(k.replace('a', 2)).toBe(1);
    k.advance(150);
    expect(k.touch('a')).toBe(2); // in the previous generation: moved to the current one
    k.advance(250);
    expect([k.get('a'), k.touch('b'), k.size]).toEqual([2, undefined, 1]);
  });

  it('under any sequence of operations, answers as get-then-set on a twin', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const fast = new RecentKeys<number>(100);
        const twin = new RecentKeys<number>(100);
        let atUs = 0;
        for (const o of ops) {
          if (o.kind === 'advance') {
            atUs += o.byUs;
            fast.advance(atUs);
            twin.advance(atUs);
          } else if (o.kind === 'set') {
            fast.set(o.key, o.value);
            twin.set(o.key, o.value);
          } else if (o.kind === 'replace') {
            const before = twin.get(o.key);
            twin.set(o.key, o.value);
            expect(fast.replace(o.key, o.value)).toBe(before);
          } else {
            const before = twin.get(o.key);
            if (before !== undefined) twin.set(o.key, before);
            expect(fast.touch(o.key)).toBe(before);
          }
          expect(fast.size).toBe(twin.size);
          for (const key of ['a', 'b', 'c', 'd']) expect(fast.get(key)).toBe(twin.get(key));
        }
      }),
      { numRuns: 300 },
    );
  });
});
