/**
 * The State panel: one button per machine of the run (its node, its name and the state it is in at the cursor), and
 * the selected machine drawn as a statechart from its definition (web/model/machine-defs.ts, laid out by
 * web/model/machine-layout.ts): states as boxes (compound and parallel states around their children), transitions as
 * arrows labelled `event [guard]`, the active configuration highlighted, the transition the machine took last
 * animated, the arrows this run took marked. Beside it, the machine's steps up to the cursor, each with the events
 * that take its arrow. A machine without a known definition is drawn from what the trace shows.
 */
import * as d3 from 'd3';
import { formatSeconds } from '../../sim/ladder.ts';
import type { StateEvent } from '../../sim/trace.ts';
import { activePaths, definitionFor, type MachineDefinition } from '../model/machine-defs.ts';
import {
  edgeFor,
  layoutMachine,
  type BoxLayout,
  type DiagramLayout,
  type EdgeLayout,
} from '../model/machine-layout.ts';
import { historyAt, machineGraphs, statesAt, type MachineGraph } from '../model/states.ts';
import { el } from './dom.ts';

/** Machine buttons listed; past this many (many clients), the rest are summarised. */
const MACHINES_SHOWN_MAX = 24;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** A machine the trace shows but the lab has no definition of: its states and steps as seen. */
function traceDefinition(g: MachineGraph): MachineDefinition {
  return {
    id: '(from the trace)',
    initial: g.states[0] ?? '',
    states: g.states.map((s) => ({ path: s, parent: '', key: s, kind: 'atomic' as const })),
    transitions: g.transitions.map((t) => ({ from: t.from, to: [t.to], event: `seen ×${t.count}` })),
  };
}

const keyOf = (g: { node: string; machine: string }): string => `${g.node}|${g.machine}`;

export class StateView {
  private graphs: MachineGraph[] = [];
  private events: StateEvent[] = [];
  private roleOf: (node: string) => string = () => '';
  private selected = '';
  private lastKey = '';
  private atUs = 0;
  private layouts = new Map<string, { layout: DiagramLayout; known: boolean }>();

  constructor(private readonly root: HTMLElement) {}

  setEvents(events: StateEvent[], roleOf: (node: string) => string = () => ''): void {
    this.events = events;
    this.roleOf = roleOf;
    this.graphs = machineGraphs(events);
    this.layouts.clear();
    if (!this.graphs.some((g) => keyOf(g) === this.selected))
      this.selected = this.graphs[0] ? keyOf(this.graphs[0]) : '';
    this.lastKey = '';
  }

  /** Shows this machine's diagram (`node|machine`). */
  select(key: string, atUs: number): void {
    this.selected = key;
    this.lastKey = '';
    this.update(atUs);
  }

  private layoutOf(g: MachineGraph): { layout: DiagramLayout; known: boolean } {
    const key = keyOf(g);
    let l = this.layouts.get(key);
    if (!l) {
      const def = definitionFor(g.machine, this.roleOf(g.node));
      l = { layout: layoutMachine(def ?? traceDefinition(g)), known: def !== undefined };
      this.layouts.set(key, l);
    }
    return l;
  }

