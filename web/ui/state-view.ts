/**
 * Each node's machines at the cursor. Where the machine's definition is known (web/model/machine-defs.ts: the IKE
 * initiator and responder, the DHCP client) every state of the definition is drawn and the active one highlighted, with
 * the definition's transitions (events on hover) below; the transitions this run took are marked. A machine without a
 * known definition shows the states and transitions seen in the trace.
 */
import { formatSeconds } from '../../sim/ladder.ts';
import type { StateEvent } from '../../sim/trace.ts';
import { definitionFor, type MachineDefinition } from '../model/machine-defs.ts';
import { machineGraphs, statesAt, type MachineGraph } from '../model/states.ts';
import { el } from './dom.ts';

/** Machines listed in full; past this many (many clients), the rest are summarised. */
const MACHINES_SHOWN_MAX = 12;

export class StateView {
  private graphs: MachineGraph[] = [];
  private events: StateEvent[] = [];
  private roleOf: (node: string) => string = () => '';
  private lastKey = '';

  constructor(private readonly root: HTMLElement) {}

  setEvents(events: StateEvent[], roleOf: (node: string) => string = () => ''): void {
    this.events = events;
    this.roleOf = roleOf;
    this.graphs = machineGraphs(events);
    this.lastKey = '';
  }

  update(atUs: number): void {
    const now = statesAt(this.events, atUs);
    const key = [...now.values()].flatMap((m) => [...m.values()].map((v) => `${v.state}@${v.sinceUs}`)).join('|');
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.root.replaceChildren();
    if (this.graphs.length === 0) {
      this.root.append(el('p', { class: 'hint' }, 'No state events in this trace.'));
      return;
    }
    for (const g of this.graphs.slice(0, MACHINES_SHOWN_MAX)) {
      const cur = now.get(g.node)?.get(g.machine);
      const def = definitionFor(g.machine, this.roleOf(g.node));
      const box = el('div', { class: 'machine', 'data-node': g.node, 'data-machine': g.machine });
      box.append(
        el(
          'div',
          { class: 'machine-title' },
          `${g.node} · ${g.machine}`,
          el('span', { class: 'def' }, def ? ` (${def.id})` : ' (from the trace)'),
          el(
            'span',
            { class: 'since' },
            cur ? ` ${cur.state} since ${formatSeconds(cur.sinceUs)} s` : ' (not started)',
          ),
        ),
      );
      box.append(def ? this.definitionView(def, g, cur) : this.traceView(g, cur));
      this.root.append(box);
    }
    if (this.graphs.length > MACHINES_SHOWN_MAX)
      this.root.append(el('p', { class: 'hint' }, `… and ${this.graphs.length - MACHINES_SHOWN_MAX} more machines`));
  }

  private definitionView(
    def: MachineDefinition,
    g: MachineGraph,
    cur: { state: string; from: string } | undefined,
  ): HTMLElement {
    const wrap = el('div');
    const visited = new Set(g.states);
    const states = el('div', { class: 'states' });
    for (const s of def.states) {
      const depth = s.split('.').length - 1;
      const active = cur !== undefined && (cur.state === s || cur.state.startsWith(`${s}.`));
      const cls = [
        'state',
        active ? 'active' : '',
        visited.has(s) ? 'visited' : '',
        def.atomic.has(s) ? '' : 'compound',
      ]
        .filter(Boolean)
        .join(' ');
      const internal = def.internal.get(s) ?? [];
      states.append(
        el(
          'span',
          {
            class: cls,
            'data-state': s,
            title: internal.length > 0 ? `handles without leaving: ${internal.join(', ')}` : s,
            ...(depth > 0 ? { style: `margin-left:${depth * 10}px` } : {}),
          },
          s,
        ),
      );
    }
    const taken = new Set(g.transitions.map((t) => `${t.from}\u0000${t.to}`));
    const edges = el('details', { class: 'edges' });
    edges.append(el('summary', {}, `${def.transitions.length} transitions (${taken.size} taken in this run)`));
    for (const t of def.transitions) {
      const last = cur !== undefined && cur.from === t.from && cur.state === t.to;
      const was = taken.has(`${t.from}\u0000${t.to}`);
      edges.append(
        el(
          'span',
          { class: `edge${was ? ' taken' : ''}${last ? ' last' : ''}`, title: t.events.join(', ') },
          `${t.from} → ${t.to}`,
        ),
      );
    }
    wrap.append(states, edges);
    return wrap;
  }

  private traceView(g: MachineGraph, cur: { state: string; from: string } | undefined): HTMLElement {
    const wrap = el('div');
    const states = el('div', { class: 'states' });
    for (const s of g.states)
      states.append(el('span', { class: `state${cur?.state === s ? ' active' : ''}`, 'data-state': s }, s));
    const edges = el('div', { class: 'edges' });
    for (const t of g.transitions) {
      const last = cur !== undefined && cur.from === t.from && cur.state === t.to;
      edges.append(
        el('span', { class: `edge${last ? ' last' : ''}` }, `${t.from} → ${t.to}${t.count > 1 ? ` ×${t.count}` : ''}`),
      );
    }
    wrap.append(states, edges);
    return wrap;
  }
}
