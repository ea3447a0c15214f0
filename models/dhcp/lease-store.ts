/**
 * The DHCP server's address pools and leases: plain data behind a small API, no xstate, no clock. Every operation
 * takes `nowUs` and first expires what is due (lazy expiry); the server also sweeps at `nextExpiryUs()` so expiries
 * appear in the trace when they happen. One record per address, so an address can never belong to two clients; a
 * client holds at most one live record per pool (index `clients`).
 *
 * Record states: `offered` (reserved for `offerHoldSecs`), `bound` (a lease), `quarantined` (declined, RFC 2131
 * §4.3.3), `free` (kept only to remember whose address it was, so the same client gets it back — §4.3.1 "the
 * client's previous address").
 */
import type { Ipv4Address } from '../wire/dhcp/types.ts';
import { inSubnet, ipv4ToU32, isZeroAddress, u32ToIpv4 } from '../wire/ipv4-address.ts';
import { AddressBits } from './address-bits.ts';
import { ClientIndex } from './client-index.ts';
import { ExpiryHeap } from './expiry-heap.ts';

export interface PoolConfig {
  readonly name: string;
  readonly subnet: Ipv4Address;
  readonly prefixLength: number;
  readonly rangeStart: Ipv4Address;
  readonly rangeEnd: Ipv4Address;
  readonly router: Ipv4Address | null;
  readonly dns: readonly Ipv4Address[];
  readonly leaseSecs: number;
  readonly t1Secs?: number;
  readonly t2Secs?: number;
  readonly offerHoldSecs: number;
  /**
   * Relay addresses (giaddr) this pool also serves although they lie outside its subnet (Kea `relay.ip-addresses`,
   * ISC dhcpd shared-network): how a site serves strongSwan's dhcp plugin, whose requests carry no option 82.
   */
  readonly relayAddresses?: readonly Ipv4Address[];
}

export interface LeaseStoreConfig {
  readonly pools: readonly PoolConfig[];
  /** How long a declined address stays out of use (RFC 2131 §4.3.3 leaves it to the server). Default 600 s. */
  readonly declineQuarantineSecs?: number;
  /**
   * RENEWING/REBINDING from a client the store does not know (e.g. after a restart that lost the leases) for a free
   * address of the pool: `ack-if-free` (default) re-creates the lease, `nak` refuses, `ignore` stays silent.
   */
  readonly renewUnknown?: 'ack-if-free' | 'nak' | 'ignore';
  /**
   * Test-only: a deliberately broken store, so a test can show the invariant campaign catches and shrinks a real bug.
   * `reuse-bound` hands every client the range's first address, whoever holds it. Never set by a scenario.
   */
  readonly injectBug?: 'reuse-bound';
}

export type LeaseRecordState = 'offered' | 'bound' | 'quarantined' | 'free';

export interface LeaseRecord {
  readonly address: Ipv4Address;
  readonly pool: string;
  /** Null only for quarantined addresses. */
  readonly clientKey: string | null;
  readonly state: LeaseRecordState;
  /** End of the offer hold, the lease or the quarantine; 0 for free records. */
  readonly expiresAtUs: number;
}

/** How the server chooses a pool (RFC 3527 §3, RFC 2131 §4.3.1). */
export interface PoolSelector {
  /** Option 82 sub-option 5. */
  readonly linkSelection?: Ipv4Address | null;
  readonly giaddr: Ipv4Address;
  /** Used when giaddr is 0 and the message carries one (a unicast RENEWING REQUEST routed to the server). */
  readonly ciaddr?: Ipv4Address;
  /** The interface the message arrived on. */
  readonly receivingAddress?: Ipv4Address | null;
}

export type OfferResult =
  | { readonly kind: 'offer'; readonly address: Ipv4Address; readonly pool: PoolConfig }
  | { readonly kind: 'exhausted'; readonly pool: PoolConfig };

export type RequestKind = 'selecting' | 'init-reboot' | 'renewing';

