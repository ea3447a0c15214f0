/**
 * Compiles an xstate `StateMachine` into the table the fast interpreter runs: its state nodes by document order
 * (xstate's `order`, a pre-order numbering, so "is a descendant of" is a range test), each node's transitions
 * wrapped with their precomputed domain and entry set, `always` transitions, entry actions (with xstate's `after`
 * raises and the spawns of invokes), exit actions (with `after` cancels and the stops of invokes). Everything is read
 * from xstate's own resolved objects (`machine.root`, `StateNode.transitions`, `.always`, `.entry`, `.exit`,
 * `.invoke`, `.initial`), never from the config. Cached per machine (WeakMap). A machine using a feature the
 * interpreter does not run (history states, route transitions, unknown built-ins) is rejected here, with its name and
 * the feature, never run differently.
 */
import { spawnChild, stopChild } from 'xstate';
import { CHECK_AND, CHECK_NOT, CHECK_OR, CHECK_STATE_IN, isKnownResolve } from './builtins.ts';
import type {
  XActionFunction,
  XActionRef,
  XGuardFunction,
  XGuardRef,
  XMachine,
  XStateNode,
  XTransition,
} from './xstate-shapes.ts';

export interface CompiledNode {
  readonly node: XStateNode;
  readonly order: number;
  readonly type: XStateNode['type'];
  readonly parent: CompiledNode | undefined;
  /** Highest `order` among this node's descendants (itself if it has none). */
  last: number;
  readonly children: CompiledNode[];
  /** `entry` then one `spawnChild` per invoke, as xstate's `enterStates` builds them. */
  entryActions: readonly XActionRef[];
  /** `exit` then one `stopChild(id)` per invoke, as xstate's `exitStates` builds them. */
  exitActions: readonly XActionRef[];
  /** The `initial` transition's actions (run when the node is entered by default). */
  initialActions: readonly XActionRef[];
  /** `entryActions` then `initialActions` (a default entry runs both in one resolution). */
  entryAndInitialActions: readonly XActionRef[];
  invokeIds: readonly string[];
  /** Transitions by event descriptor, in xstate's map order. */
  readonly on: Map<string, CompiledTransition[]>;
  /** Candidates per received event type (exact match, then wildcard descriptors longest first): xstate's memo. */
  readonly candidates: Map<string, readonly CompiledTransition[]>;
  always: readonly CompiledTransition[] | undefined;
  /** Does this node or an ancestor have `always` transitions? */
  alwaysOnPath: boolean;
}

export interface EntrySet {
  /** States to enter, by document order. */
  readonly states: readonly CompiledNode[];
  /** States entered by default (their `initial` actions run). */
  readonly defaultEntry: ReadonlySet<CompiledNode>;
}

export interface CompiledTransition {
  /** Unique per machine (keys the entry sets of several transitions taken together). */
  readonly index: number;
  readonly t: XTransition;
  readonly source: CompiledNode;
  /** Targets, deduplicated; undefined for a targetless transition. */
  readonly targets: readonly CompiledNode[] | undefined;
  readonly reenter: boolean;
  readonly guard: XGuardRef | undefined;
  /**
   * The guard's predicate when it is a plain one (an inline function, or a name the machine implements with one,
   * without params or with params that are not a function): evaluated as xstate would,
   * `fn({ context, event }, plainParams)`, without looking it up per event.
   */
  readonly plainGuard: ((args: unknown, params: unknown) => boolean) | undefined;
  /** The params `plainGuard` gets (the guard object's own `params`; undefined for an inline or named guard). */
  readonly plainParams: unknown;
  readonly actions: readonly XActionRef[];
  /** xstate's `getTransitionDomain` (no history states, so it depends on the transition alone). */
  domain: CompiledNode | undefined;
  /** The entry set of this transition alone (computed on first use). */
  entry: EntrySet | undefined;
  /** `[this]`: what selection returns when it selects this transition alone (no array per event; nobody writes it). */
  alone: readonly CompiledTransition[];
  /**
   * The exit set of this transition alone from the configuration `exitFrom` (a `_nodes` array, which nothing writes
   * once it is a configuration, so the set depends on nothing else): a transition is mostly taken from the same one.
   */
  exitFrom: readonly XStateNode[] | undefined;
  exitSet: readonly CompiledNode[];
}

