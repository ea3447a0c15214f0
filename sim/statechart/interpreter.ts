/**
 * The macrostep and microstep of xstate 5.33 (raise-*.cjs.js: `macrostep`, `microstep`, `exitStates`, `enterStates`,
 * `resolveAndExecuteActionsWithContext`, `selectEventlessTransitions`, `transitionNode`), run on one mutable working
 * state per macrostep instead of a new snapshot per assign. Every step keeps xstate's order: transition selection by
 * the state value's key order, conflict removal, exit (reverse document order) with invoke stops, transition actions,
 * entry (document order) with invoke spawns and initial actions, done events, the internal queue, `always` loops and
 * their stop rule (a microstep that leaves the snapshot as it was does not select eventless transitions again).
 * Actions reach xstate's `actorScope.actionExecutor` exactly as xstate hands them over (custom ones run at once when
 * the actor runs, built-ins defer their effects), so clock calls, emits and sends happen in xstate's order.
 */
import { createActor, matchesState } from 'xstate';
import {
  EXECUTE_STOP,
  READ_ONLY_RESOLVES,
  RESOLVE_ASSIGN,
  RESOLVE_ENQUEUE,
  RESOLVE_SPAWN,
  RESOLVE_STOP,
  STOP_CHILD_TYPE,
} from './builtins.ts';
import { CHECK_AND, CHECK_NOT, CHECK_OR, CHECK_STATE_IN } from './builtins.ts';
import {
  candidatesOf,
  computeEntrySet,
  entrySetOf,
  isDescendant,
  type CompiledMachine,
  type CompiledNode,
  type CompiledTransition,
  type EntrySet,
} from './compile.ts';
import { collectEnqueued } from './enqueue.ts';
import { valueAndTags } from './snapshot.ts';
import type {
  XActionArgs,
  XActionFunction,
  XActionRef,
  XActorRef,
  XEvent,
  XGuardFunction,
  XGuardRef,
  XMachine,
  XResolveExtra,
  XScope,
  XStateNode,
} from './xstate-shapes.ts';

/** How a spawned or invoked child's logic is chosen (the fast runtime wraps machines it can run). */
export type LogicFor = (logic: unknown) => unknown;

type Status = 'active' | 'done' | 'error' | 'stopped';
type Retry = readonly [XActionFunction, unknown];

/**
 * The working state of one macrostep. It doubles as the snapshot view xstate's read-only built-ins and guards get
 * (`machine`, `context`, `children`, `_nodes`, `value`, `matches`): `_nodes` and `value` are the configuration as of
 * the last finished microstep, as in xstate, where the snapshot's nodes change only when a microstep ends.
 */
export class Work {
  readonly machine: XMachine;
  context: Record<string, unknown>;
  children: Record<string, XActorRef | undefined>;
  _nodes: readonly XStateNode[];
  status: Status;
  output: unknown;
  error: unknown;
  historyValue: Record<string, unknown>;
  /** Bumped wherever xstate would clone its snapshot (assign, spawn, stop, done, a new configuration). */
  version = 0;
  private valueNodes: readonly XStateNode[] | undefined = undefined;
  private valueCache: { readonly value: unknown; readonly tags: Set<string> } | undefined = undefined;

  constructor(
    readonly cm: CompiledMachine,
    readonly scope: XScope,
    readonly logicFor: LogicFor,
    init: {
      context: Record<string, unknown>;
      children: Record<string, XActorRef | undefined>;
      nodes: readonly XStateNode[];
      status: Status;
      output: unknown;
      error: unknown;
      historyValue: Record<string, unknown>;
    },
  ) {
    this.machine = cm.machine;
    this.context = init.context;
    this.children = init.children;
    this._nodes = init.nodes;
    this.status = init.status;
    this.output = init.output;
    this.error = init.error;
    this.historyValue = init.historyValue;
  }

