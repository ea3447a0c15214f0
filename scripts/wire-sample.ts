/**
 * `npm run -s wire:sample -- OUT.pcap`: writes one packet of every kind the codecs emit — the eight DHCP message
 * types relayed with option 82 (sub-options 1, 2, 5, 11), the IKEv2 sample messages (every exchange type and payload
 * kind; on 500, and on 4500 after the non-ESP marker), ESP (protocol 50 and UDP 4500) and a NAT keepalive — so
 * Wireshark can check them: `tshark -r OUT.pcap -Y '_ws.malformed || _ws.expert.severity >= "Warning"'`.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildDhcpMessage } from '../models/wire/dhcp/message.ts';
import { DhcpMessageType, type DhcpMessageTypeName, type DhcpOption } from '../models/wire/dhcp/types.ts';
import { ikeSampleMessages } from '../models/wire/ike/index.ts';
import { emitPacket, espTunnelPacket, udpPacket, type Packet } from '../models/wire/packet.ts';
import { writePcap, type PcapRecord } from '../models/wire/pcap/index.ts';

const RELAY = '192.0.2.1';
const SERVER = '198.51.100.67';
const CLIENT_OUTER = '192.0.2.10';
const MAC = Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x00, 0x01);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const relayInfo: DhcpOption = {
  kind: 'relayAgentInfo',
  subOptions: [
    { kind: 'circuitId', data: text('gw1:ike-sa-0001') },
    { kind: 'remoteId', data: text('alice@example.com') },
    { kind: 'linkSelection', subnet: '10.1.0.0' },
    { kind: 'serverIdOverride', serverId: RELAY },
  ],
};

function typeOptions(type: DhcpMessageTypeName): DhcpOption[] {
  const server: DhcpOption = { kind: 'serverId', address: SERVER };
  const lease: DhcpOption[] = [
    server,
    { kind: 'leaseTime', secs: 3600 },
    { kind: 'renewalTime', secs: 1800 },
    { kind: 'rebindingTime', secs: 3150 },
    { kind: 'subnetMask', mask: '255.255.255.0' },
    { kind: 'routers', addresses: ['10.1.0.1'] },
    { kind: 'dnsServers', addresses: ['10.1.0.53', '10.1.0.54'] },
    { kind: 'domainName', name: 'example.com' },
  ];
  const client: DhcpOption[] = [
    { kind: 'clientId', type: 1, data: MAC },
    { kind: 'hostName', name: 'alice-laptop' },
  ];
  switch (type) {
    case 'DISCOVER':
      return [
        ...client,
        { kind: 'parameterRequestList', codes: [1, 3, 6, 15, 51, 54, 58, 59] },
        { kind: 'maxMessageSize', bytes: 1500 },
      ];
    case 'REQUEST':
      return [
        ...client,
        { kind: 'requestedAddress', address: '10.1.0.7' },
        server,
        { kind: 'parameterRequestList', codes: [1, 3, 6] },
      ];
    case 'DECLINE':
      return [...client, { kind: 'requestedAddress', address: '10.1.0.7' }, server];
    case 'RELEASE':
      return [...client, server];
    case 'INFORM':
      return [...client, { kind: 'parameterRequestList', codes: [6, 15] }];
    case 'OFFER':
    case 'ACK':
      return lease;
    case 'NAK':
      return [server];
  }
}

/** The eight DHCP message types as a relay (giaddr 192.0.2.1) exchanges them with the server on port 67. */
export function dhcpSamplePackets(): Packet[] {
  return (Object.keys(DhcpMessageType) as DhcpMessageTypeName[]).map((type, i) => {
    const reply = type === 'OFFER' || type === 'ACK' || type === 'NAK';
    const fields = {
      giaddr: RELAY,
      hops: 1,
      yiaddr: type === 'OFFER' || type === 'ACK' ? '10.1.0.7' : '0.0.0.0',
      ciaddr: type === 'RELEASE' || type === 'INFORM' ? '10.1.0.7' : '0.0.0.0',
    };
    const message = buildDhcpMessage({
      type,
      xid: 0x1a2b3c00 + i,
      hardwareAddress: MAC,
      fields,
      options: [...typeOptions(type), relayInfo],
    });
    return udpPacket({
      src: reply ? SERVER : RELAY,
      dst: reply ? RELAY : SERVER,
      srcPort: 67,
      dstPort: 67,
      app: { kind: 'dhcp', message },
      ip: { identification: 0x100 + i },
    });
  });
}

export function ikeSamplePackets(): Packet[] {
  return ikeSampleMessages().map((message, i) => {
    const natT = i % 2 === 1;
    const fromInitiator = message.initiator;
    return udpPacket({
      src: fromInitiator ? CLIENT_OUTER : RELAY,
      dst: fromInitiator ? RELAY : CLIENT_OUTER,
      srcPort: natT ? 4500 : 500,
      dstPort: natT ? 4500 : 500,
      app: { kind: 'ike', nonEspMarker: natT, message },
      ip: { identification: 0x200 + i },
    });
  });
}

export function espSamplePackets(): Packet[] {
  const [inner] = dhcpSamplePackets();
  if (inner === undefined) return [];
  const tunnelInner = udpPacket({
    src: '10.1.0.7',
    dst: '10.1.0.1',
    srcPort: 68,
    dstPort: 67,
    app: inner.payload.kind === 'udp' ? inner.payload.app : { kind: 'raw', data: new Uint8Array(0) },
  });
  return [
    espTunnelPacket({
      src: CLIENT_OUTER,
      dst: RELAY,
      spi: 0xc0ffee01,
      sequence: 1,
      suite: 'aes128-sha256',
      inner: tunnelInner,
    }),
    espTunnelPacket({
      src: RELAY,
      dst: CLIENT_OUTER,
      spi: 0xc0ffee02,
      sequence: 1,
      suite: 'aes256gcm16',
      inner: tunnelInner,
      natT: true,
    }),
    udpPacket({ src: CLIENT_OUTER, dst: RELAY, srcPort: 4500, dstPort: 4500, app: { kind: 'natKeepalive' } }),
  ];
}

/** All sample packets, 1 ms apart from t = 1 s. */
export function wireSampleRecords(): PcapRecord[] {
  return [...dhcpSamplePackets(), ...ikeSamplePackets(), ...espSamplePackets()].map((p, i) => ({
    timestampUs: 1_000_000 + i * 1000,
    ipv4Bytes: emitPacket(p),
  }));
}

export function writeWireSample(path: string): number {
  const records = wireSampleRecords();
  writeFileSync(path, writePcap(records));
  return records.length;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const out = process.argv[2];
  if (out === undefined) {
    console.error('usage: npm run -s wire:sample -- OUT.pcap');
    process.exit(2);
  }
  const n = writeWireSample(out);
  console.log(`wrote ${n} packets to ${out}`);
}
