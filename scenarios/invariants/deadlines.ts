/**
 * The earliest of many deadlines that change one by one: a binary min-heap with lazy deletion. An item has at most one
 * live entry (`live`); re-setting it leaves the old entry in the heap as garbage, skipped when it reaches the top and
 * dropped by a compaction once garbage outnumbers live entries. The invariant checker keys each address holding by
 * the instant its server lease (plus the method's structural grace) runs out, so asking "has any lease run out?" costs
 * O(log n) per change instead of a walk of every holding per lease note.
 *
 * A NaN deadline is kept apart and makes `minUs` NaN, as `Math.min` over the deadlines would be (nothing is then due:
 * every comparison with NaN is false).
 */

interface Entry<T> {
  readonly item: T;
  readonly atUs: number;
}

/** Compaction happens only above this many heap slots, so small heaps never pay for it. */
const COMPACT_MIN = 1024;

export class Deadlines<T> {
  private readonly heap: Entry<T>[] = [];
  private readonly live = new Map<T, Entry<T>>();
  private readonly unordered = new Set<T>();

  /** Sets (or moves) `item`'s deadline; +Infinity removes it. */
  set(item: T, atUs: number): void {
    if (Number.isNaN(atUs)) {
      this.live.delete(item);
      this.unordered.add(item);
      return;
    }
    this.unordered.delete(item);
    if (atUs === Number.POSITIVE_INFINITY) {
      this.live.delete(item);
      return;
    }
    if (this.live.get(item)?.atUs === atUs) return;
    const entry: Entry<T> = { item, atUs };
    this.live.set(item, entry);
    this.push(entry);
    if (this.heap.length > COMPACT_MIN && this.heap.length > 2 * this.live.size) this.compact();
  }

  delete(item: T): void {
    this.live.delete(item);
    this.unordered.delete(item);
  }

  /** The earliest deadline: +Infinity when none, NaN when some deadline is NaN. */
  minUs(): number {
    if (this.unordered.size > 0) return Number.NaN;
    this.dropGarbageTop();
    return this.heap[0]?.atUs ?? Number.POSITIVE_INFINITY;
  }

  /** Removes and returns every item whose deadline is before `atUs` (in no particular order). */
  takeBefore(atUs: number): T[] {
    const out: T[] = [];
    for (;;) {
      this.dropGarbageTop();
      const top = this.heap[0];
      if (top === undefined || !(top.atUs < atUs)) return out;
      this.popTop();
      this.live.delete(top.item);
      out.push(top.item);
    }
  }

  private isLive(entry: Entry<T>): boolean {
    return this.live.get(entry.item) === entry;
  }

  private dropGarbageTop(): void {
    while (this.heap.length > 0 && !this.isLive(this.heap[0] as Entry<T>)) this.popTop();
  }

  private compact(): void {
    const heap = this.heap;
    let kept = 0;
    for (const entry of heap) if (this.isLive(entry)) heap[kept++] = entry;
    heap.length = kept;
    // A sorted array is a valid heap.
    heap.sort((a, b) => a.atUs - b.atUs);
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex] as Entry<T>;
      if (parent.atUs <= entry.atUs) break;
      heap[i] = parent;
      i = parentIndex;
    }
    heap[i] = entry;
  }

  private popTop(): void {
    const heap = this.heap;
    const last = heap.pop() as Entry<T>;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      let c = heap[left] as Entry<T>;
      if (right < n && (heap[right] as Entry<T>).atUs < c.atUs) {
        child = right;
        c = heap[right] as Entry<T>;
      }
      if (last.atUs <= c.atUs) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}
