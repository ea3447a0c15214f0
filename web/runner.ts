/**
 * The one seam between the browser lab and the protocol code: everything the UI runs goes through `labRunner`, a thin
 * layer over scenarios/browser.ts (the same loader, builder, engine and metrics `dhcpike run` uses, so a run here has
 * the same traceSha256 as the CLI for the same scenario, method, seed, options and parameters).
 *
 * What the lab adds on top of a scenario (link settings, "drop this packet") is written into a copy of the scenario
 * document before it is loaded, so it goes through the same schema as any scenario file.
 */
import {
  allPolicies,
  compareTable,
  formatProblem,
  LIBRARY_DOCUMENTS,
  loadScenario,
  METHOD_IDS,
  registeredMethods,
  runScenario,
  ScenarioError,
  type CompareResult,
  type MethodId,
  type PolicyDescriptor,
  type Problem,
  type RunScenarioMetrics,
  type RunScenarioOptions,
  type Scenario,
  type ScenarioRunResult,
} from '../scenarios/browser.ts';
import { msToUs, toLinkProfile } from '../scenarios/units.ts';
import type { LinkProfile } from '../sim/link-profile.ts';
import type { TraceEvent } from '../sim/trace.ts';

export type { PolicyDescriptor, Problem, RunScenarioMetrics };

/** The three link settings the Faults panel edits (engine units). */
export type LinkField = 'lossPpm' | 'latencyUs' | 'jitterUs';
export const LINK_FIELDS: readonly LinkField[] = ['lossPpm', 'latencyUs', 'jitterUs'];

export interface LinkInfo {
  readonly name: string;
  /** Node or client-group names attached. */
  readonly nodes: readonly string[];
  readonly profile: LinkProfile;
  /** Fields a scenario parameter writes (edit the parameter instead): field → parameter name. */
  readonly byParameter: Readonly<Partial<Record<LinkField, string>>>;
}

export interface ParameterInfo {
  readonly name: string;
  readonly doc: string;
  readonly default: string | number | boolean;
}

export interface ScenarioInfo {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The scenario's methods that the models register, in METHOD_IDS order. */
  readonly methods: readonly MethodId[];
  readonly defaultMethod: MethodId;
  readonly seed: number;
  readonly links: readonly LinkInfo[];
  readonly parameters: readonly ParameterInfo[];
  /** Loaded from a file by the user (not in the library). */
  readonly fromFile: boolean;
  /** Clients (members of all groups): big scenarios take a while in a browser. */
  readonly clients: number;
}

/** A targeted drop added by "drop this packet" (sim/targeted-drop.ts counts originals per link direction). */
export interface DropNthSpec {
  readonly link: string;
  readonly from: string;
  readonly to: string;
  readonly n: number;
}

/** User changes applied on top of a scenario, re-run from the same seed. */
export interface RunOverrides {
  /** Set on each named link's profile (both directions). */
  readonly links?: Readonly<Record<string, LinkProfile>>;
  readonly drops?: readonly DropNthSpec[];
}

export interface RunRequest {
  readonly scenario: string;
  readonly method: string;
  /** Absent: the scenario's seed. */
  readonly seed?: number;
  /** Policy values (`--option`), text or typed. */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  /** Scenario parameters (`--param`), text or typed. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly overrides?: RunOverrides;
}

export interface NodeInfo {
  readonly name: string;
  readonly role: string;
}

export interface LabRun {
  readonly request: RunRequest;
  readonly result: ScenarioRunResult;
  readonly seed: number;
  readonly trace: readonly TraceEvent[];
  readonly traceSha256: string;
  readonly metrics: RunScenarioMetrics;
  /** Lifeline order, left to right. */
  readonly nodes: readonly NodeInfo[];
  /** The methods this scenario can run (for the method picker and Compare). */
  readonly methods: readonly MethodId[];
}

