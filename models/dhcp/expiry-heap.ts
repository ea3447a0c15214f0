/**
 * Deadlines by time, a min-heap with lazy deletion (models/min-heap.ts): an entry is stale when its key no longer has
 * that deadline (`isCurrent`). The lease store keeps one entry per (address, deadline) it sets, so the next expiry and
 * the expired set cost O(log n) per change instead of a scan over every lease on every DHCP message.
 */
import { MinHeap } from '../min-heap.ts';

export interface Deadline {
  readonly atUs: number;
  readonly key: string;
}

export class ExpiryHeap {
  private readonly heap = new MinHeap<Deadline>((a, b) => a.atUs < b.atUs);

  push(atUs: number, key: string): void {
    this.heap.push({ atUs, key });
  }

  /** The earliest current deadline (stale ones on top are dropped), or null. */
  peek(isCurrent: (d: Deadline) => boolean): Deadline | null {
    return this.heap.peek(isCurrent) ?? null;
  }

  pop(): Deadline | undefined {
    return this.heap.pop();
  }

  get length(): number {
    return this.heap.length;
  }
}
