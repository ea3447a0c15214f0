/**
 * xstate 5.33's raise, cancel, emit and sendTo (raise-*.cjs.js `resolveRaise`, `executeRaise`, `resolveCancel`,
 * `executeCancel`; log-*.cjs.js `resolveEmit`, `executeEmit`, `resolveSendTo`, `retryResolveSendTo`,
 * `executeSendTo`) resolved and executed natively for a lab actor's scope: the same user calls in the same order with
 * one args object per action (built only when user code is called), the same errors word for word, the same internal
 * queue, and the same deferred effects in the same order (scheduler calls with the same ids, relays, emits), each a
 * deferred call `fn(actor, a, b)` instead of xstate's `[snapshot, params]` array, params object and effect closure.
 * Under xstate's own `Actor` (no `deferCall` on its scope) the interpreter still calls xstate's `resolve`, so the
 * executor and its inspection see xstate's action objects.
 */
import { RESOLVE_CANCEL, RESOLVE_EMIT, RESOLVE_RAISE, RESOLVE_SEND_TO } from './builtins.ts';
import type { LabActor, LabEvent } from './lab-actor.ts';
import type { XActionArgs, XActionFunction, XEvent, XResolve, XScope } from './xstate-shapes.ts';
import type { Retry, Work } from './work.ts';

/** xstate's `SpecialTargets` and `XSTATE_ERROR`. */
const PARENT_TARGET = '#_parent';
const INTERNAL_TARGET = '#_internal';
const XSTATE_ERROR = 'xstate.error';

/** A lab actor's scope (it defers effects as calls). */
export type DeferScope = XScope & Required<Pick<XScope, 'deferCall'>>;

/** Is `resolve` one `resolveEffect` runs natively? */
export function isNativeEffect(resolve: XResolve): boolean {
  return (
    resolve === RESOLVE_RAISE || resolve === RESOLVE_CANCEL || resolve === RESOLVE_SEND_TO || resolve === RESOLVE_EMIT
  );
}

/** The args xstate hands the built-in's user functions (one object per action, as xstate's `actionArgs`). */
function userArgs(w: Work, event: XEvent): XActionArgs {
  return { context: w.expose(), event, self: w.scope.self, system: w.scope.system };
}

type UserFn = (args: XActionArgs, params: unknown) => unknown;

/** A delayed event to schedule: the action itself when its event is static, else its resolved event and id. */
interface Raised {
  readonly event: unknown;
  readonly id: unknown;
}

/** executeRaise's deferred effect: schedule the event to the actor itself under the raise's id. */
function scheduleRaise(actor: LabActor, raised: unknown, delay: unknown): void {
  const r = raised as Raised;
  actor.system.scheduler.schedule(actor, actor, r.event as LabEvent, delay as number, r.id as string | undefined);
}

/** executeCancel's deferred effect. */
function cancelScheduled(actor: LabActor, sendId: unknown): void {
  actor.system.scheduler.cancel(actor, sendId as string);
}

/** executeEmit's deferred effect. */
function emitEvent(actor: LabActor, event: unknown): void {
  actor._emit(event as LabEvent);
}

/** xstate's `createErrorActorEvent`. */
function errorActorEvent(id: string, error: unknown): LabEvent {
  return { type: `xstate.error.actor.${id}`, error, actorId: id };
}

/** executeSendTo's deferred effect without a delay: relay (an `xstate.error` event as the actor's error event). */
function relayEvent(actor: LabActor, to: unknown, event: unknown): void {
  const e = event as LabEvent;
  actor.system._relay(actor, to as LabActor, e.type === XSTATE_ERROR ? errorActorEvent(actor.id, e['data']) : e);
}

/** sendTo's resolved params as xstate's (its `to` may be an invoke id until `retrySend` finds the child). */
interface SendParams {
  to: unknown;
  readonly targetId: string | undefined;
  readonly event: unknown;
  readonly id: unknown;
  readonly delay: unknown;
}

/** executeSendTo's deferred effect, reading `to` when it runs (after a retry). */
function sendWithParams(actor: LabActor, params: unknown): void {
  const p = params as SendParams;
  if (typeof p.delay === 'number') {
    actor.system.scheduler.schedule(actor, p.to as LabActor, p.event as LabEvent, p.delay, p.id as string | undefined);
    return;
  }
  relayEvent(actor, p.to, p.event);
}

/** xstate's `retryResolveSendTo`. */
function retrySend(_scope: XScope, snapshot: unknown, params: unknown): void {
  const p = params as SendParams;
  if (typeof p.to === 'string') p.to = (snapshot as Work).children[p.to];
}

/** raise's and sendTo's event as written: a string is an error, in xstate's words; a function the caller calls. */
function eventExprOf(a: XActionFunction, builtIn: 'raise' | 'sendTo'): unknown {
  const eventOrExpr = a['event'];
  if (typeof eventOrExpr === 'string')
    throw new Error(
      `Only event objects may be used with ${builtIn}; use ${builtIn}({ type: "${eventOrExpr}" }) instead`,
    );
  return eventOrExpr;
}

