/** The entry point: run an already-built run description to its end and return the trace, its digest and metrics. */
import type { RunMetrics } from './metrics.ts';
import { Scheduler, type RunResult } from './scheduler.ts';
import { Simulation, type SimulationInput, type SimulationOptions } from './simulation.ts';
import type { TraceEvent } from './trace.ts';

export interface RunInput extends SimulationInput {
  /** The run stops at this virtual time (events due exactly then still run). */
  readonly durationUs: number;
  /** Bound on events; when hit, `stop.reason` is `eventsMax`. Default `Scheduler.EVENTS_MAX_DEFAULT`. */
  readonly eventsMax?: number;
}

/** Where a long run stands, handed to a progress hook between slices of simulator events. */
export interface RunProgress {
  /** Virtual time now. */
  readonly atUs: number;
  /** Simulator events run so far. */
  readonly eventsRun: number;
}

/**
 * A hook the run loop calls every `everyEvents` simulator events (and never otherwise). The engine reads no clock: a
 * caller (the CLI) may read the wall clock or the heap inside `onProgress`. Returning `false` stops the run after the
 * current slice (`stop.reason` is `stopped`). The slices are seamless: the events run, their order and so the trace
 * are the same with or without a hook.
 */
export interface RunHooks {
  readonly everyEvents: number;
  readonly onProgress: (progress: RunProgress) => boolean | void;
}

/** What `runScenario` takes beyond the simulation's options. */
export interface RunOptions extends SimulationOptions {
  /**
   * `onTraceEvent` summarises the packets it needs itself (sim/trace.ts `letOnEventSummarize`): when nothing else
   * reads the events, packet events carry `summary: ''` and a send hands the consumer its summary on request.
   */
  readonly onTraceEventSummarizes?: boolean;
}

export interface RunOutput<Digest extends string | null = string> {
  /** Events at the chosen level (empty at `none`, or when `keepEvents` is false). */
  readonly trace: readonly TraceEvent[];
  /** SHA-256 (hex) of the canonical JSONL of the events at the chosen level; null when run with `digest: false`. */
  readonly traceSha256: Digest;
  readonly metrics: RunMetrics;
  /** How the loop ended: `time` (reached durationUs), `idle` never (runUntil always reaches its bound unless `eventsMax`/`stopped`). */
  readonly stop: RunResult;
}

/** Runs in slices of `hooks.everyEvents` events, calling the hook between slices; the same events as one call. */
function runSliced(sim: Simulation, input: RunInput, hooks: RunHooks): RunResult {
  const eventsMax = input.eventsMax ?? Scheduler.EVENTS_MAX_DEFAULT;
  const slice = Math.max(1, Math.floor(hooks.everyEvents));
  let eventsRun = 0;
  for (;;) {
    const budget = Math.min(slice, eventsMax - eventsRun);
    const r = sim.runUntil(input.durationUs, { eventsMax: budget });
    eventsRun += r.eventsRun;
    // A slice that spent its budget is not the end unless the whole budget is spent.
    if (r.reason !== 'eventsMax' || eventsRun >= eventsMax) return { ...r, eventsRun };
    if (hooks.onProgress({ atUs: r.atUs, eventsRun }) === false) return { reason: 'stopped', eventsRun, atUs: r.atUs };
  }
}

export function runScenario(
  input: RunInput,
  options: RunOptions & { readonly digest: false },
  hooks?: RunHooks,
): RunOutput<null>;
export function runScenario(
  input: RunInput,
  options: RunOptions & { readonly digest?: true },
  hooks?: RunHooks,
): RunOutput;
export function runScenario(input: RunInput, options: RunOptions, hooks?: RunHooks): RunOutput<string | null>;
export function runScenario(input: RunInput, options: RunOptions, hooks?: RunHooks): RunOutput<string | null> {
  const sim = new Simulation(input, options);
  if (options.onTraceEventSummarizes === true) sim.trace.letOnEventSummarize();
  const stop = hooks ? runSliced(sim, input, hooks) : sim.runUntil(input.durationUs, { eventsMax: input.eventsMax });
  return { trace: sim.trace.events, traceSha256: sim.traceSha256OrNull(), metrics: sim.metrics(), stop };
}
