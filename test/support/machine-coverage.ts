/**
 * State and transition coverage of an xstate machine, measured on REAL actors (not on the graph traversal): the
 * model-based tests generate paths with `xstate/graph` and drive each through `createActor(machine, { inspect })`;
 * this records which state nodes were active and which transition definitions were taken (`@xstate.microstep`), and
 * compares them with every state node and transition definition of the machine's definition.
 *
 * A transition's key names its source, event, guard, targets and position among the source's transitions for that
 * event, e.g. `ike-i.initSent —net.recv[isCookie]→ ike-i.initSent #0`; `(self)` is a targetless transition. Keys are
 * by state node id, so a machine `.provide()`d with other implementations shares keys with the original.
 */
import { expect } from 'vitest';
import type {
  AnyActorLogic,
  AnyStateMachine,
  EventFromLogic,
  EventObject,
  InputFrom,
  InspectionEvent,
  Snapshot,
} from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths } from 'xstate/graph';

interface GuardLike {
  readonly type?: string;
  readonly name?: string;
}
interface TransitionLike {
  readonly eventType: string;
  readonly source: { readonly id: string };
  readonly target?: readonly { readonly id: string }[] | undefined;
  readonly guard?: string | GuardLike | ((...args: never[]) => unknown) | undefined;
}
interface NodeLike {
  readonly id: string;
  readonly path: readonly string[];
  readonly states?: Readonly<Record<string, NodeLike>>;
  readonly transitions?: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[];
}

export interface CoverageCount {
  readonly covered: number;
  readonly total: number;
}

export interface CoverageReport {
  readonly machine: string;
  readonly states: CoverageCount;
  readonly transitions: CoverageCount;
  readonly missingStates: readonly string[];
  readonly missingTransitions: readonly string[];
}

/** A state or transition the tests cannot take, with the reason (checked: it must exist in the definition). */
export type Unreachable =
  { readonly state: string; readonly reason: string } | { readonly transition: string; readonly reason: string };

function guardName(g: TransitionLike['guard']): string {
  if (g === undefined) return '';
  if (typeof g === 'string') return `[${g}]`;
  if (typeof g === 'function') return `[${g.name || 'inline'}]`;
  return `[${g.type ?? g.name ?? 'inline'}]`;
}

/** The display key of a transition definition (see the module comment). */
export function transitionKey(t: TransitionLike, index: number): string {
  const targets = t.target === undefined || t.target.length === 0 ? '(self)' : t.target.map((s) => s.id).join(',');
  const event = t.eventType === '' ? 'always' : t.eventType;
  return `${t.source.id} —${event}${guardName(t.guard)}→ ${targets} #${index}`;
}

export class TransitionCoverage {
  private readonly stateIds: string[] = [];
  private readonly idByPath = new Map<string, string>();
  private readonly transitionKeys: string[] = [];
  private readonly keyOf = new Map<TransitionLike, string>();
  private readonly keyByShape = new Map<string, string>();
  private readonly seenStates = new Set<string>();
  private readonly seenTransitions = new Set<string>();
  private readonly machineId: string;

  constructor(machine: AnyStateMachine) {
    this.machineId = machine.id;
    const walk = (node: NodeLike, isRoot: boolean): void => {
      if (!isRoot) {
        this.stateIds.push(node.id);
        this.idByPath.set(node.path.join('.'), node.id);
      }
      for (const list of node.transitions?.values() ?? []) this.addAll(list);
      if (node.always !== undefined) this.addAll(node.always);
      for (const child of Object.values(node.states ?? {})) walk(child, false);
    };
    walk(machine.root as unknown as NodeLike, true);
  }

  private addAll(list: readonly TransitionLike[]): void {
    list.forEach((t, i) => {
      const key = transitionKey(t, i);
      this.transitionKeys.push(key);
      this.keyOf.set(t, key);
      // A `.provide()`d machine has new transition objects with the same shape: match them by shape and position.
      this.keyByShape.set(key, key);
    });
  }

  /** Pass as `createActor(machine, { inspect: cov.inspect })`; records only actors of this machine (by id). */
  readonly inspect = (ev: InspectionEvent): void => {
    const logic = (ev.actorRef as { logic?: { id?: string } }).logic;
    if (logic?.id !== this.machineId) return;
    if (ev.type === '@xstate.microstep') {
      for (const t of ev._transitions as unknown as readonly TransitionLike[]) {
        this.seenTransitions.add(this.key(t));
        // A transient state (left by `always` in the same macrostep) never shows in a snapshot: entering it counts.
        for (const target of t.target ?? []) this.seenStates.add(target.id);
      }
    }
    if (ev.type === '@xstate.snapshot') {
      const value = (ev.snapshot as { value?: unknown }).value;
      if (value !== undefined) this.markValue(value, '');
    }
  };

  private key(t: TransitionLike): string {
    const direct = this.keyOf.get(t);
    if (direct !== undefined) return direct;
    const source = t.source as unknown as NodeLike;
    const list = source.transitions?.get(t.eventType) ?? (t.eventType === '' ? source.always : undefined) ?? [];
    const index = Math.max(0, list.indexOf(t));
    return this.keyByShape.get(transitionKey(t, index)) ?? transitionKey(t, index);
  }

  private markValue(value: unknown, prefix: string): void {
    if (typeof value === 'string') {
      const id = this.idByPath.get(prefix === '' ? value : `${prefix}.${value}`);
      if (id !== undefined) this.seenStates.add(id);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      const id = this.idByPath.get(path);
      if (id !== undefined) this.seenStates.add(id);
      this.markValue(v, path);
    }
  }

