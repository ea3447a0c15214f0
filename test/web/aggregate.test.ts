/**
 * The aggregate view's series (web/model/aggregate.ts) and the picked clients' trace (web/model/aggregate-picks.ts):
 * exact on a hand-written trace; on real runs, the series end where the run's metrics say (addressed, DHCP queue
 * peak, retransmissions), the state counts never exceed the clients; the picks are a subsequence of the trace with
 * every event of a picked client and nothing of the others.
 */
import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { METHOD_IDS, runScenario, type ScenarioRunResult } from '../../scenarios/browser.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import { aggregateTrace, bucketWidthUs, topState } from '../../web/model/aggregate.ts';
import { tracePicks } from '../../web/model/aggregate-picks.ts';

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
/** storm-1000 sized down by its own parameters: 60 clients (past the aggregate threshold), crash at 10 s, 20 s. */
const STORM_60 = { clients: 60, durationMs: 20_000, crashMs: 10_000, restartMs: 11_000 } as const;

describe('aggregate series', () => {
  it('buckets a hand-written trace exactly', () => {
    const trace: TraceEvent[] = [
      { type: 'state', atUs: 0, node: 'c1', machine: 'ike', from: 'none', to: 'idle' },
      { type: 'state', atUs: 0, node: 'c2', machine: 'ike', from: 'none', to: 'idle' },
      { type: 'state', atUs: 150, node: 'c1', machine: 'ike', from: 'idle', to: 'established.window.ready' },
      { type: 'note', atUs: 160, node: 'c1', text: 'address.assigned', data: { address: '10.0.0.5' } },
      { type: 'note', atUs: 160, node: 'c1', text: 'client.configured', data: { address: '10.0.0.5' } },
      { type: 'note', atUs: 170, node: 'dhcp', text: 'dhcp.queue', data: { length: 2 } },
      { type: 'note', atUs: 180, node: 'dhcp', text: 'dhcp.queue', data: { length: 1 } },
      { type: 'state', atUs: 250, node: 'gw', machine: 'ike:0011', from: 'start', to: 'initDone' },
      { type: 'note', atUs: 320, node: 'c1', text: 'address.released', data: { address: '10.0.0.5' } },
      { type: 'state', atUs: 399, node: 'c2', machine: 'ike', from: 'idle', to: 'established.window.busy' },
    ];
    const a = aggregateTrace(trace, ['c1', 'c2'], 400, 4);
    expect(a.bucketUs).toBe(100);
    expect(a.buckets).toBe(5);
    expect(a.addressed).toEqual([0, 1, 1, 1, 1]);
    expect(a.holding).toEqual([0, 1, 1, 0, 0]);
    expect(a.dhcpQueue).toEqual([0, 2, 0, 0, 0]);
    expect(a.retransmits).toEqual({ ike: [0, 0, 0, 0, 0], dhcp: [0, 0, 0, 0, 0] });
    // Gateway machines are not counted; `established.window.ready` counts as `established`.
    expect(a.machines).toEqual([
      {
        machine: 'ike',
        states: ['idle', 'established'],
        counts: [
          [2, 1, 1, 0, 0],
          [0, 1, 1, 2, 2],
        ],
      },
    ]);
  });

  it('names the top-level state and sizes buckets', () => {
    expect(topState('established.window.ready')).toBe('established');
    expect(topState('BOUND')).toBe('BOUND');
    expect(bucketWidthUs(240_000_000)).toBe(1_000_000);
    expect(bucketWidthUs(0)).toBe(1);
  });

  const runs = new Map<string, ScenarioRunResult>();
  const storm = (method: (typeof METHOD_IDS)[number]): ScenarioRunResult => {
    let r = runs.get(method);
    if (!r) runs.set(method, (r = runScenario('storm-1000', { method, params: STORM_60 })));
    return r;
  };

  it.each(METHOD_IDS)('%s storm of 60: series end at the run metrics, state counts within the clients', (method) => {
    const r = storm(method);
    const a = aggregateTrace(r.trace, r.roles.clients, r.metrics.durationUs);
    expect(a.clients).toBe(60);
    expect(a.buckets * a.bucketUs).toBeGreaterThan(r.metrics.durationUs);
    expect(a.addressed.at(-1)).toBe(r.metrics.addressed);
    expect(Math.max(...a.dhcpQueue)).toBe(r.metrics.dhcpQueuePeak);
    expect(sum(a.retransmits.ike)).toBe(r.metrics.retransmits.ike);
    expect(sum(a.retransmits.dhcp)).toBe(r.metrics.retransmits.dhcp);
    expect(sum(a.retransmits.ike)).toBeGreaterThan(0);
    // Addressed (so far) never falls; holding is a level, within the clients.
    for (let b = 1; b < a.buckets; b++) expect(a.addressed[b]).toBeGreaterThanOrEqual(a.addressed[b - 1] as number);
    expect(Math.max(...a.holding)).toBeLessThanOrEqual(60);
    expect(a.machines.map((m) => m.machine)).toContain('connection');
    for (const m of a.machines)
      for (let b = 0; b < a.buckets; b++) {
        const total = sum(m.counts.map((c) => c[b] ?? 0));
        expect(total).toBeLessThanOrEqual(60);
        expect(m.counts.every((c) => (c[b] ?? 0) >= 0)).toBe(true);
      }
    // Same trace, same series.
    expect(aggregateTrace(r.trace, r.roles.clients, r.metrics.durationUs)).toEqual(a);
  });
});

describe('picked clients', () => {
  const r = runScenario('storm-1000', { method: 'dhcp-over-ike', params: STORM_60 });
  const clients = r.roles.clients;
  const packetEvents = new Set(['send', 'deliver', 'drop', 'duplicate']);

  fcTest.prop([fc.subarray([...clients], { maxLength: 6 })], { numRuns: 25 })(
    'a subsequence with every event of the picked clients and none of the others',
    (picks) => {
      const out = tracePicks(r.trace, picks);
      const picked = new Set(picks);
      // Subsequence, in trace order.
      let i = 0;
      for (const e of out) {
        while (i < r.trace.length && r.trace[i] !== e) i++;
        expect(i).toBeLessThan(r.trace.length);
        i++;
      }
      const nodeEvents = (keep: (node: string) => boolean): TraceEvent[] =>
        r.trace.filter((e) => !packetEvents.has(e.type) && 'node' in e && keep(e.node));
      expect(out.filter((e) => !packetEvents.has(e.type) && e.type !== 'fault')).toEqual(
        nodeEvents((n) => picked.has(n)),
      );
      // Every packet drawn was sent by or to a picked client, and every packet a picked client sent is drawn.
      const touches = new Set<number>();
      for (const e of r.trace)
        if (
          (e.type === 'send' && picked.has(e.node)) ||
          ((e.type === 'deliver' || e.type === 'drop') &&
            (picked.has(e.node) || (e.dir ?? '').split('→').some((n) => picked.has(n))))
        )
          touches.add(e.packetId);
      for (const e of out) if (e.type === 'send' || e.type === 'deliver') expect(touches.has(e.packetId)).toBe(true);
      const sentByPicked = r.trace.filter((e) => e.type === 'send' && picked.has(e.node));
      expect(out.filter((e) => e.type === 'send' && picked.has(e.node))).toEqual(sentByPicked);
    },
  );

  it('all faults and nothing else when no client is picked', () => {
    expect(tracePicks(r.trace, [])).toEqual(r.trace.filter((e) => e.type === 'fault'));
  });
});
