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
  owner: string;
  /** The IKE SA holding it; undefined while lingering. */
  ikeSaId: string | undefined;
  releasedAtUs: number;
}

export class AddressPool {
  private readonly leases = new Map<string, Lease>();
  private readonly byOwner = new Map<string, Lease>();

  constructor(readonly options: PoolOptions) {}

  acquire(owner: string, ikeSaId: string, nowUs: number): string | undefined {
    const mine = this.byOwner.get(owner);
    if (mine !== undefined) {
      mine.ikeSaId = ikeSaId;
      return mine.address;
    }
    const first = ipv4ToU32(this.options.first);
    const last = ipv4ToU32(this.options.last);
    // Bounded by the range size.
    for (let v = first; v <= last; v++) {
      const address = u32ToIpv4(v);
      if (!this.leases.has(address)) return this.assign(address, owner, ikeSaId);
    }
    // Reclaim the longest-lingering address whose reuse delay has passed.
    let oldest: Lease | undefined;
    for (const l of this.leases.values()) {
      if (l.ikeSaId !== undefined || nowUs - l.releasedAtUs < (this.options.reuseDelayUs ?? 0)) continue;
      if (oldest === undefined || l.releasedAtUs < oldest.releasedAtUs) oldest = l;
    }
    if (oldest === undefined) return undefined;
    this.byOwner.delete(oldest.owner);
    return this.assign(oldest.address, owner, ikeSaId);
  }

  private assign(address: string, owner: string, ikeSaId: string): string {
    const lease: Lease = { address, owner, ikeSaId, releasedAtUs: 0 };
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
    }
  }

  clear(): void {
    this.leases.clear();
    this.byOwner.clear();
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
