/**
 * The size of a client's machines: state nodes and transitions, by walking the xstate machine definitions (the seed
 * draft §4 claims the DHCP client's states are "simply represented twice" in DHCP-over-IPsec). Which machines a
 * client runs comes from the trace: the machine names in its `state` events (`ike`, `dhcp`, …).
 */
import type { AnyStateMachine } from 'xstate';
import { dhcpClientMachine } from '../../models/dhcp/client-machine.ts';
import { initiatorMachine } from '../../models/ike/initiator-machine.ts';

/** Machine name in client `state` events → its definition. */
export const CLIENT_MACHINES: Readonly<Record<string, AnyStateMachine>> = {
  ike: initiatorMachine as unknown as AnyStateMachine,
  dhcp: dhcpClientMachine as unknown as AnyStateMachine,
};

export interface MachineSize {
  readonly states: number;
  readonly transitions: number;
}

interface NodeLike {
  readonly states?: Readonly<Record<string, NodeLike>>;
  readonly transitions?: ReadonlyMap<string, readonly unknown[]>;
  readonly always?: readonly unknown[];
}

/** States: every state node below the root. Transitions: every event/after/always transition definition. */
export function machineSize(machine: AnyStateMachine): MachineSize {
  let states = 0;
  let transitions = 0;
  const walk = (node: NodeLike, isRoot: boolean): void => {
    if (!isRoot) states++;
    for (const list of node.transitions?.values() ?? []) transitions += list.length;
    transitions += node.always?.length ?? 0;
    for (const child of Object.values(node.states ?? {})) walk(child, false);
  };
  walk(machine.root as unknown as NodeLike, true);
  return { states, transitions };
}

/** Summed size of the named machines (unknown names are skipped and listed). */
export function clientMachineSize(
  names: readonly string[],
): MachineSize & { readonly machines: readonly string[]; readonly unknown: readonly string[] } {
  let states = 0;
  let transitions = 0;
  const known: string[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const m = CLIENT_MACHINES[name];
    if (m === undefined) {
      unknown.push(name);
      continue;
    }
    const s = machineSize(m);
    states += s.states;
    transitions += s.transitions;
    known.push(name);
  }
  return { states, transitions, machines: known, unknown };
}
