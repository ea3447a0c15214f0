import { createCipheriv, createHmac } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../models/wire/bytes.ts';
import {
  CIPHER_SUITES,
  modelledCrypto,
  type CipherSuiteName,
  type CryptoContext,
  type PaddingRule,
  type Sealed,
} from '../../../../models/wire/crypto-suite.ts';
import type { DirectionKeys } from '../../../../models/wire/crypto/ike-keys.ts';
import { deriveIv, realCrypto } from '../../../../models/wire/crypto/real-crypto.ts';
import { WireEmitError } from '../../../../models/wire/result.ts';

const bytes = (n: number, start: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (start + 7 * i) & 0xff);
const SUITES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];
const RULES: PaddingRule[] = ['ike', 'esp'];

function keysFor(name: CipherSuiteName, start = 1): DirectionKeys {
  const s = CIPHER_SUITES[name];
  return {
    encrKey: bytes(s.keyLengthBits / 8, start),
    salt: s.aead ? bytes(4, start + 100) : new Uint8Array(0),
    integKey: s.aead ? new Uint8Array(0) : bytes(32, start + 50),
  };
}

/** IKE: header (28) + SK generic header (4); ESP: SPI ‖ sequence. */
const aadFor = (rule: PaddingRule): Uint8Array => (rule === 'ike' ? bytes(32, 0xc0) : bytes(8, 0xd0));

function ctxFor(name: CipherSuiteName, rule: PaddingRule, keys = keysFor(name)): CryptoContext {
  const suite = CIPHER_SUITES[name];
  return { suite, associatedData: aadFor(rule), keys, iv: bytes(suite.ivBytes, 0x20) };
}

const plaintext = bytes(200, 3);

describe('realCrypto seal → open', () => {
  for (const name of SUITES) {
    for (const rule of RULES) {
      it(`${name} ${rule}: round trip with the modelled layout and sizes`, () => {
        const ctx = ctxFor(name, rule);
        const input = { plaintext, nextHeader: 4 };
        const sealed = realCrypto.seal(input, rule, ctx);
        const model = modelledCrypto.seal(input, rule, ctx);
        expect([sealed.iv.length, sealed.body.length, sealed.icv.length]).toEqual([
          model.iv.length,
          model.body.length,
          model.icv.length,
        ]);
        expect(toHex(sealed.iv)).toBe(toHex(ctx.iv ?? new Uint8Array()));
        expect(toHex(sealed.body.subarray(0, 16))).not.toBe(toHex(plaintext.subarray(0, 16)));
        const opened = realCrypto.open(sealed, rule, ctx);
        if (!opened.ok) throw new Error(JSON.stringify(opened.error));
        expect(toHex(opened.value.plaintext)).toBe(toHex(plaintext));
        expect(opened.value.nextHeader).toBe(rule === 'esp' ? 4 : null);
        const modelOpened = modelledCrypto.open(model, rule, ctx);
        expect(modelOpened.ok && toHex(modelOpened.value.padding)).toBe(toHex(opened.value.padding));
      });
    }
  }

  test.prop([
    fc.constantFrom(...SUITES),
    fc.constantFrom(...RULES),
    fc.uint8Array({ maxLength: 300 }),
    fc.integer({ min: 0, max: 255 }),
  ])('round-trips any plaintext', (name, rule, pt, nextHeader) => {
    const ctx = ctxFor(name, rule);
    const opened = realCrypto.open(realCrypto.seal({ plaintext: pt, nextHeader }, rule, ctx), rule, ctx);
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    expect(toHex(opened.value.plaintext)).toBe(toHex(pt));
    expect(opened.value.nextHeader).toBe(rule === 'esp' ? nextHeader : null);
  });

  it('keeps given IKE padding (any value, RFC 7296 §3.14)', () => {
    const ctx = ctxFor('aes128-sha256', 'ike');
    const padding = Uint8Array.of(9, 9, 9, 9, 9, 9, 9);
    const sealed = realCrypto.seal({ plaintext: bytes(24, 1), padding }, 'ike', ctx);
    const opened = realCrypto.open(sealed, 'ike', ctx);
    expect(opened.ok && toHex(opened.value.padding)).toBe(toHex(padding));
  });
});

