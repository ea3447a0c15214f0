/** The browser lab: wires the runner, the ladder, the player, the inspector and the side panels together. */
import './csp.ts';
import './style.css';
import { evaluateClaims, formatProblem, loadClaims, type Problem } from '../scenarios/browser.ts';
import { formatSeconds } from '../sim/ladder.ts';
import type { SendEvent, TraceEvent } from '../sim/trace.ts';
import { traceSha256 } from '../sim/trace-hash.ts';
import { buildLane, narrowLane, type Arrow, type LaneModel } from './model/ladder-model.ts';
import { formatMetric, methodStyle, metricLabel } from './model/method-style.ts';
import { stateEvents } from './model/states.ts';
import { traceHasKeys } from '../scenarios/keys-export.ts';
import { traceJsonl, traceKeyLookup, traceKeysText, tracePcap } from './model/exports.ts';
import { LabRunError, labRunner, LINK_FIELDS, type LabRun, type LinkField, type ScenarioInfo } from './runner.ts';
import { DEFAULT_SEED, formatUrlState, parseUrlState, type UrlState } from './url-state.ts';
import { formatFieldError, type FieldError } from './validate/check.ts';
import { validateClaimsJson, validateSweepJsonl, validateTraceJsonl, type ClaimReport } from './validate/files.ts';
import { download, el } from './ui/dom.ts';
import { renderInspector } from './ui/inspector-view.ts';
import { LadderView } from './ui/ladder-view.ts';
import { LabLayout } from './ui/layout.ts';
import { messageNote } from './model/message-notes.ts';
import { replayCommand } from './model/replay-command.ts';
import { decidedAtUs } from './model/expectation-moments.ts';
import { mergeTimelines, timelineRows, type TimelineRow } from './model/timeline.ts';
import { TimelineView } from './ui/timeline-view.ts';
import type { LadderMark } from './ui/ladder-view.ts';
import { renderOptions } from './ui/options-view.ts';
import { StateView } from './ui/state-view.ts';
import { renderSweeps } from './ui/sweeps-view.ts';
import { LargeRuns } from './worker/large-run.ts';

interface Lane {
  readonly title: string;
  readonly trace: readonly TraceEvent[];
  readonly traceSha256: string;
  readonly run?: LabRun;
  readonly model: LaneModel;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
};

const stats = { firstFrameMs: -1, frameWorkMs: [] as number[], frameGapMs: [] as number[] };
(window as unknown as { __labStats: typeof stats }).__labStats = stats;

const DEFAULT_SCENARIO = 'basic';
const DEFAULT_METHOD = 'dhcp-over-ike';

let url: UrlState = parseUrlState(location.hash).state;
let lanes: Lane[] = [];
let cursorUs = 0;
let playing = false;
let speed = 1;

const ladder = new LadderView($('ladder'), {
  onArrowClick: (lane, arrow) => select(lane, arrow),
  onTimeClick: (atUs) => {
    pause();
    setCursor(atUs);
  },
});
const stateView = new StateView($('states'));
const layout = new LabLayout($('ladder'), document.querySelector('aside.side') as HTMLElement, {
  onResize: () => drawLadder(),
});
const timeline = new TimelineView($('timeline'), {
  onRow: (row) => {
    pause();
    setCursor(row.atUs, true);
    writeUrl();
  },
  onOpen: (row) => openPacket(row),
});

/** A timeline row's packet, opened in the inspector (its arrow selected in the first lane). */
function openPacket(row: TimelineRow): void {
  const arrow = lanes[row.lane]?.model.arrows.find((a) => a.packetId === row.packetId);
  if (arrow) select(row.lane, arrow);
}

/** Notes, commands and faults of a trace as ladder glyphs. */
function marksOf(trace: readonly TraceEvent[]): LadderMark[] {
  const out: LadderMark[] = [];
  for (const e of trace) {
    if (e.type === 'note') out.push({ atUs: e.atUs, node: e.node, kind: 'note', text: e.text });
    else if (e.type === 'command') out.push({ atUs: e.atUs, node: e.node, kind: 'command', text: e.command });
    else if (e.type === 'fault') out.push({ atUs: e.atUs, node: '', kind: 'fault', text: `${e.fault} ${e.detail}` });
  }
  return out;
}

/** The ✓/✗ strip: one chip per expectation of the first lane's run; a click moves the cursor to where it was decided. */
function renderExpectations(): void {
  const root = $('expectations');
  const run = lanes[0]?.run;
  root.replaceChildren();
  if (run === undefined) return;
  for (const e of run.result.expectations) {
    const chip = el(
      'button',
      {
        type: 'button',
        role: 'listitem',
        class: `expectation ${e.ok ? 'ok' : 'failed'}`,
        title: `${e.expectation}: ${e.detail} — click to see where it was decided`,
      },
      `${e.ok ? '✓' : '✗'} ${e.expectation}`,
    );
    chip.addEventListener('click', () => {
      pause();
      setCursor(decidedAtUs(e, run.metrics, run.trace, endUs()), true);
      writeUrl();
    });
    root.append(chip);
  }
}

