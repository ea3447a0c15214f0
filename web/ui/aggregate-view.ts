/**
 * The aggregate view of a large run (more than 50 clients), shown above the ladder instead of a lifeline per client:
 * four small d3 charts over virtual time from web/model/aggregate.ts — clients addressed (and holding an address),
 * the DHCP server's queue depth, retransmissions (IKE, DHCP), and clients per state of one client machine — with a
 * cursor line that follows the player, and a picker for the few clients the ladder draws as lifelines.
 */
import * as d3 from 'd3';
import type { AggregateSeries } from '../model/aggregate.ts';
import { PICKS_DEFAULT, PICKS_MAX } from '../model/aggregate-picks.ts';
import { el } from './dom.ts';

/** The charts' drawing box; they scale to their grid cell (4 across from 1024 px, 1 on a phone). */
const W = 340;
const H = 140;
const M = { top: 20, right: 16, bottom: 20, left: 40 };
const SVG_NS = 'http://www.w3.org/2000/svg';

export interface AggregateHandlers {
  /** The user changed the clients drawn as lifelines. */
  readonly onPick: (clients: readonly string[]) => void;
  /** A click on a chart: move the cursor there. */
  readonly onTimeClick: (atUs: number) => void;
}

export interface AggregateInput {
  readonly aggregate: AggregateSeries;
  readonly clients: readonly string[];
  readonly picks: readonly string[];
  /** One line under the title: what ran and its headline figures. */
  readonly summary: string;
}

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

