/**
 * `createMachineActor(machine, options)`: a lab actor (lab-actor.ts: xstate's `Actor` semantics, lean) running the
 * fast interpreter's logic for `machine`. Options are xstate's (`input`, `clock`, `id`, `systemId`, `logger`, ...;
 * not `inspect`). A machine the interpreter does not run is rejected here with `UnsupportedMachineError`.
 */
import type { Actor, AnyStateMachine, ActorOptions } from 'xstate';
import { UnsupportedMachineError } from './compile.ts';
import { createLabLogicActor, type LabActorLogic, type LabActorOptions } from './lab-actor.ts';
import { fastMachineLogic } from './logic.ts';

export function createMachineActor<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options?: ActorOptions<TMachine>,
): Actor<TMachine> {
  // xstate's inspection API would miss the `@xstate.microstep` events xstate's own macrostep sends: refused.
  if (options !== undefined && 'inspect' in options && options.inspect !== undefined)
    throw new UnsupportedMachineError(machine.id, 'the inspect option (microstep inspection events)');
  const logic = fastMachineLogic(machine) as unknown as LabActorLogic;
  // The lab actor has xstate's `Actor` surface for the machine's snapshot, event and emitted types (it runs the same
  // machine); xstate's types cannot say so of another class, hence the cast.
  return createLabLogicActor(logic, options as LabActorOptions) as unknown as Actor<TMachine>;
}