/** Label font metrics: presentation mode draws larger type. */
const CHAR_PX = { normal: 6.3, present: 8.4 } as const;

/** Draws the lanes to fit the ladder's width (one lane in presentation mode), keeping selection and cursor. */
function drawLadder(): void {
  const shown = layout.presenting ? lanes.slice(0, 1) : lanes;
  ladder.render(
    shown.map((l) => {
      const st = methodStyle(l.run?.request.method ?? '');
      return { title: l.title, model: l.model, marks: marksOf(l.trace), colour: st.colour, marker: st.marker };
    }),
    { widthPx: layout.ladderWidthPx(), charPx: layout.presenting ? CHAR_PX.present : CHAR_PX.normal },
  );
  ladder.setCursor(cursorUs);
}

// ---- large runs (issue 16 item 6): > 50 clients run in a worker, shown as an aggregate (web/worker/large-run.ts) ----
const large = new LargeRuns($('large-progress'), $('aggregate'), {
  onRun: (run) => {
    lanes = [laneFromRun(run, `${run.request.method} · seed ${run.seed} · ${run.nodes.length} lifelines`)];
    showLanes();
    writeUrl();
  },
  onError: (e) => showRunError(e),
  onTimeClick: (atUs) => {
    pause();
    setCursor(atUs);
    writeUrl();
  },
});
// ---- end large runs ----

// ---- runs ------------------------------------------------------------------------------------------------------

/** The scenario of the URL, else `basic`; throws (LabRunError) if it is not in the library. */
function scenarioOf(id: string | undefined): ScenarioInfo {
  const sc = labRunner.scenario(id ?? DEFAULT_SCENARIO);
  if (sc) return sc;
  throw new LabRunError(
    [{ path: 's', expected: 'a scenario of the library (or a loaded file)', found: JSON.stringify(id) }],
    `unknown scenario ${JSON.stringify(id)}`,
  );
}

/** Compare mode draws compact lanes: the clients and the gateway, and the DHCP server when asked for. */
const compareView = { compact: true, withDhcp: false };

function laneFromRun(run: LabRun, title: string, compact = false): Lane {
  const model = buildLane(
    run.trace,
    run.nodes.map((n) => n.name),
  );
  const keep = new Set(
    run.nodes
      .filter(
        (n) =>
          n.role.startsWith('client') ||
          n.role.startsWith('gateway') ||
          (compareView.withDhcp && n.role === 'DHCP server'),
      )
      .map((n) => n.name),
  );
  return {
    title,
    trace: run.trace,
    traceSha256: run.traceSha256,
    run,
    model: compact ? narrowLane(model, keep) : model,
  };
}

/** Runs the primary lane (with the user's drops) and the compare lanes (same scenario, settings and seed rules). */
function runAll(): void {
  const sc = scenarioOf(url.scenario);
  const method =
    url.method !== undefined && (sc.methods as readonly string[]).includes(url.method)
      ? url.method
      : (sc.methods as readonly string[]).includes(DEFAULT_METHOD) && sc.id === DEFAULT_SCENARIO
        ? DEFAULT_METHOD
        : sc.defaultMethod;
  const seed = url.seed ?? sc.seed;
  url = { ...url, scenario: sc.id, method, seed };
  const common = { scenario: sc.id, options: url.options, params: url.params };
  const request = { ...common, method, seed, overrides: { links: url.links, drops: url.drops } };
  // Large runs: started in the worker, drawn when they finish (large.onRun); compare lanes are not run for them.
  if (large.handles(request, { compareLanes: url.compare.length })) {
    lanes = [];
    showErrors([]);
    return;
  }
  const primary = labRunner.run(request);
  const compact = url.compare.length > 0 && compareView.compact;
  const next = [laneFromRun(primary, `${method} · seed ${seed}`, compact)];
  // Targeted drops name the n-th packet of one method's run: another method sends other packets, so its lane runs
  // without them (the Compare panel says so).
  const dropNote = url.drops.length > 0 ? ' (no drops)' : '';
  for (const c of url.compare) {
    const r = labRunner.run({ ...common, method: c.method, seed: c.seed, overrides: { links: url.links } });
    next.push(laneFromRun(r, `${c.method} · seed ${c.seed}${dropNote}`, compact));
  }
  lanes = next;
  showErrors([]);
}

