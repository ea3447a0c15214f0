/**
 * Loading a scenario: a library name, a file path or an object → a validated scenario or every problem found.
 * Order: JSON → parameter overrides (`--param`) → schema (zod, strict) → cross-field checks (validate.ts) → option
 * overrides (`--option`, checked against the policy descriptors).
 *
 * Before the schema, the raw document is checked against the lab's size limits (`SCENARIO_LIMITS`): nesting depth,
 * and the number of faults, workload actions and client entries, so a generated or hostile file is rejected with a
 * problem instead of overflowing the stack or running for hours.
 *
 * Browser-safe: no `node:` imports. Library scenarios come from the static data module library/index.ts; file paths
 * are read only once a Node entry (scenarios/node.ts) has installed a file reader with `setScenarioFileReader`.
 */
import { z } from 'zod';
import {
  checkPolicyValue,
  parsePolicyText,
  policyExpected,
  type PolicyDescriptor,
  type PolicyValue,
} from '../models/methods/policy.ts';
import { allPolicies } from './method-registry.ts';
import { formatPath, foundText, ScenarioError, type Problem } from './problems.ts';
import type { NEEDS } from './schema.ts';
import { scenarioSchema, type ScenarioInput } from './schema.ts';
import { sizingRule } from './sizing.ts';
import { SCENARIO_LIMITS, validateOptions, validateScenario } from './validate.ts';
import { LIBRARY_DOCUMENTS } from './library/index.ts';

export { SCENARIO_LIMITS } from './validate.ts';

export interface Scenario extends Omit<ScenarioInput, 'options' | 'needs'> {
  /** Where it came from: `library:basic`, a file path, or `object`. */
  readonly source: string;
  /** Effective option values (descriptor defaults not included: absent = default). */
  readonly options: Readonly<Record<string, PolicyValue>>;
  /** Topology features not modelled yet (declared or derived). */
  readonly needs: readonly (typeof NEEDS)[number][];
  /** Parameter values applied (declared defaults plus overrides). */
  readonly params: Readonly<Record<string, PolicyValue>>;
}

interface PathLink {
  readonly key: string | number;
  readonly parent: PathLink | undefined;
}

function linkPath(link: PathLink | undefined): string {
  const parts: (string | number)[] = [];
  for (let at = link; at !== undefined; at = at.parent) parts.push(at.key);
  return formatPath(parts.reverse());
}

/** The first value nested deeper than `max`, walked with an explicit stack (a recursive walk would overflow). */
export function tooDeep(root: unknown, max: number = SCENARIO_LIMITS.depth): Problem | undefined {
  const stack: { value: unknown; depth: number; link: PathLink | undefined }[] = [
    { value: root, depth: 0, link: undefined },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth, link } = item;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= max)
      return {
        path: linkPath(link),
        expected: `a document nested at most ${max} levels deep`,
        found: 'deeper nesting',
      };
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        stack.push({ value: value[i] as unknown, depth: depth + 1, link: { key: i, parent: link } });
    } else {
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        stack.push({ value: v, depth: depth + 1, link: { key: k, parent: link } });
    }
  }
  return undefined;
}

/** `value[key]` when value is an object, else undefined (the raw document is not checked yet). */
function member(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

/** Array lengths above the limits, checked on the raw document before the schema walks it. */
function tooMany(raw: unknown): Problem[] {
  const out: Problem[] = [];
  const check = (value: unknown, path: string, max: number, what: string): void => {
    if (Array.isArray(value) && value.length > max)
      out.push({
        path,
        expected: `at most ${max.toLocaleString('en')} ${what} (the lab's limit)`,
        found: `${value.length}`,
      });
  };
  check(member(raw, 'faults'), 'faults', SCENARIO_LIMITS.faults, 'faults');
  check(member(member(raw, 'workload'), 'actions'), 'workload.actions', SCENARIO_LIMITS.actions, 'workload actions');
  check(member(member(raw, 'topology'), 'clients'), 'topology.clients', SCENARIO_LIMITS.clients, 'clients');
  return out;
}

export type LoadResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly source: string };

export interface LoadOptions {
  /** Scenario parameter overrides (`--param name=value`), text or typed. */
  readonly params?: Readonly<Record<string, PolicyValue>>;
  /** Policy overrides (`--option name=value`): text values are parsed by the descriptor. */
  readonly options?: Readonly<Record<string, PolicyValue>>;
}

function optionSchema(d: PolicyDescriptor): z.ZodType {
  switch (d.kind) {
    case 'enum':
      return z.enum((d.values ?? []) as [string, ...string[]]).describe(d.doc);
    case 'bool':
      return z.boolean().describe(d.doc);
    case 'int':
    case 'durationMs':
      return z
        .number()
        .int()
        .min(d.min ?? 0)
        .max(d.max ?? Number.MAX_SAFE_INTEGER)
        .describe(d.doc);
  }
}

