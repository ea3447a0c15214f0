/**
 * The actor system of a lab actor tree (lab-actor.ts): xstate 5.33's `createSystem` (raise-*.cjs.js) as one small
 * object per root actor with its methods on the prototype, where xstate builds ~1.9 KB of closures, maps and sets.
 * What it keeps is what can be observed:
 * - the scheduler (`schedule`, `cancel`, `cancelAll`, `start`) on the root's clock. xstate keys a delayed event by
 *   `${source.sessionId}.${id}` in one object; here the pending events are a list linked through their records, in
 *   the order of xstate's keys (a key scheduled again without a cancel keeps its place, as an assignment to an
 *   existing property does), found by source and id. A system's pending events are few (a root and its children:
 *   at most 3 per system in a storm), so a walk is cheaper than maps (~1.5 KB per client) and builds no key string;
 * - `_relay` (straight to the target's `_send`);
 * - the `systemId` registry (`get`, `getAll`, `_set`, `_unregister`), created on first use;
 * - sessionIds `x:0`, `x:1`, ... from one process-wide counter, as xstate's (its counter is module-wide too).
 * Not kept: xstate's map of every registered actor by sessionId (written, never read), inspection (refused: the
 * lab never inspects), and a scheduled event's `startedAt` (a wall-clock reading used only by persisted system
 * snapshots, which the lab does not take).
 */
import { createActor, fromTransition } from 'xstate';

/** xstate's `Clock`. */
export interface LabClock {
  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown;
  clearTimeout(id: unknown): void;
  /**
   * Optional (the virtual clock's, sim/virtual-clock.ts): `setTimeout` of `record._timeout()` with the record itself as
   * the clock's event (its `atUs`, `seq`, `fn`, `arg` are the clock's), so a delayed event's record needs no callback
   * and no event object of its own; a record whose timeout ran or was cleared may be armed again. Other clocks
   * (xstate's default) get a closure per timeout.
   */
  setTimeoutRecord?(record: ClockRecord, timeoutMs: number): unknown;
}

/** A record the clock arms as its own event (`LabClock.setTimeoutRecord`; sim/scheduler.ts `EventRecord`). */
export interface ClockRecord {
  atUs: number;
  seq: number;
  fn: ((arg: unknown) => void) | null;
  arg: unknown;
  _timeout(): void;
}

export type LabLogger = (...args: unknown[]) => void;

/** What the system reads of an actor: xstate's `AnyActorRef` as far as the scheduler and relay use it. */
export interface SystemActorRef {
  readonly sessionId: string;
  _send(event: SystemEvent): void;
}

