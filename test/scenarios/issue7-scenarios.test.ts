/**
 * The three scenarios of issue 7 as library data (scenarios/library/*.json), each with its measured effect read from
 * the trace by the metrics: the same figures as the node-level tests (test/models/nodes/*.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/run.ts';
import { METHOD_IDS } from '../../scenarios/method-registry.ts';

const failed = (r: ReturnType<typeof runScenario>): string[] =>
  r.expectations.filter((e) => !e.ok).map((e) => `${r.method}: ${e.expectation}: ${e.detail}`);

describe('wildcard-hazard (draft-richardson §4)', () => {
  it.each(METHOD_IDS)('%s (defaults): no misdirected packet, the home lease renews', (method) => {
    const r = runScenario('wildcard-hazard', { method, keepTrace: false });
    expect(failed(r)).toEqual([]);
    expect(r.metrics.misdirected).toBe(0);
    expect(r.metrics.homeLease).toEqual({ bound: 1, renewed: 2, expired: 0 });
  });

  it('dhcp-over-ipsec with the DHCP SA kept for its lifetime: 4 home DHCP datagrams go into the tunnel, the home lease expires', () => {
    const r = runScenario('wildcard-hazard', {
      method: 'dhcp-over-ipsec',
      options: { dhcpSaTeardown: 'at-lifetime' },
    });
    expect(failed(r)).toEqual([]);
    expect(r.expectations.length).toBe(6);
    expect(r.metrics.misdirected).toBe(4);
    expect(r.metrics.misdirectedInto).toEqual({ primary: 4 });
    expect(r.metrics.homeLease).toEqual({ bound: 1, renewed: 0, expired: 1 });
    const expired = r.trace.find((e) => e.type === 'note' && e.text === 'home.expired');
    expect(expired?.atUs).toBe(20_020_000);
  });
});

describe('two-enterprises (draft-richardson §4)', () => {
  it.each(METHOD_IDS)('%s: both tunnels addressed; which exchange went where', (method) => {
    const r = runScenario('two-enterprises', { method, keepTrace: false });
    expect(failed(r)).toEqual([]);
    expect(r.metrics.tunnels.addressed).toBe(2);
    expect(r.metrics.tunnels.addressedBy).toEqual({ 'gw-b': 1, primary: 1 });
    if (method === 'dhcp-over-ipsec') {
      // B's DISCOVER matches A's DHCP SA first (same 0.0.0.0/0 UDP 68↔67 selectors): it goes to enterprise A.
      expect(r.metrics.misdirectedInto).toEqual({ primary: 1 });
      expect(r.metrics.tunnels.timeToAddressUs?.max).toBe(4_794_000);
    } else expect(r.metrics.misdirected).toBe(0);
  });

  it('dhcp-over-ipsec: no conflict when B connects after A has deleted its DHCP SA', () => {
    const r = runScenario('two-enterprises', { method: 'dhcp-over-ipsec', params: { bConnectMs: 2000 } });
    expect(r.metrics.misdirected).toBe(0);
    expect(r.metrics.tunnels.timeToAddressUs?.max).toBe(84_000);
  });
});

describe('lease-outlives-nothing (mode-cfg-dhcp)', () => {
  it('dhcpRenewal=none: the lease expires under client1 and goes to client2 — 59.956 s of overlap', () => {
    const r = runScenario('lease-outlives-nothing', {
      method: 'mode-cfg-dhcp',
      // strongSwan's plugin as it is: the lab's lease guard (default on) would delete client1's IKE SA first.
      options: { dhcpRenewal: 'none', proxyLeaseGuard: false },
      keepTrace: false,
    });
    expect(failed(r)).toEqual([]);
    expect(r.metrics.addressOverlapUs).toBe(59_956_000);
    expect(r.metrics.addressOverlaps).toBe(1);
    expect(r.metrics.renewals).toEqual({ done: 0, missed: 1 });
  });

  it('dhcpRenewal=renew-at-t1: no overlap; client2 finds the scope full', () => {
    const r = runScenario('lease-outlives-nothing', {
      method: 'mode-cfg-dhcp',
      options: { dhcpRenewal: 'renew-at-t1' },
      keepTrace: false,
    });
    expect(failed(r)).toEqual([]);
    expect(r.metrics.addressOverlapUs).toBe(0);
    expect(r.metrics.renewals).toEqual({ done: 4, missed: 0 });
    expect(r.metrics.addressed).toBe(1);
  });

  it.each(['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'dhcp-over-ipsec'] as const)(
    '%s: renews (or holds a pool entry) — no overlap',
    (method) => {
      const r = runScenario('lease-outlives-nothing', { method, keepTrace: false });
      expect(failed(r)).toEqual([]);
      expect(r.metrics.addressOverlapUs).toBe(0);
    },
  );
});