/** The schema with `options` built from every known policy descriptor. */
export function fullScenarioSchema() {
  const shape: Record<string, z.ZodType> = {};
  for (const d of allPolicies()) shape[d.name] = optionSchema(d).optional();
  return scenarioSchema(z.strictObject(shape));
}

/** The JSON Schema of scenario files (`dhcpike schema`). */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(fullScenarioSchema(), { io: 'input', unrepresentable: 'any' });
}

export function libraryNames(): string[] {
  return Object.keys(LIBRARY_DOCUMENTS).sort();
}

/** The JSON document of a library scenario (a fresh copy), or undefined. */
export function libraryDocument(name: string): unknown {
  const doc = LIBRARY_DOCUMENTS[name];
  return doc === undefined ? undefined : structuredClone(doc);
}

/** A name is a file path when it has a slash or ends in `.json`; otherwise a library name. */
export function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.endsWith('.json');
}

/** Reads a scenario file: the parsed JSON, or the problems (missing file, bad JSON). Installed by Node entries. */
export type ScenarioFileReader = (path: string) => { readonly raw: unknown; readonly problems: readonly Problem[] };

let fileReader: ScenarioFileReader | undefined;

/** Node entries (scenarios/node.ts) install a file reader; in the browser paths are rejected with a problem. */
export function setScenarioFileReader(reader: ScenarioFileReader | undefined): void {
  fileReader = reader;
}

function issueProblem(issue: z.core.$ZodIssue): Problem[] {
  const input = (issue as { input?: unknown }).input;
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const inOptions = issue.path.length === 1 && issue.path[0] === 'options';
    const known = inOptions
      ? allPolicies()
          .map((d) => d.name)
          .join(', ')
      : '';
    return issue.keys.map((k) => ({
      path: formatPath([...issue.path, k]),
      expected: inOptions ? `a known option (${known})` : 'no such field (unknown fields are errors)',
      found: foundText((input as Record<string, unknown> | undefined)?.[k]),
    }));
  }
  const m = /expected (.*?)(?:, received .*)?$/i.exec(issue.message);
  let expected = m?.[1] ?? issue.message;
  if (issue.code === 'too_small' || issue.code === 'too_big')
    expected = issue.message.replace(/^Too (small|big): expected /, '');
  if (issue.code === 'invalid_format' || issue.code === 'custom') expected = issue.message;
  if (issue.code === 'invalid_union' && (issue as { note?: string }).note === 'No matching discriminator')
    expected = `a known ${String(issue.path.at(-1) ?? 'variant')}`;
  return [{ path, expected, found: foundText(input) }];
}

/** Writes `value` at a dotted path (`topology.links.0.profile.lossRatio`) of a plain JSON value. */
function setPath(root: unknown, path: string, value: unknown): boolean {
  const parts = path.split('.');
  let at: unknown = root;
  for (let i = 0; i < parts.length - 1; i++) {
    if (at === null || typeof at !== 'object') return false;
    at = (at as Record<string, unknown>)[parts[i] as string];
  }
  if (at === null || typeof at !== 'object') return false;
  (at as Record<string, unknown>)[parts[parts.length - 1] as string] = value;
  return true;
}