/** Each chart is drawn in its own task: the page answers between them (a large run's first frame has no long task). */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class AggregateView {
  private input: AggregateInput | undefined;
  private machine = '';
  private readonly cursors: { svg: Svg; x: d3.ScaleLinear<number, number> }[] = [];
  private cursorUs = 0;
  /** Charts laid out but not drawn yet (render draws them one per task). */
  private readonly pending: (() => void)[] = [];
  /** Bumped by every render and hide: a render that was overtaken stops drawing. */
  private token = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly handlers: AggregateHandlers,
  ) {
    root.hidden = true;
  }

  hide(): void {
    this.token++;
    this.pending.length = 0;
    this.input = undefined;
    this.root.hidden = true;
    this.root.replaceChildren();
    this.cursors.length = 0;
  }

  /** Lays the view out at once and draws its charts one per task; resolves when all are drawn (or overtaken). */
  async render(input: AggregateInput): Promise<void> {
    const token = ++this.token;
    this.pending.length = 0;
    this.input = input;
    const machines = input.aggregate.machines.map((m) => m.machine);
    if (!machines.includes(this.machine)) this.machine = machines[0] ?? '';
    this.root.hidden = false;
    this.root.replaceChildren();
    this.cursors.length = 0;
    const a = input.aggregate;
    const head = el(
      'div',
      { class: 'agg-head' },
      el('strong', {}, `Aggregate view · ${input.clients.length.toLocaleString('en')} clients`),
      el('span', { class: 'agg-summary' }, ` ${input.summary}`),
    );
    const grid = el('div', { class: 'agg-grid' });
    grid.append(
      this.chart('Clients addressed, holding an address', 'addressed', (svg, x) => {
        const y = d3
          .scaleLinear()
          .domain([0, Math.max(1, a.clients)])
          .range([H - M.bottom, M.top]);
        axes(svg, x, y);
        line(svg, x, y, a.addressed, a.bucketUs, 'agg-addressed');
        line(svg, x, y, a.holding, a.bucketUs, 'agg-holding');
        legend(svg, [
          ['agg-addressed', 'addressed so far'],
          ['agg-holding', 'holding now'],
        ]);
      }),
      this.chart('DHCP server queue (largest per interval)', 'queue', (svg, x) => {
        const y = d3
          .scaleLinear()
          .domain([0, Math.max(1, d3.max(a.dhcpQueue) ?? 0)])
          .nice()
          .range([H - M.bottom, M.top]);
        axes(svg, x, y);
        bars(svg, x, y, a.dhcpQueue, undefined, a.bucketUs, 'agg-queue');
      }),
      this.chart('Retransmissions per interval', 'retransmits', (svg, x) => {
        const total = a.retransmits.ike.map((v, i) => v + (a.retransmits.dhcp[i] ?? 0));
        const y = d3
          .scaleLinear()
          .domain([0, Math.max(1, d3.max(total) ?? 0)])
          .nice()
          .range([H - M.bottom, M.top]);
        axes(svg, x, y);
        bars(svg, x, y, a.retransmits.ike, undefined, a.bucketUs, 'agg-ike');
        bars(svg, x, y, a.retransmits.dhcp, a.retransmits.ike, a.bucketUs, 'agg-dhcp');
        legend(svg, [
          ['agg-ike', 'IKE'],
          ['agg-dhcp', 'DHCP'],
        ]);
      }),
      this.statesChart(a),
    );
    this.root.append(head, grid, this.picker(input));
    for (const draw of this.pending.splice(0)) {
      await nextTask();
      if (token !== this.token) return;
      draw();
    }
    this.setCursor(this.cursorUs);
  }

  /** Another set of clients drawn as lifelines: only the picker changes. */
  setPicks(picks: readonly string[]): void {
    if (!this.input) return;
    this.input = { ...this.input, picks };
    this.root.querySelector('#agg-picker')?.replaceWith(this.picker(this.input));
  }

  /** Moves the cursor line on every chart. */
  setCursor(atUs: number): void {
    this.cursorUs = atUs;
    for (const c of this.cursors) {
      const x = c.x(atUs);
      c.svg.select('line.agg-cursor').attr('x1', x).attr('x2', x);
    }
  }

  private chart(title: string, id: string, draw: (svg: Svg, x: d3.ScaleLinear<number, number>) => void): HTMLElement {
    const a = this.input?.aggregate;
    const fig = el('figure', { class: 'agg-chart', 'data-chart': id });
    fig.append(el('figcaption', {}, title));
    const svgEl = document.createElementNS(SVG_NS, 'svg');
    fig.append(svgEl);
    const svg = d3.select(svgEl).attr('viewBox', `0 0 ${W} ${H}`).attr('role', 'img').attr('aria-label', title);
    svg.append('title').text(title);
    const x = d3
      .scaleLinear()
      .domain([0, a?.durationUs ?? 1])
      .range([M.left, W - M.right]);
    svg.on('click', (ev: MouseEvent) => {
      const [px] = d3.pointer(ev, svgEl);
      const us = Math.round(x.invert(px));
      this.handlers.onTimeClick(Math.max(0, Math.min(us, a?.durationUs ?? 0)));
    });
    this.pending.push(() => {
      draw(svg, x);
      svg
        .append('line')
        .attr('class', 'agg-cursor')
        .attr('y1', M.top)
        .attr('y2', H - M.bottom);
      this.cursors.push({ svg, x });
    });
    return fig;
  }

  private statesChart(a: AggregateSeries): HTMLElement {
    const m = a.machines.find((s) => s.machine === this.machine);
    const fig = this.chart(`Clients per state of ${this.machine || '—'}`, 'states', (svg, x) => {
      const y = d3
        .scaleLinear()
        .domain([0, Math.max(1, a.clients)])
        .range([H - M.bottom, M.top]);
      axes(svg, x, y);
      if (!m) return;
      const rows = Array.from({ length: a.buckets }, (_x, b) =>
        Object.fromEntries(m.states.map((s, i) => [s, m.counts[i]?.[b] ?? 0])),
      );
      const stack = d3.stack<Record<string, number>>().keys(m.states)(rows);
      const colour = d3.scaleOrdinal<string, string>().domain(m.states).range(d3.schemeTableau10);
      const area = d3
        .area<d3.SeriesPoint<Record<string, number>>>()
        .curve(d3.curveStepBefore)
        .x((_d, i) => x((i + 1) * a.bucketUs))
        .y0((d) => y(d[0]))
        .y1((d) => y(d[1]));
      svg
        .append('g')
        .selectAll('path')
        .data(stack)
        .join('path')
        .attr('class', 'agg-state')
        .attr('data-state', (s) => s.key)
        .attr('fill', (s) => colour(s.key))
        .attr('d', area)
        .append('title')
        .text((s) => s.key);
      legend(
        svg,
        m.states.map((s) => [`agg-state-${s}`, s] as const),
        (s) => colour(s),
      );
    });
    const select = el('select', { id: 'agg-machine', 'aria-label': 'client machine' });
    for (const s of a.machines) select.append(el('option', { value: s.machine }, s.machine));
    select.value = this.machine;
    select.addEventListener('change', () => {
      this.machine = select.value;
      if (this.input) void this.render(this.input);
    });
    fig.querySelector('figcaption')?.append(' ', select);
    return fig;
  }

  private picker(input: AggregateInput): HTMLElement {
    const box = el('div', { class: 'agg-picker', id: 'agg-picker' });
    const chips = el('span', { class: 'agg-chips' });
    for (const c of input.picks) {
      const rm = el('button', { type: 'button', title: `remove ${c}`, 'aria-label': `remove ${c}` }, '×');
      rm.addEventListener('click', () => this.handlers.onPick(input.picks.filter((p) => p !== c)));
      chips.append(el('span', { class: 'agg-chip', 'data-client': c }, c, rm));
    }
    const listId = 'agg-client-list';
    // Filled on first focus: a thousand options are layout work the first frame does not need.
    const list = el('datalist', { id: listId });
    const entry = el('input', {
      id: 'agg-pick-input',
      list: listId,
      placeholder: input.clients[0] ?? 'client',
      size: '12',
      'aria-label': 'client to draw as a lifeline',
    });
    const add = el('button', { type: 'button', id: 'agg-pick-add' }, 'Add');
    const full = input.picks.length >= PICKS_MAX;
    add.disabled = full;
    entry.disabled = full;
    const addOne = (): void => {
      const name = entry.value.trim();
      if (!input.clients.includes(name) || input.picks.includes(name)) {
        entry.setCustomValidity(input.picks.includes(name) ? 'already drawn' : 'not a client of this run');
        entry.reportValidity();
        return;
      }
      this.handlers.onPick([...input.picks, name]);
    };
    add.addEventListener('click', addOne);
    entry.addEventListener('input', () => entry.setCustomValidity(''));
    entry.addEventListener(
      'focus',
      () =>
        list.append(...input.clients.filter((c) => !input.picks.includes(c)).map((c) => el('option', { value: c }))),
      { once: true },
    );
    entry.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') addOne();
    });
    const first = el('button', { type: 'button', id: 'agg-pick-first' }, `First ${PICKS_DEFAULT}`);
    first.addEventListener('click', () => this.handlers.onPick(input.clients.slice(0, PICKS_DEFAULT)));
    const none = el('button', { type: 'button', id: 'agg-pick-none' }, 'None');
    none.addEventListener('click', () => this.handlers.onPick([]));
    box.append(
      el('span', { class: 'agg-picker-label' }, `Lifelines in the ladder (up to ${PICKS_MAX}):`),
      chips,
      entry,
      list,
      add,
      first,
      none,
    );
    return box;
  }
}

