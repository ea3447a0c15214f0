/** The browser lab: wires the runner, the ladder, the player, the inspector and the side panels together. */
import './style.css';
import type { RunMetrics } from '../sim/metrics.ts';
import { formatSeconds } from '../sim/ladder.ts';
import type { SendEvent, TraceEvent } from '../sim/trace.ts';
import { traceSha256 } from '../sim/trace-hash.ts';
import { buildLane, type Arrow, type LaneModel } from './model/ladder-model.ts';
import { stateEvents } from './model/states.ts';
import { traceJsonl, tracePcap } from './model/exports.ts';
import { labRunner, type LabRun, type RunRequest, type ScenarioInfo } from './runner.ts';
import { DEFAULT_SEED, formatUrlState, parseUrlState, type DropNth, type UrlState } from './url-state.ts';
import { formatFieldError, type FieldError } from './validate/check.ts';
import {
  validateClaimsJson,
  validateScenarioJson,
  validateSweepJsonl,
  validateTraceJsonl,
  type Claim,
} from './validate/files.ts';
import { download, el } from './ui/dom.ts';
import { renderInspector } from './ui/inspector-view.ts';
import { LadderView } from './ui/ladder-view.ts';
import { StateView } from './ui/state-view.ts';
import { renderSweeps } from './ui/sweeps-view.ts';

