/** Property tests: valid messages round-trip; arbitrary and mutated bytes never throw. Seeds print on failure. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  emitIkeMessage,
  ikeSampleMessages,
  modelledIkeCrypto,
  parseIkeMessage,
  type IkeCodecOptions,
} from '../../../../models/wire/ike/index.ts';
import { ikeMessageArb } from '../arbitraries/ike.ts';
import { checkCodecContract, checkNeverThrows } from '../codec-contract.ts';
import { ikeMessageCodec, sampleOptions } from './codecs.ts';

/**
 * Parsing must not throw. Without a crypto context, a parsed value re-emits and re-parses to itself (the bytes may
 * differ only in reserved bits, which parse ignores). With one, a mutated reserved bit in the associated data makes
 * the SK opaque on the first parse and opens on the second (the re-emission cleared it), so only the first applies.
 */
function checkMutated(bytes: Uint8Array, options: IkeCodecOptions): void {
  checkNeverThrows({ name: 'ike', parse: (b, o) => parseIkeMessage(b, o, options) }, bytes);
  const r = parseIkeMessage(bytes, 0, {});
  if (r.ok) {
    const again = parseIkeMessage(emitIkeMessage(r.value), 0, {});
    expect(again.ok && again.value).toEqual(r.value);
  }
}

const seeds = ikeSampleMessages().map((m) => ({
  bytes: emitIkeMessage(m, sampleOptions(m)),
  options: sampleOptions(m),
}));

describe('ike properties', () => {
  test.prop([ikeMessageArb], { numRuns: 300 })('valid messages satisfy the codec contract', (m) => {
    checkCodecContract(ikeMessageCodec(sampleOptions(m)), m);
  });

  test.prop([ikeMessageArb], { numRuns: 100 })('the DHCP payload round-trips under the draft number 16 too', (m) => {
    const hasUnknown16 = JSON.stringify(m.payloads, (_k, v: unknown) => (v instanceof Uint8Array ? [] : v)).includes(
      '"payloadType":16',
    );
    fc.pre(!hasUnknown16);
    checkCodecContract(ikeMessageCodec({ ...sampleOptions(m), dhcpPayloadType: 16 }), m);
  });

  test.prop([fc.uint8Array({ maxLength: 200 }), fc.nat(8)], { numRuns: 500 })(
    'arbitrary bytes never throw',
    (bytes, offset) => {
      const crypto = modelledIkeCrypto('aes128-sha256');
      for (const options of [{}, { crypto }, { dhcpPayloadType: 16 }]) {
        checkNeverThrows(
          { name: 'ike', parse: (b, o) => parseIkeMessage(b, o, options) },
          bytes,
          Math.min(offset, bytes.length),
        );
      }
    },
  );

  test.prop([fc.uint8Array({ minLength: 28, maxLength: 200 })], { numRuns: 300 })(
    'arbitrary bytes behind a plausible header never throw',
    (bytes) => {
      const b = bytes.slice();
      b[16] = 33 + ((b[16] ?? 0) % 16); // a modelled first payload type
      b[17] = 0x20;
      b[24] = 0;
      b[25] = 0;
      b[26] = 0;
      b[27] = b.length;
      checkMutated(b, {});
    },
  );

  test.prop([fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 1, maxLength: 4 })], {
    numRuns: 400,
  })('valid messages with flipped bits never throw', (which, flips) => {
    const seed = seeds[which];
    if (seed === undefined) throw new Error('no seed');
    const b = seed.bytes.slice();
    for (const [at, bit] of flips) b[at % b.length] = (b[at % b.length] ?? 0) ^ (1 << bit);
    checkMutated(b, seed.options);
  });

  test.prop([fc.nat(seeds.length - 1), fc.nat(), fc.nat(255)], { numRuns: 300 })(
    'truncated or byte-overwritten valid messages never throw',
    (which, at, value) => {
      const seed = seeds[which];
      if (seed === undefined) throw new Error('no seed');
      const cut = at % seed.bytes.length;
      checkMutated(seed.bytes.subarray(0, cut), seed.options);
      const b = seed.bytes.slice();
      b[cut] = value;
      checkMutated(b, seed.options);
    },
  );
});
