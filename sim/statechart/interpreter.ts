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
  config: XStateNode[],
  internalQueue: XEvent[],
): void {
  const entry =
    transitions.length === 1 ? entrySetOf(transitions[0] as CompiledTransition) : entrySetOfMany(w.cm, transitions);
  let completed: Set<CompiledNode> | undefined;
  const states = entry.states;
  for (let k = 0; k < states.length; k++) {
    const s = states[k] as CompiledNode;
    if (!config.includes(s.node)) config.push(s.node);
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

function sameMembers(a: readonly XStateNode[], b: readonly XStateNode[]): boolean {
  if (a.length !== b.length) return false;
  for (const n of a) if (!b.includes(n)) return false;
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
 * Empty scratch arrays for `microstep`'s configuration, shared by every machine: a microstep takes one and hands it
 * back emptied (a stack, as microsteps nest when an action runs another actor).
 */
const spareConfigs: XStateNode[][] = [];
const MAX_SPARE_CONFIGS = 16;

/** Removes `node` from `config` in place, keeping the order (`splice` would build an array of the removed one). */
function removeFrom(config: XStateNode[], node: XStateNode): void {
  const i = config.indexOf(node);
  if (i < 0) return;
  for (let j = i + 1; j < config.length; j++) config[j - 1] = config[j] as XStateNode;
  config.length--;
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
  // The configuration being built, in a scratch array (handed back at the end; a throw just drops it): the new
  // configuration is kept as its shared array (`Work.setNodes`), so a copy per microstep would be garbage at once.
  const config = spareConfigs.pop() ?? [];
  const from = w._nodes;
  for (let k = 0; k < from.length; k++) config.push(from[k] as XStateNode);
  if (!isInitial) {
    const exitSet = exitSetOf(w, filtered);
    for (let k = 0; k < exitSet.length; k++) {
      const s = exitSet[k] as CompiledNode;
      resolveActions(w, event, s.exitActions, internalQueue, undefined);
      removeFrom(config, s.node);
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
    w.setNodes(next);
    w.version++;
  }
  config.length = 0;
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
