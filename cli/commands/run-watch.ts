/**
 * What the CLI does between slices of a long run (sim/run.ts RunHooks): a progress line on stderr (virtual time,
 * simulator events per wall second, clients addressed) and the heap cap. This is the one place a run reads the wall
 * clock and the heap — outside the engine, which only calls the hook every `WATCH_EVERY_EVENTS` events, so the trace
 * is the same with or without it.
 */
import { getHeapStatistics } from 'node:v8';
import type { CliIo } from '../command.ts';
import type { ScenarioProgress } from '../../scenarios/run.ts';

/** Simulator events between two calls of the hook: a storm runs a few thousand events per CPU second. */
export const WATCH_EVERY_EVENTS = 2_000;
/** The progress line is redrawn at most this often (ms of wall time). */
const REDRAW_MS = 500;
const MB = 1024 * 1024;

/** The default heap cap: 90 % of V8's heap limit, so a run that would die of "heap out of memory" stops cleanly. */
export function defaultMaxHeapMb(): number {
  return Math.floor((getHeapStatistics().heap_size_limit * 0.9) / MB);
}

export function heapUsedMb(): number {
  return Math.round(getHeapStatistics().used_heap_size / MB);
}

export interface RunWatchOptions {
  /** Draw the progress line (stderr is a terminal and not --quiet). */
  readonly progress: boolean;
  /** Stop the run once the heap holds more than this many MB. */
  readonly maxHeapMb: number;
  /** Reads the heap (MB); tests pass their own. */
  readonly heapMb?: () => number;
  /** Reads the wall clock (ms); tests pass their own. */
  readonly nowMs?: () => number;
}

/** Why the watch stopped a run: the heap it saw and where the run was. */
export interface HeapStop {
  readonly heapMb: number;
  readonly progress: ScenarioProgress;
}

export class RunWatch {
  /** Set when the heap cap stopped the run. */
  heapStop: HeapStop | undefined;
  private readonly heapMb: () => number;
  private readonly nowMs: () => number;
  private readonly startMs: number;
  private lastDrawMs = -Infinity;
  private drawn = false;

  constructor(
    private readonly io: CliIo,
    private readonly o: RunWatchOptions,
  ) {
    this.heapMb = o.heapMb ?? heapUsedMb;
    this.nowMs = o.nowMs ?? (() => performance.now());
    this.startMs = this.nowMs();
  }

  /** The hook: false stops the run (heap cap). */
  readonly onProgress = (p: ScenarioProgress): boolean => {
    const heap = this.heapMb();
    if (heap > this.o.maxHeapMb) {
      this.heapStop = { heapMb: heap, progress: p };
      this.clear();
      return false;
    }
    if (this.o.progress) {
      const now = this.nowMs();
      if (now - this.lastDrawMs >= REDRAW_MS) {
        this.lastDrawMs = now;
        this.draw(progressLine(p, now - this.startMs, heap));
      }
    }
    return true;
  };

  /** Removes the progress line (call when the run ends, before printing results). */
  clear(): void {
    if (!this.drawn) return;
    this.drawn = false;
    if (this.io.errWrite) this.io.errWrite('\r\x1b[K');
  }

  private draw(line: string): void {
    this.drawn = true;
    if (this.io.errWrite) this.io.errWrite(`\r\x1b[K${line}`);
    else this.io.err(line);
  }
}

/** `virtual 12.345 s  1,234,567 events (45,678/s)  addressed 950/1000  heap 312 MB`. */
export function progressLine(p: ScenarioProgress, wallMs: number, heapMb: number): string {
  const rate = wallMs > 0 ? Math.round((p.eventsRun * 1000) / wallMs) : 0;
  return (
    `virtual ${(p.atUs / 1e6).toFixed(3)} s  ${p.eventsRun.toLocaleString('en')} events ` +
    `(${rate.toLocaleString('en')}/s)  addressed ${p.addressed.toLocaleString('en')}/${p.clients.toLocaleString('en')}` +
    `  heap ${heapMb} MB`
  );
}
