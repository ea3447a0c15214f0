/**
 * Issue 14 item 3: the Child SA rekey that carries DHCP(REQUEST) comes at min(configured lifetime, the policy's share
 * of T1) (draft-richardson §2 "no later than T1"; the configured lifetime is the operator's, RFC 7296 §2.8), and a
 * renewal riding a rekey does not postpone the next rekey past the configured lifetime.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { noteLines } from './dhcp-over-ike-helpers.ts';

function rekeyScenario(leaseSecs: number): object {
  const base = JSON.parse(
    readFileSync(new URL('../../../scenarios/library/basic.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const topology = structuredClone(base['topology']) as { dhcpServers: { pools: { leaseSecs: number }[] }[] };
  const pool = topology.dhcpServers[0]?.pools[0];
  if (pool !== undefined) pool.leaseSecs = leaseSecs;
  return {
    ...base,
    name: 'rekey-lifetime',
    durationMs: 80_000,
    topology,
    workload: { actions: [{ atMs: 0, action: 'connect', nodes: 'client1' }], childRekeySecs: 25 },
    expectations: [],
  };
}

const rekeyTimes = (trace: Parameters<typeof noteLines>[0]): string[] =>
  noteLines(trace, /^client\.childRekeyed$/).map((l) => l.split(' ')[0] ?? '');

describe('Child SA rekey lifetime under a DHCP lease (issue 14 item 3)', () => {
  for (const method of ['dhcp-over-ike', 'dhcp-over-ike-wg'] as const) {
    it(`${method}: a 3600 s lease and childRekeySecs=25 rekey every ~25 s (T1 share 1620 s is later)`, () => {
      const out = runScenario(rekeyScenario(3600), { method });
      const times = rekeyTimes(out.trace).map(Number);
      expect(times.length).toBe(3);
      // Each rekey ≤ 25 s after the previous Child SA (the renewal it carries re-arms at min(T1 share, 25 s)).
      let prev = 0;
      for (const t of times) {
        expect(t - prev).toBeLessThanOrEqual(25.1);
        expect(t - prev).toBeGreaterThan(24.9);
        prev = t;
      }
      expect(out.metrics.failures.total).toBe(0);
    });
  }

  it('dhcp-over-ike: a 40 s lease (T1 20 s, 90 % = 18 s) still rekeys at the T1 share, before 25 s', () => {
    const out = runScenario(rekeyScenario(40), { method: 'dhcp-over-ike' });
    const first = Number(rekeyTimes(out.trace)[0]);
    expect(first).toBeGreaterThan(17.9);
    expect(first).toBeLessThan(18.1);
  });
});
