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
import type { CompiledMachine } from './compile.ts';
import type { XActionRef, XEvent, XGuardRef, XResolve, XScope, XStateNode } from './xstate-shapes.ts';

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
    const a = spareAssigns.pop() ?? new EnqueuedBuiltin('xstate.assign', RESOLVE_ASSIGN, undefined);
    a.assignment = assignment;
    return a;
  }

  /** xstate's `cancel(sendId)`. */
  static cancel(sendId: unknown): EnqueuedBuiltin {
    const a = spareCancels.pop() ?? new EnqueuedBuiltin('xstate.cancel', RESOLVE_CANCEL, EXECUTE_CANCEL);
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
    const a = spareEmits.pop() ?? new EnqueuedBuiltin('xstate.emit', RESOLVE_EMIT, EXECUTE_EMIT);
    a.event = event;
    return a;
  }

  /**
   * Hands a resolved assign, emit or cancel record back to its spares, emptied (nothing kept alive). Their resolution
   * reads the record and keeps none of it (the assignment is applied, the emitted event and the cancelled id are taken
   * out; under xstate's own `Actor` its `resolve` builds its own params), and no user code ever gets a record. A raise
   * is not handed back: its deferred effect reads the record itself after the macrostep (effects.ts).
   */
  static release(a: EnqueuedBuiltin): void {
    const resolve = a.resolve;
    let spares: EnqueuedBuiltin[];
    if (resolve === RESOLVE_ASSIGN) spares = spareAssigns;
    else if (resolve === RESOLVE_EMIT) spares = spareEmits;
    else if (resolve === RESOLVE_CANCEL) spares = spareCancels;
    else return;
    a.assignment = undefined;
    a.event = undefined;
    a.sendId = undefined;
    if (spares.length < MAX_SPARE_RECORDS) spares.push(a);
  }
}

/**
 * Resolved assign, emit and cancel records, ready for the next callback (a record per enqueued action was the most
 * common allocation after the context copies). A stack per kind: a record's kind is fixed at its creation.
 */
const spareAssigns: EnqueuedBuiltin[] = [];
const spareEmits: EnqueuedBuiltin[] = [];
const spareCancels: EnqueuedBuiltin[] = [];
const MAX_SPARE_RECORDS = 32;

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
 * got, also when the callback keeps it and calls it later. This class builds a fresh one (a callback inside a
 * callback's turn, see `sharedArgs`).
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
    this.check = checkOf(w.cm, w._nodes, context, event);
    this.self = w.scope.self;
    this.system = w.scope.system;
  }
}

/**
 * `check` for one callback's turn. Not the work state itself: a kept check may be called after the macrostep, when
 * the work state is reused.
 */
function checkOf(
  cm: CompiledMachine,
  nodes: readonly XStateNode[],
  context: Record<string, unknown>,
  event: XEvent,
): (guard: XGuardRef) => boolean {
  return (guard) => evaluateGuard(new ConfigView(cm, nodes), guard, context, event);
}

/** The shared argument's fields that are not own properties: the turn's machine and configuration, for `check`. */
let turnCm: CompiledMachine | undefined;
let turnNodes: readonly XStateNode[] | undefined;

function argsKept(): never {
  throw new Error(
    "statechart: an enqueueActions callback's args object was kept past the callback (the fast runtime shares it: keep `check` itself)",
  );
}

/**
 * One callback argument for every callback, where xstate (and `CallbackArgs`) builds a fresh one and a `check` closure
 * per call (~100 bytes per callback, one callback per event in most of the lab's machines): `check` is an own accessor
 * (enumerable, in xstate's place among the keys) that builds the turn's check only when the callback reads it — so a
 * check read during the callback and kept judges its turn, as xstate's. Sound because a callback keeps nothing of the
 * object itself (every one of the lab's destructures it in its parameter list); its fields are cleared after the
 * call, so it holds no context between calls, and reading `check` off a kept object outside any callback throws rather
 * than judging with nothing (the one difference from xstate; test/sim/statechart/semantics.test.ts). A callback that
 * runs another actor's macrostep (its enqueued actions run after it returns, but it may call user code that sends)
 * makes the inner callbacks take fresh objects (`sharedBusy`).
 */
interface SharedArgs {
  context: Record<string, unknown> | undefined;
  event: XEvent | undefined;
  readonly enqueue: typeof enqueue;
  readonly check: (guard: XGuardRef) => boolean;
  self: unknown;
  system: unknown;
}
const sharedArgs = ((): SharedArgs => {
  const o = { context: undefined, event: undefined, enqueue } as Partial<SharedArgs>;
  Object.defineProperty(o, 'check', {
    enumerable: true,
    get(this: SharedArgs): (guard: XGuardRef) => boolean {
      if (turnCm === undefined || turnNodes === undefined) return argsKept();
      return checkOf(turnCm, turnNodes, this.context as Record<string, unknown>, this.event as XEvent);
    },
  });
  o.self = undefined;
  o.system = undefined;
  return o as SharedArgs;
})();
let sharedBusy = false;

/** Calls `collect` with its argument: the shared one when it is free, else a fresh one. */
function callCollect(w: Work, collect: unknown, event: XEvent, params: unknown): void {
  const call = collect as (a: unknown, p: unknown) => void;
  if (sharedBusy) {
    call(new CallbackArgs(w, w.expose(), event), params);
    return;
  }
  sharedBusy = true;
  const a = sharedArgs;
  a.context = w.expose();
  a.event = event;
  a.self = w.scope.self;
  a.system = w.scope.system;
  turnCm = w.cm;
  turnNodes = w._nodes;
  try {
    call(a, params);
  } finally {
    a.context = undefined;
    a.event = undefined;
    a.self = undefined;
    a.system = undefined;
    turnCm = undefined;
    turnNodes = undefined;
    sharedBusy = false;
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
    callCollect(w, collect, event, params);
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

/**
 * Hands back a list `collectEnqueued` returned once its actions are resolved, its first `count` slots emptied (nothing
 * kept alive), and the records of the assigns, emits and cancels in it (`EnqueuedBuiltin.release`).
 */
export function releaseEnqueued(list: readonly XActionRef[], count: number): void {
  const l = list as unknown[];
  for (let i = 0; i < count; i++) {
    const a = l[i];
    if (a instanceof EnqueuedBuiltin) EnqueuedBuiltin.release(a);
    l[i] = undefined;
  }
  if (spareLists.length < MAX_SPARE_LISTS) spareLists.push(l);
}
