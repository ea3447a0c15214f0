/**
 * A local address pool (strongSwan's `rightsourceip=<range>`): the first free address of a range; the same identity
 * gets its previous address back while it lingers; a released address may be reused by another identity only after
 * `reuseDelayUs`; nothing free ⇒ undefined (the caller answers INTERNAL_ADDRESS_FAILURE, RFC 7296 §3.10.1).
 */
import { MinHeap } from '../min-heap.ts';
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

/** Longest-lingering first; ties (one restart releases every lease at once) lowest address first. */
const earlier = (a: Lingering, b: Lingering): boolean =>
  a.releasedAtUs < b.releasedAtUs || (a.releasedAtUs === b.releasedAtUs && a.lease.value < b.lease.value);

export class AddressPool {
  private readonly leases = new Map<string, Lease>();
  private readonly byOwner = new Map<string, Lease>();
  /**
   * Lingering leases by release time, lazily cleaned: reclaiming the longest-lingering address is O(log n) where a
   * scan of every lease made a pool of N clients O(N²).
   */
  private readonly lingering = new MinHeap<Lingering>(earlier);
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
    )?.lease;
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
    this.lingering.push({ lease, releasedAtUs: lease.releasedAtUs });
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
      this.lingering.push({ lease: l, releasedAtUs: nowUs });
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