export interface CompiledMachine {
  readonly machine: XMachine;
  readonly nodes: readonly CompiledNode[];
  readonly root: CompiledNode;
  /** The initial microstep's synthetic transition (root, reentering, to every initial state node). */
  readonly initial: CompiledTransition;
  readonly maxIterations: number;
  /** State value and tags per configuration: a trie on its nodes' orders, in order (snapshot.ts). */
  readonly values: ValueTrie;
  /** Entry sets of several transitions taken together, by their indices. */
  readonly entrySets: Map<string, EntrySet>;
  /** Selection plans (select.ts) by state value: a string value's by the string, an object's by the object. */
  readonly plansByString: Map<string, SelectionPlan>;
  readonly plansByValue: WeakMap<object, SelectionPlan>;
}

/** The state value and tags of a configuration. */
export interface ValueAndTags {
  readonly value: unknown;
  readonly tags: Set<string>;
  /**
   * The configuration itself: every snapshot in it shares this `_nodes` array (nothing writes one; not frozen: V8's
   * slice, includes and iteration on a frozen array are several times slower).
   */
  readonly nodes: readonly XStateNode[];
}

/** One step of the configuration trie: the value of the configuration ending here, the longer ones by next order. */
export interface ValueTrie {
  entry: ValueAndTags | undefined;
  readonly next: (ValueTrie | undefined)[];
}

/**
 * The nodes transition selection visits for one state value, in its key order: a node and its active children (none
 * for an atomic node). Built once per state value object (they are shared per configuration).
 */
export interface SelectionPlan {
  readonly node: CompiledNode;
  readonly kids: readonly SelectionPlan[];
  /**
   * When every node of the plan has at most one kid (no parallel region with two active children): the nodes from the
   * deepest to `node`, the order selection tries their candidates in (a kid's transition preempts its parent's).
   */
  readonly chain: readonly CompiledNode[] | undefined;
  /** For a chain plan: per event type, every candidate of the chain in the order selection tries them (select.ts). */
  readonly byType: Map<string, ChainCandidates> | undefined;
}

/**
 * A chain plan's candidates for one event type: each node's `candidatesOf`, deepest node first, and the node each
 * came from (named in a guard's error, as `StateNode.next` names the node it was asked on).
 */
export interface ChainCandidates {
  readonly transitions: readonly CompiledTransition[];
  readonly owners: readonly CompiledNode[];
}

/** Raised when a machine uses something the fast interpreter does not run. */
export class UnsupportedMachineError extends Error {
  constructor(machineId: string, feature: string) {
    super(`fast statechart runtime: machine '${machineId}' uses ${feature}, which it does not run`);
    this.name = 'UnsupportedMachineError';
  }
}

/** xstate's `isDescendant(child, parent)`; an undefined parent (a root reentry's domain) contains every node. */
export function isDescendant(child: CompiledNode, parent: CompiledNode | undefined): boolean {
  if (parent === undefined) return true;
  return parent.order < child.order && child.order <= parent.last;
}

/** xstate's `getProperAncestors(node, to)`: parent upwards, stopping before `to` (to the root if undefined). */
export function properAncestors(node: CompiledNode, to: CompiledNode | undefined): CompiledNode[] {
  const out: CompiledNode[] = [];
  if (to === node) return out;
  let m = node.parent;
  while (m !== undefined && m !== to) {
    out.push(m);
    m = m.parent;
  }
  return out;
}

/** xstate's `matchesEventDescriptor`: exact, `*`, or a partial `a.b.*`. */
export function matchesEventDescriptor(eventType: string, descriptor: string): boolean {
  if (descriptor === eventType || descriptor === '*') return true;
  if (!descriptor.endsWith('.*')) return false;
  const partial = descriptor.split('.');
  const tokens = eventType.split('.');
  for (let i = 0; i < partial.length; i++) {
    if (partial[i] === '*') return i === partial.length - 1;
    if (partial[i] !== tokens[i]) return false;
  }
  return true;
}

/** xstate's `getCandidates` on the compiled map (memoised per node and event type, as xstate's `next` does). */
export function candidatesOf(node: CompiledNode, eventType: string): readonly CompiledTransition[] {
  // The computation is its own function: its closures capture `node` and `eventType`, and a function with captured
  // variables allocates their context on every call, also when it returns the cached list at once.
  return node.candidates.get(eventType) ?? computeCandidates(node, eventType);
}

