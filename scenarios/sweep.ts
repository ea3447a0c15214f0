/**
 * Sweeps: seeds × parameter values × methods, run in worker threads (each loads TypeScript through tsx, or the
 * prebuilt bundle's worker when this code runs from the bundle: sweepWorkerUrl), optionally
 * sharded (`shard` i of n takes every n-th job of the canonical order) so a CI matrix or cluster can split it. Records
 * are sorted by (params, method, seed) before output, so the result is identical for any worker count or sharding.
 */
import { availableParallelism } from 'node:os';
import './node.ts';
import type { PolicyValue } from '../models/methods/policy.ts';
import { COMPARE_ROWS } from './compare.ts';
import { metricAt } from './expectations.ts';
import { loadScenarioOrThrow } from './load.ts';
import { isRegistered, METHOD_IDS, type MethodId } from './method-registry.ts';
import { scenarioLabel } from './run.ts';
import { medianInterval, nearestRank } from './metrics/stats.ts';
import { foundText, type Problem } from './problems.ts';
import { compareRecords, paramsKey, runJob, type SweepJob, type SweepRecord } from './sweep-core.ts';
import { runInWorkerPool } from './worker-pool.ts';

export { compareRecords, paramsKey, type SweepJob, type SweepRecord } from './sweep-core.ts';

export interface SweepOptions {
  /** Inclusive seed range. */
  readonly seeds: { readonly from: number; readonly to: number };
  /** Parameter name → values (a scenario parameter, or a policy name: then it is an `--option`). */
  readonly params?: Readonly<Record<string, readonly PolicyValue[]>>;
  readonly methods?: readonly MethodId[];
  /** Worker threads; 0 runs in this thread. Default min(2, cores). */
  readonly workers?: number;
  /** 1-based shard index and shard count. */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly options?: Readonly<Record<string, PolicyValue>>;
  readonly onProgress?: (done: number, total: number) => void;
  /** The worker entry (default sweepWorkerUrl()); the sweep bench passes the bundle's when it is fresh. */
  readonly workerUrl?: URL;
}

export interface SweepSummaryRow {
  readonly params: Readonly<Record<string, PolicyValue>>;
  readonly method: MethodId;
  readonly runs: number;
  readonly failed: number;
  readonly metrics: Readonly<
    Record<
      string,
      { readonly median: number; readonly low: number; readonly high: number; readonly exact: boolean } | null
    >
  >;
}

export interface SweepResult {
  readonly scenario: string;
  readonly records: readonly SweepRecord[];
  readonly skipped: readonly { readonly method: string; readonly reason: string }[];
}

export function parseSeedRange(text: string): { from: number; to: number } | undefined {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return to >= from ? { from, to } : undefined;
}