  update(atUs: number): void {
    this.atUs = atUs;
    const now = statesAt(this.events, atUs);
    const key = `${this.selected}#${[...now.values()].flatMap((m) => [...m.values()].map((v) => `${v.state}@${v.sinceUs}`)).join('|')}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.root.replaceChildren();
    if (this.graphs.length === 0) {
      this.root.append(el('p', { class: 'hint' }, 'No state events in this trace.'));
      return;
    }
    const list = el('div', { class: 'machine-list', role: 'toolbar', 'aria-label': 'machines' });
    for (const g of this.graphs.slice(0, MACHINES_SHOWN_MAX)) {
      const cur = now.get(g.node)?.get(g.machine);
      const b = el(
        'button',
        {
          type: 'button',
          class: 'machine-chip',
          'data-node': g.node,
          'data-machine': g.machine,
          'aria-pressed': String(keyOf(g) === this.selected),
        },
        `${g.node} · ${g.machine}`,
        el('span', { class: 'chip-state' }, cur ? cur.state : '—'),
      );
      b.addEventListener('click', () => this.select(keyOf(g), this.atUs));
      list.append(b);
    }
    if (this.graphs.length > MACHINES_SHOWN_MAX)
      list.append(el('span', { class: 'hint' }, `… and ${this.graphs.length - MACHINES_SHOWN_MAX} more machines`));
    this.root.append(list);
    const g = this.graphs.find((x) => keyOf(x) === this.selected);
    if (g) this.root.append(this.machineView(g, now.get(g.node)?.get(g.machine), atUs));
  }

  private machineView(
    g: MachineGraph,
    cur: { state: string; sinceUs: number; from: string } | undefined,
    atUs: number,
  ): HTMLElement {
    const { layout, known } = this.layoutOf(g);
    const box = el('div', { class: 'machine', 'data-node': g.node, 'data-machine': g.machine });
    box.append(
      el(
        'div',
        { class: 'machine-title' },
        `${g.node} · ${g.machine}`,
        el('span', { class: 'def' }, known ? ` (${layout.id})` : ' (from the trace)'),
        el('span', { class: 'since' }, cur ? ` ${cur.state} since ${formatSeconds(cur.sinceUs)} s` : ' (not started)'),
      ),
    );
    const steps = historyAt(this.events, g.node, g.machine, atUs, (from, to) => edgeFor(layout.edges, from, to));
    const taken = new Set(steps.flatMap((s) => (s.edge ? [s.edge] : [])));
    const last = steps.at(-1)?.edge;
    const body = el('div', { class: 'machine-body' });
    body.append(this.chart(layout, cur ? new Set(activePaths(cur.state)) : new Set(), taken, last));
    const ol = el('ol', { class: 'history', 'aria-label': 'steps and the events that cause them' });
    for (const s of steps)
      ol.append(
        el(
          'li',
          { class: s.edge !== undefined && s.edge === last && s === steps.at(-1) ? 'last' : '' },
          el('span', { class: 't' }, `${formatSeconds(s.atUs)} s `),
          `${s.from} → ${s.to}`,
          el('span', { class: 'causes' }, s.causes.length > 0 ? ` on ${s.causes.join(' / ')}` : ''),
        ),
      );
    if (steps.length === 0) ol.append(el('li', { class: 'hint' }, 'no step yet'));
    body.append(ol);
    box.append(body);
    return box;
  }

  /** The diagram as SVG, drawn with d3 from the layout. */
  private chart(
    layout: DiagramLayout,
    active: ReadonlySet<string>,
    taken: ReadonlySet<string>,
    last: string | undefined,
  ): SVGSVGElement {
    const svg = d3
      .select(document.createElementNS(SVG_NS, 'svg') as SVGSVGElement)
      .attr('class', 'chart')
      .attr('viewBox', `-16 -8 ${layout.width + 24} ${layout.height + 16}`)
      .attr('width', layout.width + 24)
      .attr('role', 'img')
      .attr('aria-label', `statechart ${layout.id}`);
    // One arrowhead per look (markers do not take the colour of the line that uses them); CSS picks one by class.
    const defs = svg.append('defs');
    for (const kind of ['plain', 'taken', 'last'])
      defs
        .append('marker')
        .attr('id', `chart-arrow-${kind}`)
        .attr('class', `arrowhead ${kind}`)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerWidth', 7)
        .attr('markerHeight', 7)
        .attr('orient', 'auto-start-reverse')
        .append('path')
        .attr('d', 'M0,0 L10,5 L0,10 z');
    // Outer boxes first so their children are drawn on top.
    const boxes = [...layout.boxes].sort((a, b) => a.depth - b.depth);
    const states = svg
      .append('g')
      .attr('class', 'states-layer')
      .selectAll<SVGGElement, BoxLayout>('g.state')
      .data(boxes)
      .join('g')
      .attr('class', (b) => ['state', b.kind, active.has(b.path) ? 'active' : ''].filter(Boolean).join(' '))
      .attr('data-state', (b) => b.path)
      .attr('transform', (b) => `translate(${b.x},${b.y})`);
    states
      .append('rect')
      .attr('width', (b) => b.w)
      .attr('height', (b) => b.h)
      .attr('rx', (b) => (b.kind === 'atomic' || b.kind === 'final' ? 13 : 6));
    states
      .append('text')
      .attr('class', 'state-label')
      .attr('x', (b) => (b.kind === 'atomic' || b.kind === 'final' ? b.w / 2 : 8))
      .attr('y', (b) => (b.kind === 'atomic' || b.kind === 'final' ? b.h / 2 + 4 : 13))
      .attr('text-anchor', (b) => (b.kind === 'atomic' || b.kind === 'final' ? 'middle' : 'start'))
      .text((b) => b.key);
    states
      .append('title')
      .text((b) => `${b.path}${b.internal.length > 0 ? `\nhandles without leaving: ${b.internal.join(', ')}` : ''}`);
    if (layout.any) {
      const any = svg
        .append('g')
        .attr('class', 'any-state')
        .attr('transform', `translate(${layout.any.x},${layout.any.y})`);
      any.append('rect').attr('width', layout.any.w).attr('height', layout.any.h).attr('rx', 10);
      any
        .append('text')
        .attr('x', layout.any.w / 2)
        .attr('y', 14)
        .attr('text-anchor', 'middle')
        .text('any state');
    }
    const init = svg.append('g').attr('class', 'initials').selectAll('g').data(layout.initials).join('g');
    init
      .append('circle')
      .attr('cx', (i) => i.x)
      .attr('cy', (i) => i.y)
      .attr('r', 3.5);
    init
      .append('line')
      .attr('x1', (i) => i.x)
      .attr('y1', (i) => i.y)
      .attr('x2', (i) => i.tx)
      .attr('y2', (i) => i.y)
      .attr('marker-end', 'url(#chart-arrow-plain)');
    const edges = svg
      .append('g')
      .attr('class', 'edges-layer')
      .selectAll<SVGGElement, EdgeLayout>('g.edge')
      .data(layout.edges)
      .join('g')
      .attr('class', (e) =>
        ['edge', taken.has(e.id) ? 'taken' : '', e.id === last ? 'last' : ''].filter(Boolean).join(' '),
      )
      .attr('data-edge', (e) => e.id);
    edges
      .append('path')
      .attr('d', (e) => `M${e.path[0]},${e.path[1]} Q${e.path[2]},${e.path[3]} ${e.path[4]},${e.path[5]}`)
      .attr('marker-end', (e) => `url(#chart-arrow-${e.id === last ? 'last' : taken.has(e.id) ? 'taken' : 'plain'})`);
    edges
      .append('text')
      .attr('class', 'edge-label')
      .attr('x', (e) => e.labelX)
      .attr('y', (e) => e.labelY)
      .attr('text-anchor', (e) => e.labelAnchor)
      .text((e) => (e.labels.length > 1 ? `${e.labels[0]} +${e.labels.length - 1}` : (e.labels[0] ?? '')));
    edges.append('title').text((e) => `${e.from || '(any state)'} → ${e.to}\n${e.labels.join('\n')}`);
    return svg.node() as SVGSVGElement;
  }
}
