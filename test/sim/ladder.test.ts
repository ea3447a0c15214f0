import { describe, expect, it } from 'vitest';
import { formatLadder, formatSeconds, ladderPackets } from '../../sim/ladder.ts';
import type { TraceEvent } from '../../sim/trace.ts';

// A hand-written trace: one packet delivered, one lost, one duplicated and reordered, one broadcast to two nodes.
const trace: TraceEvent[] = [
  { type: 'send', atUs: 0, node: 'client', iface: 'eth0', packetId: 1, length: 40, summary: 'A', bytes: '' },
  {
    type: 'deliver',
    atUs: 5000,
    node: 'gw',
    iface: 'wan',
    link: 'p0',
    dir: 'client→gw',
    packetId: 1,
    sentAtUs: 0,
    summary: 'A',
  },
  { type: 'send', atUs: 1_000_000, node: 'client', iface: 'eth0', packetId: 2, length: 40, summary: 'B', bytes: '' },
  {
    type: 'drop',
    atUs: 1_000_000,
    reason: 'loss',
    packetId: 2,
    node: 'client',
    link: 'p0',
    dir: 'client→gw',
    summary: 'B',
  },
  { type: 'send', atUs: 4_000_000, node: 'gw', iface: 'wan', packetId: 3, length: 40, summary: 'C', bytes: '' },
  {
    type: 'duplicate',
    atUs: 4_000_000,
    node: 'gw',
    link: 'p0',
    dir: 'gw→client',
    packetId: 4,
    originalId: 3,
    summary: 'C',
  },
  {
    type: 'deliver',
    atUs: 4_005_000,
    node: 'client',
    iface: 'eth0',
    link: 'p0',
    dir: 'gw→client',
    packetId: 3,
    sentAtUs: 4_000_000,
    summary: 'C',
  },
  {
    type: 'deliver',
    atUs: 4_009_000,
    node: 'client',
    iface: 'eth0',
    link: 'p0',
    dir: 'gw→client',
    packetId: 4,
    sentAtUs: 4_000_000,
    summary: 'C',
    reordered: true,
  },
  { type: 'send', atUs: 12_345_678, node: 'relay', iface: 'lan', packetId: 5, length: 300, summary: 'D', bytes: '' },
  {
    type: 'deliver',
    atUs: 12_345_778,
    node: 'srv1',
    iface: 'eth0',
    link: 'lan0',
    dir: 'relay→srv1',
    packetId: 5,
    sentAtUs: 12_345_678,
    summary: 'D',
  },
  {
    type: 'deliver',
    atUs: 12_345_778,
    node: 'srv2',
    iface: 'eth0',
    link: 'lan0',
    dir: 'relay→srv2',
    packetId: 5,
    sentAtUs: 12_345_678,
    summary: 'D',
  },
];

describe('ladder', () => {
  it('prints one line per packet: time, sender → receivers, summary, and what happened on the way', () => {
    expect(formatLadder(trace)).toEqual([
      ' 0.000000  client → gw         A',
      ' 1.000000  client ✗ gw         B   [dropped: loss]',
      ' 4.000000  gw → client         C   [client (dup) (reordered)]',
      '12.345678  relay → srv1, srv2  D',
    ]);
  });

  it('attributes a duplicate copy to its original packet', () => {
    const packets = ladderPackets(trace);
    expect(packets.map((p) => p.packetId)).toEqual([1, 2, 3, 5]);
    expect(packets[2]?.hops.map((h) => [h.to, h.duplicate, h.atUs])).toEqual([
      ['client', false, 4_005_000],
      ['client', true, 4_009_000],
    ]);
  });

  it('formats integer microseconds as seconds exactly', () => {
    expect(formatSeconds(0)).toBe('0.000000');
    expect(formatSeconds(165_060_000)).toBe('165.060000');
    expect(formatSeconds(1)).toBe('0.000001');
  });
});