function showLanes(): void {
  $('export-keys').hidden = !traceHasKeys(lanes[0]?.trace ?? []);
  drawLadder();
  timeline.setRows(mergeTimelines(lanes.map((l, i) => timelineRows(l.trace, l.run?.request.method ?? '', i))));
  renderExpectations();
  const roles = new Map((lanes[0]?.run?.nodes ?? []).map((n) => [n.name, n.role]));
  stateView.setEvents(stateEvents(lanes[0]?.trace ?? []), (n) => roles.get(n) ?? '');
  ladder.setSelected('');
  renderInspector($('inspector'), undefined, undefined, undefined);
  renderRepro();
  renderFaults();
  renderSettings();
  renderCompare();
  // Opened without a time, the whole ladder is shown (cursor at the end); Play starts again from 0.
  setCursor(Math.min(url.cursorUs ?? endUs(), endUs()));
}

function endUs(): number {
  return Math.max(0, ...lanes.map((l) => l.model.endUs));
}

function writeUrl(push = false): void {
  const next = formatUrlState({ ...url, ...(cursorUs > 0 ? { cursorUs } : {}) });
  // A new run is a new history entry (Back returns to the previous run); moving the cursor only rewrites this one.
  if (push && next !== location.hash) history.pushState(null, '', next);
  else history.replaceState(null, '', next);
}

/** Re-runs after a change; a run that fails (bad option value…) shows its problems and keeps the previous lanes. */
function rerun(previous?: UrlState, push = true): boolean {
  pause();
  // A cursor at the end stays at the end of the new run (which may be longer: a drop adds a retransmission).
  const keep = cursorUs >= endUs() ? undefined : cursorUs;
  try {
    runAll();
  } catch (e) {
    if (previous) url = previous;
    showRunError(e);
    return false;
  }
  const { cursorUs: _old, ...rest } = url;
  url = keep === undefined ? rest : { ...rest, cursorUs: keep };
  showLanes();
  writeUrl(push);
  return true;
}

function showRunError(e: unknown): void {
  const problems: readonly Problem[] =
    e instanceof LabRunError ? e.problems : [{ path: '', expected: 'a run', found: String(e) }];
  showErrors(
    problems.map((p) => ({ path: p.path || '$', message: formatProblem(p).replace(/^[^:]*: /, '') })),
    'The run was not started',
  );
}

// ---- cursor and player -------------------------------------------------------------------------------------------

function setCursor(atUs: number, follow = false): void {
  cursorUs = Math.max(0, Math.min(atUs, endUs()));
  const y = ladder.setCursor(cursorUs);
  large.setCursor(cursorUs);
  stateView.update(cursorUs);
  timeline.setCursor(cursorUs);
  $('time').textContent = `${formatSeconds(Math.round(cursorUs))} s`;
  // Screen readers hear where the cursor stopped, not every frame of playback.
  if (!playing) $('time-announce').textContent = `cursor at ${formatSeconds(Math.round(cursorUs))} seconds`;
  showCaption();
  if (follow) {
    const box = $('ladder');
    const view = box.clientHeight;
    if (y < box.scrollTop + 80 || y > box.scrollTop + view - 80) box.scrollTop = y - view / 3;
  }
}

/** The caption under the controls (when on): the paragraph of the last packet sent before the cursor. */
function showCaption(): void {
  const box = $('caption');
  const on = ($('captions') as HTMLInputElement).checked;
  box.hidden = !on;
  if (!on) return;
  const lane = lanes[0];
  const last = lane?.model.arrows.filter((a) => a.sentAtUs <= cursorUs).at(-1);
  const note = last === undefined ? undefined : messageNote(last.summary, lane?.run?.request.method ?? '');
  box.textContent = note === undefined ? '' : `${note.title}: ${note.text} (${note.source})`;
}

function allTimes(): number[] {
  return [...new Set(lanes.flatMap((l) => l.model.timesUs))].sort((a, b) => a - b);
}

function step(direction: 1 | -1): void {
  pause();
  const times = allTimes();
  const next = direction > 0 ? times.find((t) => t > cursorUs) : [...times].reverse().find((t) => t < cursorUs);
  if (next !== undefined) setCursor(next, true);
  writeUrl();
}

let lastFrame = 0;
function frame(now: number): void {
  if (!playing) return;
  const t0 = performance.now();
  const dt = lastFrame === 0 ? 16 : Math.min(100, now - lastFrame);
  if (lastFrame !== 0) stats.frameGapMs.push(now - lastFrame);
  lastFrame = now;
  // Playback moves along the drawn axis (pixels), so compressed idle gaps pass quickly; all lanes share the axis.
  const px = ladder.scale.toPx(cursorUs) + (dt / 1000) * 140 * speed;
  const target = ladder.scale.toUs(px);
  setCursor(target, true);
  stats.frameWorkMs.push(performance.now() - t0);
  if (cursorUs >= endUs()) {
    pause();
    return;
  }
  requestAnimationFrame(frame);
}

function play(): void {
  if (playing) return;
  if (cursorUs >= endUs()) setCursor(0);
  playing = true;
  lastFrame = 0;
  $('play').textContent = '❚❚ Pause';
  requestAnimationFrame(frame);
}