  get valueAndTags(): { readonly value: unknown; readonly tags: Set<string> } {
    if (this.valueNodes !== this._nodes || this.valueCache === undefined) {
      this.valueCache = valueAndTags(this.cm, this._nodes);
      this.valueNodes = this._nodes;
    }
    return this.valueCache;
  }

  /** Seeds the value cache with a snapshot's own value (same nodes array). */
  seedValue(nodes: readonly XStateNode[], value: unknown, tags: Set<string>): void {
    this.valueNodes = nodes;
    this.valueCache = { value, tags };
  }

  get value(): unknown {
    return this.valueAndTags.value;
  }

  matches(testValue: unknown): boolean {
    return matchesState(testValue as never, this.value as never);
  }
}

function nodeOf(w: Work, n: XStateNode): CompiledNode {
  return w.cm.nodes[n.order] as CompiledNode;
}

// ---- guards -------------------------------------------------------------------------------------------------------

/** xstate's `evaluateGuard`, with its built-in guards (`and`, `or`, `not`, `stateIn`) evaluated on the work state. */
export function evaluateGuard(w: Work, guard: XGuardRef, context: Record<string, unknown>, event: XEvent): boolean {
  const isInline = typeof guard === 'function';
  const resolved: XGuardRef | undefined = isInline
    ? guard
    : w.machine.implementations.guards[typeof guard === 'string' ? guard : guard.type];
  if (!isInline && resolved === undefined)
    throw new Error(`Guard '${typeof guard === 'string' ? guard : guard.type}' is not implemented.'.`);
  if (typeof resolved !== 'function') return evaluateGuard(w, resolved as XGuardRef, context, event);
  const args = { context, event };
  let params: unknown = undefined;
  if (!isInline && typeof guard !== 'string' && 'params' in guard)
    params = typeof guard.params === 'function' ? (guard.params as (a: unknown) => unknown)(args) : guard.params;
  const fn = resolved as XGuardFunction;
  if (!('check' in fn)) return fn(args, params);
  const check: unknown = fn.check;
  const guards = fn.guards ?? [];
  if (check === CHECK_AND) return guards.every((g) => evaluateGuard(w, g, context, event));
  if (check === CHECK_OR) return guards.some((g) => evaluateGuard(w, g, context, event));
  if (check === CHECK_NOT) return !evaluateGuard(w, guards[0] as XGuardRef, context, event);
  if (check === CHECK_STATE_IN) {
    const sv = fn.stateValue;
    if (typeof sv === 'string' && sv[0] === '#') {
      const target = w.machine.getStateNodeById(sv);
      return w._nodes.some((n) => n === target);
    }
    return w.matches(sv);
  }
  // compile.ts rejects other built-in guards; xstate's own check on the work state as a last resort.
  return (fn.check as unknown as (s: unknown, a: unknown, g: unknown) => boolean)(w, args, fn);
}

function guardName(guard: XGuardRef): string | undefined {
  return typeof guard === 'string' ? guard : typeof guard === 'object' ? guard.type : undefined;
}

// ---- transition selection -----------------------------------------------------------------------------------------

/** xstate's `StateNode.next`: the first candidate whose guard passes (guard errors wrapped as xstate wraps them). */
function nextOf(w: Work, node: CompiledNode, event: XEvent): CompiledTransition | undefined {
  for (const c of candidatesOf(node, event.type)) {
    const guard = c.guard;
    let passed: boolean;
    try {
      passed = guard === undefined || evaluateGuard(w, guard, w.context, event);
    } catch (err) {
      const name = guard === undefined ? undefined : guardName(guard);
      // xstate's error, word for word (StateNode.next), and like xstate's without a `cause`.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(
        `Unable to evaluate guard ${name ? `'${name}' ` : ''}in transition for event '${event.type}' in state node '${node.node.id}':\n${(err as Error).message}`,
      );
    }
    if (passed) return c;
  }
  return undefined;
}