describe('realCrypto against node:crypto', () => {
  for (const name of SUITES.filter((n) => CIPHER_SUITES[n].aead)) {
    for (const rule of RULES) {
      it(`${name} ${rule}: AES-GCM, nonce = salt ‖ IV, AAD, 16-byte tag (RFC 4106 §4–5, RFC 5282 §5.1)`, () => {
        const ctx = ctxFor(name, rule);
        const keys = ctx.keys as DirectionKeys;
        const sealed = realCrypto.seal({ plaintext, nextHeader: 4 }, rule, ctx);
        const plain = modelledCrypto.seal({ plaintext, nextHeader: 4 }, rule, ctx).body; // the modelled body is the padded plaintext
        const cipher = createCipheriv(
          `aes-${CIPHER_SUITES[name].keyLengthBits}-gcm`,
          keys.encrKey,
          Buffer.concat([keys.salt, ctx.iv as Uint8Array]),
        );
        cipher.setAAD(ctx.associatedData);
        const body = Buffer.concat([cipher.update(plain), cipher.final()]);
        expect(toHex(sealed.body)).toBe(body.toString('hex'));
        expect(toHex(sealed.icv)).toBe(cipher.getAuthTag().toString('hex'));
      });
    }
  }

  for (const name of SUITES.filter((n) => !CIPHER_SUITES[n].aead)) {
    for (const rule of RULES) {
      it(`${name} ${rule}: AES-CBC without PKCS#7, ICV = HMAC-SHA-256(AAD ‖ IV ‖ body)[0..16) (RFC 4868)`, () => {
        const ctx = ctxFor(name, rule);
        const keys = ctx.keys as DirectionKeys;
        const sealed = realCrypto.seal({ plaintext, nextHeader: 4 }, rule, ctx);
        const plain = modelledCrypto.seal({ plaintext, nextHeader: 4 }, rule, ctx).body;
        const cipher = createCipheriv(
          `aes-${CIPHER_SUITES[name].keyLengthBits}-cbc`,
          keys.encrKey,
          ctx.iv as Uint8Array,
        ).setAutoPadding(false);
        const body = Buffer.concat([cipher.update(plain), cipher.final()]);
        expect(toHex(sealed.body)).toBe(body.toString('hex'));
        const icv = createHmac('sha256', keys.integKey)
          .update(ctx.associatedData)
          .update(ctx.iv as Uint8Array)
          .update(body)
          .digest()
          .subarray(0, 16);
        expect(toHex(sealed.icv)).toBe(icv.toString('hex'));
      });
    }
  }
});

