/**
 * The page's side of the lab worker: one run at a time, progress as it goes, Cancel by terminating the worker (the
 * run is synchronous inside it; a fresh worker starts the next run), and requests about the last run (other clients'
 * lifelines, the whole trace as a file).
 */
import { LabRunError, type LabProgress, type RunRequest } from '../runner.ts';
import type { FromWorker, LargeRunView, PickedMessage, ToWorker } from './protocol.ts';

/** A run stopped by Cancel (or replaced by a newer run). */
export class RunCancelledError extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'RunCancelledError';
  }
}

export interface WorkerRunOptions {
  readonly onProgress?: (p: LabProgress) => void;
  /** A scenario loaded from a file. */
  readonly document?: unknown;
  /** Aggregate and picked lifelines (large runs) or the whole trace back (small runs). */
  readonly aggregate: boolean;
  readonly picks: number;
  readonly everyEvents?: number;
}

interface Pending {
  resolve(m: FromWorker): void;
  reject(e: unknown): void;
  onProgress?: (p: LabProgress) => void;
}

/** Simulator events between progress messages: a storm-1000 run posts a few a second (a message is cheap). */
export const PROGRESS_EVERY_EVENTS = 500;

export class LabWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private running = 0;

  /** A run is in progress. */
  get busy(): boolean {
    return this.running !== 0;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module', name: 'dhcpike-lab' });
    w.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    w.onerror = (ev) => {
      ev.preventDefault();
      this.failAll(new Error(`lab worker: ${ev.message || 'failed to start'}`));
    };
    this.worker = w;
    return w;
  }

  private onMessage(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      const { type: _t, id: _i, ...progress } = m;
      p.onProgress?.(progress);
      return;
    }
    this.pending.delete(m.id);
    if (m.id === this.running) this.running = 0;
    if (m.type === 'error') p.reject(new LabRunError(m.problems, m.message));
    else p.resolve(m);
  }

  private failAll(e: unknown): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.running = 0;
    this.worker?.terminate();
    this.worker = undefined;
    for (const p of all) p.reject(e);
  }

  private send(m: ToWorker, onProgress?: (p: LabProgress) => void): Promise<FromWorker> {
    const w = this.ensure();
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(m.id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      w.postMessage(m);
    });
  }

  /** Runs a request in the worker; a run already going is cancelled first. */
  async run(request: RunRequest, o: WorkerRunOptions): Promise<LargeRunView> {
    if (this.busy) this.cancel();
    const id = this.nextId++;
    this.running = id;
    const m = await this.send(
      {
        type: 'run',
        id,
        request,
        everyEvents: o.everyEvents ?? PROGRESS_EVERY_EVENTS,
        picks: o.picks,
        aggregate: o.aggregate,
        ...(o.document !== undefined ? { document: o.document } : {}),
      },
      o.onProgress,
    );
    if (m.type !== 'done') throw new Error(`lab worker: unexpected ${m.type}`);
    return m.view;
  }

  /** Stops the run in progress: the worker is terminated (with the last run's trace); the run's promise rejects. */
  cancel(): void {
    this.failAll(new RunCancelledError());
  }

  /** The last run's events of these clients (unknown names are left out). */
  async pick(clients: readonly string[]): Promise<PickedMessage> {
    const m = await this.send({ type: 'pick', id: this.nextId++, clients });
    if (m.type !== 'picked') throw new Error(`lab worker: unexpected ${m.type}`);
    return m;
  }

  /** The last run's whole trace as a file. */
  async export(format: 'jsonl' | 'pcap' | 'keys'): Promise<Blob> {
    const m = await this.send({ type: 'export', id: this.nextId++, format });
    if (m.type !== 'exported') throw new Error(`lab worker: unexpected ${m.type}`);
    return m.blob;
  }
}
