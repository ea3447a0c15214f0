import { describe, expect, it } from 'vitest';
import { compare } from '../../scenarios/compare.ts';
import { registeredMethods } from '../../scenarios/method-registry.ts';
import { runScenario } from '../../scenarios/run.ts';
import { mergeRecords, sweep } from '../../scenarios/sweep.ts';

describe('same seed ⇒ same trace digest, everywhere', () => {
  it('run, compare, and sweep with 0, 1 and 2 workers and with 2 shards merged', async () => {
    // Each digest below comes from its own run: two runs of one (scenario, seed, params) must agree, and another
    // seed or another parameter value must give another digest (a digest that ignored the seed would pass otherwise).
    const digest = (seed: number, loss: number): string =>
      runScenario('lossy', { method: 'mode-cfg', seed, params: { loss }, keepTrace: false }).traceSha256;
    const run3 = runScenario('lossy', { method: 'mode-cfg', seed: 3, keepTrace: false }).traceSha256;
    const run4 = runScenario('lossy', { method: 'mode-cfg', seed: 4, keepTrace: false }).traceSha256;
    expect(runScenario('lossy', { method: 'mode-cfg', seed: 3, keepTrace: false }).traceSha256).toBe(run3);
    expect(run4).not.toBe(run3);
    // The scenario's default loss is 0.05: naming it changes nothing.
    expect(digest(3, 0.05)).toBe(run3);
    const lossy3 = digest(3, 0.2);
    const lossy4 = digest(4, 0.2);
    expect(digest(3, 0.2)).toBe(lossy3);
    expect(new Set([run3, run4, lossy3, lossy4]).size).toBe(4);
    const c = compare('lossy', { seed: 3, methods: ['mode-cfg'] });
    expect(c.results.map((r) => [r.method, r.traceSha256])).toEqual([['mode-cfg', run3]]);

    const options = { seeds: { from: 3, to: 4 }, methods: ['mode-cfg' as const], params: { loss: [0.05, 0.2] } };
    const inThread = await sweep('lossy', { ...options, workers: 0 });
    const one = await sweep('lossy', { ...options, workers: 1 });
    const two = await sweep('lossy', { ...options, workers: 2 });
    const shard1 = await sweep('lossy', { ...options, workers: 1, shard: { index: 1, count: 2 } });
    const shard2 = await sweep('lossy', { ...options, workers: 1, shard: { index: 2, count: 2 } });
    const merged = mergeRecords([shard2.records, shard1.records]);
    const expected = [
      [{ loss: 0.05 }, 3, run3],
      [{ loss: 0.05 }, 4, run4],
      [{ loss: 0.2 }, 3, lossy3],
      [{ loss: 0.2 }, 4, lossy4],
    ];
    expect(inThread.records.map((r) => [r.params, r.seed, r.traceSha256])).toEqual(expected);
    expect(shard1.records.length).toBe(2);
    for (const other of [one.records, two.records, merged]) {
      expect(other.map((r) => [r.params, r.seed, r.traceSha256])).toEqual(expected);
      expect(JSON.stringify(other)).toBe(JSON.stringify(inThread.records));
    }
  }, 120_000);
});

describe('compare', () => {
  it('runs the registered methods of a scenario and lists the others as skipped', () => {
    const c = compare('basic');
    expect(c.results.map((r) => r.method)).toEqual(registeredMethods());
    expect(c.results.map((r) => r.method)).toContain('mode-cfg');
    expect(c.skipped.map((s) => s.method).sort()).toEqual(
      ['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg-dhcp', 'dhcp-over-ipsec']
        .filter((m) => !registeredMethods().includes(m as never))
        .sort(),
    );
  });
});