describe('realCrypto refuses what it must', () => {
  const flip = (b: Uint8Array, at: number): Uint8Array => {
    const c = b.slice();
    c[at] = (c[at] ?? 0) ^ 0x01;
    return c;
  };
  const integrityFailed = { ok: false, error: { field: '', offset: 0, reason: 'integrity check failed' } };

  for (const name of SUITES) {
    for (const rule of RULES) {
      it(`${name} ${rule}: a flipped bit in IV, body, ICV or AAD, or a wrong key, fails the integrity check`, () => {
        const ctx = ctxFor(name, rule);
        const sealed = realCrypto.seal({ plaintext, nextHeader: 4 }, rule, ctx);
        const field = rule === 'esp' ? 'esp.body.icv' : 'sk.body.icv';
        const expected = { ...integrityFailed, error: { ...integrityFailed.error, field } };
        const cases: [Sealed, CryptoContext][] = [
          [{ ...sealed, iv: flip(sealed.iv, 3) }, ctx],
          [{ ...sealed, body: flip(sealed.body, 100) }, ctx],
          [{ ...sealed, body: flip(sealed.body, sealed.body.length - 1) }, ctx],
          [{ ...sealed, icv: flip(sealed.icv, 15) }, ctx],
          [sealed, { ...ctx, associatedData: flip(ctx.associatedData, 7) }],
          [sealed, { ...ctx, keys: keysFor(name, 2) }],
        ];
        for (const [s, c] of cases) expect(realCrypto.open(s, rule, c)).toEqual(expected);
        // A wrong integrity key alone (CBC) or a wrong salt alone (GCM) is enough.
        const keys = ctx.keys as DirectionKeys;
        const half = CIPHER_SUITES[name].aead
          ? { ...keys, salt: flip(keys.salt, 0) }
          : { ...keys, integKey: flip(keys.integKey, 31) };
        expect(realCrypto.open(sealed, rule, { ...ctx, keys: half })).toEqual(expected);
      });
    }
  }

  it('open: no keys → keys error; keys of the wrong size → keys error; wrong IV/ICV size as the model', () => {
    const ctx = ctxFor('aes128gcm16', 'esp');
    const sealed = realCrypto.seal({ plaintext, nextHeader: 4 }, 'esp', ctx);
    const { keys: _keys, ...noKeys } = ctx;
    expect(realCrypto.open(sealed, 'esp', noKeys)).toEqual({
      ok: false,
      error: { field: 'esp.body.keys', offset: 0, reason: 'no keys for this SA' },
    });
    expect(realCrypto.open(sealed, 'ike', noKeys)).toMatchObject({ ok: false, error: { field: 'sk.body.keys' } });
    const wrong = realCrypto.open(sealed, 'esp', { ...ctx, keys: keysFor('aes256gcm16') });
    expect(wrong).toMatchObject({ ok: false, error: { field: 'esp.body.keys' } });
    expect(realCrypto.open({ ...sealed, iv: sealed.iv.subarray(1) }, 'esp', ctx)).toEqual(
      modelledCrypto.open({ ...sealed, iv: sealed.iv.subarray(1) }, 'esp', ctx),
    );
    expect(realCrypto.open({ ...sealed, icv: sealed.icv.subarray(1) }, 'esp', ctx)).toMatchObject({
      ok: false,
      error: { field: 'esp.body.icv' },
    });
  });

  it('open: a CBC body that is not whole blocks (but carries a valid ICV) is a body error, not a throw', () => {
    const ctx = ctxFor('aes128-sha256', 'ike');
    const keys = ctx.keys as DirectionKeys;
    const iv = ctx.iv as Uint8Array;
    const body = bytes(20, 1);
    const icv = new Uint8Array(
      createHmac('sha256', keys.integKey).update(ctx.associatedData).update(iv).update(body).digest().subarray(0, 16),
    );
    expect(realCrypto.open({ iv, body, icv }, 'ike', ctx)).toMatchObject({ ok: false, error: { field: 'sk.body' } });
  });

  it('open: a bad pad length or ESP padding after decryption is the model’s error, at its offset in the body', () => {
    const ctx = ctxFor('aes128gcm16', 'esp');
    // Sealed under the IKE rule, read under the ESP rule: body 1..7 9 9 2 2 | pad length 0. As ESP the last byte is
    // the next header (0), the pad length is 2, and the pad bytes at offsets 8, 9 are 9, 2, not 1, 2.
    const ike = realCrypto.seal(
      { plaintext: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9, 9, 2, 2), padding: new Uint8Array(0) },
      'ike',
      ctx,
    );
    expect(realCrypto.open(ike, 'esp', ctx)).toEqual({
      ok: false,
      error: { field: 'esp.body.padding', offset: 8, reason: 'pad byte 0 is not 1' },
    });
    // Sealed under ESP with next header 250 and read under IKE: 250 is taken as the pad length.
    const esp = realCrypto.seal({ plaintext: Uint8Array.of(1, 2), nextHeader: 250 }, 'esp', ctx);
    expect(realCrypto.open(esp, 'ike', ctx)).toEqual({
      ok: false,
      error: { field: 'sk.body.padLength', offset: 3, reason: 'pad length 250 exceeds the 3 bytes before it' },
    });
  });

  it('seal throws WireEmitError without keys or IV, or with wrong sizes; and the model’s padding errors', () => {
    const ctx = ctxFor('aes128-sha256', 'esp');
    const { keys: _k, ...noKeys } = ctx;
    const { iv: _i, ...noIv } = ctx;
    const seal = (c: CryptoContext, padding?: Uint8Array) => () =>
      realCrypto.seal(padding ? { plaintext, nextHeader: 4, padding } : { plaintext, nextHeader: 4 }, 'esp', c);
    expect(seal(noKeys)).toThrow(WireEmitError);
    expect(seal(noKeys)).toThrow(/crypto.keys: no keys/);
    expect(seal(noIv)).toThrow(/crypto.iv/);
    expect(seal({ ...ctx, iv: new Uint8Array(8) })).toThrow(/IV is 8 bytes/);
    expect(seal({ ...ctx, keys: keysFor('aes128gcm16') })).toThrow(/crypto.keys/);
    expect(seal(ctx, Uint8Array.of(1, 2, 4))).toThrow(/esp.padding/);
    expect(seal(ctx, Uint8Array.of(1))).toThrow(/crypto.padding/);
  });
});

describe('realCrypto.open never throws', () => {
  test.prop([
    fc.constantFrom(...SUITES),
    fc.constantFrom(...RULES),
    fc.uint8Array({ maxLength: 20 }),
    fc.uint8Array({ maxLength: 70 }),
    fc.uint8Array({ maxLength: 20 }),
    fc.boolean(),
  ])('on any IV, body and ICV bytes, with or without keys', (name, rule, iv, body, icv, withKeys) => {
    const ctx = ctxFor(name, rule);
    const { keys: _keys, ...noKeys } = ctx;
    const r = realCrypto.open({ iv, body, icv }, rule, withKeys ? ctx : noKeys);
    expect(r.ok).toBe(false);
  });
});

describe('deriveIv', () => {
  it('is HMAC-SHA-256(secret, len ‖ part ‖ …) cut to the size, and part boundaries count', () => {
    const secret = bytes(32, 9);
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3);
    const mac = createHmac('sha256', secret)
      .update(Uint8Array.of(0, 0, 0, 2, 1, 2, 0, 0, 0, 1, 3))
      .digest('hex');
    expect(toHex(deriveIv(secret, 16, a, b))).toBe(mac.slice(0, 32));
    expect(toHex(deriveIv(secret, 8, a, b))).toBe(mac.slice(0, 16));
    expect(toHex(deriveIv(secret, 16, Uint8Array.of(1), Uint8Array.of(2, 3)))).not.toBe(mac.slice(0, 32));
    expect(() => deriveIv(secret, 33)).toThrow(/at most 32/);
  });
});
