import { describe, expect, it } from 'vitest';
import { AddressHoldings, type Holding } from '../../../scenarios/invariants/holdings.ts';

describe('AddressHoldings', () => {
  it("ends every tunnel of a crashed client, in the order they were taken, and no other client's", () => {
    const ended: string[] = [];
    const holdings = new AddressHoldings((h: Holding) => ended.push(h.key));
    holdings.hold('c1', 'primary', '10.0.0.1', 1);
    holdings.hold('c2', 'primary', '10.0.0.2', 2);
    holdings.hold('c1', 'second', '10.0.0.3', 3);
    holdings.hold('c1', 'primary', '10.0.0.4', 4); // replaces c1's first holding: it ends, the new one comes last
    expect(ended).toEqual(['c1|primary']);
    holdings.unholdClient('c1', 5);
    expect(ended).toEqual(['c1|primary', 'c1|second', 'c1|primary']);
    expect([...holdings.all()].map((h) => h.key)).toEqual(['c2|primary']);
    holdings.unholdClient('c1', 6);
    expect(ended).toHaveLength(3);
  });

  it('numbers holdings in the order all() lists them', () => {
    const holdings = new AddressHoldings();
    holdings.hold('a', 'primary', '10.0.0.1', 1);
    holdings.hold('b', 'primary', '10.0.0.2', 1);
    holdings.hold('a', 'primary', '10.0.0.3', 2);
    const seqs = [...holdings.all()].map((h) => h.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect([...holdings.all()].map((h) => h.key)).toEqual(['b|primary', 'a|primary']);
  });
});
