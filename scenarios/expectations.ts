/** Checking a run against the scenario's expectations. */
import { ladderPackets } from '../sim/ladder.ts';
import type { TraceEvent } from '../sim/trace.ts';
import type { RunScenarioMetrics } from './run.ts';
import type { ExpectationInput } from './schema.ts';
import type { PolicyValue } from '../models/methods/policy.ts';

export interface ExpectationResult {
  readonly expectation: string;
  readonly ok: boolean;
  readonly detail: string;
  /**
   * What the expectation is judged over, counted (`5 clients told to connect`): an expectation over an empty
   * population fails (issue 14 item 4: "no overlaps" over nobody is no evidence).
   */
  readonly population: string;
}

/** The result, failed when its population is empty (a vacuous pass is no pass). */
function judged(expectation: string, ok: boolean, detail: string, count: number, what: string): ExpectationResult {
  const population = `${count} ${what}`;
  if (count === 0) return { expectation, ok: false, detail: `vacuous: no ${what}`, population };
  return { expectation, ok, detail, population };
}

/** `client1 → gw: IKE_SA_INIT request #0 SA, KE, Nonce` (a drop: `client1 ✗ gw: …`), one per packet. */
export function ladderLines(trace: readonly TraceEvent[]): string[] {
  return ladderPackets(trace).map((p) => {
    const delivered = p.hops.filter((h) => h.outcome === 'delivered' && !h.duplicate);
    if (delivered.length > 0) return `${p.from} → ${delivered.map((h) => h.to).join(', ')}: ${p.summary}`;
    const first = p.hops.find((h) => !h.duplicate);
    return `${p.from} ✗ ${first?.to ?? '?'}: ${p.summary}`;
  });
}

/** Up to five names, then a count of the rest. */
function listed(names: readonly string[]): string {
  return `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` (+${names.length - 5})` : ''}`;
}

/** A number at a dotted path of the metrics (`timeToAddressUs.p95`); undefined when absent or not a number. */
export function metricAt(metrics: unknown, path: string): number | undefined {
  let at: unknown = metrics;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === 'number' ? at : undefined;
}

type Op = '<' | '<=' | '==' | '!=' | '>=' | '>';

export function compareOp(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '>':
      return a > b;
  }
}

/** Does an expectation apply to this method and these effective option values? */
export function expectationApplies(
  e: Pick<ExpectationInput, 'methods' | 'options'>,
  method: string,
  options: Readonly<Record<string, PolicyValue>>,
): boolean {
  if (e.methods !== undefined && !e.methods.includes(method as never)) return false;
  return Object.entries(e.options ?? {}).every(([k, v]) => options[k] === v);
}

export function checkExpectations(
  list: readonly ExpectationInput[],
  method: string,
  metrics: RunScenarioMetrics,
  trace: readonly TraceEvent[] | undefined,
  options: Readonly<Record<string, PolicyValue>> = {},
): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const connecting = metrics.perClient.filter((c) => c.connectAtUs !== null);
  for (const e of list) {
    if (!expectationApplies(e, method, options)) continue;
    switch (e.kind) {
      case 'allAddressed': {
        const byUs = Math.round(e.byMs * 1000);
        const late = metrics.perClient
          .filter((c) => c.addressedAtUs === null || c.addressedAtUs > byUs)
          .map((c) => c.name);
        out.push(
          judged(
            `all clients addressed by ${e.byMs} ms`,
            late.length === 0,
            late.length === 0 ? `${metrics.addressed}/${metrics.clients}` : `not addressed in time: ${listed(late)}`,
            connecting.length,
            'clients told to connect',
          ),
        );
        break;
      }
      case 'allReaddressed': {
        const afterUs = Math.round(e.afterMs * 1000);
        const stale = connecting
          .filter((c) => c.lastAddressedAtUs === null || c.lastAddressedAtUs < afterUs)
          .map((c) => c.name);
        out.push(
          judged(
            `all clients addressed again after ${e.afterMs} ms`,
            stale.length === 0,
            stale.length === 0
              ? `${connecting.length}/${connecting.length}`
              : `no address since ${e.afterMs} ms: ${listed(stale)}`,
            connecting.length,
            'clients told to connect',
          ),
        );
        break;
      }
      case 'noOverlaps': {
        const afterUs = e.afterMs === undefined ? 0 : Math.round(e.afterMs * 1000);
        const holders = metrics.perClient.filter((c) => c.lastAddressedAtUs !== null && c.lastAddressedAtUs >= afterUs);
        out.push(
          judged(
            e.afterMs === undefined
              ? 'no address overlaps'
              : `no address overlaps (addresses got after ${e.afterMs} ms)`,
            metrics.addressOverlaps === 0,
            `${metrics.addressOverlaps} overlap(s)`,
            holders.length,
            e.afterMs === undefined ? 'clients that held an address' : `clients addressed after ${e.afterMs} ms`,
          ),
        );
        break;
      }
      case 'metric': {
        const v = metricAt(metrics, e.path);
        const ok =
          v !== undefined &&
          (e.min === undefined || v >= e.min) &&
          (e.max === undefined || v <= e.max) &&
          (e.op === undefined || e.value === undefined || compareOp(v, e.op, e.value));
        const bounds = [
          e.min !== undefined ? `≥ ${e.min}` : '',
          e.max !== undefined ? `≤ ${e.max}` : '',
          e.op !== undefined && e.value !== undefined ? `${e.op} ${e.value}` : '',
        ]
          .filter(Boolean)
          .join(' and ');
        const when = Object.entries(e.options ?? {}).map(([k, x]) => `${k}=${String(x)}`);
        // A run's figure is about the clients it told to connect: none ⇒ nothing measured.
        out.push(
          judged(
            `${e.path} ${bounds}${when.length > 0 ? ` (with ${when.join(', ')})` : ''}`,
            ok,
            v === undefined ? 'no such metric (or no value)' : `${v}`,
            connecting.length,
            'clients told to connect',
          ),
        );
        break;
      }
      case 'ladderPrefix': {
        const lines = trace ? ladderLines(trace) : [];
        const bad = e.lines.findIndex((want, i) => {
          const got = lines[i];
          if (got === undefined) return true;
          return want.endsWith('…') ? !got.startsWith(want.slice(0, -1)) : got !== want;
        });
        out.push(
          judged(
            `ladder starts with ${e.lines.length} line(s)`,
            bad === -1,
            bad === -1
              ? 'matches'
              : `line ${bad + 1}: expected ${JSON.stringify(e.lines[bad])}, found ${JSON.stringify(lines[bad] ?? null)}`,
            lines.length,
            'ladder lines',
          ),
        );
        break;
      }
    }
  }
  return out;
}