function computeCandidates(node: CompiledNode, eventType: string): readonly CompiledTransition[] {
  const exact = node.on.get(eventType);
  const wildcards = [...node.on.keys()]
    .filter((d) => d !== eventType && matchesEventDescriptor(eventType, d))
    .sort((a, b) => b.length - a.length)
    .flatMap((d) => node.on.get(d) ?? []);
  const list = exact !== undefined ? [...exact, ...wildcards] : wildcards;
  node.candidates.set(eventType, list);
  return list;
}

function findLeastCommonAncestor(nodes: readonly CompiledNode[]): CompiledNode | undefined {
  const [head, ...tail] = nodes;
  if (head === undefined) return undefined;
  for (const anc of properAncestors(head, undefined)) if (tail.every((sn) => isDescendant(sn, anc))) return anc;
  return undefined;
}

/** xstate's `getTransitionDomain` without history states. */
function domainOf(t: CompiledTransition, root: CompiledNode): CompiledNode | undefined {
  const targets = t.targets ?? [];
  if (!t.reenter && targets.every((x) => x === t.source || isDescendant(x, t.source))) return t.source;
  const lca = findLeastCommonAncestor([...targets, t.source]);
  if (lca !== undefined) return lca;
  if (t.reenter) return undefined;
  return root;
}

function addDescendantStatesToEnter(
  s: CompiledNode,
  defaultEntry: Set<CompiledNode>,
  toEnter: Set<CompiledNode>,
): void {
  if (s.type === 'compound') {
    const initial = s.node.initial.target?.[0];
    const c = initial === undefined ? undefined : s.children.find((x) => x.node === initial);
    if (c === undefined) throw new Error(`compound state ${s.node.id} has no initial child`);
    toEnter.add(c);
    defaultEntry.add(c);
    addDescendantStatesToEnter(c, defaultEntry, toEnter);
    addAncestorStatesToEnter(toEnter, defaultEntry, properAncestors(c, s), undefined);
  } else if (s.type === 'parallel') {
    for (const child of s.children) {
      if (![...toEnter].some((x) => isDescendant(x, child))) {
        toEnter.add(child);
        defaultEntry.add(child);
        addDescendantStatesToEnter(child, defaultEntry, toEnter);
      }
    }
  }
}

function addAncestorStatesToEnter(
  toEnter: Set<CompiledNode>,
  defaultEntry: Set<CompiledNode>,
  ancestors: readonly CompiledNode[],
  reentrancyDomain: CompiledNode | undefined,
): void {
  for (const anc of ancestors) {
    if (reentrancyDomain === undefined || isDescendant(anc, reentrancyDomain)) toEnter.add(anc);
    if (anc.type === 'parallel') {
      for (const child of anc.children) {
        if (![...toEnter].some((x) => isDescendant(x, child))) {
          toEnter.add(child);
          addDescendantStatesToEnter(child, defaultEntry, toEnter);
        }
      }
    }
  }
}

/** xstate's `computeEntrySet` (no history states), the states sorted by document order as `enterStates` does. */
export function computeEntrySet(transitions: readonly CompiledTransition[]): EntrySet {
  const toEnter = new Set<CompiledNode>();
  const defaultEntry = new Set<CompiledNode>();
  for (const t of transitions) {
    const domain = t.domain;
    for (const s of t.targets ?? []) {
      if (t.source !== s || t.source !== domain || t.reenter) {
        toEnter.add(s);
        defaultEntry.add(s);
      }
      addDescendantStatesToEnter(s, defaultEntry, toEnter);
    }
    for (const s of t.targets ?? []) {
      const ancestors = properAncestors(s, domain);
      if (domain?.type === 'parallel') ancestors.push(domain);
      addAncestorStatesToEnter(
        toEnter,
        defaultEntry,
        ancestors,
        t.source.parent === undefined && t.reenter ? undefined : domain,
      );
    }
  }
  return { states: [...toEnter].sort((a, b) => a.order - b.order), defaultEntry };
}

/** The entry set of one transition, cached on it. */
export function entrySetOf(t: CompiledTransition): EntrySet {
  if (t.entry === undefined) t.entry = computeEntrySet([t]);
  return t.entry;
}

function describeAction(a: XActionRef): string {
  if (typeof a === 'string') return `action '${a}'`;
  if (typeof a === 'function') return `action '${a.type ?? (a.name || '(anonymous)')}'`;
  return `action '${a.type}'`;
}

