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
 * A clock whose timeouts are scheduler events. `wrap` lets the host guard callbacks (e.g. drop timers of a node that
 * crashed after arming them). A non-finite delay (`Infinity`) never fires.
 */
export function createVirtualClock(scheduler: Scheduler, wrap?: (fn: () => void) => () => void): VirtualClock {
  const never: ScheduledEvent = { atUs: Number.MAX_SAFE_INTEGER, seq: -1, fn: null, arg: undefined };
  return {
    setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown {
      if (timeoutMs === Infinity) return never;
      const call = (): void => fn();
      return scheduler.after(msToUs(timeoutMs), wrap ? wrap(call) : call);
    },
    clearTimeout(id: unknown): void {
      if (id !== null && typeof id === 'object' && 'seq' in id) scheduler.cancel(id as ScheduledEvent);
    },
  };
}
