import { describe, expect, it } from 'vitest';
import { SMALL_BYTES_SLAB, smallBytes } from '../../../models/wire/small-bytes.ts';

describe('smallBytes: short-lived small byte arrays carved from a shared slab', () => {
  it('hands out zeroed views of the asked length, never the same range twice', () => {
    const a = smallBytes(20);
    const b = smallBytes(20);
    expect([a.length, b.length]).toEqual([20, 20]);
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 20);
    a.fill(0xaa);
    expect([...b]).toEqual(new Array<number>(20).fill(0));
    b.fill(0xbb);
    expect([...a]).toEqual(new Array<number>(20).fill(0xaa));
  });

  it('starts a new slab when the current one is full; a large request gets a buffer of its own', () => {
    const first = smallBytes(20);
    const perSlab = Math.floor(SMALL_BYTES_SLAB / 20);
    let last = first;
    for (let i = 0; i < perSlab; i++) last = smallBytes(20);
    expect(last.buffer).not.toBe(first.buffer);
    expect([...last]).toEqual(new Array<number>(20).fill(0));
    const large = smallBytes(65);
    expect([large.length, large.byteOffset, large.buffer.byteLength]).toEqual([65, 0, 65]);
  });

  it('aligns ranges to 4 bytes', () => {
    const odd = smallBytes(3);
    const next = smallBytes(4);
    expect(next.buffer === odd.buffer ? next.byteOffset - odd.byteOffset : 4).toBe(4);
  });
});
