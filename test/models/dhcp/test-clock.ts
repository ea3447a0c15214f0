/**
 * A tiny virtual clock for the DHCP machine tests, before (and independent of) the engine's: xstate's `Clock`
 * (ms) with timeouts run in (time, insertion) order, and `nowUs` for the machines.
 */
export class TestClock {
  private nowMsValue = 0;
  private seq = 0;
  private readonly pending = new Map<
    number,
    { readonly atMs: number; readonly seq: number; readonly fn: () => void }
  >();

  nowMs(): number {
    return this.nowMsValue;
  }

  nowUs(): number {
    return this.nowMsValue * 1000;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown {
    const id = this.seq;
    this.seq += 1;
    this.pending.set(id, { atMs: this.nowMsValue + timeoutMs, seq: id, fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.pending.delete(id as number);
  }

  /** Run every timeout due up to `untilMs` (inclusive), in order; the clock ends at `untilMs`. Bounded. */
  runUntil(untilMs: number, maxSteps = 100_000): void {
    for (let step = 0; step < maxSteps; step += 1) {
      let next: { atMs: number; seq: number; fn: () => void } | undefined;
      let nextId = -1;
      for (const [id, t] of this.pending) {
        if (t.atMs <= untilMs && (!next || t.atMs < next.atMs || (t.atMs === next.atMs && t.seq < next.seq))) {
          next = t;
          nextId = id;
        }
      }
      if (!next) {
        this.nowMsValue = Math.max(this.nowMsValue, untilMs);
        return;
      }
      this.pending.delete(nextId);
      this.nowMsValue = next.atMs;
      next.fn();
    }
    throw new Error('TestClock.runUntil: step bound reached');
  }

  advance(ms: number): void {
    this.runUntil(this.nowMsValue + ms);
  }

  pendingCount(): number {
    return this.pending.size;
  }
}
