/**
 * Loading a scenario: a library name, a file path or an object → a validated scenario or every problem found.
 * Order: JSON → parameter overrides (`--param`) → schema (zod, strict) → cross-field checks (validate.ts) → option
 * overrides (`--option`, checked against the policy descriptors).
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
import { validateScenario } from './validate.ts';
import { LIBRARY_DOCUMENTS } from './library/index.ts';

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
  if (typeof pathOrObject !== 'string') return { raw: structuredClone(pathOrObject), source: 'object', problems: [] };
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
    return { raw: r.raw, source: pathOrObject, problems: [...r.problems] };
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
  const out: Problem[] = [];
  // Parameters: declared defaults, then overrides, written into the raw document before the schema runs.
  const params: Record<string, PolicyValue> = {};
  const declared =
    (raw as { parameters?: Record<string, { default?: PolicyValue; paths?: string[] }> } | null)?.parameters ?? {};
  for (const [name, p] of Object.entries(declared)) if (p.default !== undefined) params[name] = p.default;
  for (const [name, v] of Object.entries(o.params ?? {})) {
    const p = declared[name];
    if (p === undefined) {
      out.push({
        path: `--param ${name}`,
        expected: `a parameter of this scenario (${Object.keys(declared).join(', ') || 'none'})`,
        found: foundText(name),
      });
      continue;
    }
    params[name] = coerceText(v, p.default ?? 0);
  }
  for (const [name, v] of Object.entries(params)) {
    for (const path of declared[name]?.paths ?? []) {
      if (!setPath(raw, path, v))
        out.push({
          path: `parameters.${name}.paths`,
          expected: 'a path that exists in the scenario',
          found: foundText(path),
        });
    }
  }
  const parsed = fullScenarioSchema().safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) out.push(...issueProblem(issue));
    return { ok: false, problems: out, source };
  }
  const s = parsed.data as ScenarioInput;
  out.push(...validateScenario(s));
  const options: Record<string, PolicyValue> = { ...((s.options ?? {}) as Record<string, PolicyValue>) };
  for (const [name, v] of Object.entries(o.options ?? {})) {
    const d = allPolicies().find((p) => p.name === name);
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
  return { ok: true, scenario: { ...s, source, options, needs: [...needs].sort(), params } };
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
