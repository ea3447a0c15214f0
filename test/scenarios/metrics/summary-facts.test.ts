/**
 * The collector without summaries in the events (a streaming run without a digest): an IKE message's role read from
 * its datagram, the rest from summaries made on request, what a delivery needs kept by packet id. The same figures as
 * from events that carry their summaries.
 */
import { describe, expect, it } from 'vitest';
import type { RunRoles } from '../../../scenarios/build.ts';
import { MetricsCollector, type ScenarioMetrics } from '../../../scenarios/metrics/collect.ts';
import { ikeSummaryRole } from '../../../scenarios/metrics/conventions.ts';
import { ikeHeaderOffset, ikeRoleAt } from '../../../scenarios/metrics/message-key.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { sampleDhcpMessage } from '../../../models/wire/ike/samples.ts';
import { ikeSampleMessages } from '../../../models/wire/ike/samples.ts';
import { emitPacket, espTunnelPacket, summarizePacket, udpPacket, type Packet } from '../../../models/wire/packet.ts';
import type { SentSummarySource, TraceEvent } from '../../../sim/trace.ts';

function roleOfBytes(bytes: Uint8Array): number {
  const at = ikeHeaderOffset(bytes);
  return at < 0 ? 0 : ikeRoleAt(bytes, at);
}

const udp = (srcPort: number, dstPort: number, app: Parameters<typeof udpPacket>[0]['app']): Packet =>
  udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort, dstPort, app });

describe('an IKE message’s role from its datagram', () => {
  it('is what the summary says for every sample message, on port 500 and behind the non-ESP marker on 4500', () => {
    const roles: number[] = [];
    for (const message of ikeSampleMessages()) {
      for (const [port, nonEspMarker] of [
        [500, false],
        [4500, true],
      ] as const) {
        const p = udp(port, port, { kind: 'ike', nonEspMarker, message });
        const bytes = emitPacket(p);
        expect(roleOfBytes(bytes)).toBe(ikeSummaryRole(summarizePacket(p)));
        roles.push(roleOfBytes(bytes));
      }
    }
    // Both roles are among the samples.
    expect(roles).toContain(1);
    expect(roles).toContain(2);
  });

  it('is 0 for DHCP, ESP (in UDP 4500 or not), a NAT keepalive, other UDP and a fragment', () => {
    const dhcp = udp(67, 68, { kind: 'dhcp', message: sampleDhcpMessage(5, '10.0.0.9') });
    const inner = udp(68, 67, { kind: 'dhcp', message: sampleDhcpMessage(1) });
    const esp = {
      src: '192.0.2.1',
      dst: '192.0.2.2',
      spi: 0x1234,
      sequence: 1,
      suite: 'aes128-sha256',
      inner,
    } as const;
    const packets = [
      dhcp,
      espTunnelPacket(esp),
      espTunnelPacket({ ...esp, natT: true }),
      udp(4500, 4500, { kind: 'natKeepalive' }),
      udp(1000, 7, { kind: 'raw', data: new Uint8Array(40) }),
    ];
    for (const p of packets) {
      expect(ikeSummaryRole(summarizePacket(p))).toBe(0);
      expect(roleOfBytes(emitPacket(p))).toBe(0);
    }
    const ike = emitPacket(udp(500, 500, { kind: 'ike', nonEspMarker: false, message: ikeSampleMessages()[0]! }));
    expect(roleOfBytes(ike)).toBe(1);
    const fragment = ike.slice();
    fragment[6] = 0x20; // More Fragments (RFC 791 §3.1)
    expect(roleOfBytes(fragment)).toBe(0);
    // An IKE header whose length is not the rest of the datagram is not one whole message.
    expect(roleOfBytes(ike.subarray(0, ike.length - 1))).toBe(0);
  });
});

