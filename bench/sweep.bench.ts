/**
 * `npm run bench -- sweep`: runs per second of the same sweep (lossy, mode-cfg, 256 seeds: long enough that worker
 * start-up and JIT warm-up stop dominating) with 1 and 2 worker threads, and their ratio (goal ≥ 1.7 on 2 cores). Wall-clock timing is fine here: benchmarks are figures, not
 * simulation. Each sweep starts its workers afresh (each loads the models: ~1 s through tsx), so the figures
 * are given twice: `total` (what a user waits for) and `net` (startup — a sweep of one job per worker — subtracted),
 * which is the steady-state rate the ratio goal is about. `referenceSpeedup` is what two threads gain here on
 * allocation-heavy work in the same run; `loadAverage1m` tells whether the machine was shared. The workers are the
 * ones `dhcpike sweep` would start: the prebuilt bundle's (`npm run build:cli`) when it is fresh, else the tsx ones
 * (DHCPIKE_NO_BUNDLE=1 forces them); `worker` says which, `workerWhy` why not the bundle.
 *
 * Why two workers gain less than the reference (Linux only, from /proc/self/task): `backgroundCpuShare1` is the CPU of
 * the threads that were there before the 1-worker sweep started (V8's platform threads: parallel scavenge, concurrent
 * marking and sweeping, the array-buffer sweeper, concurrent TurboFan compiles; and libuv's pool) as a share of the
 * worker thread's own. With one worker those threads run on the idle second core for free; with two workers every
 * core is busy and they take turns with the workers, so a worker-bound speedup cannot exceed
 * `ceilingSpeedup` = 2 / (1 + backgroundCpuShare1).
 *
 * `cpuMsPerRun1Net` and `cpuMsPerRun2Net`: the process's CPU (all threads) per run, start-up subtracted as for `net`.
 * Less sensitive to a shared machine than the wall-clock figures; with both cores busy, runs per second cannot exceed
 * 2000 / cpuMsPerRun2Net. Two workers spend more per run than one: each JIT-compiles the same code for its own
 * isolate (V8 shares no optimized code between isolates; TurboFan's background compiles are most of the background
 * CPU over a worker's first ~60 runs), and the two share the caches.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bundleChoice } from '../bin/cli-bundle.js';
import { sweep } from '../scenarios/sweep.ts';

const SEEDS = { from: 1, to: 256 };

/** bin/dhcpike.js's choice: a fresh bundle runs the CLI, and the bundled CLI starts the bundled worker. */
const CHOICE = bundleChoice();
const WORKER_URL = CHOICE.use ? new URL('sweep-worker.mjs', CHOICE.dirUrl) : undefined;

async function timed(workers: number, to: number): Promise<{ runs: number; ms: number; digest: string }> {
  const start = performance.now();
  const r = await sweep('lossy', {
    seeds: { from: SEEDS.from, to },
    methods: ['mode-cfg'],
    workers,
    workerUrl: WORKER_URL,
  });
  const ms = performance.now() - start;
  return { runs: r.records.length, ms, digest: r.records.map((x) => x.traceSha256).join('') };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** CPU ms of the whole process (every thread, ended ones too) since `from`. */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};

/** CPU ms of each live thread of this process by thread id (utime + stime, /proc clock ticks of 10 ms); {} off Linux. */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out; // not Linux
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * `timed` with the CPU split: the worker threads' (process CPU minus the threads that outlive the sweep) and the
 * background threads' (those that existed before it, this main thread excepted). Null off Linux.
 */
async function timedWithThreads(
  workers: number,
  to: number,
): Promise<{ run: Awaited<ReturnType<typeof timed>>; workerMs: number; backgroundMs: number } | null> {
  const before = threadCpuMs();
  const cpu = process.cpuUsage();
  const run = await timed(workers, to);
  const used = process.cpuUsage(cpu);
  const after = threadCpuMs();
  if (before.size === 0) return null;
  const main = String(process.pid);
  let backgroundMs = 0;
  let mainMs = 0;
  for (const [tid, ms] of after) {
    const was = before.get(tid);
    if (was === undefined) continue; // a thread started during the sweep and still alive: counted with the workers
    if (tid === main) mainMs = ms - was;
    else backgroundMs += ms - was;
  }
  const workerMs = (used.user + used.system) / 1000 - mainMs - backgroundMs;
  return { run, workerMs, backgroundMs };
}