export interface RequestArgs {
  readonly pool: string;
  readonly clientKey: string;
  readonly kind: RequestKind;
  /** Option 50 (SELECTING, INIT-REBOOT). */
  readonly requestedAddress: Ipv4Address | null;
  /** RENEWING / REBINDING. */
  readonly ciaddr: Ipv4Address;
  /** SELECTING: whether option 54 names this server. */
  readonly serverIdMatches: boolean;
}

export type RequestResult =
  | { readonly kind: 'ack'; readonly address: Ipv4Address; readonly pool: PoolConfig; readonly expiresAtUs: number }
  | { readonly kind: 'nak'; readonly reason: string; readonly pool: PoolConfig }
  | { readonly kind: 'ignore'; readonly reason: string };

export interface ExpiredLease {
  readonly address: Ipv4Address;
  readonly pool: string;
  readonly clientKey: string | null;
  readonly was: LeaseRecordState;
  readonly atUs: number;
}

export interface LeaseStoreSnapshot {
  readonly records: readonly LeaseRecord[];
  readonly counts: Readonly<Record<LeaseRecordState, number>>;
}

const US_PER_SEC = 1_000_000;
const NONE_EXPIRED: readonly ExpiredLease[] = Object.freeze([]);

/** A pool's range as bitsets: addresses with no record, and addresses only remembered (state `free`). */
interface RangeIndex {
  readonly start: number;
  readonly size: number;
  readonly unused: AddressBits;
  readonly remembered: AddressBits;
}

function rangeIndex(pool: PoolConfig): RangeIndex {
  const start = ipv4ToU32(pool.rangeStart);
  const size = Math.max(0, ipv4ToU32(pool.rangeEnd) - start + 1);
  const unused = new AddressBits(start, size);
  unused.fill();
  return { start, size, unused, remembered: new AddressBits(start, size) };
}

export class LeaseStore {
  private readonly pools: readonly PoolConfig[];
  private readonly declineQuarantineUs: number;
  private readonly renewUnknown: 'ack-if-free' | 'nak' | 'ignore';
  private readonly reuseBound: boolean;
  /** Address → record; the single source of truth. */
  private readonly records = new Map<Ipv4Address, LeaseRecord>();
  /** (pool, client key) → address of the client's (live or remembered) record. */
  private readonly clients = new ClientIndex();
  private expiredLog: ExpiredLease[] = [];
  /**
   * Indexes, so no operation scans every lease (a 10,000-client storm was quadratic): deadlines of offered, bound and
   * quarantined records; per pool, which addresses are unused or only remembered; and each address's insertion
   * order, so expiries found together are reported in the order a scan of `records` would have found them.
   */
  private readonly deadlines = new ExpiryHeap();
  private readonly ranges = new Map<string, RangeIndex>();
  private readonly insertion = new Map<Ipv4Address, number>();
  private insertionSeq = 0;
  private readonly isCurrentDeadline = (atUs: number, key: string): boolean => {
    const r = this.records.get(key);
    return r !== undefined && r.state !== 'free' && r.expiresAtUs === atUs;
  };

  constructor(config: LeaseStoreConfig) {
    this.pools = config.pools;
    for (const pool of config.pools) this.ranges.set(pool.name, rangeIndex(pool));
    this.declineQuarantineUs = (config.declineQuarantineSecs ?? 600) * US_PER_SEC;
    this.renewUnknown = config.renewUnknown ?? 'ack-if-free';
    this.reuseBound = config.injectBug === 'reuse-bound';
  }

  poolNamed(name: string): PoolConfig | null {
    return this.pools.find((p) => p.name === name) ?? null;
  }

  /** Link-selection, else giaddr, else ciaddr, else the receiving interface's subnet; null when none matches. */
  selectPool(selector: PoolSelector): PoolConfig | null {
    const candidates: (Ipv4Address | null | undefined)[] = [
      selector.linkSelection,
      isZeroAddress(selector.giaddr) ? null : selector.giaddr,
      selector.ciaddr && !isZeroAddress(selector.ciaddr) ? selector.ciaddr : null,
      selector.receivingAddress,
    ];
    const first = candidates.find((c): c is Ipv4Address => typeof c === 'string' && !isZeroAddress(c));
    if (!first) return null;
    const inScope = this.pools.find((p) => inSubnet(first, p.subnet, p.prefixLength));
    if (inScope !== undefined || first !== selector.giaddr) return inScope ?? null;
    return this.pools.find((p) => p.relayAddresses?.includes(first) === true) ?? null;
  }

