/** Reports an actor's transitions as `state` trace events (xstate session ids stay out of the trace). */
import type { AnyActorRef } from 'xstate';

/** `established.ready` for `{ established: 'ready' }`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    let name = namesOfValues.get(value);
    if (name === undefined) {
      name = nestedName(value);
      namesOfValues.set(value, name);
    }
    return name;
  }
  return '';
}

/**
 * Names of state values already named. The fast runtime (sim/statechart) hands every snapshot of one configuration the
 * same value object, and every snapshot of every machine is named: a hit here costs no array and no string.
 */
const namesOfValues = new WeakMap<object, string>();

function nestedName(value: object): string {
  // The first key, as Object.entries(value)[0] would give it.
  for (const k of Object.keys(value)) {
    const inner = stateName((value as Record<string, unknown>)[k]);
    return inner === '' ? k : `${k}.${inner}`;
  }
  return '?';
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
