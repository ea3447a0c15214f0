/**
 * Regression (vopr `lease.notPastExpiry`, dhcp-over-ike and dhcp-over-ike-wg, campaign seed 5, schedule seed
 * 1508287868): a `cmd.disconnect` sends the IKE SA's Delete (RFC 7296 §1.4.1); the gateway closes the SA and its relay
 * sends a DHCPRELEASE on the client's behalf (RFC 2131 §4.4.6). When the inside leg is shorter than the way back to the
 * client, the server ends the lease before the Delete's response arrives, and the client used to hold the address
 * until that response. It gives the address up when it sends the Delete (§4.4.5).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';
import type { MethodId } from '../../../scenarios/method-registry.ts';
import type { TraceEvent } from '../../../sim/index.ts';

/** One client connected at 0 ms and disconnected at 1 s; 10 ms outside, 5 ms inside. */
function disconnect(method: MethodId): object {
  return {
    name: 'disconnect-release',
    description: 'A client disconnects; the RELEASE reaches the server before the Delete response reaches the client.',
    methods: [method],
    seed: 1,
    durationMs: 3000,
    topology: {
      clients: [{ name: 'client1', address: '100.64.0.10/16', gateway: 'gw' }],
      gateways: [
        {
          name: 'gw',
          outside: '100.64.0.1/16',
          inside: '10.1.0.1/24',
          pool: { first: '10.99.0.1', last: '10.99.0.4', prefixLength: 24, dns: ['10.1.0.53'] },
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
              rangeEnd: '10.99.1.13',
              dns: ['10.1.0.53'],
              leaseSecs: 60,
            },
          ],
        },
      ],
      enterpriseHosts: [{ name: 'host', address: '10.1.0.10/24' }],
      links: [
        { name: 'outside', attach: ['client1', 'gw'], profile: { latencyMs: 10 } },
        { name: 'inside', attach: ['gw', 'dhcp', 'host'], profile: { latencyMs: 5 } },
      ],
    },
    workload: {
      actions: [
        { atMs: 0, action: 'connect', nodes: 'client1' },
        { atMs: 1000, action: 'disconnect', nodes: 'client1' },
      ],
      livenessSecs: 1,
    },
  };
}

function timeline(trace: readonly TraceEvent[]): string[] {
  const out: string[] = [];
  for (const e of trace) {
    if (e.type !== 'note') continue;
    if (e.node === 'client1' && e.text === 'address.released') out.push(`${e.atUs} client1 released`);
    if (e.node === 'dhcp' && e.text === 'lease.ended') out.push(`${e.atUs} dhcp lease.ended`);
    if (e.node === 'client1' && e.text === 'client.closed') out.push(`${e.atUs} client1 closed`);
  }
  return out;
}

describe('cmd.disconnect: the address is given up with the Delete, before the relay’s RELEASE ends the lease', () => {
  for (const method of ['dhcp-over-ike', 'dhcp-over-ike-wg'] as const) {
    it(`${method}: no lease.notPastExpiry; released at 1 s, the lease ended at 1.015 s, closed at 1.020 s`, () => {
      expect(runChecked(disconnect(method), { method, seed: 1 }).violations).toEqual([]);
      // The Delete reaches the gateway at 1.010 s; its RELEASE reaches the server at 1.015 s; the response the client
      // at 1.020 s. Before the fix the address went only with the response.
      expect(timeline(runScenario(disconnect(method), { method, seed: 1 }).trace)).toEqual([
        '1000000 client1 released',
        '1015000 dhcp lease.ended',
        '1020000 client1 closed',
      ]);
    });
  }
});

/**
 * Regression (vopr `machine.handled`, dhcp-over-ike, campaign test schedule seed 1395726542, shrunk): the outside link
 * is down from 10 ms to 5.007 s and the client disconnects as it comes back; its Delete is retransmitted while the
 * method's DHCP client went on renewing and asked the IKE SA, now `deleting`, for a CREATE_CHILD_SA (dropped). The
 * method stops with the disconnect.
 */
function disconnectWhileCut(): object {
  const base = disconnect('dhcp-over-ike') as { topology: { dhcpServers: { pools: { leaseSecs: number }[] }[] } };
  const pool = base.topology.dhcpServers[0]?.pools[0];
  if (pool !== undefined) pool.leaseSecs = 20;
  return {
    ...base,
    name: 'disconnect-while-cut',
    seed: 1395726542,
    durationMs: 30_000,
    topology: {
      ...base.topology,
      links: [
        { name: 'outside', attach: ['client1', 'gw'], profile: { latencyMs: 1 } },
        { name: 'inside', attach: ['gw', 'dhcp', 'host'], profile: { latencyMs: 1 } },
      ],
    },
    workload: {
      actions: [
        { atMs: 0, action: 'connect', nodes: 'client1' },
        { atMs: 5007, action: 'disconnect', nodes: 'client1' },
      ],
      pingIntervalMs: 5000,
      livenessSecs: 5,
      childRekeySecs: 20,
    },
    faults: [
      { type: 'link.down', atMs: 10, link: 'outside' },
      { type: 'link.up', atMs: 5007, link: 'outside' },
    ],
  };
}

describe('cmd.disconnect stops the method’s DHCP client with the address', () => {
  it('dhcp-over-ike: no machine.handled (seed 1395726542); no DHCP after the disconnect', () => {
    expect(runChecked(disconnectWhileCut(), { method: 'dhcp-over-ike', seed: 1395726542 }).violations).toEqual([]);
    const run = runScenario(disconnectWhileCut(), { method: 'dhcp-over-ike', seed: 1395726542 });
    const unhandled = run.trace.filter((e) => e.type === 'note' && e.text === 'machine.unhandled');
    expect(unhandled).toEqual([]);
    const dhcpStates = run.trace.filter(
      (e) => e.type === 'state' && e.node === 'client1' && e.machine === 'dhcp' && e.atUs > 5_007_000,
    );
    expect(dhcpStates).toEqual([]);
  });
});
