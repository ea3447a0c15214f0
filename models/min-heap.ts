/**
 * A binary min-heap under a caller's order, with lazy deletion: entries that no longer hold are dropped when they reach
 * the top (`peek(isCurrent)`), so an index that changes often pays O(log n) per change instead of a scan per question.
 * Used by the DHCP lease store's expiry deadlines and the mode-cfg pool's lingering addresses.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];

  /** `less(a, b)`: a comes out before b. Equal entries come out in an unspecified but deterministic order. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      const c = items[i] as T;
      if (!this.less(c, p)) break;
      items[parent] = c;
      items[i] = p;
      i = parent;
    }
  }

  /** The first current entry (stale ones on top are dropped), or undefined. */
  peek(isCurrent: (item: T) => boolean): T | undefined {
    for (;;) {
      const top = this.items[0];
      if (top === undefined) return undefined;
      if (isCurrent(top)) return top;
      this.pop();
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.less(items[l] as T, items[m] as T)) m = l;
      if (r < items.length && this.less(items[r] as T, items[m] as T)) m = r;
      if (m === i) break;
      const t = items[m] as T;
      items[m] = items[i] as T;
      items[i] = t;
      i = m;
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
