/** Sweep charts: a metric against a parameter per method (median line, 10–90 % band) and the metric's CDF per method. */
import * as d3 from 'd3';
import type { SweepRecord } from '../validate/files.ts';
import { el } from './dom.ts';

const W = 460;
const H = 220;
const M = { top: 12, right: 12, bottom: 34, left: 52 };

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export interface BandPoint {
  readonly x: number;
  readonly lo: number;
  readonly median: number;
  readonly hi: number;
  readonly n: number;
}

/** Per method: for each value of `param`, the 10th, 50th and 90th percentile of `metric` (nulls = failures, skipped). */
export function bands(records: readonly SweepRecord[], param: string, metric: string): Map<string, BandPoint[]> {
  const groups = new Map<string, Map<number, number[]>>();
  for (const r of records) {
    const x = Number(r.params[param]);
    const y = r.metrics[metric];
    if (!Number.isFinite(x) || y === null || y === undefined) continue;
    const byX = groups.get(r.method) ?? new Map<number, number[]>();
    groups.set(r.method, byX);
    const list = byX.get(x) ?? [];
    list.push(y);
    byX.set(x, list);
  }
  const out = new Map<string, BandPoint[]>();
  for (const [method, byX] of groups) {
    const pts = [...byX.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([x, ys]) => {
        const s = [...ys].sort((a, b) => a - b);
        return { x, lo: quantile(s, 0.1), median: quantile(s, 0.5), hi: quantile(s, 0.9), n: s.length };
      });
    out.set(method, pts);
  }
  return out;
}

export function renderSweeps(root: HTMLElement, records: readonly SweepRecord[]): void {
  root.replaceChildren();
  const params = [...new Set(records.flatMap((r) => Object.keys(r.params)))];
  const metrics = [...new Set(records.flatMap((r) => Object.keys(r.metrics)))];
  const pick = (label: string, options: string[], preferred: RegExp): HTMLSelectElement => {
    const s = el('select', { 'aria-label': label });
    for (const o of options) s.append(el('option', { value: o }, o));
    const p = options.find((o) => preferred.test(o));
    if (p) s.value = p;
    return s;
  };
  const paramSel = pick('parameter', params, /loss|latency/i);
  const metricSel = pick('metric', metrics, /address/i);
  const charts = el('div', { class: 'charts' });
  root.append(el('div', { class: 'row' }, 'x ', paramSel, ' y ', metricSel), charts);
  const draw = (): void => {
    charts.replaceChildren();
    const param = paramSel.value;
    const metric = metricSel.value;
    const data = bands(records, param, metric);
    const methods = [...data.keys()];
    const color = d3.scaleOrdinal<string, string>().domain(methods).range(d3.schemeTableau10);
    const all = [...data.values()].flat();
    // Band chart.
    const x = d3
      .scaleLinear()
      .domain(d3.extent(all, (p) => p.x) as [number, number])
      .nice()
      .range([M.left, W - M.right]);
    const y = d3
      .scaleLinear()
      .domain([0, d3.max(all, (p) => p.hi) ?? 1])
      .nice()
      .range([H - M.bottom, M.top]);
    const svg = d3.select(charts).append('svg').attr('class', 'chart band-chart').attr('width', W).attr('height', H);
    svg
      .append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(d3.axisBottom(x).ticks(6));
    svg.append('g').attr('transform', `translate(${M.left},0)`).call(d3.axisLeft(y).ticks(5));
    svg
      .append('text')
      .attr('class', 'axis-label')
      .attr('x', W / 2)
      .attr('y', H - 4)
      .attr('text-anchor', 'middle')
      .text(param);
    svg
      .append('text')
      .attr('class', 'axis-label')
      .attr('transform', `translate(12,${H / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle')
      .text(metric);
    for (const [method, pts] of data) {
      const c = color(method);
      svg
        .append('path')
        .datum(pts)
        .attr('class', 'band')
        .attr('fill', c)
        .attr(
          'd',
          d3
            .area<BandPoint>()
            .x((p) => x(p.x))
            .y0((p) => y(p.lo))
            .y1((p) => y(p.hi)),
        );
      svg
        .append('path')
        .datum(pts)
        .attr('class', 'median')
        .attr('stroke', c)
        .attr(
          'd',
          d3
            .line<BandPoint>()
            .x((p) => x(p.x))
            .y((p) => y(p.median)),
        );
    }
    // CDF chart.
    const values = new Map<string, number[]>();
    for (const r of records) {
      const v = r.metrics[metric];
      if (v === null || v === undefined) continue;
      const list = values.get(r.method) ?? [];
      list.push(v);
      values.set(r.method, list);
    }
    const cx = d3
      .scaleLinear()
      .domain([0, d3.max([...values.values()].flat()) ?? 1])
      .nice()
      .range([M.left, W - M.right]);
    const cy = d3
      .scaleLinear()
      .domain([0, 1])
      .range([H - M.bottom, M.top]);
    const cdf = d3.select(charts).append('svg').attr('class', 'chart cdf-chart').attr('width', W).attr('height', H);
    cdf
      .append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(d3.axisBottom(cx).ticks(6));
    cdf.append('g').attr('transform', `translate(${M.left},0)`).call(d3.axisLeft(cy).ticks(5, '%'));
    cdf
      .append('text')
      .attr('class', 'axis-label')
      .attr('x', W / 2)
      .attr('y', H - 4)
      .attr('text-anchor', 'middle')
      .text(`${metric} (CDF)`);
    for (const [method, vs] of values) {
      const s = [...vs].sort((a, b) => a - b);
      const pts = s.map((v, i) => [cx(v), cy((i + 1) / s.length)] as [number, number]);
      cdf
        .append('path')
        .attr('class', 'median')
        .attr('stroke', color(method))
        .attr('d', d3.line().curve(d3.curveStepAfter)([[cx(0), cy(0)], ...pts]));
    }
    const legend = el('div', { class: 'legend' });
    for (const m of methods) {
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = color(m);
      legend.append(swatch, el('span', {}, ` ${m}  `));
    }
    charts.append(legend);
  };
  paramSel.addEventListener('change', draw);
  metricSel.addEventListener('change', draw);
  draw();
}