function pause(): void {
  if (!playing) return;
  playing = false;
  $('play').textContent = '▶ Play';
  writeUrl();
}

const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16];
function setSpeed(s: number): void {
  speed = s;
  ($('speed') as HTMLSelectElement).value = String(s);
}

// ---- selection and inspector -------------------------------------------------------------------------------------

function select(lane: number, arrow: Arrow): void {
  ladder.setSelected(`${lane}:${arrow.key}`);
  const l = lanes[lane];
  const send = l?.trace.find((e): e is SendEvent => e.type === 'send' && e.packetId === arrow.packetId);
  const canDrop = lane === 0 && l?.run !== undefined && arrow.link !== undefined && !arrow.duplicate;
  renderInspector(
    $('inspector'),
    arrow,
    send,
    canDrop ? () => dropPacket(lane, arrow) : undefined,
    l?.run?.request.method,
    l === undefined ? undefined : traceKeyLookup(l.trace),
  );
  layout.reveal();
  ($('inspector-panel') as HTMLDetailsElement).open = true;
}

/** The n-th original packet offered to the arrow's link direction: what `drop.nth` counts (sim/targeted-drop.ts). */
export function nthOnDirection(trace: readonly TraceEvent[], arrow: Arrow): number {
  const dir = `${arrow.from}→${arrow.to}`;
  const copies = new Set<number>();
  const seen = new Set<number>();
  for (const e of trace) {
    if (e.type === 'duplicate') copies.add(e.packetId);
    if (
      (e.type === 'deliver' || e.type === 'drop') &&
      e.dir === dir &&
      e.link === arrow.link &&
      !copies.has(e.packetId)
    ) {
      seen.add(e.packetId);
      if (e.packetId === arrow.packetId) return seen.size;
    }
  }
  return seen.size + 1;
}

function dropPacket(lane: number, arrow: Arrow): void {
  const l = lanes[lane];
  if (!l || arrow.link === undefined) return;
  const n = nthOnDirection(l.trace, arrow);
  const previous = url;
  url = { ...url, drops: [...url.drops, { link: arrow.link, from: arrow.from, to: arrow.to, n }] };
  rerun(previous);
}

// ---- panels ------------------------------------------------------------------------------------------------------

function renderRepro(): void {
  const primary = lanes[0];
  $('sha').textContent = primary?.traceSha256 ?? '';
  $('run-id').textContent = primary?.run
    ? `${primary.run.request.scenario} · ${primary.run.request.method} · seed ${primary.run.seed}`
    : (primary?.title ?? '');
  const sc = primary?.run ? labRunner.scenario(primary.run.request.scenario) : undefined;
  $('scenario-desc').textContent = sc ? sc.description : '';
  $('replay').textContent = primary?.run
    ? replayCommand({
        scenario: primary.run.request.scenario,
        method: primary.run.request.method,
        seed: primary.run.seed,
        options: primary.run.request.options ?? {},
        params: primary.run.request.params ?? {},
        edited: url.drops.length > 0 || Object.keys(url.links).length > 0,
      })
    : '';
}

function renderFaults(): void {
  const root = $('faults');
  root.replaceChildren();
  const sc = scenarioOf(url.scenario);
  const table = el('table', { class: 'links' });
  table.append(
    el('tr', {}, el('th', {}, 'link'), el('th', {}, 'loss %'), el('th', {}, 'latency ms'), el('th', {}, 'jitter ms')),
  );
  const inputs: { link: string; fields: Partial<Record<LinkField, HTMLInputElement>> }[] = [];
  const FACTOR: Record<LinkField, number> = { lossPpm: 10_000, latencyUs: 1000, jitterUs: 1000 };
  for (const link of sc.links) {
    const p = { ...link.profile, ...url.links[link.name] };
    const row = { link: link.name, fields: {} as Partial<Record<LinkField, HTMLInputElement>> };
    const cells = LINK_FIELDS.map((f) => {
      const byParam = link.byParameter[f];
      if (byParam !== undefined)
        return el(
          'td',
          { class: 'by-param', title: 'set by a scenario parameter (Options panel)' },
          `param ${byParam}`,
        );
      const input = el('input', {
        type: 'number',
        min: '0',
        step: 'any',
        value: String((p[f] ?? 0) / FACTOR[f]),
        'aria-label': `${link.name} ${f}`,
      });
      row.fields[f] = input;
      return el('td', {}, input);
    });
    inputs.push(row);
    table.append(el('tr', {}, el('td', {}, `${link.name} (${link.nodes.join('–')})`), ...cells));
  }
  const apply = el('button', { type: 'button', id: 'apply-links' }, 'Apply & re-run (same seed)');
  apply.addEventListener('click', () => {
    const links: Record<string, Partial<Record<LinkField, number>>> = {};
    for (const r of inputs) {
      const profile: Partial<Record<LinkField, number>> = {};
      for (const f of LINK_FIELDS) {
        const input = r.fields[f];
        if (!input) continue;
        const v = Math.max(0, Math.round(Number(input.value) * FACTOR[f]));
        profile[f] = f === 'lossPpm' ? Math.min(1_000_000, v) : v;
      }
      links[r.link] = profile;
    }
    const previous = url;
    url = { ...url, links };
    rerun(previous);
  });
  root.append(table, apply);
  const drops = el('ul', { class: 'drops' });
  url.drops.forEach((d, i) => {
    const rm = el('button', { type: 'button', title: 'remove' }, '×');
    rm.addEventListener('click', () => {
      url = { ...url, drops: url.drops.filter((_x, k) => k !== i) };
      rerun();
    });
    drops.append(el('li', {}, `drop.nth: ${d.from} → ${d.to} on ${d.link}, packet #${d.n} `, rm));
  });
  if (url.drops.length > 0) root.append(el('div', { class: 'sub' }, 'Targeted drops'), drops);
}