function childByKey(w: Work, node: CompiledNode, key: string): CompiledNode {
  const child = node.node.states[key];
  if (child === undefined) throw new Error(`Child state '${key}' does not exist on '${node.node.id}'`);
  return nodeOf(w, child);
}

/** xstate's `transitionNode` over the state value (its key order decides the order of parallel regions). */
function transitionNode(
  w: Work,
  node: CompiledNode,
  value: unknown,
  event: XEvent,
  out: CompiledTransition[],
): boolean {
  if (typeof value === 'string') {
    const t = nextOf(w, childByKey(w, node, value), event) ?? nextOf(w, node, event);
    if (t === undefined) return false;
    out.push(t);
    return true;
  }
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const key = keys[0] as string;
    if (transitionNode(w, childByKey(w, node, key), v[key], event, out)) return true;
    const t = nextOf(w, node, event);
    if (t === undefined) return false;
    out.push(t);
    return true;
  }
  const before = out.length;
  for (const key of keys) {
    const sub = v[key];
    if (!sub) continue;
    transitionNode(w, childByKey(w, node, key), sub, event, out);
  }
  if (out.length > before) return true;
  const t = nextOf(w, node, event);
  if (t === undefined) return false;
  out.push(t);
  return true;
}

export function selectTransitions(w: Work, event: XEvent): CompiledTransition[] {
  const out: CompiledTransition[] = [];
  transitionNode(w, w.cm.root, w.value, event, out);
  return out;
}

/** xstate's `selectEventlessTransitions`: per atomic state in configuration order, the first enabled `always`. */
function selectEventless(w: Work, event: XEvent): CompiledTransition[] {
  let enabled: CompiledTransition[] | undefined;
  for (const n of w._nodes) {
    const c = nodeOf(w, n);
    if (!c.alwaysOnPath || (c.type !== 'atomic' && c.type !== 'final')) continue;
    loop: for (let s: CompiledNode | undefined = c; s !== undefined; s = s.parent) {
      if (s.always === undefined) continue;
      for (const t of s.always) {
        if (t.guard === undefined || evaluateGuard(w, t.guard, w.context, event)) {
          enabled ??= [];
          if (!enabled.includes(t)) enabled.push(t);
          break loop;
        }
      }
    }
  }
  if (enabled === undefined) return [];
  return enabled.length > 1 ? removeConflictingTransitions(w, enabled, w._nodes) : enabled;
}

// ---- exit sets and conflicts --------------------------------------------------------------------------------------

/** xstate's `computeExitSet`, sorted by reverse document order as `exitStates` sorts it. */
function computeExitSet(
  w: Work,
  transitions: readonly CompiledTransition[],
  config: readonly XStateNode[],
): CompiledNode[] {
  const out: CompiledNode[] = [];
  for (const t of transitions) {
    if (t.targets === undefined || t.targets.length === 0) continue;
    const domain = t.domain;
    if (t.reenter && domain !== undefined && t.source === domain && !out.includes(domain)) out.push(domain);
    for (const n of config) {
      const c = nodeOf(w, n);
      if (isDescendant(c, domain) && !out.includes(c)) out.push(c);
    }
  }
  return out.sort((a, b) => b.order - a.order);
}

/** Is `c` in the exit set of `t` (xstate's `computeExitSet([t])`) for a configuration containing `c`? */
function inExitSet(t: CompiledTransition, c: CompiledNode): boolean {
  if (t.targets === undefined || t.targets.length === 0) return false;
  const d = t.domain;
  if (isDescendant(c, d)) return true;
  return t.reenter && d !== undefined && t.source === d && c === d;
}

/**
 * Do the exit sets of `t1` and `t2` intersect? (xstate computes both sets and compares them.) Each is the active
 * nodes below the transition's domain, plus the domain itself for a reentering transition from it; the domain is the
 * source then, which is active.
 */
