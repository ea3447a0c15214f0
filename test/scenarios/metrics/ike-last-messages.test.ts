/** IkeLastMessages answers as the string-keyed RecentKeys<Fingerprint> it replaces, collisions included. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IkeLastMessages } from '../../../scenarios/metrics/ike-last-messages.ts';
import { RecentKeys } from '../../../scenarios/metrics/recent-keys.ts';
import { sameFingerprint, type Fingerprint } from '../../../scenarios/metrics/message-key.ts';

type Op =
  | { readonly kind: 'advance'; readonly byUs: number }
  | {
      readonly kind: 'send';
      readonly node: string;
      readonly response: boolean;
      readonly spiHi: number;
      readonly spiLo: number;
      readonly print: number;
    };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), byUs: fc.integer({ min: 0, max: 250 }) }),
  fc.record({
    kind: fc.constant('send' as const),
    node: fc.constantFrom('c1', 'c2', 'gw'),
    response: fc.boolean(),
    // A few SPI halves (negative ones too: the halves are int32), so triples repeat and share buckets.
    spiHi: fc.constantFrom(0, 1, -1, 0x7fffffff),
    spiLo: fc.constantFrom(0, 2, -2, 0x12345678),
    print: fc.integer({ min: 0, max: 2 }),
  }),
);

describe('IkeLastMessages', () => {
  it('says a message repeats the last of its triple, and forgets as RecentKeys does', () => {
    const k = new IkeLastMessages(100);
    expect(k.repeatsAt(k.nodeIndexOf('c1'), false, 1, 2, 10, 3, 4)).toBe(false);
    expect(k.repeatsAt(k.nodeIndexOf('c1'), false, 1, 2, 10, 3, 4)).toBe(true);
    expect(k.repeatsAt(k.nodeIndexOf('c1'), true, 1, 2, 10, 3, 4)).toBe(false); // the response is another triple
    expect(k.repeatsAt(k.nodeIndexOf('c1'), false, 1, 3, 10, 3, 4)).toBe(false); // another SPI
    k.advance(150);
    expect(k.size).toBe(3);
    expect(k.repeatsAt(k.nodeIndexOf('c1'), false, 1, 2, 10, 3, 4)).toBe(true); // touched in the generation before: still held
    k.advance(250);
    expect(k.size).toBe(1);
    k.advance(450); // two generations on: everything forgotten
    expect([k.size, k.repeatsAt(k.nodeIndexOf('c1'), false, 1, 2, 10, 3, 4)]).toEqual([0, false]);
  });

  it.each([30, 1])('under any sequence, answers and sizes as RecentKeys keyed by strings (%i bucket bits)', (bits) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const fast = new IkeLastMessages(100, bits);
        const twin = new RecentKeys<Fingerprint>(100);
        let atUs = 0;
        for (const o of ops) {
          if (o.kind === 'advance') {
            atUs += o.byUs;
            fast.advance(atUs);
            twin.advance(atUs);
            expect(fast.size).toBe(twin.size);
            continue;
          }
          const print: Fingerprint = { length: 60 + o.print, a: o.print * 7, b: -o.print };
          const key = `${o.node}|${o.spiHi}:${o.spiLo}|${o.response ? 'r' : 'q'}`;
          const last = twin.replace(key, print);
          const again = last !== undefined && sameFingerprint(last, print);
          expect(
            fast.repeatsAt(fast.nodeIndexOf(o.node), o.response, o.spiHi, o.spiLo, print.length, print.a, print.b),
          ).toBe(again);
          expect(fast.size).toBe(twin.size);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('keeps answering as RecentKeys while its table grows past thousands of triples and forgets them again', () => {
    const fast = new IkeLastMessages(50_000);
    const twin = new RecentKeys<Fingerprint>(50_000);
    let atUs = 0;
    let repeats = 0;
    for (let i = 0; i < 20_000; i++) {
      // Triples come back (i % 5000), so repeats happen across the table's growth and across generations.
      const spiLo = (i % 5000) * 2654435761;
      const node = `c${(i % 5000) % 7}`;
      const print: Fingerprint = { length: 100, a: Math.floor(i / 10_000), b: 0 };
      const key = `${node}|0:${spiLo | 0}|q`;
      const last = twin.replace(key, print);
      const again = last !== undefined && sameFingerprint(last, print);
      expect(fast.repeatsAt(fast.nodeIndexOf(node), false, 0, spiLo | 0, print.length, print.a, print.b)).toBe(again);
      if (again) repeats++;
      atUs += 7;
      fast.advance(atUs);
      twin.advance(atUs);
      expect(fast.size).toBe(twin.size);
    }
    expect(repeats).toBeGreaterThan(0);
  });
});
