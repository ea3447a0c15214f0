/**
 * Lease outlives nothing (mode-cfg-dhcp, strongSwan's renewal `none`): a one-address scope, 60 s lease; client1
 * connects at 0 and keeps its tunnel; client2 connects at 90 s. Measured: the overlap time (two clients holding the
 * same inner address), from `address.assigned` / `address.released`.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { leaseOutlivesNothing, notesOf, overlapUs } from '../../support/issue7-scenarios.ts';
import { ladder, secs } from './ladder.ts';

describe('lease outlives nothing', () => {
  it('renewal none: the server expires client1’s lease at 60 s and hands the address to client2 at 90 s', () => {
    const t = leaseOutlivesNothing('none');
    const out = runScenario(t.input, { seed: 1 });
    expect(
      notesOf(out.trace, 'lease.expired').map((e) => `${secs(e.atUs)} ${e.node} ${String(e.data?.['address'])}`),
    ).toEqual(['60.033 dhcp 10.1.99.10']);
    expect(notesOf(out.trace, 'address.assigned').map((e) => `${secs(e.atUs)} ${String(e.data?.['client'])}`)).toEqual([
      '0.044 client1',
      '90.044 client2',
    ]);
    expect(t.clients.map((c) => c.innerConfig()?.address)).toEqual(['10.1.99.10', '10.1.99.10']);
    expect(overlapUs(out.trace, t.input.durationUs)).toBe(150_000_000 - 90_044_000);
    // The gateway sees it too: two live IKE SAs with the same address.
    expect(notesOf(out.trace, 'address.overlap').map((e) => `${secs(e.atUs)} ${JSON.stringify(e.data)}`)).toEqual([
      '90.034 {"address":"10.1.99.10","a":"client1@example.com","b":"client2@example.com"}',
    ]);
  });

  it('renewal at T1: client1 keeps its lease; client2 gets INTERNAL_ADDRESS_FAILURE; no overlap', () => {
    const t = leaseOutlivesNothing('renew-at-t1');
    const out = runScenario(t.input, { seed: 1 });
    expect(notesOf(out.trace, 'lease.renewed').map((e) => secs(e.atUs))).toEqual([
      '30.034',
      '60.034',
      '90.034',
      '120.034',
    ]);
    // The proxy gives up after strongSwan's 1+2+3+4+5 s of DISCOVERs (dhcp_socket.c), not the 10 s addressTimeoutMs.
    expect(ladder(out.trace).filter((l) => l.includes('→client2: IKE_AUTH'))).toEqual([
      '105.040 gw→client2: IKE_AUTH response #1 SK{IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)}',
    ]);
    expect(overlapUs(out.trace, t.input.durationUs)).toBe(0);
    expect(notesOf(out.trace, 'address.overlap')).toEqual([]);
  });
});