export interface SystemEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * A pending delayed event (xstate's `ScheduledEvent` without `startedAt`), its clock timeout, the next pending one.
 * Records are recycled (`spareEvents`): its fields are set per use, and its timeout (`_timeout`, a method: the virtual
 * clock calls it on the record, no closure per record) reaches the system the record is in now.
 */
export class ScheduledLabEvent implements ClockRecord {
  // The clock's event fields (`setTimeoutRecord`): the record is its own clock event; `fn` is null unless pending.
  atUs = 0;
  seq = 0;
  fn: ((arg: unknown) => void) | null = null;
  arg: unknown = undefined;
  timeout: unknown = undefined;
  /** The next pending event in the order of xstate's keys. */
  next: ScheduledLabEvent | undefined = undefined;
  /** Handed out by `getSnapshot`: someone may hold it, so it is never recycled. */
  exposed = false;
  constructor(
    /** Undefined while the record waits in `spareEvents`: a spare must not keep its last system (and the run behind it) alive. */
    public system: LabSystem | undefined,
    public source: SystemActorRef,
    public target: SystemActorRef,
    public event: SystemEvent,
    public delay: number,
    public id: string,
  ) {}

  /** The clock's timeout ran. Only a pending record's timeout runs, and a pending record has its system. */
  _timeout(): void {
    this.system?._fire(this);
  }
}

/**
 * Records whose timeout will not run (cancelled, or run), ready for the next `schedule` of any system: a delayed
 * event re-armed on every message (cancel, then schedule) reuses one record, which is also its clock event, instead of
 * building a record, a clock event, a closure and its context each time. Module-wide, so an idle system keeps none.
 */
const spareEvents: ScheduledLabEvent[] = [];
const MAX_SPARE_EVENTS = 64;

function recycle(scheduled: ScheduledLabEvent): void {
  if (scheduled.exposed || spareEvents.length >= MAX_SPARE_EVENTS) return;
  // Nothing of the last use is held (the event, the actors) while the record waits.
  scheduled.timeout = undefined;
  scheduled.system = undefined;
  scheduled.event = RECYCLED_EVENT;
  scheduled.source = scheduled.target = RECYCLED_REF;
  spareEvents.push(scheduled);
}

const RECYCLED_EVENT: SystemEvent = Object.freeze({ type: 'xstate.lab.recycled' });
const RECYCLED_REF: SystemActorRef = Object.freeze({ sessionId: 'x:recycled', _send: () => {} });

let sessionCounter = 0;
/** Delayed events sent without an id get one of these (xstate draws a random string; the id is never seen). */
let anonymousCounter = 0;

let defaultClock: LabClock | undefined;

/**
 * xstate's default clock (the host's timers), taken from an actor xstate built, so an actor created without a `clock`
 * behaves as xstate's would; the lab's own actors always get the virtual clock.
 */
export function xstateDefaultClock(): LabClock {
  defaultClock ??= createActor(fromTransition((s: number) => s, 0)).clock as LabClock;
  return defaultClock;
}

let defaultLogger: LabLogger | undefined;

/** xstate's default logger. */
export function xstateDefaultLogger(): LabLogger {
  defaultLogger ??= console.log.bind(console);
  return defaultLogger;
}

function keyOf(source: SystemActorRef, id: string): string {
  return `${source.sessionId}.${id}`;
}

/**
 * A record's timeout as a callback, for a clock without `setTimeoutRecord`. Its own function, not a closure made in
 * `schedule`: a function whose variables a closure captures allocates their context on every call.
 */
function timeoutOf(scheduled: ScheduledLabEvent): () => void {
  return () => scheduled._timeout();
}

/** The `systemId` registry, both ways (made on a system's first `_set`: a storm's systems have none). */
class SystemIds {
  readonly keyed = new Map<string, SystemActorRef>();
  readonly keyedBack = new Map<SystemActorRef, string>();
}

export class LabSystem {
  /**
   * The pending delayed events in the order of xstate's keys, from the first (no pointer to the last: `schedule` walks
   * the list for the key anyway, and a storm's root keeps one, so a field per system would buy nothing).
   */
  private first: ScheduledLabEvent | undefined = undefined;
  private ids: SystemIds | undefined = undefined;

  constructor(
    readonly _clock: LabClock,
    readonly _logger: LabLogger,
  ) {}

  /** xstate's `system.scheduler`: here the system itself carries `schedule`, `cancel` and `cancelAll`. */
  get scheduler(): this {
    return this;
  }

  _bookId(): string {
    return `x:${sessionCounter++}`;
  }

  /** The number of the next sessionId (`_bookId` without the string: a lab actor makes it when it is read). */
  _bookNumber(): number {
    return sessionCounter++;
  }

  /** xstate records every started actor by sessionId and never reads the record: nothing to keep. */
  _register(sessionId: string, _ref: SystemActorRef): string {
    return sessionId;
  }

  _unregister(ref: SystemActorRef): void {
    const ids = this.ids;
    const systemId = ids?.keyedBack.get(ref);
    if (ids === undefined || systemId === undefined) return;
    ids.keyed.delete(systemId);
    ids.keyedBack.delete(ref);
  }

  get(systemId: string): SystemActorRef | undefined {
    return this.ids?.keyed.get(systemId);
  }

  getAll(): Record<string, SystemActorRef> {
    return this.ids === undefined ? {} : Object.fromEntries(this.ids.keyed.entries());
  }

  _set(systemId: string, ref: SystemActorRef): void {
    const ids = (this.ids ??= new SystemIds());
    const existing = ids.keyed.get(systemId);
    if (existing && existing !== ref) throw new Error(`Actor with system ID '${systemId}' already exists.`);
    ids.keyed.set(systemId, ref);
    ids.keyedBack.set(ref, systemId);
  }

  inspect(): never {
    throw new Error('lab actor system: inspection is not supported (use the xstate runtime to inspect)');
  }

  /** Inspection events go nowhere: a lab system has no inspectors. */
  _sendInspectionEvent(_event: unknown): void {}

  _relay(_source: SystemActorRef | undefined, target: SystemActorRef, event: SystemEvent): void {
    target._send(event);
  }

  schedule(
    source: SystemActorRef,
    target: SystemActorRef,
    event: SystemEvent,
    delay: number,
    id: string = `xstate.lab.anonymous.${anonymousCounter++}`,
  ): void {
    let scheduled = spareEvents.pop();
    if (scheduled === undefined) scheduled = new ScheduledLabEvent(this, source, target, event, delay, id);
    else {
      scheduled.system = this;
      scheduled.source = source;
      scheduled.target = target;
      scheduled.event = event;
      scheduled.delay = delay;
      scheduled.id = id;
    }
    // xstate's assignment to a key already present keeps the key's place: the new event takes the old one's.
    let previous: ScheduledLabEvent | undefined;
    let at = this.first;
    while (at !== undefined && (at.source !== source || at.id !== id)) {
      previous = at;
      at = at.next;
    }
    if (at !== undefined) {
      scheduled.next = at.next;
      at.next = undefined;
    }
    // Not found: `previous` is the last (or none), and the new event goes after it.
    if (previous === undefined) this.first = scheduled;
    else previous.next = scheduled;
    // As xstate: the timeout forgets its key, whatever is scheduled under it now, then relays.
    const clock = this._clock;
    scheduled.timeout =
      clock.setTimeoutRecord !== undefined
        ? clock.setTimeoutRecord(scheduled, delay)
        : clock.setTimeout(timeoutOf(scheduled), delay);
  }

  /**
   * A record's timeout ran. What it forgets may be another record (one scheduled under the same key without a
   * cancel, whose own timeout is still to run: not recycled); this one is out of the list and done with.
   */
  _fire(scheduled: ScheduledLabEvent): void {
    this.forget(scheduled.source, scheduled.id);
    this._relay(scheduled.source, scheduled.target, scheduled.event);
    recycle(scheduled);
  }

  /** Unlinks what is scheduled under (source, id). */
  private forget(source: SystemActorRef, id: string): ScheduledLabEvent | undefined {
    let previous: ScheduledLabEvent | undefined;
    for (let at = this.first; at !== undefined; previous = at, at = at.next) {
      if (at.source !== source || at.id !== id) continue;
      if (previous === undefined) this.first = at.next;
      else previous.next = at.next;
      at.next = undefined;
      return at;
    }
    return undefined;
  }

  cancel(source: SystemActorRef, id: string): void {
    const scheduled = this.forget(source, id);
    if (scheduled === undefined || scheduled.timeout === undefined) return;
    this._clock.clearTimeout(scheduled.timeout);
    recycle(scheduled);
  }

  cancelAll(ref: SystemActorRef): void {
    if (this.first === undefined) return;
    for (const scheduled of this.pending()) if (scheduled.source === ref) this.cancel(ref, scheduled.id);
  }

  /** Every pending delayed event, in xstate's order. */
  private pending(): ScheduledLabEvent[] {
    const all: ScheduledLabEvent[] = [];
    for (let at = this.first; at !== undefined; at = at.next) all.push(at);
    return all;
  }

  getSnapshot(): { _scheduledEvents: Record<string, ScheduledLabEvent> } {
    const events: Record<string, ScheduledLabEvent> = {};
    for (const s of this.pending()) {
      s.exposed = true;
      events[keyOf(s.source, s.id)] = s;
    }
    return { _scheduledEvents: events };
  }

  /** xstate's `system.start` (the root actor starts): every pending delayed event is scheduled again. */
  start(): void {
    if (this.first === undefined) return;
    const pending = this.pending();
    this.first = undefined;
    for (const s of pending) this.schedule(s.source, s.target, s.event, s.delay, s.id);
  }
}
