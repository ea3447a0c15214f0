/**
 * A tiny structural checker for files a person loads into the lab (traces, sweeps, claims). Files are parsed with
 * JSON.parse only — nothing in them is ever evaluated — and every problem is reported with its field path
 * (`line 3: $.hops[0].atUs: expected a non-negative integer`).
 */

export interface FieldError {
  /** 1-based line for JSON Lines files; absent for a single JSON document. */
  readonly line?: number;
  /** `$.claims[2].experiment.seed` */
  readonly path: string;
  readonly message: string;
}

export type Validated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly FieldError[] };

export type Rule =
  | 'string'
  | 'int'
  | 'uint'
  | 'number'
  | 'boolean'
  | 'hex'
  | { readonly oneOf: readonly string[] }
  | { readonly object: Readonly<Record<string, Rule | { readonly optional: Rule }>>; readonly extra?: Rule }
  | { readonly array: Rule }
  | { readonly record: Rule }
  | { readonly either: readonly Rule[] }
  | 'null'
  | 'any';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describeRule(rule: Rule): string {
  if (typeof rule === 'string') {
    return {
      string: 'a string',
      int: 'an integer',
      uint: 'a non-negative integer',
      number: 'a finite number',
      boolean: 'true or false',
      hex: 'a lowercase hex string',
      null: 'null',
      any: 'anything',
    }[rule];
  }
  if ('oneOf' in rule) return `one of ${rule.oneOf.map((s) => JSON.stringify(s)).join(', ')}`;
  if ('object' in rule || 'record' in rule) return 'an object';
  if ('array' in rule) return 'an array';
  return rule.either.map(describeRule).join(' or ');
}

/** Appends the problems of `value` against `rule` to `errors` (at most `max`). */
export function check(value: unknown, rule: Rule, path: string, errors: FieldError[], line?: number, max = 50): void {
  const fail = (message: string): void => {
    if (errors.length < max) errors.push({ ...(line !== undefined ? { line } : {}), path, message });
  };
  if (typeof rule === 'string') {
    const ok =
      rule === 'any' ||
      (rule === 'string' && typeof value === 'string') ||
      (rule === 'int' && Number.isSafeInteger(value)) ||
      (rule === 'uint' && Number.isSafeInteger(value) && (value as number) >= 0) ||
      (rule === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
      (rule === 'boolean' && typeof value === 'boolean') ||
      (rule === 'null' && value === null) ||
      (rule === 'hex' && typeof value === 'string' && /^(?:[0-9a-f]{2})*$/.test(value));
    if (!ok) fail(`expected ${describeRule(rule)}, got ${preview(value)}`);
    return;
  }
  if ('oneOf' in rule) {
    if (typeof value !== 'string' || !rule.oneOf.includes(value))
      fail(`expected ${describeRule(rule)}, got ${preview(value)}`);
    return;
  }
  if ('either' in rule) {
    for (const r of rule.either) {
      const probe: FieldError[] = [];
      check(value, r, path, probe, line);
      if (probe.length === 0) return;
    }
    fail(`expected ${describeRule(rule)}, got ${preview(value)}`);
    return;
  }
  if ('array' in rule) {
    if (!Array.isArray(value)) return fail(`expected an array, got ${preview(value)}`);
    value.forEach((v, i) => check(v, rule.array, `${path}[${i}]`, errors, line, max));
    return;
  }
  if (!isObject(value)) return fail(`expected an object, got ${preview(value)}`);
  if ('record' in rule) {
    for (const [k, v] of Object.entries(value)) check(v, rule.record, `${path}.${k}`, errors, line, max);
    return;
  }
  for (const [key, r] of Object.entries(rule.object)) {
    const optional = typeof r === 'object' && 'optional' in r;
    const inner = optional ? r.optional : (r as Rule);
    if (!(key in value) || value[key] === undefined) {
      if (!optional) fail(`${key}: missing`);
      continue;
    }
    check(value[key], inner, `${path}.${key}`, errors, line, max);
  }
  for (const key of Object.keys(value)) {
    if (key in rule.object) continue;
    if (rule.extra === undefined) fail(`${key}: unexpected field`);
    else check(value[key], rule.extra, `${path}.${key}`, errors, line, max);
  }
}

function preview(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/** Parses one JSON document and checks it. */
export function validateJson<T>(text: string, rule: Rule): Validated<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: '$', message: `not JSON: ${(e as Error).message}` }] };
  }
  const errors: FieldError[] = [];
  check(value, rule, '$', errors);
  return errors.length === 0 ? { ok: true, value: value as T } : { ok: false, errors };
}

/** Parses JSON Lines (blank lines skipped) and checks every line with `ruleFor(parsed)`. */
export function validateJsonl<T>(text: string, ruleFor: (value: unknown) => Rule, linesMax = 200_000): Validated<T[]> {
  const errors: FieldError[] = [];
  const out: T[] = [];
  const lines = text.split('\n');
  if (lines.length > linesMax) return { ok: false, errors: [{ path: '$', message: `more than ${linesMax} lines` }] };
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || errors.length >= 50) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      errors.push({ line, path: '$', message: `not JSON: ${(e as Error).message}` });
      return;
    }
    const before = errors.length;
    check(value, ruleFor(value), '$', errors, line);
    if (errors.length === before) out.push(value as T);
  });
  if (errors.length === 0 && out.length === 0) errors.push({ path: '$', message: 'the file has no records' });
  return errors.length === 0 ? { ok: true, value: out } : { ok: false, errors };
}

export function formatFieldError(e: FieldError): string {
  return `${e.line !== undefined ? `line ${e.line}: ` : ''}${e.path}: ${e.message}`;
}
