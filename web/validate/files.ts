/**
 * The shapes of the files a person can load: a trace (JSONL), a sweep result (JSONL), a claims report. Scenario files
 * are checked by the scenarios/ zod schema itself (web/runner.ts addScenario).
 */
import { DROP_REASONS, type TraceEvent } from '../../sim/trace.ts';
import { validateJson, validateJsonl, type Rule, type Validated } from './check.ts';
import type { ClaimResult } from '../../scenarios/browser.ts';

const opt = (r: Rule): { optional: Rule } => ({ optional: r });
const dataRecord: Rule = { record: { either: ['string', 'number', 'boolean'] } };

const base = { type: 'string', atUs: 'uint' } as const;

/** One rule per trace event type (sim/trace.ts). */
export const TRACE_EVENT_RULES: Readonly<Record<TraceEvent['type'], Rule>> = {
  send: {
    object: {
      ...base,
      node: 'string',
      iface: 'string',
      packetId: 'uint',
      length: 'uint',
      summary: 'string',
      bytes: 'hex',
    },
  },
  deliver: {
    object: {
      ...base,
      node: 'string',
      iface: 'string',
      link: 'string',
      dir: 'string',
      packetId: 'uint',
      sentAtUs: 'uint',
      summary: 'string',
      reordered: opt('boolean'),
    },
  },
  drop: {
    object: {
      ...base,
      reason: { oneOf: DROP_REASONS },
      packetId: 'uint',
      node: 'string',
      link: opt('string'),
      dir: opt('string'),
      summary: 'string',
      detail: opt('string'),
    },
  },
  duplicate: {
    object: {
      ...base,
      node: 'string',
      link: 'string',
      dir: 'string',
      packetId: 'uint',
      originalId: 'uint',
      summary: 'string',
    },
  },
  timer: { object: { ...base, node: 'string', name: 'string' } },
  state: { object: { ...base, node: 'string', machine: 'string', from: 'string', to: 'string' } },
  fault: { object: { ...base, fault: 'string', id: 'string', detail: 'string' } },
  malformed: {
    object: {
      ...base,
      node: 'string',
      iface: 'string',
      direction: { oneOf: ['send', 'receive'] },
      reason: 'string',
      field: opt('string'),
      offset: opt('uint'),
      packetId: opt('uint'),
      bytes: opt('hex'),
    },
  },
  note: { object: { ...base, node: 'string', text: 'string', data: opt(dataRecord) } },
  command: { object: { ...base, node: 'string', command: 'string', args: opt(dataRecord) } },
};

const TYPES = Object.keys(TRACE_EVENT_RULES);

export function validateTraceJsonl(text: string): Validated<TraceEvent[]> {
  return validateJsonl<TraceEvent>(text, (v) => {
    const type = typeof v === 'object' && v !== null ? (v as { type?: unknown }).type : undefined;
    return typeof type === 'string' && type in TRACE_EVENT_RULES
      ? (TRACE_EVENT_RULES[type as TraceEvent['type']] as Rule)
      : { object: { type: { oneOf: TYPES } }, extra: 'any' };
  });
}

/** One line of `dhcpike sweep --out FILE.jsonl` (scenarios/sweep-core.ts), its metrics flattened to dotted paths. */
export interface SweepRecord {
  readonly scenario: string;
  readonly method: string;
  readonly seed: number;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** `timeToAddressUs.median` → 124000; null where the metric has no value; absent for a failed job. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly traceSha256?: string;
  readonly ok?: boolean;
  /** Why the job failed (bad parameter, method not registered…). */
  readonly error?: string;
}

const SWEEP_RULE: Rule = {
  object: {
    scenario: 'string',
    method: 'string',
    seed: 'uint',
    params: dataRecord,
    traceSha256: opt('hex'),
    metrics: opt({ record: 'any' }),
    ok: opt('boolean'),
    error: opt('string'),
  },
};

/** Nested metrics → `a.b.c` paths of numbers and nulls (lists such as clientMachines are left out). */
export function flattenMetrics(
  value: unknown,
  prefix = '',
  out: Record<string, number | null> = {},
): Record<string, number | null> {
  if (value === null) {
    if (prefix !== '') out[prefix] = null;
    return out;
  }
  if (typeof value === 'number') {
    if (Number.isFinite(value)) out[prefix] = value;
    return out;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) flattenMetrics(v, prefix === '' ? k : `${prefix}.${k}`, out);
  return out;
}

export function validateSweepJsonl(text: string): Validated<SweepRecord[]> {
  const r = validateJsonl<SweepRecord & { metrics?: unknown }>(text, () => SWEEP_RULE);
  if (!r.ok) return r;
  return { ok: true, value: r.value.map((x) => ({ ...x, metrics: flattenMetrics(x.metrics ?? {}) })) };
}

/** One entry of `dhcpike claims --json`: the same type the command prints. */
export type ClaimReport = ClaimResult;

const CLAIMS_RULE: Rule = {
  object: {
    claims: {
      array: {
        object: {
          id: 'string',
          section: 'string',
          claim: 'string',
          scenario: 'string',
          methods: { array: 'string' },
          measure: 'string',
          verdict: { oneOf: ['supported', 'refuted', 'depends', 'not-run', 'not-measurable'] },
          reason: opt('string'),
          figures: {
            array: {
              object: {
                condition: 'string',
                method: 'string',
                values: { record: { either: ['number', 'null'] } },
                holds: opt('boolean'),
              },
            },
          },
          clients: opt({
            array: {
              object: {
                method: 'string',
                machines: {
                  array: {
                    object: {
                      name: 'string',
                      id: { either: ['string', 'null'] },
                      source: 'string',
                      states: { either: ['number', 'null'] },
                      transitions: { either: ['number', 'null'] },
                      pending: opt('string'),
                    },
                  },
                },
                states: { either: ['number', 'null'] },
                transitions: { either: ['number', 'null'] },
                mirroredStates: {
                  array: {
                    object: { state: 'string', dhcpStates: { array: 'string' }, reports: { array: 'string' } },
                  },
                },
                code: { object: { client: 'number', withoutDhcp: 'number', gateway: 'number' } },
                files: { array: 'string' },
              },
            },
          }),
        },
      },
    },
  },
};

export function validateClaimsJson(text: string): Validated<{ claims: ClaimReport[] }> {
  return validateJson(text, CLAIMS_RULE);
}