function renderSettings(): void {
  const sc = scenarioOf(url.scenario);
  renderOptions($('options'), {
    policies: labRunner.policies(),
    parameters: sc.parameters,
    options: url.options,
    params: url.params,
    onChange: (options, params) => {
      const previous = url;
      url = { ...url, options, params };
      rerun(previous);
    },
  });
}

function renderCompare(): void {
  const root = $('compare');
  root.replaceChildren();
  const sc = scenarioOf(url.scenario);
  const seed = url.seed ?? sc.seed;
  const others = sc.methods.filter((m) => m !== url.method);
  const all = el('button', { type: 'button', id: 'compare-all' }, `Compare all ${sc.methods.length} methods`);
  all.addEventListener('click', () => {
    url = { ...url, compare: others.map((m) => ({ method: m, seed })) };
    rerun();
  });
  const none = el('button', { type: 'button', id: 'compare-none' }, 'One lane');
  none.addEventListener('click', () => {
    url = { ...url, compare: [] };
    rerun();
  });
  const picks = el('div', { class: 'row picks' });
  for (const m of others) {
    const on = url.compare.some((c) => c.method === m && c.seed === seed);
    const box = el('input', { type: 'checkbox', 'data-method': m });
    box.checked = on;
    box.addEventListener('change', () => {
      const rest = url.compare.filter((c) => !(c.method === m && c.seed === seed));
      url = { ...url, compare: box.checked ? [...rest, { method: m, seed }] : rest };
      rerun();
    });
    picks.append(el('label', {}, box, ` ${m} `));
  }
  const compactBox = el('input', { type: 'checkbox', id: 'compare-compact' });
  compactBox.checked = compareView.compact;
  compactBox.addEventListener('change', () => {
    compareView.compact = compactBox.checked;
    rerun(undefined, false);
  });
  const dhcpBox = el('input', { type: 'checkbox', id: 'compare-dhcp' });
  dhcpBox.checked = compareView.withDhcp;
  dhcpBox.addEventListener('change', () => {
    compareView.withDhcp = dhcpBox.checked;
    rerun(undefined, false);
  });
  root.append(
    el('div', { class: 'row' }, all, none),
    el('div', { class: 'sub' }, 'Lanes (same scenario, seed, options and link settings)'),
    picks,
    el(
      'div',
      { class: 'row' },
      el('label', {}, compactBox, ' compact lanes (clients and gateway)'),
      el('label', {}, dhcpBox, ' with the DHCP server'),
    ),
  );
  if (url.drops.length > 0 && url.compare.length > 0)
    root.append(
      el(
        'p',
        { class: 'notice', id: 'compare-drops' },
        `Your ${url.drops.length} targeted drop(s) apply to the first lane only: a drop names the n-th packet of that method's run, and the other methods send other packets.`,
      ),
    );
  const runs = lanes.flatMap((l) => (l.run ? [l.run] : []));
  if (runs.length === 0) return;
  const sameSeed = runs.every((r) => r.seed === runs[0]?.seed);
  const t = labRunner.compareTable(runs);
  const table = el('table', { class: 'metrics', id: 'metrics-table' });
  const head = el('tr', {}, el('th', {}, 'metric'));
  for (const m of t.header.slice(1)) {
    const st = methodStyle(m);
    head.append(el('th', { 'data-method': m, title: m, style: `color: ${st.colour}` }, `${st.marker} ${st.name}`));
  }
  table.append(head);
  for (const row of t.rows) {
    table.append(
      el(
        'tr',
        { 'data-metric': row.metric },
        el('td', { title: row.metric }, metricLabel(row.metric)),
        ...row.cells.map((v, i) =>
          el(
            'td',
            { ...(row.best[i] ? { class: 'best' } : {}), 'data-value': v === null ? '' : String(v) },
            formatMetric(row.metric, v),
          ),
        ),
      ),
    );
  }
  // Two methods with every figure equal say so, rather than leaving the reader to compare columns.
  const same: string[] = [];
  t.header.slice(1).forEach((m, j) => {
    const twin = t.header.slice(1, j + 1).find((_o, i) => t.rows.every((r) => r.cells[i] === r.cells[j]));
    if (twin !== undefined) same.push(`${methodStyle(m).name}: same figures as ${methodStyle(twin).name}`);
  });
  table.append(
    el(
      'tr',
      { 'data-metric': 'traceSha256' },
      el('td', {}, 'traceSha256'),
      ...runs.map((r) => el('td', { title: r.traceSha256, class: 'sha' }, r.traceSha256.slice(0, 12))),
    ),
  );
  root.append(
    el(
      'div',
      { class: 'sub' },
      sameSeed ? `Same numbers as dhcpike compare ${runs[0]?.result.scenario} --seed ${runs[0]?.seed}` : 'Mixed seeds',
    ),
    el('div', { class: 'table-scroll' }, table),
    ...same.map((t2) => el('p', { class: 'same-as' }, t2)),
  );
}

