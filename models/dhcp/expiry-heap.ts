/**
 * Deadlines by time, a binary min-heap with lazy deletion: an entry is stale when its key no longer has that deadline
 * (`isCurrent`). The lease store keeps one entry per (address, deadline) it sets, so the next expiry and the expired
 * set cost O(log n) per change instead of a scan over every lease on every DHCP message.
 *
 * Two parallel arrays (times unboxed in a double array, keys), not an `{ atUs, key }` object per entry: every bound
 * lease of a storm holds one entry, and the object with its boxed time was ~64 B of each idle client's heap. The
 * order is models/min-heap.ts's exactly (same sift steps under `a.atUs < b.atUs`), so equal deadlines still come out
 * in the same order and traces stay byte-identical.
 */
export class ExpiryHeap {
  private readonly times: number[] = [];
  private readonly keys: string[] = [];

  get length(): number {
    return this.times.length;
  }

  push(atUs: number, key: string): void {
    const times = this.times;
    const keys = this.keys;
    times.push(atUs);
    keys.push(key);
    let i = times.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = times[parent] as number;
      const c = times[i] as number;
      if (!(c < p)) break;
      this.swap(parent, i);
      i = parent;
    }
  }

  /** Drops stale entries on top; true when a current entry is then on top (`topAtUs`, `topKey`). */
  dropStale(isCurrent: (atUs: number, key: string) => boolean): boolean {
    for (;;) {
      if (this.times.length === 0) return false;
      if (isCurrent(this.times[0] as number, this.keys[0] as string)) return true;
      this.pop();
    }
  }

  /** The top entry's time (call after `dropStale` returned true). */
  get topAtUs(): number {
    return this.times[0] as number;
  }

  get topKey(): string {
    return this.keys[0] as string;
  }

  /** Removes the top entry. */
  pop(): void {
    const times = this.times;
    const keys = this.keys;
    if (times.length === 0) return;
    const lastAt = times.pop() as number;
    const lastKey = keys.pop() as string;
    if (times.length === 0) return;
    times[0] = lastAt;
    keys[0] = lastKey;
    const n = times.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && (times[l] as number) < (times[m] as number)) m = l;
      if (r < n && (times[r] as number) < (times[m] as number)) m = r;
      if (m === i) break;
      this.swap(m, i);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const times = this.times;
    const keys = this.keys;
    const t = times[a] as number;
    times[a] = times[b] as number;
    times[b] = t;
    const k = keys[a] as string;
    keys[a] = keys[b] as string;
    keys[b] = k;
  }
}
