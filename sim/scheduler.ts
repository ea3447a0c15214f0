/**
 * The clock and the event queue of a run. Time is an integer count of microseconds; one 4-ary heap ordered by
 * (atUs, seq) holds every pending event, and `seq` (the scheduling order) breaks ties, so events due at the same
 * instant always run in the order they were scheduled (ARCHITECTURE.md "sim/").
 *
 * Cancellation is lazy: a cancelled event keeps its heap slot with `fn = null` and is skipped when popped; the heap is
 * compacted when cancelled slots outnumber live ones, so a run that arms and cancels many retransmission timers keeps
 * a bounded heap. A record (`schedule`) may be scheduled again once it ran or was cancelled, while its cancelled slot
 * still waits in the heap: each slot keeps the `seq` it was pushed with, and a slot whose record has taken another
 * `seq` since is stale and skipped like a cancelled one. So a timer re-armed on every message (cancel, schedule) reuses
 * its one record instead of making an event object per arm; it takes a fresh `seq` exactly as a new event would, so
 * the order of events is the same.
 *
 * The heap's order keys sit beside it in two typed arrays (slot i's `atUs` and `seq`), so sifting through a storm's
 * hundred thousand pending events compares numbers in two contiguous arrays instead of loading each event object.
 * Four children per slot (slot i's are 4i+1 … 4i+4, adjacent in the key arrays) halve the levels a pop sifts through
 * compared with a binary heap; (atUs, seq) is a total order, so the events come out in the same order either way.
 */

/** One pending event. Returned by `at`/`after` as the handle to cancel it; treat it as opaque. */
export interface ScheduledEvent {
  readonly atUs: number;
  readonly seq: number;
  /** @internal null once run or cancelled. */
  fn: ((arg: unknown) => void) | null;
  /** @internal */
  arg: unknown;
}

/**
 * An event record its scheduler fills in (`schedule`): a caller whose event carries data (a packet in flight) makes
 * one object that is both the data and the heap entry, instead of a data object plus an event record per occurrence.
 * A record that ran or was cancelled may be scheduled again (a re-armed timer); `fn` is null unless it is pending.
 */
export interface EventRecord {
  atUs: number;
  seq: number;
  fn: ((arg: unknown) => void) | null;
  arg: unknown;
}

export type StopReason = 'time' | 'idle' | 'eventsMax' | 'stopped';

/** How a run loop ended. A bound being hit is a result, never an exception. */
export interface RunResult {
  /** `time`: the runUntil bound was reached; `idle`: no event left; `eventsMax`: the event budget was spent; `stopped`: `stop()` was called. */
  readonly reason: StopReason;
  /** Events run by this call (cancelled events are not counted). */
  readonly eventsRun: number;
  /** Virtual time when the loop returned. */
  readonly atUs: number;
}

export interface RunOptions {
  /** Upper bound on events run by this call. Default: `Scheduler.EVENTS_MAX_DEFAULT`. */
  readonly eventsMax?: number;
}

/** Compaction happens only above this many cancelled slots, so small heaps never pay for it. */
const CANCELLED_COMPACT_MIN = 1024;
/** Initial slots of the key arrays (they double as the heap grows). */
const KEYS_INITIAL = 1024;

export class Scheduler {
  static readonly EVENTS_MAX_DEFAULT = 100_000_000;

  private readonly heap: ScheduledEvent[] = [];
  /** `heap[i].atUs` and `heap[i].seq` for each slot i < heap.length. */
  private heapAtUs = new Float64Array(KEYS_INITIAL);
  private heapSeq = new Float64Array(KEYS_INITIAL);
  private seqNext = 0;
  private nowUsValue = 0;
  private cancelledInHeap = 0;
  private stopRequested = false;
  private eventsRunTotalValue = 0;

  /** Current virtual time in integer microseconds. */
  get nowUs(): number {
    return this.nowUsValue;
  }

  /** Events run since the scheduler was created. */
  get eventsRunTotal(): number {
    return this.eventsRunTotalValue;
  }

  /** Live (not cancelled) pending events. */
  get pendingCount(): number {
    return this.heap.length - this.cancelledInHeap;
  }

  /** Time of the earliest live pending event, or undefined when idle. */
  peekAtUs(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.atUs;
  }

