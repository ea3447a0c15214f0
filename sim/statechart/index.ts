/**
 * The statechart runtime seam. `createLabActor(machine, options, runtime)` is `createActor(machine, options)` for
 * `'xstate'` and the fast interpreter on a lab actor (lab-actor.ts) for `'fast'` (same `Actor` API, same observable
 * behaviour, checked by test/sim/statechart/differential.test.ts and lab-actor.test.ts). A caller switches by replacing `createActor(m, opts)` with
 * `createLabActor(m, opts, runtime)`; children spawned or invoked by a fast actor run fast as well.
 */
import { createActor, type Actor, type AnyStateMachine, type ActorOptions } from 'xstate';
import { createMachineActor } from './actor.ts';

export type StatechartRuntime = 'xstate' | 'fast';

export function createLabActor<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: ActorOptions<TMachine> | undefined,
  runtime: StatechartRuntime,
): Actor<TMachine> {
  if (runtime === 'fast') return createMachineActor(machine, options);
  return createActor(machine, options as never) as Actor<TMachine>;
}

export { createMachineActor } from './actor.ts';
export { createLabLogicActor, LabActor } from './lab-actor.ts';
export { canRunFast, compileMachine, UnsupportedMachineError } from './compile.ts';
export { fastMachineLogic, machineEventsProcessed, type FastMachineLogic } from './logic.ts';
