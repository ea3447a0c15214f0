/** The entry point: run an already-built run description to its end and return the trace, its digest and metrics. */
import type { RunMetrics } from './metrics.ts';
import type { RunResult } from './scheduler.ts';
import { Simulation, type SimulationInput, type SimulationOptions } from './simulation.ts';
import type { TraceEvent } from './trace.ts';

export interface RunInput extends SimulationInput {
  /** The run stops at this virtual time (events due exactly then still run). */
  readonly durationUs: number;
  /** Bound on events; when hit, `stop.reason` is `eventsMax`. Default `Scheduler.EVENTS_MAX_DEFAULT`. */
  readonly eventsMax?: number;
}

export interface RunOutput {
  /** Events at the chosen level (empty at `none`, or when `keepEvents` is false). */
  readonly trace: readonly TraceEvent[];
  /** SHA-256 (hex) of the canonical JSONL of the events at the chosen level. */
  readonly traceSha256: string;
  readonly metrics: RunMetrics;
  /** How the loop ended: `time` (reached durationUs), `idle` never (runUntil always reaches its bound unless `eventsMax`/`stopped`). */
  readonly stop: RunResult;
}

export function runScenario(input: RunInput, options: SimulationOptions): RunOutput {
  const sim = new Simulation(input, options);
  const stop = sim.runUntil(input.durationUs, { eventsMax: input.eventsMax });
  return { trace: sim.trace.events, traceSha256: sim.traceSha256(), metrics: sim.metrics(), stop };
}
