/**
 * The ladder: N lanes (one per run) side by side on one shared, compressed time axis. Built once per set of runs with
 * d3 joins; animation only moves the cursor, moves the in-flight packet dots and toggles classes on arrows whose
 * state changed (future → flying → past), so a frame costs O(arrows) arithmetic and few DOM writes.
 */
import * as d3 from 'd3';
import { formatSeconds } from '../../sim/ladder.ts';
import type { Arrow, Bracket, LaneModel } from '../model/ladder-model.ts';
import { layoutLabels, type LabelPlacement } from '../model/label-layout.ts';
import { teachingHead, teachingLabel } from '../model/teaching-label.ts';
import { autoScaleOptions, compressedScale, formatDuration, type CompressedScale } from '../model/time-scale.ts';

export interface LaneInput {
  readonly title: string;
  readonly model: LaneModel;
  /** The method's colour and marker (model/method-style.ts), beside the title. */
  readonly colour?: string;
  readonly marker?: string;
  /** Notes, commands and faults drawn as glyphs on the lifelines (a fault across the lane). */
  readonly marks?: readonly LadderMark[];
}

export interface LadderMark {
  readonly atUs: number;
  /** '' for a fault: drawn across the lane. */
  readonly node: string;
  readonly kind: 'note' | 'command' | 'fault';
  readonly text: string;
}

/** Glyphs per lane at most (a storm's notes would bury the arrows; the timeline lists them all). */
const MARKS_MAX = 1500;

const AXIS_PX = 92;
/**
 * Column per node: spread over the ladder's width (so every lifeline shows at 1024 px), between a floor that keeps
 * labels readable (narrower screens scroll) and a ceiling; side-by-side lanes get a lower ceiling.
 */
const COLUMN_PX_ONE = 250;
const COLUMN_PX_MANY = 165;
const COLUMN_PX_MIN = 96;
/** Side-by-side lanes may be narrower: their labels name only the payload (the bracket names the exchange). */
const COLUMN_PX_MIN_MANY = 80;
const COLUMN_PX_MAX_ONE = 340;
const COLUMN_PX_MAX_MANY = 220;
/** Space left of a lane's first lifeline for the IKE exchange labels. */
const LANE_PAD_PX = 40;
const LANE_GAP_PX = 40;
const HEADER_PX = 64;
const CHAR_PX = 6.3;

type ArrowState = 0 | 1 | 2; // future, flying, past

interface ArrowRef {
  readonly lane: number;
  readonly arrow: Arrow;
  readonly el: SVGGElement;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  state: ArrowState | -1;
}

/** What the page gives the ladder to fit: its width, and the label font's average character width. */
export interface LadderFit {
  readonly widthPx: number;
  readonly charPx: number;
}

export interface LadderHandlers {
  onArrowClick(lane: number, arrow: Arrow): void;
  onTimeClick(atUs: number): void;
}

export class LadderView {
  scale: CompressedScale = compressedScale([0], { pxPerUs: 0.001, gapUsMax: 1, breakPx: 10 });
  private refs: ArrowRef[] = [];
  private laneX: number[] = [];
  private widthPx = 0;
  private readonly header: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly body: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private cursorG!: d3.Selection<SVGGElement, unknown, null, undefined>;
  private dotsG!: d3.Selection<SVGGElement, unknown, null, undefined>;
  private lanes: readonly LaneInput[] = [];
  private selectedKey = '';
  private columnPx = COLUMN_PX_ONE;
  private charPx = CHAR_PX;

  constructor(
    private readonly container: HTMLElement,
    private readonly handlers: LadderHandlers,
  ) {
    const root = d3.select(container);
    this.header = root.append('svg').attr('class', 'ladder-header');
    this.body = root.append('svg').attr('class', 'ladder-body').attr('xmlns', 'http://www.w3.org/2000/svg');
  }

