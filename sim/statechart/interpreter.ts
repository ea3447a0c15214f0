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
import {
  computeEntrySet,
  entrySetOf,
  type CompiledMachine,
  type CompiledNode,
  type CompiledTransition,
  type EntrySet,
} from './compile.ts';
import type { XActorRef, XEvent, XStateNode } from './xstate-shapes.ts';
import type { Work } from './work.ts';
import { computeExitSet, removeConflictingTransitions, selectEventless, selectTransitions } from './select.ts';
import { resolveActions, stopChildren } from './actions.ts';

function resolveOutput(mapper: unknown, context: unknown, event: XEvent, self: XActorRef): unknown {
  if (typeof mapper === 'function') return (mapper as (a: unknown) => unknown)({ context, event, self });
  return mapper;
}

function isInFinalState(config: ConfigScratch, node: CompiledNode): boolean {
  if (node.type === 'compound') return node.children.some((c) => c.type === 'final' && config.has(c.node));
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
        ? resolveOutput(rc.output, w.expose(), event, w.scope.self)
        : undefined,
  };
  return resolveOutput(root.output, w.expose(), doneEvent, w.scope.self);
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
  config: ConfigScratch,
  internalQueue: XEvent[],
): void {
  const entry =
    transitions.length === 1 ? entrySetOf(transitions[0] as CompiledTransition) : entrySetOfMany(w.cm, transitions);
  let completed: Set<CompiledNode> | undefined;
  const states = entry.states;
  for (let k = 0; k < states.length; k++) {
    const s = states[k] as CompiledNode;
    if (!config.has(s.node)) config.add(s.node);
    const actions =
      s.initialActions.length > 0 && entry.defaultEntry.has(s) ? s.entryAndInitialActions : s.entryActions;
    resolveActions(w, event, actions, internalQueue, s.invokeIds);
    if (s.type !== 'final') continue;
    const parent = s.parent;
    let marker = parent?.type === 'parallel' ? parent : parent?.parent;
    let rootCompletion = marker ?? s;
    if (parent?.type === 'compound')
      internalQueue.push({
        type: `xstate.done.state.${parent.node.id}`,
        output: s.node.output !== undefined ? resolveOutput(s.node.output, w.expose(), event, w.scope.self) : undefined,
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

const NO_TRANSITIONS: readonly CompiledTransition[] = Object.freeze([]);

function sameMembers(a: readonly XStateNode[], b: ConfigScratch): boolean {
  if (a.length !== b.count) return false;
  for (let i = 0; i < a.length; i++) if (!b.has(a[i] as XStateNode)) return false;
  return true;
}

/**
 * `computeExitSet` of the configuration `w._nodes`, kept on a lone transition by the configuration array: nothing writes
 * an array once it is a configuration (microstep edits a copy), so the same array means the same set.
 */
function exitSetOf(w: Work, transitions: readonly CompiledTransition[]): readonly CompiledNode[] {
  const from = w._nodes;
  if (transitions.length !== 1) return computeExitSet(w, transitions, from);
  const t = transitions[0] as CompiledTransition;
  if (t.exitFrom !== from) {
    t.exitSet = computeExitSet(w, transitions, from);
    t.exitFrom = from;
  }
  return t.exitSet;
}

/**
 * The configuration a microstep builds: its first `count` slots of `nodes`, in order. The array keeps its length and
 * slots between uses (emptied: nothing kept alive): `length = 0` would drop its backing store, so every microstep
 * would allocate a new one as it pushes.
 */
class ConfigScratch {
  readonly nodes: (XStateNode | undefined)[] = [];
  count = 0;

  has(node: XStateNode): boolean {
    const nodes = this.nodes;
    for (let i = 0; i < this.count; i++) if (nodes[i] === node) return true;
    return false;
  }

  add(node: XStateNode): void {
    this.nodes[this.count++] = node;
  }

  /** Removes `node`, keeping the order. */
  remove(node: XStateNode): void {
    const nodes = this.nodes;
    const n = this.count;
    let i = 0;
    while (i < n && nodes[i] !== node) i++;
    if (i === n) return;
    for (let j = i + 1; j < n; j++) nodes[j - 1] = nodes[j];
    nodes[n - 1] = undefined;
    this.count = n - 1;
  }

  /** The configuration as a new array (the rare paths that keep it: a done machine's sorted exit). */
  toArray(): XStateNode[] {
    return this.nodes.slice(0, this.count) as XStateNode[];
  }

  clear(): void {
    this.nodes.fill(undefined, 0, this.count);
    this.count = 0;
  }
}

/**
 * Empty scratch configurations, shared by every machine: a microstep takes one and hands it back emptied (a stack, as
 * microsteps nest when an action runs another actor).
 */
const spareConfigs: ConfigScratch[] = [];
const MAX_SPARE_CONFIGS = 16;

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
  // The configuration being built, in a scratch array (handed back at the end; a throw just drops it): the new
  // configuration is kept as its shared array (`Work.setNodes`), so a copy per microstep would be garbage at once.
  const config = spareConfigs.pop() ?? new ConfigScratch();
  const from = w._nodes;
  for (let k = 0; k < from.length; k++) config.add(from[k] as XStateNode);
  if (!isInitial) {
    const exitSet = exitSetOf(w, filtered);
    for (let k = 0; k < exitSet.length; k++) {
      const s = exitSet[k] as CompiledNode;
      resolveActions(w, event, s.exitActions, internalQueue, undefined);
      config.remove(s.node);
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
  let sorted: XStateNode[] | undefined;
  if (w.status === 'done') {
    sorted = config.toArray().sort((a, b) => b.order - a.order);
    resolveActions(
      w,
      event,
      sorted.flatMap((n) => n.exit),
      internalQueue,
      undefined,
    );
  }
  if (!sameMembers(w._nodes, config)) {
    if (sorted !== undefined) w.setNodes(sorted, sorted.length);
    else w.setNodes(config.nodes as XStateNode[], config.count);
    w.version++;
  }
  config.clear();
  if (spareConfigs.length < MAX_SPARE_CONFIGS) spareConfigs.push(config);
}

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
    let enabled: readonly CompiledTransition[] = shouldSelectEventless ? selectEventless(w, nextEvent) : NO_TRANSITIONS;
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
