/**
 * Issue 14 item 9 (RFC 3456 client): with the DHCP server stalled for 300 s, the default `dhcpRetransmit: rfc2131`
 * DISCOVERs without a give-up (RFC 2131 sets no limit; waits capped at 64 s, §4.1); `five-tries` gives up after five
 * DISCOVERs as the lab did before.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { noteLines } from './dhcp-over-ike-helpers.ts';

function longStall(dhcpRetransmit: 'rfc2131' | 'five-tries'): object {
  const base = JSON.parse(
    readFileSync(new URL('../../../scenarios/library/dhcp-stall.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  return {
    ...base,
    options: { dhcpRetransmit },
    durationMs: 330_000,
    faults: [
      { type: 'dhcp.stall', atMs: 0, node: 'dhcp' },
      { type: 'dhcp.unstall', atMs: 300_000, node: 'dhcp' },
    ],
  };
}

describe('dhcp-over-ipsec DHCP retransmission (issue 14 item 9)', () => {
  it('rfc2131 (default): DISCOVER never gives up, the waits stay at most 64 ± 1 s, and the client is addressed after the stall', () => {
    const out = runScenario(longStall('rfc2131'), { method: 'dhcp-over-ipsec' });
    expect(noteLines(out.trace, /^dhcp\.gaveUp$/)).toEqual([]);
    const times = noteLines(out.trace, /^dhcp\.dropped$/).map((l) => Number(l.split(' ')[0]));
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeLessThanOrEqual(65.001);
    expect(out.metrics.addressed).toBe(1);
  });
  it('five-tries: the client gives up after five DISCOVERs (and starts again after its backoff)', () => {
    const out = runScenario(longStall('five-tries'), { method: 'dhcp-over-ipsec' });
    const gaveUp = noteLines(out.trace, /^dhcp\.gaveUp$/);
    expect(gaveUp.length).toBeGreaterThan(0);
    expect(gaveUp[0]).toMatch(/"state":"SELECTING","tries":5/);
  });
});
