/** The carrier's rekey time from a lease (seed §2 "later, upon rekey": at a share of T1) and its "none" value. */
import { describe, expect, it } from 'vitest';
import type { DhcpLeaseInfo } from '../../../../models/dhcp/client-machine.ts';
import { NO_REKEY, rekeyAtUsOf, rekeyDelayMs } from '../../../../models/methods/dhcp-carrier/carrier-machine.ts';

const LEASE: DhcpLeaseInfo = {
  address: '10.99.1.10',
  mask: '255.255.255.0',
  router: null,
  dns: [],
  leaseSecs: 3600,
  serverId: '192.0.2.1',
  t1Secs: 1800,
  t2Secs: 3150,
  expiresAtUs: 3_610_000_000, // started at 10 s
};

describe('rekey time', () => {
  it('at percent of T1 after the lease start (RFC 2131 §4.4.1: the start is when the REQUEST went)', () => {
    expect(rekeyAtUsOf(LEASE, 90)).toBe(10_000_000 + 1_620_000_000);
    expect(rekeyDelayMs(rekeyAtUsOf(LEASE, 90), 20_000_000)).toBe(1_610_000);
    expect(rekeyDelayMs(5_000_000, 20_000_000)).toBe(1);
  });

  it('an infinite lease has none, and "none" is a small integer (a double would box the field in every context)', () => {
    expect(rekeyAtUsOf({ ...LEASE, expiresAtUs: Number.MAX_SAFE_INTEGER }, 90)).toBe(NO_REKEY);
    expect(rekeyDelayMs(NO_REKEY, 20_000_000)).toBeUndefined();
    expect(Number.isInteger(NO_REKEY) && Math.abs(NO_REKEY) < 2 ** 30).toBe(true);
  });
});
