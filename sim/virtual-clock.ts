/**
 * xstate's `Clock` on the simulator's virtual time. `createActor(machine, { clock })` makes a machine's `after` delays
 * and delayed `raise`/`sendTo` run on the scheduler; xstate gives the system clock to every child actor (the system is
 * shared), so spawned and invoked children run on the same virtual time.
 */
import type { VirtualClock } from '../models/contract.ts';
import type { EventRecord, ScheduledEvent, Scheduler } from './scheduler.ts';

/** Milliseconds (xstate's unit) to integer microseconds, rounded to nearest; negative and NaN become 0. */
export function msToUs(timeoutMs: number): number {
  if (!(timeoutMs > 0)) return 0;
  return Math.round(timeoutMs * 1000);
}

/**
 * Whether a timer armed in one life of its owner may still fire (sim/host.ts: the node has not crashed since it was
 * armed, even if it restarted meanwhile).
 */
export interface TimerLife {
  /** A token for the owner's current life (the node's crash epoch). */
  lifeToken(): number;
  /** Whether a timer armed with `token` may fire now. */
  alive(token: number): boolean;
}

type TimeoutFn = (...args: unknown[]) => void;

/** What `setTimeout(…, Infinity)` returns: an event that never runs (cancelling it is a no-op). */
const NEVER: ScheduledEvent = { atUs: Number.MAX_SAFE_INTEGER, seq: -1, fn: null, arg: undefined };

/**
 * A pending timeout that is its own callback and its own scheduler event: `setTimeoutRecord` schedules the record
 * itself (scheduler.ts `schedule`) and runs `record._timeout()`, so whoever keeps a record per timeout (the lab actor
 * system's delayed events) needs no closure and no event object per arm beside it; a record that fired or was
 * cancelled may be armed again.
 */
export interface TimeoutRecord extends EventRecord {
  _timeout(): void;
}

/** The fields a `TimeoutRecord` starts with (`fn` null: not pending). */
export function timeoutRecordFields(): EventRecord {
  return { atUs: 0, seq: 0, fn: null, arg: undefined };
}

/** What a timeout event runs: xstate's callback, or a record's `_timeout`. */
function callTimeout(what: TimeoutFn | TimeoutRecord): void {
  if (typeof what === 'function') what();
  else what._timeout();
}

/**
 * The event function of one life of a timer's owner. Its own function, not a closure made in `arm`: a function whose
 * variables a closure captures allocates their context on every call, also on the calls that make no closure.
 */
function fireWhileAlive(life: TimerLife, token: number): (what: TimeoutFn | TimeoutRecord) => void {
  return (what) => {
    if (life.alive(token)) callTimeout(what);
  };
}

/**
 * A clock whose timeouts are scheduler events. `life` lets the host drop timers of a node that crashed after arming
 * them. A non-finite delay (`Infinity`) never fires.
 *
 * A timeout costs the scheduler's event and nothing else: the event's argument is xstate's callback itself (or the
 * record of `setTimeoutRecord`), and the event's function is one closure per life of the owner (its token captured),
 * made again only when the token changes (a crash). A storm arms and cancels hundreds of thousands of retransmission
 * timers; an object per timer beside the event was garbage that lived long enough to be promoted. A class, not
 * closures: ten thousand hosts share the methods.
 */
class SchedulerClock implements VirtualClock {
  private fire: (what: TimeoutFn | TimeoutRecord) => void = callTimeout;
  private fireToken: number | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly life: TimerLife | undefined,
  ) {}

  setTimeout(fn: TimeoutFn, timeoutMs: number): unknown {
    return this.arm(fn, timeoutMs);
  }

  /** `setTimeout` of `record._timeout()`: the record itself is the scheduler's event and its handle. */
  setTimeoutRecord(record: TimeoutRecord, timeoutMs: number): unknown {
    if (timeoutMs === Infinity) return NEVER;
    const scheduler = this.scheduler;
    scheduler.schedule(record, scheduler.nowUs + msToUs(timeoutMs), this.fireOfLife());
    return record;
  }

  private arm(what: TimeoutFn, timeoutMs: number): ScheduledEvent {
    if (timeoutMs === Infinity) return NEVER;
    return this.scheduler.after(msToUs(timeoutMs), this.fireOfLife(), what);
  }

  /** The event function for a timeout armed now (in the owner's current life). */
  private fireOfLife(): (what: TimeoutFn | TimeoutRecord) => void {
    const life = this.life;
    if (life !== undefined) {
      const token = life.lifeToken();
      if (token !== this.fireToken) {
        this.fireToken = token;
        this.fire = fireWhileAlive(life, token);
      }
    }
    return this.fire;
  }

  clearTimeout(id: unknown): void {
    if (id !== null && typeof id === 'object' && 'seq' in id) this.scheduler.cancel(id as ScheduledEvent);
  }
}

export function createVirtualClock(scheduler: Scheduler, life?: TimerLife): VirtualClock {
  return new SchedulerClock(scheduler, life);
}
