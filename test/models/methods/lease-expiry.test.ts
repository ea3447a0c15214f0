/**
 * V1 of the fault campaign: a lease that runs out before its renewal gets through (RFC 2131 §4.4.5). One client,
 * 28 % loss on the outside link, 20 s leases, nothing else: the client must withdraw the address at expiry, and —
 * DISCOVER riding only IKE_AUTH (seed §2, WG §3) — close the IKE SA and start a new one.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { noteLines } from './dhcp-over-ike-helpers.ts';
import { leaseViolations } from './lease-safety.ts';

/** The library's `basic` topology with 28 % loss on the outside link and 20 s leases, for 200 s. */
export function lossyShortLeases(): object {
  return {
    name: 'lossy-short-leases',
    description: 'One client, 28 % loss on the outside link, 20 s leases.',
    methods: ['dhcp-over-ike', 'dhcp-over-ike-wg'],
    // The client's own expiry is what this test is about: without the gateway's lease guard (which would delete the
    // IKE SA first, at 22.8 s: lease-guard.test.ts) the client must still withdraw at its expiry.
    options: { dhcpIkeLeaseGuard: false },
    seed: 1,
    durationMs: 200_000,
    topology: {
      clients: [{ name: 'client1', address: '198.51.100.11/24', gateway: 'gw' }],
      gateways: [
        {
          name: 'gw',
          outside: '198.51.100.1/24',
          inside: '10.1.0.1/24',
          pool: { first: '10.99.0.1', last: '10.99.0.100', prefixLength: 24, dns: ['10.1.0.53'] },
          dhcpServer: 'dhcp',
        },
      ],
      dhcpServers: [
        {
          name: 'dhcp',
          address: '10.1.0.2/24',
          pools: [
            {
              subnet: '10.99.1.0/24',
              rangeStart: '10.99.1.10',
              rangeEnd: '10.99.1.200',
              dns: ['10.1.0.53'],
              leaseSecs: 20,
            },
          ],
        },
      ],
      enterpriseHosts: [{ name: 'host', address: '10.1.0.10/24' }],
      links: [
        { name: 'outside', attach: ['client1', 'gw'], profile: { latencyMs: 10, lossRatio: 0.28 } },
        { name: 'inside', attach: ['gw', 'dhcp', 'host'], profile: { latencyMs: 1 } },
      ],
    },
    workload: { actions: [{ atMs: 0, action: 'connect', nodes: 'client1' }], livenessSecs: 5 },
  };
}

describe('V1: a lease that expires before its renewal gets through', () => {
  for (const method of ['dhcp-over-ike', 'dhcp-over-ike-wg'] as const) {
    it(`${method}: the address is withdrawn at expiry and the IKE SA restarted (seed 1)`, () => {
      const run = runScenario(lossyShortLeases(), { method, seed: 1 });
      // Never holding an address the server no longer leases to it (RFC 2131 §4.4.5).
      expect(leaseViolations(run.trace, ['dhcp'])).toEqual([]);
      const client = noteLines(run.trace, /^(address\.|lease\.lost|client\.restart)/).filter(
        (l) => l.split(' ')[1] === 'client1',
      );
      // The first expiry (the rekey carrying the renewal is still retransmitting through the loss): withdrawn at the
      // client's expiry (from the REQUEST sent at 4.042 s, §4.4.1), 11 ms before the server's, then a new IKE SA.
      expect(client.slice(0, 5)).toEqual([
        '4.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
        '24.042 client1 lease.lost {"address":"10.99.1.10","why":"expired"}',
        '24.042 client1 address.released {"client":"client1","address":"10.99.1.10"}',
        '24.042 client1 client.restart {"reason":"dhcp-expired"}',
        '24.106 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
      ]);
      expect(noteLines(run.trace, /^lease\.expired$/)[0]).toBe(
        '24.053 dhcp lease.expired {"address":"10.99.1.10","was":"bound"}',
      );
      // The new IKE_AUTH carries DISCOVER (seed §2 / WG §3), not a CREATE_CHILD_SA of the old IKE SA.
      const after = run.trace.filter((e) => e.type === 'send' && e.node === 'client1' && e.atUs >= 24_042_000);
      expect(after.slice(0, 3).map((e) => (e.type === 'send' ? e.summary : ''))).toEqual([
        'INFORMATIONAL request #5 SK{D}',
        // NAT-D always (RFC 7296 §2.23); CHILDLESS_IKEV2_SUPPORTED for the seed's childless IKE_AUTH (RFC 6023 §3).
        method === 'dhcp-over-ike'
          ? 'IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)'
          : 'IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
        // The seed's DISCOVER follows AUTH (childless); the WG draft's follows SAi2, TSi, TSr (§3).
        expect.stringMatching(
          /^IKE_AUTH request #1 SK\{IDi, N\(INITIAL_CONTACT\), IDr, AUTH, (SAi2, TSi, TSr, )?DHCP\(DISCOVER\)/,
        ),
      ]);
    });
  }
});
