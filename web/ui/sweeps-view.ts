/**
 * Sweep charts from `dhcpike sweep … --out FILE.jsonl` records: a metric against a parameter, one series per method —
 * the median over seeds (nearest rank) with its distribution-free 95 % interval as a band, the same figures as the
 * sweep's printed summary (scenarios/metrics/stats.ts medianInterval) — and the metric's CDF over all runs, one curve
 * per (method, parameter value).
 */
import * as d3 from 'd3';
import { methodStyle, type MethodStyle } from '../model/method-style.ts';

const SYMBOLS: Readonly<Record<MethodStyle['symbol'], d3.SymbolType>> = {
  circle: d3.symbolCircle,
  square: d3.symbolSquare,
  triangle: d3.symbolTriangle,
  diamond: d3.symbolDiamond,
  cross: d3.symbolCross,
};
import { medianInterval, nearestRank } from '../../scenarios/metrics/stats.ts';
import type { SweepRecord } from '../validate/files.ts';
import { el } from './dom.ts';

const W = 470;
const H = 230;
const M = { top: 12, right: 14, bottom: 36, left: 62 };

export interface BandPoint {
  readonly x: number;
  readonly lo: number;
  readonly median: number;
  readonly hi: number;
  /** Runs with a value (failed jobs and nulls left out). */
  readonly n: number;
  /** Below 6 runs the interval is [min, max] (stats.ts). */
  readonly exact: boolean;
}

/** Per method, in first-seen order: for each value of `param`, the median of `metric` over seeds and its interval. */
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
        const ci = medianInterval(s) as { low: number; high: number; exact: boolean };
        return { x, lo: ci.low, median: nearestRank(s, 50), hi: ci.high, n: s.length, exact: ci.exact };
      });
    out.set(method, pts);
  }
  return out;
}

/** Per (method, parameter value): the metric's values over seeds, sorted (the CDF's steps). */
export function cdfSeries(
  records: readonly SweepRecord[],
  param: string,
  metric: string,
): { readonly method: string; readonly x: string; readonly values: readonly number[] }[] {
  const groups = new Map<string, { method: string; x: string; values: number[] }>();
  for (const r of records) {
    const v = r.metrics[metric];
    if (v === null || v === undefined) continue;
    const x = String(r.params[param] ?? '');
    const key = `${r.method}\u0000${x}`;
    const g = groups.get(key) ?? { method: r.method, x, values: [] };
    g.values.push(v);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ ...g, values: [...g.values].sort((a, b) => a - b) }));
}

/** Seconds for µs metrics (the axis reads better), the raw number otherwise. */
function unitOf(metric: string): { scale: number; label: string } {
  return /Us(\.|$)/.test(metric) ? { scale: 1e-6, label: `${metric} (s)` } : { scale: 1, label: metric };
}

