/**
 * `npm run bench -- sweep`: runs per second of the same sweep (lossy, mode-cfg, 64 seeds) with 1 and 2 worker
 * threads, and their ratio (goal ≥ 1.7 on 2 cores). Wall-clock timing is fine here: benchmarks are figures, not
 * simulation.
 */
import { sweep } from '../scenarios/sweep.ts';

const SEEDS = { from: 1, to: 64 };

async function timed(workers: number): Promise<{ runs: number; ms: number; digest: string }> {
  const start = performance.now();
  const r = await sweep('lossy', { seeds: SEEDS, methods: ['mode-cfg'], workers });
  const ms = performance.now() - start;
  return { runs: r.records.length, ms, digest: r.records.map((x) => x.traceSha256).join('') };
}

export async function run(): Promise<Record<string, number | boolean>> {
  await timed(1); // warm-up: module loading in the workers
  const one = await timed(1);
  const two = await timed(2);
  const perSec = (x: { runs: number; ms: number }): number => Math.round((x.runs * 1000 * 10) / x.ms) / 10;
  return {
    runs: one.runs,
    runsPerSec1Worker: perSec(one),
    runsPerSec2Workers: perSec(two),
    speedup: Math.round((one.ms / two.ms) * 100) / 100,
    identicalResults: one.digest === two.digest,
  };
}
