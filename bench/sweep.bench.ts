/**
 * `npm run bench -- sweep`: runs per second of the same sweep (lossy, mode-cfg, 64 seeds) with 1 and 2 worker
 * threads, and their ratio (goal ≥ 1.7 on 2 cores). Wall-clock timing is fine here: benchmarks are figures, not
 * simulation. Each sweep starts its workers afresh (each registers tsx and loads the models: ~1 s), so the figures
 * are given twice: `total` (what a user waits for) and `net` (startup — a sweep of one job per worker — subtracted),
 * which is the steady-state rate the ratio goal is about. `loadAverage1m` tells whether the machine was shared.
 */
import { availableParallelism, loadavg } from 'node:os';
import { sweep } from '../scenarios/sweep.ts';

const SEEDS = { from: 1, to: 64 };

async function timed(workers: number, to: number): Promise<{ runs: number; ms: number; digest: string }> {
  const start = performance.now();
  const r = await sweep('lossy', { seeds: { from: SEEDS.from, to }, methods: ['mode-cfg'], workers });
  const ms = performance.now() - start;
  return { runs: r.records.length, ms, digest: r.records.map((x) => x.traceSha256).join('') };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

export async function run(): Promise<Record<string, number | boolean>> {
  const loadBefore = loadavg()[0] ?? 0;
  await timed(1, SEEDS.from); // warm-up: the OS file cache and this thread's modules
  const figures: Record<string, number> = {};
  const digests: string[] = [];
  for (const workers of [1, 2]) {
    const startup = await timed(workers, SEEDS.from + workers - 1);
    const all = await timed(workers, SEEDS.to);
    digests.push(all.digest);
    figures[`runsPerSec${workers}Total`] = round1((all.runs * 1000) / all.ms);
    figures[`runsPerSec${workers}Net`] = round1(((all.runs - startup.runs) * 1000) / Math.max(1, all.ms - startup.ms));
    figures[`startupMs${workers}`] = Math.round(startup.ms);
  }
  return {
    runs: SEEDS.to - SEEDS.from + 1,
    cores: availableParallelism(),
    loadAverage1m: round1(Math.max(loadBefore, loadavg()[0] ?? 0)),
    ...figures,
    speedupTotal: Math.round(((figures['runsPerSec2Total'] ?? 0) / (figures['runsPerSec1Total'] ?? 1)) * 100) / 100,
    speedupNet: Math.round(((figures['runsPerSec2Net'] ?? 0) / (figures['runsPerSec1Net'] ?? 1)) * 100) / 100,
    identicalResults: digests[0] === digests[1],
  };
}
