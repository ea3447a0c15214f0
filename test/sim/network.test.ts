import { describe, expect, it } from 'vitest';
import type { LinkProfile } from '../../sim/link-profile.ts';
import type { FaultSpec } from '../../sim/faults.ts';
import { Simulation } from '../../sim/simulation.ts';
import type { DropEvent, TraceEvent, TraceLevel } from '../../sim/trace.ts';
import { TestNode, seqOf, sendSeries, testNode } from './support/test-node.ts';

function pair(profile: LinkProfile, faults: FaultSpec[] = [], level: TraceLevel = 'packets') {
  const a = testNode('a', '10.0.0.1', 30);
  const b = testNode('b', '10.0.0.2', 30);
  const sim = new Simulation(
    {
      nodes: [a, b],
      links: [
        { kind: 'p2p', name: 'p0', a: { node: 'a', iface: 'eth0' }, b: { node: 'b', iface: 'eth0' }, aToB: profile },
      ],
      faults,
    },
    { seed: 1, traceLevel: level },
  );
  sim.start();
  const at = (atUs: number, fn: () => void): void => {
    sim.scheduler.at(atUs, fn);
  };
  return { a, b, sim, at };
}

const drops = (events: readonly TraceEvent[]): DropEvent[] => events.filter((e): e is DropEvent => e.type === 'drop');
const N = 100_000;

describe('network: point-to-point delivery', () => {
  it('delivers after latency + serialisation, traced send → deliver with the same packet id', () => {
    const { a, b, sim, at } = pair({ latencyUs: 250, bandwidthBps: 8_000_000 });
    at(100, () => a.sendText('eth0', '10.0.0.2', 'hi'));
    sim.runUntilIdle();
    // 30 bytes at 8 Mb/s = 30 µs on the wire, then 250 µs of latency.
    expect(b.received.map((r) => r.atUs)).toEqual([380]);
    expect(b.received[0]!.packet.text).toBe('hi');
    expect(sim.trace.events.map((e) => `${e.type}@${e.atUs}#${'packetId' in e ? e.packetId : ''}`)).toEqual([
      'send@100#1',
      'deliver@380#1',
    ]);
    expect(sim.trace.events[0]).toEqual({
      type: 'send',
      atUs: 100,
      node: 'a',
      iface: 'eth0',
      packetId: 1,
      length: 30,
      summary: 'UDP 10.0.0.1:1000 → 10.0.0.2:2000 hi',
      bytes: '4500001e00000000401100000a0000010a00000203e807d0000a00006869',
    });
  });
});

