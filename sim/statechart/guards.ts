/** xstate's `evaluateGuard` (raise-*.cjs.js) on the work state, with its built-in guards `and`, `or`, `not`, `stateIn`. */
import { CHECK_AND, CHECK_NOT, CHECK_OR, CHECK_STATE_IN } from './builtins.ts';
import { matchesState } from 'xstate';
import type { XEvent, XGuardFunction, XGuardRef, XMachine, XStateNode } from './xstate-shapes.ts';
import type { Work } from './work.ts';
import type { CompiledMachine, CompiledTransition } from './compile.ts';
import { valueAndTags } from './snapshot.ts';

/** What a guard is evaluated on (xstate's snapshot): the work state while it runs, or a `ConfigView`. */
export interface GuardHost {
  readonly machine: XMachine;
  readonly _nodes: readonly XStateNode[];
  matches(testValue: unknown): boolean;
  /** The context as user code gets it (see `Work.expose`). */
  expose(): unknown;
}

/**
 * A configuration as a guard host: what an `enqueueActions` callback's `check` judges by, the configuration of the
 * callback's turn (xstate's check reads the snapshot of that turn), also when the callback keeps `check` and calls it
 * after its macrostep (the work state is reused by then). Nothing to expose: the guard gets the context the callback
 * got, which the callback's own args exposed already.
 */
export class ConfigView implements GuardHost {
  readonly machine: XMachine;
  constructor(
    private readonly cm: CompiledMachine,
    readonly _nodes: readonly XStateNode[],
  ) {
    this.machine = cm.machine;
  }
  matches(testValue: unknown): boolean {
    return matchesState(testValue as never, valueAndTags(this.cm, this._nodes).value as never);
  }
  expose(): undefined {
    return undefined;
  }
}

/** The argument xstate hands a guard (and a guard's params function): `{ context, event }`, in that key order. */
class GuardArgs {
  context: Record<string, unknown> | undefined = undefined;
  event: XEvent | undefined = undefined;
}

/**
 * One `{ context, event }` for every guard call, where xstate builds a fresh one per call (~60 KB per client over a
 * storm). Sound because a guard is a predicate: it reads its argument while it runs and keeps nothing of the object
 * itself (none of the lab's guards does; their values — the context and the event — may be kept, they are not
 * touched). Its fields are cleared after the call, so it holds no context between calls. A guard that runs another
 * macrostep (sends to an actor synchronously) makes the inner guards take fresh objects: the outer guard's argument
 * keeps its values until it returns (`sharedBusy`).
 */
const shared = new GuardArgs();
let sharedBusy = false;

/** `guard(args, params)` with `args` the shared argument when it is free (a fresh one when it is in use). */
function callGuard(
  fn: (args: never, params: unknown) => boolean,
  context: Record<string, unknown>,
  event: XEvent,
  params: unknown,
  paramsFn: ((args: never) => unknown) | undefined,
): boolean {
  const call = fn as (args: GuardArgs, params: unknown) => boolean;
  if (sharedBusy) {
    const args = new GuardArgs();
    args.context = context;
    args.event = event;
    return call(args, paramsFn === undefined ? params : (paramsFn as (a: GuardArgs) => unknown)(args));
  }
  sharedBusy = true;
  shared.context = context;
  shared.event = event;
  try {
    return call(shared, paramsFn === undefined ? params : (paramsFn as (a: GuardArgs) => unknown)(shared));
  } finally {
    shared.context = undefined;
    shared.event = undefined;
    sharedBusy = false;
  }
}

/** xstate's `evaluateGuard`, with its built-in guards (`and`, `or`, `not`, `stateIn`) evaluated on the work state. */
export function evaluateGuard(
  w: GuardHost,
  guard: XGuardRef,
  context: Record<string, unknown>,
  event: XEvent,
): boolean {
  const isInline = typeof guard === 'function';
  const resolved: XGuardRef | undefined = isInline
    ? guard
    : w.machine.implementations.guards[typeof guard === 'string' ? guard : guard.type];
  if (!isInline && resolved === undefined)
    throw new Error(`Guard '${typeof guard === 'string' ? guard : guard.type}' is not implemented.'.`);
  if (typeof resolved !== 'function') return evaluateGuard(w, resolved as XGuardRef, context, event);
  const fn = resolved as XGuardFunction;
  const hasParams = !isInline && typeof guard !== 'string' && 'params' in guard;
  const isBuiltin = 'check' in fn;
  const paramsFn =
    hasParams && typeof guard.params === 'function' ? (guard.params as (a: never) => unknown) : undefined;
  // A guard (or its params function) gets the context: it may keep it, so the next assign copies (Work.expose).
  if (!isBuiltin) {
    w.expose();
    return callGuard(fn, context, event, hasParams ? guard.params : undefined, paramsFn);
  }
  // A built-in's params, as xstate computes them (its check below does not read them).
  if (paramsFn !== undefined) {
    w.expose();
    callGuard(paramsOnly, context, event, undefined, paramsFn);
  }
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
  w.expose();
  return (fn.check as unknown as (s: unknown, a: unknown, g: unknown) => boolean)(w, { context, event }, fn);
}

/** A built-in guard's params function is called for what it does; the check itself comes after. */
function paramsOnly(): boolean {
  return false;
}

/** Does transition `t`'s guard pass (true without one)? A plain predicate compile.ts found is called at once. */
export function guardPasses(w: Work, t: CompiledTransition, event: XEvent): boolean {
  const plain = t.plainGuard;
  if (plain !== undefined) return callGuard(plain, w.expose(), event, t.plainParams, undefined);
  return t.guard === undefined || evaluateGuard(w, t.guard, w.context, event);
}

export function guardName(guard: XGuardRef): string | undefined {
  return typeof guard === 'string' ? guard : typeof guard === 'object' ? guard.type : undefined;
}
