import { describe, expect, it } from 'vitest';
import { Scheduler, type EventRecord, type ScheduledEvent } from '../../sim/scheduler.ts';

describe('Scheduler', () => {
  it('runs same-instant events in scheduling order, earlier instants first', () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.at(10, () => log.push('b@10'));
    s.at(5, () => log.push('a@5'));
    s.at(10, () => log.push('c@10'));
    s.at(10, () => {
      log.push('d@10');
      // Scheduled during the instant: runs after everything already due at 10.
      s.after(0, () => log.push('f@10'));
    });
    s.at(10, () => log.push('e@10'));
    const result = s.runUntilIdle();
    expect(log).toEqual(['a@5', 'b@10', 'c@10', 'd@10', 'e@10', 'f@10']);
    expect(result).toEqual({ reason: 'idle', eventsRun: 6, atUs: 10 });
  });

  it('keeps scheduling order among 1,000 events at one instant (heap ties)', () => {
    const s = new Scheduler();
    const order: number[] = [];
    for (let i = 0; i < 1000; i++) s.at(7, (n: number) => order.push(n), i);
    s.runUntilIdle();
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('never fires cancelled events, and does not count them', () => {
    const s = new Scheduler();
    const log: number[] = [];
    const keep = s.at(1, () => log.push(1));
    const gone = s.at(2, () => log.push(2));
    const gone2 = s.at(3, () => log.push(3));
    s.at(1, () => s.cancel(gone2));
    expect(s.cancel(gone)).toBe(true);
    expect(s.cancel(gone)).toBe(false);
    expect(s.pendingCount).toBe(3);
    expect(s.runUntilIdle()).toEqual({ reason: 'idle', eventsRun: 2, atUs: 1 });
    expect(log).toEqual([1]);
    expect(s.cancel(keep)).toBe(false);
  });

  it('compacts many cancelled timers and still runs the live ones in order', () => {
    const s = new Scheduler();
    const fired: number[] = [];
    const handles = [];
    for (let i = 0; i < 5000; i++) handles.push(s.at(1000 + (i % 97), (n: number) => fired.push(n), i));
    for (let i = 0; i < 5000; i++) if (i % 10 !== 0) s.cancel(handles[i]!);
    expect(s.pendingCount).toBe(500);
    s.runUntilIdle();
    const expected = Array.from({ length: 500 }, (_, k) => k * 10).sort((a, b) => (a % 97) - (b % 97) || a - b);
    expect(fired).toEqual(expected);
  });

  it('compacts while the run loop is running: a handler that cancels thousands of timers', () => {
    // Regression: compaction used to swap the heap array under the running loop, which then spun on a stale copy.
    const s = new Scheduler();
    const fired: number[] = [];
    const handles = Array.from({ length: 3000 }, (_, i) => s.at(2000 + i, () => fired.push(i)));
    s.at(1000, () => {
      for (let i = 0; i < 3000; i++) if (i % 100 !== 0) s.cancel(handles[i]!);
      s.at(1500, () => fired.push(-1));
    });
    expect(s.runUntilIdle({ eventsMax: 10_000 })).toEqual({ reason: 'idle', eventsRun: 32, atUs: 4900 });
    expect(fired).toEqual([-1, ...Array.from({ length: 30 }, (_, k) => k * 100)]);
  });

  it('a record scheduled again after a cancel or a run takes a fresh seq; its stale slot never runs (also across compaction)', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    const record = (name: string): EventRecord & { name: string } => ({
      atUs: 0,
      seq: 0,
      fn: null,
      arg: undefined,
      name,
    });
    const fire = (r: { name: string }): void => {
      seen.push(`${r.name}@${s.nowUs}`);
    };
    const r = record('r');
    s.schedule(r, 10, fire);
    s.cancel(r);
    s.at(20, () => seen.push('x@20'));
    s.schedule(r, 20, fire);
    s.at(20, () => seen.push('y@20'));
    expect(s.pendingCount).toBe(3);
    s.runUntil(25);
    expect(seen).toEqual(['x@20', 'r@20', 'y@20']);
    // Scheduled again while pending: moved (the first occurrence is cancelled).
    s.schedule(r, 40, fire);
    s.schedule(r, 30, fire);
    expect(s.pendingCount).toBe(1);
    // Thousands of re-arms of a few records: compaction keeps exactly the live occurrences.
    const many = Array.from({ length: 8 }, (_, i) => record(`m${i}`));
    for (let k = 0; k < 3000; k++) {
      const m = many[k % many.length] as EventRecord & { name: string };
      s.cancel(m);
      s.schedule(m, 100 + (k % many.length), fire);
    }
    expect(s.pendingCount).toBe(9);
    s.runUntilIdle();
    expect(seen).toEqual(['x@20', 'r@20', 'y@20', 'r@30', ...many.map((m, i) => `${m.name}@${100 + i}`)]);
    expect(s.pendingCount).toBe(0);
  });

  it('runs thousands of events scheduled at scattered times, some from handlers, in (atUs, seq) order', () => {
    const s = new Scheduler();
    const ran: [number, number][] = [];
    let x = 12345;
    const next = (): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % 5000;
    };
    const schedule = (atUs: number): ScheduledEvent => {
      const slot: { seq: number } = { seq: -1 };
      const e = s.at(atUs, record, slot);
      slot.seq = e.seq;
      return e;
    };
    const record = (slot: { seq: number }): void => {
      ran.push([s.nowUs, slot.seq]);
      if (slot.seq % 7 === 0 && ran.length < 20_000) schedule(s.nowUs + next());
    };
    const cancelled: ScheduledEvent[] = [];
    for (let i = 0; i < 6000; i++) {
      const e = schedule(next() % 500);
      if (i % 3 === 0) cancelled.push(e);
    }
    for (const e of cancelled) s.cancel(e);
    s.runUntilIdle();
    expect(ran.length).toBeGreaterThan(4000);
    const sorted = [...ran].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    expect(ran).toEqual(sorted);
    expect(ran.some(([, seq]) => cancelled.some((e) => e.seq === seq))).toBe(false);
  });

  it('reports the eventsMax bound instead of throwing, and resumes afterwards', () => {
    const s = new Scheduler();
    let n = 0;
    const tick = (): void => {
      n++;
      s.after(10, tick);
    };
    s.at(0, tick);
    expect(s.runUntilIdle({ eventsMax: 100 })).toEqual({ reason: 'eventsMax', eventsRun: 100, atUs: 990 });
    expect(n).toBe(100);
    expect(s.runUntil(2000, { eventsMax: 5 })).toEqual({ reason: 'eventsMax', eventsRun: 5, atUs: 1040 });
    expect(s.eventsRunTotal).toBe(105);
  });

  it('runUntil stops exactly at the bound: events at the bound run, later ones wait, the clock reads the bound', () => {
    const s = new Scheduler();
    const log: number[] = [];
    for (const t of [100, 499, 500, 501, 900]) s.at(t, () => log.push(t));
    expect(s.runUntil(500)).toEqual({ reason: 'time', eventsRun: 3, atUs: 500 });
    expect(log).toEqual([100, 499, 500]);
    expect(s.nowUs).toBe(500);
    expect(s.runUntil(700)).toEqual({ reason: 'time', eventsRun: 1, atUs: 700 });
    expect(s.nowUs).toBe(700);
    expect(s.peekAtUs()).toBe(900);
    expect(s.runUntil(2000)).toEqual({ reason: 'time', eventsRun: 1, atUs: 2000 });
    expect(log).toEqual([100, 499, 500, 501, 900]);
  });

  it('stop() ends the loop after the current event', () => {
    const s = new Scheduler();
    s.at(1, () => s.stop());
    s.at(2, () => undefined);
    expect(s.runUntilIdle()).toEqual({ reason: 'stopped', eventsRun: 1, atUs: 1 });
    expect(s.step()).toBe(true);
    expect(s.step()).toBe(false);
  });

  it('rejects scheduling in the past or at a non-integer time', () => {
    const s = new Scheduler();
    s.runUntil(10);
    expect(() => s.at(9, () => undefined)).toThrow(RangeError);
    expect(() => s.after(1.5, () => undefined)).toThrow(RangeError);
    expect(() => s.runUntil(5)).toThrow(RangeError);
  });
});
