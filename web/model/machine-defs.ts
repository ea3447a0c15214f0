/**
 * The machines' own definitions, for the State panel: every state node and every transition (event, guard, targets),
 * walked from the xstate v5 definition (scenarios/metrics/machine-walk.ts), so the panel draws the whole machine —
 * not only what one trace happened to visit. A trace's `state` events name the machine (`ike`, `dhcp`, `carrier`,
 * `rfc3456` on a client; `ike:<SPI>`, `dhcp:<SPI>`, `relay:<id>`, `proxy:<peer>` on the gateway); the registry the §4
 * claims count from (scenarios/metrics/machine-registry.ts) maps the name and the node's side to the definition.
 */
import { machineEntry, type MachineSide } from '../../scenarios/metrics/machine-registry.ts';
import { walked, type WalkedMachine } from '../../scenarios/metrics/machine-walk.ts';

export type MachineDefinition = WalkedMachine;

/** The node's role from the scenario (`gateway · IKE responder`, `client · IKE initiator`) → which side runs it. */
export function sideOfRole(role: string): MachineSide {
  return role.startsWith('gateway') ? 'gateway' : 'client';
}

/** The definition behind a traced machine name, or undefined (then the panel shows what the trace shows). */
export function definitionFor(machine: string, role: string): MachineDefinition | undefined {
  const e = machineEntry(machine, sideOfRole(role));
  return e?.machine ? walked(e.machine) : undefined;
}

/** The state and its ancestors (`established.ready` → established, established.ready): the active configuration
 * along the traced path. */
export function activePaths(state: string): string[] {
  const parts = state.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}