describe('the collector fed events without summaries', () => {
  const roles: RunRoles = {
    clients: ['c1'],
    gatewayOf: { c1: 'gw' },
    gateways: ['gw'],
    dhcpServers: [{ name: 'dhcp', serviceUs: 0, queueMax: 8 }],
    hosts: [],
  };
  // A CREATE_CHILD_SA response carrying a DHCP ACK (a renewal: draft-richardson §2), from the samples.
  const ccsaResponse = ikeSampleMessages().find((m) => m.exchangeType === 36 && m.response)!;
  const renewal = udp(500, 500, { kind: 'ike', nonEspMarker: false, message: ccsaResponse });
  const ack = udp(67, 67, { kind: 'dhcp', message: sampleDhcpMessage(5, '10.0.0.5') });
  const request = udp(500, 500, {
    kind: 'ike',
    nonEspMarker: false,
    message: ikeSampleMessages().find((m) => m.exchangeType === 35 && !m.response)!,
  });

  /** A run's packet events: sends, a duplicate of the ACK, deliveries of the ACK, its copy and the renewal. */
  function events(withSummaries: boolean): { e: TraceEvent; packet?: Packet }[] {
    const s = (p: Packet): string => (withSummaries ? summarizePacket(p) : '');
    const link = { link: 'l', dir: 'gw→c1', iface: 'eth0' };
    return [
      { e: { type: 'command', atUs: 0, node: 'c1', command: 'cmd.connect' } },
      { e: { type: 'note', atUs: 5, node: 'c1', text: 'client.configured', data: { address: '10.0.0.5' } } },
      ...[
        ['c1', request, 1],
        ['dhcp', ack, 2],
        ['gw', renewal, 4],
      ].map(([node, p, packetId]) => {
        const bytes = emitPacket(p as Packet);
        return {
          e: {
            type: 'send',
            atUs: 10,
            node,
            iface: 'eth0',
            packetId,
            length: bytes.length,
            summary: s(p as Packet),
            bytes: '',
          } as TraceEvent,
          packet: p as Packet,
        };
      }),
      { e: { type: 'duplicate', atUs: 10, node: 'dhcp', ...link, packetId: 3, originalId: 2, summary: s(ack) } },
      { e: { type: 'drop', atUs: 11, reason: 'loss', packetId: 2, node: 'dhcp', ...link, summary: s(ack) } },
      ...[
        [3, ack],
        [4, renewal],
      ].map(([packetId, p]) => ({
        e: {
          type: 'deliver',
          atUs: 12,
          node: 'c1',
          ...link,
          packetId,
          sentAtUs: 10,
          summary: s(p as Packet),
        } as TraceEvent,
      })),
    ] as { e: TraceEvent; packet?: Packet }[];
  }

  function metrics(withSummaries: boolean): { m: ScenarioMetrics; asked: number } {
    const c = new MetricsCollector(roles, { packetHorizonUs: 1_000_000 });
    let asked = 0;
    for (const { e, packet } of events(withSummaries)) {
      if (packet === undefined) {
        c.add(e);
        continue;
      }
      const source: SentSummarySource = {
        sentSummary: () => {
          asked++;
          return summarizePacket(packet);
        },
      };
      c.add(e, emitPacket(packet), withSummaries ? undefined : source);
    }
    return { m: c.finish(20), asked };
  }

  it('counts the renewal and the ACK delivered as a copy as from summaries, asking only for what is not IKE', () => {
    const withSummaries = metrics(true);
    const without = metrics(false);
    // The renewal (no `lease.renewed` note: counted from the packet) and the address from the DHCP server.
    expect(withSummaries.m.renewals.done).toBe(1);
    expect(withSummaries.m.addressesFromDhcp).toBe(1);
    expect(withSummaries.m.legs.clientGateway.roundTrips).toBe(1);
    expect(without.m).toEqual(withSummaries.m);
    // Summaries made: the DHCP ACK and the CREATE_CHILD_SA response; the IKE_AUTH request is read from its bytes.
    expect(without.asked).toBe(2);
    expect(withSummaries.asked).toBe(0);
  });
});

describe('a streaming run without a digest', () => {
  it('records packet events without summaries and gives the metrics of the run with them', () => {
    const seen: TraceEvent[] = [];
    const withDigest = runScenario('rekey-renewal', { method: 'dhcp-over-ike', keepTrace: false });
    const without = runScenario('rekey-renewal', { method: 'dhcp-over-ike', keepTrace: false, digest: false });
    expect(without.metrics).toEqual(withDigest.metrics);
    expect(without.metrics.renewals.done).toBeGreaterThan(0);
    // Kept events still carry their summaries.
    const kept = runScenario('rekey-renewal', { method: 'dhcp-over-ike', digest: false });
    for (const e of kept.trace) if (e.type === 'send' || e.type === 'deliver') seen.push(e);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((e) => 'summary' in e && e.summary !== '')).toBe(true);
  });
});
