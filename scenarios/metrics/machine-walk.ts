/**
 * One walk over an xstate v5 machine DEFINITION (`machine.root` and each StateNode's `states`, `transitions`,
 * `always`), shared by the §4 measurements (machine-size.ts, mirror.ts) and the browser's State panel
 * (web/model/machine-defs.ts): every state node and every transition definition with its event, guard name and
 * targets. Nothing here runs the machine, so a machine is measured as written, not as one trace exercised it.
 */
import type { AnyStateMachine } from 'xstate';

export type StateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface WalkedState {
  /** Dotted path below the root (`established.ready`); the root itself is not listed. */
  readonly path: string;
  /** Parent path, '' for a top-level state. */
  readonly parent: string;
  readonly key: string;
  readonly kind: StateKind;
  /** The initial child's path for a compound state. */
  readonly initial?: string;
}

export interface WalkedTransition {
  /** Source state path ('' = the root: the transition is handled in every state). */
  readonly from: string;
  /** Target paths; empty for a targetless transition (handled without leaving the state). */
  readonly to: readonly string[];
  /** The event type; delayed transitions as `after <delay>`, eventless ones as `always`. */
  readonly event: string;
  /** The named guard, `(inline)` for an anonymous function, undefined when unguarded. */
  readonly guard?: string;
}

export interface WalkedMachine {
  readonly id: string;
  readonly initial: string;
  readonly states: readonly WalkedState[];
  readonly transitions: readonly WalkedTransition[];
}

/** The parts of xstate's StateNode this walk reads (the public fields of xstate 5's StateNode class). */
interface StateNodeLike {
  readonly path: readonly string[];
  readonly key: string;
  readonly type: string;
  readonly states?: Readonly<Record<string, StateNodeLike>>;
  readonly initial?: { readonly target?: readonly StateNodeLike[] };
  readonly transitions?: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[];
}

interface TransitionLike {
  readonly target?: readonly StateNodeLike[];
  readonly guard?: unknown;
}

/** xstate's delayed event types are `xstate.after.<delay>.<machine>.<state>`: `after <delay>`. */
export function eventLabel(type: string): string {
  const m = /^xstate\.after\.([^.]+)\./.exec(type);
  return m ? `after ${m[1]}` : type;
}

/** A guard as written in `setup({ guards })` is a string (or `{ type }`); an inline function has no name to show. */
export function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string')
    return (guard as { type: string }).type;
  if (typeof guard === 'function') {
    const name = (guard as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' && name !== 'guard' ? name : '(inline)';
  }
  return '(inline)';
}

const pathOf = (n: StateNodeLike): string => n.path.join('.');

export function walkMachine(machine: AnyStateMachine): WalkedMachine {
  const states: WalkedState[] = [];
  const transitions: WalkedTransition[] = [];
  const walk = (n: StateNodeLike): void => {
    const from = pathOf(n);
    if (n.path.length > 0) {
      const initial = n.type === 'compound' ? n.initial?.target?.[0] : undefined;
      states.push({
        path: from,
        parent: n.path.slice(0, -1).join('.'),
        key: n.key,
        kind: n.type as StateKind,
        ...(initial ? { initial: pathOf(initial) } : {}),
      });
    }
    const add = (event: string, t: TransitionLike): void => {
      const guard = guardName(t.guard);
      transitions.push({ from, to: (t.target ?? []).map(pathOf), event, ...(guard ? { guard } : {}) });
    };
    for (const [type, list] of n.transitions ?? new Map<string, readonly TransitionLike[]>())
      for (const t of list) add(eventLabel(type), t);
    for (const t of n.always ?? []) add('always', t);
    for (const c of Object.values(n.states ?? {})) walk(c);
  };
  const root = machine.root as unknown as StateNodeLike;
  walk(root);
  const initial = root.initial?.target?.[0];
  return { id: machine.id, initial: initial ? pathOf(initial) : '', states, transitions };
}

const cache = new WeakMap<AnyStateMachine, WalkedMachine>();

/** The walk of a definition, computed once per machine object. */
export function walked(machine: AnyStateMachine): WalkedMachine {
  let w = cache.get(machine);
  if (!w) cache.set(machine, (w = walkMachine(machine)));
  return w;
}