function showErrors(errors: readonly FieldError[], title = ''): void {
  const root = $('errors');
  root.replaceChildren();
  if (errors.length === 0) {
    root.hidden = true;
    return;
  }
  root.hidden = false;
  const close = el('button', { type: 'button', class: 'err-close', title: 'dismiss' }, '×');
  close.addEventListener('click', () => showErrors([]));
  root.append(close, el('div', { class: 'err-title' }, title));
  const list = el('ul');
  for (const e of errors.slice(0, 20)) list.append(el('li', {}, formatFieldError(e)));
  if (errors.length > 20) list.append(el('li', {}, `… ${errors.length - 20} more`));
  root.append(list);
}

/** Each claim links to its experiment: the claim's scenario, one link per method (and per condition). */
function claimLinks(c: ClaimReport): HTMLElement {
  const doc = loadClaims().find((d) => d.id === c.id);
  const conditions = doc?.conditions ?? [{ label: '' }];
  const box = el('div', { class: 'claim-links' });
  for (const cond of conditions) {
    const condition = cond as { label: string; params?: Record<string, unknown>; options?: Record<string, unknown> };
    for (const m of c.methods) {
      const text = (o: Record<string, unknown> | undefined): Record<string, string> =>
        Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, String(v)]));
      const href = formatUrlState({
        scenario: c.scenario,
        method: m,
        ...(doc?.seed !== undefined ? { seed: doc.seed } : {}),
        options: { ...text(doc?.options), ...text(condition.options) },
        params: { ...text(doc?.params), ...text(condition.params) },
        drops: [],
        links: {},
        compare: [],
      });
      box.append(
        el(
          'a',
          { href, class: 'open-experiment', 'data-method': m },
          `${c.scenario} · ${m}${condition.label ? ` · ${condition.label}` : ''} →`,
        ),
      );
    }
  }
  return box;
}

function renderClaims(claims: readonly ClaimReport[], source: string): void {
  const root = $('claims');
  root.replaceChildren(el('div', { class: 'sub' }, source));
  for (const c of claims) {
    const figures = c.figures
      .map(
        (f) =>
          `${f.condition === 'default' ? '' : `${f.condition}: `}${f.method} ${Object.entries(f.values)
            .map(([k, v]) => `${k}=${v === null ? '—' : String(v)}`)
            .join(', ')}`,
      )
      .join(' · ');
    root.append(
      el(
        'div',
        { class: 'claim', 'data-claim': c.id },
        el(
          'div',
          { class: 'claim-head' },
          el('span', { class: `verdict v-${c.verdict.replace(/[^a-z]/g, '')}` }, c.verdict),
          ` ${c.id} · ${c.section}`,
        ),
        el('div', { class: 'claim-text' }, `“${c.claim}”`),
        el('div', { class: 'claim-measure' }, c.measure),
        ...(c.reason !== undefined ? [el('div', { class: 'claim-reason' }, c.reason)] : []),
        el('div', { class: 'claim-figs' }, figures),
        ...(c.clients ?? []).map((k) =>
          el(
            'div',
            { class: 'claim-client', 'data-method': k.method },
            `${k.method}: ${k.machines
              .map((m) =>
                m.pending ? `${m.name} (not counted: ${m.pending})` : `${m.name} ${m.states}/${m.transitions}`,
              )
              .join(
                ' + ',
              )} = ${k.states ?? '—'} states / ${k.transitions ?? '—'} transitions · ${k.mirroredStates.length} IKE-side states mirror DHCP · code ${k.code.client} lines (${k.code.withoutDhcp} without the RFC 2131 client), gateway ${k.code.gateway}`,
          ),
        ),
        claimLinks(c),
      ),
    );
  }
}

