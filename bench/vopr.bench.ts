/**
 * Fault-schedule campaign throughput, per method: schedules per second in this thread (20 schedules each, fixed seeds,
 * up to 12 clients), with engine events per second, and in the same run the reference of the one-schedule cost that
 * is not the model: the same schedules' scenario documents loaded and built without running (so a ratio survives a
 * noisy machine). Figures, not pass/fail.
 */
import '../scenarios/node.ts';
import { buildRun } from '../scenarios/build.ts';
import { loadScenarioOrThrow } from '../scenarios/load.ts';
import { METHOD_IDS } from '../scenarios/method-registry.ts';
import { DEFAULT_BOUNDS, scheduleArb } from '../scenarios/vopr/arbitraries.ts';
import { campaignJobs, runScheduleJob, scheduleDocument } from '../scenarios/vopr/campaign.ts';
import fc from 'fast-check';

const SCHEDULES = 20;
const BOUNDS = { ...DEFAULT_BOUNDS, clientsMax: 12 };

export function run(): Record<string, unknown> {
  const perMethod: Record<string, unknown> = {};
  for (const [i, method] of METHOD_IDS.entries()) {
    const jobs = campaignJobs({
      methods: [method],
      schedules: SCHEDULES,
      seed: 1000 + i,
      bounds: BOUNDS,
      shrink: false,
      deterministicEvery: 0,
    });
    // Reference: generating, loading and building the same schedules, no simulation.
    let t0 = performance.now();
    for (const job of jobs) {
      const [schedule] = fc.sample(scheduleArb(BOUNDS), { seed: job.seed, numRuns: 1 });
      if (schedule === undefined) continue;
      buildRun(loadScenarioOrThrow(scheduleDocument(schedule, method, job.seed)), { method, seed: job.seed });
    }
    const buildMs = performance.now() - t0;
    t0 = performance.now();
    let events = 0;
    let failed = 0;
    for (const job of jobs) {
      const r = runScheduleJob({ ...job, shrink: false });
      events += r.events;
      if (r.violations.length > 0) failed++;
    }
    const runMs = performance.now() - t0;
    perMethod[method] = {
      schedules: SCHEDULES,
      failed,
      schedulesPerSec: Math.round((SCHEDULES * 10_000) / runMs) / 10,
      eventsPerSec: Math.round((events * 1000) / runMs),
      buildOnlySchedulesPerSec: Math.round((SCHEDULES * 10_000) / buildMs) / 10,
      runToBuildRatio: Math.round((runMs / buildMs) * 10) / 10,
    };
  }
  return { perMethod };
}
