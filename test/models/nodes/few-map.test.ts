import { describe, expect, it } from 'vitest';
import { FewMap } from '../../../models/nodes/few-map.ts';

describe('FewMap', () => {
  it('gets, sets, deletes and clears like a Map', () => {
    const m = new FewMap<string, number>();
    expect(m.get('a')).toBeUndefined();
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    expect([m.size, m.get('a'), m.get('b'), m.has('c')]).toEqual([2, 3, 2, false]);
    expect(m.delete('a')).toBe(true);
    expect(m.delete('a')).toBe(false);
    expect([m.size, m.has('a'), m.get('b')]).toEqual([1, false, 2]);
    m.clear();
    expect(m.size).toBe(0);
  });

  it('iterates in first-insertion order, as a Map does', () => {
    const m = new FewMap<string, number>();
    const ref = new Map<string, number>();
    for (const [k, v] of [
      ['x', 1],
      ['y', 2],
      ['x', 3],
      ['z', 4],
    ] as const) {
      m.set(k, v);
      ref.set(k, v);
    }
    m.delete('y');
    ref.delete('y');
    m.set('y', 5);
    ref.set('y', 5);
    const seen: [string, number][] = [];
    m.forEach((v, k) => seen.push([k, v]));
    expect(seen).toEqual([...ref]);
  });
});
