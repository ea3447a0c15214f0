/**
 * Issue 14 item 1 (gateway side): the relay saw client1's lease run out (server stalled past the 60 s lease end); a
 * later CREATE_CHILD_SA keeping TSi = that address is refused (TS_UNACCEPTABLE, `dhcpIkeExpiredTsi: refuse`, the
 * default; RFC 2131 §4.4.5), so the stale Child SA goes and client2, given the address at 70 s, gets its own traffic.
 * client1 runs `dhcpIkeNakRestart=stay-down` (and `dhcpIkeRenewRecarry=every-rekey`), the lease guard is off: the client-side fix (lease.lost and a new
 * DISCOVER, commit 8d15b72, lease-expiry.test.ts) is not what keeps the gateway honest here.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../models/wire/bytes.ts';
import { packetCodec } from '../../../models/wire/packet.ts';
import { runScenario } from '../../../scenarios/run.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { stallPastLease } from '../../support/stall-past-lease.ts';
import { noteLines } from './dhcp-over-ike-helpers.ts';

// every-rekey: the renewal rides every retried rekey, so a retried rekey falls due just after the lease end (62.56 s).
const options = (expiredTsi: 'refuse' | 'accept') => ({
  dhcpIkeLeaseGuard: false,
  dhcpIkeNakRestart: 'stay-down',
  dhcpIkeRenewRecarry: 'every-rekey',
  dhcpIkeExpiredTsi: expiredTsi,
});
/** ESP datagrams the gateway sealed toward `outer` (a client's outside address) after `fromUs`. */
const espTo = (trace: readonly TraceEvent[], outer: string, fromUs: number): number =>
  trace.filter((e) => {
    if (e.type !== 'send' || e.node !== 'gw' || e.atUs <= fromUs || !e.summary.startsWith('ESP')) return false;
    const p = packetCodec.decode(fromHex(e.bytes));
    return p.ok && p.value.ip.dst === outer;
  }).length;
const CLIENT1 = '198.51.100.11';

describe('the gateway refuses a TSi whose lease its relay saw expire (issue 14 item 1)', () => {
  it('dhcp-over-ike, default refuse: the rekey after the lease end gets TS_UNACCEPTABLE and the stale child goes', () => {
    const out = runScenario(stallPastLease(options('refuse')), { method: 'dhcp-over-ike' });
    expect(noteLines(out.trace, /^relay\.expiredTsi$/)).toEqual([
      '62.572 gw relay.expiredTsi {"ikeSa":"3edff4cbda035678","address":"10.1.99.10","rekey":true}',
    ]);
    expect(noteLines(out.trace, /^ike\.rekeyFailed$/).map((l) => l.split(' ').slice(1).join(' '))).toEqual([
      'client1 ike.rekeyFailed {"slot":"tunnel","notify":"TS_UNACCEPTABLE"}',
    ]);
    // client1 deletes the Child SA it may no longer use (RFC 7296 §1.4.1); the gateway prunes its route.
    expect(noteLines(out.trace, /^gateway\.routePruned$/).filter((l) => l.includes('client1'))).toEqual([
      '62.592 gw gateway.routePruned {"peer":"client1@example.com","spis":"2802491476"}',
    ]);
    expect(espTo(out.trace, CLIENT1, 62_600_000)).toBe(0);
  });

  it('dhcp-over-ike, accept (the drafts, silent): the Child SA for the expired address is rekeyed and kept', () => {
    const out = runScenario(stallPastLease(options('accept')), { method: 'dhcp-over-ike' });
    expect(noteLines(out.trace, /^relay\.expiredTsi$/)).toEqual([]);
    expect(noteLines(out.trace, /^ike\.rekeyFailed$/)).toEqual([]);
    const rekeyed = noteLines(out.trace, /^client\.childRekeyed$/).filter((l) => l.includes('client1'));
    expect(rekeyed.some((l) => Number(l.split(' ')[0]) > 62)).toBe(true);
  });
});