/** A delay as written, or for a name the machine's `delays` entry (a number, a function the caller calls, nothing). */
function delayExprOf(w: Work, a: XActionFunction): unknown {
  const delay = a['delay'];
  if (typeof delay !== 'string') return delay;
  const delays = w.machine.implementations.delays as Record<string, unknown> | undefined;
  return delays && delays[delay];
}

function resolveRaise(w: Work, event: XEvent, params: unknown, a: XActionFunction, scope: DeferScope): void {
  const eventOrExpr = eventExprOf(a, 'raise');
  // One args object for every user function of the action, made only if one is called (xstate's `actionArgs`).
  let args: XActionArgs | undefined;
  let resolvedEvent = eventOrExpr;
  if (typeof eventOrExpr === 'function') resolvedEvent = (eventOrExpr as UserFn)((args = userArgs(w, event)), params);
  let delay = delayExprOf(w, a);
  if (typeof delay === 'function') delay = (delay as UserFn)(args ?? userArgs(w, event), params);
  if (typeof delay !== 'number') {
    // An immediate raise: the internal queue (executeRaise has nothing to do).
    (w.internalQueue as XEvent[]).push(resolvedEvent as XEvent);
    return;
  }
  const raised: Raised =
    resolvedEvent === eventOrExpr ? (a as unknown as Raised) : { event: resolvedEvent, id: a['id'] };
  scope.deferCall(scheduleRaise, raised, delay);
}

function resolveSendTo(w: Work, event: XEvent, params: unknown, a: XActionFunction, scope: DeferScope): void {
  const eventOrExpr = eventExprOf(a, 'sendTo');
  let args: XActionArgs | undefined;
  let resolvedEvent = eventOrExpr;
  if (typeof eventOrExpr === 'function') resolvedEvent = (eventOrExpr as UserFn)((args = userArgs(w, event)), params);
  let delay = delayExprOf(w, a);
  if (typeof delay === 'function') delay = (delay as UserFn)((args ??= userArgs(w, event)), params);
  const to = a['to'];
  const resolvedTarget = typeof to === 'function' ? (to as UserFn)(args ?? userArgs(w, event), params) : to;
  let target: unknown;
  if (typeof resolvedTarget === 'string') {
    if (resolvedTarget === PARENT_TARGET) target = w.scope.self._parent;
    else if (resolvedTarget === INTERNAL_TARGET) target = w.scope.self;
    // SCXML's `#_invokeid`.
    else if (resolvedTarget.startsWith('#_')) target = w.children[resolvedTarget.slice(2)];
    // A child the entered state invokes is not there yet: its id stands for it until the retry.
    else target = w.deferredActorIds?.includes(resolvedTarget) ? resolvedTarget : w.children[resolvedTarget];
    if (!target) throw new Error(`Unable to send event to actor '${resolvedTarget}' from machine '${w.machine.id}'.`);
  } else target = resolvedTarget || w.scope.self;
  if (typeof target !== 'string' && typeof delay !== 'number') {
    scope.deferCall(relayEvent, target, resolvedEvent);
    return;
  }
  const p: SendParams = {
    to: target,
    targetId: typeof resolvedTarget === 'string' ? resolvedTarget : undefined,
    event: resolvedEvent,
    id: a['id'],
    delay,
  };
  // xstate retries every sendTo resolved while an entered state's invokes are deferred; only a string `to` changes.
  if (w.deferredActorIds !== undefined && typeof target === 'string') (w.retries ??= []).push([retrySend, p] as Retry);
  scope.deferCall(sendWithParams, p, undefined);
}

/** Resolves and executes the raise, cancel, emit or sendTo `a` (`isNativeEffect(a.resolve)`) on a lab scope. */
export function resolveEffect(
  w: Work,
  event: XEvent,
  params: unknown,
  a: XActionFunction,
  resolve: XResolve,
  scope: DeferScope,
): void {
  if (resolve === RESOLVE_RAISE) resolveRaise(w, event, params, a, scope);
  else if (resolve === RESOLVE_SEND_TO) resolveSendTo(w, event, params, a, scope);
  else if (resolve === RESOLVE_CANCEL) {
    const sendId = a['sendId'];
    scope.deferCall(
      cancelScheduled,
      typeof sendId === 'function' ? (sendId as UserFn)(userArgs(w, event), params) : sendId,
      undefined,
    );
  } else {
    const eventOrExpr = a['event'];
    scope.deferCall(
      emitEvent,
      typeof eventOrExpr === 'function' ? (eventOrExpr as UserFn)(userArgs(w, event), params) : eventOrExpr,
      undefined,
    );
  }
}
