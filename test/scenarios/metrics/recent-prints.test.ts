/** RecentPrints answers as the string-keyed RecentKeys<number[]> of fingerprint lists it replaces. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../../../scenarios/metrics/recent-keys.ts';
import { RecentPrints } from '../../../scenarios/metrics/recent-prints.ts';

/** The twin: what the collector kept before, a list of (length, a, b) per `node|keyA|keyB` string. */
function twinSentBefore(
  twin: RecentKeys<readonly number[]>,
  key: string,
  length: number,
  a: number,
  b: number,
): boolean {
  const prints = twin.touch(key);
  if (prints === undefined) {
    twin.set(key, [length, a, b]);
    return false;
  }
  for (let i = 0; i < prints.length; i += 3)
    if (prints[i] === length && prints[i + 1] === a && prints[i + 2] === b) return true;
  twin.set(key, [...prints, length, a, b]);
  return false;
}

type Op =
  | { readonly kind: 'advance'; readonly byUs: number }
  | {
      readonly kind: 'send';
      readonly node: number;
      readonly keyA: number;
      readonly keyB: number;
      readonly print: number;
    };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), byUs: fc.integer({ min: 0, max: 250 }) }),
  fc.record({
    kind: fc.constant('send' as const),
    node: fc.integer({ min: 0, max: 2 }),
    keyA: fc.constantFrom(3, 10),
    keyB: fc.constantFrom(0, 1, -1, 0x7fffffff, -0x80000000),
    print: fc.integer({ min: 0, max: 3 }),
  }),
);

describe('RecentPrints', () => {
  it('says a key sent a fingerprint before, and forgets keys as RecentKeys does', () => {
    const k = new RecentPrints(100);
    expect(k.sentBefore(0, 10, 5, 60, 1, 2)).toBe(false);
    expect(k.sentBefore(0, 10, 5, 61, 1, 2)).toBe(false); // another message of the same transaction
    expect(k.sentBefore(0, 10, 5, 60, 1, 2)).toBe(true);
    expect(k.sentBefore(1, 10, 5, 60, 1, 2)).toBe(false); // another sender
    expect(k.size).toBe(2);
    k.advance(150);
    expect(k.sentBefore(0, 10, 5, 61, 1, 2)).toBe(true); // touched in the generation before: still held
    k.advance(250);
    expect(k.size).toBe(1);
    k.advance(450);
    expect([k.size, k.sentBefore(0, 10, 5, 60, 1, 2)]).toEqual([0, false]);
  });

  it('under any sequence, answers and sizes as RecentKeys keyed by strings', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
        const fast = new RecentPrints(100);
        const twin = new RecentKeys<readonly number[]>(100);
        let atUs = 0;
        for (const o of ops) {
          if (o.kind === 'advance') {
            atUs += o.byUs;
            fast.advance(atUs);
            twin.advance(atUs);
          } else {
            const key = `${o.node}|${o.keyA}|${o.keyB}`;
            const want = twinSentBefore(twin, key, 60 + o.print, o.print * 7, -o.print);
            expect(fast.sentBefore(o.node, o.keyA, o.keyB, 60 + o.print, o.print * 7, -o.print)).toBe(want);
          }
          expect(fast.size).toBe(twin.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps answering as RecentKeys while its table grows past thousands of keys and forgets them again', () => {
    const fast = new RecentPrints(50_000);
    const twin = new RecentKeys<readonly number[]>(50_000);
    let atUs = 0;
    let repeats = 0;
    for (let i = 0; i < 20_000; i++) {
      const xid = (i % 4000) * 2654435761;
      const node = (i % 4000) % 5;
      const print = Math.floor(i / 8000);
      const want = twinSentBefore(twin, `${node}|10|${xid | 0}`, 100, print, 0);
      expect(fast.sentBefore(node, 10, xid | 0, 100, print, 0)).toBe(want);
      if (want) repeats++;
      atUs += 7;
      fast.advance(atUs);
      twin.advance(atUs);
      expect(fast.size).toBe(twin.size);
    }
    expect(repeats).toBeGreaterThan(0);
  });
});
