import { fc } from '@fast-check/vitest';
import type { UdpDatagram } from '../../../../models/wire/udp.ts';

/** Datagrams whose checksum mode re-parses as itself ('auto' or 'zero'; a kept number is for captures). */
export const udpDatagramArb: fc.Arbitrary<UdpDatagram> = fc.record({
  srcPort: fc.nat(0xffff),
  dstPort: fc.nat(0xffff),
  checksum: fc.constantFrom<'auto' | 'zero'>('auto', 'zero'),
  payload: fc.uint8Array({ maxLength: 64 }),
});
