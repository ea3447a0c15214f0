/**
 * The same happy path for all five methods under the same seed (comparison topology, one client, connect at 0,
 * ping at 2 s): when the inner address is configured, the IKE requests before it, and the echo round trip.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { methodIds } from '../../../models/methods/index.ts';
import { FIVE_METHODS, happyPath, notesOf } from '../../support/issue7-scenarios.ts';
import { ladder } from '../nodes/ladder.ts';

const EXPECTED: Record<string, { addressAtUs: number; ikeRequests: number; dhcpPackets: number }> = {
  'dhcp-over-ike': { addressAtUs: 64_000, ikeRequests: 3, dhcpPackets: 4 },
  'dhcp-over-ike-wg': { addressAtUs: 64_000, ikeRequests: 3, dhcpPackets: 4 },
  'mode-cfg': { addressAtUs: 40_000, ikeRequests: 2, dhcpPackets: 0 },
  'mode-cfg-dhcp': { addressAtUs: 44_000, ikeRequests: 2, dhcpPackets: 4 },
  'dhcp-over-ipsec': { addressAtUs: 84_000, ikeRequests: 2, dhcpPackets: 8 },
};

describe('happy path, five methods, seed 1', () => {
  it('all five are registered', () => {
    expect(FIVE_METHODS.filter((m) => !methodIds().includes(m))).toEqual([]);
  });

  it.each(FIVE_METHODS)('%s', (method) => {
    const t = happyPath(method);
    const out = runScenario(t.input, { seed: 1 });
    const again = runScenario(happyPath(method).input, { seed: 1 });
    expect(again.traceSha256).toBe(out.traceSha256);
    // SPIs, nonces and xids come from the seed: another seed, another trace (a digest that ignored it would pass).
    expect(runScenario(happyPath(method).input, { seed: 2 }).traceSha256).not.toBe(out.traceSha256);
    const assigned = notesOf(out.trace, 'address.assigned');
    const lines = ladder(out.trace);
    const before = lines.filter((l) => Number(l.split(' ')[0]) * 1e6 <= (assigned[0]?.atUs ?? 0));
    expect({
      addressAtUs: assigned[0]?.atUs,
      ikeRequests: before.filter((l) => /client1→gw: \S+ request/.test(l)).length,
      dhcpPackets: before.filter((l) => l.includes('DHCP') && !l.includes('DHCP(')).length,
    }).toEqual(EXPECTED[method]);
    expect(assigned.map((e) => e.data)).toEqual([{ client: 'client1', address: '10.1.99.10' }]);
    expect(notesOf(out.trace, 'data.echo').map((e) => e.data)).toEqual([{ seq: 1, rttUs: 22_000 }]);
  });
});
