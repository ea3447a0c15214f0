/**
 * The client's SPD at node level (RFC 4301 §4.4.1; rules in models/nodes/client-spd.ts): no SA ⇒ the physical
 * interface; an SA ⇒ ESP; overlaps ⇒ the most specific, then the oldest slot node-wide (across tunnels).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { buildComparison } from '../../support/comparison-topology.ts';
import { twoEnterprises, wildcardHazard } from '../../support/issue7-scenarios.ts';
import { ladder, notes } from './ladder.ts';

describe('client SPD in the node', () => {
  it('a packet matching no SA leaves on the physical interface; one matching an SA is tunnelled', () => {
    // mode-cfg's tunnel covers 10.1.99.10 ↔ 10.1.0.0/24 only: the home renewal (198.51.100.11:68 → .2:67) bypasses it.
    const t = wildcardHazard('mode-cfg');
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace).filter((l) => l.includes('home-dhcp') && l >= '10')).toEqual([
      '10.030 client1→home-dhcp: DHCPREQUEST 198.51.100.11 xid=0x49fc390f',
      '10.040 home-dhcp→client1: DHCPACK 198.51.100.11 xid=0x49fc390f',
      '20.030 client1→home-dhcp: DHCPREQUEST 198.51.100.11 xid=0xc342ad77',
      '20.040 home-dhcp→client1: DHCPACK 198.51.100.11 xid=0xc342ad77',
    ]);
    expect(notes(out.trace, 'spd.misdirected')).toEqual([]);
    expect(notes(out.trace, 'home.renewed').map((e) => e.atUs)).toEqual([10_040_000, 20_040_000]);
    const ping = buildComparison({
      method: 'mode-cfg',
      durationUs: 2_000_000,
      commands: [
        { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } },
        { atUs: 1_000_000, node: 'client1', command: { type: 'cmd.ping' } },
      ],
    });
    expect(ladder(runScenario(ping.input, { seed: 1 }).trace).filter((l) => l.startsWith('1.010'))).toEqual([
      '1.010 client1→gw: ESP spi=0xa70aa054 seq=1 (UDP 40000 → 7 (6 bytes))',
    ]);
  });

  it('overlap, same tunnel: the renewal matches the DHCP SA and the tunnel SA; the more specific tunnel SA wins', () => {
    const t = buildComparison({
      method: 'dhcp-over-ipsec',
      clientOptions: { dhcpSaTeardown: 'keep' },
      leaseSecs: 20,
      durationUs: 11_000_000,
      commands: [{ atUs: 0, node: 'client1', command: { type: 'cmd.connect' } }],
    });
    const out = runScenario(t.input, { seed: 1 });
    const spis = t.clients[0]?.childSas().map((c) => [c.slot, c.spiOut]);
    expect(spis).toEqual([
      ['main', 0xa70aa054],
      ['tunnel', 0x30f115f4],
    ]);
    expect(ladder(out.trace).filter((l) => l >= '10' && l.includes('client1→gw'))).toEqual([
      '10.072 client1→gw: ESP spi=0x30f115f4 seq=1 (DHCPREQUEST 10.1.99.10 xid=0x96b3dba2)',
    ]);
  });

  it('overlap, two tunnels with equal selectors: the oldest SA node-wide wins (enterprise B’s DISCOVER goes to A)', () => {
    const t = twoEnterprises('dhcp-over-ipsec');
    const out = runScenario(t.input, { seed: 1 });
    expect(notes(out.trace, 'spd.misdirected').map((e) => e.data)).toEqual([
      { client: 'client1', dst: '255.255.255.255', dstPort: 67, slot: 'main', tunnel: 'primary', wanted: 'b' },
    ]);
    expect(ladder(out.trace).filter((l) => l.startsWith('0.050'))).toEqual([
      '0.050 client1→gw: ESP spi=0xa70aa054 seq=1 (DHCPDISCOVER xid=0xafdebdb7)',
      '0.050 client1→gw: ESP spi=0xa70aa054 seq=2 (DHCPDISCOVER xid=0x79e27289)',
    ]);
  });
});
