/** Real captures (test/fixtures/captures, copied from the shared folder): every packet parses, every layer we can emit re-emits byte-identical. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture, type CapturedPacket } from '../../../models/wire/pcap/index.ts';
import { emitIpv4, parseIpv4 } from '../../../models/wire/ipv4.ts';
import { emitUdp, parseUdp } from '../../../models/wire/udp.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../../models/wire/dhcp/codec.ts';
import { dhcpMessageTypeOf, getDhcpOption, hardwareAddress } from '../../../models/wire/dhcp/message.ts';
import { emitEsp, parseEsp } from '../../../models/wire/esp.ts';
import { emitPacket, parsePacket, summarizePacket } from '../../../models/wire/packet.ts';
import { toHex } from '../../../models/wire/bytes.ts';
import type { DhcpMessage } from '../../../models/wire/dhcp/types.ts';
import { CAPTURES_DIR } from '../../support/captures.ts';

function capture(name: string): readonly CapturedPacket[] {
  const r = readCapture(readFileSync(`${CAPTURES_DIR}${name}`));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.packets;
}

const text = (s: string) => Array.from(new TextEncoder().encode(s));

describe('kea-relay.pcap', () => {
  const packets = capture('kea-relay.pcap');
  const messages: DhcpMessage[] = [];

  it('every packet parses as IPv4/UDP/DHCP and re-emits byte-identical at each layer', () => {
    expect(packets.length).toBe(9);
    for (const p of packets) {
      const ip = parseIpv4(p.ipv4Bytes, 0);
      if (!ip.ok) throw new Error(`packet ${p.index}: ${JSON.stringify(ip.error)}`);
      expect(ip.value.protocol).toBe(17);
      const udp = parseUdp(ip.value.payload, 0, ip.value);
      if (!udp.ok) throw new Error(`packet ${p.index}: ${JSON.stringify(udp.error)}`);
      expect([udp.value.srcPort, udp.value.dstPort]).toEqual([67, 67]);
      const dhcp = parseDhcpMessage(udp.value.payload, 0);
      if (!dhcp.ok) throw new Error(`packet ${p.index}: ${JSON.stringify(dhcp.error)}`);
      messages.push(dhcp.value);
      expect(toHex(emitDhcpMessage(dhcp.value))).toBe(toHex(udp.value.payload));
      expect(toHex(emitUdp(udp.value, ip.value))).toBe(toHex(ip.value.payload));
      expect(toHex(emitIpv4(ip.value))).toBe(toHex(p.ipv4Bytes));
      // The layered packet too.
      const layered = parsePacket(p.ipv4Bytes);
      if (!layered.ok) throw new Error(`packet ${p.index}: ${JSON.stringify(layered.error)}`);
      expect(toHex(emitPacket(layered.value))).toBe(toHex(p.ipv4Bytes));
    }
  });

  it('decodes the exact values', () => {
    expect(messages.map((m) => m.xid)).toEqual([...new Array(5).fill(0x47e0bc5c), ...new Array(4).fill(0x2c057ca0)]);
    expect(messages.map(dhcpMessageTypeOf)).toEqual([1, 2, 3, 5, 7, 1, 2, 3, 5]);
    expect(messages.map((m) => m.giaddr)).toEqual([
      ...new Array(5).fill('127.0.0.2'),
      ...new Array(4).fill('127.0.0.3'),
    ]);
    expect(messages.map((m) => m.op)).toEqual([1, 2, 1, 2, 1, 1, 2, 1, 2]);
    // As tshark shows them (dhcp.ip.your, dhcp.ip.client).
    expect(messages.map((m) => m.yiaddr)).toEqual([
      '0.0.0.0',
      '10.10.0.100',
      '0.0.0.0',
      '10.10.0.100',
      '0.0.0.0',
      '0.0.0.0',
      '10.20.0.100',
      '0.0.0.0',
      '10.20.0.100',
    ]);
    expect(messages[4]?.ciaddr).toBe('10.10.0.100');
    expect(getDhcpOption(messages[7] as DhcpMessage, 'requestedAddress')?.address).toBe('10.20.0.100');
    const offer = messages[1];
    if (offer === undefined) throw new Error('no offer');
    expect(toHex(hardwareAddress(offer))).toBe('525400aabb01');
    expect(getDhcpOption(offer, 'relayAgentInfo')?.subOptions).toEqual([
      { kind: 'circuitId', data: Uint8Array.from(text('sgw1:ike-sa-0001')) },
      { kind: 'remoteId', data: Uint8Array.from(text('alice@example.com')) },
    ]);
  });

  it('summarizes each packet', () => {
    expect(
      packets.map((p) => {
        const r = parsePacket(p.ipv4Bytes);
        return r.ok ? summarizePacket(r.value) : 'error';
      }),
    ).toEqual(KEA_SUMMARIES);
  });
});

const KEA_82 = '[82: circuit-id=sgw1:ike-sa-0001, remote-id=alice@example.com]';
const KEA_SUMMARIES: string[] = [
  `DHCPDISCOVER xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
  `DHCPOFFER 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
  `DHCPREQUEST 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
  `DHCPACK 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
  `DHCPRELEASE 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
  `DHCPDISCOVER xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
  `DHCPOFFER 10.20.0.100 xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
  `DHCPREQUEST 10.20.0.100 xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
  `DHCPACK 10.20.0.100 xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
];

describe('strongswan-cp-pool.pcap', () => {
  const packets = capture('strongswan-cp-pool.pcap');

  it('every IPv4/UDP/ESP layer parses and re-emits byte-identical', () => {
    expect(packets.length).toBe(10);
    const ports: number[][] = [];
    for (const p of packets) {
      const ip = parseIpv4(p.ipv4Bytes, 0);
      if (!ip.ok) throw new Error(`packet ${p.index}: ${JSON.stringify(ip.error)}`);
      expect(toHex(emitIpv4(ip.value))).toBe(toHex(p.ipv4Bytes));
      const udp = parseUdp(ip.value.payload, 0, ip.value);
      if (!udp.ok) throw new Error(`packet ${p.index}: ${JSON.stringify(udp.error)}`);
      expect(toHex(emitUdp(udp.value, ip.value))).toBe(toHex(ip.value.payload));
      ports.push([udp.value.srcPort, udp.value.dstPort]);
    }
    expect(ports).toEqual([[500, 500], [500, 500], ...new Array(8).fill([4500, 4500])]);
    const espSpis: number[] = [];
    for (const p of packets.slice(4, 6)) {
      const ip = parseIpv4(p.ipv4Bytes, 0);
      const udp = ip.ok ? parseUdp(ip.value.payload, 0, ip.value) : null;
      const esp = udp?.ok ? parseEsp(udp.value.payload, 0) : null;
      if (!esp?.ok || !udp?.ok) throw new Error(`packet ${p.index}: no ESP`);
      espSpis.push(esp.value.spi);
      expect(esp.value.sequence).toBe(1);
      expect(toHex(emitEsp(esp.value))).toBe(toHex(udp.value.payload));
    }
    expect(espSpis).toEqual([0xd1f40851, 0xf7331436]);
  });

  it('the layered packet parses (IKE via the IKE codec) and re-emits byte-identical', () => {
    for (const p of packets) {
      const layered = parsePacket(p.ipv4Bytes);
      if (!layered.ok) throw new Error(`packet ${p.index}: ${JSON.stringify(layered.error)}`);
      expect(toHex(emitPacket(layered.value))).toBe(toHex(p.ipv4Bytes));
    }
  });
});
