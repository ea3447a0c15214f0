/**
 * `npm run bench -- storm`: the reconnect storm (`storm-1000` sized by its `clients` parameter: N clients connect over
 * 10 s, the gateway crashes at 30 s and restarts at 31 s, everyone reconnects; 240 s) for each method and size, run
 * without the trace digest (`digest: false`: the events go to the metrics only), so it measures the lab, not the
 * recorder.
 *
 * Sizes: `STORM_CLIENTS=1000,10000,100000` (default 1000, so `npm run bench -- storm` stays short); methods:
 * `STORM_METHODS=a,b` (default all five); crypto: `STORM_CRYPTO=modelled,real` (default both: real crypto's figures
 * sit beside the modelled ones as `<method>.<clients>.real.…`, with `realCpuVsModelled`); runtime:
 * `STORM_RUNTIME=fast,xstate` (default fast; xstate's own interpreter's figures sit beside as
 * `<method>.<clients>.xstate.…`, with `xstateCpuVsFast`). The bench re-executes itself once under
 * `node --expose-gc --max-old-space-size=…` (enough for 100,000 clients; nobody needs to pass flags), plus the
 * young-generation and heap-growing flags `dhcpike run` starts Node with (bin/node-flags.js), so the bench measures
 * what the user's command gets; `STORM_NODE_FLAGS=0` leaves them out (Node's defaults), to see what they are worth.
 * `nodeFlags` in the output names the child's flags.
 *
 * Per method and size (`<method>.<clients>.…`): wall s, CPU s, µs of CPU per client, simulator events per CPU second,
 * machine events per CPU second (fast runtime only: it counts them; xstate would need inspection, which slows the
 * run), peak heap MB (sampled every 2,000 events during the run), and whether the expectations were met. Then a
 * connect-only run (15 s, no crash): heap bytes per idle established client = (heap with every client connected −
 * heap before the run) / N, both after a forced GC. Garbage collection during the run (v8.GCProfiler): main-thread
 * pause ms and count of scavenges and of mark-compacts, and MB promoted (old-generation growth across scavenges): the
 * part of the cost that grows with N (issue 15: µs per client at 30k was ~1.3× that at 10k, and the difference was
 * scavenges copying more surviving bytes per client), so a size's figure shows whether GC or the lab moved. The reference, measured in the same process: a bare xstate actor
 * doing one `assign` per event (events/s), and the ratio of the storm's machine events per CPU second (counted by the
 * fast runtime: `machineEvents`, `machineEventsPerCpuSec`) to it.
 */
