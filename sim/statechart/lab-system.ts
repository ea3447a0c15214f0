/**
 * The actor system of a lab actor tree (lab-actor.ts): xstate 5.33's `createSystem` (raise-*.cjs.js) as one small
 * object per root actor with its methods on the prototype, where xstate builds ~1.9 KB of closures, maps and sets.
 * What it keeps is what can be observed:
 * - the scheduler (`schedule`, `cancel`, `cancelAll`, `start`) on the root's clock, keyed as xstate keys it
 *   (`${source.sessionId}.${id}`), in one map created on the first delayed event; insertion order is xstate's
 *   `_scheduledEvents` order, so `cancelAll` clears timers in xstate's order;
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

export class LabSystem {
  private scheduled: Map<string, ScheduledLabEvent> | undefined = undefined;
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
    const key = keyOf(source, id);
    const scheduled: ScheduledLabEvent = { source, target, event, delay, id, timeout: undefined };
    const map = (this.scheduled ??= new Map());
    map.set(key, scheduled);
    // As xstate: the timeout forgets its key, whatever is scheduled under it now, then relays.
    scheduled.timeout = this._clock.setTimeout(() => {
      this.scheduled?.delete(key);
      this._relay(source, target, event);
    }, delay);
  }

  cancel(source: SystemActorRef, id: string): void {
    const map = this.scheduled;
    if (map === undefined) return;
    const key = keyOf(source, id);
    const scheduled = map.get(key);
    map.delete(key);
    if (scheduled !== undefined && scheduled.timeout !== undefined) this._clock.clearTimeout(scheduled.timeout);
  }

  cancelAll(ref: SystemActorRef): void {
    const map = this.scheduled;
    if (map === undefined) return;
    for (const scheduled of map.values()) if (scheduled.source === ref) this.cancel(ref, scheduled.id);
  }

  getSnapshot(): { _scheduledEvents: Record<string, ScheduledLabEvent> } {
    return { _scheduledEvents: this.scheduled === undefined ? {} : Object.fromEntries(this.scheduled.entries()) };
  }

  /** xstate's `system.start` (the root actor starts): every pending delayed event is scheduled again. */
  start(): void {
    const map = this.scheduled;
    if (map === undefined || map.size === 0) return;
    const pending = [...map.values()];
    map.clear();
    for (const s of pending) this.schedule(s.source, s.target, s.event, s.delay, s.id);
  }
}
