import { fc } from '@fast-check/vitest';
import type { EspPacket, EspSealedView } from '../../../../models/wire/esp.ts';
import { CIPHER_SUITES, minPadBytes, type CipherSuiteName } from '../../../../models/wire/crypto-suite.ts';

export const espPacketArb: fc.Arbitrary<EspPacket> = fc.record({
  spi: fc.integer({ min: 1, max: 0xffffffff }),
  sequence: fc.nat({ max: 0xffffffff }),
  data: fc.uint8Array({ maxLength: 80 }),
});

export const suiteNameArb = fc.constantFrom<CipherSuiteName>(
  'aes128-sha256',
  'aes256-sha256',
  'aes128gcm16',
  'aes256gcm16',
);

export const espSealedViewArb: fc.Arbitrary<EspSealedView> = fc
  .record({
    spi: fc.integer({ min: 1, max: 0xffffffff }),
    sequence: fc.nat({ max: 0xffffffff }),
    suite: suiteNameArb,
    nextHeader: fc.nat(255),
    plaintext: fc.uint8Array({ maxLength: 80 }),
    extraBlocks: fc.nat(3),
  })
  .map(({ extraBlocks, ...v }) => {
    const suite = CIPHER_SUITES[v.suite];
    const align = Math.max(4, suite.blockBytes);
    const padBytes = minPadBytes(suite, v.plaintext.length, 'esp') + extraBlocks * align;
    return { ...v, padding: Uint8Array.from({ length: padBytes }, (_, i) => i + 1) };
  });