function checkAction(machine: XMachine, a: XActionRef, where: string): void {
  const resolved: unknown =
    typeof a === 'function' ? a : machine.implementations.actions[typeof a === 'string' ? a : a.type];
  // Unimplemented names are a no-op in xstate (its executor gets no function): the same here.
  if (resolved === undefined) return;
  if (typeof resolved !== 'function')
    throw new UnsupportedMachineError(machine.id, `${describeAction(a)} (in ${where}) implemented by a non-function`);
  const fn = resolved as XActionFunction;
  if ('resolve' in fn && (fn.resolve === undefined || !isKnownResolve(fn.resolve)))
    throw new UnsupportedMachineError(machine.id, `the built-in ${describeAction(a)} (in ${where})`);
}

function checkGuard(machine: XMachine, g: XGuardRef, where: string, depth = 0): void {
  if (depth > 32) throw new UnsupportedMachineError(machine.id, `a guard nested deeper than 32 (in ${where})`);
  const resolved: XGuardRef | undefined =
    typeof g === 'function' ? g : machine.implementations.guards[typeof g === 'string' ? g : g.type];
  // An unimplemented guard throws when evaluated, in xstate and here alike.
  if (resolved === undefined) return;
  if (typeof resolved !== 'function') {
    checkGuard(machine, resolved, where, depth + 1);
    return;
  }
  const fn = resolved as XGuardFunction;
  if (!('check' in fn)) return;
  const check: unknown = fn.check;
  if (check === CHECK_STATE_IN) return;
  if (check === CHECK_AND || check === CHECK_OR || check === CHECK_NOT) {
    for (const inner of fn.guards ?? []) checkGuard(machine, inner, where, depth + 1);
    return;
  }
  throw new UnsupportedMachineError(machine.id, `an unknown built-in guard (in ${where})`);
}

function plainGuardOf(
  machine: XMachine,
  g: XGuardRef | undefined,
): ((args: unknown, params: unknown) => boolean) | undefined {
  let resolved: XGuardRef | undefined = g;
  if (typeof g === 'string') resolved = machine.implementations.guards[g];
  // `{ type, params }`: xstate evaluates the implementation with `params` as it is unless it is a function.
  else if (typeof g === 'object' && typeof g.params !== 'function') resolved = machine.implementations.guards[g.type];
  if (typeof resolved !== 'function' || 'check' in resolved) return undefined;
  return resolved;
}

/** The params xstate hands `plainGuardOf`'s predicate. */
function plainParamsOf(g: XGuardRef | undefined): unknown {
  return typeof g === 'object' ? g.params : undefined;
}

