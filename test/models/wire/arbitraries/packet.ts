import { fc } from '@fast-check/vitest';
import type { EspLayer, Packet, UdpApp } from '../../../../models/wire/packet.ts';
import { ipv4HeaderFor } from '../../../../models/wire/packet.ts';
import { CIPHER_SUITES } from '../../../../models/wire/crypto-suite.ts';
import { ipv4AddressArb } from './ipv4.ts';
import { dhcpMessageArb } from './dhcp.ts';
import { suiteNameArb } from './esp.ts';

/** Ports that select no application codec in packet.ts. */
const plainPortArb = fc.integer({ min: 1024, max: 0xffff }).filter((p) => p !== 4500);

const headerArb = (protocol: number) =>
  fc
    .record({
      src: ipv4AddressArb,
      dst: ipv4AddressArb,
      identification: fc.nat(0xffff),
      ttl: fc.nat(255),
      tos: fc.nat(255),
    })
    .map(({ src, dst, ...rest }) => ipv4HeaderFor(src, dst, protocol, rest));

export const dhcpPacketArb: fc.Arbitrary<Packet> = fc
  .tuple(
    headerArb(17),
    dhcpMessageArb.filter((m) => m.op === 1 || m.op === 2),
    fc.boolean(),
  )
  .map(([ip, message, toServer]) => ({
    ip,
    payload: {
      kind: 'udp',
      srcPort: toServer ? 68 : 67,
      dstPort: toServer ? 67 : 68,
      checksum: 'auto',
      app: { kind: 'dhcp', message },
    },
  }));

export const rawUdpPacketArb: fc.Arbitrary<Packet> = fc
  .tuple(
    headerArb(17),
    plainPortArb,
    plainPortArb,
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom<'auto' | 'zero'>('auto', 'zero'),
  )
  .map(([ip, srcPort, dstPort, data, checksum]) => ({
    ip,
    payload: { kind: 'udp', srcPort, dstPort, checksum, app: { kind: 'raw', data } satisfies UdpApp },
  }));

/** Modelled ESP tunnels (protocol 50 or UDP 4500) carrying a DHCP or raw-UDP packet. */
export const espPacketArb: fc.Arbitrary<Packet> = fc
  .tuple(
    fc.record({ src: ipv4AddressArb, dst: ipv4AddressArb }),
    fc.integer({ min: 256, max: 0xffffffff }),
    fc.nat({ max: 0xffffffff }),
    suiteNameArb,
    fc.nat(2),
    fc.oneof(dhcpPacketArb, rawUdpPacketArb),
    fc.boolean(),
  )
  .map(([{ src, dst }, spi, sequence, suite, extraBlocks, inner, natT]) => {
    const extra = extraBlocks * Math.max(4, CIPHER_SUITES[suite].blockBytes);
    const esp: EspLayer = {
      kind: 'esp-sealed',
      spi,
      sequence,
      suite,
      nextHeader: 4,
      ...(extra > 0 ? { extraPadBytes: extra } : {}),
      inner: { kind: 'packet', packet: inner },
    };
    return natT
      ? {
          ip: ipv4HeaderFor(src, dst, 17),
          payload: { kind: 'udp', srcPort: 4500, dstPort: 4500, checksum: 'auto', app: esp },
        }
      : { ip: ipv4HeaderFor(src, dst, 50), payload: esp };
  });

export const packetArb: fc.Arbitrary<Packet> = fc.oneof(dhcpPacketArb, rawUdpPacketArb, espPacketArb);
