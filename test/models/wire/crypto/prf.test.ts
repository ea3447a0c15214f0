import { createHmac } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../models/wire/bytes.ts';
import { concatBytes, prfHmacSha256, prfPlus } from '../../../../models/wire/crypto/prf.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** prf+ computed independently with node:crypto (RFC 7296 §2.13). */
function nodePrfPlus(key: Uint8Array, seed: Uint8Array, bytes: number): string {
  let out: Buffer = Buffer.alloc(0);
  let t: Buffer = Buffer.alloc(0);
  for (let n = 1; out.length < bytes; n++) {
    t = createHmac('sha256', key)
      .update(Buffer.concat([t, seed, Buffer.of(n)]))
      .digest();
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, bytes).toString('hex');
}

describe('prfHmacSha256', () => {
  it('matches RFC 4231 test case 2 (key "Jefe")', () => {
    expect(toHex(prfHmacSha256(ascii('Jefe'), ascii('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches RFC 4231 test case 6 (a 131-byte key, hashed first)', () => {
    const key = new Uint8Array(131).fill(0xaa);
    const data = ascii('Test Using Larger Than Block-Size Key - Hash Key First');
    expect(toHex(prfHmacSha256(key, data))).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  test.prop([fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 300 })])(
    'equals node:crypto HMAC-SHA-256',
    (key, data) => {
      expect(toHex(prfHmacSha256(key, data))).toBe(createHmac('sha256', key).update(data).digest('hex'));
    },
  );
});

describe('prfPlus', () => {
  it('T1 is prf(K, S | 0x01) and T2 is prf(K, T1 | S | 0x02)', () => {
    const key = fromHex('000102030405060708090a0b0c0d0e0f');
    const seed = ascii('seed');
    const t1 = createHmac('sha256', key).update(seed).update(Buffer.of(1)).digest();
    const t2 = createHmac('sha256', key).update(t1).update(seed).update(Buffer.of(2)).digest();
    expect(toHex(prfPlus(key, seed, 64))).toBe(t1.toString('hex') + t2.toString('hex'));
    expect(toHex(prfPlus(key, seed, 40))).toBe((t1.toString('hex') + t2.toString('hex')).slice(0, 80));
    expect(prfPlus(key, seed, 0)).toEqual(new Uint8Array(0));
  });

  test.prop([fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 400 })])(
    'equals an independent node:crypto prf+',
    (key, seed, bytes) => {
      expect(toHex(prfPlus(key, seed, bytes))).toBe(nodePrfPlus(key, seed, bytes));
    },
  );

  it('gives the full 255 blocks and refuses one byte more (RFC 7296 §2.13)', () => {
    expect(prfPlus(Uint8Array.of(1), Uint8Array.of(2), 255 * 32)).toHaveLength(8160);
    expect(toHex(prfPlus(Uint8Array.of(1), Uint8Array.of(2), 8160).subarray(8128))).toBe(
      nodePrfPlus(Uint8Array.of(1), Uint8Array.of(2), 8160).slice(8128 * 2),
    );
    expect(() => prfPlus(Uint8Array.of(1), Uint8Array.of(2), 8161)).toThrow(/at most 8160/);
    expect(() => prfPlus(Uint8Array.of(1), Uint8Array.of(2), -1)).toThrow(/prf\+/);
  });
});

describe('concatBytes', () => {
  it('joins in order', () => {
    expect(concatBytes(Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });
});