/** Every job of the sweep, in canonical order, before sharding. */
export function sweepJobs(
  scenario: string | object,
  o: SweepOptions,
): { jobs: SweepJob[]; skipped: { method: string; reason: string }[]; label: string } {
  const s = loadScenarioOrThrow(scenario);
  const declared = Object.keys(s.parameters ?? {});
  const wanted = o.methods ?? s.methods;
  const methods = METHOD_IDS.filter((m) => wanted.includes(m));
  const skipped = methods
    .filter((m) => !isRegistered(m))
    .map((m) => ({ method: m, reason: `method '${m}' is not registered yet` }));
  let combos: Record<string, PolicyValue>[] = [{}];
  for (const name of Object.keys(o.params ?? {}).sort()) {
    const values = o.params?.[name] ?? [];
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  const jobs: SweepJob[] = [];
  for (const combo of combos) {
    const params: Record<string, PolicyValue> = {};
    const options: Record<string, PolicyValue> = { ...(o.options ?? {}) };
    for (const [k, v] of Object.entries(combo)) {
      if (declared.includes(k)) params[k] = v;
      else options[k] = v;
    }
    // Validate once per combination (a bad value fails before any run).
    loadScenarioOrThrow(scenario, { params, options });
    for (const method of methods.filter((m) => isRegistered(m))) {
      for (let seed = o.seeds.from; seed <= o.seeds.to; seed++)
        jobs.push({ scenario, params: combo, method, seed, options });
    }
  }
  // The record carries all swept values as `params`; scenario parameters and options are split again per job.
  const split = jobs.map((j) => {
    const params: Record<string, PolicyValue> = {};
    for (const [k, v] of Object.entries(j.params)) if (declared.includes(k)) params[k] = v;
    return { ...j, params, sweptValues: j.params };
  });
  split.sort((a, b) => compareRecords({ ...a, params: a.sweptValues }, { ...b, params: b.sweptValues }));
  return {
    jobs: split.map(({ sweptValues, ...j }) => ({ ...j, sweptValues }) as SweepJob),
    skipped,
    label: scenarioLabel(s),
  };
}

function sweptOf(job: SweepJob): Readonly<Record<string, PolicyValue>> {
  return (job as SweepJob & { sweptValues?: Record<string, PolicyValue> }).sweptValues ?? job.params;
}

/**
 * Set by scripts/build-cli.mjs (an esbuild `define`) in the prebuilt CLI bundle only: the bundled worker's path
 * relative to this source file (inside the bundle, `import.meta.url` is still this file's URL). Undefined when this
 * module runs from its TypeScript source (tsx, vitest): then each worker registers tsx, as sweep-worker.mjs says.
 */
declare const DHCPIKE_BUNDLED_SWEEP_WORKER: string | undefined;

/** The worker entry: the bundle's own worker when this code runs from the bundle, else the .mjs that loads tsx. */
export function sweepWorkerUrl(): URL {
  return typeof DHCPIKE_BUNDLED_SWEEP_WORKER === 'string'
    ? new URL(DHCPIKE_BUNDLED_SWEEP_WORKER, import.meta.url)
    : new URL('./sweep-worker.mjs', import.meta.url);
}

function workerCount(o: SweepOptions): number {
  return o.workers ?? Math.min(2, availableParallelism());
}

export async function sweep(scenario: string | object, o: SweepOptions): Promise<SweepResult> {
  const { jobs: all, skipped, label } = sweepJobs(scenario, o);
  const jobs = o.shard
    ? all.filter((_, i) => i % (o.shard as { count: number }).count === (o.shard as { index: number }).index - 1)
    : all;
  const records: SweepRecord[] = new Array<SweepRecord>(jobs.length);
  let done = 0;
  const onDone = (index: number, r: SweepRecord): void => {
    records[index] = { ...r, params: sweptOf(jobs[index] as SweepJob) };
    done++;
    o.onProgress?.(done, jobs.length);
  };
  const n = workerCount(o);
  if (n <= 0) jobs.forEach((job, i) => onDone(i, runJob(job)));
  else
    await runInWorkerPool(
      o.workerUrl ?? sweepWorkerUrl(),
      jobs.map((j) => {
        const { sweptValues: _s, ...job } = j as SweepJob & { sweptValues?: unknown };
        return job;
      }),
      n,
      onDone,
      'sweep worker',
      // Runs of one sweep take about as long as each other: a second job queued per worker costs no balance, and the
      // worker no longer waits for the main thread between runs.
      { ahead: 2 },
    );
  return { scenario: label, records: [...records].sort(compareRecords), skipped };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The problems of one record read back from a sweep's JSONL (`sweep merge`), by field path: a hand-edited or foreign
 * line would otherwise throw in the sort or fill the table with nonsense. Metrics are checked along the paths the
 * summary reads (SUMMARY_PATHS): each step absent, null or an object, each value absent, null or a finite number.
 */
export function checkSweepRecord(value: unknown): Problem[] {
  if (!isObject(value))
    return [
      { path: '', expected: 'a record { scenario, params, method, seed, metrics | error }', found: foundText(value) },
    ];
  const out: Problem[] = [];
  const need = (ok: boolean, path: string, expected: string): void => {
    if (!ok) out.push({ path, expected, found: foundText(value[path]) });
  };
  need(typeof value['scenario'] === 'string', 'scenario', 'a scenario name (text)');
  need(
    typeof value['method'] === 'string' && (METHOD_IDS as readonly string[]).includes(value['method']),
    'method',
    `a method id (${METHOD_IDS.join(', ')})`,
  );
  const seed = value['seed'];
  need(typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0, 'seed', 'a non-negative safe integer');
  const params = value['params'];
  if (!isObject(params)) out.push({ path: 'params', expected: 'an object of swept values', found: foundText(params) });
  else
    for (const [k, v] of Object.entries(params))
      if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v)))
        out.push({ path: `params.${k}`, expected: 'text, a finite number or a boolean', found: foundText(v) });
  need(value['traceSha256'] === undefined || typeof value['traceSha256'] === 'string', 'traceSha256', 'text');
  need(value['ok'] === undefined || typeof value['ok'] === 'boolean', 'ok', 'a boolean');
  need(value['error'] === undefined || typeof value['error'] === 'string', 'error', 'text');
  const metrics = value['metrics'];
  if (metrics === undefined) {
    if (value['error'] === undefined)
      out.push({ path: 'metrics', expected: "the run's metrics (or an error)", found: foundText(metrics) });
  } else if (!isObject(metrics)) {
    out.push({ path: 'metrics', expected: 'an object of metrics', found: foundText(metrics) });
  } else {
    for (const path of SUMMARY_PATHS) {
      let at: unknown = metrics;
      const parts = path.split('.');
      for (let i = 0; i < parts.length && at !== undefined && at !== null; i++) {
        if (!isObject(at)) {
          out.push({ path: `metrics.${parts.slice(0, i).join('.')}`, expected: 'an object', found: foundText(at) });
          at = undefined;
          break;
        }
        at = Object.hasOwn(at, parts[i] as string) ? at[parts[i] as string] : undefined;
      }
      if (at !== undefined && at !== null && !(typeof at === 'number' && Number.isFinite(at)))
        out.push({ path: `metrics.${path}`, expected: 'a finite number or null', found: foundText(at) });
    }
  }
  // One wrong intermediate object is reported once, not once per metric below it.
  return out.filter((p, i) => out.findIndex((q) => q.path === p.path) === i);
}