  /**
   * RFC 2131 §4.3.1: reserve an address for a DISCOVER. Preference: the client's current record (live or
   * remembered), then the requested address if free, then the lowest free address of the range.
   */
  offer(
    args: { readonly pool: string; readonly clientKey: string; readonly requestedAddress: Ipv4Address | null },
    nowUs: number,
  ): OfferResult {
    this.expire(nowUs);
    const pool = this.requirePool(args.pool);
    const own = this.recordOf(pool.name, args.clientKey);
    let address: Ipv4Address | null;
    if (own && (own.state === 'offered' || own.state === 'bound')) address = own.address;
    else if (own && own.state === 'free') address = own.address;
    else if (args.requestedAddress && this.inRange(pool, args.requestedAddress) && this.isFree(args.requestedAddress)) {
      address = args.requestedAddress;
    } else address = this.lowestFree(pool);
    if (address === null) return { kind: 'exhausted', pool };
    if (own?.state !== 'bound') {
      this.put({
        address,
        pool: pool.name,
        clientKey: args.clientKey,
        state: 'offered',
        expiresAtUs: nowUs + pool.offerHoldSecs * US_PER_SEC,
      });
    }
    return { kind: 'offer', address, pool };
  }

  /** RFC 2131 §4.3.2, by the client state the REQUEST reveals. */
  request(args: RequestArgs, nowUs: number): RequestResult {
    this.expire(nowUs);
    const pool = this.requirePool(args.pool);
    const own = this.recordOf(pool.name, args.clientKey);
    switch (args.kind) {
      case 'selecting': {
        if (!args.serverIdMatches) {
          // The client chose another server: our reservation goes back to the pool (kept as a memory).
          if (own && own.state === 'offered') this.put({ ...own, state: 'free', expiresAtUs: 0 });
          return { kind: 'ignore', reason: 'other-server' };
        }
        const address = args.requestedAddress;
        if (!address || !this.inRange(pool, address)) return { kind: 'nak', reason: 'not-in-range', pool };
        if (!this.usableBy(address, args.clientKey)) return { kind: 'nak', reason: 'address-taken', pool };
        return this.bind(pool, args.clientKey, address, nowUs);
      }
      case 'init-reboot': {
        const address = args.requestedAddress;
        if (!address || !inSubnet(address, pool.subnet, pool.prefixLength)) {
          return { kind: 'nak', reason: 'wrong-subnet', pool };
        }
        // §4.3.2: "If the DHCP server has no record of this client, then it MUST remain silent".
        if (!own) return { kind: 'ignore', reason: 'unknown-client' };
        if (own.address !== address || !this.usableBy(address, args.clientKey)) {
          return { kind: 'nak', reason: 'not-your-address', pool };
        }
        return this.bind(pool, args.clientKey, address, nowUs);
      }
      case 'renewing': {
        const address = args.ciaddr;
        if (!this.inRange(pool, address)) return { kind: 'nak', reason: 'not-in-range', pool };
        if (own && own.address === address && this.usableBy(address, args.clientKey)) {
          return this.bind(pool, args.clientKey, address, nowUs);
        }
        if (!this.usableBy(address, args.clientKey)) return { kind: 'nak', reason: 'address-taken', pool };
        if (own && own.address !== address) return { kind: 'nak', reason: 'not-your-address', pool };
        // Unknown client asking to keep a free address.
        if (this.renewUnknown === 'ack-if-free') return this.bind(pool, args.clientKey, address, nowUs);
        if (this.renewUnknown === 'nak') return { kind: 'nak', reason: 'unknown-client', pool };
        return { kind: 'ignore', reason: 'unknown-client' };
      }
    }
  }

