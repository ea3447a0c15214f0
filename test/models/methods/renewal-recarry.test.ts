/**
 * Issue 14 item 9 (seed): a renewal REQUEST whose rekey must be retried (the gateway answered TEMPORARY_FAILURE while
 * the server was stalled) is not re-carried on every retried rekey; it goes again when the RFC 2131 client
 * retransmits it (RFC 2131 §4.4.5: half the time to T2, at least 60 s — here T2 comes first, so REBINDING sends the
 * next one). `dhcpIkeRenewRecarry: every-rekey` keeps the old cadence (every retried rekey, ~14 s apart).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { stallPastLease } from '../../support/stall-past-lease.ts';
import { ladderLines } from './dhcp-over-ike-helpers.ts';

/** Times of client1's distinct CREATE_CHILD_SA requests (IKE retransmissions left out) carrying DHCP(REQUEST). */
function carriedRequests(recarry: 'rfc2131' | 'every-rekey'): number[] {
  const out = runScenario(stallPastLease({ dhcpIkeLeaseGuard: false, dhcpIkeRenewRecarry: recarry }), {
    method: 'dhcp-over-ike',
  });
  const seen = new Set<string>();
  const times: number[] = [];
  for (const l of ladderLines(out.trace)) {
    const m = /^(\S+) client1 → gw CREATE_CHILD_SA request (#\d+) .*DHCP\(REQUEST\)/.exec(l);
    if (m === null || seen.has(m[2] ?? '')) continue;
    seen.add(m[2] ?? '');
    times.push(Number(m[1]));
  }
  return times.filter((t) => t > 1 && t < 60);
}

describe('seed RENEWING re-carry follows RFC 2131 §4.4.5 (issue 14 item 9)', () => {
  it('default rfc2131: the renewal at 27 s, then the REBINDING REQUEST at T2 (52.5 s); retried rekeys carry no DHCP', () => {
    expect(carriedRequests('rfc2131')).toEqual([27.042, 52.542]);
  });
  it('every-rekey: the renewal rides every retried rekey (41.25 s) as before', () => {
    expect(carriedRequests('every-rekey')).toEqual([27.042, 41.25, 52.542]);
  });
});
