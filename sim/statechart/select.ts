/**
 * Transition selection as xstate 5.33 does it (raise-*.cjs.js `transitionNode`, `StateNode.next`,
 * `selectEventlessTransitions`, `computeExitSet`, `removeConflictingTransitions`): by the state value's key order,
 * the first candidate whose guard passes per region, eventless transitions per atomic state in configuration order,
 * a descendant's transition preempting its ancestor's when their exit sets meet.
 */
import {
  candidatesOf,
  isDescendant,
  type ChainCandidates,
  type CompiledNode,
  type CompiledTransition,
  type SelectionPlan,
} from './compile.ts';
import type { XEvent, XStateNode } from './xstate-shapes.ts';
import type { Work } from './work.ts';
import { nodeOf } from './work.ts';
import { guardName, guardPasses } from './guards.ts';

/** xstate's error for a guard that threw while `node`'s candidates were tried (StateNode.next), word for word. */
function guardError(c: CompiledTransition, node: CompiledNode, event: XEvent, err: unknown): Error {
  const guard = c.guard;
  const name = guard === undefined ? undefined : guardName(guard);
  // Like xstate's, without a `cause`.
  return new Error(
    `Unable to evaluate guard ${name ? `'${name}' ` : ''}in transition for event '${event.type}' in state node '${node.node.id}':\n${(err as Error).message}`,
  );
}

/**
 * The first of `candidates` whose guard passes (guard errors wrapped as xstate wraps them, naming the node that owns
 * the candidate: `owner` itself, or `owner[i]` for a chain's concatenated list).
 */
function firstPassing(
  w: Work,
  candidates: readonly CompiledTransition[],
  owner: CompiledNode | readonly CompiledNode[],
  event: XEvent,
): CompiledTransition | undefined {
  // Indexed loops on the hot path: a `for…of` here keeps an array iterator per call (the try blocks V8's elision).
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as CompiledTransition;
    let passed: boolean;
    try {
      passed = guardPasses(w, c, event);
    } catch (err) {
      throw guardError(c, Array.isArray(owner) ? (owner[i] as CompiledNode) : (owner as CompiledNode), event, err);
    }
    if (passed) return c;
  }
  return undefined;
}

/** xstate's `StateNode.next`: the first candidate whose guard passes. */
function nextOf(w: Work, node: CompiledNode, event: XEvent): CompiledTransition | undefined {
  return firstPassing(w, candidatesOf(node, event.type), node, event);
}

/** A chain plan's candidates for `eventType` (built on first use: `candidatesOf` of each node, deepest first). */
function chainCandidates(plan: SelectionPlan, eventType: string): ChainCandidates {
  const transitions: CompiledTransition[] = [];
  const owners: CompiledNode[] = [];
  for (const node of plan.chain as readonly CompiledNode[])
    for (const t of candidatesOf(node, eventType)) {
      transitions.push(t);
      owners.push(node);
    }
  const cc: ChainCandidates = { transitions, owners };
  plan.byType?.set(eventType, cc);
  return cc;
}

/**
 * `selectOnPlan` on a chain plan: the deepest node's `nextOf`, else its parent's, and so on up to the plan's node,
 * is the first candidate of the concatenated lists whose guard passes (the same guards called in the same order).
 */
