/**
 * Large runs in the browser lab (issue 16 item 6): a request with more than 50 clients runs in the worker
 * (client.ts) with a progress bar and Cancel (ui/progress-view.ts), then shows its aggregate (ui/aggregate-view.ts)
 * above a ladder of the few clients the user picks. main.ts calls `handles` from its run path and draws the lane it
 * gets back through `onRun`; everything else about large runs lives here.
 */
import { AGGREGATE_CLIENTS_MIN } from '../model/aggregate.ts';
import { PICKS_DEFAULT, PICKS_MAX } from '../model/aggregate-picks.ts';
import { labRunner, type LabRun, type NodeInfo, type RunRequest } from '../runner.ts';
import { AggregateView } from '../ui/aggregate-view.ts';
import { el } from '../ui/dom.ts';
import { ProgressView } from '../ui/progress-view.ts';
import { LabWorkerClient, RunCancelledError } from './client.ts';
import type { LargeRunView } from './protocol.ts';

export interface LargeRunHooks {
  /** A large run finished, or the picked clients changed: draw this run (its trace is the picked clients' part). */
  readonly onRun: (run: LabRun) => void;
  /** The run failed (bad scenario…): show its problems. */
  readonly onError: (e: unknown) => void;
  /** A click on a chart. */
  readonly onTimeClick: (atUs: number) => void;
}

/** What tests (test/web/large-run.browser.test.ts) and the bench reach through `window.__labLarge`. */
export interface LargeRunProbe {
  /** Runs a request in a fresh worker and returns the whole run's digest (any size; nothing is drawn). */
  workerDigest(request: RunRequest): Promise<{ traceSha256: string; traceEvents: number }>;
  /** Whether a run is going. */
  busy(): boolean;
}

const secs = (us: number): string => (us / 1_000_000).toFixed(1);