describe('network: fault statistics over 100,000 packets', () => {
  it('independent loss within ±0.5 percentage points of 5 %', () => {
    const { a, b, sim, at } = pair({ latencyUs: 100, lossPpm: 50_000 }, [], 'none');
    sendSeries(a, at, '10.0.0.2', N, 10);
    sim.runUntilIdle();
    const lossRatio = 1 - b.received.length / N;
    expect(Math.abs(lossRatio - 0.05)).toBeLessThan(0.005);
    const m = sim.metrics().links[0]!;
    expect(m.offered).toBe(N);
    expect(m.dropped.loss).toBe(N - b.received.length);
    expect(m.delivered + m.dropped.loss).toBe(N);
  });

  it('Gilbert-Elliott: loss ≈ 10 % and mean burst length within 10 % of 4', () => {
    const { a, b, sim, at } = pair({ latencyUs: 100, lossPpm: 100_000, lossBurstLengthMean: 4 }, [], 'none');
    sendSeries(a, at, '10.0.0.2', N, 10);
    sim.runUntilIdle();
    const got = new Set(b.received.map(seqOf));
    const bursts: number[] = [];
    let run = 0;
    for (let s = 1; s <= N; s++) {
      if (!got.has(s)) run++;
      else if (run > 0) {
        bursts.push(run);
        run = 0;
      }
    }
    if (run > 0) bursts.push(run);
    const lost = N - got.size;
    expect(Math.abs(lost / N - 0.1)).toBeLessThan(0.01);
    const meanBurst = lost / bursts.length;
    expect(Math.abs(meanBurst - 4) / 4).toBeLessThan(0.1);
    expect(sim.metrics().links[0]!.dropped['burst-loss']).toBe(lost);
    expect(sim.metrics().packetsDropped.loss).toBe(0);
  });

  it('duplicates ≈ 2 % with their own ids referring to the original; reorders ≈ 3 % arrive late', () => {
    const { a, b, sim, at } = pair({
      latencyUs: 100,
      duplicatePpm: 20_000,
      reorderPpm: 30_000,
      reorderExtraDelayUs: 55,
    });
    sendSeries(a, at, '10.0.0.2', N, 10);
    sim.runUntilIdle();
    const m = sim.metrics().links[0]!;
    expect(Math.abs(m.duplicated / N - 0.02)).toBeLessThan(0.005);
    expect(Math.abs(m.reordered / (N + m.duplicated) - 0.03)).toBeLessThan(0.005);
    expect(b.received.length).toBe(N + m.duplicated);
    const dups = sim.trace.events.filter((e) => e.type === 'duplicate');
    expect(dups.length).toBe(m.duplicated);
    const first = dups[0]!;
    if (first.type !== 'duplicate') throw new Error('unreachable');
    expect(first.packetId).toBe(first.originalId + 1);
    // Out of order at the receiver: a packet whose sequence is below one already seen (duplicates excluded).
    let maxSeen = 0;
    let late = 0;
    const seen = new Set<number>();
    for (const r of b.received) {
      const s = seqOf(r);
      if (seen.has(s)) continue;
      seen.add(s);
      if (s < maxSeen) late++;
      maxSeen = Math.max(maxSeen, s);
    }
    expect(Math.abs(late / N - 0.03)).toBeLessThan(0.005);
    const reorderedDeliveries = sim.trace.events.filter((e) => e.type === 'deliver' && e.reordered === true).length;
    expect(reorderedDeliveries).toBe(m.reordered);
  });

  it('jitter stays within [latency, latency + jitter] and uses every value', () => {
    const { a, b, sim, at } = pair({ latencyUs: 100, jitterUs: 9 });
    sendSeries(a, at, '10.0.0.2', 10_000, 1000);
    sim.runUntilIdle();
    const delays = new Set(b.received.map((r) => r.atUs - (seqOf(r) - 1) * 1000));
    expect([...delays].sort((x, y) => x - y)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  });
});

describe('network: deterministic faults', () => {
  it('a partition delivers nothing until healed', () => {
    const { a, b, sim, at } = pair({ latencyUs: 10 }, [
      { type: 'partition', atUs: 1000, groups: [['a'], ['b']], id: 'split' },
      { type: 'partition.heal', atUs: 5000, partition: 'split' },
    ]);
    sendSeries(a, at, '10.0.0.2', 10, 1000);
    sim.runUntilIdle();
    expect(b.received.map(seqOf)).toEqual([1, 6, 7, 8, 9, 10]);
    expect(drops(sim.trace.events).map((d) => `${d.reason}@${d.atUs}`)).toEqual([
      'partition@1000',
      'partition@2000',
      'partition@3000',
      'partition@4000',
    ]);
    expect(sim.trace.events.filter((e) => e.type === 'fault')).toEqual([
      { type: 'fault', atUs: 1000, fault: 'partition', id: 'split', detail: 'nodes [a] | [b]' },
      { type: 'fault', atUs: 5000, fault: 'partition.heal', id: 'partition.heal#1', detail: 'partition split' },
    ]);
  });

  it('a full queue tail-drops (queue-full traced) and the rest leave at the line rate', () => {
    // 1000-byte datagrams at 1 Mb/s take 8 ms each; three fit (one sending, two waiting).
    const { a, b, sim, at } = pair({ latencyUs: 500, bandwidthBps: 1_000_000, queuePacketsMax: 3 });
    at(0, () => {
      for (let i = 1; i <= 5; i++) a.sendText('eth0', '10.0.0.2', `seq=${i}`.padEnd(972, '.'));
    });
    at(8000, () => a.sendText('eth0', '10.0.0.2', 'seq=6'.padEnd(972, '.')));
    sim.runUntilIdle();
    expect(
      b.received.map((r) => [
        seqOf({ ...r, packet: { ...r.packet, text: r.packet.text.replace(/\.+$/, '') } }),
        r.atUs,
      ]),
    ).toEqual([
      [1, 8500],
      [2, 16500],
      [3, 24500],
      [6, 32500],
    ]);
    expect(drops(sim.trace.events).map((d) => `${d.reason}#${d.packetId}@${d.atUs}`)).toEqual([
      'queue-full#4@0',
      'queue-full#5@0',
    ]);
    expect(sim.metrics().links[0]!.dropped['queue-full']).toBe(2);
  });

  it('a queue bounded in bytes drops what does not fit', () => {
    const { a, b, sim, at } = pair({ bandwidthBps: 1_000_000, queueBytesMax: 100 });
    at(0, () => {
      for (let i = 1; i <= 4; i++) a.sendText('eth0', '10.0.0.2', `seq=${i}`.padEnd(12, '.'));
    });
    sim.runUntilIdle();
    // 40-byte datagrams: two fit in 100 bytes.
    expect(b.received.map((r) => r.atUs)).toEqual([320, 640]);
    expect(sim.metrics().links[0]!.dropped['queue-full']).toBe(2);
  });

  it('MTU: a datagram over the MTU is dropped and traced with its size', () => {
    const { a, b, sim, at } = pair({ mtuBytes: 576 });
    at(0, () => a.sendText('eth0', '10.0.0.2', 'x'.repeat(548)));
    at(1, () => a.sendText('eth0', '10.0.0.2', 'x'.repeat(549)));
    sim.runUntilIdle();
    expect(b.received.map((r) => r.packet.text.length)).toEqual([548]);
    expect(drops(sim.trace.events).map((d) => [d.reason, d.packetId, d.detail])).toEqual([['mtu', 2, '577 > mtu 576']]);
  });

  it('targeted drop: exactly the n-th packet on the direction', () => {
    const { a, b, sim, at } = pair({ latencyUs: 10 }, [
      { type: 'drop.nth', atUs: 0, link: 'p0', from: 'a', to: 'b', n: 3, id: 'lose-third' },
    ]);
    sendSeries(a, at, '10.0.0.2', 6, 100);
    sim.runUntilIdle();
    expect(b.received.map(seqOf)).toEqual([1, 2, 4, 5, 6]);
    expect(drops(sim.trace.events)).toEqual([
      {
        type: 'drop',
        atUs: 200,
        reason: 'targeted',
        packetId: 3,
        node: 'a',
        link: 'p0',
        dir: 'a→b',
        summary: 'UDP 10.0.0.1:1000 → 10.0.0.2:2000 seq=3',
        detail: 'lose-third',
      },
    ]);
  });

  it('targeted drop: the first packet whose summary matches (substring, and RegExp source with a count)', () => {
    const { a, b, sim, at } = pair({ latencyUs: 10 }, [
      { type: 'drop.match', atUs: 0, match: 'seq=4' },
      { type: 'drop.match', atUs: 0, match: 'seq=(7|8|9)$', regex: true, count: 2 },
    ]);
    sendSeries(a, at, '10.0.0.2', 12, 100);
    sim.runUntilIdle();
    // "seq=4" drops #4 only (not #40: there is none, and the drop is spent after one).
    expect(b.received.map(seqOf)).toEqual([1, 2, 3, 5, 6, 9, 10, 11, 12]);
    expect(drops(sim.trace.events).map((d) => `${d.packetId}:${d.detail}`)).toEqual([
      '4:drop.match#0',
      '7:drop.match#1',
      '8:drop.match#1',
    ]);
  });

  it('targeted drops work at trace level none too (summaries computed when a drop.match exists)', () => {
    const a = testNode('a', '10.0.0.1', 30);
    const b = testNode('b', '10.0.0.2', 30);
    const sim = new Simulation(
      {
        nodes: [a, b],
        links: [{ kind: 'p2p', name: 'p0', a: { node: 'a', iface: 'eth0' }, b: { node: 'b', iface: 'eth0' } }],
        faults: [{ type: 'drop.match', atUs: 0, match: 'seq=2' }],
      },
      { seed: 1, traceLevel: 'none' },
    );
    sim.start();
    sendSeries(a, (t, fn) => sim.scheduler.at(t, fn), '10.0.0.2', 3, 100);
    sim.runUntilIdle();
    expect(b.received.map(seqOf)).toEqual([1, 3]);
    expect(sim.trace.events).toEqual([]);
    expect(sim.metrics().packetsDropped.targeted).toBe(1);
  });

  it('link down then up', () => {
    const { a, b, sim, at } = pair({ latencyUs: 10 }, [
      { type: 'link.down', atUs: 150, link: 'p0' },
      { type: 'link.up', atUs: 350, link: 'p0' },
    ]);
    sendSeries(a, at, '10.0.0.2', 5, 100);
    sim.runUntilIdle();
    expect(b.received.map(seqOf)).toEqual([1, 2, 5]);
    expect(drops(sim.trace.events).map((d) => `${d.reason}#${d.packetId}`)).toEqual(['link-down#3', 'link-down#4']);
  });

  it('crash loses packets in flight, calls crash/restart, kills timers armed before the crash', () => {
    const { a, b, sim, at } = pair({ latencyUs: 200 }, [
      { type: 'node.crash', atUs: 500, node: 'b' },
      { type: 'node.restart', atUs: 700, node: 'b' },
    ]);
    const fired: string[] = [];
    at(0, () => b.host.setTimerUs(600, 'before-crash', () => fired.push('before')));
    at(0, () => b.host.clock.setTimeout(() => fired.push('clock-before'), 0.6));
    at(710, () => b.host.setTimerUs(100, 'after-restart', () => fired.push('after')));
    at(400, () => a.sendText('eth0', '10.0.0.2', 'seq=1')); // in flight at the crash: lost at 600
    at(550, () => a.sendText('eth0', '10.0.0.2', 'seq=2')); // sent while b is down, arrives at 750 after the restart
    at(800, () => a.sendText('eth0', '10.0.0.2', 'seq=3')); // arrives at 1000
    at(600, () => b.sendText('eth0', '10.0.0.1', 'from-dead-b')); // a crashed node sends nothing
    sim.runUntilIdle();
    expect(b.crashes).toBe(1);
    expect(b.restarts).toBe(1);
    expect(b.received.map((r) => [seqOf(r), r.atUs])).toEqual([
      [2, 750],
      [3, 1000],
    ]);
    expect(a.received).toEqual([]);
    expect(fired).toEqual(['after']);
    expect(
      drops(sim.trace.events).map((d) => `${d.reason}#${d.packetId}@${d.atUs}:${d.node}:${d.link ?? '-'}`),
    ).toEqual(['node-down#3@600:b:-', 'node-down#1@600:b:p0']);
    expect(sim.trace.events.filter((e) => e.type === 'fault').map((e) => (e.type === 'fault' ? e.detail : ''))).toEqual(
      ['node b', 'node b'],
    );
  });
});

describe('network: in-flight records reused', () => {
  it('a packet sent after others arrived (or were lost at a crash) carries its own bytes, id, send time and epoch', () => {
    // b crashes at 500 and restarts at 520: seq=1..3 fly at the crash and are lost (their records go spare with the
    // old epoch), seq=4..9 are sent after, some while earlier ones still fly, each on a reused or new record.
    const { a, b, sim, at } = pair({ latencyUs: 100, jitterUs: 60 }, [
      { type: 'node.crash', atUs: 500, node: 'b' },
      { type: 'node.restart', atUs: 520, node: 'b' },
    ]);
    for (let i = 1; i <= 3; i++) at(400 + i, () => a.sendText('eth0', '10.0.0.2', `seq=${i}`));
    for (let i = 4; i <= 9; i++) at(600 + 30 * i, () => a.sendText('eth0', '10.0.0.2', `seq=${i}`));
    sim.runUntilIdle();
    const got = b.received.map((r) => [seqOf(r), r.packet.text]);
    expect(got).toEqual([4, 5, 6, 7, 8, 9].map((i) => [i, `seq=${i}`]));
    const delivered = sim.trace.events.filter((e) => e.type === 'deliver');
    expect(delivered.map((e) => (e.type === 'deliver' ? [e.packetId, e.sentAtUs] : []))).toEqual(
      [4, 5, 6, 7, 8, 9].map((i) => [i, 600 + 30 * i]),
    );
    // Lost in arrival order (jitter): the one at 523 arrives after the restart, in the old epoch.
    expect(drops(sim.trace.events).map((d) => `${d.reason}#${d.packetId}@${d.atUs}`)).toEqual([
      'node-down#2@508',
      'node-down#3@520',
      'node-down#1@523',
    ]);
  });
});

describe('network: shared segment', () => {
  function lan() {
    const a = testNode('a', '10.0.0.1');
    const b = testNode('b', '10.0.0.2');
    const c = testNode('c', '10.0.0.3');
    const gw = new TestNode('gw', [
      { name: 'lan', address: '10.0.0.254', prefixLength: 24 },
      { name: 'wan', address: '192.0.2.1', prefixLength: 24 },
    ]);
    const sim = new Simulation(
      {
        nodes: [a, b, c, gw],
        links: [
          {
            kind: 'segment',
            name: 'lan0',
            attach: [
              { node: 'a', iface: 'eth0' },
              { node: 'b', iface: 'eth0' },
              { node: 'c', iface: 'eth0' },
              { node: 'gw', iface: 'lan' },
            ],
            profile: { latencyUs: 50 },
            profiles: { 'a→c': { latencyUs: 70 } },
            routes: [{ prefix: '0.0.0.0/0', via: 'gw' }],
          },
        ],
      },
      { seed: 1, traceLevel: 'packets' },
    );
    sim.start();
    return { a, b, c, gw, sim };
  }

  it('broadcast (limited and directed) reaches every other node; per-pair profiles apply', () => {
    const { a, b, c, gw, sim } = lan();
    sim.scheduler.at(0, () => a.sendText('eth0', '255.255.255.255', 'all'));
    sim.scheduler.at(1000, () => a.sendText('eth0', '10.0.0.255', 'directed'));
    sim.runUntilIdle();
    expect(a.received).toEqual([]);
    expect(b.received.map((r) => [r.packet.text, r.atUs])).toEqual([
      ['all', 50],
      ['directed', 1050],
    ]);
    expect(c.received.map((r) => [r.packet.text, r.atUs])).toEqual([
      ['all', 70],
      ['directed', 1070],
    ]);
    expect(gw.received.map((r) => [r.packet.text, r.iface, r.atUs])).toEqual([
      ['all', 'lan', 50],
      ['directed', 'lan', 1050],
    ]);
    const delivers = sim.trace.events
      .filter((e) => e.type === 'deliver')
      .map((e) => (e.type === 'deliver' ? `${e.packetId}:${e.dir}` : ''));
    expect(delivers).toEqual(['1:a→b', '1:a→gw', '1:a→c', '2:a→b', '2:a→gw', '2:a→c']);
  });

  it('unicast reaches only the owner; off-segment goes to the route; an address change moves delivery', () => {
    const { a, b, c, gw, sim } = lan();
    sim.scheduler.at(0, () => a.sendText('eth0', '10.0.0.3', 'to-c'));
    sim.scheduler.at(100, () => a.sendText('eth0', '198.51.100.7', 'far'));
    sim.scheduler.at(200, () => c.host.setInterfaceAddress('eth0', '10.0.0.33', 24));
    sim.scheduler.at(300, () => a.sendText('eth0', '10.0.0.33', 'to-c-new'));
    sim.runUntilIdle();
    expect(b.received).toEqual([]);
    expect(c.received.map((r) => r.packet.text)).toEqual(['to-c', 'to-c-new']);
    expect(gw.received.map((r) => r.packet.text)).toEqual(['far']);
  });

  it('unicast to an address nobody owns, without a route, is dropped no-route', () => {
    const a = testNode('a', '10.0.0.1');
    const b = testNode('b', '10.0.0.2');
    const sim = new Simulation(
      {
        nodes: [a, b],
        links: [
          {
            kind: 'segment',
            name: 'lan0',
            attach: [
              { node: 'a', iface: 'eth0' },
              { node: 'b', iface: 'eth0' },
            ],
          },
        ],
      },
      { seed: 1, traceLevel: 'packets' },
    );
    sim.start();
    sim.scheduler.at(5, () => a.sendText('eth0', '10.0.0.9', 'nobody'));
    sim.runUntilIdle();
    expect(drops(sim.trace.events)).toEqual([
      {
        type: 'drop',
        atUs: 5,
        reason: 'no-route',
        packetId: 1,
        node: 'a',
        summary: 'UDP 10.0.0.1:1000 → 10.0.0.9:2000 nobody',
        detail: 'no route to 10.0.0.9 on lan0',
      },
    ]);
    expect(sim.metrics().packetsDropped['no-route']).toBe(1);
  });
});
