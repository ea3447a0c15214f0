/**
 * A machine handler's result: context changes, events to emit, timers to (re)arm or cancel, and the state to go to.
 * The machines stay thin: handlers are pure functions of (context, event) built from the task functions, and one
 * xstate action applies the step (assign, emit, delayed raise with an explicit id, cancel, raise `go.<state>`).
 */
import type { IkeEmitted } from './emitted.ts';

// Moved to emitted.ts; re-exported until the responder no longer uses Step (then this file goes).
export { jittered, note, type IkeEmitted } from './emitted.ts';

export interface TimerSpec {
  readonly id: string;
  readonly event: string;
  readonly delayMs: number;
  /** Extra event fields (e.g. the slot of a Child SA rekey timer). */
  readonly data?: Readonly<Record<string, string>>;
}

export interface Step<C> {
  readonly ctx?: Partial<C>;
  readonly emits?: readonly IkeEmitted[];
  readonly cancel?: readonly string[];
  readonly timers?: readonly TimerSpec[];
  readonly go?: string;
}
