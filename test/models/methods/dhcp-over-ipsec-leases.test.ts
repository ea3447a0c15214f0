/**
 * V4 and V5 of the fault campaign, RFC 3456 on IKEv2 (`dhcp-over-ipsec`), one client, 20 s leases, the DHCP server
 * stalled from 5 s: the renewal through the tunnel SA goes unanswered, REBINDING broadcasts (outside the tunnel SA's
 * selectors), the lease expires and DISCOVER runs out of tries.
 * - V4: no DHCP message leaves in the clear (RFC 3456 §3: a DHCP SA is brought up for every DHCP exchange).
 * - V5: a DISCOVER phase that gives up starts again after a bounded backoff (RFC 2131 sets no limit on DISCOVERs).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { ladderLines, noteLines } from './dhcp-over-ike-helpers.ts';
import { leaseViolations } from './lease-safety.ts';

function stalledServer(unstallMs: number, durationMs: number): object {
  return {
    name: 'stalled-server-short-leases',
    description: 'One client, 20 s leases, the DHCP server stalled from 5 s.',
    methods: ['dhcp-over-ipsec'],
    seed: 1,
    durationMs,
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
        { name: 'outside', attach: ['client1', 'gw'], profile: { latencyMs: 10 } },
        { name: 'inside', attach: ['gw', 'dhcp', 'host'], profile: { latencyMs: 1 } },
      ],
    },
    workload: { actions: [{ atMs: 0, action: 'connect', nodes: 'client1' }] },
    faults: [
      { type: 'dhcp.stall', atMs: 5000, node: 'dhcp' },
      { type: 'dhcp.unstall', atMs: unstallMs, node: 'dhcp' },
    ],
  };
}

describe('dhcp-over-ipsec: a lease lost while the IKE SA stays up', () => {
  it('V4: REBINDING and the DISCOVERs after it ride a new DHCP SA, never the clear', () => {
    const run = runScenario(stalledServer(60_000, 90_000), { method: 'dhcp-over-ipsec', seed: 1 });
    expect(noteLines(run.trace, /^spd\.leaked$/)).toEqual([]);
    // The tunnel SA's TSr does not cover 255.255.255.255: the REBINDING REQUEST waits for a DHCP SA (slot `dhcp`).
    expect(ladderLines(run.trace).filter((l) => /^(17|20)\./.test(l) && l.includes('client1 →'))).toEqual([
      '17.562000 client1 → gw CREATE_CHILD_SA request #4 SK{SAi2, Nonce, TSi, TSr}',
      '17.582000 client1 → gw ESP spi=0xb575c9ac seq=1 (DHCPREQUEST 10.99.1.10 xid=0x96b3dba2)',
      '20.062000 client1 → gw INFORMATIONAL request #5 SK{D}',
      '20.062000 client1 → gw ESP spi=0xb575c9ac seq=2 (DHCPDISCOVER xid=0xa076045e)',
    ]);
    expect(noteLines(run.trace, /^(address\.|lease\.lost|rfc3456\.held)/)).toEqual([
      '0.084 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '17.562 client1 rfc3456.held {"dst":"255.255.255.255"}',
      '20.062 client1 lease.lost {"address":"10.99.1.10","why":"expired"}',
      '20.062 client1 address.released {"client":"client1","address":"10.99.1.10"}',
      '79.000 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
    ]);
    expect(leaseViolations(run.trace, ['dhcp'])).toEqual([]);
  });

  it('V5 (default rfc2131): DISCOVER never gives up (RFC 2131 sets no limit, waits ≤ 64 s) and is re-addressed', () => {
    const run = runScenario(stalledServer(200_000, 260_000), { method: 'dhcp-over-ipsec', seed: 1 });
    const notes = noteLines(run.trace, /^(address\.|dhcp\.gaveUp|dhcp\.restartIn)/);
    expect(notes.slice(0, 2)).toEqual([
      '0.084 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '20.062 client1 address.released {"client":"client1","address":"10.99.1.10"}',
    ]);
    expect(notes.slice(2).map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual(['client1 address.assigned']);
    expect(noteLines(run.trace, /^spd\.leaked$/)).toEqual([]);
    expect(leaseViolations(run.trace, ['dhcp'])).toEqual([]);
  });

  it('V5 (dhcpRetransmit five-tries): after DISCOVER gives up the client starts again (bounded backoff) and is re-addressed', () => {
    const run = runScenario(
      { ...stalledServer(200_000, 260_000), options: { dhcpRetransmit: 'five-tries' } },
      { method: 'dhcp-over-ipsec', seed: 1 },
    );
    expect(noteLines(run.trace, /^(address\.|dhcp\.gaveUp|dhcp\.restartIn)/)).toEqual([
      '0.084 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '20.062 client1 address.released {"client":"client1","address":"10.99.1.10"}',
      '143.435 client1 dhcp.gaveUp {"state":"SELECTING","tries":5}',
      '143.435 client1 dhcp.restartIn {"waitMs":3018,"attempt":1}',
      '208.091 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
    ]);
    expect(noteLines(run.trace, /^spd\.leaked$/)).toEqual([]);
    expect(leaseViolations(run.trace, ['dhcp'])).toEqual([]);
  });
});
