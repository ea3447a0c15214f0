/**
 * The seed draft's claims (draft-richardson-ipsec-dhcp-over-ike-00 §3, §4), each an experiment in
 * scenarios/claims/*.json: a scenario, the methods, what is measured and a verdict rule. A claim whose methods are not
 * registered (or whose topology is not modelled yet) reports `not-run` with the reason — never a made-up verdict.
 * Browser-safe: the claims come from the static data module claims/index.ts.
 */
import { z } from 'zod';
import type { PolicyValue } from '../models/methods/policy.ts';
import { compareOp, metricAt } from './expectations.ts';
import { isRegistered, METHOD_IDS, type MethodId } from './method-registry.ts';
import { formatProblem } from './problems.ts';
import { ScenarioError } from './problems.ts';
import { runScenario, type RunScenarioMetrics } from './run.ts';
import { CLAIM_DOCUMENTS } from './claims/index.ts';
import type { MirroredState } from './metrics/dhcp-mirror.ts';
import { clientComplexity, type CountedMachine } from './metrics/method-client.ts';

const Op = z.enum(['<', '<=', '==', '>=', '>']);
const Method = z.enum(METHOD_IDS);
type RuleT =
  | {
      kind: 'compare';
      path: string;
      left: MethodId;
      op: z.infer<typeof Op>;
      right: MethodId;
      offset?: number | undefined;
      factor?: number | undefined;
      rightPath?: string | undefined;
    }
  | { kind: 'threshold'; path: string; method: MethodId; op: z.infer<typeof Op>; value: number }
  | { kind: 'paths'; method: MethodId; left: string; op: z.infer<typeof Op>; right: string }
  | { kind: 'all'; rules: RuleT[] };

const Rule: z.ZodType<RuleT> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('compare'),
      path: z.string(),
      left: Method,
      op: Op,
      right: Method,
      offset: z.number().optional(),
      /** The right side is multiplied by this first (`left >= right × 0.9`: at most 10 % less). */
      factor: z.number().positive().optional(),
      /** The right side's metric when it differs from `path` (e.g. one client's own machines against another's all). */
      rightPath: z.string().optional(),
    }),
    z.strictObject({ kind: z.literal('threshold'), path: z.string(), method: Method, op: Op, value: z.number() }),
    z.strictObject({ kind: z.literal('paths'), method: Method, left: z.string(), op: Op, right: z.string() }),
    z.strictObject({ kind: z.literal('all'), rules: z.array(Rule).min(1) }),
  ]),
) as z.ZodType<RuleT>;

const Setting = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const ClaimSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  section: z.string(),
  /** The draft's words. */
  claim: z.string().min(1),
  scenario: z.string().min(1),
  methods: z.array(Method).min(1),
  /** What is measured, in words. */
  measure: z.string().min(1),
  rule: Rule,
  seed: z.number().int().min(0).optional(),
  /** Default true: every method must give at least one client an address, else the claim is `not-run` (a method
   * that does not work in the scenario measures nothing about the claim). */
  requireAddressed: z.boolean().optional(),
  params: Setting.optional(),
  options: Setting.optional(),
  /** Run once per condition; a rule that holds under some and not others gives `depends`. */
  conditions: z
    .array(
      z.strictObject({
        label: z.string(),
        params: Setting.optional(),
        options: Setting.optional(),
        /** Run another method in a method's place under this condition (`{ "mode-cfg": "mode-cfg-dhcp" }`: the
         * comparison is against mode-cfg backed by DHCP); the rule keeps naming the original. */
        methodAs: z.record(z.string(), Method).optional(),
      }),
    )
    .optional(),
});
export type Claim = z.infer<typeof ClaimSchema>;

/** `not-measurable`: the experiment ran but a figure the rule needs has no honest value (the reason says why). */
export type Verdict = 'supported' | 'refuted' | 'depends' | 'not-run' | 'not-measurable';