function exitSetsIntersect(
  w: Work,
  t1: CompiledTransition,
  t2: CompiledTransition,
  config: readonly XStateNode[],
): boolean {
  if (t1.targets === undefined || t1.targets.length === 0 || t2.targets === undefined || t2.targets.length === 0)
    return false;
  for (const n of config) {
    const c = nodeOf(w, n);
    if (inExitSet(t1, c) && inExitSet(t2, c)) return true;
  }
  // A reentered domain is in its own exit set even if (it cannot be, but as xstate) it were not active.
  const d1 = t1.reenter && t1.source === t1.domain ? t1.domain : undefined;
  const d2 = t2.reenter && t2.source === t2.domain ? t2.domain : undefined;
  if (d1 !== undefined && d1 === d2) return true;
  return false;
}

/** xstate's `removeConflictingTransitions` (a descendant's transition preempts its ancestor's). */
function removeConflictingTransitions(
  w: Work,
  enabled: readonly CompiledTransition[],
  config: readonly XStateNode[],
): CompiledTransition[] {
  const filtered = new Set<CompiledTransition>();
  for (const t1 of enabled) {
    let preempted = false;
    const toRemove = new Set<CompiledTransition>();
    for (const t2 of filtered) {
      if (exitSetsIntersect(w, t1, t2, config)) {
        if (isDescendant(t1.source, t2.source)) toRemove.add(t2);
        else {
          preempted = true;
          break;
        }
      }
    }
    if (!preempted) {
      for (const t3 of toRemove) filtered.delete(t3);
      filtered.add(t1);
    }
  }
  return [...filtered];
}

// ---- actions ------------------------------------------------------------------------------------------------------

function actionTypeOf(action: XActionRef): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') return action.name || '(anonymous)';
  return action.type;
}

/** xstate's `resolveReferencedActor`. */
function resolveReferencedActor(machine: XMachine, src: string): unknown {
  const match = /^xstate\.invoke\.(\d+)\.(.*)/.exec(src);
  if (!match) return machine.implementations.actors[src];
  const node = machine.getStateNodeById(match[2] as string);
  const invokeConfig = (node.config as { invoke?: unknown }).invoke;
  const def = (Array.isArray(invokeConfig) ? invokeConfig[Number(match[1])] : invokeConfig) as { src: unknown };
  return def.src;
}

interface SpawnOptions {
  readonly id?: string;
  readonly systemId?: string;
  readonly input?: unknown;
  readonly syncSnapshot?: boolean;
}

function createChild(
  w: Work,
  logic: unknown,
  opts: { id: unknown; src: unknown; syncSnapshot: unknown; systemId: unknown; input: unknown },
): XActorRef {
  const options = {
    id: opts.id,
    src: opts.src,
    parent: w.scope.self,
    syncSnapshot: opts.syncSnapshot,
    systemId: opts.systemId,
    input: opts.input,
  };
  // xstate's createActor is typed over its logic; the child's logic is whatever the machine names (a machine, a
  // transition actor...), so it goes through `never` here.
  return createActor(w.logicFor(logic) as never, options as never) as unknown as XActorRef;
}

/** xstate's `createSpawner` (the `spawn` of an `assign`): the child exists at once and starts when deferred. */
function createSpawner(
  w: Work,
  context: Record<string, unknown>,
  event: XEvent,
  spawned: Record<string, XActorRef>,
): (src: unknown, options?: SpawnOptions) => XActorRef {
  const scope = w.scope;
  const spawn = (src: unknown, options?: SpawnOptions): XActorRef => {
    if (typeof src === 'string') {
      const logic = resolveReferencedActor(w.machine, src);
      if (!logic) throw new Error(`Actor logic '${src}' not implemented in machine '${w.machine.id}'`);
      const input = options?.input;
      const ref = createChild(w, logic, {
        id: options?.id,
        syncSnapshot: options?.syncSnapshot,
        input:
          typeof input === 'function'
            ? (input as (a: unknown) => unknown)({ context, event, self: scope.self })
            : input,
        src,
        systemId: options?.systemId,
      });
      spawned[ref.id] = ref;
      return ref;
    }
    return createChild(w, src, {
      id: options?.id,
      syncSnapshot: options?.syncSnapshot,
      input: options?.input,
      src,
      systemId: options?.systemId,
    });
  };
  return (src, options) => {
    const ref = spawn(src, options);
    spawned[ref.id] = ref;
    scope.defer(() => {
      if (ref._processingStatus === 2) return; // ProcessingStatus.Stopped
      ref.start();
    });
    return ref;
  };
}

