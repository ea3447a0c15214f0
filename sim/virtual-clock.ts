/**
 * xstate's `Clock` on the simulator's virtual time. `createActor(machine, { clock })` makes a machine's `after` delays
 * and delayed `raise`/`sendTo` run on the scheduler; xstate gives the system clock to every child actor (the system is
 * shared), so spawned and invoked children run on the same virtual time.
 */
import type { VirtualClock } from '../models/contract.ts';
import type { ScheduledEvent, Scheduler } from './scheduler.ts';

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

/** A pending clock timeout: the scheduler's argument for `fireTimeout`, so a timeout costs one object, no closures. */
interface ClockTimeout {
  readonly fn: (...args: unknown[]) => void;
  readonly life: TimerLife | undefined;
  readonly token: number;
}

function fireTimeout(t: ClockTimeout): void {
  if (t.life === undefined || t.life.alive(t.token)) t.fn();
}

/**
 * A clock whose timeouts are scheduler events. `life` lets the host drop timers of a node that crashed after arming
 * them. A non-finite delay (`Infinity`) never fires.
 */
export function createVirtualClock(scheduler: Scheduler, life?: TimerLife): VirtualClock {
  const never: ScheduledEvent = { atUs: Number.MAX_SAFE_INTEGER, seq: -1, fn: null, arg: undefined };
  return {
    setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown {
      if (timeoutMs === Infinity) return never;
      const t: ClockTimeout = { fn, life, token: life === undefined ? 0 : life.lifeToken() };
      return scheduler.after(msToUs(timeoutMs), fireTimeout, t);
    },
    clearTimeout(id: unknown): void {
      if (id !== null && typeof id === 'object' && 'seq' in id) scheduler.cancel(id as ScheduledEvent);
    },
  };
}
