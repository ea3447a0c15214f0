/**
 * `createMachineActor(machine, options)`: an xstate `Actor` (the very class `createActor` builds, so `start`, `stop`,
 * `send`, `getSnapshot`, `subscribe`, `on`, `id`, `sessionId`, `_send` for `sendTo` targets, the system, mailbox and
 * clock are xstate's) whose logic is the fast interpreter. Options are xstate's (`input`, `clock`, `id`, `systemId`,
 * `logger`, ...; not `inspect`). A machine the interpreter does not run is rejected here with `UnsupportedMachineError`.
 */
import { createActor, type Actor, type AnyStateMachine, type ActorOptions } from 'xstate';
import { UnsupportedMachineError } from './compile.ts';
import { fastMachineLogic } from './logic.ts';

export function createMachineActor<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options?: ActorOptions<TMachine>,
): Actor<TMachine> {
  // xstate's inspection API would miss the `@xstate.microstep` events xstate's own macrostep sends: refused.
  if (options !== undefined && 'inspect' in options && options.inspect !== undefined)
    throw new UnsupportedMachineError(machine.id, 'the inspect option (microstep inspection events)');
  const logic = fastMachineLogic(machine);
  // The fast logic has the machine's snapshot, event and emitted types (it is the same machine, interpreted
  // differently); xstate's types cannot say so, hence the casts.
  return createActor(logic as unknown as TMachine, options as never) as Actor<TMachine>;
}
