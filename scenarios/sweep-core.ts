/**
 * Sweep jobs: (parameter values × method × seed), their canonical order, and running one job. Shared by the
 * coordinator (sweep.ts) and the worker (sweep-worker.ts).
 */
import type { PolicyValue } from '../models/methods/policy.ts';
import { loadScenarioOrThrow, type Scenario } from './load.ts';
import { METHOD_IDS, type MethodId } from './method-registry.ts';
import { runScenario, type RunScenarioMetrics } from './run.ts';

export interface SweepJob {
  /** Library name, path, or inline scenario object. */
  readonly scenario: string | object;
  readonly params: Readonly<Record<string, PolicyValue>>;
  readonly method: MethodId;
  readonly seed: number;
  readonly options: Readonly<Record<string, PolicyValue>>;
}

/** One result line (JSONL). Metrics lose the per-client and per-link lists (kept small). */
export interface SweepRecord {
  readonly scenario: string;
  readonly params: Readonly<Record<string, PolicyValue>>;
  readonly method: MethodId;
  readonly seed: number;
  readonly traceSha256?: string;
  readonly metrics?: Omit<RunScenarioMetrics, 'perClient' | 'links'>;
  readonly ok?: boolean;
  readonly error?: string;
}

/** Canonical text of a parameter set (keys sorted). */
export function paramsKey(params: Readonly<Record<string, PolicyValue>>): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
}

/** Order by (params, method in METHOD_IDS order, seed): output is identical whatever the workers or shards. */
export function compareRecords(
  a: Pick<SweepRecord, 'params' | 'method' | 'seed'>,
  b: Pick<SweepRecord, 'params' | 'method' | 'seed'>,
): number {
  const pa = paramsKey(a.params);
  const pb = paramsKey(b.params);
  if (pa !== pb) return pa < pb ? -1 : 1;
  const ma = METHOD_IDS.indexOf(a.method);
  const mb = METHOD_IDS.indexOf(b.method);
  if (ma !== mb) return ma - mb;
  return a.seed - b.seed;
}

/**
 * Scenarios loaded for earlier jobs, by (scenario, params, options): a sweep's jobs differ mostly by seed, and loading
 * (JSON, the zod schema, the cross-field checks) cost ~4 % of a run's CPU and much of its garbage when repeated per
 * seed. A loaded scenario is never mutated by a run (its parts are read-only), so reusing it gives the same trace.
 * Jobs come in canonical order (params, method, seed), so a few entries hold every combination in use.
 */
const loaded = new Map<string, Scenario>();
const LOADED_MAX = 8;

function loadedFor(job: SweepJob): Scenario {
  const key = JSON.stringify([job.scenario, paramsKey(job.params), paramsKey(job.options)]);
  const hit = loaded.get(key);
  if (hit !== undefined) return hit;
  const s = loadScenarioOrThrow(job.scenario, { params: job.params, options: job.options });
  if (loaded.size >= LOADED_MAX) loaded.delete(loaded.keys().next().value as string);
  loaded.set(key, s);
  return s;
}

export function runJob(job: SweepJob): SweepRecord {
  const base = { params: job.params, method: job.method, seed: job.seed };
  try {
    // Neither params nor options here: they are in the loaded scenario, which runScenario then takes as it is.
    const r = runScenario(loadedFor(job), { method: job.method, seed: job.seed, keepTrace: false });
    const { perClient: _p, links: _l, ...metrics } = r.metrics;
    return { scenario: r.scenario, ...base, traceSha256: r.traceSha256, metrics, ok: r.ok };
  } catch (e) {
    return {
      scenario: typeof job.scenario === 'string' ? job.scenario : 'object',
      ...base,
      error: e instanceof Error ? e.message : String(e),
    };
  }
}
