import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  createPacketCodec,
  emitPacket,
  emitPacketInto,
  espTunnelPacket,
  packetCodec,
  packetLength,
  parsePacket,
  summarizePacket,
  udpPacket,
  type Packet,
} from '../../../models/wire/packet.ts';
import { buildDhcpMessage } from '../../../models/wire/dhcp/message.ts';
import { ikeSampleMessages } from '../../../models/wire/ike/index.ts';
import { toHex } from '../../../models/wire/bytes.ts';
import { WireEmitError } from '../../../models/wire/result.ts';
import { checkCodecContract, checkNeverThrows, type CodecUnderTest } from './codec-contract.ts';
import { packetArb } from './arbitraries/packet.ts';

export const layeredCodec: CodecUnderTest<Packet> = {
  name: 'packet',
  // The packet fills its input: parse the bytes from `offset` on.
  parse: (bytes, offset) => parsePacket(bytes.subarray(offset)),
  emit: (p) => emitPacket(p),
  emitInto: (p, buffer, offset) => emitPacketInto(p, buffer, offset),
  length: (p) => packetLength(p),
};

const mac = Uint8Array.of(0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01);
const text = (s: string) => new TextEncoder().encode(s);
const request = buildDhcpMessage({
  type: 'REQUEST',
  xid: 0x1a2b3c4d,
  hardwareAddress: mac,
  fields: { giaddr: '192.0.2.1', hops: 1 },
  options: [
    { kind: 'requestedAddress', address: '10.1.0.7' },
    { kind: 'relayAgentInfo', subOptions: [{ kind: 'remoteId', data: text('alice@example.com') }] },
  ],
});
const dhcpPacket = udpPacket({
  src: '192.0.2.1',
  dst: '192.0.2.254',
  srcPort: 67,
  dstPort: 67,
  app: { kind: 'dhcp', message: request },
});

