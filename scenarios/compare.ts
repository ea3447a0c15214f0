/** Every method on the same scenario, seed and faults (common random numbers: sim/rng.ts forks per purpose). */
import type { PolicyValue } from '../models/methods/policy.ts';
import { loadScenarioOrThrow } from './load.ts';
import { isRegistered, METHOD_IDS, type MethodId } from './method-registry.ts';
import { metricAt } from './expectations.ts';
import { runScenario, scenarioLabel, type RunScenarioMetrics } from './run.ts';
import type { ExpectationResult } from './expectations.ts';

export interface CompareOptions {
  /** Default: the scenario's methods that are registered. */
  readonly methods?: readonly MethodId[];
  readonly seed?: number;
  readonly options?: Readonly<Record<string, PolicyValue>>;
  readonly params?: Readonly<Record<string, PolicyValue>>;
}

export interface CompareResult {
  readonly scenario: string;
  readonly seed: number;
  readonly results: readonly {
    readonly method: MethodId;
    readonly traceSha256: string;
    readonly metrics: RunScenarioMetrics;
    readonly expectations: readonly ExpectationResult[];
    readonly ok: boolean;
  }[];
  /** Methods asked for (or listed by the scenario) that are not registered yet. */
  readonly skipped: readonly { readonly method: string; readonly reason: string }[];
}

/** Rows of the comparison table: metric path and which way is better. */
export const COMPARE_ROWS: readonly { readonly path: string; readonly better: 'lower' | 'higher' }[] = [
  { path: 'addressed', better: 'higher' },
  { path: 'timeToAddressUs.median', better: 'lower' },
  { path: 'timeToAddressUs.p95', better: 'lower' },
  { path: 'timeToAddressUs.max', better: 'lower' },
  { path: 'timeToFirstDataUs.median', better: 'lower' },
  { path: 'roundTripsToAddress.median', better: 'lower' },
  { path: 'readdressed', better: 'higher' },
  { path: 'timeToReaddressUs.median', better: 'lower' },
  { path: 'legs.clientGateway.messages', better: 'lower' },
  { path: 'legs.clientGateway.bytes', better: 'lower' },
  { path: 'legs.gatewayDhcp.messages', better: 'lower' },
  { path: 'legs.gatewayDhcp.roundTrips', better: 'lower' },
  { path: 'retransmits.ike', better: 'lower' },
  { path: 'retransmits.dhcp', better: 'lower' },
  { path: 'failures.total', better: 'lower' },
  { path: 'renewals.done', better: 'higher' },
  { path: 'renewals.missed', better: 'lower' },
  { path: 'misdirected', better: 'lower' },
  { path: 'addressOverlaps', better: 'lower' },
  { path: 'addressOverlapUs', better: 'lower' },
  { path: 'homeLease.expired', better: 'lower' },
  { path: 'tunnels.addressed', better: 'higher' },
  { path: 'tunnels.timeToAddressUs.max', better: 'lower' },
  { path: 'dhcpQueuePeak', better: 'lower' },
  { path: 'gatewayState.machinesPeak', better: 'lower' },
  { path: 'gatewayState.pendingPeak', better: 'lower' },
  { path: 'clientMachineSize.states', better: 'lower' },
  { path: 'clientMachineSize.transitions', better: 'lower' },
  { path: 'packets.sent', better: 'lower' },
];

export function compare(scenario: string | object, o: CompareOptions = {}): CompareResult {
  const s = loadScenarioOrThrow(scenario, {
    ...(o.params ? { params: o.params } : {}),
    ...(o.options ? { options: o.options } : {}),
  });
  const wanted = o.methods ?? s.methods;
  const ordered = METHOD_IDS.filter((m) => wanted.includes(m));
  const seed = o.seed ?? s.seed;
  const skipped = ordered
    .filter((m) => !isRegistered(m))
    .map((m) => ({ method: m, reason: `method '${m}' is not registered yet` }));
  const results = ordered
    .filter((m) => isRegistered(m))
    .map((method) => {
      const r = runScenario(s, { method, seed, keepTrace: false });
      return { method, traceSha256: r.traceSha256, metrics: r.metrics, expectations: r.expectations, ok: r.ok };
    });
  return { scenario: scenarioLabel(s), seed, results, skipped };
}

/** Table cells: one row per COMPARE_ROWS entry, one column per method; `best` marks the best value(s) of a row. */
export function compareTable(c: CompareResult): {
  readonly header: string[];
  readonly rows: { readonly metric: string; readonly cells: (number | null)[]; readonly best: boolean[] }[];
} {
  const header = ['metric', ...c.results.map((r) => r.method)];
  const rows = COMPARE_ROWS.map((row) => {
    const cells = c.results.map((r) => metricAt(r.metrics, row.path) ?? null);
    const present = cells.filter((v): v is number => v !== null);
    const target = present.length === 0 ? null : row.better === 'lower' ? Math.min(...present) : Math.max(...present);
    const distinct = new Set(present).size > 1;
    return { metric: row.path, cells, best: cells.map((v) => distinct && v !== null && v === target) };
  });
  return { header, rows };
}