export function renderSweeps(root: HTMLElement, records: readonly SweepRecord[]): void {
  root.replaceChildren();
  const params = [...new Set(records.flatMap((r) => Object.keys(r.params)))];
  const metrics = [...new Set(records.flatMap((r) => Object.keys(r.metrics)))];
  const failed = records.filter((r) => r.error !== undefined).length;
  const pick = (label: string, options: string[], preferred: RegExp): HTMLSelectElement => {
    const s = el('select', { 'aria-label': label, class: `pick-${label}` });
    for (const o of options) s.append(el('option', { value: o }, o));
    const p = options.find((o) => preferred.test(o));
    if (p) s.value = p;
    return s;
  };
  const paramSel = pick('parameter', params, /loss|latency/i);
  const metricSel = pick('metric', metrics, /^timeToAddressUs\.median$/);
  const charts = el('div', { class: 'charts' });
  const scenarios = [...new Set(records.map((r) => r.scenario))].join(', ');
  root.append(
    el(
      'div',
      { class: 'sub' },
      `${scenarios}: ${records.length} runs${failed > 0 ? ` (${failed} failed, left out)` : ''}`,
    ),
    el('div', { class: 'row' }, 'x ', paramSel, ' y ', metricSel),
    el('div', { class: 'hint' }, 'Line: median over seeds; band: its 95 % interval (as the sweep summary prints).'),
    charts,
  );
  const draw = (): void => {
    charts.replaceChildren();
    const param = paramSel.value;
    const metric = metricSel.value;
    const unit = unitOf(metric);
    const data = bands(records, param, metric);
    const methods = [...data.keys()];
    // One colour, pattern and marker per method, as everywhere in the lab (model/method-style.ts).
    const color = (m: string): string => methodStyle(m).colour;
    const all = [...data.values()].flat();
    // Band chart: median line with points, 95 % interval band.
    const x = d3
      .scaleLinear()
      .domain(d3.extent(all, (p) => p.x) as [number, number])
      .nice()
      .range([M.left, W - M.right]);
    const y = d3
      .scaleLinear()
      .domain([0, (d3.max(all, (p) => p.hi) ?? 1) * unit.scale])
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
      .text(unit.label);
    for (const [method, pts] of data) {
      const c = color(method);
      const g = svg.append('g').attr('class', 'series').attr('data-method', method);
      g.append('path')
        .datum(pts)
        .attr('class', 'band')
        .attr('fill', c)
        .attr(
          'd',
          d3
            .area<BandPoint>()
            .x((p) => x(p.x))
            .y0((p) => y(p.lo * unit.scale))
            .y1((p) => y(p.hi * unit.scale)),
        );
      g.append('path')
        .datum(pts)
        .attr('class', 'median')
        .attr('stroke', c)
        .attr('stroke-dasharray', methodStyle(method).dash)
        .attr(
          'd',
          d3
            .line<BandPoint>()
            .x((p) => x(p.x))
            .y((p) => y(p.median * unit.scale)),
        );
      const symbol = d3.symbol(SYMBOLS[methodStyle(method).symbol], 48);
      g.selectAll('path.point')
        .data(pts)
        .join('path')
        .attr('class', 'point')
        .attr('d', () => symbol())
        .attr('fill', c)
        .attr('transform', (p) => `translate(${x(p.x)},${y(p.median * unit.scale)})`)
        .append('title')
        .text(
          (p) =>
            `${method} ${param}=${p.x}: median ${p.median}, 95 % CI [${p.lo}, ${p.hi}]${p.exact ? '' : ' ~ (n < 6: min..max)'}, n=${p.n}`,
        );
    }
    // CDF chart: one step curve per (method, parameter value); dash = parameter value.
    const series = cdfSeries(records, param, metric);
    const xs = [...new Set(series.map((s) => s.x))];
    const dashes = ['', '6 3', '2 3', '10 3 2 3', '1 2'];
    const cx = d3
      .scaleLinear()
      .domain([0, (d3.max(series.flatMap((s) => s.values)) ?? 1) * unit.scale])
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
      .text(`${unit.label} — CDF over seeds`);
    for (const s of series) {
      const pts = s.values.map((v, i) => [cx(v * unit.scale), cy((i + 1) / s.values.length)] as [number, number]);
      cdf
        .append('path')
        .attr('class', 'cdf')
        .attr('data-method', s.method)
        .attr('data-x', s.x)
        .attr('data-n', String(s.values.length))
        .attr('stroke', color(s.method))
        .attr('stroke-dasharray', dashes[xs.indexOf(s.x) % dashes.length] ?? '')
        .attr('d', d3.line().curve(d3.curveStepAfter)([[cx(0), cy(0)], ...pts]))
        .append('title')
        .text(`${s.method} ${param}=${s.x} (${s.values.length} runs)`);
    }
    const legend = el('div', { class: 'legend' });
    for (const m of methods) {
      const st = methodStyle(m);
      const swatch = el('span', { class: 'swatch-marker', title: m }, st.marker);
      swatch.style.color = st.colour;
      legend.append(swatch, el('span', {}, ` ${st.name}  `));
    }
    legend.append(
      el(
        'span',
        { class: 'hint' },
        ` CDF dashes: ${xs.map((v, i) => `${param}=${v} ${['solid', 'dashed', 'dotted', 'dash-dot', 'fine'][i % 5] ?? ''}`).join(', ')}`,
      ),
    );
    charts.append(legend);
  };
  paramSel.addEventListener('change', draw);
  metricSel.addEventListener('change', draw);
  draw();
}