function compileUncached(machine: XMachine): CompiledMachine {
  const nodes: CompiledNode[] = [];
  const visit = (node: XStateNode, parent: CompiledNode | undefined): CompiledNode => {
    if (node.type === 'history') throw new UnsupportedMachineError(machine.id, `the history state '${node.id}'`);
    if (nodes[node.order] !== undefined || node.order < 0)
      throw new UnsupportedMachineError(machine.id, `a duplicate state id ('${node.id}')`);
    const c: CompiledNode = {
      node,
      order: node.order,
      type: node.type,
      parent,
      last: node.order,
      children: [],
      entryActions: [],
      exitActions: [],
      initialActions: [],
      entryAndInitialActions: [],
      invokeIds: [],
      on: new Map(),
      candidates: new Map(),
      always: undefined,
      alwaysOnPath: false,
    };
    nodes[node.order] = c;
    for (const child of Object.values(node.states)) {
      const cc = visit(child, c);
      c.children.push(cc);
      c.last = Math.max(c.last, cc.last);
    }
    return c;
  };
  const root = visit(machine.root, undefined);
  for (let i = 0; i < nodes.length; i++)
    if (nodes[i] === undefined) throw new UnsupportedMachineError(machine.id, `a gap in state order at ${i}`);
  if (machine.root.transitions.has('xstate.route')) throw new UnsupportedMachineError(machine.id, 'route transitions');

  let transitionCount = 0;
  const wrap = (t: XTransition, source: CompiledNode): CompiledTransition => {
    const targets =
      t.target === undefined
        ? undefined
        : [...new Set(t.target)].map((n) => {
            const c = nodes[n.order];
            if (c === undefined || c.node !== n)
              throw new UnsupportedMachineError(machine.id, `a target outside the machine ('${n.id}')`);
            return c;
          });
    const ct: CompiledTransition = {
      index: transitionCount++,
      t,
      source,
      targets,
      reenter: t.reenter,
      guard: t.guard,
      plainGuard: plainGuardOf(machine, t.guard),
      plainParams: plainParamsOf(t.guard),
      actions: t.actions,
      domain: undefined,
      entry: undefined,
      alone: [],
      exitFrom: undefined,
      exitSet: [],
    };
    ct.domain = domainOf(ct, root);
    ct.alone = [ct];
    return ct;
  };

  for (const c of nodes) {
    const where = `state '${c.node.id}'`;
    for (const [descriptor, list] of c.node.transitions) {
      c.on.set(
        descriptor,
        list.map((t) => wrap(t, c)),
      );
      for (const t of list) {
        for (const a of t.actions) checkAction(machine, a, `${where} on '${descriptor}'`);
        if (t.guard !== undefined) checkGuard(machine, t.guard, `${where} on '${descriptor}'`);
      }
    }
    if (c.node.always !== undefined) {
      c.always = c.node.always.map((t) => wrap(t, c));
      for (const t of c.node.always) {
        for (const a of t.actions) checkAction(machine, a, `${where} always`);
        if (t.guard !== undefined) checkGuard(machine, t.guard, `${where} always`);
      }
    }
    const invoke = c.node.invoke;
    c.invokeIds = invoke.map((d) => d.id);
    c.entryActions = [
      ...c.node.entry,
      ...invoke.map((d) => spawnChild(d.src, { ...d, syncSnapshot: !!d.onSnapshot }) as unknown as XActionRef),
    ];
    c.exitActions = [...c.node.exit, ...invoke.map((d) => stopChild(d.id) as unknown as XActionRef)];
    for (const a of c.node.entry) checkAction(machine, a, `${where} entry`);
    for (const a of c.node.exit) checkAction(machine, a, `${where} exit`);
    c.initialActions = c.node.initial.actions;
    c.entryAndInitialActions = [...c.entryActions, ...c.initialActions];
    for (const a of c.initialActions) checkAction(machine, a, `${where} initial`);
  }
  for (const c of nodes) c.alwaysOnPath = c.always !== undefined || (c.parent?.alwaysOnPath ?? false);

  // xstate's `initialMicrostep`: one reentering transition from the root to `getInitialStateNodes(root)`.
  const initialTargets: CompiledNode[] = [];
  const seen = new Set<CompiledNode>();
  const iter = (c: CompiledNode): void => {
    if (seen.has(c)) return;
    seen.add(c);
    initialTargets.push(c);
    if (c.type === 'compound') {
      const first = c.node.initial.target?.[0];
      const child = c.children.find((x) => x.node === first);
      if (child === undefined) throw new Error(`compound state ${c.node.id} has no initial child`);
      iter(child);
    } else if (c.type === 'parallel') for (const child of c.children) iter(child);
  };
  iter(root);
  const initialT: XTransition = {
    source: root.node,
    target: initialTargets.map((c) => c.node),
    reenter: true,
    actions: [],
    eventType: null,
  };
  const initial = wrap(initialT, root);
  const entry = computeEntrySet([initial]);
  initial.entry = { states: entry.states, defaultEntry: new Set([...entry.defaultEntry, root]) };

  const maxIterations = machine.options.maxIterations ?? Infinity;
  return {
    machine,
    nodes,
    root,
    initial,
    maxIterations,
    values: { entry: undefined, next: [] },
    entrySets: new Map(),
    plansByString: new Map(),
    plansByValue: new WeakMap(),
  };
}

const cache = new WeakMap<object, CompiledMachine | UnsupportedMachineError>();

/** The compiled table of `machine` (cached); throws `UnsupportedMachineError` naming the machine and feature. */
export function compileMachine(machine: object): CompiledMachine {
  let c = cache.get(machine);
  if (c === undefined) {
    try {
      c = compileUncached(machine as XMachine);
    } catch (err) {
      if (!(err instanceof UnsupportedMachineError)) throw err;
      c = err;
    }
    cache.set(machine, c);
  }
  if (c instanceof UnsupportedMachineError) throw c;
  return c;
}

/** `true` if the fast interpreter runs `machine`, else the reason it does not. */
export function canRunFast(machine: object): true | string {
  try {
    compileMachine(machine);
    return true;
  } catch (err) {
    if (err instanceof UnsupportedMachineError) return err.message;
    throw err;
  }
}
