/**
 * xstate's `enqueueActions` resolution (log-*.cjs.js `resolveEnqueueActions`) without building a fresh `enqueue`
 * function and its eight helpers per call: one shared `enqueue` pushes into the list being collected (collection is
 * synchronous, so a stack of one saved list suffices). The helpers for sendTo, sendParent, spawnChild and stopChild
 * build xstate's own action objects; those for assign, raise, emit and cancel (the ones the lab's machines enqueue on
 * every event) build an `EnqueuedBuiltin` record instead of xstate's action function.
 */
import { sendParent, sendTo, spawnChild, stopChild } from 'xstate';
import {
  EXECUTE_CANCEL,
  EXECUTE_EMIT,
  EXECUTE_RAISE,
  RESOLVE_ASSIGN,
  RESOLVE_CANCEL,
  RESOLVE_EMIT,
  RESOLVE_RAISE,
} from './builtins.ts';
import { ConfigView, evaluateGuard } from './guards.ts';
import type { Work } from './work.ts';
import type { XActionRef, XEvent, XGuardRef, XResolve, XScope } from './xstate-shapes.ts';

/**
 * An assign, raise, emit or cancel enqueued by a callback: the properties xstate's creator sets on the action function
 * it builds (`type`, the options, `resolve`, `execute`), which are all the interpreter and xstate's `resolve` and
 * `execute` read, as one record (one shape for the four: every field is set in the constructor, in one order). It is
 * resolved exactly as the xstate action would be.
 */
export class EnqueuedBuiltin {
  assignment: unknown = undefined;
  event: unknown = undefined;
  id: unknown = undefined;
  delay: unknown = undefined;
  sendId: unknown = undefined;

  private constructor(
    readonly type: string,
    readonly resolve: XResolve,
    readonly execute: ((scope: XScope, params: unknown) => void) | undefined,
  ) {}

  /** xstate's `assign(assignment)`. */
  static assign(assignment: unknown): EnqueuedBuiltin {
    const a = new EnqueuedBuiltin('xstate.assign', RESOLVE_ASSIGN, undefined);
    a.assignment = assignment;
    return a;
  }

  /** xstate's `cancel(sendId)`. */
  static cancel(sendId: unknown): EnqueuedBuiltin {
    const a = new EnqueuedBuiltin('xstate.cancel', RESOLVE_CANCEL, EXECUTE_CANCEL);
    a.sendId = sendId;
    return a;
  }

  /** xstate's `raise(event, { id, delay })`. */
  static raise(event: unknown, id: unknown, delay: unknown): EnqueuedBuiltin {
    const a = new EnqueuedBuiltin('xstate.raise', RESOLVE_RAISE, EXECUTE_RAISE);
    a.event = event;
    a.id = id;
    a.delay = delay;
    return a;
  }

  /** xstate's `emit(event)`. */
  static emit(event: unknown): EnqueuedBuiltin {
    const a = new EnqueuedBuiltin('xstate.emit', RESOLVE_EMIT, EXECUTE_EMIT);
    a.event = event;
    return a;
  }
}

interface RaiseOptions {
  readonly id?: unknown;
  readonly delay?: unknown;
}

/**
 * The list being collected and how many it holds: lists come from `spareLists` and keep their length and slots (an
 * array grown by `push` from empty reserves 17 slots, and emptying it by `length = 0` gives them back), so a callback
 * writes into slots a previous callback used. `releaseEnqueued` hands a list back once its actions are resolved.
 */
let collecting: unknown[] = [];
let collectingCount = 0;
const spareLists: unknown[][] = [];
const MAX_SPARE_LISTS = 16;

function put(action: unknown): void {
  collecting[collectingCount++] = action;
}

// The helpers forward their arguments to xstate's creators untouched; their parameter types are the creators' own.
type Creator = (...args: never[]) => unknown;
const into =
  (create: Creator) =>
  (...args: unknown[]): void => {
    put((create as (...a: unknown[]) => unknown)(...args));
  };

const enqueue = Object.assign(
  (action: unknown): void => {
    put(action);
  },
  {
    assign: (assignment: unknown): void => {
      put(EnqueuedBuiltin.assign(assignment));
    },
    cancel: (sendId: unknown): void => {
      put(EnqueuedBuiltin.cancel(sendId));
    },
    raise: (event: unknown, options?: RaiseOptions): void => {
      put(EnqueuedBuiltin.raise(event, options?.id, options?.delay));
    },
    sendTo: into(sendTo),
    sendParent: into(sendParent),
    spawnChild: into(spawnChild),
    stopChild: into(stopChild),
    emit: (event: unknown): void => {
      put(EnqueuedBuiltin.emit(event));
    },
  },
);

/**
 * The argument of an `enqueueActions` callback: xstate's own properties in xstate's order (`context`, `event`,
 * `enqueue`, `check`, `self`, `system`). As xstate's, `check` evaluates a guard on the context and event the callback
 * got, also when the callback keeps it and calls it later.
 */
class CallbackArgs {
  readonly context: Record<string, unknown>;
  readonly event: XEvent;
  readonly enqueue: typeof enqueue;
  readonly check: (guard: XGuardRef) => boolean;
  readonly self: unknown;
  readonly system: unknown;

  constructor(w: Work, context: Record<string, unknown>, event: XEvent) {
    this.context = context;
    this.event = event;
    this.enqueue = enqueue;
    // Not the work state itself: a kept check may be called after the macrostep, when the work state is reused.
    const cm = w.cm;
    const nodes = w._nodes;
    this.check = (guard) => evaluateGuard(new ConfigView(cm, nodes), guard, context, event);
    this.self = w.scope.self;
    this.system = w.scope.system;
  }
}

/** How many actions the last `collectEnqueued` collected (its list may be longer: the rest are empty slots). */
let collectedCount = 0;

/**
 * Runs `collect` and returns the actions it enqueued, in order, as the first `enqueuedCount()` entries of a list to
 * hand back with `releaseEnqueued` once they are resolved (a throw just drops it). The callback gets the context: it
 * may keep it, so from here on the next assign copies (`Work.expose`).
 */
export function collectEnqueued(w: Work, collect: unknown, event: XEvent, params: unknown): readonly XActionRef[] {
  const actions = spareLists.pop() ?? [];
  const saved = collecting;
  const savedCount = collectingCount;
  collecting = actions;
  collectingCount = 0;
  try {
    (collect as (a: unknown, p: unknown) => void)(new CallbackArgs(w, w.expose(), event), params);
    collectedCount = collectingCount;
  } finally {
    collecting = saved;
    collectingCount = savedCount;
  }
  return actions as XActionRef[];
}

/** The number of actions the last `collectEnqueued` returned. */
export function enqueuedCount(): number {
  return collectedCount;
}

/** Hands back a list `collectEnqueued` returned, its first `count` slots emptied (nothing kept alive). */
export function releaseEnqueued(list: readonly XActionRef[], count: number): void {
  const l = list as unknown[];
  for (let i = 0; i < count; i++) l[i] = undefined;
  if (spareLists.length < MAX_SPARE_LISTS) spareLists.push(l);
}