  /** x of a node's lifeline in a lane. */
  private x(lane: number, node: string): number {
    const nodes = this.lanes[lane]?.model.nodes ?? [];
    return (this.laneX[lane] ?? 0) + this.columnPx / 2 + Math.max(0, nodes.indexOf(node)) * this.columnPx;
  }

  render(lanes: readonly LaneInput[], fit?: LadderFit): void {
    this.lanes = lanes;
    this.charPx = fit?.charPx ?? CHAR_PX;
    this.columnPx = columnWidthPx(lanes, fit?.widthPx);
    const sends = lanes.flatMap((l) => l.model.arrows.map((a) => a.sentAtUs));
    const times = lanes.flatMap((l) => l.model.timesUs);
    this.scale = compressedScale(times, {
      ...autoScaleOptions(sends, { rowPx: 64, minGapPx: 24 }),
      keyTimesUs: new Set(sends),
    });
    let x = AXIS_PX;
    this.laneX = lanes.map((l) => {
      const at = x + LANE_PAD_PX;
      x = at + Math.max(1, l.model.nodes.length) * this.columnPx + LANE_GAP_PX;
      return at;
    });
    this.widthPx = x;
    const height = this.scale.heightPx;
    this.header.attr('width', this.widthPx).attr('height', HEADER_PX);
    this.body.attr('width', this.widthPx).attr('height', height).attr('viewBox', `0 0 ${this.widthPx} ${height}`);
    this.renderHeader();
    this.renderBody();
    this.refs.forEach((r) => (r.state = -1));
  }