import { spawnSync } from 'node:child_process';
import { cpuUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { applyHeapGrowingFor, HEAP_FLAGS } from '../bin/node-flags.js';
import { assign, createActor, setup } from 'xstate';
import { runScenario, type ScenarioProgress } from '../scenarios/run.ts';
import { machineEventsProcessed, type StatechartRuntime } from '../sim/statechart/index.ts';
import { METHOD_IDS, type MethodId } from '../scenarios/method-registry.ts';

const MB = 2 ** 20;
/** The heap the re-executed bench gets (MB): 100,000 clients need about 2 GB at peak. */
const REEXEC_HEAP_MB = 6144;
const REEXEC_ENV = 'DHCPIKE_STORM_BENCH_CHILD';
/** Progress hook interval (events): the peak heap is sampled this often. */
const SAMPLE_EVERY_EVENTS = 2000;
/** The connect-only run: every client has connected (10 s + 80 ms) and is idle by 11 s; the run ends at 15 s. */
const CONNECT_ONLY = { durationMs: 15_000, crashMs: 15_000, restartMs: 15_000 };
const IDLE_AT_US = 11_000_000;

/** The reference: a bare xstate actor, one assign per event. */
function bareXstateEventsPerSec(events: number): number {
  const machine = setup({ types: { context: {} as { n: number }, events: {} as { type: 'tick' } } }).createMachine({
    context: { n: 0 },
    on: { tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  });
  let best = 0;
  for (let round = 0; round < 3; round += 1) {
    const actor = createActor(machine).start();
    const start = cpuUsage();
    for (let i = 0; i < events; i += 1) actor.send({ type: 'tick' });
    const used = cpuUsage(start);
    best = Math.max(best, events / ((used.user + used.system) / 1e6));
    actor.stop();
  }
  return Math.round(best);
}

/** One GC as v8.GCProfiler reports it (the fields read here). */
interface GcRecord {
  readonly gcType: string;
  /** µs of main-thread pause. */
  readonly cost: number;
  readonly beforeGC: { readonly heapSpaceStatistics: readonly { spaceName: string; spaceUsedSize: number }[] };
  readonly afterGC: { readonly heapSpaceStatistics: readonly { spaceName: string; spaceUsedSize: number }[] };
}

/** Bytes of the old generation (old space and large objects) in one GC's statistics. */
function oldBytes(spaces: readonly { spaceName: string; spaceUsedSize: number }[]): number {
  let n = 0;
  for (const s of spaces) if (s.spaceName === 'old_space' || s.spaceName === 'large_object_space') n += s.spaceUsedSize;
  return n;
}

/** Pause ms and count per kind (scavenge, mark-compact), and what scavenges promoted (old-generation growth, MB). */
function gcFigures(records: readonly GcRecord[]): Record<string, number> {
  let scavengeUs = 0;
  let scavenges = 0;
  let markCompactUs = 0;
  let markCompacts = 0;
  let promotedBytes = 0;
  for (const r of records) {
    if (r.gcType === 'Scavenge' || r.gcType === 'MinorMarkSweep') {
      scavengeUs += r.cost;
      scavenges++;
      promotedBytes += Math.max(0, oldBytes(r.afterGC.heapSpaceStatistics) - oldBytes(r.beforeGC.heapSpaceStatistics));
    } else if (r.gcType === 'MarkSweepCompact') {
      markCompactUs += r.cost;
      markCompacts++;
    }
  }
  return {
    scavengePauseMs: Math.round(scavengeUs / 1000),
    scavenges,
    markCompactPauseMs: Math.round(markCompactUs / 1000),
    markCompacts,
    promotedMb: Math.round(promotedBytes / MB),
  };
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const heapUsed = (): number => getHeapStatistics().used_heap_size;

/** A full GC when node runs with --expose-gc (the re-executed bench does). */
function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  gc();
  return true;
}

/** Heap bytes per client with every client connected and idle (connect phase only). */
function idleHeapBytesPerClient(
  method: MethodId,
  clients: number,
  crypto: Crypto,
  runtime: StatechartRuntime,
): number | string {
  if (!collectGarbage()) return 'needs --expose-gc';
  const before = heapUsed();
  let idle: number | undefined;
  runScenario('storm-1000', {
    method,
    params: { clients, ...CONNECT_ONLY },
    options: { crypto },
    runtime,
    keepTrace: false,
    digest: false,
    progress: {
      everyEvents: 1000,
      onProgress: (p: ScenarioProgress) => {
        if (idle === undefined && p.atUs >= IDLE_AT_US) {
          collectGarbage();
          idle = heapUsed();
        }
      },
    },
  });
  return idle === undefined ? 'no sample after 11 s' : Math.round((idle - before) / clients);
}

type Crypto = 'modelled' | 'real';

function measure(
  method: MethodId,
  clients: number,
  crypto: Crypto,
  runtime: StatechartRuntime,
  bare: number,
  out: Record<string, number | string>,
): void {
  collectGarbage();
  // The modelled figures on the fast runtime keep their names; real crypto's sit beside them under `.real`, xstate's
  // interpreter's under `.xstate`.
  const key = `${method}.${clients}` + (crypto === 'modelled' ? '' : '.real') + (runtime === 'fast' ? '' : '.xstate');
  const machineEventsBefore = machineEventsProcessed();
  let peak = heapUsed();
  const gcProfiler = new GCProfiler();
  gcProfiler.start();
  const wallStart = performance.now();
  const cpuStart = cpuUsage();
  const r = runScenario('storm-1000', {
    method,
    params: { clients },
    options: { crypto },
    runtime,
    keepTrace: false,
    digest: false,
    // As `dhcpike run` does: the heap growing factor for this many clients (bin/node-flags.js).
    beforeRun: (roles) => {
      const percent = applyHeapGrowingFor(roles.clients.length);
      if (percent !== null) out[`${key}.heapGrowingPercent`] = percent;
    },
    progress: {
      everyEvents: SAMPLE_EVERY_EVENTS,
      onProgress: () => {
        peak = Math.max(peak, heapUsed());
      },
    },
  });
  const cpu = cpuUsage(cpuStart);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const wallSecs = (performance.now() - wallStart) / 1000;
  const gc = gcFigures((gcProfiler.stop()?.statistics ?? []) as unknown as readonly GcRecord[]);
  const events = r.stop.eventsRun;
  out[`${key}.wallSecs`] = round(wallSecs);
  out[`${key}.cpuSecs`] = round(cpuSecs);
  out[`${key}.cpuUsPerClient`] = Math.round((cpuSecs * 1e6) / clients);
  out[`${key}.simEvents`] = events;
  out[`${key}.simEventsPerCpuSec`] = Math.round(events / cpuSecs);
  // Machine events are counted by the fast runtime (xstate's would need inspection, which slows the run).
  const machineEvents = machineEventsProcessed() - machineEventsBefore;
  if (runtime === 'fast') {
    out[`${key}.machineEvents`] = machineEvents;
    out[`${key}.machineEventsPerCpuSec`] = Math.round(machineEvents / cpuSecs);
    out[`${key}.ratioToBareXstate`] = round(machineEvents / cpuSecs / bare, 3);
  }
  out[`${key}.peakHeapMb`] = Math.round(peak / MB);
  for (const [name, value] of Object.entries(gc)) out[`${key}.${name}`] = value;
  out[`${key}.scavengeUsPerClient`] = Math.round(((gc['scavengePauseMs'] ?? 0) * 1000) / clients);
  out[`${key}.expectationsMet`] = r.ok ? 'yes' : r.expectations.filter((e) => !e.ok).length + ' failed';
  out[`${key}.idleHeapBytesPerClient`] = idleHeapBytesPerClient(method, clients, crypto, runtime);
}

/** Runs the bench in a child node with --expose-gc and a large heap; returns its figures. */
function reexec(): Record<string, number | string> {
  const bin = fileURLToPath(new URL('../bin/bench.js', import.meta.url));
  const heapFlags = process.env['STORM_NODE_FLAGS'] === '0' ? [] : HEAP_FLAGS;
  const flags = ['--expose-gc', `--max-old-space-size=${REEXEC_HEAP_MB}`, ...heapFlags];
  const child = spawnSync(process.execPath, [...flags, bin, 'storm'], {
    env: { ...process.env, [REEXEC_ENV]: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * MB,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (child.status !== 0 || line === undefined)
    throw new Error(`storm bench: the re-executed bench failed (status ${child.status}): ${child.stdout}`);
  const figures = JSON.parse(line) as Record<string, number | string>;
  delete figures['bench'];
  return figures;
}

export function run(): Record<string, number | string> {
  if (process.env[REEXEC_ENV] === undefined) return reexec();
  const wanted = process.env['STORM_METHODS']?.split(',') ?? [...METHOD_IDS];
  const methods = METHOD_IDS.filter((m) => wanted.includes(m)) as MethodId[];
  const sizes = (process.env['STORM_CLIENTS'] ?? '1000').split(',').map((s) => Number(s.trim()));
  const bad = sizes.find((n) => !Number.isSafeInteger(n) || n < 1 || n > 100_000);
  if (bad !== undefined) throw new Error(`STORM_CLIENTS: expected integers from 1 to 100000, found ${bad}`);
  const bare = bareXstateEventsPerSec(500_000);
  const out: Record<string, number | string> = {
    clients: sizes.join(','),
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / MB),
    nodeFlags: process.execArgv.join(' '),
    bareXstateEventsPerSec: bare,
  };
  const cryptos = (process.env['STORM_CRYPTO'] ?? 'modelled,real').split(',').map((c) => c.trim());
  const badCrypto = cryptos.find((c) => c !== 'modelled' && c !== 'real');
  if (badCrypto !== undefined) throw new Error(`STORM_CRYPTO: expected modelled and/or real, found ${badCrypto}`);
  out['crypto'] = cryptos.join(',');
  const runtimes = (process.env['STORM_RUNTIME'] ?? 'fast').split(',').map((r) => r.trim());
  const badRuntime = runtimes.find((r) => r !== 'fast' && r !== 'xstate');
  if (badRuntime !== undefined) throw new Error(`STORM_RUNTIME: expected fast and/or xstate, found ${badRuntime}`);
  out['runtime'] = runtimes.join(',');
  for (const clients of sizes)
    for (const method of methods)
      for (const crypto of cryptos as Crypto[])
        for (const runtime of runtimes as StatechartRuntime[]) measure(method, clients, crypto, runtime, bare, out);
  // What the fast runtime gains: CPU seconds xstate ÷ fast (modelled crypto).
  for (const clients of sizes)
    for (const method of methods) {
      const fast = out[`${method}.${clients}.cpuSecs`];
      const xstate = out[`${method}.${clients}.xstate.cpuSecs`];
      if (typeof fast === 'number' && typeof xstate === 'number' && fast > 0)
        out[`${method}.${clients}.xstateCpuVsFast`] = round(xstate / fast, 2);
    }
  // What real crypto costs per run: CPU seconds real ÷ modelled.
  for (const clients of sizes)
    for (const method of methods) {
      const modelled = out[`${method}.${clients}.cpuSecs`];
      const real = out[`${method}.${clients}.real.cpuSecs`];
      if (typeof modelled === 'number' && typeof real === 'number' && modelled > 0)
        out[`${method}.${clients}.realCpuVsModelled`] = round(real / modelled, 2);
    }
  // Linearity: µs of CPU per client at each size relative to the smallest size.
  const smallest = Math.min(...sizes);
  for (const method of methods)
    for (const clients of sizes) {
      const base = out[`${method}.${smallest}.cpuUsPerClient`];
      const here = out[`${method}.${clients}.cpuUsPerClient`];
      if (clients !== smallest && typeof base === 'number' && typeof here === 'number')
        out[`${method}.${clients}.cpuPerClientVs${smallest}`] = round(here / base, 2);
    }
  return out;
}