// ---- files ---------------------------------------------------------------------------------------------------------

async function loadFile(kind: string, file: File): Promise<void> {
  const text = await file.text();
  if (kind === 'trace') {
    const r = validateTraceJsonl(text);
    if (!r.ok) return showErrors(r.errors, `${file.name}: not a valid trace`);
    const sha = traceSha256(r.value);
    large.leave();
    lanes = [{ title: `file ${file.name}`, trace: r.value, traceSha256: sha, model: buildLane(r.value) }];
    showErrors([]);
    showLanes();
    return;
  }
  if (kind === 'sweep') {
    const r = validateSweepJsonl(text);
    if (!r.ok) return showErrors(r.errors, `${file.name}: not a valid sweep result`);
    showErrors([]);
    ($('sweeps-panel') as HTMLDetailsElement).open = true;
    renderSweeps($('sweeps'), r.value);
    return;
  }
  if (kind === 'claims') {
    const r = validateClaimsJson(text);
    if (!r.ok) return showErrors(r.errors, `${file.name}: not a valid claims report`);
    showErrors([]);
    ($('claims-panel') as HTMLDetailsElement).open = true;
    renderClaims(r.value.claims, `From ${file.name}`);
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return showErrors([{ path: '$', message: `not JSON: ${(e as Error).message}` }], `${file.name}: not a scenario`);
  }
  const r = labRunner.addScenario(doc);
  if (!r.ok)
    return showErrors(
      r.problems.map((p) => ({ path: p.path || '$', message: `expected ${p.expected}, found ${p.found}` })),
      `${file.name}: not a valid scenario (scenarios/ schema)`,
    );
  fillScenarios();
  url = { scenario: r.id, options: {}, params: {}, drops: [], links: {}, compare: [] };
  if (rerun()) syncInputs();
}

// ---- controls ------------------------------------------------------------------------------------------------------

function fillScenarios(): void {
  const scSel = $('scenario') as HTMLSelectElement;
  scSel.replaceChildren(
    ...labRunner
      .listScenarios()
      .map((s) =>
        el(
          'option',
          { value: s.id, title: s.description },
          `${s.id}${s.fromFile ? ' (file)' : ''}${s.clients > 50 ? ` (${s.clients} clients, aggregate view)` : ''}`,
        ),
      ),
  );
}

function syncInputs(): void {
  const scSel = $('scenario') as HTMLSelectElement;
  const mSel = $('method') as HTMLSelectElement;
  const seedIn = $('seed') as HTMLInputElement;
  const sc = scenarioOf(url.scenario);
  scSel.value = sc.id;
  mSel.replaceChildren(...sc.methods.map((m) => el('option', { value: m }, m)));
  mSel.value = url.method ?? sc.defaultMethod;
  seedIn.value = String(url.seed ?? sc.seed);
}

