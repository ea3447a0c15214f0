/**
 * Sweep jobs: (parameter values × method × seed), their canonical order, and running one job. Shared by the
 * coordinator (sweep.ts) and the worker (sweep-worker.ts).
 */
import type { PolicyValue } from '../models/methods/policy.ts';
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

export function runJob(job: SweepJob): SweepRecord {
  const base = { params: job.params, method: job.method, seed: job.seed };
  try {
    const r = runScenario(job.scenario, {
      method: job.method,
      seed: job.seed,
      params: job.params,
      options: job.options,
      keepTrace: false,
    });
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
