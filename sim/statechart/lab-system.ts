/**
 * The actor system of a lab actor tree (lab-actor.ts): xstate 5.33's `createSystem` (raise-*.cjs.js) as one small
 * object per root actor with its methods on the prototype, where xstate builds ~1.9 KB of closures, maps and sets.
 * What it keeps is what can be observed:
 * - the scheduler (`schedule`, `cancel`, `cancelAll`, `start`) on the root's clock. xstate keys a delayed event by
 *   `${source.sessionId}.${id}` in one map; here it is found by id, then by source (maps created on first use), so a
 *   cancel or schedule builds no key string. Each event carries the position its key took in xstate's map (a key
 *   scheduled again without a cancel keeps its place, as a `Map.set` does), so `cancelAll`, `start` and
 *   `getSnapshot` see xstate's order;
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

/** A pending delayed event (xstate's `ScheduledEvent` without `startedAt`) and its clock timeout. */
export interface ScheduledLabEvent {
  readonly source: SystemActorRef;
  readonly target: SystemActorRef;
  readonly event: SystemEvent;
  readonly delay: number;
  readonly id: string;
  timeout: unknown;
  /** The place of its key in xstate's map of scheduled events (insertion order). */
  readonly seq: number;
}

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

function bySeq(a: ScheduledLabEvent, b: ScheduledLabEvent): number {
  return a.seq - b.seq;
}

export class LabSystem {
  /** Pending delayed events by id, then by source (ids are few: a machine's delayed raises and `after`s). */
  private scheduled: Map<string, Map<SystemActorRef, ScheduledLabEvent>> | undefined = undefined;
  /** The next place in xstate's insertion order. */
  private seq = 0;
  private keyed: Map<string, SystemActorRef> | undefined = undefined;
  private keyedBack: Map<SystemActorRef, string> | undefined = undefined;

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

  /** xstate records every started actor by sessionId and never reads the record: nothing to keep. */
  _register(sessionId: string, _ref: SystemActorRef): string {
    return sessionId;
  }

  _unregister(ref: SystemActorRef): void {
    const systemId = this.keyedBack?.get(ref);
    if (systemId === undefined) return;
    this.keyed?.delete(systemId);
    this.keyedBack?.delete(ref);
  }

  get(systemId: string): SystemActorRef | undefined {
    return this.keyed?.get(systemId);
  }

  getAll(): Record<string, SystemActorRef> {
    return this.keyed === undefined ? {} : Object.fromEntries(this.keyed.entries());
  }

  _set(systemId: string, ref: SystemActorRef): void {
    this.keyed ??= new Map();
    this.keyedBack ??= new Map();
    const existing = this.keyed.get(systemId);
    if (existing && existing !== ref) throw new Error(`Actor with system ID '${systemId}' already exists.`);
    this.keyed.set(systemId, ref);
    this.keyedBack.set(ref, systemId);
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
    const map = (this.scheduled ??= new Map());
    let byId = map.get(id);
    if (byId === undefined) {
      byId = new Map();
      map.set(id, byId);
    }
    // xstate's `Map.set` on a key already present keeps the key's place.
    const previous = byId.get(source);
    const seq = previous === undefined ? this.seq++ : previous.seq;
    const scheduled: ScheduledLabEvent = { source, target, event, delay, id, timeout: undefined, seq };
    byId.set(source, scheduled);
    // As xstate: the timeout forgets its key, whatever is scheduled under it now, then relays.
    scheduled.timeout = this._clock.setTimeout(() => {
      this.forget(source, id);
      this._relay(source, target, event);
    }, delay);
  }

  /** Drops what is scheduled under (source, id), and the id's map once empty (ids may be unique: anonymous ones). */
  private forget(source: SystemActorRef, id: string): ScheduledLabEvent | undefined {
    const map = this.scheduled;
    const byId = map?.get(id);
    if (map === undefined || byId === undefined) return undefined;
    const scheduled = byId.get(source);
    if (scheduled === undefined) return undefined;
    byId.delete(source);
    if (byId.size === 0) map.delete(id);
    return scheduled;
  }

  cancel(source: SystemActorRef, id: string): void {
    const scheduled = this.forget(source, id);
    if (scheduled !== undefined && scheduled.timeout !== undefined) this._clock.clearTimeout(scheduled.timeout);
  }

  cancelAll(ref: SystemActorRef): void {
    const map = this.scheduled;
    if (map === undefined) return;
    const own: ScheduledLabEvent[] = [];
    for (const byId of map.values()) {
      const scheduled = byId.get(ref);
      if (scheduled !== undefined) own.push(scheduled);
    }
    own.sort(bySeq);
    for (const scheduled of own) this.cancel(ref, scheduled.id);
  }

  /** Every pending delayed event, in xstate's order. */
  private pending(): ScheduledLabEvent[] {
    const all: ScheduledLabEvent[] = [];
    if (this.scheduled !== undefined)
      for (const byId of this.scheduled.values()) for (const s of byId.values()) all.push(s);
    return all.sort(bySeq);
  }

  getSnapshot(): { _scheduledEvents: Record<string, ScheduledLabEvent> } {
    const events: Record<string, ScheduledLabEvent> = {};
    for (const s of this.pending()) events[keyOf(s.source, s.id)] = s;
    return { _scheduledEvents: events };
  }

  /** xstate's `system.start` (the root actor starts): every pending delayed event is scheduled again. */
  start(): void {
    const map = this.scheduled;
    if (map === undefined) return;
    const pending = this.pending();
    map.clear();
    for (const s of pending) this.schedule(s.source, s.target, s.event, s.delay, s.id);
  }
}
