/**
 * Messages between the page and the lab's worker (web/worker/lab-worker.ts). The worker runs the same runner
 * (web/runner.ts → scenarios/browser.ts) as the page, so a run there has the same traceSha256; it keeps the whole
 * trace and sends the page what it draws: the run without its trace, the aggregate series and the picked clients'
 * part of the trace. Cancel is `Worker.terminate()` (a synchronous run cannot read messages), so there is no cancel
 * message.
 */
import type { AggregateSeries } from '../model/aggregate.ts';
import type { Problem } from '../../scenarios/browser.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import type { LabProgress, LabRun, RunRequest } from '../runner.ts';

export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly request: RunRequest;
  /** A scenario loaded from a file (the worker has no copy of the page's list). */
  readonly document?: unknown;
  /** Simulator events between progress messages. */
  readonly everyEvents: number;
  /** Clients drawn as lifelines at first. */
  readonly picks: number;
  /** Compute the aggregate (large runs); a small run comes back whole instead. */
  readonly aggregate: boolean;
}

export interface PickMessage {
  readonly type: 'pick';
  readonly id: number;
  readonly clients: readonly string[];
}

export interface ExportMessage {
  readonly type: 'export';
  readonly id: number;
  readonly format: 'jsonl' | 'pcap' | 'keys';
}

export type ToWorker = RunMessage | PickMessage | ExportMessage;

export interface ProgressMessage extends LabProgress {
  readonly type: 'progress';
  readonly id: number;
}

/** What a finished large run sends: the run with the picked clients' trace only, and its aggregate. */
export interface LargeRunView {
  /** `trace` and `result.trace` hold the picked clients' events only; the digest and metrics are the whole run's,
   * but for a large run `metrics.perClient` and `metrics.links` are empty (lab-worker.ts `trimmed`). */
  readonly run: LabRun;
  readonly aggregate: AggregateSeries | null;
  readonly clients: readonly string[];
  readonly picks: readonly string[];
  /** Trace events the whole run recorded (the page holds `run.trace.length` of them). */
  readonly traceEvents: number;
}

export interface DoneMessage {
  readonly type: 'done';
  readonly id: number;
  readonly view: LargeRunView;
}

export interface PickedMessage {
  readonly type: 'picked';
  readonly id: number;
  readonly picks: readonly string[];
  readonly trace: readonly TraceEvent[];
}

export interface ExportedMessage {
  readonly type: 'exported';
  readonly id: number;
  readonly blob: Blob;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly id: number;
  readonly message: string;
  readonly problems: readonly Problem[];
}

export type FromWorker = ProgressMessage | DoneMessage | PickedMessage | ExportedMessage | ErrorMessage;
