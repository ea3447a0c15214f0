import { describe, expect, it } from 'vitest';
import { fileId, idsOf, unfileId, type IdIndex } from '../../../../models/methods/gateway-relay/id-index.ts';

describe('id index (the relay’s per-SA indexes)', () => {
  it('keeps the ids of a key in filing order, a lone id as itself', () => {
    const index: IdIndex = new Map();
    fileId(index, 'peer', 'sa1');
    expect(index.get('peer')).toBe('sa1');
    fileId(index, 'peer', 'sa1');
    expect([...idsOf(index, 'peer')]).toEqual(['sa1']);
    fileId(index, 'peer', 'sa2');
    fileId(index, 'peer', 'sa3');
    expect([...idsOf(index, 'peer')]).toEqual(['sa1', 'sa2', 'sa3']);
    expect([...idsOf(index, 'other')]).toEqual([]);
  });

  it('drops a key once its last id is unfiled', () => {
    const index: IdIndex = new Map();
    fileId(index, 'a', 'sa1');
    unfileId(index, 'a', 'sa2');
    expect([...idsOf(index, 'a')]).toEqual(['sa1']);
    unfileId(index, 'a', 'sa1');
    expect(index.has('a')).toBe(false);
    fileId(index, 'b', 'sa1');
    fileId(index, 'b', 'sa2');
    unfileId(index, 'b', 'sa1');
    expect([...idsOf(index, 'b')]).toEqual(['sa2']);
    unfileId(index, 'b', 'sa2');
    expect(index.has('b')).toBe(false);
  });
});
