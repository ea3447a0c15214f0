/**
 * Runs one machine on xstate's interpreter and on the fast runtime side by side: each on its own ordered virtual
 * clock (timeouts by time, then scheduling order), each observed the same way (support/observe.ts), driven by the
 * same steps (send an event, or advance the clock). Custom actions log into the run's own log through `note`.
 */
import type { AnyStateMachine } from 'xstate';
import { createLabActor, type StatechartRuntime } from '../../../../sim/statechart/index.ts';
import { loggingClock, observe, sanitize, type Entry } from './observe.ts';

export type Step =
  { readonly send: { readonly type: string; readonly [k: string]: unknown } } | { readonly advanceMs: number };

/** Ordered virtual clock (xstate's Clock): same-time timeouts run in scheduling order. */
export class OrderedClock {
  private now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { atMs: number; seq: number; fn: () => void }>();
  nowMs(): number {
    return this.now;
  }
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown {
    const id = this.seq++;
    this.pending.set(id, { atMs: this.now + ms, seq: id, fn: () => fn() });
    return id;
  }
  clearTimeout(id: unknown): void {
    this.pending.delete(id as number);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      let next: { atMs: number; seq: number; fn: () => void } | undefined;
      for (const t of this.pending.values())
        if (t.atMs <= until && (next === undefined || t.atMs < next.atMs || (t.atMs === next.atMs && t.seq < next.seq)))
          next = t;
      if (next === undefined) break;
      this.pending.delete(next.seq);
      this.now = next.atMs;
      next.fn();
    }
    this.now = until;
  }
}

let current: Entry[] | undefined;

/** For custom actions of test machines: logs into the running side's log. */
export function note(...entry: unknown[]): void {
  current?.push(['action', ...entry.map((e) => sanitize(e))]);
}

export function runSide(
  machine: AnyStateMachine,
  runtime: StatechartRuntime,
  steps: readonly Step[],
  input?: unknown,
): Entry[] {
  const entries: Entry[] = [];
  const clock = new OrderedClock();
  const prev = current;
  current = entries;
  try {
    const actor = createLabActor(
      machine,
      { clock: loggingClock(clock, entries), ...(input === undefined ? {} : { input }) } as never,
      runtime,
    );
    observe(actor, entries, true);
    actor.start();
    for (const step of steps) {
      // A stopped actor ignores events (xstate only warns): the log says so instead.
      if ('send' in step && actor.getSnapshot().status !== 'active') {
        entries.push(['ignored', step.send.type]);
      } else if ('send' in step) {
        entries.push(['send', step.send.type]);
        actor.send(step.send as never);
      } else {
        entries.push(['advance', step.advanceMs]);
        clock.advance(step.advanceMs);
      }
    }
    entries.push(['final', sanitize(actor.getSnapshot().value), actor.getSnapshot().status]);
    return entries;
  } finally {
    current = prev;
  }
}

/** Both runtimes' logs for the same machine, input and steps. */
export function runBoth(
  machine: AnyStateMachine,
  steps: readonly Step[],
  input?: unknown,
): { readonly xstate: Entry[]; readonly fast: Entry[] } {
  return { xstate: runSide(machine, 'xstate', steps, input), fast: runSide(machine, 'fast', steps, input) };
}
