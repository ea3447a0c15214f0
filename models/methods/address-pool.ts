/**
 * A local address pool (strongSwan's `rightsourceip=<range>`): the first free address of a range; the same identity
 * gets its previous address back while it lingers; a released address may be reused by another identity only after
 * `reuseDelayUs`; nothing free ⇒ undefined (the caller answers INTERNAL_ADDRESS_FAILURE, RFC 7296 §3.10.1).
 */
import { ipv4ToU32, u32ToIpv4 } from '../wire/ipv4-address.ts';

export interface PoolOptions {
  readonly first: string;
  readonly last: string;
  readonly prefixLength: number;
  readonly dns: readonly string[];
  /** Default 0: a released address is free at once (still preferred by its last owner). */
  readonly reuseDelayUs?: number;
}

interface Lease {
  readonly address: string;
  /** The address as a number (the lingering queue's tie-break: lower first, the order the range is handed out). */
  readonly value: number;
  owner: string;
  /** The IKE SA holding it; undefined while lingering. */
  ikeSaId: string | undefined;
  releasedAtUs: number;
}

/** A lease as it lingered at one release; stale once the lease is taken again or released again. */
interface Lingering {
  readonly lease: Lease;
  readonly releasedAtUs: number;
}

const earlier = (a: Lingering, b: Lingering): boolean =>
  a.releasedAtUs < b.releasedAtUs || (a.releasedAtUs === b.releasedAtUs && a.lease.value < b.lease.value);

/**
 * Lingering leases by release time (then address), a binary min-heap with lazy deletion: reclaiming the
 * longest-lingering address is O(log n) where a scan of every lease made a pool of N clients O(N²).
 */
class LingerQueue {
  private readonly items: Lingering[] = [];

  push(lease: Lease): void {
    const items = this.items;
    items.push({ lease, releasedAtUs: lease.releasedAtUs });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(items[i] as Lingering, items[parent] as Lingering)) break;
      [items[parent], items[i]] = [items[i] as Lingering, items[parent] as Lingering];
      i = parent;
    }
  }

  /** The longest-lingering lease still lingering since the release it was queued for. */
  peek(isCurrent: (l: Lingering) => boolean): Lease | undefined {
    for (;;) {
      const top = this.items[0];
      if (top === undefined) return undefined;
      if (isCurrent(top)) return top.lease;
      this.pop();
    }
  }

  pop(): void {
    const items = this.items;
    const last = items.pop();
    if (last === undefined || items.length === 0) return;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && earlier(items[l] as Lingering, items[m] as Lingering)) m = l;
      if (r < items.length && earlier(items[r] as Lingering, items[m] as Lingering)) m = r;
      if (m === i) break;
      [items[m], items[i]] = [items[i] as Lingering, items[m] as Lingering];
      i = m;
    }
  }

  clear(): void {
    this.items.length = 0;
  }
}

export class AddressPool {
  private readonly leases = new Map<string, Lease>();
  private readonly byOwner = new Map<string, Lease>();
  private readonly lingering = new LingerQueue();
  private readonly first: number;
  private readonly last: number;
  /**
   * Every address below it has been handed out: addresses enter `leases` lowest first and leave only on `clear`, so
   * the leased ones are always a prefix of the range and the next never-used one is this cursor (no scan).
   */
  private nextUnused: number;

  constructor(readonly options: PoolOptions) {
    this.first = ipv4ToU32(options.first);
    this.last = ipv4ToU32(options.last);
    this.nextUnused = this.first;
  }

  acquire(owner: string, ikeSaId: string, nowUs: number): string | undefined {
    const mine = this.byOwner.get(owner);
    if (mine !== undefined) {
      mine.ikeSaId = ikeSaId;
      return mine.address;
    }
    if (this.nextUnused <= this.last) {
      const value = this.nextUnused;
      this.nextUnused += 1;
      return this.assign(u32ToIpv4(value), value, owner, ikeSaId);
    }
    // Reclaim the longest-lingering address (ties: the lowest) whose reuse delay has passed; the delay is the same for
    // every lease, so if the longest-lingering one is too recent, every other is too.
    const oldest = this.lingering.peek(
      (l) =>
        l.lease.ikeSaId === undefined &&
        l.lease.releasedAtUs === l.releasedAtUs &&
        this.leases.get(l.lease.address) === l.lease,
    );
    if (oldest === undefined || nowUs - oldest.releasedAtUs < (this.options.reuseDelayUs ?? 0)) return undefined;
    this.lingering.pop();
    this.byOwner.delete(oldest.owner);
    return this.assign(oldest.address, oldest.value, owner, ikeSaId);
  }

  private assign(address: string, value: number, owner: string, ikeSaId: string): string {
    const lease: Lease = { address, value, owner, ikeSaId, releasedAtUs: 0 };
    this.leases.set(address, lease);
    this.byOwner.set(owner, lease);
    return address;
  }

  /** Only the IKE SA currently holding the lease releases it (a stale SA of a reconnected peer does not). */
  release(owner: string, ikeSaId: string, nowUs: number): string | undefined {
    const lease = this.byOwner.get(owner);
    if (lease === undefined || lease.ikeSaId !== ikeSaId) return undefined;
    lease.ikeSaId = undefined;
    lease.releasedAtUs = nowUs;
    this.lingering.push(lease);
    return lease.address;
  }

  /**
   * The gateway restarted: every IKE SA is gone, but the pool is kept (strongSwan's attr-sql pools live in a database)
   * with every address lingering for its owner. A peer that still uses its address until it notices the restart is
   * not given a twin: another identity gets a never-used address first, the owner its own back (RFC 7296 §2.19).
   */
  suspendAll(nowUs: number): void {
    for (const l of this.leases.values()) {
      l.ikeSaId = undefined;
      l.releasedAtUs = nowUs;
      this.lingering.push(l);
    }
  }

  clear(): void {
    this.leases.clear();
    this.byOwner.clear();
    this.lingering.clear();
    this.nextUnused = this.first;
  }

  /** address → `owner` (active) or `owner (lingering)`. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const l of [...this.leases.values()].sort((a, b) => ipv4ToU32(a.address) - ipv4ToU32(b.address))) {
      out[l.address] = l.ikeSaId === undefined ? `${l.owner} (lingering)` : l.owner;
    }
    return out;
  }
}
