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

/** What a traced transition is reported to: a node host's `traceState` (models/contract.ts `NodeHost`). */
export interface StateSink {
  traceState(machine: string, from: string, to: string): void;
}

/**
 * The last state traced for one actor, and the actor's observer itself (`next` on the prototype; the actor calls it
 * on this object): one small object per machine, no closure per actor — a storm holds one per machine per client.
 */
class TransitionTracker {
  constructor(
    public last: string,
    private readonly report: (from: string, to: string) => void,
    private readonly onState: ((state: string) => void) | undefined,
  ) {}

  current(): string {
    return this.last;
  }

  next(snapshot: { value: unknown }): void {
    const now = stateName(snapshot.value);
    if (now !== this.last) {
      this.report(this.last, now);
      this.last = now;
      this.onState?.(now);
    }
  }
}

/** A tracker that reports to a `StateSink` under a machine name (no report closure either). */
class SinkTracker {
  constructor(
    public last: string,
    private readonly sink: StateSink,
    private readonly machine: string,
  ) {}

  current(): string {
    return this.last;
  }

  next(snapshot: { value: unknown }): void {
    const now = stateName(snapshot.value);
    if (now !== this.last) {
      this.sink.traceState(this.machine, this.last, now);
      this.last = now;
    }
  }
}

/**
 * A `SinkTracker` that also keeps the actor it watches: what a gateway keeps per provider session (one object per
 * session in its map, not an entry object + a tracker + a report closure and its scope: ~120 B less per IKE SA).
 */
export class ActorSinkTracker extends SinkTracker {
  constructor(
    readonly actor: AnyActorRef,
    initial: string,
    sink: StateSink,
    machine: string,
  ) {
    super(initial, sink, machine);
  }
}

/** `traceStatesTo` returning the tracker with its actor (see ActorSinkTracker). */
export function traceActorTo(actor: AnyActorRef, initial: string, sink: StateSink, machine: string): ActorSinkTracker {
  const tracker = new ActorSinkTracker(actor, initial, sink, machine);
  actor.subscribe(tracker);
  return tracker;
}

export function traceTransitions(
  actor: AnyActorRef,
  initial: string,
  report: (from: string, to: string) => void,
  onState?: (state: string) => void,
): { current(): string } {
  const tracker = new TransitionTracker(initial, report, onState);
  actor.subscribe(tracker);
  return tracker;
}

/** Reports the actor's transitions as `sink.traceState(machine, from, to)`, from state `initial`. */
export function traceStatesTo(
  actor: AnyActorRef,
  initial: string,
  sink: StateSink,
  machine: string,
): { current(): string } {
  const tracker = new SinkTracker(initial, sink, machine);
  actor.subscribe(tracker);
  return tracker;
}
