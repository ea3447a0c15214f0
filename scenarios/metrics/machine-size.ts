/**
 * The size of a machine definition: its state nodes and its transitions (machine-walk.ts walks `machine.root`).
 * Which machines a method's client runs, and what the §4 claims make of them, is method-client.ts.
 */
import type { AnyStateMachine } from 'xstate';
import { walked } from './machine-walk.ts';

export interface MachineSize {
  readonly states: number;
  readonly transitions: number;
}

/** States: every state node below the root. Transitions: every event, `after` and `always` transition definition. */
export function machineSize(machine: AnyStateMachine): MachineSize {
  const w = walked(machine);
  return { states: w.states.length, transitions: w.transitions.length };
}