/** Merges shard outputs: sorted, duplicates (same params, method, seed) collapsed. */
export function mergeRecords(lists: readonly (readonly SweepRecord[])[]): SweepRecord[] {
  const all = lists.flat().sort(compareRecords);
  return all.filter((r, i) => i === 0 || compareRecords(r, all[i - 1] as SweepRecord) !== 0);
}

export const SUMMARY_PATHS: readonly string[] = COMPARE_ROWS.map((r) => r.path).filter(
  (p) => !p.startsWith('clientMachineSize'),
);

/** Per (params, method): the median over seeds of each metric and its order-statistic 95 % interval (stats.ts). */
export function summarize(records: readonly SweepRecord[]): SweepSummaryRow[] {
  const groups = new Map<string, SweepRecord[]>();
  for (const r of [...records].sort(compareRecords)) {
    const key = `${paramsKey(r.params)}|${r.method}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as SweepRecord;
    const metrics: Record<string, { median: number; low: number; high: number; exact: boolean } | null> = {};
    for (const path of SUMMARY_PATHS) {
      const values = list.flatMap((r) => {
        const v = metricAt(r.metrics, path);
        return v === undefined ? [] : [v];
      });
      const ci = medianInterval(values);
      metrics[path] =
        ci === null
          ? null
          : {
              median: nearestRank(
                [...values].sort((a, b) => a - b),
                50,
              ),
              ...ci,
            };
    }
    return {
      params: first.params,
      method: first.method,
      runs: list.length,
      failed: list.filter((r) => r.error !== undefined || r.ok === false).length,
      metrics,
    };
  });
}
