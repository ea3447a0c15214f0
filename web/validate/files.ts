/** The shapes of the files a person can load: a trace (JSONL), a sweep result (JSONL), a claims report, a scenario. */
import { DROP_REASONS, type TraceEvent } from '../../sim/trace.ts';
import { validateJson, validateJsonl, type Rule, type Validated } from './check.ts';

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

export interface SweepRecord {
  readonly method: string;
  readonly seed: number;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly metrics: Readonly<Record<string, number | null>>;
}

const SWEEP_RULE: Rule = {
  object: { method: 'string', seed: 'uint', params: dataRecord, metrics: { record: { either: ['number', 'null'] } } },
  extra: 'any',
};

export function validateSweepJsonl(text: string): Validated<SweepRecord[]> {
  return validateJsonl<SweepRecord>(text, () => SWEEP_RULE);
}

export interface Claim {
  readonly id: string;
  readonly text: string;
  readonly section: string;
  readonly verdict: string;
  readonly figures: Readonly<Record<string, number | string | boolean>>;
  readonly experiment: { readonly scenario: string; readonly method: string; readonly seed: number };
}

const CLAIMS_RULE: Rule = {
  object: {
    claims: {
      array: {
        object: {
          id: 'string',
          text: 'string',
          section: 'string',
          verdict: 'string',
          figures: dataRecord,
          experiment: { object: { scenario: 'string', method: 'string', seed: 'uint' }, extra: 'any' },
        },
        extra: 'any',
      },
    },
  },
  extra: 'any',
};

export function validateClaimsJson(text: string): Validated<{ claims: Claim[] }> {
  return validateJson(text, CLAIMS_RULE);
}

/**
 * Scenario files are checked by the scenarios/ zod schema; the lead connects it here with `setScenarioValidator`
 * (a function from parsed JSON to `Validated`). Until then only "is a JSON object with a string id" is checked.
 */
export type ScenarioValidator = (value: unknown) => Validated<unknown>;

let scenarioValidator: ScenarioValidator = (value) => {
  const r = validateJson<unknown>(JSON.stringify(value), { object: { id: 'string' }, extra: 'any' });
  return r;
};

export function setScenarioValidator(v: ScenarioValidator): void {
  scenarioValidator = v;
}

export function validateScenarioJson(text: string): Validated<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: '$', message: `not JSON: ${(e as Error).message}` }] };
  }
  return scenarioValidator(value);
}
