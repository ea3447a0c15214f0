/**
 * The mode-cfg pool's indexes (the never-used cursor, the lingering queue) against the definition they replace, a
 * scan of the range and of every lease: over random sequences of acquire / release / suspendAll / clear with a reuse
 * delay, every acquire answers the same address (or none) as the scan would.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { AddressPool } from '../../../models/methods/address-pool.ts';
import { ipv4ToU32, u32ToIpv4 } from '../../../models/wire/ipv4-address.ts';

const OPTIONS = { first: '10.99.0.1', last: '10.99.0.4', prefixLength: 24, dns: [], reuseDelayUs: 3 };

/** The definition: first never-used address of the range, else the longest-lingering past the delay (ties: lowest). */
class ScanPool {
  private readonly leases = new Map<string, { owner: string; ikeSaId: string | undefined; releasedAtUs: number }>();
  acquire(owner: string, ikeSaId: string, nowUs: number): string | undefined {
    for (const [address, l] of this.leases)
      if (l.owner === owner) {
        l.ikeSaId = ikeSaId;
        return address;
      }
    for (let v = ipv4ToU32(OPTIONS.first); v <= ipv4ToU32(OPTIONS.last); v++) {
      const address = u32ToIpv4(v);
      if (!this.leases.has(address)) {
        this.leases.set(address, { owner, ikeSaId, releasedAtUs: 0 });
        return address;
      }
    }
    let oldest: string | undefined;
    for (const [address, l] of this.leases) {
      if (l.ikeSaId !== undefined || nowUs - l.releasedAtUs < OPTIONS.reuseDelayUs) continue;
      const o = oldest === undefined ? undefined : this.leases.get(oldest);
      if (o === undefined || l.releasedAtUs < o.releasedAtUs) oldest = address;
    }
    if (oldest === undefined) return undefined;
    this.leases.set(oldest, { owner, ikeSaId, releasedAtUs: 0 });
    return oldest;
  }
  release(owner: string, ikeSaId: string, nowUs: number): string | undefined {
    for (const [address, l] of this.leases)
      if (l.owner === owner) {
        if (l.ikeSaId !== ikeSaId) return undefined;
        l.ikeSaId = undefined;
        l.releasedAtUs = nowUs;
        return address;
      }
    return undefined;
  }
  suspendAll(nowUs: number): void {
    for (const l of this.leases.values()) {
      l.ikeSaId = undefined;
      l.releasedAtUs = nowUs;
    }
  }
  clear(): void {
    this.leases.clear();
  }
}

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('acquire' as const), owner: fc.nat(6), sa: fc.nat(3) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('release' as const), owner: fc.nat(6), sa: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspendAll' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);
const step = fc.record({ op, advanceUs: fc.nat(3) });

describe('AddressPool indexes', () => {
  test('after a restart the longest-lingering address goes first, the lowest of a tie (every one released at once)', () => {
    const pool = new AddressPool(OPTIONS);
    expect(['a', 'b', 'c', 'd'].map((o) => pool.acquire(o, 'sa1', 0))).toEqual([
      '10.99.0.1',
      '10.99.0.2',
      '10.99.0.3',
      '10.99.0.4',
    ]);
    pool.suspendAll(1);
    expect(pool.acquire('e', 'sa1', 2)).toBeUndefined(); // within the reuse delay
    expect(pool.release('c', 'sa1', 3)).toBeUndefined(); // suspended: no SA holds it
    expect(pool.acquire('c', 'sa2', 3)).toBe('10.99.0.3'); // its owner gets it back at once
    expect(pool.release('c', 'sa2', 4)).toBe('10.99.0.3');
    expect(pool.acquire('e', 'sa1', 5)).toBe('10.99.0.1');
    expect(pool.acquire('f', 'sa1', 5)).toBe('10.99.0.2');
    expect(pool.acquire('g', 'sa1', 5)).toBe('10.99.0.4');
    expect(pool.acquire('h', 'sa1', 6)).toBeUndefined(); // .3 lingers since 4
    expect(pool.acquire('h', 'sa1', 7)).toBe('10.99.0.3');
  });

  fcTest.prop([fc.array(step, { maxLength: 120 })], { numRuns: 500 })(
    'answer every acquire and release as the scan of the range and leases does',
    (steps) => {
      const pool = new AddressPool(OPTIONS);
      const scan = new ScanPool();
      let nowUs = 0;
      for (const { op: o, advanceUs } of steps) {
        nowUs += advanceUs;
        if (o.kind === 'acquire') {
          expect(pool.acquire(`p${o.owner}`, `sa${o.sa}`, nowUs)).toBe(scan.acquire(`p${o.owner}`, `sa${o.sa}`, nowUs));
        } else if (o.kind === 'release') {
          expect(pool.release(`p${o.owner}`, `sa${o.sa}`, nowUs)).toBe(scan.release(`p${o.owner}`, `sa${o.sa}`, nowUs));
        } else if (o.kind === 'suspendAll') {
          pool.suspendAll(nowUs);
          scan.suspendAll(nowUs);
        } else {
          pool.clear();
          scan.clear();
        }
      }
    },
  );
});
