import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../models/wire/bytes.ts';
import { CIPHER_SUITES, type CipherSuiteName } from '../../../../models/wire/crypto-suite.ts';
import {
  deriveChildKeymat,
  deriveIkeSaSecrets,
  rekeySkeyseed,
  skeyseed,
  type DirectionKeys,
} from '../../../../models/wire/crypto/ike-keys.ts';

/** Deterministic test bytes: `n` bytes counting from `start`. */
const bytes = (n: number, start: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

const nonceI = bytes(32, 0x10);
const nonceR = bytes(24, 0x80);
const shared = bytes(256, 0x33);
const spiI = bytes(8, 0xa0);
const spiR = bytes(8, 0xb0);

const hmac = (key: Uint8Array, ...data: Uint8Array[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const d of data) h.update(d);
  return h.digest();
};

/** RFC 7296 §2.13 prf+ with node:crypto, written apart from the module under test. */
function nodePrfPlus(key: Uint8Array, seed: Uint8Array, n: number): Buffer {
  const blocks: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1; blocks.length * 32 < n; i++) {
    t = hmac(key, t, seed, Uint8Array.of(i));
    blocks.push(t);
  }
  return Buffer.concat(blocks).subarray(0, n);
}

const SUITES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];
const flat = (k: DirectionKeys): string => toHex(k.encrKey) + '|' + toHex(k.salt) + '|' + toHex(k.integKey);

describe('SKEYSEED', () => {
  it('is prf(Ni | Nr, g^ir) (RFC 7296 §2.14)', () => {
    expect(toHex(skeyseed(nonceI, nonceR, shared))).toBe(hmac(Buffer.concat([nonceI, nonceR]), shared).toString('hex'));
  });

  it('after a rekey is prf(SK_d (old), g^ir (new) | Ni | Nr) (RFC 7296 §2.18)', () => {
    const skD = bytes(32, 0x55);
    expect(toHex(rekeySkeyseed(skD, shared, nonceI, nonceR))).toBe(hmac(skD, shared, nonceI, nonceR).toString('hex'));
  });
});

describe('deriveIkeSaSecrets', () => {
  it.each(SUITES)('%s: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr from an independent prf+', (name) => {
    const suite = CIPHER_SUITES[name];
    const seed = skeyseed(nonceI, nonceR, shared);
    const s = deriveIkeSaSecrets(suite, seed, nonceI, nonceR, spiI, spiR);
    const integ = suite.aead ? 0 : 32;
    const encr = suite.keyLengthBits / 8;
    const salt = suite.aead ? 4 : 0;
    const total = 32 + 2 * integ + 2 * (encr + salt) + 64;
    const km = nodePrfPlus(
      hmac(Buffer.concat([nonceI, nonceR]), shared),
      Buffer.concat([nonceI, nonceR, spiI, spiR]),
      total,
    );
    let at = 0;
    const take = (n: number): string => {
      const out = km.subarray(at, at + n).toString('hex');
      at += n;
      return out;
    };
    const skD = take(32);
    const skAi = take(integ);
    const skAr = take(integ);
    const skEi = [take(encr), take(salt)];
    const skEr = [take(encr), take(salt)];
    const skPi = take(32);
    const skPr = take(32);
    expect(at).toBe(total);
    expect(toHex(s.skD)).toBe(skD);
    expect(flat(s.initiator)).toBe(`${skEi[0]}|${skEi[1]}|${skAi}`);
    expect(flat(s.responder)).toBe(`${skEr[0]}|${skEr[1]}|${skAr}`);
    expect([toHex(s.skPi), toHex(s.skPr)]).toEqual([skPi, skPr]);
    expect([s.initiator.encrKey.length, s.initiator.salt.length, s.initiator.integKey.length]).toEqual([
      encr,
      salt,
      integ,
    ]);
  });

  it('refuses SPIs that are not 8 bytes', () => {
    expect(() =>
      deriveIkeSaSecrets(CIPHER_SUITES.aes128gcm16, bytes(32, 0), nonceI, nonceR, bytes(4, 0), spiR),
    ).toThrow(/8 bytes/);
  });
});

describe('deriveChildKeymat', () => {
  const skD = bytes(32, 0x42);
  const expectedLengths: Record<CipherSuiteName, number[]> = {
    // encr, salt, integ per direction
    'aes128-sha256': [16, 0, 32],
    'aes256-sha256': [32, 0, 32],
    aes128gcm16: [16, 4, 0],
    aes256gcm16: [32, 4, 0],
  };

  it.each(SUITES)('%s: I→R (encryption, its salt, integrity) then R→I, from prf+(SK_d, Ni | Nr)', (name) => {
    const suite = CIPHER_SUITES[name];
    const [encr, salt, integ] = expectedLengths[name] as [number, number, number];
    const per = encr + salt + integ;
    for (const withKe of [false, true]) {
      const k = withKe
        ? deriveChildKeymat(suite, skD, nonceI, nonceR, shared)
        : deriveChildKeymat(suite, skD, nonceI, nonceR);
      const seed = withKe ? Buffer.concat([shared, nonceI, nonceR]) : Buffer.concat([nonceI, nonceR]);
      const km = nodePrfPlus(skD, seed, 2 * per).toString('hex');
      const part = (from: number, n: number): string => km.slice(2 * from, 2 * (from + n));
      expect(flat(k.initiatorToResponder)).toBe(`${part(0, encr)}|${part(encr, salt)}|${part(encr + salt, integ)}`);
      expect(flat(k.responderToInitiator)).toBe(
        `${part(per, encr)}|${part(per + encr, salt)}|${part(per + encr + salt, integ)}`,
      );
      expect([
        k.responderToInitiator.encrKey.length,
        k.responderToInitiator.salt.length,
        k.responderToInitiator.integKey.length,
      ]).toEqual([encr, salt, integ]);
    }
  });

  it('a new DH value changes every key', () => {
    const a = deriveChildKeymat(CIPHER_SUITES['aes128-sha256'], skD, nonceI, nonceR);
    const b = deriveChildKeymat(CIPHER_SUITES['aes128-sha256'], skD, nonceI, nonceR, shared);
    expect(flat(a.initiatorToResponder)).not.toBe(flat(b.initiatorToResponder));
    expect(flat(a.responderToInitiator)).not.toBe(flat(b.responderToInitiator));
  });
});