  private renderHeader(): void {
    const lanes = this.header
      .selectAll<SVGGElement, LaneInput>('g.lane-head')
      .data(this.lanes)
      .join('g')
      .attr('class', 'lane-head')
      .attr('transform', (_d, i) => `translate(${this.laneX[i] ?? 0},0)`);
    lanes
      .selectAll<SVGTextElement, LaneInput>('text.lane-title')
      .data((d) => [d])
      .join('text')
      .attr('class', 'lane-title')
      .attr('x', 22)
      .attr('y', 14)
      .attr('fill', (d) => d.colour ?? null)
      .text((d) => d.title);
    lanes
      .selectAll<SVGTextElement, LaneInput>('text.lane-marker')
      .data((d) => [d])
      .join('text')
      .attr('class', 'lane-marker')
      .attr('x', 8)
      .attr('y', 14)
      .attr('fill', (d) => d.colour ?? null)
      .text((d) => d.marker ?? '');
    const nodes = lanes
      .selectAll<SVGGElement, string>('g.node-head')
      .data((d) => d.model.nodes)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'node-head');
        g.append('rect').attr('y', 24).attr('height', 30).attr('rx', 7);
        g.append('text').attr('y', 44).attr('text-anchor', 'middle');
        return g;
      })
      .attr('transform', (_d, i) => `translate(${this.columnPx / 2 + i * this.columnPx},0)`);
    const boxPx = Math.min(124, this.columnPx - 20);
    nodes
      .select('rect')
      .attr('x', -boxPx / 2)
      .attr('width', boxPx);
    nodes.select('text').text((d) => d);
  }

  private renderBody(): void {
    const s = this.scale;
    const body = this.body;
    const height = s.heightPx;
    // Layers, created once, in paint order.
    const layer = (cls: string): d3.Selection<SVGGElement, unknown, null, undefined> => {
      const existing = body.select<SVGGElement>(`g.${cls}`);
      return existing.empty() ? body.append('g').attr('class', cls) : existing;
    };
    // Arrowheads, one per ink (a marker takes no colour from the line that uses it).
    const defs = body.selectAll<SVGDefsElement, null>('defs').data([null]).join('defs');
    defs
      .selectAll<SVGMarkerElement, string>('marker')
      .data(['normal', 'retransmit', 'duplicate'])
      .join((enter) => {
        const m = enter.append('marker');
        m.append('path').attr('d', 'M0,0 L10,5 L0,10 z');
        return m;
      })
      .attr('id', (d) => `head-${d}`)
      .attr('class', (d) => `head ${d}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse');
    body
      .attr('role', 'group')
      .attr('aria-label', `ladder diagram: ${this.lanes.reduce((n, l) => n + l.model.arrows.length, 0)} packets`);
    const breaksG = layer('breaks');
    const axisG = layer('axis');
    const lifeG = layer('lifelines');
    const bracketG = layer('brackets');
    const marksG = layer('marks');
    const arrowG = layer('arrows');
    this.dotsG = layer('dots');
    this.cursorG = layer('cursor');

    body
      .selectAll<SVGRectElement, null>('rect.hit')
      .data([null])
      .join('rect')
      .attr('class', 'hit')
      .attr('x', 0)
      .attr('y', 0)
      .attr('width', this.widthPx)
      .attr('height', height)
      .lower()
      .on('click', (ev: MouseEvent) => this.handlers.onTimeClick(Math.max(0, Math.round(s.toUs(d3.pointer(ev)[1])))));

    // Breaks: a hatched band across every lane, with the idle time it hides.
    const br = breaksG
      .selectAll<SVGGElement, (typeof s.breaks)[number]>('g.break')
      .data(s.breaks)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'break');
        g.append('rect');
        g.append('path');
        g.append('text');
        return g;
      });
    br.select('rect')
      .attr('x', 0)
      .attr('width', this.widthPx)
      .attr('y', (d) => d.startPx + 4)
      .attr('height', (d) => d.endPx - d.startPx - 8);
    br.select('path').attr('d', (d) => zigzag(AXIS_PX - 40, AXIS_PX - 8, (d.startPx + d.endPx) / 2));
    br.select('text')
      .attr('x', AXIS_PX + 6)
      .attr('y', (d) => (d.startPx + d.endPx) / 2 + 4)
      .text((d) => `⋯ ${formatDuration(d.endUs - d.startUs)} idle ⋯`);

    // Axis: ticks inside each proportional segment.
    const ticks = s.segments.flatMap((seg) => {
      const span = seg.endPx - seg.startPx;
      const n = Math.max(1, Math.floor(span / 90));
      const lin = d3.scaleLinear().domain([seg.startUs, seg.endUs]).range([seg.startPx, seg.endPx]);
      const values = seg.endUs > seg.startUs ? lin.ticks(n) : [seg.startUs];
      return values.map((v) => ({ us: v, px: lin(v) }));
    });
    const tick = axisG
      .selectAll<SVGGElement, { us: number; px: number }>('g.tick')
      .data(ticks)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'tick');
        g.append('line');
        g.append('text');
        return g;
      })
      .attr('transform', (d) => `translate(0,${d.px})`);
    tick
      .select('line')
      .attr('x1', AXIS_PX - 6)
      .attr('x2', this.widthPx);
    tick
      .select('text')
      .attr('x', AXIS_PX - 10)
      .attr('dy', 4)
      .attr('text-anchor', 'end')
      .text((d) => `${trimSeconds(d.us)} s`);

    // Lifelines.
    const lines = this.lanes.flatMap((l, lane) =>
      l.model.nodes.map((n) => ({ key: `${lane}:${n}`, x: this.x(lane, n) })),
    );
    lifeG
      .selectAll<SVGLineElement, { key: string; x: number }>('line')
      .data(lines, (d) => d.key)
      .join('line')
      .attr('x1', (d) => d.x)
      .attr('x2', (d) => d.x)
      .attr('y1', 0)
      .attr('y2', height);

    // Notes and commands as glyphs on their node's lifeline, faults as a line across the lane; the text on hover.
    const marks = this.lanes.flatMap((l, lane) => (l.marks ?? []).slice(0, MARKS_MAX).map((m, i) => ({ lane, m, i })));
    const mg = marksG
      .selectAll<SVGGElement, (typeof marks)[number]>('g.mark')
      .data(marks, (d) => `${d.lane}:${d.i}`)
      .join((enter) => {
        const g = enter.append('g');
        g.append('path');
        g.append('title');
        return g;
      })
      .attr('class', (d) => `mark ${d.m.kind}`)
      .attr('transform', (d) => {
        const x = d.m.node === '' ? (this.laneX[d.lane] ?? 0) : this.x(d.lane, d.m.node);
        return `translate(${x},${s.toPx(d.m.atUs)})`;
      });
    // A fault is a red flag in the lane's left margin (its target is in the title and the timeline), not a line
    // over the arrows.
    mg.select('path').attr('d', (d) =>
      d.m.kind === 'fault'
        ? 'M-34,0 H-8 M-34,-6 L-22,0 L-34,6 Z'
        : d.m.kind === 'command'
          ? 'M-5,-4 L5,0 L-5,4 Z'
          : 'M0,-4.5 L4.5,0 L0,4.5 L-4.5,0 Z',
    );
    mg.select('title').text((d) => `${formatSeconds(d.m.atUs)} ${d.m.node === '' ? 'fault' : d.m.node}: ${d.m.text}`);

    // IKE exchange brackets (request → response, same Message ID).
    const brackets = this.lanes.flatMap((l, lane) => l.model.brackets.map((b) => ({ lane, b })));
    const bg = bracketG
      .selectAll<SVGGElement, { lane: number; b: Bracket }>('g.bracket')
      .data(brackets, (d) => `${d.lane}:${d.b.key}`)
      .join((enter) => {
        const g = enter.append('g');
        g.append('rect');
        g.append('text');
        return g;
      })
      .attr('class', (d) => `bracket${d.b.complete ? '' : ' incomplete'}`);
    // Each bracket ends above the next one of the same pair of nodes, so two exchanges never merge into one box.
    const bottomPx = new Map<string, number>();
    const byPair = new Map<string, { lane: number; b: Bracket }[]>();
    for (const d of brackets) {
      const pair = `${d.lane}:${[d.b.requester, d.b.responder].sort().join('|')}`;
      byPair.set(pair, [...(byPair.get(pair) ?? []), d]);
    }
    for (const list of byPair.values()) {
      list.sort((a, b) => a.b.startUs - b.b.startUs);
      list.forEach((d, i) => {
        const own = s.toPx(d.b.endUs) + 6;
        const next = list[i + 1];
        const limit = next === undefined ? own : s.toPx(next.b.startUs) - 6 - 3;
        bottomPx.set(`${d.lane}:${d.b.key}`, Math.max(s.toPx(d.b.startUs) + 6, Math.min(own, limit)));
      });
    }
    bg.select('rect')
      .attr('x', (d) => Math.min(this.x(d.lane, d.b.requester), this.x(d.lane, d.b.responder)) - 14)
      .attr('width', (d) => Math.abs(this.x(d.lane, d.b.requester) - this.x(d.lane, d.b.responder)) + 28)
      .attr('y', (d) => s.toPx(d.b.startUs) - 6)
      .attr('height', (d) => (bottomPx.get(`${d.lane}:${d.b.key}`) ?? 0) - s.toPx(d.b.startUs) + 6)
      .attr('rx', 6);
    // The exchange name sits in the lane's left margin; the whole name is on hover.
    const room = Math.floor((LANE_PAD_PX + this.columnPx / 2 - 20) / 5.6);
    bg.select('text')
      .attr('x', (d) => Math.min(this.x(d.lane, d.b.requester), this.x(d.lane, d.b.responder)) - 18)
      .attr('y', (d) => s.toPx(d.b.startUs) + 4)
      .attr('text-anchor', 'end')
      .text((d) => {
        const full = `${d.b.exchange} #${d.b.messageId}${d.b.complete ? '' : ' ✗'}`;
        return full.length > room ? `${full.slice(0, room - 1)}…` : full;
      });
    bg.selectAll<SVGTitleElement, { lane: number; b: Bracket }>('title')
      .data((d) => [d])
      .join('title')
      .text((d) => `${d.b.exchange} exchange, Message ID ${d.b.messageId}${d.b.complete ? '' : ' (no answer)'}`);

    // Arrows.
    const items = this.lanes.flatMap((l, lane) => l.model.arrows.map((arrow) => ({ lane, arrow })));
    // d3's .each hands the element as `this`; the view is reached through a named constant.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const groups = arrowG
      .selectAll<SVGGElement, { lane: number; arrow: Arrow }>('g.arrow')
      .data(items, (d) => `${d.lane}:${d.arrow.key}`)
      .join((enter) => {
        const g = enter.append('g');
        g.append('line').attr('class', 'shaft');
        g.append('line').attr('class', 'hitline');
        g.append('text').attr('class', 'label');
        g.append('text').attr('class', 'drop-mark');
        g.append('title');
        return g;
      })
      .attr('class', (d) => arrowClass(d.arrow))
      .attr('data-key', (d) => `${d.lane}:${d.arrow.key}`)
      .attr('data-packet', (d) => d.arrow.packetId)
      // Keyboard: Tab reaches the packets, ↑/↓ (or ←/→) move between them in time order, Enter opens the inspector.
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr(
        'aria-label',
        (d) => `${formatSeconds(d.arrow.sentAtUs)} s ${d.arrow.from} to ${d.arrow.to}: ${d.arrow.summary}`,
      )
      .on('click', (ev: MouseEvent, d) => {
        ev.stopPropagation();
        self.handlers.onArrowClick(d.lane, d.arrow);
      })
      .on('keydown', function (ev: KeyboardEvent, d) {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          ev.stopPropagation();
          self.handlers.onArrowClick(d.lane, d.arrow);
          return;
        }
        const step =
          ev.key === 'ArrowDown' || ev.key === 'ArrowRight'
            ? 1
            : ev.key === 'ArrowUp' || ev.key === 'ArrowLeft'
              ? -1
              : 0;
        if (step === 0) return;
        ev.preventDefault();
        ev.stopPropagation();
        const all = self.refs.map((r) => r.el);
        const next = all[all.indexOf(this) + step];
        next?.focus();
      });
    const geom = (d: { lane: number; arrow: Arrow }): { x1: number; y1: number; x2: number; y2: number } => {
      const x1 = this.x(d.lane, d.arrow.from);
      const xTo = this.x(d.lane, d.arrow.to);
      const x2 = x1 + (xTo - x1) * d.arrow.dropFraction;
      return { x1, y1: s.toPx(d.arrow.sentAtUs), x2, y2: s.toPx(d.arrow.endAtUs) };
    };
    // Labels: laid out per lane so close packets do not write over each other (model/label-layout.ts).
    const labels = new Map<string, LabelPlacement>();
    const many = this.lanes.length > 1;
    this.lanes.forEach((l, lane) => {
      const placed = layoutLabels(
        l.model.arrows.map((a) => ({
          x1: this.x(lane, a.from),
          y1: s.toPx(a.sentAtUs),
          x2: this.x(lane, a.to),
          // A dropped arrow is drawn part way: its label follows the direction it would have had.
          y2: s.toPx(a.sentAtUs) + (s.toPx(a.endAtUs) - s.toPx(a.sentAtUs)) / (a.dropFraction || 1),
          sx2: this.x(lane, a.from) + (this.x(lane, a.to) - this.x(lane, a.from)) * a.dropFraction,
          sy2: s.toPx(a.endAtUs),
          text: many ? payloadLabel(teachingLabel(a.summary)) : teachingLabel(a.summary),
          keep: many ? payloadLabel(teachingHead(a.summary)) : teachingHead(a.summary),
        })),
        { charPx: this.charPx },
      );
      l.model.arrows.forEach((a, i) => labels.set(`${lane}:${a.key}`, placed[i] as LabelPlacement));
    });
    groups.each(function (d) {
      const g = geom(d);
      const sel = d3.select(this);
      const dir = Math.sign(g.x2 - g.x1) || 1;
      sel
        .selectAll('line')
        .attr('x1', g.x1)
        .attr('y1', g.y1)
        .attr('x2', g.x2 - (d.arrow.outcome === 'delivered' ? dir * 2 : 0))
        .attr('y2', g.y2);
      const ink = d.arrow.retransmit ? 'retransmit' : d.arrow.duplicate ? 'duplicate' : 'normal';
      sel.select('line.shaft').attr('marker-end', d.arrow.outcome === 'delivered' ? `url(#head-${ink})` : null);
      const lab = labels.get(`${d.lane}:${d.arrow.key}`);
      sel
        .select('text.label')
        .attr('transform', lab ? `translate(${lab.x},${lab.y}) rotate(${lab.angle})` : null)
        .attr('text-anchor', 'middle')
        .classed('elided', lab?.elided ?? false)
        .text(lab?.text ?? '');
      sel
        .select('text.drop-mark')
        .attr('x', g.x2)
        .attr('y', g.y2 + 5)
        .attr('text-anchor', 'middle')
        .text(d.arrow.outcome === 'dropped' ? '✗' : '');
      const reason = d.arrow.outcome === 'dropped' ? ` — dropped: ${d.arrow.reason ?? '?'}` : '';
      const kind = d.arrow.retransmit ? ' (retransmission)' : d.arrow.duplicate ? ' (duplicate)' : '';
      sel
        .select('title')
        .text(`${formatSeconds(d.arrow.sentAtUs)} ${d.arrow.from} → ${d.arrow.to}${kind}${reason}\n${d.arrow.summary}`);
    });
    // Drop reasons as separate small labels next to the ✗.
    groups
      .selectAll<SVGTextElement, { lane: number; arrow: Arrow }>('text.drop-reason')
      .data((d) => (d.arrow.outcome === 'dropped' ? [d] : []))
      .join('text')
      .attr('class', 'drop-reason')
      .attr('x', (d) => geom(d).x2 + (Math.sign(geom(d).x2 - geom(d).x1) || 1) * 10)
      .attr('y', (d) => geom(d).y2 + 4)
      .attr('text-anchor', (d) => (geom(d).x2 >= geom(d).x1 ? 'start' : 'end'))
      .text((d) => d.arrow.reason ?? 'dropped');

    this.refs = [];
    groups.each(function (d) {
      const g = geom(d);
      self.refs.push({ lane: d.lane, arrow: d.arrow, el: this, ...g, state: -1 });
    });

    // Cursor.
    const c = this.cursorG
      .selectAll<SVGGElement, null>('g.cursor-line')
      .data([null])
      .join((enter) => {
        const g = enter.append('g').attr('class', 'cursor-line');
        g.append('line');
        g.append('rect').attr('class', 'cursor-tag');
        g.append('text');
        return g;
      });
    c.select('line')
      .attr('x1', AXIS_PX - 4)
      .attr('x2', this.widthPx);
    c.select('rect')
      .attr('x', 2)
      .attr('y', -9)
      .attr('width', AXIS_PX - 8)
      .attr('height', 18)
      .attr('rx', 4);
    c.select('text')
      .attr('x', AXIS_PX - 10)
      .attr('y', 4)
      .attr('text-anchor', 'end');
    this.setSelected(this.selectedKey);
  }

  setSelected(key: string): void {
    this.selectedKey = key;
    this.body.selectAll<SVGGElement, unknown>('g.arrow').classed('selected', function () {
      return this.getAttribute('data-key') === key;
    });
  }

  /** Moves the cursor to `atUs`; returns the cursor's y in pixels. */
  setCursor(atUs: number): number {
    const y = this.scale.toPx(atUs);
    this.cursorG
      .select('g.cursor-line')
      .attr('transform', `translate(0,${y})`)
      .select('text')
      .text(formatSeconds(Math.max(0, Math.round(atUs))));
    const flying: { key: string; x: number; y: number; cls: string }[] = [];
    for (const r of this.refs) {
      const a = r.arrow;
      const state: ArrowState = atUs < a.sentAtUs ? 0 : atUs < a.endAtUs ? 1 : 2;
      if (state !== r.state) {
        r.el.classList.toggle('future', state === 0);
        r.el.classList.toggle('flying', state === 1);
        r.el.classList.toggle('past', state === 2);
        r.state = state;
      }
      if (state === 1) {
        // Progress in screen space: the dot follows the drawn arrow.
        const yNow = this.scale.toPx(atUs);
        const f = r.y2 > r.y1 ? Math.min(1, (yNow - r.y1) / (r.y2 - r.y1)) : 1;
        flying.push({
          key: `${r.lane}:${a.key}`,
          x: r.x1 + (r.x2 - r.x1) * f,
          y: r.y1 + (r.y2 - r.y1) * f,
          cls: arrowClass(a),
        });
      }
    }
    this.dotsG
      .selectAll<SVGCircleElement, (typeof flying)[number]>('circle')
      .data(flying, (d) => d.key)
      .join((enter) => enter.append('circle').attr('r', 5))
      .attr('class', (d) => d.cls.replace('arrow', 'dot'))
      .attr('cx', (d) => d.x)
      .attr('cy', (d) => d.y);
    return y;
  }

  /** The ladder as a standalone SVG document (header and body stacked). */
  svgText(): string {
    const header = this.header.node() as SVGSVGElement;
    const body = this.body.node() as SVGSVGElement;
    const css = Array.from(document.styleSheets)
      .flatMap((sheet) => {
        try {
          return Array.from(sheet.cssRules).map((r) => r.cssText);
        } catch {
          return [];
        }
      })
      .filter((t) =>
        /\.(ladder|arrow|dot|break|bracket|tick|lifelines|cursor|node-head|lane|label|drop|mark|head)/.test(t),
      )
      .join('\n');
    const h = HEADER_PX + this.scale.heightPx;
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${this.widthPx}" height="${h}" viewBox="0 0 ${this.widthPx} ${h}"><style>${css}</style><rect width="100%" height="100%" fill="#fff"/>${header.innerHTML}<g transform="translate(0,${HEADER_PX})">${body.innerHTML}</g></svg>`;
  }
}