function coerceText(v: PolicyValue, like: PolicyValue): PolicyValue {
  if (typeof v !== 'string') return v;
  if (typeof like === 'number' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (typeof like === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

function readSource(pathOrObject: string | object): { raw: unknown; source: string; problems: Problem[] } {
  if (typeof pathOrObject !== 'string') {
    // structuredClone recurses: measure the depth first.
    const deep = tooDeep(pathOrObject);
    if (deep !== undefined) return { raw: undefined, source: 'object', problems: [deep] };
    return { raw: structuredClone(pathOrObject), source: 'object', problems: [] };
  }
  if (looksLikePath(pathOrObject)) {
    if (fileReader === undefined)
      return {
        raw: undefined,
        source: pathOrObject,
        problems: [
          {
            path: '',
            expected: `a library scenario (${libraryNames().join(', ')}) or a scenario object (files are read in Node)`,
            found: foundText(pathOrObject),
          },
        ],
      };
    const r = fileReader(pathOrObject);
    const deep = r.problems.length === 0 ? tooDeep(r.raw) : undefined;
    return { raw: r.raw, source: pathOrObject, problems: deep === undefined ? [...r.problems] : [deep] };
  }
  const raw = libraryDocument(pathOrObject);
  if (raw === undefined)
    return {
      raw: undefined,
      source: `library:${pathOrObject}`,
      problems: [
        {
          path: '',
          expected: `a library scenario (${libraryNames().join(', ')}) or a .json path`,
          found: foundText(pathOrObject),
        },
      ],
    };
  return { raw, source: `library:${pathOrObject}`, problems: [] };
}

export function loadScenario(pathOrObject: string | object, o: LoadOptions = {}): LoadResult {
  const { raw, source, problems } = readSource(pathOrObject);
  if (problems.length > 0) return { ok: false, problems, source };
  const sizes = tooMany(raw);
  if (sizes.length > 0) return { ok: false, problems: sizes, source };
  const out: Problem[] = [];
  // Parameters: declared defaults, then overrides, written into the raw document before the schema runs. Names come
  // from users: a Map and own-key lookups, so `constructor` or `__proto__` is an unknown parameter, not a prototype.
  const params = new Map<string, PolicyValue>();
  const rawParameters = (raw as { parameters?: unknown } | null)?.parameters;
  const declared = new Map<string, { default?: PolicyValue; paths?: string[]; sizing?: unknown }>(
    rawParameters !== null && typeof rawParameters === 'object'
      ? (Object.entries(rawParameters) as [string, { default?: PolicyValue; paths?: string[]; sizing?: unknown }][])
      : [],
  );
  for (const [name, p] of declared) if (p?.default !== undefined) params.set(name, p.default);
  for (const [name, v] of Object.entries(o.params ?? {})) {
    const p = declared.get(name);
    if (p === undefined) {
      out.push({
        path: `--param ${name}`,
        expected: `a parameter of this scenario (${[...declared.keys()].join(', ') || 'none'})`,
        found: foundText(name),
      });
      continue;
    }
    params.set(name, coerceText(v, p?.default ?? 0));
  }
  for (const [name, v] of params) {
    const paths = declared.get(name)?.paths;
    for (const path of Array.isArray(paths) ? paths : []) {
      if (!setPath(raw, path, v))
        out.push({
          path: `parameters.${name}.paths`,
          expected: 'a path that exists in the scenario',
          found: foundText(path),
        });
    }
  }
  // Sizing rules run after the paths, so a rule's derived values win over a path writing the same place.
  for (const [name, v] of params) {
    const rule = declared.get(name)?.sizing;
    if (rule === undefined) continue;
    const r = typeof rule === 'string' ? sizingRule(rule) : undefined;
    if (r === undefined) continue; // an unknown rule name is reported by the schema below
    const where =
      o.params !== undefined && Object.hasOwn(o.params, name) ? `--param ${name}` : `parameters.${name}.default`;
    for (const p of r.apply(raw, v, where)) out.push(p);
  }
  const parsed = fullScenarioSchema().safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // No `push(...list)`: spreading a list of hundreds of thousands of problems as arguments overflows the stack.
    for (const issue of parsed.error.issues) for (const p of issueProblem(issue)) out.push(p);
    return { ok: false, problems: out, source };
  }
  const s = parsed.data as ScenarioInput;
  for (const p of validateScenario(s)) out.push(p);
  const options: Record<string, PolicyValue> = { ...((s.options ?? {}) as Record<string, PolicyValue>) };
  const policies = new Map(allPolicies().map((d) => [d.name, d]));
  for (const [name, v] of Object.entries(o.options ?? {})) {
    const d = policies.get(name);
    if (d === undefined) {
      out.push({
        path: `--option ${name}`,
        expected: `a known option (${allPolicies()
          .map((p) => p.name)
          .join(', ')})`,
        found: foundText(name),
      });
      continue;
    }
    const r = typeof v === 'string' ? parsePolicyText(d, v) : checkPolicyValue(d, v);
    if (r.ok) options[name] = r.value;
    else out.push({ path: `--option ${name}`, expected: policyExpected(d), found: foundText(v) });
  }
  const optionPath = (name: string): string =>
    o.options !== undefined && Object.hasOwn(o.options, name) ? `--option ${name}` : `options.${name}`;
  for (const p of validateOptions(s, options, optionPath)) out.push(p);
  // An expectation's `options` condition names known policies with valid values (else it could never apply).
  s.expectations.forEach((e, i) => {
    for (const [name, v] of Object.entries(e.options ?? {})) {
      const d = allPolicies().find((p) => p.name === name);
      const path = `expectations[${i}].options.${name}`;
      if (d === undefined) out.push({ path, expected: 'a known option', found: foundText(name) });
      else if (!checkPolicyValue(d, v).ok) out.push({ path, expected: policyExpected(d), found: foundText(v) });
    }
  });
  if (out.length > 0) return { ok: false, problems: out, source };
  // Every topology feature is modelled now (home LAN DHCP, tunnels to several gateways); `needs` stays as declared.
  const needs = new Set(s.needs ?? []);
  return {
    ok: true,
    scenario: { ...s, source, options, needs: [...needs].sort(), params: Object.fromEntries(params) },
  };
}

/** Like loadScenario, throwing a ScenarioError (with every problem) on a bad scenario. */
export function loadScenarioOrThrow(pathOrObject: string | object | Scenario, o: LoadOptions = {}): Scenario {
  if (
    typeof pathOrObject === 'object' &&
    'source' in pathOrObject &&
    'needs' in pathOrObject &&
    o.params === undefined &&
    o.options === undefined
  )
    return pathOrObject as Scenario;
  const r = loadScenario(pathOrObject, o);
  if (!r.ok) throw new ScenarioError(r.problems, r.source);
  return r.scenario;
}
