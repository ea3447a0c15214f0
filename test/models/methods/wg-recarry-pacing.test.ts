/**
 * Issue 14 item 9 (WG): draft-ietf-ipsec-dhcp-over-ike-00 §3 asks a client whose IKE_AUTH response came back without
 * DHCP to re-carry its DHCP message "using normal DHCP retransmission policies". With the server stalled, the default
 * (`dhcpIkeWgRecarry: rfc2131`) holds each round until the RFC 2131 client retransmits (§4.1: 4 s, 8 s, 16 s, 32 s,
 * each ±1 s, counted from the previous transmission); `collect-window` keeps the lab's old cadence, one round per
 * gateway collect window (~2 s).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { buildDhcpTopology } from '../../support/dhcp-topology.ts';
import { ladderLines, noteLines } from './dhcp-over-ike-helpers.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;
const stall = { atUs: 0, node: 'dhcp', command: { type: 'cmd.stall' } } as const;

/** Times (s) of client1's IKE_AUTH requests carrying DHCP(DISCOVER) on its first IKE SA, and the run's trace. */
function run(recarry: 'rfc2131' | 'collect-window') {
  const t = buildDhcpTopology({
    method: 'dhcp-over-ike-wg',
    durationUs: 65_000_000,
    commands: [stall, connect],
    policies: { dhcpIkeWgRecarry: recarry },
  });
  const out = runScenario(t.input, { seed: 1 });
  const times: number[] = [];
  for (const l of ladderLines(out.trace)) {
    const m = /^(\S+) client1 → gw IKE_AUTH request #\d+ .*DHCP\(DISCOVER\)/.exec(l);
    if (m === null) continue;
    if (l.includes('IKE_AUTH request #1 ') && times.length > 0) break; // a new IKE SA
    times.push(Number(m[1]));
  }
  return { times, trace: out.trace };
}

const gaps = (ts: readonly number[]): number[] => ts.slice(1).map((t, i) => t - (ts[i] ?? 0));

describe('WG re-carry paced by DHCP retransmission (issue 14 item 9, WG §3, RFC 2131 §4.1)', () => {
  it('default rfc2131: DISCOVER re-carries follow 4, 8, 16, 32 s (±1 s); held rounds, no IKE retransmission', () => {
    const { times, trace } = run('rfc2131');
    expect(times).toEqual([0.02, 4.475, 11.951, 27.376, 59.337]);
    const g = gaps(times);
    [4, 8, 16, 32].forEach((nominal, i) => {
      expect(g[i]).toBeGreaterThanOrEqual(nominal - 1);
      expect(g[i]).toBeLessThanOrEqual(nominal + 1);
    });
    // Each re-carry is the DHCP client's own retransmission, and the round waiting for it is held, not retransmitted.
    expect(noteLines(trace, /^ike\.authHold$/).length).toBe(4);
    expect(noteLines(trace, /^dhcp\.retransmit$/).filter((l) => l.includes('client1 dhcp.retransmit')).length).toBe(4);
    expect(ladderLines(trace).filter((l) => / client1 → gw IKE_AUTH request #(\d+)/.test(l)).length).toBe(5);
  });

  it('collect-window (the lab before issue 14): a round every collect window, ~2 s apart', () => {
    const { times } = run('collect-window');
    expect(times).toEqual([0.02, 2.04, 4.06, 6.08, 8.1]);
    for (const g of gaps(times)) expect(g).toBeCloseTo(2.02, 5);
  });
});