/** The column per node that spreads every lane's lifelines over `widthPx` (fixed widths when not given). */
export function columnWidthPx(lanes: readonly LaneInput[], widthPx: number | undefined): number {
  const many = lanes.length > 1;
  if (widthPx === undefined || widthPx <= 0) return many ? COLUMN_PX_MANY : COLUMN_PX_ONE;
  const nodes = lanes.reduce((n, l) => n + Math.max(1, l.model.nodes.length), 0);
  const free = widthPx - AXIS_PX - lanes.length * (LANE_PAD_PX + LANE_GAP_PX);
  const max = many ? COLUMN_PX_MAX_MANY : COLUMN_PX_MAX_ONE;
  return Math.max(many ? COLUMN_PX_MIN_MANY : COLUMN_PX_MIN, Math.min(max, Math.floor(free / Math.max(1, nodes))));
}

/** `IKE_AUTH ▸ DHCP(DISCOVER) · IDi, …` → `▸ DHCP(DISCOVER) · IDi, …`: in narrow side-by-side lanes the exchange's
 * bracket names the exchange, and the room goes to what differs between the methods. */
function payloadLabel(label: string): string {
  const at = label.indexOf(' ▸ ');
  return at > 0 && /^[A-Z_]+$/.test(label.slice(0, at)) ? label.slice(at + 1) : label;
}

function arrowClass(a: Arrow): string {
  return [
    'arrow',
    a.outcome === 'dropped' ? 'dropped' : '',
    a.retransmit ? 'retransmit' : '',
    a.duplicate ? 'duplicate' : '',
    a.reordered ? 'reordered' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function zigzag(x0: number, x1: number, y: number): string {
  const step = (x1 - x0) / 4;
  return `M${x0},${y} l${step / 2},-5 l${step},10 l${step},-10 l${step},10 l${step / 2},-5`;
}

function trimSeconds(us: number): string {
  return String(Number((us / 1_000_000).toFixed(6)));
}