  /** Every transition key of the definition, document order. */
  keys(): readonly string[] {
    return this.transitionKeys;
  }

  /** Every state node id of the definition (root excluded), document order. */
  states(): readonly string[] {
    return this.stateIds;
  }

  report(): CoverageReport {
    const missingStates = this.stateIds.filter((s) => !this.seenStates.has(s));
    const missingTransitions = this.transitionKeys.filter((k) => !this.seenTransitions.has(k));
    return {
      machine: this.machineId,
      states: { covered: this.stateIds.length - missingStates.length, total: this.stateIds.length },
      transitions: {
        covered: this.transitionKeys.length - missingTransitions.length,
        total: this.transitionKeys.length,
      },
      missingStates,
      missingTransitions,
    };
  }
}

/** One line for the test log, e.g. `coverage ike-i: states 14/14, transitions 80/81 (1 unreachable)`. */
export function formatCoverage(r: CoverageReport, unreachable = 0): string {
  const tail = unreachable > 0 ? ` (${unreachable} unreachable, listed with reasons)` : '';
  return (
    `coverage ${r.machine}: states ${r.states.covered}/${r.states.total}, ` +
    `transitions ${r.transitions.covered}/${r.transitions.total}${tail}`
  );
}

/**
 * Prints the coverage line and fails unless every state and transition was taken, except those listed as
 * unreachable (each must exist in the definition, must really not have been taken, and must give a reason).
 */
export function expectFullCoverage(
  cov: TransitionCoverage,
  options: { readonly unreachable?: readonly Unreachable[] } = {},
): CoverageReport {
  const r = cov.report();
  const unreachable = options.unreachable ?? [];
  const excusedStates = new Set<string>();
  const excusedTransitions = new Set<string>();
  for (const u of unreachable) {
    expect(u.reason.trim().length, 'an unreachable entry needs a reason').toBeGreaterThan(0);
    if ('state' in u) {
      expect(cov.states(), `unknown state ${u.state}`).toContain(u.state);
      expect(r.missingStates, `${u.state} is listed as unreachable but was reached`).toContain(u.state);
      excusedStates.add(u.state);
    } else {
      expect(cov.keys(), `unknown transition ${u.transition}`).toContain(u.transition);
      expect(r.missingTransitions, `${u.transition} is listed as unreachable but was taken`).toContain(u.transition);
      excusedTransitions.add(u.transition);
    }
  }
  console.log(formatCoverage(r, unreachable.length));
  expect(r.missingStates.filter((s) => !excusedStates.has(s))).toEqual([]);
  expect(r.missingTransitions.filter((k) => !excusedTransitions.has(k))).toEqual([]);
  return r;
}

/**
 * What a model-based test tells the path generator: the events possible in a snapshot (real events, payloads built
 * from the snapshot, e.g. a reply with its xid) and how to abstract a snapshot into a graph vertex (the state value
 * plus the context fields that matter — never the whole context, or the graph never closes).
 */
export interface PathModelOptions<TSnapshot extends Snapshot<unknown>, TEvent extends EventObject, TInput> {
  readonly input: TInput;
  events(snapshot: TSnapshot): readonly TEvent[];
  serializeState(snapshot: TSnapshot): string;
  /** Names an event for the graph (default: its type plus a `label` field when the test adds one). */
  serializeEvent?(event: TEvent): string;
  /** Bound on the vertices explored (default 5 000). */
  readonly limit?: number;
}

/** One generated path: the events to send from the initial state, each named as the graph named it. */
export interface EdgePath<TEvent extends EventObject> {
  readonly events: readonly TEvent[];
  /** `vertex --event--> vertex` of the last step (the edge this path exists to take). */
  readonly edge: string;
}

function defaultEventName(e: EventObject): string {
  const label = (e as { label?: unknown }).label;
  return typeof label === 'string' ? `${e.type}:${label}` : e.type;
}

/**
 * Paths that together take every edge of the graph `xstate/graph` explores: for each edge, the shortest path to its
 * source vertex followed by the edge's event. Replayed through real actors, they take every transition the graph
 * reaches (the coverage shows it).
 */
export function edgePaths<TLogic extends AnyActorLogic>(
  logic: TLogic,
  options: PathModelOptions<ReturnType<TLogic['transition']>, EventFromLogic<TLogic>, InputFrom<TLogic>>,
): EdgePath<EventFromLogic<TLogic>>[] {
  type S = ReturnType<TLogic['transition']>;
  type E = EventFromLogic<TLogic>;
  const serializeEvent = options.serializeEvent ?? defaultEventName;
  const traversal = {
    input: options.input,
    events: (s: S) => options.events(s),
    serializeState: (s: S) => options.serializeState(s),
    serializeEvent: (e: E) => serializeEvent(e),
    limit: options.limit ?? 5_000,
  };
  const shortest = new Map<string, readonly E[]>();
  for (const p of getShortestPaths(logic, traversal)) {
    shortest.set(
      options.serializeState(p.state as S),
      p.steps.slice(1).map((s) => s.event as E),
    );
  }
  const out: EdgePath<E>[] = [];
  for (const edge of adjacencyMapToArray(getAdjacencyMap(logic, traversal))) {
    const from = options.serializeState(edge.state as S);
    const prefix = shortest.get(from);
    if (prefix === undefined) continue;
    const event = edge.event as E;
    out.push({
      events: [...prefix, event],
      edge: `${from} --${serializeEvent(event)}--> ${options.serializeState(edge.nextState as S)}`,
    });
  }
  return out;
}