describe('packet', () => {
  it('layers IPv4/UDP/DHCP with exact header bytes', () => {
    const bytes = emitPacket(dhcpPacket);
    expect(bytes.length).toBe(20 + 8 + 240 + 3 + 6 + 21 + 1);
    expect(toHex(bytes.subarray(0, 4))).toBe('45000' + bytes.length.toString(16));
    expect(toHex(bytes.subarray(20, 24))).toBe('00430043');
    expect(parsePacket(bytes)).toEqual({ ok: true, value: dhcpPacket, bytesRead: bytes.length });
    expect(summarizePacket(dhcpPacket)).toBe(
      'DHCPREQUEST 10.1.0.7 xid=0x1a2b3c4d giaddr=192.0.2.1 [82: remote-id=alice@example.com]',
    );
  });

  it('tunnels a DHCP packet in modelled ESP, readable again on parse', () => {
    const inner = udpPacket({
      src: '10.1.0.7',
      dst: '10.1.0.1',
      srcPort: 68,
      dstPort: 67,
      app: { kind: 'dhcp', message: request },
    });
    const esp = espTunnelPacket({
      src: '192.0.2.10',
      dst: '192.0.2.1',
      spi: 0xc0ffee01,
      sequence: 3,
      suite: 'aes128-sha256',
      inner,
    });
    const bytes = emitPacket(esp);
    const innerBytes = emitPacket(inner).length;
    const pad = (16 - ((innerBytes + 2) % 16)) % 16;
    expect(bytes.length).toBe(20 + 8 + 16 + innerBytes + pad + 2 + 16);
    expect(bytes[9]).toBe(50);
    expect(parsePacket(bytes)).toEqual({ ok: true, value: esp, bytesRead: bytes.length });
    expect(summarizePacket(esp)).toBe(
      'ESP spi=0xc0ffee01 seq=3 (DHCPREQUEST 10.1.0.7 xid=0x1a2b3c4d giaddr=192.0.2.1 [82: remote-id=alice@example.com])',
    );
    const natT = espTunnelPacket({
      src: '192.0.2.10',
      dst: '192.0.2.1',
      spi: 0xc0ffee01,
      sequence: 4,
      suite: 'aes256gcm16',
      inner,
      natT: true,
    });
    checkCodecContract(layeredCodec, natT);
    // A flipped byte in the sealed body fails the modelled ICV: the ESP stays opaque, not an error.
    const tampered = emitPacket(natT);
    const at = 20 + 8 + 8 + 8 + 5;
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    const back = parsePacket(tampered);
    // (the UDP checksum no longer verifies: it is kept as a number)
    expect(back.ok && back.value.payload.kind === 'udp' && back.value.payload.app.kind).toBe('esp');
  });

  it('carries IKE on 500 and after the non-ESP marker on 4500 (RFC 3948 §2.2)', () => {
    const samples = ikeSampleMessages();
    expect(samples.length).toBeGreaterThan(3);
    for (const [i, message] of samples.entries()) {
      const natT = i % 2 === 1;
      const p = udpPacket({
        src: '192.0.2.10',
        dst: '192.0.2.1',
        srcPort: natT ? 4500 : 500,
        dstPort: natT ? 4500 : 500,
        app: { kind: 'ike', nonEspMarker: natT, message },
      });
      checkCodecContract(layeredCodec, p);
      if (natT) expect(toHex(emitPacket(p).subarray(28, 32))).toBe('00000000');
    }
  });

  it('NAT keepalive and raw payloads', () => {
    const keepalive = udpPacket({
      src: '192.0.2.10',
      dst: '192.0.2.1',
      srcPort: 4500,
      dstPort: 4500,
      app: { kind: 'natKeepalive' },
    });
    expect(toHex(emitPacket(keepalive).subarray(28))).toBe('ff');
    checkCodecContract(layeredCodec, keepalive);
    expect(summarizePacket(keepalive)).toBe('NAT-keepalive');
    const icmp: Packet = {
      ip: { ...dhcpPacket.ip, protocol: 1 },
      payload: { kind: 'raw', data: Uint8Array.of(8, 0, 0, 0) },
    };
    checkCodecContract(layeredCodec, icmp);
    expect(summarizePacket(icmp)).toBe('IPv4 proto 1 (4 bytes)');
  });

  it('errors name the layer, field and absolute offset', () => {
    const bytes = emitPacket(dhcpPacket);
    const bad = bytes.slice();
    bad[28 + 236] = 0; // magic cookie
    expect(parsePacket(bad)).toMatchObject({ ok: false, error: { field: 'dhcp.magicCookie', offset: 28 + 236 } });
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(parsePacket(longer)).toMatchObject({ ok: false, error: { field: 'ipv4.totalLength', offset: 2 } });
    expect(() => emitPacket({ ...dhcpPacket, ip: { ...dhcpPacket.ip, protocol: 6 } })).toThrow(WireEmitError);
  });

  it('is the nodes PacketCodec', () => {
    const bytes = packetCodec.encode(dhcpPacket);
    const back = packetCodec.decode(bytes);
    expect(back.ok && packetCodec.summarize(back.value)).toBe(summarizePacket(dhcpPacket));
    const onlyGcm = createPacketCodec({ suites: ['aes128gcm16'] });
    const inner = udpPacket({
      src: '10.0.0.1',
      dst: '10.0.0.2',
      srcPort: 9,
      dstPort: 9,
      app: { kind: 'raw', data: Uint8Array.of(1) },
    });
    const cbcEsp = espTunnelPacket({
      src: '1.1.1.1',
      dst: '2.2.2.2',
      spi: 0x1000,
      sequence: 1,
      suite: 'aes128-sha256',
      inner,
    });
    const opaque = onlyGcm.decode(onlyGcm.encode(cbcEsp));
    expect(opaque.ok && opaque.value.payload.kind).toBe('esp');
  });

  test.prop([packetArb], { numRuns: 60 })('round-trips valid packets', (p) => checkCodecContract(layeredCodec, p));
  test.prop([fc.uint8Array({ maxLength: 120 })])('never throws on arbitrary bytes', (b) =>
    checkNeverThrows(layeredCodec, b),
  );
  test.prop([packetArb, fc.nat(), fc.nat(255)], { numRuns: 100 })('never throws on mutated packets', (p, at, v) => {
    const bytes = emitPacket(p);
    bytes[at % bytes.length] = v;
    checkNeverThrows(layeredCodec, bytes);
  });
});
