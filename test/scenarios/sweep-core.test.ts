import { describe, expect, it } from 'vitest';
import '../../scenarios/node.ts';
import { runScenario } from '../../scenarios/run.ts';
import type { PolicyValue } from '../../models/methods/policy.ts';
import { runJob, type SweepJob } from '../../scenarios/sweep-core.ts';

/** The record a job gave before loaded scenarios were reused: a fresh load and run per job. */
function freshRecord(job: SweepJob): { scenario: string; traceSha256: string; metrics: string; ok: boolean } {
  const r = runScenario(job.scenario, {
    method: job.method,
    seed: job.seed,
    params: job.params,
    options: job.options,
    keepTrace: false,
  });
  const { perClient: _p, links: _l, ...metrics } = r.metrics;
  return { scenario: r.scenario, traceSha256: r.traceSha256, metrics: JSON.stringify(metrics), ok: r.ok };
}

describe('runJob', () => {
  it('reuses a loaded scenario across seeds, params and options with the record of a fresh load', () => {
    // Interleaved so each job finds the cache holding other combinations: a reused scenario that a run had changed,
    // or a cache key missing params or options, would give another digest here.
    const jobs: SweepJob[] = [];
    const none: Record<string, PolicyValue> = {};
    for (const seed of [1, 2])
      for (const params of [none, { loss: 0.2 }])
        for (const options of [none, { retransmit: 'doubling' }])
          jobs.push({ scenario: 'lossy', params, method: 'mode-cfg', seed, options });
    const digests = new Set<string>();
    for (const job of jobs) {
      const r = runJob(job);
      const fresh = freshRecord(job);
      expect(r.error).toBeUndefined();
      expect({
        scenario: r.scenario,
        traceSha256: r.traceSha256,
        metrics: JSON.stringify(r.metrics),
        ok: r.ok,
      }).toEqual(fresh);
      expect([r.params, r.method, r.seed]).toEqual([job.params, job.method, job.seed]);
      digests.add(fresh.traceSha256);
    }
    // Seed, loss and the retransmission schedule each change the trace: eight jobs, eight digests.
    expect(digests.size).toBe(8);
  }, 60_000);

  it('reports a bad parameter on every job that has it, not only the first', () => {
    const job: SweepJob = { scenario: 'lossy', params: { nope: 1 }, method: 'mode-cfg', seed: 1, options: {} };
    const first = runJob(job);
    const second = runJob({ ...job, seed: 2 });
    expect(first.error).toContain('--param nope');
    expect(second.error).toBe(first.error);
    expect(second.traceSha256).toBeUndefined();
  });
});
