/**
 * Which interpreter runs the lab's machines: the fast runtime (default) or xstate's own. Both give the same
 * observable behaviour, event for event (test/sim/statechart/*differential*.test.ts): the choice is a cross-check and
 * a fallback, never a change of the model, so it is not part of a scenario and not in the trace.
 *
 * The runtime is fixed when an actor is created (`labActor`): a simulation built under one choice runs on it to the
 * end. `withStatechartRuntime` scopes a choice to a synchronous run (runScenario, a sweep point); `setStatechartRuntime`
 * sets the process default (the CLI's `--runtime`, a sweep worker at start).
 */
import type { Actor, ActorOptions, AnyActorLogic, AnyStateMachine } from 'xstate';
import { createLabActor, createLabLogicActorOn, type StatechartRuntime } from './index.ts';

export const STATECHART_RUNTIMES: readonly StatechartRuntime[] = ['fast', 'xstate'];

let current: StatechartRuntime = 'fast';

export function statechartRuntime(): StatechartRuntime {
  return current;
}

export function setStatechartRuntime(runtime: StatechartRuntime): void {
  current = runtime;
}

/** Runs `fn` with `runtime` as the choice, and restores the previous one after (also when `fn` throws). */
export function withStatechartRuntime<T>(runtime: StatechartRuntime | undefined, fn: () => T): T {
  if (runtime === undefined || runtime === current) return fn();
  const previous = current;
  current = runtime;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** `createActor(machine, options)` on the current runtime (children spawned or invoked follow their parent's). */
export function labActor<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options?: ActorOptions<TMachine>,
): Actor<TMachine> {
  return createLabActor(machine, options, current);
}

/** `createActor(logic, options)` for any actor logic (not a machine) on the current runtime. */
export function labLogicActor<TLogic extends AnyActorLogic>(
  logic: TLogic,
  options?: ActorOptions<TLogic>,
): Actor<TLogic> {
  return createLabLogicActorOn(logic, options, current);
}
