import { fc } from '@fast-check/vitest';
import type { Ipv4Header, Ipv4Packet } from '../../../../models/wire/ipv4.ts';

export const ipv4AddressArb = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map(([a, b, c, d]) => `${a}.${b}.${c}.${d}`);

export const ipv4HeaderArb: fc.Arbitrary<Ipv4Header> = fc.record({
  tos: fc.nat(255),
  identification: fc.nat(0xffff),
  flags: fc.nat(7),
  fragmentOffset: fc.nat(0x1fff),
  ttl: fc.nat(255),
  protocol: fc.nat(255),
  src: ipv4AddressArb,
  dst: ipv4AddressArb,
  options: fc.nat(10).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
});

export const ipv4PacketArb: fc.Arbitrary<Ipv4Packet> = fc
  .tuple(ipv4HeaderArb, fc.uint8Array({ maxLength: 64 }))
  .map(([header, payload]) => ({ ...header, payload }));