/** Where a run stands, for a progress bar: virtual time of `durationUs`, clients addressed of `clients`. */
export interface LabProgress {
  readonly atUs: number;
  readonly durationUs: number;
  readonly eventsRun: number;
  readonly addressed: number;
  readonly clients: number;
}

/** The progress hook of a run (scenarios/run.ts `progress`): the same events and trace with or without it. */
export interface LabRunHooks {
  readonly everyEvents: number;
  /** Returning false stops the run (`result.stop.reason` is `stopped`). */
  readonly onProgress: (p: LabProgress) => boolean | void;
}

/** A scenario that cannot be loaded or run: every problem with its field path. */
export class LabRunError extends Error {
  constructor(
    readonly problems: readonly Problem[],
    message: string,
  ) {
    super(message);
    this.name = 'LabRunError';
  }
}

const userDocuments = new Map<string, unknown>();

function documentOf(id: string): unknown {
  const doc = userDocuments.get(id) ?? LIBRARY_DOCUMENTS[id];
  return doc === undefined ? undefined : structuredClone(doc);
}

const FIELD_OF: Readonly<Record<string, LinkField>> = {
  lossRatio: 'lossPpm',
  lossPpm: 'lossPpm',
  latencyMs: 'latencyUs',
  latencyUs: 'latencyUs',
  jitterMs: 'jitterUs',
  jitterUs: 'jitterUs',
};

/** Which link fields the scenario's parameters write (`topology.links.<i>.profile.<field>`). */
function parameterFields(s: Scenario): Map<number, Partial<Record<LinkField, string>>> {
  const out = new Map<number, Partial<Record<LinkField, string>>>();
  for (const [name, p] of Object.entries(s.parameters ?? {})) {
    for (const path of p.paths ?? []) {
      const m = /^topology\.links\.(\d+)\.profile\.(\w+)$/.exec(path);
      const field = m ? FIELD_OF[m[2] as string] : undefined;
      if (!m || !field) continue;
      const i = Number(m[1]);
      out.set(i, { ...out.get(i), [field]: name });
    }
  }
  return out;
}

function clientCount(s: Scenario): number {
  return s.topology.clients.reduce((n, g) => n + (g.count ?? 1), 0);
}

function info(id: string, s: Scenario, fromFile: boolean): ScenarioInfo {
  const have = new Set<string>(registeredMethods());
  const methods = METHOD_IDS.filter((m) => s.methods.includes(m) && have.has(m));
  const byParam = parameterFields(s);
  return {
    id,
    title: s.name,
    description: s.description,
    methods,
    defaultMethod: (s.methods.find((m) => have.has(m)) ?? methods[0] ?? 'dhcp-over-ike') as MethodId,
    seed: s.seed,
    links: s.topology.links.map((l, i) => ({
      name: l.name,
      nodes: l.attach,
      profile: toLinkProfile(l.profile ?? {}),
      byParameter: byParam.get(i) ?? {},
    })),
    parameters: Object.entries(s.parameters ?? {}).map(([name, p]) => ({
      name,
      doc: p.doc ?? '',
      default: p.default,
    })),
    fromFile,
    clients: clientCount(s),
  };
}

/** Loaded lazily: loading all fourteen library scenarios through the schema costs ~0.2 s before the first frame. */
const infos = new Map<string, ScenarioInfo>();

/** id, name and description straight from the document (no schema run): enough for the scenario picker. */
export interface ScenarioEntry {
  readonly id: string;
  readonly description: string;
  readonly clients: number;
  readonly fromFile: boolean;
}

function entryOf(id: string, doc: unknown, fromFile: boolean): ScenarioEntry {
  const d = doc as { description?: unknown; topology?: { clients?: { count?: unknown }[] } };
  const clients = (d.topology?.clients ?? []).reduce((n, g) => n + (typeof g.count === 'number' ? g.count : 1), 0);
  return { id, description: typeof d.description === 'string' ? d.description : '', clients, fromFile };
}

