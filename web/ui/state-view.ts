/** Each node's machines at the cursor, and every state and transition seen in the trace (active one highlighted). */
import { formatSeconds } from '../../sim/ladder.ts';
import type { StateEvent } from '../../sim/trace.ts';
import { machineGraphs, statesAt, type MachineGraph } from '../model/states.ts';
import { el } from './dom.ts';

export class StateView {
  private graphs: MachineGraph[] = [];
  private events: StateEvent[] = [];
  private lastKey = '';

  constructor(private readonly root: HTMLElement) {}

  setEvents(events: StateEvent[]): void {
    this.events = events;
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
    for (const g of this.graphs) {
      const cur = now.get(g.node)?.get(g.machine);
      const box = el('div', { class: 'machine' });
      box.append(
        el(
          'div',
          { class: 'machine-title' },
          `${g.node} · ${g.machine}`,
          el('span', { class: 'since' }, cur ? ` since ${formatSeconds(cur.sinceUs)} s` : ' (not started)'),
        ),
      );
      const states = el('div', { class: 'states' });
      for (const s of g.states) {
        states.append(
          el(
            'span',
            { class: `state${cur?.state === s ? ' active' : ''}`, 'data-node': g.node, 'data-machine': g.machine },
            s,
          ),
        );
      }
      const edges = el('div', { class: 'edges' });
      for (const t of g.transitions) {
        const last = cur !== undefined && cur.from === t.from && cur.state === t.to;
        edges.append(
          el(
            'span',
            { class: `edge${last ? ' last' : ''}` },
            `${t.from} → ${t.to}${t.count > 1 ? ` ×${t.count}` : ''}`,
          ),
        );
      }
      box.append(states, edges);
      this.root.append(box);
    }
  }
}
