/**
 * xstate's built-in actions and guards, recognised by identity: every `assign(...)` shares one `resolve` function,
 * every `stateIn(...)` one `check`, and so on. The interpreter re-implements the resolution of the three built-ins
 * that rebuild xstate's snapshot (assign, spawnChild, stopChild: the per-event cost this runtime removes); raise,
 * sendTo, emit and cancel are resolved and executed natively on a lab actor (effects.ts); enqueueActions is collected
 * natively (enqueue.ts); the rest (log, and every read-only built-in under xstate's own `Actor`) goes through xstate's
 * own `resolve` and `execute`.
 */
import {
  and,
  assign,
  cancel,
  emit,
  enqueueActions,
  log,
  not,
  or,
  raise,
  sendTo,
  spawnChild,
  stateIn,
  stopChild,
} from 'xstate';
import type { XActionFunction, XGuardFunction, XResolve, XScope } from './xstate-shapes.ts';

function builtin(action: unknown): XActionFunction {
  return action as XActionFunction;
}

const probes = {
  assign: builtin(assign({})),
  raise: builtin(raise({ type: 'probe' })),
  sendTo: builtin(sendTo('probe', { type: 'probe' })),
  emit: builtin(emit({ type: 'probe' })),
  cancel: builtin(cancel('probe')),
  stopChild: builtin(stopChild('probe')),
  spawnChild: builtin(spawnChild('probe')),
  enqueueActions: builtin(enqueueActions(() => undefined)),
  log: builtin(log()),
};

function resolveOf(a: XActionFunction): XResolve {
  if (a.resolve === undefined) throw new Error(`xstate built-in ${String(a.type)} has no resolve: xstate changed`);
  return a.resolve;
}

export const RESOLVE_ASSIGN = resolveOf(probes.assign);
export const RESOLVE_SPAWN = resolveOf(probes.spawnChild);
export const RESOLVE_STOP = resolveOf(probes.stopChild);
export const RESOLVE_ENQUEUE = resolveOf(probes.enqueueActions);

/** Built-ins whose xstate `resolve` leaves the snapshot as it is (it reads `machine`, `children`, `context`). */
export const READ_ONLY_RESOLVES: ReadonlySet<XResolve> = new Set([
  resolveOf(probes.raise),
  resolveOf(probes.sendTo),
  resolveOf(probes.emit),
  resolveOf(probes.cancel),
  resolveOf(probes.enqueueActions),
  resolveOf(probes.log),
]);

/** The resolve and execute of raise, emit and cancel (enqueue.ts builds their enqueued records with them). */
export const RESOLVE_RAISE = resolveOf(probes.raise);
export const RESOLVE_EMIT = resolveOf(probes.emit);
export const RESOLVE_CANCEL = resolveOf(probes.cancel);
export const RESOLVE_SEND_TO = resolveOf(probes.sendTo);
export const EXECUTE_RAISE = probes.raise.execute as (scope: XScope, params: unknown) => void;
export const EXECUTE_EMIT = probes.emit.execute as (scope: XScope, params: unknown) => void;
export const EXECUTE_CANCEL = probes.cancel.execute as (scope: XScope, params: unknown) => void;

/** xstate's `executeSpawn` and `executeStop` (deferred start; eager unregister then deferred stop). */
export const EXECUTE_SPAWN = probes.spawnChild.execute as (scope: XScope, params: unknown) => void;
export const EXECUTE_STOP = probes.stopChild.execute as (scope: XScope, params: unknown) => void;

/** The `stopChild(ref)` action object xstate's `stopChildren` builds (for the type name and executor entry). */
export const STOP_CHILD_TYPE = 'xstate.stopChild';

function checkOf(g: unknown): unknown {
  return (g as XGuardFunction).check;
}

export const CHECK_STATE_IN = checkOf(stateIn('#probe'));
export const CHECK_AND = checkOf(and([]));
export const CHECK_OR = checkOf(or([]));
export const CHECK_NOT = checkOf(not(() => true));

/** Is `resolve` one this interpreter knows how to run? */
export function isKnownResolve(resolve: XResolve): boolean {
  return (
    resolve === RESOLVE_ASSIGN ||
    resolve === RESOLVE_SPAWN ||
    resolve === RESOLVE_STOP ||
    READ_ONLY_RESOLVES.has(resolve)
  );
}