function loadInfo(id: string): ScenarioInfo | undefined {
  const known = infos.get(id);
  if (known) return known;
  const doc = documentOf(id);
  if (doc === undefined) return undefined;
  const r = loadScenario(doc as object);
  // A library scenario that does not load is a bug in scenarios/ (its tests catch it); the lab then cannot run it.
  if (!r.ok) return undefined;
  const i = info(id, r.scenario, userDocuments.has(id));
  infos.set(id, i);
  return i;
}

/** Node order for lifelines: clients, gateways, DHCP servers, home DHCP servers, hosts (as the topology lists them). */
function lifelines(s: Scenario): NodeInfo[] {
  const t = s.topology;
  const out: NodeInfo[] = [];
  for (const g of t.clients) {
    const names = g.count === undefined ? [g.name] : Array.from({ length: g.count }, (_x, k) => `${g.name}${k + 1}`);
    for (const n of names) out.push({ name: n, role: 'client · IKE initiator' });
  }
  for (const g of t.gateways) out.push({ name: g.name, role: 'gateway · IKE responder' });
  for (const d of t.dhcpServers) out.push({ name: d.name, role: 'DHCP server' });
  for (const d of t.homeDhcpServers) out.push({ name: d.name, role: 'home DHCP server' });
  for (const h of t.enterpriseHosts) out.push({ name: h.name, role: 'host' });
  return out;
}

/** Writes the lab's overrides into a scenario document (a fresh copy): link profiles and targeted drops. */
export function applyOverrides(doc: unknown, o: RunOverrides | undefined): unknown {
  if (o === undefined || typeof doc !== 'object' || doc === null) return doc;
  const d = doc as {
    topology?: { links?: { name?: string; profile?: Record<string, unknown> }[] };
    faults?: unknown[];
  };
  for (const [name, profile] of Object.entries(o.links ?? {})) {
    const link = d.topology?.links?.find((l) => l.name === name);
    if (!link) continue;
    const p = { ...(link.profile ?? {}) };
    // One unit per field (scenarios/validate.ts rejects both): the lab writes µs and ppm.
    if (profile.lossPpm !== undefined) {
      delete p['lossRatio'];
      p['lossPpm'] = profile.lossPpm;
    }
    if (profile.latencyUs !== undefined) {
      delete p['latencyMs'];
      p['latencyUs'] = profile.latencyUs;
    }
    if (profile.jitterUs !== undefined) {
      delete p['jitterMs'];
      p['jitterUs'] = profile.jitterUs;
    }
    link.profile = p;
  }
  if ((o.drops ?? []).length > 0) {
    d.faults = [
      ...(d.faults ?? []),
      ...(o.drops ?? []).map((x, i) => ({
        type: 'drop.nth',
        atMs: 0,
        id: `ui-drop-${i + 1}`,
        link: x.link,
        from: x.from,
        to: x.to,
        n: x.n,
      })),
    ];
  }
  return doc;
}

function hasOverrides(o: RunOverrides | undefined): boolean {
  return o !== undefined && (Object.keys(o.links ?? {}).length > 0 || (o.drops ?? []).length > 0);
}

function problemsOf(e: unknown): Problem[] {
  if (e instanceof ScenarioError) return [...e.problems];
  return [{ path: '', expected: 'a run', found: e instanceof Error ? e.message : String(e) }];
}

