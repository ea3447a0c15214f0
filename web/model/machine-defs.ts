/**
 * The machines' own definitions, for the State panel: every state node and every transition with a target, walked from
 * the xstate v5 machine (`machine.root`, each StateNode's `states`, `transitions`, `always`), so the panel shows the
 * whole machine — not only what one trace happened to visit. A trace's `state` events name the machine (`ike`,
 * `dhcp`, `ike:<SPI>` on the gateway, `dhcp:<SPI>` for mode-cfg-dhcp's proxy client); `definitionFor` maps the name
 * to the definition the node runs (models/nodes/client-node.ts, gateway-node.ts).
 */
import type { AnyStateMachine } from 'xstate';
import { dhcpClientMachine } from '../../models/dhcp/client-machine.ts';
import { initiatorMachine } from '../../models/ike/initiator-machine.ts';
import { responderMachine } from '../../models/ike/responder-machine.ts';

export interface MachineDefinition {
  /** xstate machine id (`ike-i`, `ike-r`, `dhcpClient`). */
  readonly id: string;
  /** Dotted state paths (`established.ready`), document order; compound states included. */
  readonly states: readonly string[];
  readonly atomic: ReadonlySet<string>;
  /** Targeted transitions, grouped by (from, to) with the events that take them. */
  readonly transitions: readonly { readonly from: string; readonly to: string; readonly events: readonly string[] }[];
  /** Per state: events handled without leaving it (targetless transitions). */
  readonly internal: ReadonlyMap<string, readonly string[]>;
}

interface StateNodeLike {
  readonly path: readonly string[];
  readonly type: string;
  readonly states?: Readonly<Record<string, StateNodeLike>>;
  readonly transitions?: ReadonlyMap<string, readonly { readonly target?: readonly StateNodeLike[] }[]>;
  readonly always?: readonly { readonly target?: readonly StateNodeLike[] }[];
}

/** xstate's delayed events are `xstate.after.<delay>.<machine>.<state>`: shown as `after <delay> ms`. */
function eventLabel(type: string): string {
  const m = /^xstate\.after\.([^.]+)\./.exec(type);
  return m ? `after ${m[1]}` : type;
}

export function walkMachine(machine: AnyStateMachine): MachineDefinition {
  const states: string[] = [];
  const atomic = new Set<string>();
  const edges = new Map<string, { from: string; to: string; events: string[] }>();
  const internal = new Map<string, string[]>();
  const walk = (n: StateNodeLike): void => {
    const from = n.path.join('.');
    if (from !== '') {
      states.push(from);
      if (n.type === 'atomic' || n.type === 'final') atomic.add(from);
    }
    const add = (event: string, targets: readonly StateNodeLike[] | undefined): void => {
      if (!targets || targets.length === 0) {
        const list = internal.get(from) ?? [];
        if (!list.includes(event)) list.push(event);
        internal.set(from, list);
        return;
      }
      for (const t of targets) {
        const to = t.path.join('.');
        const key = `${from}\u0000${to}`;
        const e = edges.get(key) ?? { from: from || '*', to, events: [] };
        if (!e.events.includes(event)) e.events.push(event);
        edges.set(key, e);
      }
    };
    for (const [type, list] of n.transitions ?? new Map()) for (const t of list) add(eventLabel(type), t.target);
    for (const t of n.always ?? []) add('always', t.target);
    for (const c of Object.values(n.states ?? {})) walk(c);
  };
  walk(machine.root as unknown as StateNodeLike);
  return { id: machine.id, states, atomic, transitions: [...edges.values()], internal };
}

const DEFS: Readonly<Record<string, AnyStateMachine>> = {
  initiator: initiatorMachine as unknown as AnyStateMachine,
  responder: responderMachine as unknown as AnyStateMachine,
  dhcpClient: dhcpClientMachine as unknown as AnyStateMachine,
};
const cache = new Map<string, MachineDefinition>();

/**
 * The definition behind a traced machine name, or undefined (then the panel falls back to what the trace shows).
 * `role` is the node's role from the scenario (`gateway …` runs responders; clients run initiators).
 */
export function definitionFor(machine: string, role: string): MachineDefinition | undefined {
  const base = machine.split(/[:@]/)[0];
  const key =
    base === 'ike' ? (role.startsWith('gateway') ? 'responder' : 'initiator') : base === 'dhcp' ? 'dhcpClient' : '';
  const m = DEFS[key];
  if (!m) return undefined;
  let d = cache.get(key);
  if (!d) cache.set(key, (d = walkMachine(m)));
  return d;
}
