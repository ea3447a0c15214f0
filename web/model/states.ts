/** Machine states from the trace's `state` events: what each node's machines are in at a time, and the graph seen. */
import type { StateEvent, TraceEvent } from '../../sim/trace.ts';

export interface MachineGraph {
  readonly node: string;
  readonly machine: string;
  /** In first-seen order. */
  readonly states: readonly string[];
  readonly transitions: readonly { readonly from: string; readonly to: string; readonly count: number }[];
}

export function stateEvents(trace: readonly TraceEvent[]): StateEvent[] {
  return trace.filter((e): e is StateEvent => e.type === 'state');
}

/** `node → machine → { state, sinceUs, from }` after every state event at or before `atUs`. */
export function statesAt(
  events: readonly StateEvent[],
  atUs: number,
): Map<string, Map<string, { state: string; sinceUs: number; from: string }>> {
  const out = new Map<string, Map<string, { state: string; sinceUs: number; from: string }>>();
  for (const e of events) {
    if (e.atUs > atUs) break;
    let m = out.get(e.node);
    if (!m) out.set(e.node, (m = new Map()));
    m.set(e.machine, { state: e.to, sinceUs: e.atUs, from: e.from });
  }
  return out;
}

export function machineGraphs(events: readonly StateEvent[]): MachineGraph[] {
  const graphs = new Map<
    string,
    { node: string; machine: string; states: string[]; edges: Map<string, { from: string; to: string; count: number }> }
  >();
  for (const e of events) {
    const key = `${e.node}\u0000${e.machine}`;
    let g = graphs.get(key);
    if (!g) graphs.set(key, (g = { node: e.node, machine: e.machine, states: [], edges: new Map() }));
    for (const s of [e.from, e.to]) if (!g.states.includes(s)) g.states.push(s);
    const ek = `${e.from}\u0000${e.to}`;
    const edge = g.edges.get(ek) ?? { from: e.from, to: e.to, count: 0 };
    edge.count++;
    g.edges.set(ek, edge);
  }
  return [...graphs.values()].map((g) => ({
    node: g.node,
    machine: g.machine,
    states: g.states,
    transitions: [...g.edges.values()],
  }));
}
