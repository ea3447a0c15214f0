/**
 * The SA table's indexes: one record under a key, or several in table order (oldest first) — as a scan of the table
 * in order would find them — through adds, removals and the move back to a single record.
 */
import { describe, expect, it } from 'vitest';
import type { ChildSa } from '../../../../models/ike/sa.ts';
import { SaTable } from '../../../../models/nodes/gateway/sa-table.ts';
import { tsRange } from '../../../../models/wire/ike/index.ts';

const child = (spiIn: number, address: string): ChildSa => ({
  spiIn,
  spiOut: spiIn + 1,
  suite: 'aes128gcm16',
  tsi: [tsRange(address, address)],
  tsr: [tsRange('10.1.0.0', '10.1.0.255')],
});

describe('SaTable indexes', () => {
  it('one identity or address under several SAs: oldest first, and back to one when the others go', () => {
    const table = new SaTable();
    const a = table.add('a', { id: 'ra' }, '192.0.2.1');
    const b = table.add('b', { id: 'rb' }, '192.0.2.2');
    const c = table.add('c', { id: 'rc' }, '192.0.2.3');
    // Set out of table order: the answer is still in table order.
    table.setPeer(c, 'p@example.com');
    table.setPeer(a, 'p@example.com');
    expect(table.ofPeer('p@example.com').map((r) => r.id)).toEqual(['a', 'c']);
    table.setPeer(b, 'p@example.com');
    expect(table.ofPeer('p@example.com').map((r) => r.id)).toEqual(['a', 'b', 'c']);
    table.remove(a);
    table.remove(c);
    expect(table.ofPeer('p@example.com').map((r) => r.id)).toEqual(['b']);
    table.remove(b);
    expect(table.ofPeer('p@example.com')).toEqual([]);

    const d = table.add('d', { id: 'rd' }, '192.0.2.4');
    const e = table.add('e', { id: 're' }, '192.0.2.5');
    table.setAddress(e, '10.99.0.7');
    table.setAddress(d, '10.99.0.7');
    expect(table.holding('10.99.0.7').map((r) => r.id)).toEqual(['d', 'e']);
    table.clearAddress(d);
    expect(table.holding('10.99.0.7').map((r) => r.id)).toEqual(['e']);
  });

  it('ESP SPIs and inner addresses name their SA; replaced children leave the indexes', () => {
    const table = new SaTable();
    const a = table.add('a', { id: 'ra' }, '192.0.2.1');
    const b = table.add('b', { id: 'rb' }, '192.0.2.2');
    table.setChildren(a, [child(0x1000, '10.99.0.1')]);
    table.setChildren(b, [child(0x2000, '10.99.0.2')]);
    expect(table.espChild(0x1000)?.rec.id).toBe('a');
    expect(table.espChild(0x2000)?.child.tsi[0]).toEqual(tsRange('10.99.0.2', '10.99.0.2'));
    expect(table.routesTo('10.99.0.1').map((r) => r.id)).toEqual(['a']);
    table.setChildren(a, [child(0x3000, '10.99.0.1')]);
    expect(table.espChild(0x1000)).toBeUndefined();
    expect(table.espChild(0x3000)?.rec.id).toBe('a');
    table.remove(a);
    expect(table.routesTo('10.99.0.1')).toEqual([]);
    expect(table.routesTo('10.99.0.2').map((r) => r.id)).toEqual(['b']);
  });
});