/**
 * The argument of an assignment (`context`, `event`, `spawn`, `self`, `system`). xstate builds a new spawner per
 * assign; here `spawn` is built when an assignment first reads it (most never do).
 */
class AssignArgs {
  readonly context: Record<string, unknown>;
  readonly self: XActorRef;
  readonly system: XActionArgs['system'];
  spawned: Record<string, XActorRef> | undefined = undefined;
  private spawner: ((src: unknown, options?: SpawnOptions) => XActorRef) | undefined = undefined;
  constructor(
    private readonly w: Work,
    readonly event: XEvent,
  ) {
    this.context = w.context;
    this.self = w.scope.self;
    this.system = w.scope.system;
  }
  get spawn(): (src: unknown, options?: SpawnOptions) => XActorRef {
    if (this.spawner === undefined) {
      this.spawned = {};
      this.spawner = createSpawner(this.w, this.context, this.event, this.spawned);
    }
    return this.spawner;
  }
}

/** xstate's `resolveAssign`: a new context object (and children, if it spawned) per assign. */
function resolveAssign(w: Work, info: XActionArgs, params: unknown, assignment: unknown): void {
  if (!w.context)
    throw new Error('Cannot assign to undefined `context`. Ensure that `context` is defined in the machine config.');
  const args = new AssignArgs(w, info.event);
  let partial: Record<string, unknown> = {};
  if (typeof assignment === 'function')
    partial = (assignment as (a: unknown, p: unknown) => Record<string, unknown>)(args, params);
  else {
    const map = assignment as Record<string, unknown>;
    for (const key of Object.keys(map)) {
      const p = map[key];
      partial[key] = typeof p === 'function' ? (p as (a: unknown, q: unknown) => unknown)(args, params) : p;
    }
  }
  // xstate: Object.assign({}, context, partial); a spread builds the same fresh object, faster in V8.
  w.context = { ...w.context, ...partial };
  const spawned = args.spawned;
  if (spawned !== undefined && Object.keys(spawned).length) w.children = { ...w.children, ...spawned };
  w.version++;
}

/** xstate's `resolveSpawn` (an invoke's `spawnChild`). */
function resolveSpawn(w: Work, info: XActionArgs, a: XActionFunction): unknown {
  const src = a['src'];
  const id = a['id'];
  const input = a['input'];
  const logic = typeof src === 'string' ? resolveReferencedActor(w.machine, src) : src;
  const resolvedId = typeof id === 'function' ? (id as (x: unknown) => unknown)(info) : id;
  let ref: XActorRef | undefined;
  let resolvedInput: unknown = undefined;
  if (logic) {
    resolvedInput =
      typeof input === 'function'
        ? (input as (x: unknown) => unknown)({ context: w.context, event: info.event, self: w.scope.self })
        : input;
    ref = createChild(w, logic, {
      id: resolvedId,
      src,
      syncSnapshot: a['syncSnapshot'],
      systemId: a['systemId'],
      input: resolvedInput,
    });
  }
  w.children = { ...w.children, [String(resolvedId)]: ref };
  w.version++;
  return { id, systemId: a['systemId'], actorRef: ref, src, input: resolvedInput };
}

