import { describe, expect, it } from 'vitest';
import { createActor, createMachine, sendParent, setup, spawnChild } from 'xstate';
import { Scheduler } from '../../sim/scheduler.ts';
import {
  createVirtualClock,
  msToUs,
  timeoutRecordFields,
  type TimeoutRecord,
  type TimerLife,
} from '../../sim/virtual-clock.ts';
import { createMachineActor } from '../../sim/statechart/actor.ts';

describe('virtual clock (xstate Clock on the scheduler)', () => {
  it('converts ms to integer µs, rounding to nearest', () => {
    expect(msToUs(1500)).toBe(1_500_000);
    expect(msToUs(0.0004)).toBe(0);
    expect(msToUs(0.0015)).toBe(2);
    expect(msToUs(-3)).toBe(0);
    expect(msToUs(Number.NaN)).toBe(0);
  });

  it("fires a machine's `after: { 1500 }` at exactly 1,500,000 µs", () => {
    const scheduler = new Scheduler();
    const clock = createVirtualClock(scheduler);
    const machine = createMachine({
      id: 'm',
      initial: 'waiting',
      states: { waiting: { after: { 1500: 'done' } }, done: {} },
    });
    const seen: [string, number][] = [];
    const actor = createActor(machine, { clock });
    actor.subscribe((s) => seen.push([String(s.value), scheduler.nowUs]));
    actor.start();
    scheduler.runUntil(1_499_999);
    expect(actor.getSnapshot().value).toBe('waiting');
    scheduler.runUntilIdle();
    expect(seen).toEqual([
      ['waiting', 0],
      ['done', 1_500_000],
    ]);
  });

  it('child actors (invoked and spawned) inherit the clock: their `after` fires at the exact virtual time', () => {
    const scheduler = new Scheduler();
    const clock = createVirtualClock(scheduler);
    const child = createMachine({
      id: 'child',
      initial: 'ticking',
      states: {
        ticking: { after: { 250: { target: 'rang', actions: sendParent({ type: 'child.rang' }) } } },
        rang: {},
      },
    });
    const rangAtUs: string[] = [];
    const parent = setup({ actors: { child } }).createMachine({
      id: 'parent',
      initial: 'running',
      entry: spawnChild('child', { id: 'spawned' }),
      invoke: { src: 'child', id: 'invoked' },
      on: { 'child.rang': { actions: () => rangAtUs.push(`rang@${scheduler.nowUs}`) } },
      states: { running: { after: { 1500: 'finished' } }, finished: {} },
    });
    const actor = createActor(parent, { clock });
    actor.start();
    scheduler.runUntil(1_000_000);
    // Both children (one spawned in entry, one invoked) ring at 250 ms virtual, in the order they were started.
    expect(rangAtUs).toEqual(['rang@250000', 'rang@250000']);
    scheduler.runUntilIdle();
    expect(actor.getSnapshot().value).toBe('finished');
    expect(scheduler.nowUs).toBe(1_500_000);
  });

  it('a delay cancelled by leaving the state early never fires', () => {
    const scheduler = new Scheduler();
    const clock = createVirtualClock(scheduler);
    const machine = createMachine({
      id: 'm',
      initial: 'waiting',
      states: {
        waiting: { after: { 1500: 'timedOut' }, on: { 'net.recv': 'answered' } },
        answered: { after: { 5000: 'idle' } },
        timedOut: {},
        idle: {},
      },
    });
    const values: [string, number][] = [];
    const actor = createActor(machine, { clock });
    actor.subscribe((s) => values.push([String(s.value), scheduler.nowUs]));
    actor.start();
    scheduler.at(1_000_000, () => actor.send({ type: 'net.recv' }));
    const result = scheduler.runUntilIdle();
    expect(values).toEqual([
      ['waiting', 0],
      ['answered', 1_000_000],
      ['idle', 6_000_000],
    ]);
    // Events run: the send at 1 s and the 5 s delay; the cancelled 1.5 s delay is not run.
    expect(result).toEqual({ reason: 'idle', eventsRun: 2, atUs: 6_000_000 });
  });

  it('an infinite delay never fires and clearTimeout ignores foreign ids', () => {
    const scheduler = new Scheduler();
    const clock = createVirtualClock(scheduler);
    let fired = 0;
    const id = clock.setTimeout(() => fired++, Infinity);
    clock.clearTimeout(id);
    clock.clearTimeout(42);
    clock.clearTimeout(undefined);
    expect(scheduler.runUntilIdle().eventsRun).toBe(0);
    expect(fired).toBe(0);
  });
  it('setTimeoutRecord runs the record’s _timeout at the virtual time, in order with callbacks; cancel and Infinity as setTimeout', () => {
    const scheduler = new Scheduler();
    const clock = createVirtualClock(scheduler) as ReturnType<typeof createVirtualClock> & {
      setTimeoutRecord(record: TimeoutRecord, ms: number): unknown;
    };
    const seen: string[] = [];
    const record = (name: string): TimeoutRecord => ({
      ...timeoutRecordFields(),
      _timeout: () => seen.push(`${name}@${scheduler.nowUs}`),
    });
    clock.setTimeoutRecord(record('r1'), 2);
    clock.setTimeout(() => seen.push(`fn@${scheduler.nowUs}`), 1);
    clock.setTimeoutRecord(record('r2'), 1);
    const cancelled = clock.setTimeoutRecord(record('cancelled'), 1);
    clock.clearTimeout(cancelled);
    clock.setTimeoutRecord(record('never'), Infinity);
    scheduler.runUntilIdle();
    expect(seen).toEqual(['fn@1000', 'r2@1000', 'r1@2000']);
  });

  it('a record re-armed after a clear or after it fired fires once per arm, at its new time, in order with new events', () => {
    const scheduler = new Scheduler();
    const clock = createVirtualClock(scheduler) as ReturnType<typeof createVirtualClock> & {
      setTimeoutRecord(record: TimeoutRecord, ms: number): unknown;
    };
    const seen: string[] = [];
    const r: TimeoutRecord = { ...timeoutRecordFields(), _timeout: () => seen.push(`r@${scheduler.nowUs}`) };
    // Armed, cleared and armed again (a retransmission timer re-armed per message): only the last arm fires.
    clock.clearTimeout(clock.setTimeoutRecord(r, 1));
    clock.setTimeout(() => seen.push(`a@${scheduler.nowUs}`), 3);
    clock.setTimeoutRecord(r, 3);
    clock.setTimeout(() => seen.push(`b@${scheduler.nowUs}`), 3);
    scheduler.runUntil(4_000);
    expect(seen).toEqual(['a@3000', 'r@3000', 'b@3000']);
    // Armed again after it fired, then again while still pending (moved): once, at the last arm's time.
    clock.setTimeoutRecord(r, 2);
    clock.setTimeoutRecord(r, 1);
    scheduler.runUntilIdle();
    expect(seen).toEqual(['a@3000', 'r@3000', 'b@3000', 'r@5000']);
    expect(scheduler.pendingCount).toBe(0);
  });

  it('a record armed before its owner crashed does not fire, one armed in the new life does (as callbacks)', () => {
    const scheduler = new Scheduler();
    let epoch = 0;
    const life: TimerLife = { lifeToken: () => epoch, alive: (token) => token === epoch };
    const clock = createVirtualClock(scheduler, life) as ReturnType<typeof createVirtualClock> & {
      setTimeoutRecord(record: TimeoutRecord, ms: number): unknown;
    };
    const seen: string[] = [];
    clock.setTimeoutRecord({ ...timeoutRecordFields(), _timeout: () => seen.push('old record') }, 10);
    clock.setTimeout(() => seen.push('old callback'), 10);
    scheduler.at(5_000, () => {
      epoch++;
      clock.setTimeoutRecord({ ...timeoutRecordFields(), _timeout: () => seen.push('new record') }, 10);
      clock.setTimeout(() => seen.push('new callback'), 10);
    });
    scheduler.runUntilIdle();
    expect(seen).toEqual(['new record', 'new callback']);
  });

  it('a lab actor’s delayed events go to the clock as records and fire as on xstate’s actor (same values, same µs)', () => {
    const machine = createMachine({
      id: 'm',
      initial: 'a',
      states: {
        a: { after: { 5: 'b' }, on: { GO: 'c' } },
        b: { after: { 7: 'a', 20: 'c' } },
        c: { after: { 3: 'b' } },
      },
    });
    const run = (
      make: (clock: ReturnType<typeof createVirtualClock>) => {
        start(): void;
        subscribe(f: (s: { value: unknown }) => void): unknown;
        send(e: { type: string }): void;
        stop(): void;
      },
    ): [string, number][] => {
      const scheduler = new Scheduler();
      const clock = createVirtualClock(scheduler);
      const values: [string, number][] = [];
      const actor = make(clock);
      actor.subscribe((s) => values.push([String(s.value), scheduler.nowUs]));
      actor.start();
      scheduler.at(30_000, () => actor.send({ type: 'GO' }));
      scheduler.runUntil(60_000);
      actor.stop();
      return values;
    };
    let records = 0;
    const reference = run((clock) => createActor(machine, { clock }) as never);
    const lab = run((clock) => {
      const counting = clock as unknown as { setTimeoutRecord(r: unknown, ms: number): unknown };
      const arm = counting.setTimeoutRecord.bind(counting);
      counting.setTimeoutRecord = (r, ms) => {
        records++;
        return arm(r, ms);
      };
      return createMachineActor(machine, { clock } as never) as never;
    });
    expect(lab).toEqual(reference);
    expect(reference.length).toBeGreaterThan(5);
    expect(records).toBeGreaterThan(5);
  });
});
