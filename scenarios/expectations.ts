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
  for (const e of list) {
    if (!expectationApplies(e, method, options)) continue;
    switch (e.kind) {
      case 'allAddressed': {
        const byUs = Math.round(e.byMs * 1000);
        const late = metrics.perClient
          .filter((c) => c.addressedAtUs === null || c.addressedAtUs > byUs)
          .map((c) => c.name);
        out.push({
          expectation: `all clients addressed by ${e.byMs} ms`,
          ok: late.length === 0,
          detail:
            late.length === 0
              ? `${metrics.addressed}/${metrics.clients}`
              : `not addressed in time: ${late.slice(0, 5).join(', ')}${late.length > 5 ? ` (+${late.length - 5})` : ''}`,
        });
        break;
      }
      case 'noOverlaps':
        out.push({
          expectation: 'no address overlaps',
          ok: metrics.addressOverlaps === 0,
          detail: `${metrics.addressOverlaps} overlap(s)`,
        });
        break;
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
        out.push({
          expectation: `${e.path} ${bounds}${when.length > 0 ? ` (with ${when.join(', ')})` : ''}`,
          ok,
          detail: v === undefined ? 'no such metric (or no value)' : `${v}`,
        });
        break;
      }
      case 'ladderPrefix': {
        const lines = trace ? ladderLines(trace) : [];
        const bad = e.lines.findIndex((want, i) => {
          const got = lines[i];
          if (got === undefined) return true;
          return want.endsWith('…') ? !got.startsWith(want.slice(0, -1)) : got !== want;
        });
        out.push({
          expectation: `ladder starts with ${e.lines.length} line(s)`,
          ok: bad === -1,
          detail:
            bad === -1
              ? 'matches'
              : `line ${bad + 1}: expected ${JSON.stringify(e.lines[bad])}, found ${JSON.stringify(lines[bad] ?? null)}`,
        });
        break;
      }
    }
  }
  return out;
}