function axes(svg: Svg, x: d3.ScaleLinear<number, number>, y: d3.ScaleLinear<number, number>): void {
  svg
    .append('g')
    .attr('class', 'agg-axis')
    .attr('transform', `translate(0,${H - M.bottom})`)
    .call(
      d3
        .axisBottom(x)
        .ticks(6)
        .tickFormat((d) => `${Number(d) / 1_000_000} s`),
    );
  svg.append('g').attr('class', 'agg-axis').attr('transform', `translate(${M.left},0)`).call(d3.axisLeft(y).ticks(4));
}

/** A step line: the level at the end of each interval. */
function line(
  svg: Svg,
  x: d3.ScaleLinear<number, number>,
  y: d3.ScaleLinear<number, number>,
  values: readonly number[],
  bucketUs: number,
  cls: string,
): void {
  const path = d3
    .line<{ atUs: number; v: number }>()
    .curve(d3.curveStepBefore)
    .x((d) => x(d.atUs))
    .y((d) => y(d.v));
  const points = [{ atUs: 0, v: 0 }, ...values.map((v, i) => ({ atUs: (i + 1) * bucketUs, v }))];
  svg
    .append('path')
    .attr('class', `agg-line ${cls}`)
    .attr('d', path(points) ?? '');
}

function bars(
  svg: Svg,
  x: d3.ScaleLinear<number, number>,
  y: d3.ScaleLinear<number, number>,
  values: readonly number[],
  base: readonly number[] | undefined,
  bucketUs: number,
  cls: string,
): void {
  const width = Math.max(0.5, x(bucketUs) - x(0) - 0.3);
  svg
    .append('g')
    .attr('class', cls)
    .selectAll('rect')
    .data(values.map((v, i) => ({ v, i, b: base?.[i] ?? 0 })).filter((d) => d.v > 0))
    .join('rect')
    .attr('x', (d) => x(d.i * bucketUs))
    .attr('width', width)
    .attr('y', (d) => y(d.b + d.v))
    .attr('height', (d) => y(d.b) - y(d.b + d.v));
}

function legend(svg: Svg, items: readonly (readonly [string, string])[], colour?: (label: string) => string): void {
  const g = svg.append('g').attr('class', 'agg-legend');
  // Above the plot, never over it.
  let px = M.left;
  for (const [cls, label] of items) {
    const item = g.append('g').attr('transform', `translate(${px},4)`);
    const swatch = item.append('rect').attr('class', cls).attr('width', 9).attr('height', 9);
    if (colour) swatch.attr('fill', colour(label));
    item.append('text').attr('x', 12).attr('y', 8).text(label);
    px += 20 + label.length * 6;
  }
}