/** xstate's `resolveStop`. */
function resolveStop(w: Work, info: XActionArgs, params: unknown, actorRef: unknown): XActorRef | undefined {
  const refOrString =
    typeof actorRef === 'function' ? (actorRef as (a: unknown, p: unknown) => unknown)(info, params) : actorRef;
  const ref = (typeof refOrString === 'string' ? w.children[refOrString] : refOrString) as XActorRef | undefined;
  let children = w.children;
  if (ref) {
    children = { ...children };
    delete children[ref.id];
  }
  w.children = children;
  w.version++;
  return ref;
}

/** xstate's `resolveAndExecuteActionsWithContext`. */
function resolveAndExecute(
  w: Work,
  event: XEvent,
  actions: readonly XActionRef[],
  extra: XResolveExtra,
  retries: Retry[] | undefined,
): void {
  const scope = w.scope;
  const impls = w.machine.implementations.actions;
  for (const action of actions) {
    const isInline = typeof action === 'function';
    const resolved = (isInline ? action : impls[typeof action === 'string' ? action : action.type]) as
      XActionFunction | undefined;
    const info: XActionArgs = { context: w.context, event, self: scope.self, system: scope.system };
    let params: unknown = undefined;
    if (!isInline && typeof action !== 'string' && 'params' in action)
      params =
        typeof action.params === 'function'
          ? (action.params as (a: unknown) => unknown)({ context: w.context, event })
          : action.params;
    if (!resolved || !('resolve' in resolved)) {
      scope.actionExecutor({
        type: actionTypeOf(action),
        info,
        params,
        exec: resolved as ((i: XActionArgs, p: unknown) => void) | undefined,
      });
      continue;
    }
    const resolve = resolved.resolve;
    let resolvedParams: unknown = undefined;
    let nested: readonly XActionRef[] | undefined;
    if (resolve === RESOLVE_ASSIGN) resolveAssign(w, info, params, resolved['assignment']);
    else if (resolve === RESOLVE_SPAWN) resolvedParams = resolveSpawn(w, info, resolved);
    else if (resolve === RESOLVE_STOP) resolvedParams = resolveStop(w, info, params, resolved['actorRef']);
    else if (resolve === RESOLVE_ENQUEUE)
      nested = collectEnqueued(
        resolved['collect'],
        {
          context: info.context,
          event,
          self: scope.self,
          system: scope.system,
          check: (guard) => evaluateGuard(w, guard, w.context, event),
        },
        params,
      );
    else if (resolve !== undefined && READ_ONLY_RESOLVES.has(resolve)) {
      const r = resolve(scope, w, info, params, resolved, extra);
      resolvedParams = r[1];
      nested = r[2];
    } else
      throw new Error(
        `fast statechart runtime: machine '${w.machine.id}' ran the built-in action '${String(resolved.type)}', which it does not run`,
      );
    if ('retryResolve' in resolved) retries?.push([resolved, resolvedParams]);
    const execute = resolved.execute;
    if (execute !== undefined) {
      const p = resolvedParams;
      // As xstate does: the built-in's own execute, bound to the scope and the resolved params.
      scope.actionExecutor({ type: String(resolved.type), info, params: p, exec: execute.bind(null, scope, p) });
    }
    if (nested) resolveAndExecute(w, event, nested, extra, retries);
  }
}

/** xstate's `resolveActionsAndContext`. */
export function resolveActions(
  w: Work,
  event: XEvent,
  actions: readonly XActionRef[],
  internalQueue: XEvent[],
  deferredActorIds: readonly string[] | undefined,
): void {
  if (actions.length === 0 && deferredActorIds === undefined) return;
  const retries: Retry[] | undefined = deferredActorIds ? [] : undefined;
  resolveAndExecute(w, event, actions, { internalQueue, deferredActorIds }, retries);
  if (retries !== undefined)
    for (const [a, p] of retries) (a.retryResolve as NonNullable<XActionFunction['retryResolve']>)(w.scope, w, p);
}