  /** RFC 2131 §4.3.3: the client found the address in use; keep it out of the pool for the quarantine time. */
  decline(
    args: { readonly pool: string; readonly clientKey: string; readonly address: Ipv4Address },
    nowUs: number,
  ): boolean {
    this.expire(nowUs);
    const record = this.records.get(args.address);
    if (!record || record.pool !== args.pool || record.clientKey !== args.clientKey) return false;
    if (record.state !== 'offered' && record.state !== 'bound') return false;
    this.clients.delete(args.pool, args.clientKey);
    this.setRecord({
      address: args.address,
      pool: args.pool,
      clientKey: null,
      state: 'quarantined',
      expiresAtUs: nowUs + this.declineQuarantineUs,
    });
    return true;
  }

  /** RFC 2131 §4.3.4: the lease ends now; the address is remembered for the client. */
  release(
    args: { readonly pool: string; readonly clientKey: string; readonly address: Ipv4Address },
    nowUs: number,
  ): boolean {
    this.expire(nowUs);
    const record = this.records.get(args.address);
    if (!record || record.clientKey !== args.clientKey || record.state !== 'bound') return false;
    this.put({ ...record, state: 'free', expiresAtUs: 0 });
    return true;
  }

  /** Free every offer, lease and quarantine that has ended by `nowUs`; returns (and logs) what ended. */
  expire(nowUs: number): readonly ExpiredLease[] {
    // Every operation starts here; nothing is due on nearly every call, so that case allocates nothing.
    const deadlines = this.deadlines;
    if (!deadlines.dropStale(this.isCurrentDeadline) || deadlines.topAtUs > nowUs) return NONE_EXPIRED;
    const due: LeaseRecord[] = [];
    const seen = new Set<Ipv4Address>();
    for (;;) {
      if (!deadlines.dropStale(this.isCurrentDeadline) || deadlines.topAtUs > nowUs) break;
      const record = this.records.get(deadlines.topKey);
      deadlines.pop();
      if (record !== undefined && !seen.has(record.address)) {
        seen.add(record.address);
        due.push(record);
      }
    }
    if (due.length === 0) return [];
    // In the records' insertion order, as a scan of the map finds them (traces stay byte-identical).
    due.sort((a, b) => (this.insertion.get(a.address) ?? 0) - (this.insertion.get(b.address) ?? 0));
    const ended: ExpiredLease[] = [];
    for (const record of due) {
      ended.push({
        address: record.address,
        pool: record.pool,
        clientKey: record.clientKey,
        was: record.state,
        atUs: record.expiresAtUs,
      });
      if (record.state === 'quarantined') this.deleteRecord(record.address);
      else this.put({ ...record, state: 'free', expiresAtUs: 0 });
    }
    this.expiredLog.push(...ended);
    return ended;
  }

  /** Expiries since the last call (lazy ones during operations included), in the order they were found. */
  takeExpired(): ExpiredLease[] {
    const out = this.expiredLog;
    this.expiredLog = [];
    return out;
  }

  /** The earliest end of an offer, lease or quarantine; null when nothing is pending. */
  nextExpiryUs(): number | null {
    return this.deadlines.dropStale(this.isCurrentDeadline) ? this.deadlines.topAtUs : null;
  }

  /** The client's record in a pool (live or remembered), if any. */
  recordOf(pool: string, clientKey: string): LeaseRecord | null {
    const address = this.clients.get(pool, clientKey);
    if (address === undefined) return null;
    const record = this.records.get(address);
    return record && record.clientKey === clientKey && record.pool === pool ? record : null;
  }

  /** Plain JSON, sorted by address: for invariants, tests and the browser. */
  snapshot(): LeaseStoreSnapshot {
    const records = [...this.records.values()]
      .sort((a, b) => ipv4ToU32(a.address) - ipv4ToU32(b.address))
      .map((r) => ({ ...r }));
    const counts = { offered: 0, bound: 0, quarantined: 0, free: 0 };
    for (const r of records) counts[r.state] += 1;
    return { records, counts };
  }

  private bind(pool: PoolConfig, clientKey: string, address: Ipv4Address, nowUs: number): RequestResult {
    const expiresAtUs = nowUs + pool.leaseSecs * US_PER_SEC;
    this.put({ address, pool: pool.name, clientKey, state: 'bound', expiresAtUs });
    return { kind: 'ack', address, pool, expiresAtUs };
  }