export const labRunner = {
  /** The library (sorted) then the scenarios loaded from files. */
  listScenarios(): readonly ScenarioEntry[] {
    return [
      ...Object.keys(LIBRARY_DOCUMENTS)
        .sort()
        .map((id) => entryOf(id, LIBRARY_DOCUMENTS[id], false)),
      ...[...userDocuments].map(([id, doc]) => entryOf(id, doc, true)),
    ];
  },

  /** The scenario's links, parameters and runnable methods (loads it through the schema once). */
  scenario(id: string): ScenarioInfo | undefined {
    return loadInfo(id);
  },

  /** Every named policy (shared IKE ones, then each registered method's). */
  policies(): readonly PolicyDescriptor[] {
    return allPolicies();
  },

  /**
   * Validates a scenario document (the same zod schema and cross-field checks as `dhcpike run FILE`) and, when it is
   * valid, adds it to the list. Returns its id, or every problem with its field path.
   */
  addScenario(doc: unknown): { ok: true; id: string } | { ok: false; problems: readonly Problem[] } {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      return { ok: false, problems: [{ path: '', expected: 'a JSON object', found: JSON.stringify(doc) ?? '' }] };
    const r = loadScenario(structuredClone(doc));
    if (!r.ok) return { ok: false, problems: r.problems };
    const id = LIBRARY_DOCUMENTS[r.scenario.name] === undefined ? r.scenario.name : `${r.scenario.name}-file`;
    userDocuments.set(id, structuredClone(doc));
    infos.set(id, info(id, r.scenario, true));
    return { ok: true, id };
  },

  /** A user's scenario document (loaded from a file), to hand to a worker, which has its own runner. */
  userDocument(id: string): unknown {
    const doc = userDocuments.get(id);
    return doc === undefined ? undefined : structuredClone(doc);
  },

  /** The clients a request runs (its parameters applied, e.g. storm-1000's `clients`); 0 when it does not load. */
  clientsOf(request: RunRequest): number {
    const doc = documentOf(request.scenario);
    if (doc === undefined) return 0;
    const loaded = loadScenario(doc as object, {
      ...(request.options ? { options: request.options } : {}),
      ...(request.params ? { params: request.params } : {}),
    });
    return loaded.ok ? clientCount(loaded.scenario) : 0;
  },

  run(request: RunRequest, hooks?: LabRunHooks): LabRun {
    const doc = documentOf(request.scenario);
    if (doc === undefined)
      throw new LabRunError(
        [{ path: 's', expected: 'a scenario of the library', found: JSON.stringify(request.scenario) }],
        `unknown scenario ${JSON.stringify(request.scenario)}`,
      );
    const source = hasOverrides(request.overrides) ? applyOverrides(doc, request.overrides) : doc;
    let result: ScenarioRunResult;
    let scenario: Scenario;
    try {
      const loaded = loadScenario(source as object, {
        ...(request.options ? { options: request.options } : {}),
        ...(request.params ? { params: request.params } : {}),
      });
      if (!loaded.ok) throw new ScenarioError(loaded.problems, loaded.source);
      scenario = loaded.scenario;
      const durationUs = msToUs(scenario.durationMs);
      const progress: RunScenarioOptions['progress'] = hooks && {
        everyEvents: hooks.everyEvents,
        onProgress: (p) => hooks.onProgress({ ...p, durationUs }),
      };
      result = runScenario(scenario, {
        method: request.method as MethodId,
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        ...(progress ? { progress } : {}),
      });
    } catch (e) {
      const problems = problemsOf(e);
      throw new LabRunError(problems, problems.map(formatProblem).join('; '));
    }
    return {
      request,
      result,
      seed: result.seed,
      trace: result.trace,
      traceSha256: result.traceSha256,
      metrics: result.metrics,
      nodes: lifelines(scenario),
      methods: loadInfo(request.scenario)?.methods ?? registeredMethods(),
    };
  },

  /** The comparison table of several runs of one scenario and seed (scenarios/compare.ts's rows and order). */
  compareTable(runs: readonly LabRun[]): ReturnType<typeof compareTable> {
    const c: CompareResult = {
      scenario: runs[0]?.result.scenario ?? '',
      seed: runs[0]?.seed ?? 0,
      results: runs.map((r) => ({
        method: r.result.method,
        traceSha256: r.traceSha256,
        metrics: r.metrics,
        expectations: r.result.expectations,
        ok: r.result.ok,
      })),
      skipped: [],
    };
    return compareTable(c);
  },
};

export type LabRunner = typeof labRunner;
