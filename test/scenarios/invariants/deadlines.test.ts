import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Deadlines } from '../../../scenarios/invariants/deadlines.ts';

/** What the index must always agree with: Math.min over every current deadline (NaN poisons it, as it does there). */
function naiveMin(current: Map<number, number>): number {
  let d = Number.POSITIVE_INFINITY;
  for (const v of current.values()) d = Math.min(d, v);
  return d;
}

type Op =
  { kind: 'set'; item: number; atUs: number } | { kind: 'delete'; item: number } | { kind: 'take'; atUs: number };

const atUsArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: -1, max: 50 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), item: fc.nat(40), atUs: atUsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), item: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('take' as const), atUs: fc.integer({ min: 0, max: 50 }) }) },
);

describe('Deadlines', () => {
  it('is empty at +Infinity', () => {
    expect(new Deadlines<string>().minUs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('moves an item, and takes only what is before the instant', () => {
    const d = new Deadlines<string>();
    d.set('a', 10);
    d.set('b', 5);
    d.set('b', 20);
    expect(d.minUs()).toBe(10);
    expect(d.takeBefore(10)).toEqual([]);
    expect(d.takeBefore(11)).toEqual(['a']);
    expect(d.minUs()).toBe(20);
    d.set('c', Number.NaN);
    expect(d.minUs()).toBeNaN();
    d.delete('c');
    expect(d.minUs()).toBe(20);
  });

  it('agrees with a walk of every deadline after any sequence of changes (compactions included)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 3000 }), (ops) => {
        const d = new Deadlines<number>();
        const current = new Map<number, number>();
        for (const op of ops) {
          if (op.kind === 'set') {
            d.set(op.item, op.atUs);
            if (op.atUs === Number.POSITIVE_INFINITY) current.delete(op.item);
            else current.set(op.item, op.atUs);
          } else if (op.kind === 'delete') {
            d.delete(op.item);
            current.delete(op.item);
          } else if (!Number.isNaN(naiveMin(current))) {
            const expected = [...current].filter(([, v]) => v < op.atUs).map(([k]) => k);
            expect(d.takeBefore(op.atUs).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
            for (const k of expected) current.delete(k);
          }
          expect(Object.is(d.minUs(), naiveMin(current))).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