  /** Write a record; the client's previous record elsewhere in the pool is forgotten (one record per client). */
  private put(record: LeaseRecord): void {
    const previous = this.records.get(record.address);
    if (previous?.clientKey && previous.clientKey !== record.clientKey) {
      if (this.clients.get(previous.pool, previous.clientKey) === record.address)
        this.clients.delete(previous.pool, previous.clientKey);
    }
    if (record.clientKey) {
      const old = this.clients.get(record.pool, record.clientKey);
      if (old !== undefined && old !== record.address) {
        const oldRecord = this.records.get(old);
        // A client moving to another address gives up its old one (live or remembered).
        if (oldRecord && oldRecord.clientKey === record.clientKey) this.deleteRecord(old);
      }
      this.clients.set(record.pool, record.clientKey, record.address);
    }
    this.setRecord(record);
  }

  /** Every write of `records` goes through here and `deleteRecord`, which keep the indexes. */
  private setRecord(record: LeaseRecord): void {
    if (!this.records.has(record.address)) this.insertion.set(record.address, (this.insertionSeq += 1));
    this.records.set(record.address, record);
    if (record.state !== 'free') {
      this.deadlines.push(record.expiresAtUs, record.address);
      // Stale entries (renewed leases) are dropped lazily; rebuild when they outnumber the live ones.
      if (this.deadlines.length > 2 * this.records.size + 1024) this.rebuildDeadlines();
    }
    this.indexAddress(record.address, record);
  }

  private deleteRecord(address: Ipv4Address): void {
    const record = this.records.get(address);
    if (record === undefined) return;
    this.records.delete(address);
    this.insertion.delete(address);
    this.indexAddress(address, undefined, record.pool);
  }

  private indexAddress(address: Ipv4Address, record: LeaseRecord | undefined, poolName = record?.pool): void {
    const range = poolName === undefined ? undefined : this.ranges.get(poolName);
    if (range === undefined) return;
    const index = ipv4ToU32(address) - range.start;
    if (index < 0 || index >= range.size) return;
    range.unused.set(index, record === undefined);
    range.remembered.set(index, record?.state === 'free');
  }

  private rebuildDeadlines(): void {
    const deadlines = this.deadlines;
    const liveAtUs: number[] = [];
    const liveKeys: string[] = [];
    while (deadlines.length > 0) {
      const atUs = deadlines.topAtUs;
      const key = deadlines.topKey;
      deadlines.pop();
      if (this.isCurrentDeadline(atUs, key)) {
        liveAtUs.push(atUs);
        liveKeys.push(key);
      }
    }
    for (let i = 0; i < liveAtUs.length; i += 1) deadlines.push(liveAtUs[i] as number, liveKeys[i] as string);
  }

  private requirePool(name: string): PoolConfig {
    const pool = this.poolNamed(name);
    if (!pool) throw new Error(`LeaseStore: no pool named ${name}`);
    return pool;
  }

  private inRange(pool: PoolConfig, address: Ipv4Address): boolean {
    const a = ipv4ToU32(address);
    return a >= ipv4ToU32(pool.rangeStart) && a <= ipv4ToU32(pool.rangeEnd);
  }

  /** Free: no record, or only a memory of a past lease. */
  private isFree(address: Ipv4Address): boolean {
    const record = this.records.get(address);
    return !record || record.state === 'free';
  }

  /** Free, or already this client's (offered, bound or remembered). */
  private usableBy(address: Ipv4Address, clientKey: string): boolean {
    const record = this.records.get(address);
    if (!record || this.reuseBound) return true;
    if (record.state === 'quarantined') return false;
    return record.state === 'free' || record.clientKey === clientKey;
  }

  /** Lowest address of the range with no record, then the lowest that is only remembered for another client. */
  private lowestFree(pool: PoolConfig): Ipv4Address | null {
    if (this.reuseBound) return pool.rangeStart;
    const range = this.ranges.get(pool.name);
    if (range === undefined) return null;
    const unused = range.unused.lowest();
    if (unused !== null) return u32ToIpv4(unused);
    const remembered = range.remembered.lowest();
    return remembered === null ? null : u32ToIpv4(remembered);
  }
}
