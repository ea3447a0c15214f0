/**
 * Wildcard hazard (draft-richardson-ipsec-dhcp-over-ike-00 §4): the client's outer address is leased by a home DHCP
 * server (20 s lease: T1 ≈ 10.02 s, T2 ≈ 17.52 s, expiry ≈ 20.02 s); it connects at 1 s. A DHCP SA (0.0.0.0/0 UDP
 * 68 ↔ 0.0.0.0/0 UDP 67) alive at the home T1 catches the renewal and tunnels it to the enterprise.
 * Measured: `spd.misdirected` notes, and what happens to the home lease (`home.renewed` / `home.expired`).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { misdirected, notesOf, wildcardHazard } from '../../support/issue7-scenarios.ts';
import { ladder, secs } from './ladder.ts';

const measure = (method: string, clientOptions?: unknown) => {
  const out = runScenario(wildcardHazard(method, clientOptions).input, { seed: 1 });
  return {
    out,
    misdirected: misdirected(out.trace).map((e) => `${secs(e.atUs)} ${String(e.data?.['dst'])}`),
    renewed: notesOf(out.trace, 'home.renewed').map((e) => secs(e.atUs)),
    expired: notesOf(out.trace, 'home.expired').map((e) => secs(e.atUs)),
  };
};

describe('wildcard hazard', () => {
  it('dhcp-over-ipsec with a DHCP SA living minutes (RFC 3456 §4.1): the home renewal is tunnelled, the home lease expires', () => {
    const m = measure('dhcp-over-ipsec', { dhcpSaTeardown: 'at-lifetime' });
    expect(m.misdirected).toEqual([
      '10.020 198.51.100.2', // RENEWING: unicast to the home server, caught by the DHCP SA
      '17.520 255.255.255.255', // REBINDING: broadcast, caught and relayed to the enterprise server
      '20.020 255.255.255.255', // after expiry: DISCOVER, caught again
      '24.009 255.255.255.255',
    ]);
    expect(m.renewed).toEqual([]);
    expect(m.expired).toEqual(['20.020']);
    // The relay's identity pinning (rfc3456/relay.ts) refuses the home client's DHCP: the tunnel already named
    // another client (the RFC 3456 client's chaddr). It never reaches the enterprise server; the home lease still
    // expires (the hazard is in the SPD, not the relay).
    expect(ladder(m.out.trace).filter((l) => l.includes('DHCPNAK'))).toEqual([]);
    const refused = m.out.trace.filter(
      (e) => e.type === 'note' && e.text === 'relay.drop' && e.data?.['reason'] === 'theft',
    );
    expect(refused.map((e) => e.atUs)).toEqual([10_030_000, 17_530_000, 20_030_000, 24_019_000]);
  });

  it('dhcp-over-ipsec keeping the DHCP SA (§3.1 d alternative): the same', () => {
    const m = measure('dhcp-over-ipsec', { dhcpSaTeardown: 'keep' });
    expect(m.misdirected.length).toBe(4);
    expect(m.expired).toEqual(['20.020']);
  });

  it('dhcp-over-ipsec deleting the DHCP SA after the tunnel SA (default): nothing caught', () => {
    const m = measure('dhcp-over-ipsec');
    expect(m.misdirected).toEqual([]);
    expect(m.renewed).toEqual(['10.040', '20.040']);
    expect(m.expired).toEqual([]);
  });

  it.each(['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'mode-cfg-dhcp'])(
    '%s: no wildcard UDP SA, the home renewal stays on the LAN',
    (method) => {
      const m = measure(method);
      expect(m.misdirected).toEqual([]);
      expect(m.renewed).toEqual(['10.040', '20.040']);
      expect(m.expired).toEqual([]);
    },
  );
});
