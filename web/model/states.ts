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

export interface HistoryStep {
  readonly atUs: number;
  readonly from: string;
  readonly to: string;
  /** The arrow of the definition this step took (`from→to`, machine-layout.ts edge id), when there is a definition. */
  readonly edge?: string;
  /** The events that take that arrow (`event [guard]`): the trace records the step, the definition says what causes
   * it. Empty without a definition. */
  readonly causes: readonly string[];
}

/**
 * One machine's steps up to `atUs` (its `state` trace events), each with the arrow it took and the events that take
 * that arrow — what the State panel lists beside the diagram. `edgeOf` resolves a step to an arrow (edgeFor).
 */
export function historyAt(
  events: readonly StateEvent[],
  node: string,
  machine: string,
  atUs: number,
  edgeOf?: (from: string, to: string) => { readonly id: string; readonly labels: readonly string[] } | undefined,
): HistoryStep[] {
  const out: HistoryStep[] = [];
  for (const e of events) {
    if (e.atUs > atUs) break;
    if (e.node !== node || e.machine !== machine) continue;
    const edge = edgeOf?.(e.from, e.to);
    out.push({
      atUs: e.atUs,
      from: e.from,
      to: e.to,
      ...(edge ? { edge: edge.id } : {}),
      causes: edge?.labels ?? [],
    });
  }
  return out;
}
