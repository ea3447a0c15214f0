/** xstate's `evaluateGuard` (raise-*.cjs.js) on the work state, with its built-in guards `and`, `or`, `not`, `stateIn`. */
import { CHECK_AND, CHECK_NOT, CHECK_OR, CHECK_STATE_IN } from './builtins.ts';
import type { XEvent, XGuardFunction, XGuardRef } from './xstate-shapes.ts';
import type { Work } from './work.ts';
import type { CompiledTransition } from './compile.ts';

/** xstate's `evaluateGuard`, with its built-in guards (`and`, `or`, `not`, `stateIn`) evaluated on the work state. */
export function evaluateGuard(w: Work, guard: XGuardRef, context: Record<string, unknown>, event: XEvent): boolean {
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
  // A guard (or its params function) gets the context: it may keep it, so the next assign copies (Work.expose).
  if (!isBuiltin || (hasParams && typeof guard.params === 'function')) w.expose();
  const args = { context, event };
  let params: unknown = undefined;
  if (hasParams)
    params = typeof guard.params === 'function' ? (guard.params as (a: unknown) => unknown)(args) : guard.params;
  if (!isBuiltin) return fn(args, params);
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
  return (fn.check as unknown as (s: unknown, a: unknown, g: unknown) => boolean)(w, args, fn);
}

/** Does transition `t`'s guard pass (true without one)? A plain predicate compile.ts found is called at once. */
export function guardPasses(w: Work, t: CompiledTransition, event: XEvent): boolean {
  const plain = t.plainGuard;
  if (plain !== undefined) return plain({ context: w.expose(), event }, t.plainParams);
  return t.guard === undefined || evaluateGuard(w, t.guard, w.context, event);
}

export function guardName(guard: XGuardRef): string | undefined {
  return typeof guard === 'string' ? guard : typeof guard === 'object' ? guard.type : undefined;
}