/** Ends the current task: receiving, charting and laying out the ladder each get their own, so none is long. */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class LargeRuns {
  private readonly worker = new LabWorkerClient();
  private readonly progress: ProgressView;
  private readonly aggregate: AggregateView;
  private view: LargeRunView | undefined;
  private generation = 0;

  constructor(
    progressRoot: HTMLElement,
    aggregateRoot: HTMLElement,
    private readonly hooks: LargeRunHooks,
  ) {
    this.progress = new ProgressView(progressRoot, () => this.cancel());
    this.aggregate = new AggregateView(aggregateRoot, {
      onPick: (clients) => void this.pick(clients),
      onTimeClick: (atUs) => hooks.onTimeClick(atUs),
    });
    const probe: LargeRunProbe = {
      workerDigest: async (request) => {
        const w = new LabWorkerClient();
        try {
          const v = await w.run(request, { aggregate: true, picks: 0 });
          return { traceSha256: v.run.traceSha256, traceEvents: v.traceEvents };
        } finally {
          w.cancel();
        }
      },
      busy: () => this.worker.busy,
    };
    (window as unknown as { __labLarge: LargeRunProbe }).__labLarge = probe;
  }

  /** `run` (the lane drawn) is the large run shown: the exports ask the worker for its whole trace. */
  shows(run: LabRun | undefined): boolean {
    return run !== undefined && this.view !== undefined && this.view.run.traceSha256 === run.traceSha256;
  }

  /**
   * Starts `request` in the worker when it is large (true: the caller draws nothing now, `onRun` follows); else hides
   * the large-run views, stops a run still going and returns false.
   */
  handles(request: RunRequest, o: { readonly compareLanes?: number } = {}): boolean {
    if (labRunner.clientsOf(request) < AGGREGATE_CLIENTS_MIN) {
      this.leave();
      return false;
    }
    void this.start(request, o.compareLanes ?? 0);
    return true;
  }

  /** Hides the large-run views and stops a run still going (a small run, or a trace file, replaces them). */
  leave(): void {
    this.generation++;
    if (this.worker.busy) this.worker.cancel();
    this.view = undefined;
    this.progress.hide();
    this.aggregate.hide();
  }

  private async start(request: RunRequest, compareLanes: number): Promise<void> {
    const generation = ++this.generation;
    this.view = undefined;
    this.aggregate.hide();
    const title = `${request.scenario} · ${request.method} · seed ${request.seed ?? 'default'}`;
    // Compare lanes of a large run would be as many more runs of as many clients: not run, and said so.
    const note = compareLanes > 0 ? ` (compare lanes are not run for large runs: ${compareLanes} left out)` : '';
    this.progress.start(`Running ${title} in a worker${note}`);
    document.body.dataset.largeRun = 'running';
    const document_ = labRunner.userDocument(request.scenario);
    try {
      const view = await this.worker.run(request, {
        aggregate: true,
        picks: PICKS_DEFAULT,
        onProgress: (p) => this.progress.update(p),
        ...(document_ !== undefined ? { document: document_ } : {}),
      });
      await nextTask();
      if (generation !== this.generation) return;
      this.progress.finish(
        'done',
        `done: ${secs(view.run.metrics.durationUs)} s simulated, ${view.traceEvents.toLocaleString('en')} trace events (kept in the worker)`,
      );
      await this.show(view);
      if (generation !== this.generation) return;
      document.body.dataset.largeRun = 'done';
    } catch (e) {
      if (generation !== this.generation) return;
      if (e instanceof RunCancelledError) {
        const p = this.progress.last;
        this.progress.finish(
          'cancelled',
          p
            ? `cancelled at ${secs(p.atUs)} s of ${secs(p.durationUs)} s (${p.addressed} of ${p.clients} clients addressed); press Run to start again`
            : 'cancelled; press Run to start again',
        );
        document.body.dataset.largeRun = 'cancelled';
        return;
      }
      this.progress.finish('failed', 'the run failed');
      document.body.dataset.largeRun = 'failed';
      this.hooks.onError(e);
    }
  }

  cancel(): void {
    if (this.worker.busy) this.worker.cancel();
  }

  private async show(view: LargeRunView): Promise<void> {
    this.view = view;
    const generation = this.generation;
    const m = view.run.metrics;
    const retransmits = m.retransmits.ike + m.retransmits.dhcp;
    if (view.aggregate)
      await this.aggregate.render({
        aggregate: view.aggregate,
        clients: view.clients,
        picks: view.picks,
        summary:
          `· addressed ${m.addressed} · readdressed ${m.readdressed} · retransmissions ${retransmits} ` +
          `(IKE ${m.retransmits.ike}, DHCP ${m.retransmits.dhcp}) · DHCP queue peak ${m.dhcpQueuePeak}`,
      });
    await nextTask();
    if (generation !== this.generation || this.view !== view) return;
    this.hooks.onRun(this.withNodes(view.run, view.picks));
  }

  /** Lifelines: the picked clients, then the gateways (the picked clients' packets cross them). */
  private withNodes(run: LabRun, picks: readonly string[]): LabRun {
    const picked = new Set(picks);
    const gateways = new Set(run.result.roles.gateways);
    const nodes: NodeInfo[] = run.nodes.filter((n) => picked.has(n.name) || gateways.has(n.name));
    return { ...run, nodes };
  }

  private async pick(clients: readonly string[]): Promise<void> {
    const view = this.view;
    if (!view) return;
    const generation = this.generation;
    const m = await this.worker.pick(clients.slice(0, PICKS_MAX));
    if (generation !== this.generation || this.view !== view) return;
    const run: LabRun = { ...view.run, trace: m.trace, result: { ...view.run.result, trace: m.trace } };
    this.view = { ...view, run, picks: m.picks };
    this.aggregate.setPicks(m.picks);
    this.hooks.onRun(this.withNodes(run, m.picks));
  }

  setCursor(atUs: number): void {
    if (this.view) this.aggregate.setCursor(atUs);
  }

  /** Downloads the whole trace of the large run shown (the page holds only the picked clients' part). */
  async exportTrace(format: 'jsonl' | 'pcap' | 'keys'): Promise<void> {
    const blob = await this.worker.export(format);
    // The worker's Blob as it is: a copy of a large trace on the page would be the freeze the worker avoids.
    const href = URL.createObjectURL(blob);
    const a = el('a', { href, download: `trace.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(href);
  }
}