/** xstate's `stopChildren`: one `stopChild` per child. `keep` false discards the snapshot change, as xstate does. */
export function stopChildren(w: Work, event: XEvent, keep: boolean): void {
  const children = w.children;
  const version = w.version;
  for (const child of Object.values(w.children)) {
    if (child === undefined) continue;
    const info: XActionArgs = { context: w.context, event, self: w.scope.self, system: w.scope.system };
    const ref = resolveStop(w, info, undefined, child);
    w.scope.actionExecutor({ type: STOP_CHILD_TYPE, info, params: ref, exec: () => EXECUTE_STOP(w.scope, ref) });
  }
  if (!keep) {
    w.children = children;
    w.version = version;
  }
}

// ---- microstep ----------------------------------------------------------------------------------------------------

function resolveOutput(mapper: unknown, context: unknown, event: XEvent, self: XActorRef): unknown {
  if (typeof mapper === 'function') return (mapper as (a: unknown) => unknown)({ context, event, self });
  return mapper;
}

function isInFinalState(config: readonly XStateNode[], node: CompiledNode): boolean {
  if (node.type === 'compound') return node.children.some((c) => c.type === 'final' && config.includes(c.node));
  if (node.type === 'parallel') return node.children.every((c) => isInFinalState(config, c));
  return node.type === 'final';
}

function machineOutput(w: Work, event: XEvent, rootCompletion: CompiledNode): unknown {
  const root = w.cm.root.node;
  if (root.output === undefined) return undefined;
  const rc = rootCompletion.node;
  const doneEvent: XEvent = {
    type: `xstate.done.state.${rc.id}`,
    output:
      rc.output !== undefined && rc.parent !== undefined
        ? resolveOutput(rc.output, w.context, event, w.scope.self)
        : undefined,
  };
  return resolveOutput(root.output, w.context, doneEvent, w.scope.self);
}

/** The entry set of several transitions (a parallel state's regions), cached per machine by their indices. */
function entrySetOfMany(cm: CompiledMachine, transitions: readonly CompiledTransition[]): EntrySet {
  let key = '';
  for (const t of transitions) key += `${t.index},`;
  let e = cm.entrySets.get(key);
  if (e === undefined) {
    e = computeEntrySet(transitions);
    cm.entrySets.set(key, e);
  }
  return e;
}

function enterStates(
  w: Work,
  event: XEvent,
  transitions: readonly CompiledTransition[],
  config: XStateNode[],
  internalQueue: XEvent[],
): void {
  const entry =
    transitions.length === 1 ? entrySetOf(transitions[0] as CompiledTransition) : entrySetOfMany(w.cm, transitions);
  let completed: Set<CompiledNode> | undefined;
  for (const s of entry.states) {
    if (!config.includes(s.node)) config.push(s.node);
    let actions = s.entryActions;
    if (s.initialActions.length > 0 && entry.defaultEntry.has(s)) actions = [...actions, ...s.initialActions];
    resolveActions(w, event, actions, internalQueue, s.invokeIds);
    if (s.type !== 'final') continue;
    const parent = s.parent;
    let marker = parent?.type === 'parallel' ? parent : parent?.parent;
    let rootCompletion = marker ?? s;
    if (parent?.type === 'compound')
      internalQueue.push({
        type: `xstate.done.state.${parent.node.id}`,
        output: s.node.output !== undefined ? resolveOutput(s.node.output, w.context, event, w.scope.self) : undefined,
      });
    while (marker?.type === 'parallel' && !completed?.has(marker) && isInFinalState(config, marker)) {
      completed ??= new Set();
      completed.add(marker);
      internalQueue.push({ type: `xstate.done.state.${marker.node.id}`, output: undefined });
      rootCompletion = marker;
      marker = marker.parent;
    }
    if (marker !== undefined) continue;
    w.status = 'done';
    w.output = machineOutput(w, event, rootCompletion);
    w.version++;
  }
}