function initControls(): void {
  fillScenarios();
  const scSel = $('scenario') as HTMLSelectElement;
  const mSel = $('method') as HTMLSelectElement;
  const seedIn = $('seed') as HTMLInputElement;
  scSel.addEventListener('change', () => {
    url = { scenario: scSel.value, options: {}, params: {}, drops: [], links: {}, compare: [] };
    rerun();
    syncInputs();
  });
  mSel.addEventListener('change', () => {
    const dropped = url.drops.length;
    url = { ...url, method: mSel.value, drops: [], compare: url.compare.filter((c) => c.method !== mSel.value) };
    rerun();
    // A drop names a packet of the previous method's run; say that it went, rather than losing it silently.
    if (dropped > 0)
      showErrors(
        [
          {
            path: 'drops',
            message: `${dropped} targeted drop(s) cleared: they named packets of the previous method's run`,
          },
        ],
        'Changed method',
      );
  });
  $('run').addEventListener('click', () => {
    const seed = Number(seedIn.value);
    const s = Number.isSafeInteger(seed) && seed >= 0 ? seed : DEFAULT_SEED;
    url = { ...url, seed: s, compare: url.compare.map((c) => ({ ...c, seed: s })) };
    rerun();
    syncInputs();
  });
  $('play').addEventListener('click', () => (playing ? pause() : play()));
  $('toggle-side').addEventListener('click', () => layout.togglePanels());
  $('present').addEventListener('click', () => {
    layout.togglePresentation();
    $('present').setAttribute('aria-pressed', String(layout.presenting));
  });
  $('captions').addEventListener('change', () => showCaption());
  const copy = (id: string, text: () => string): void =>
    $(id).addEventListener('click', () => {
      void navigator.clipboard?.writeText(text());
      $(id).dataset.copied = 'true';
      setTimeout(() => delete $(id).dataset.copied, 1200);
    });
  copy('copy-sha', () => $('sha').textContent ?? '');
  copy('copy-link', () => location.href);
  copy('copy-replay', () => $('replay').textContent ?? '');
  $('back').addEventListener('click', () => step(-1));
  $('fwd').addEventListener('click', () => step(1));
  const speedSel = $('speed') as HTMLSelectElement;
  for (const s of SPEEDS) speedSel.append(el('option', { value: String(s) }, `×${s}`));
  speedSel.value = '1';
  speedSel.addEventListener('change', () => setSpeed(Number(speedSel.value)));
  const jump = $('jump') as HTMLInputElement;
  jump.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    const secs = Number(jump.value);
    if (Number.isFinite(secs)) {
      pause();
      setCursor(Math.round(secs * 1_000_000), true);
      writeUrl();
    }
  });
  document.addEventListener('keydown', (ev) => {
    const t = ev.target as HTMLElement;
    if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA') return;
    if (ev.key === ' ') {
      ev.preventDefault();
      if (playing) pause();
      else play();
    } else if (ev.key === 'ArrowRight') {
      ev.preventDefault();
      step(1);
    } else if (ev.key === 'ArrowLeft') {
      ev.preventDefault();
      step(-1);
    } else if (ev.key === '+' || ev.key === '=') {
      setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(speed) + 1)] ?? speed);
    } else if (ev.key === '-') {
      setSpeed(SPEEDS[Math.max(0, SPEEDS.indexOf(speed) - 1)] ?? speed);
    }
  });
  $('export-jsonl').addEventListener('click', () =>
    large.shows(lanes[0]?.run)
      ? void large.exportTrace('jsonl')
      : download('trace.jsonl', traceJsonl(lanes[0]?.trace ?? []), 'application/x-ndjson'),
  );
  $('export-pcap').addEventListener('click', () =>
    large.shows(lanes[0]?.run)
      ? void large.exportTrace('pcap')
      : download('trace.pcap', tracePcap(lanes[0]?.trace ?? []), 'application/vnd.tcpdump.pcap'),
  );
  // Beside the pcap: the keys Wireshark opens it with (shown only for a real-crypto run, showLanes).
  $('export-keys').addEventListener('click', () =>
    large.shows(lanes[0]?.run)
      ? void large.exportTrace('keys')
      : download('trace.keys', traceKeysText(lanes[0]?.trace ?? []) ?? '', 'text/plain'),
  );
  $('export-svg').addEventListener('click', () => download('ladder.svg', ladder.svgText(), 'image/svg+xml'));
  for (const kind of ['trace', 'sweep', 'claims', 'scenario']) {
    const input = $(`load-${kind}`) as HTMLInputElement;
    input.addEventListener('change', () => {
      const f = input.files?.[0];
      if (f) void loadFile(kind, f);
      input.value = '';
    });
  }
  $('evaluate-claims').addEventListener('click', () => {
    const root = $('claims');
    root.replaceChildren(el('p', { class: 'hint' }, 'Evaluating (runs every experiment)…'));
    // Let the hint paint before the synchronous runs.
    setTimeout(() => renderClaims(evaluateClaims(), 'Evaluated in this browser (same code as dhcpike claims)'), 20);
  });
  // Back/Forward (entries pushed per run) and a hand-edited hash both land here; `t=` moves the cursor.
  const followUrl = (): void => {
    const parsed = parseUrlState(location.hash);
    const same =
      formatUrlState({ ...parsed.state, cursorUs: undefined }) === formatUrlState({ ...url, cursorUs: undefined });
    url = parsed.state;
    if (same) {
      pause();
      setCursor(parsed.state.cursorUs ?? endUs(), true);
      return;
    }
    if (rerun(undefined, false)) syncInputs();
    if (parsed.state.cursorUs !== undefined) setCursor(parsed.state.cursorUs, true);
    if (parsed.errors.length > 0)
      showErrors(
        parsed.errors.map((m) => ({ path: 'URL', message: m })),
        'Parts of the link were ignored',
      );
  };
  window.addEventListener('hashchange', followUrl);
  window.addEventListener('popstate', followUrl);
  syncInputs();
}

function start(): void {
  const parsed = parseUrlState(location.hash);
  url = parsed.state;
  let failure: unknown;
  try {
    runAll();
  } catch (e) {
    failure = e;
    url = { options: {}, params: {}, drops: [], links: {}, compare: [] };
    runAll();
  }
  initControls();
  showLanes();
  writeUrl();
  if (failure !== undefined) showRunError(failure);
  else if (parsed.errors.length > 0)
    showErrors(
      parsed.errors.map((m) => ({ path: 'URL', message: m })),
      'Parts of the link were ignored',
    );
  requestAnimationFrame(() => {
    stats.firstFrameMs = performance.now();
    performance.mark('lab-first-frame');
    document.body.dataset.ready = 'true';
  });
}

start();