function firstOnChain(w: Work, cc: ChainCandidates, event: XEvent): CompiledTransition | undefined {
  return firstPassing(w, cc.transitions, cc.owners, event);
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

/**
 * `transitionNode`'s walk of `value` from `node` as a plan: a string value is its one atomic child; an object value's
 * keys, in order, those with a truthy sub-value (`transitionNode` skips the others; with one key it does not, and a
 * falsy sub-value throws there: so it does here). Throws where `transitionNode` would (an unknown key).
 */
function buildPlan(w: Work, node: CompiledNode, value: unknown): SelectionPlan {
  if (typeof value === 'string') return planNode(node, [planNode(childByKey(w, node, value), [])]);
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  const kids: SelectionPlan[] = [];
  if (keys.length === 1) {
    const key = keys[0] as string;
    kids.push(buildPlan(w, childByKey(w, node, key), v[key]));
  } else for (const key of keys) if (v[key]) kids.push(buildPlan(w, childByKey(w, node, key), v[key]));
  return planNode(node, kids);
}

/** A plan node, with its chain when it and its kids form one (see `SelectionPlan.chain`). */
function planNode(node: CompiledNode, kids: readonly SelectionPlan[]): SelectionPlan {
  let chain: CompiledNode[] | undefined;
  if (kids.length === 0) chain = [node];
  else if (kids.length === 1) {
    const below = (kids[0] as SelectionPlan).chain;
    if (below !== undefined) chain = [...below, node];
  }
  return { node, kids, chain, byType: chain === undefined ? undefined : new Map() };
}

/** The plan of the state value `value` (cached per value; undefined when the value names a state that is not there). */
function planOf(w: Work, value: unknown): SelectionPlan | undefined {
  const cm = w.cm;
  const isString = typeof value === 'string';
  if (!isString && (typeof value !== 'object' || value === null)) return undefined;
  let plan = isString ? cm.plansByString.get(value) : cm.plansByValue.get(value);
  if (plan !== undefined) return plan;
  try {
    plan = buildPlan(w, cm.root, value);
  } catch {
    // `transitionNode` throws for it too, but only when it reaches the key (after the guards before it): let it.
    return undefined;
  }
  if (isString) cm.plansByString.set(value, plan);
  else cm.plansByValue.set(value, plan);
  return plan;
}

/**
 * `transitionNode` on a plan: the same candidates in the same order (each region's deepest enabled transition, else
 * its node's own), without reading the state value's keys or looking children up by name per event.
 */
function selectOnPlan(w: Work, plan: SelectionPlan, event: XEvent): boolean {
  const before = w.selectedCount;
  const kids = plan.kids;
  for (let i = 0; i < kids.length; i++) selectOnPlan(w, kids[i] as SelectionPlan, event);
  if (w.selectedCount > before) return true;
  const t = nextOf(w, plan.node, event);
  if (t === undefined) return false;
  const n = w.selectedCount++;
  if (n === 0) w.selectedFirst = t;
  else if (n === 1) w.selectedMore = [w.selectedFirst as CompiledTransition, t];
  else w.selectedMore?.push(t);
  return true;
}

/**
 * The transitions `event` selects, in xstate's order. Most events select one: then the array is that transition's
 * own `alone` (selection collects into the work state, so no array is built per event). Nobody writes the result.
 */
export function selectTransitions(w: Work, event: XEvent): readonly CompiledTransition[] {
  const value = w.value;
  const plan = planOf(w, value);
  if (plan === undefined) {
    const out: CompiledTransition[] = [];
    transitionNode(w, w.cm.root, value, event, out);
    return out;
  }
  const byType = plan.byType;
  if (byType !== undefined) {
    // One lookup per event for the whole chain, instead of one per node and a walk of the plan.
    const t = firstOnChain(w, byType.get(event.type) ?? chainCandidates(plan, event.type), event);
    return t === undefined ? NONE : t.alone;
  }
  w.resetSelection();
  selectOnPlan(w, plan, event);
  const n = w.selectedCount;
  if (n === 0) return NONE;
  return n === 1 ? (w.selectedFirst as CompiledTransition).alone : (w.selectedMore as CompiledTransition[]);
}

/** No transitions (shared: the macrostep loop asks for eventless transitions after every microstep). */
const NONE: readonly CompiledTransition[] = Object.freeze([]);

/** xstate's `selectEventlessTransitions`: per atomic state in configuration order, the first enabled `always`. */
export function selectEventless(w: Work, event: XEvent): readonly CompiledTransition[] {
  let enabled: CompiledTransition[] | undefined;
  const nodes = w._nodes;
  for (let i = 0; i < nodes.length; i++) {
    const c = nodeOf(w, nodes[i] as XStateNode);
    if (!c.alwaysOnPath || (c.type !== 'atomic' && c.type !== 'final')) continue;
    loop: for (let s: CompiledNode | undefined = c; s !== undefined; s = s.parent) {
      if (s.always === undefined) continue;
      for (const t of s.always) {
        if (guardPasses(w, t, event)) {
          enabled ??= [];
          if (!enabled.includes(t)) enabled.push(t);
          break loop;
        }
      }
    }
  }
  if (enabled === undefined) return NONE;
  return enabled.length > 1 ? removeConflictingTransitions(w, enabled, w._nodes) : enabled;
}

/** xstate's `computeExitSet`, sorted by reverse document order as `exitStates` sorts it. */
export function computeExitSet(
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
export function removeConflictingTransitions(
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
