/** Reports an actor's transitions as `state` trace events (xstate session ids stay out of the trace). */
import type { AnyActorRef } from 'xstate';

/** `established.ready` for `{ established: 'ready' }`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const [k, v] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', ''];
    const inner = stateName(v);
    return inner === '' ? k : `${k}.${inner}`;
  }
  return '';
}

/** The last state traced for one actor: one small object per machine, `current` on the prototype. */
class TransitionTracker {
  constructor(public last: string) {}

  current(): string {
    return this.last;
  }
}

export function traceTransitions(
  actor: AnyActorRef,
  initial: string,
  report: (from: string, to: string) => void,
  onState?: (state: string) => void,
): { current(): string } {
  const tracker = new TransitionTracker(initial);
  actor.subscribe((snapshot: { value: unknown }) => {
    const now = stateName(snapshot.value);
    if (now !== tracker.last) {
      report(tracker.last, now);
      tracker.last = now;
      onState?.(now);
    }
  });
  return tracker;
}