/** What a claim on the clients' machines or code counted, per method (scenarios/metrics/method-client.ts). */
export interface ClientCount {
  readonly method: string;
  readonly machines: readonly CountedMachine[];
  readonly states: number | null;
  readonly transitions: number | null;
  readonly mirroredStates: readonly MirroredState[];
  readonly code: { readonly client: number; readonly withoutDhcp: number; readonly gateway: number };
  readonly files: readonly string[];
}

export interface ClaimResult {
  readonly id: string;
  readonly section: string;
  readonly claim: string;
  readonly scenario: string;
  readonly methods: readonly string[];
  readonly measure: string;
  readonly verdict: Verdict;
  /** Why `not-run`, or the condition of `depends`. */
  readonly reason?: string;
  /** Per condition and method, the measured values of the rule's paths. */
  readonly figures: readonly {
    readonly condition: string;
    readonly method: string;
    readonly values: Readonly<Record<string, number | null>>;
    readonly holds?: boolean;
  }[];
  /** For claims on the clients' machines or code: per method, the machines counted and their sizes, and the code. */
  readonly clients?: readonly ClientCount[];
}

export function loadClaims(): Claim[] {
  return Object.keys(CLAIM_DOCUMENTS)
    .sort()
    .map((f) => {
      const r = ClaimSchema.safeParse(CLAIM_DOCUMENTS[f]);
      if (!r.success)
        throw new Error(
          `claims/${f}.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      return r.data;
    });
}

function rulePaths(r: RuleT, out: Map<string, Set<string>>): void {
  const add = (m: string, p: string): void => {
    const set = out.get(m) ?? new Set<string>();
    set.add(p);
    out.set(m, set);
  };
  if (r.kind === 'compare') {
    add(r.left, r.path);
    add(r.right, r.rightPath ?? r.path);
  } else if (r.kind === 'threshold') add(r.method, r.path);
  else if (r.kind === 'paths') {
    add(r.method, r.left);
    add(r.method, r.right);
  } else for (const x of r.rules) rulePaths(x, out);
}

function holds(r: RuleT, metrics: ReadonlyMap<string, RunScenarioMetrics>): boolean {
  const v = (m: string, p: string): number | undefined => metricAt(metrics.get(m), p);
  switch (r.kind) {
    case 'compare': {
      const a = v(r.left, r.path);
      const b = v(r.right, r.rightPath ?? r.path);
      return a !== undefined && b !== undefined && compareOp(a, r.op, b * (r.factor ?? 1) + (r.offset ?? 0));
    }
    case 'threshold': {
      const a = v(r.method, r.path);
      return a !== undefined && compareOp(a, r.op, r.value);
    }
    case 'paths': {
      const a = v(r.method, r.left);
      const b = v(r.method, r.right);
      return a !== undefined && b !== undefined && compareOp(a, r.op, b);
    }
    case 'all':
      return r.rules.every((x) => holds(x, metrics));
  }
}

function clientCount(method: string): ClientCount {
  const cx = clientComplexity(method);
  return {
    method,
    machines: cx.machines,
    states: cx.states,
    transitions: cx.transitions,
    mirroredStates: cx.mirroredStates,
    code: { client: cx.code.client.code, withoutDhcp: cx.code.own.code, gateway: cx.code.gateway.code },
    files: cx.code.client.files,
  };
}

export function evaluateClaim(c: Claim): ClaimResult {
  const base = {
    id: c.id,
    section: c.section,
    claim: c.claim,
    scenario: c.scenario,
    methods: c.methods,
    measure: c.measure,
  };
  const missing = c.methods.filter((m) => !isRegistered(m));
  if (missing.length > 0)
    return { ...base, verdict: 'not-run', reason: `method(s) not registered yet: ${missing.join(', ')}`, figures: [] };
  const conditions = c.conditions ?? [{ label: 'default' }];
  const paths = new Map<string, Set<string>>();
  rulePaths(c.rule, paths);
  const onClients = [...paths.values()].some((ps) => [...ps].some((p) => /^client(MachineSize|Code)\./.test(p)));
  const clients = onClients ? { clients: c.methods.map(clientCount) } : {};
  const figures: { condition: string; method: string; values: Record<string, number | null>; holds?: boolean }[] = [];
  const outcome: { label: string; ok: boolean }[] = [];
  for (const cond of conditions) {
    const metrics = new Map<string, RunScenarioMetrics>();
    try {
      for (const method of c.methods) {
        const r = runScenario(c.scenario, {
          method: (cond as { methodAs?: Record<string, MethodId> }).methodAs?.[method] ?? method,
          ...(c.seed !== undefined ? { seed: c.seed } : {}),
          params: { ...(c.params ?? {}), ...((cond as { params?: Record<string, PolicyValue> }).params ?? {}) },
          options: { ...(c.options ?? {}), ...((cond as { options?: Record<string, PolicyValue> }).options ?? {}) },
          keepTrace: false,
        });
        metrics.set(method, r.metrics);
      }
    } catch (e) {
      const why =
        e instanceof ScenarioError
          ? e.problems.map(formatProblem).join('; ')
          : e instanceof Error
            ? e.message
            : String(e);
      return { ...base, verdict: 'not-run', reason: `condition ${cond.label}: ${why}`, figures };
    }
    if (c.requireAddressed !== false) {
      const dead = c.methods.filter((m) => (metrics.get(m)?.addressed ?? 0) === 0);
      if (dead.length > 0)
        return {
          ...base,
          verdict: 'not-run',
          reason: `condition ${cond.label}: no client got an address with ${dead.join(', ')}, so nothing is measured`,
          figures,
        };
    }
    // Why each figure the rule needs has no value, one line per reason with the figures it leaves empty.
    const gaps = new Map<string, string[]>();
    for (const m of c.methods)
      for (const p of paths.get(m) ?? [])
        if (metricAt(metrics.get(m), p) === undefined) {
          const ran = (cond as { methodAs?: Record<string, MethodId> }).methodAs?.[m] ?? m;
          const why = clientComplexity(ran).unmeasured[p] ?? `${ran} has no value for it`;
          gaps.set(why, [...(gaps.get(why) ?? []), `${m} ${p}`]);
        }
    if (gaps.size > 0) {
      for (const method of c.methods) {
        const values: Record<string, number | null> = {};
        for (const p of paths.get(method) ?? []) values[p] = metricAt(metrics.get(method), p) ?? null;
        figures.push({ condition: cond.label, method, values });
      }
      const reason = [...gaps].map(([why, ps]) => `${why} (no ${ps.join(', ')})`).join('; ');
      return { ...base, verdict: 'not-measurable', reason, figures, ...clients };
    }
    const ok = holds(c.rule, metrics);
    outcome.push({ label: cond.label, ok });
    for (const method of c.methods) {
      const values: Record<string, number | null> = {};
      for (const p of paths.get(method) ?? []) values[p] = metricAt(metrics.get(method), p) ?? null;
      const ran = (cond as { methodAs?: Record<string, MethodId> }).methodAs?.[method] ?? method;
      figures.push({ condition: cond.label, method: ran, values, holds: ok });
    }
  }
  const yes = outcome.filter((o) => o.ok).map((o) => o.label);
  const no = outcome.filter((o) => !o.ok).map((o) => o.label);
  if (no.length === 0) return { ...base, verdict: 'supported', figures, ...clients };
  if (yes.length === 0) return { ...base, verdict: 'refuted', figures, ...clients };
  return {
    ...base,
    verdict: 'depends',
    reason: `holds when ${yes.join(', ')}; not when ${no.join(', ')}`,
    figures,
    ...clients,
  };
}

export function evaluateClaims(): ClaimResult[] {
  return loadClaims().map(evaluateClaim);
}