/**
 * The reference, measured in the same run: what two threads gain on this machine for work shaped like a simulation
 * (small objects, strings and JSON, collected young) rather than a tight arithmetic loop. A sweep cannot beat it.
 */
const REFERENCE_WORKER = `
  const { parentPort, workerData } = require('node:worker_threads');
  let digest = 0;
  for (let i = 0; i < workerData.items; i++) {
    const event = { type: 'send', atUs: i * 10, node: 'client' + (i % 50), summary: 'IKE_AUTH request #' + i, bytes: [i, i + 1, i + 2] };
    const line = JSON.stringify(event);
    for (let k = 0; k < line.length; k++) digest = (Math.imul(digest, 31) + line.charCodeAt(k)) | 0;
  }
  parentPort.postMessage(digest);
`;

async function referenceMs(threads: number, itemsTotal: number): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(REFERENCE_WORKER, { eval: true, workerData: { items: itemsTotal / threads } });
          w.once('message', () => void w.terminate().then(() => resolve()));
          w.once('error', reject);
        }),
    ),
  );
  return performance.now() - start;
}

export async function run(): Promise<Record<string, number | boolean | string>> {
  const loadBefore = loadavg()[0] ?? 0;
  await timed(1, SEEDS.from); // warm-up: the OS file cache and this thread's modules
  const figures: Record<string, number> = {};
  const digests: string[] = [];
  let backgroundShare: number | null = null;
  for (const workers of [1, 2]) {
    const startupCpu = process.cpuUsage();
    const startup = await timed(workers, SEEDS.from + workers - 1);
    const startupCpuMs = cpuMsSince(startupCpu);
    const allCpu = process.cpuUsage();
    const split = workers === 1 ? await timedWithThreads(workers, SEEDS.to) : null;
    if (split !== null) backgroundShare = split.backgroundMs / Math.max(1, split.workerMs);
    const all = split?.run ?? (await timed(workers, SEEDS.to));
    figures[`cpuMsPerRun${workers}Net`] = round1(
      (cpuMsSince(allCpu) - startupCpuMs) / Math.max(1, all.runs - startup.runs),
    );
    digests.push(all.digest);
    figures[`runsPerSec${workers}Total`] = round1((all.runs * 1000) / all.ms);
    figures[`runsPerSec${workers}Net`] = round1(((all.runs - startup.runs) * 1000) / Math.max(1, all.ms - startup.ms));
    figures[`startupMs${workers}`] = Math.round(startup.ms);
  }
  const items = 2_000_000;
  await referenceMs(1, items / 4);
  const reference1Ms = await referenceMs(1, items);
  const reference2Ms = await referenceMs(2, items);
  return {
    runs: SEEDS.to - SEEDS.from + 1,
    cores: availableParallelism(),
    loadAverage1m: round1(Math.max(loadBefore, loadavg()[0] ?? 0)),
    ...figures,
    speedupTotal: Math.round(((figures['runsPerSec2Total'] ?? 0) / (figures['runsPerSec1Total'] ?? 1)) * 100) / 100,
    speedupNet: Math.round(((figures['runsPerSec2Net'] ?? 0) / (figures['runsPerSec1Net'] ?? 1)) * 100) / 100,
    referenceSpeedup: Math.round((reference1Ms / reference2Ms) * 100) / 100,
    ...(backgroundShare === null
      ? {}
      : {
          backgroundCpuShare1: Math.round(backgroundShare * 100) / 100,
          ceilingSpeedup: Math.round((2 / (1 + backgroundShare)) * 100) / 100,
        }),
    identicalResults: digests[0] === digests[1],
    worker: CHOICE.use ? 'bundle' : 'tsx',
    ...(CHOICE.use ? {} : { workerWhy: CHOICE.reason }),
  };
}
