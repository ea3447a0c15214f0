/**
 * The statechart runtime seam. `createLabActor(machine, options, runtime)` is `createActor(machine, options)` for
 * `'xstate'` and the fast interpreter on a lab actor (lab-actor.ts) for `'fast'` (same `Actor` API, same observable
 * behaviour, checked by test/sim/statechart/differential.test.ts and lab-actor.test.ts). A caller switches by
 * replacing `createActor(m, opts)` with `createLabActor(m, opts, runtime)`; children spawned or invoked by a fast actor
 * run fast as well.
 */
import { createActor, type Actor, type AnyActorLogic, type AnyStateMachine, type ActorOptions } from 'xstate';
import { createMachineActor } from './actor.ts';
import { createLabLogicActor, type LabActorLogic, type LabActorOptions } from './lab-actor.ts';

export type StatechartRuntime = 'xstate' | 'fast';

export function createLabActor<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: ActorOptions<TMachine> | undefined,
  runtime: StatechartRuntime,
): Actor<TMachine> {
  if (runtime === 'fast') return createMachineActor(machine, options);
  return createActor(machine, options as never) as Actor<TMachine>;
}

/**
 * `createActor(logic, options)` for any actor logic (a transition function, a callback...): a lab actor for
 * `'fast'`, xstate's `Actor` for `'xstate'`.
 */
export function createLabLogicActorOn<TLogic extends AnyActorLogic>(
  logic: TLogic,
  options: ActorOptions<TLogic> | undefined,
  runtime: StatechartRuntime,
): Actor<TLogic> {
  if (runtime === 'fast')
    return createLabLogicActor(
      logic as unknown as LabActorLogic,
      options as LabActorOptions,
    ) as unknown as Actor<TLogic>;
  return createActor(logic, options as never) as Actor<TLogic>;
}

export { createMachineActor } from './actor.ts';
export { createLabLogicActor, LabActor } from './lab-actor.ts';
export { canRunFast, compileMachine, UnsupportedMachineError } from './compile.ts';
export { fastMachineLogic, machineEventsProcessed, type FastMachineLogic } from './logic.ts';