  /** Schedules `fn(arg)` at absolute time `atUs` (an integer ≥ nowUs). */
  at<A>(atUs: number, fn: (arg: A) => void, arg?: A): ScheduledEvent {
    if (!Number.isSafeInteger(atUs) || atUs < this.nowUsValue) {
      throw new RangeError(`schedule at ${atUs} µs: must be an integer ≥ now (${this.nowUsValue} µs)`);
    }
    const event: ScheduledEvent = { atUs, seq: this.seqNext++, fn: fn as (arg: unknown) => void, arg };
    this.push(event);
    return event;
  }

  /**
   * Schedules `fn(record)` at absolute time `atUs` (an integer ≥ nowUs) with `record` itself as the heap entry; the
   * same order as `at` (it takes the next `seq`). The record is also the handle to cancel it. A record that ran or was
   * cancelled may be scheduled again; one still pending is moved (its pending occurrence is cancelled first).
   */
  schedule<R extends EventRecord>(record: R, atUs: number, fn: (record: R) => void): void {
    if (!Number.isSafeInteger(atUs) || atUs < this.nowUsValue) {
      throw new RangeError(`schedule at ${atUs} µs: must be an integer ≥ now (${this.nowUsValue} µs)`);
    }
    // Its slot stays in the heap, stale once the record takes its new seq below.
    if (record.fn !== null) this.cancel(record);
    record.atUs = atUs;
    record.seq = this.seqNext++;
    record.fn = fn as (arg: unknown) => void;
    record.arg = record;
    this.push(record);
  }

  /** Schedules `fn(arg)` `delayUs` (an integer ≥ 0) from now. */
  after<A>(delayUs: number, fn: (arg: A) => void, arg?: A): ScheduledEvent {
    return this.at(this.nowUsValue + delayUs, fn, arg);
  }

  /** Cancels a pending event; returns false if it already ran or was cancelled. */
  cancel(event: ScheduledEvent): boolean {
    if (event.fn === null) return false;
    event.fn = null;
    event.arg = undefined;
    this.cancelledInHeap++;
    if (this.cancelledInHeap > CANCELLED_COMPACT_MIN && this.cancelledInHeap * 2 > this.heap.length) this.compact();
    return true;
  }

  /** Asks the running loop to return after the current event (reason `stopped`). */
  stop(): void {
    this.stopRequested = true;
  }

  /** Runs every event due at or before `untilUs`, then sets the clock to exactly `untilUs` (unless a bound hit first). */
  runUntil(untilUs: number, options?: RunOptions): RunResult {
    if (!Number.isSafeInteger(untilUs) || untilUs < this.nowUsValue) {
      throw new RangeError(`runUntil ${untilUs} µs: must be an integer ≥ now (${this.nowUsValue} µs)`);
    }
    const result = this.loop(untilUs, options?.eventsMax ?? Scheduler.EVENTS_MAX_DEFAULT);
    if (result.reason === 'idle' || result.reason === 'time') {
      this.nowUsValue = untilUs;
      return { reason: 'time', eventsRun: result.eventsRun, atUs: untilUs };
    }
    return result;
  }

  /** Runs until no event is left, the event budget is spent, or `stop()` is called. */
  runUntilIdle(options?: RunOptions): RunResult {
    return this.loop(Number.MAX_SAFE_INTEGER, options?.eventsMax ?? Scheduler.EVENTS_MAX_DEFAULT);
  }

  /** Runs the single next live event, if any. Returns false when idle. */
  step(): boolean {
    return this.loop(Number.MAX_SAFE_INTEGER, 1).eventsRun === 1;
  }

