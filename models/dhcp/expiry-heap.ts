/**
 * Deadlines by time, a binary min-heap with lazy deletion: an entry is stale when its key no longer has that
 * deadline (`isCurrent`). The lease store keeps one entry per (address, deadline) it sets, so the next expiry and
 * the expired set cost O(log n) per change instead of a scan over every lease on every DHCP message.
 */
export interface Deadline {
  readonly atUs: number;
  readonly key: string;
}

export class ExpiryHeap {
  private readonly items: Deadline[] = [];

  push(atUs: number, key: string): void {
    const items = this.items;
    items.push({ atUs, key });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as Deadline;
      const c = items[i] as Deadline;
      if (p.atUs <= c.atUs) break;
      items[parent] = c;
      items[i] = p;
      i = parent;
    }
  }

  /** The earliest current deadline (stale ones on top are dropped), or null. */
  peek(isCurrent: (d: Deadline) => boolean): Deadline | null {
    for (;;) {
      const top = this.items[0];
      if (top === undefined) return null;
      if (isCurrent(top)) return top;
      this.pop();
    }
  }

  pop(): Deadline | undefined {
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
      if (l < items.length && (items[l] as Deadline).atUs < (items[m] as Deadline).atUs) m = l;
      if (r < items.length && (items[r] as Deadline).atUs < (items[m] as Deadline).atUs) m = r;
      if (m === i) break;
      const t = items[m] as Deadline;
      items[m] = items[i] as Deadline;
      items[i] = t;
      i = m;
    }
    return top;
  }

  get length(): number {
    return this.items.length;
  }
}
