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

export function traceTransitions(
  actor: AnyActorRef,
  initial: string,
  report: (from: string, to: string) => void,
  onState?: (state: string) => void,
): { current(): string } {
  let last = initial;
  actor.subscribe((snapshot: { value: unknown }) => {
    const now = stateName(snapshot.value);
    if (now !== last) {
      report(last, now);
      last = now;
      onState?.(now);
    }
  });
  return { current: () => last };
}
