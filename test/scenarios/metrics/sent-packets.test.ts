/** The collector's queue of packets in reach: lookups as a Map of every packet would answer, forgetting in send order. */
import { describe, expect, it } from 'vitest';
import { SentPackets } from '../../../scenarios/metrics/sent-packets.ts';

describe('SentPackets', () => {
  it('answers by id, with gaps (ids never sent) and unknown ids undefined', () => {
    const s = new SentPackets();
    s.add(5, 'a', 100, 10);
    s.add(6, 'b', 200, 11);
    s.add(9, 'c', 300, 12);
    expect([s.senderOf(5), s.lengthOf(5), s.senderOf(6), s.lengthOf(9)]).toEqual(['a', 100, 'b', 300]);
    expect([s.senderOf(7), s.lengthOf(8), s.senderOf(4), s.lengthOf(10)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(s.size).toBe(3);
  });

  it('forgets the packets sent before the cut, oldest first, stopping at the first still in reach', () => {
    const s = new SentPackets();
    s.add(1, 'a', 1, 100);
    s.add(3, 'b', 2, 200);
    s.add(4, 'c', 3, 150); // sent later in id order but earlier in time: kept while 3 is
    s.add(5, 'd', 4, 300);
    s.forgetSentBefore(201);
    expect([s.senderOf(1), s.senderOf(3), s.senderOf(4), s.senderOf(5), s.size]).toEqual([
      undefined,
      undefined,
      undefined,
      'd',
      1,
    ]);
    s.forgetSentBefore(120);
    expect(s.size).toBe(1);
    s.forgetSentBefore(1000);
    expect([s.size, s.senderOf(5)]).toEqual([0, undefined]);
    s.add(7, 'e', 5, 1000);
    expect([s.senderOf(7), s.lengthOf(7), s.size]).toEqual(['e', 5, 1]);
  });

  it('keeps an id that comes out of order beside the queue', () => {
    const s = new SentPackets();
    s.add(10, 'a', 1, 0);
    s.add(11, 'b', 2, 0);
    s.add(3, 'x', 9, 0);
    expect([s.senderOf(3), s.lengthOf(3), s.senderOf(10), s.size]).toEqual(['x', 9, 'a', 3]);
    s.forgetSentBefore(1);
    expect(s.size).toBe(0);
  });

  it('stays small over a long stream that keeps a window in reach, and answers as a Map does', () => {
    const s = new SentPackets();
    const all = new Map<number, { node: string; length: number }>();
    let id = 0;
    let peak = 0;
    for (let atUs = 0; atUs < 100_000; atUs += 10) {
      id += 1 + (atUs % 70 === 0 ? 1 : 0); // an occasional id never sent
      const p = { node: `n${id % 7}`, length: id % 1500 };
      s.add(id, p.node, p.length, atUs);
      all.set(id, p);
      if (atUs % 1000 === 0) s.forgetSentBefore(atUs - 500);
      peak = Math.max(peak, s.size);
      // At most 36 ids back: sent within the last 500 µs, so still in reach.
      const probe = id - (id % 37);
      const want = all.get(probe);
      expect([s.senderOf(probe), s.lengthOf(probe)]).toEqual([want?.node, want?.length]);
    }
    expect(peak).toBeLessThan(200);
  });
});
