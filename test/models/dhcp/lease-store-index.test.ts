/**
 * The lease store's indexes (expiry heap, per-pool bitsets) against the definitions they replace: after every
 * operation of a random sequence, `nextExpiryUs` is the earliest end among the offered, bound and quarantined
 * records of the snapshot, every expiry reported is one that was due, and an offer to a client with no record and
 * no requested address gets the lowest address of the range with no record, else the lowest only remembered one.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { AddressBits } from '../../../models/dhcp/address-bits.ts';
import { ExpiryHeap } from '../../../models/dhcp/expiry-heap.ts';
import { MinHeap } from '../../../models/min-heap.ts';
import { LeaseStore, type LeaseStoreSnapshot } from '../../../models/dhcp/lease-store.ts';
import { ipv4ToU32, u32ToIpv4 } from '../../../models/wire/ipv4-address.ts';
import { POOL_A } from './fixtures.ts';

const S = 1_000_000;
const POOL = { ...POOL_A, rangeStart: '10.1.0.10', rangeEnd: '10.1.0.49', leaseSecs: 30, offerHoldSecs: 5 };

function scanNextExpiry(snap: LeaseStoreSnapshot): number | null {
  const live = snap.records.filter((r) => r.state !== 'free').map((r) => r.expiresAtUs);
  return live.length === 0 ? null : Math.min(...live);
}

function scanLowestFree(snap: LeaseStoreSnapshot): string | null {
  const byAddress = new Map(snap.records.map((r) => [r.address, r]));
  let remembered: string | null = null;
  for (let a = ipv4ToU32(POOL.rangeStart); a <= ipv4ToU32(POOL.rangeEnd); a += 1) {
    const r = byAddress.get(u32ToIpv4(a));
    if (r === undefined) return u32ToIpv4(a);
    if (r.state === 'free' && remembered === null) remembered = u32ToIpv4(a);
  }
  return remembered;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('offer' as const), client: fc.nat(60), advanceSecs: fc.nat(8) }),
  fc.record({ kind: fc.constant('request' as const), client: fc.nat(60), advanceSecs: fc.nat(8) }),
  fc.record({ kind: fc.constant('renew' as const), client: fc.nat(60), advanceSecs: fc.nat(8) }),
  fc.record({ kind: fc.constant('release' as const), client: fc.nat(60), advanceSecs: fc.nat(8) }),
  fc.record({ kind: fc.constant('decline' as const), client: fc.nat(60), advanceSecs: fc.nat(8) }),
);

describe('lease store indexes', () => {
  fcTest.prop([fc.array(op, { maxLength: 300 })])(
    'next expiry, expiries and the lowest free address agree with a scan of the records',
    (ops) => {
      const store = new LeaseStore({ pools: [POOL], declineQuarantineSecs: 20 });
      let nowUs = 0;
      for (const o of ops) {
        nowUs += o.advanceSecs * S;
        const clientKey = `c${o.client}`;
        const before = store.snapshot();
        const own = store.recordOf('a', clientKey);
        const due = before.records.filter((r) => r.state !== 'free' && r.expiresAtUs <= nowUs);
        const ended = store.expire(nowUs);
        expect(ended.map((e) => e.address).sort()).toEqual(due.map((r) => r.address).sort());
        const afterExpiry = store.snapshot();
        if (o.kind === 'offer') {
          const stillOwn = store.recordOf('a', clientKey);
          const expected = stillOwn === null ? scanLowestFree(afterExpiry) : undefined;
          const result = store.offer({ pool: 'a', clientKey, requestedAddress: null }, nowUs);
          if (own === null && stillOwn === null) {
            if (expected === null) expect(result.kind).toBe('exhausted');
            else expect(result).toMatchObject({ kind: 'offer', address: expected });
          }
        } else if (own !== null) {
          const address = own.address;
          if (o.kind === 'request') {
            store.request(
              {
                pool: 'a',
                clientKey,
                kind: 'selecting',
                requestedAddress: address,
                ciaddr: '0.0.0.0',
                serverIdMatches: true,
              },
              nowUs,
            );
          } else if (o.kind === 'renew') {
            store.request(
              {
                pool: 'a',
                clientKey,
                kind: 'renewing',
                requestedAddress: null,
                ciaddr: address,
                serverIdMatches: true,
              },
              nowUs,
            );
          } else if (o.kind === 'release') store.release({ pool: 'a', clientKey, address }, nowUs);
          else store.decline({ pool: 'a', clientKey, address }, nowUs);
        }
        expect(store.nextExpiryUs()).toBe(scanNextExpiry(store.snapshot()));
      }
    },
  );

  test('AddressBits: lowest set bit across words, after clears and sets below the hint', () => {
    const bits = new AddressBits(1000, 70);
    expect(bits.lowest()).toBeNull();
    bits.fill();
    expect(bits.lowest()).toBe(1000);
    for (let i = 0; i < 40; i += 1) bits.set(i, false);
    expect(bits.lowest()).toBe(1040);
    bits.set(69, false);
    expect(bits.has(69)).toBe(false);
    bits.set(3, true);
    expect(bits.lowest()).toBe(1003);
    for (let i = 0; i < 70; i += 1) bits.set(i, false);
    expect(bits.lowest()).toBeNull();
  });

  test('ExpiryHeap: earliest first, stale entries skipped', () => {
    const heap = new ExpiryHeap();
    for (const [at, key] of [
      [50, 'a'],
      [10, 'b'],
      [30, 'c'],
      [10, 'd'],
      [70, 'e'],
    ] as const)
      heap.push(at, key);
    const order: string[] = [];
    while (heap.dropStale((_atUs, key) => key !== 'c')) {
      order.push(`${heap.topAtUs}${heap.topKey}`);
      heap.pop();
    }
    expect(order.slice(0, 2).sort()).toEqual(['10b', '10d']);
    expect(order.slice(2)).toEqual(['50a', '70e']);
    expect(heap.length).toBe(0);
  });

  test('ExpiryHeap: the same order as MinHeap over { atUs, key } (ties included), pushes and pops interleaved', () => {
    // The flat heap replaced a MinHeap of objects; equal deadlines must still come out in the same order, or the
    // server's expiry sweep (and the trace) would change.
    const flat = new ExpiryHeap();
    const objects = new MinHeap<{ atUs: number; key: string }>((a, b) => a.atUs < b.atUs);
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const fromFlat: string[] = [];
    const fromObjects: string[] = [];
    for (let step = 0; step < 2000; step += 1) {
      if (next() % 3 !== 0) {
        const atUs = (next() % 40) * 1_000_000_000; // few distinct times (ties), beyond the small-integer range
        const key = `k${step}`;
        flat.push(atUs, key);
        objects.push({ atUs, key });
      } else if (flat.dropStale(() => true)) {
        fromFlat.push(`${flat.topAtUs}/${flat.topKey}`);
        flat.pop();
        const o = objects.pop();
        fromObjects.push(`${o?.atUs}/${o?.key}`);
      }
    }
    while (flat.dropStale(() => true)) {
      fromFlat.push(`${flat.topAtUs}/${flat.topKey}`);
      flat.pop();
      const o = objects.pop();
      fromObjects.push(`${o?.atUs}/${o?.key}`);
    }
    expect(fromFlat.length).toBeGreaterThan(1000);
    expect(fromFlat).toEqual(fromObjects);
    expect(objects.length).toBe(0);
  });
});
