/**
 * The lab's Web Worker: runs a scenario with the page's own runner (web/runner.ts → scenarios/browser.ts, the same
 * deterministic code as `dhcpike run`, so the same traceSha256), posts progress between slices of simulator events
 * (scenarios/run.ts `progress`), then keeps the whole trace here and sends the page the run without it: the
 * aggregate series (web/model/aggregate.ts) and the picked clients' events (web/model/aggregate-picks.ts). The page
 * asks for other clients (`pick`) or for the whole trace as a file (`export`) later.
 */
import '../csp.ts';
import { aggregateTrace } from '../model/aggregate.ts';
import { tracePicks } from '../model/aggregate-picks.ts';
import { traceJsonl, traceKeysText, tracePcap } from '../model/exports.ts';
import { LabRunError, labRunner, type LabRun } from '../runner.ts';
import type { FromWorker, RunMessage, ToWorker } from './protocol.ts';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}
const scope = self as unknown as WorkerScope;

/** The last finished run, whole. */
let last: LabRun | undefined;

function post(m: FromWorker): void {
  scope.postMessage(m);
}

/** The picked clients' view of a run: its trace replaced by their events (digest and metrics stay the run's). */
function pickedRun(run: LabRun, picks: readonly string[]): LabRun {
  const trace = tracePicks(run.trace, picks);
  return { ...run, trace, result: { ...run.result, trace } };
}

/**
 * The metrics without their per-client and per-link-direction lists (`perClient`, `links`: ~360 kB for storm-1000,
 * which nothing on the page reads; `dhcpike run --json` has them). Cloning them into the page would be the longest
 * part of receiving the run.
 */
function trimmed(run: LabRun): LabRun {
  const metrics = { ...run.metrics, perClient: [], links: [] };
  return { ...run, metrics, result: { ...run.result, metrics } };
}

function onRun(m: RunMessage): void {
  last = undefined;
  if (m.document !== undefined) labRunner.addScenario(m.document);
  const run = labRunner.run(m.request, {
    everyEvents: m.everyEvents,
    onProgress: (p) => post({ type: 'progress', id: m.id, ...p }),
  });
  last = run;
  const clients = run.result.roles.clients;
  if (!m.aggregate) {
    post({
      type: 'done',
      id: m.id,
      view: { run, aggregate: null, clients, picks: clients, traceEvents: run.trace.length },
    });
    return;
  }
  const picks = clients.slice(0, m.picks);
  post({
    type: 'done',
    id: m.id,
    view: {
      run: trimmed(pickedRun(run, picks)),
      aggregate: aggregateTrace(run.trace, clients, run.metrics.durationUs),
      clients,
      picks,
      traceEvents: run.trace.length,
    },
  });
}

scope.onmessage = (ev) => {
  const m = ev.data;
  try {
    if (m.type === 'run') onRun(m);
    else if (m.type === 'pick') {
      const known = new Set(last?.result.roles.clients ?? []);
      const picks = m.clients.filter((c) => known.has(c));
      post({ type: 'picked', id: m.id, picks, trace: last ? tracePicks(last.trace, picks) : [] });
    } else if (m.type === 'export') {
      const trace = last?.trace ?? [];
      const blob =
        m.format === 'jsonl'
          ? new Blob([traceJsonl(trace)], { type: 'application/x-ndjson' })
          : m.format === 'keys'
            ? new Blob([traceKeysText(trace) ?? ''], { type: 'text/plain' })
            : new Blob([new Uint8Array(tracePcap(trace))], { type: 'application/vnd.tcpdump.pcap' });
      post({ type: 'exported', id: m.id, blob });
    }
  } catch (e) {
    post({
      type: 'error',
      id: m.id,
      message: e instanceof Error ? e.message : String(e),
      problems: e instanceof LabRunError ? e.problems : [],
    });
  }
};