  // The hot path: pop, skip cancelled, advance the clock, call. Bounded by `eventsMax`.
  private loop(untilUs: number, eventsMax: number): RunResult {
    this.stopRequested = false;
    const heap = this.heap;
    let eventsRun = 0;
    let reason: StopReason = 'idle';
    while (heap.length > 0) {
      if ((this.heapAtUs[0] as number) > untilUs) {
        reason = 'time';
        break;
      }
      const top = heap[0] as ScheduledEvent;
      // A cancelled slot, or a stale one (its record was scheduled again since: another seq).
      const live = top.fn !== null && top.seq === (this.heapSeq[0] as number);
      if (eventsRun >= eventsMax && live) {
        reason = 'eventsMax';
        break;
      }
      this.popTop();
      if (!live) {
        this.cancelledInHeap--;
        continue;
      }
      const fn = top.fn as (arg: unknown) => void;
      top.fn = null;
      this.nowUsValue = top.atUs;
      eventsRun++;
      fn(top.arg);
      if (this.stopRequested) {
        reason = 'stopped';
        break;
      }
    }
    this.stopRequested = false;
    this.eventsRunTotalValue += eventsRun;
    return { reason, eventsRun, atUs: this.nowUsValue };
  }

  /** Is slot `i` a pending occurrence (not cancelled, not stale)? */
  private liveAt(i: number): boolean {
    const event = this.heap[i] as ScheduledEvent;
    return event.fn !== null && event.seq === (this.heapSeq[i] as number);
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && !this.liveAt(0)) {
      this.popTop();
      this.cancelledInHeap--;
    }
  }

  /**
   * Drops cancelled slots in place: the run loop holds a reference to the heap array while a handler cancels timers,
   * so the array must stay the same object.
   */
  private compact(): void {
    const heap = this.heap;
    let kept = 0;
    for (let i = 0; i < heap.length; i++) if (this.liveAt(i)) heap[kept++] = heap[i] as ScheduledEvent;
    heap.length = kept;
    // A sorted array is a valid heap.
    heap.sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
    const atUs = this.heapAtUs;
    const seq = this.heapSeq;
    for (let i = 0; i < kept; i++) {
      const event = heap[i] as ScheduledEvent;
      atUs[i] = event.atUs;
      seq[i] = event.seq;
    }
    this.cancelledInHeap = 0;
  }

  private push(event: ScheduledEvent): void {
    const heap = this.heap;
    let i = heap.length;
    if (i === this.heapAtUs.length) this.growKeys();
    const keysAtUs = this.heapAtUs;
    const keysSeq = this.heapSeq;
    heap.push(event);
    const atUs = event.atUs;
    const seq = event.seq;
    while (i > 0) {
      const parentIndex = (i - 1) >> 2;
      const parentAtUs = keysAtUs[parentIndex] as number;
      if (parentAtUs < atUs || (parentAtUs === atUs && (keysSeq[parentIndex] as number) < seq)) break;
      heap[i] = heap[parentIndex] as ScheduledEvent;
      keysAtUs[i] = parentAtUs;
      keysSeq[i] = keysSeq[parentIndex] as number;
      i = parentIndex;
    }
    heap[i] = event;
    keysAtUs[i] = atUs;
    keysSeq[i] = seq;
  }

  private growKeys(): void {
    const atUs = new Float64Array(this.heapAtUs.length * 2);
    atUs.set(this.heapAtUs);
    this.heapAtUs = atUs;
    const seq = new Float64Array(this.heapSeq.length * 2);
    seq.set(this.heapSeq);
    this.heapSeq = seq;
  }

  private popTop(): void {
    const heap = this.heap;
    const last = heap.pop() as ScheduledEvent;
    const n = heap.length;
    if (n === 0) return;
    const keysAtUs = this.heapAtUs;
    const keysSeq = this.heapSeq;
    const atUs = keysAtUs[n] as number;
    const seq = keysSeq[n] as number;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // The least of the (up to) four children.
      let child = first;
      let cAtUs = keysAtUs[first] as number;
      let cSeq = keysSeq[first] as number;
      const stop = first + 4 < n ? first + 4 : n;
      for (let j = first + 1; j < stop; j++) {
        const jAtUs = keysAtUs[j] as number;
        if (jAtUs < cAtUs || (jAtUs === cAtUs && (keysSeq[j] as number) < cSeq)) {
          child = j;
          cAtUs = jAtUs;
          cSeq = keysSeq[j] as number;
        }
      }
      if (atUs < cAtUs || (atUs === cAtUs && seq < cSeq)) break;
      heap[i] = heap[child] as ScheduledEvent;
      keysAtUs[i] = cAtUs;
      keysSeq[i] = cSeq;
      i = child;
    }
    heap[i] = last;
    keysAtUs[i] = atUs;
    keysSeq[i] = seq;
  }
}