interface Lane {
  readonly title: string;
  readonly trace: readonly TraceEvent[];
  readonly traceSha256: string;
  readonly metrics?: RunMetrics;
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

const scenarios: readonly ScenarioInfo[] = labRunner.listScenarios();
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

// ---- runs ------------------------------------------------------------------------------------------------------

function scenarioOf(id: string | undefined): ScenarioInfo {
  return scenarios.find((s) => s.id === id) ?? (scenarios[0] as ScenarioInfo);
}

function dropFaults(drops: readonly DropNth[]): RunRequest['overrides'] {
  return {
    links: url.links,
    faults: drops.map((d, i) => ({
      type: 'drop.nth',
      atUs: 0,
      id: `ui-drop-${i + 1}`,
      link: d.link,
      from: d.from,
      to: d.to,
      n: d.n,
    })),
  };
}

function laneFromRun(run: LabRun, title: string): Lane {
  return {
    title,
    trace: run.trace,
    traceSha256: run.traceSha256,
    metrics: run.metrics,
    run,
    model: buildLane(
      run.trace,
      run.nodes.map((n) => n.name),
    ),
  };
}

function runAll(): void {
  const sc = scenarioOf(url.scenario);
  const method = url.method && sc.methods.includes(url.method) ? url.method : sc.defaultMethod;
  url = { ...url, scenario: sc.id, method };
  const primary = labRunner.run({ scenario: sc.id, method, seed: url.seed, overrides: dropFaults(url.drops) });
  lanes = [laneFromRun(primary, `${method} · seed ${url.seed}`)];
  for (const c of url.compare) {
    const r = labRunner.run({ scenario: sc.id, method: c.method, seed: c.seed, overrides: { links: url.links } });
    lanes.push(laneFromRun(r, `${c.method} · seed ${c.seed}`));
  }
  showErrors([]);
}

function showLanes(): void {
  ladder.render(lanes.map((l) => ({ title: l.title, model: l.model })));
  stateView.setEvents(stateEvents(lanes[0]?.trace ?? []));
  ladder.setSelected('');
  renderInspector($('inspector'), undefined, undefined, undefined);
  renderRepro();
  renderFaults();
  renderCompare();
  // Opened without a time, the whole ladder is shown (cursor at the end); Play starts again from 0.
  setCursor(Math.min(url.cursorUs ?? endUs(), endUs()));
}

function endUs(): number {
  return Math.max(0, ...lanes.map((l) => l.model.endUs));
}

function writeUrl(): void {
  history.replaceState(null, '', formatUrlState({ ...url, ...(cursorUs > 0 ? { cursorUs } : {}) }));
}

function rerun(): void {
  pause();
  const keep = cursorUs;
  runAll();
  url = { ...url, cursorUs: keep };
  showLanes();
  writeUrl();
}

// ---- cursor and player -------------------------------------------------------------------------------------------

function setCursor(atUs: number, follow = false): void {
  cursorUs = Math.max(0, Math.min(atUs, endUs()));
  const y = ladder.setCursor(cursorUs);
  stateView.update(cursorUs);
  $('time').textContent = `${formatSeconds(Math.round(cursorUs))} s`;
  if (follow) {
    const box = $('ladder');
    const view = box.clientHeight;
    if (y < box.scrollTop + 80 || y > box.scrollTop + view - 80) box.scrollTop = y - view / 3;
  }
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
  // Playback moves along the drawn axis (pixels), so compressed idle gaps pass quickly.
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
  renderInspector($('inspector'), arrow, send, canDrop ? () => dropPacket(lane, arrow) : undefined);
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
  url = { ...url, drops: [...url.drops, { link: arrow.link, from: arrow.from, to: arrow.to, n }] };
  rerun();
}

// ---- panels ------------------------------------------------------------------------------------------------------

function renderRepro(): void {
  const primary = lanes[0];
  $('sha').textContent = primary?.traceSha256 ?? '';
  $('run-id').textContent = primary?.run
    ? `${primary.run.request.scenario} · ${primary.run.request.method} · seed ${primary.run.request.seed}`
    : (primary?.title ?? '');
}

function renderFaults(): void {
  const root = $('faults');
  root.replaceChildren();
  const sc = scenarioOf(url.scenario);
  const table = el('table', { class: 'links' });
  table.append(
    el('tr', {}, el('th', {}, 'link'), el('th', {}, 'loss %'), el('th', {}, 'latency ms'), el('th', {}, 'jitter ms')),
  );
  const inputs: { link: string; loss: HTMLInputElement; lat: HTMLInputElement; jit: HTMLInputElement }[] = [];
  for (const link of sc.links) {
    const p = { ...link.profile, ...url.links[link.name] };
    const num = (v: number, label: string): HTMLInputElement =>
      el('input', { type: 'number', min: '0', step: 'any', value: String(v), 'aria-label': `${link.name} ${label}` });
    const row = {
      link: link.name,
      loss: num((p.lossPpm ?? 0) / 10_000, 'loss'),
      lat: num((p.latencyUs ?? 0) / 1000, 'latency'),
      jit: num((p.jitterUs ?? 0) / 1000, 'jitter'),
    };
    inputs.push(row);
    table.append(
      el(
        'tr',
        {},
        el('td', {}, `${link.name} (${link.nodes.join('–')})`),
        el('td', {}, row.loss),
        el('td', {}, row.lat),
        el('td', {}, row.jit),
      ),
    );
  }
  const apply = el('button', { type: 'button', id: 'apply-links' }, 'Apply & re-run (same seed)');
  apply.addEventListener('click', () => {
    const links: Record<string, { lossPpm: number; latencyUs: number; jitterUs: number }> = {};
    for (const r of inputs) {
      links[r.link] = {
        lossPpm: Math.min(1_000_000, Math.max(0, Math.round(Number(r.loss.value) * 10_000))),
        latencyUs: Math.max(0, Math.round(Number(r.lat.value) * 1000)),
        jitterUs: Math.max(0, Math.round(Number(r.jit.value) * 1000)),
      };
    }
    url = { ...url, links };
    rerun();
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

const METRIC_ROWS: [string, (m: RunMetrics, l: Lane) => string][] = [
  ['packets sent', (m) => String(m.packetsSent)],
  ['bytes sent', (m) => String(m.bytesSent)],
  ['packets delivered', (m) => String(m.packetsDelivered)],
  ['packets dropped', (m) => String(Object.values(m.packetsDropped).reduce((a, b) => a + b, 0))],
  ['duplicates', (m) => String(m.packetsDuplicated)],
  ['address at', (_m, l) => addressAt(l.trace)],
  ['last event', (_m, l) => `${formatSeconds(l.model.endUs)} s`],
  ['traceSha256', (_m, l) => l.traceSha256.slice(0, 12)],
];

/** The first `address.bound` note (demo) or DHCP BOUND state: when the client got its inner address. */
function addressAt(trace: readonly TraceEvent[]): string {
  const e = trace.find(
    (x) => (x.type === 'note' && x.text === 'address.bound') || (x.type === 'state' && x.to === 'BOUND'),
  );
  return e ? `${formatSeconds(e.atUs)} s` : '—';
}

function renderCompare(): void {
  const root = $('compare');
  root.replaceChildren();
  const sc = scenarioOf(url.scenario);
  const picks = el('div', { class: 'row' });
  for (const m of sc.methods) {
    const on = url.compare.some((c) => c.method === m && c.seed === url.seed);
    const box = el('input', { type: 'checkbox', 'data-method': m });
    box.checked = on;
    box.addEventListener('change', () => {
      const others = url.compare.filter((c) => !(c.method === m && c.seed === url.seed));
      url = { ...url, compare: box.checked ? [...others, { method: m, seed: url.seed }] : others };
      rerun();
    });
    picks.append(el('label', {}, box, ` ${m} `));
  }
  root.append(el('div', { class: 'sub' }, 'Add lanes (same scenario, seed and link settings)'), picks);
  const table = el('table', { class: 'metrics' });
  table.append(el('tr', {}, el('th', {}, ''), ...lanes.map((l) => el('th', {}, l.title))));
  for (const [name, f] of METRIC_ROWS) {
    table.append(
      el(
        'tr',
        {},
        el('td', {}, name),
        ...lanes.map((l) =>
          el('td', {}, l.metrics ? f(l.metrics, l) : name === 'traceSha256' ? l.traceSha256.slice(0, 12) : '—'),
        ),
      ),
    );
  }
  root.append(table);
}

function showErrors(errors: readonly FieldError[], title = ''): void {
  const root = $('errors');
  root.replaceChildren();
  if (errors.length === 0) {
    root.hidden = true;
    return;
  }
  root.hidden = false;
  root.append(el('div', { class: 'err-title' }, title));
  const list = el('ul');
  for (const e of errors.slice(0, 20)) list.append(el('li', {}, formatFieldError(e)));
  if (errors.length > 20) list.append(el('li', {}, `… ${errors.length - 20} more`));
  root.append(list);
}

function renderClaims(claims: readonly Claim[]): void {
  const root = $('claims');
  root.replaceChildren();
  for (const c of claims) {
    const open = el(
      'a',
      {
        href: formatUrlState({
          scenario: c.experiment.scenario,
          method: c.experiment.method,
          seed: c.experiment.seed,
          drops: [],
          links: {},
          compare: [],
        }),
      },
      'open experiment →',
    );
    const figures = Object.entries(c.figures)
      .map(([k, v]) => `${k} = ${String(v)}`)
      .join(' · ');
    root.append(
      el(
        'div',
        { class: 'claim' },
        el(
          'div',
          { class: 'claim-head' },
          el('span', { class: `verdict v-${c.verdict.toLowerCase().replace(/[^a-z]/g, '')}` }, c.verdict),
          ` ${c.id} · ${c.section}`,
        ),
        el('div', { class: 'claim-text' }, c.text),
        el('div', { class: 'claim-figs' }, figures),
        open,
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
    renderClaims(r.value.claims);
    return;
  }
  const r = validateScenarioJson(text);
  if (!r.ok) return showErrors(r.errors, `${file.name}: not a valid scenario`);
  showErrors(
    [{ path: '$', message: 'scenario is valid; running loaded scenarios arrives with the scenarios/ runner' }],
    `${file.name}`,
  );
}

// ---- controls ------------------------------------------------------------------------------------------------------

function initControls(): void {
  const scSel = $('scenario') as HTMLSelectElement;
  for (const s of scenarios) scSel.append(el('option', { value: s.id }, s.title));
  const mSel = $('method') as HTMLSelectElement;
  const seedIn = $('seed') as HTMLInputElement;
  const fillMethods = (): void => {
    mSel.replaceChildren(...scenarioOf(scSel.value).methods.map((m) => el('option', { value: m }, m)));
  };
  const syncInputs = (): void => {
    scSel.value = url.scenario ?? scSel.value;
    fillMethods();
    mSel.value = url.method ?? mSel.value;
    seedIn.value = String(url.seed);
  };
  scSel.addEventListener('change', () => {
    url = { scenario: scSel.value, seed: url.seed, drops: [], links: {}, compare: [] };
    rerun();
    syncInputs();
  });
  mSel.addEventListener('change', () => {
    url = { ...url, method: mSel.value, drops: [] };
    rerun();
  });
  $('run').addEventListener('click', () => {
    const seed = Number(seedIn.value);
    url = { ...url, seed: Number.isSafeInteger(seed) && seed >= 0 ? seed : DEFAULT_SEED };
    rerun();
    syncInputs();
  });
  $('play').addEventListener('click', () => (playing ? pause() : play()));
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
    download('trace.jsonl', traceJsonl(lanes[0]?.trace ?? []), 'application/x-ndjson'),
  );
  $('export-pcap').addEventListener('click', () =>
    download('trace.pcap', tracePcap(lanes[0]?.trace ?? []), 'application/vnd.tcpdump.pcap'),
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
  window.addEventListener('hashchange', () => {
    url = parseUrlState(location.hash).state;
    runAll();
    showLanes();
    syncInputs();
  });
  syncInputs();
}

function start(): void {
  const parsed = parseUrlState(location.hash);
  url = parsed.state;
  try {
    runAll();
  } catch (e) {
    url = { ...url, scenario: undefined, method: undefined, drops: [] } as UrlState;
    runAll();
    parsed.errors.push(String((e as Error).message));
  }
  initControls();
  showLanes();
  if (parsed.errors.length > 0)
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
