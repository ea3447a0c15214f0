import { describe, expect, it } from 'vitest';
import { AddressPool } from '../../../models/methods/address-pool.ts';

describe('AddressPool', () => {
  it('same identity gets its lingering address back; reuse by another only after the delay; empty ⇒ undefined', () => {
    const pool = new AddressPool({
      first: '10.99.0.1',
      last: '10.99.0.2',
      prefixLength: 24,
      dns: [],
      reuseDelayUs: 1000,
    });
    expect(pool.acquire('a', 'sa1', 0)).toBe('10.99.0.1');
    expect(pool.acquire('b', 'sa2', 0)).toBe('10.99.0.2');
    expect(pool.acquire('c', 'sa3', 0)).toBeUndefined();
    expect(pool.release('a', 'sa1', 100)).toBe('10.99.0.1');
    expect(pool.acquire('c', 'sa3', 500)).toBeUndefined();
    expect(pool.acquire('a', 'sa4', 600)).toBe('10.99.0.1');
    expect(pool.release('a', 'sa1', 700)).toBeUndefined(); // a stale SA does not free the new one's address
    expect(pool.release('a', 'sa4', 700)).toBe('10.99.0.1');
    expect(pool.acquire('c', 'sa5', 1700)).toBe('10.99.0.1');
    expect(pool.snapshot()).toEqual({ '10.99.0.1': 'c', '10.99.0.2': 'b' });
  });
});
