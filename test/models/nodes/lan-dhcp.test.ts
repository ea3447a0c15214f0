/**
 * 50 DHCP clients on one LAN segment, one relay, one server on another segment; 10 % loss on the client segment.
 * All reach BOUND and renew through three T1 cycles; counts come from the trace only.
 */
import { describe, expect, test } from 'vitest';
import { runScenario } from '../../../sim/run.ts';
import { DhcpRelayNode } from '../../../models/nodes/relay-node.ts';
import { DhcpServerNode } from '../../../models/nodes/dhcp-server-node.ts';
import { LanDhcpClientNode } from '../../../models/nodes/lan-dhcp-client.ts';

const CLIENTS = 50;
const LEASE_SECS = 1200; // T1 600 s: three T1 cycles end by about 1800 s after binding

function scenario() {
  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    const n = (i + 1).toString(16).padStart(2, '0');
    return new LanDhcpClientNode({ name: `c${i + 1}`, mac: `02:00:00:00:00:${n}` });
  });
  const relay = new DhcpRelayNode({
    name: 'relay',
    clientSide: { name: 'lan', address: '10.1.0.1', prefixLength: 24 },
    serverSide: { name: 'core', address: '10.9.0.1', prefixLength: 24 },
    serverAddress: '10.9.0.2',
  });
  const server = new DhcpServerNode({
    name: 'server',
    interface: { name: 'eth0', address: '10.9.0.2', prefixLength: 24 },
    leases: {
      pools: [
        {
          name: 'lan',
          subnet: '10.1.0.0',
          prefixLength: 24,
          rangeStart: '10.1.0.100',
          rangeEnd: '10.1.0.199',
          router: '10.1.0.1',
          dns: ['10.9.0.53'],
          leaseSecs: LEASE_SECS,
          offerHoldSecs: 30,
        },
      ],
    },
    serviceUs: 500,
    queueMax: 64,
  });
  return {
    nodes: [...clients, relay, server],
    links: [
      {
        kind: 'segment' as const,
        name: 'lan',
        subnet: '10.1.0.0/24',
        attach: [...clients.map((c) => ({ node: c.name, iface: 'eth0' })), { node: 'relay', iface: 'lan' }],
        profile: { latencyUs: 1000, lossPpm: 100_000 },
        routes: [{ prefix: '10.9.0.0/24', via: 'relay' }],
      },
      {
        kind: 'segment' as const,
        name: 'core',
        subnet: '10.9.0.0/24',
        attach: [
          { node: 'relay', iface: 'core' },
          { node: 'server', iface: 'eth0' },
        ],
        profile: { latencyUs: 500 },
        routes: [{ prefix: '10.1.0.0/24', via: 'relay' }],
      },
    ],
  };
}

describe('LAN: 50 clients, one relay, one server, 10 % loss', () => {
  test('all bind and renew through three T1 cycles', () => {
    const out = runScenario({ ...scenario(), durationUs: 3_000_000_000 }, { seed: 42 });
    const states = out.trace.filter((e) => e.type === 'state') as unknown as {
      node: string;
      machine: string;
      from: string;
      to: string;
    }[];
    const dhcp = states.filter((s) => s.machine === 'dhcp');
    const boundFirst = new Set(dhcp.filter((s) => s.to === 'BOUND' && s.from === 'REQUESTING').map((s) => s.node));
    expect(boundFirst.size).toBe(CLIENTS);
    const renewalsPerClient = new Map<string, number>();
    for (const s of dhcp) {
      if (s.to === 'BOUND' && (s.from === 'RENEWING' || s.from === 'REBINDING')) {
        renewalsPerClient.set(s.node, (renewalsPerClient.get(s.node) ?? 0) + 1);
      }
    }
    const short = [...boundFirst].filter((n) => (renewalsPerClient.get(n) ?? 0) < 3);
    expect(
      short.map((n) => [
        n,
        dhcp
          .filter((s) => s.node === n)
          .map((s) => `${s.from}>${s.to}`)
          .join(' '),
      ]),
    ).toEqual([]);
    // Nobody lost its lease.
    expect(dhcp.filter((s) => s.to === 'INIT' || s.to === 'SELECTING').filter((s) => s.from !== 'INIT')).toEqual([]);
    const lost = out.trace.filter((e) => e.type === 'drop' && (e as { reason?: string }).reason === 'loss').length;
    expect(lost).toBeGreaterThan(0);
    console.log(
      `seed 42: ${out.trace.length} events, ${lost} lost, renewals ${[...renewalsPerClient.values()].reduce((a, b) => a + b, 0)}`,
    );
  });
});