function sameMembers(a: readonly XStateNode[], b: readonly XStateNode[]): boolean {
  if (a.length !== b.length) return false;
  for (const n of a) if (!b.includes(n)) return false;
  return true;
}

/** xstate's `microstep`. */
export function microstep(
  w: Work,
  transitions: readonly CompiledTransition[],
  event: XEvent,
  isInitial: boolean,
  internalQueue: XEvent[],
): void {
  if (transitions.length === 0) return;
  const filtered = transitions.length > 1 ? removeConflictingTransitions(w, transitions, w._nodes) : transitions;
  // Targetless transitions exit and enter nothing: the configuration stays as it is.
  let targeted = false;
  for (const t of filtered) if (t.targets !== undefined && t.targets.length > 0) targeted = true;
  if (!targeted && !isInitial) {
    const t0 = filtered[0] as CompiledTransition;
    resolveActions(
      w,
      event,
      filtered.length === 1 ? t0.actions : filtered.flatMap((t) => t.actions),
      internalQueue,
      undefined,
    );
    return;
  }
  const config = w._nodes.slice();
  if (!isInitial) {
    for (const s of computeExitSet(w, filtered, config)) {
      resolveActions(w, event, s.exitActions, internalQueue, undefined);
      const i = config.indexOf(s.node);
      if (i >= 0) config.splice(i, 1);
    }
  }
  resolveActions(
    w,
    event,
    filtered.length === 1 ? (filtered[0] as CompiledTransition).actions : filtered.flatMap((t) => t.actions),
    internalQueue,
    undefined,
  );
  enterStates(w, event, filtered, config, internalQueue);
  let next: XStateNode[] = config;
  if (w.status === 'done') {
    next = config.slice().sort((a, b) => b.order - a.order);
    resolveActions(
      w,
      event,
      next.flatMap((n) => n.exit),
      internalQueue,
      undefined,
    );
  }
  if (!sameMembers(w._nodes, config)) {
    w._nodes = next;
    w.version++;
  }
}

// ---- macrostep ----------------------------------------------------------------------------------------------------

/** xstate's `macrostep` on the work state (its `transition` when `event` is external, its initial run for init). */
export function macrostep(w: Work, event: XEvent, internalQueue: XEvent[]): void {
  if (event.type === 'xstate.stop') {
    stopChildren(w, event, true);
    w.status = 'stopped';
    w.version++;
    return;
  }
  let nextEvent = event;
  if (event.type !== 'xstate.init') {
    const isErr = event.type.startsWith('xstate.error.actor');
    const transitions = selectTransitions(w, event);
    if (isErr && transitions.length === 0) {
      stopChildren(w, event, true);
      w.status = 'error';
      w.error = event['error'];
      w.version++;
      return;
    }
    microstep(w, transitions, event, false, internalQueue);
  }
  let shouldSelectEventless = true;
  let iterations = 0;
  while (w.status === 'active') {
    iterations++;
    if (iterations > w.cm.maxIterations)
      throw new Error(
        `Infinite loop detected: the machine has processed more than ${w.cm.maxIterations} microsteps without reaching a stable state. This usually happens when there's a cycle of transitions (e.g., eventless transitions or raised events causing state A -> B -> C -> A).`,
      );
    let enabled: CompiledTransition[] = shouldSelectEventless ? selectEventless(w, nextEvent) : [];
    const previous: number = enabled.length ? w.version : -1;
    if (!enabled.length) {
      const queued = internalQueue.shift();
      if (queued === undefined) break;
      nextEvent = queued;
      enabled = selectTransitions(w, nextEvent);
    }
    microstep(w, enabled, nextEvent, false, internalQueue);
    shouldSelectEventless = w.version !== previous;
  }
  if (w.status !== 'active') stopChildren(w, nextEvent, false);
}
