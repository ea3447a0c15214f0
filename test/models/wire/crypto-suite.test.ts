import { describe, expect, it } from 'vitest';
import {
  CIPHER_SUITES,
  DH_GROUPS,
  cipherSuiteByTransforms,
  dhGroup,
  minPadBytes,
  modelledCrypto,
  sealedLength,
  type CryptoContext,
} from '../../../models/wire/crypto-suite.ts';
import { toHex } from '../../../models/wire/bytes.ts';
import { WireEmitError } from '../../../models/wire/result.ts';

const aad = Uint8Array.of(0xd1, 0xf4, 0x08, 0x51, 0, 0, 0, 3);
const cbc: CryptoContext = { suite: CIPHER_SUITES['aes128-sha256'], associatedData: aad };
const gcm: CryptoContext = { suite: CIPHER_SUITES.aes256gcm16, associatedData: aad };

describe('cipher suites', () => {
  it('has the exact sizes and transform ids', () => {
    expect(CIPHER_SUITES['aes256-sha256']).toMatchObject({
      ivBytes: 16,
      blockBytes: 16,
      icvBytes: 16,
      encrTransformId: 12,
      keyLengthBits: 256,
      integTransformId: 12,
      prfTransformId: 5,
    });
    expect(CIPHER_SUITES.aes128gcm16).toMatchObject({
      ivBytes: 8,
      blockBytes: 4,
      icvBytes: 16,
      encrTransformId: 20,
      keyLengthBits: 128,
      integTransformId: null,
      aead: true,
    });
    expect(cipherSuiteByTransforms(12, 128, 12)?.name).toBe('aes128-sha256');
    expect(cipherSuiteByTransforms(20, 256, null)?.name).toBe('aes256gcm16');
    expect(cipherSuiteByTransforms(20, 256, 0)?.name).toBe('aes256gcm16');
    expect(cipherSuiteByTransforms(12, 192, 12)).toBeUndefined();
  });

  it('has the KE data lengths', () => {
    expect(dhGroup(14)?.keBytes).toBe(256);
    expect(dhGroup(19)?.keBytes).toBe(64);
    expect(dhGroup(31)?.keBytes).toBe(32);
    expect(dhGroup(2)).toBeUndefined();
    expect(Object.keys(DH_GROUPS)).toEqual(['14', '19', '31']);
  });

  it('computes minimal padding per rule', () => {
    // ESP CBC: 20 + pad + 2 ≡ 0 mod 16 → pad 10; IKE CBC: 20 + pad + 1 → pad 11.
    expect(minPadBytes(cbc.suite, 20, 'esp')).toBe(10);
    expect(minPadBytes(cbc.suite, 20, 'ike')).toBe(11);
    // GCM: 4-byte alignment only.
    expect(minPadBytes(gcm.suite, 20, 'esp')).toBe(2);
    expect(minPadBytes(gcm.suite, 20, 'ike')).toBe(3);
    expect(minPadBytes(gcm.suite, 22, 'esp')).toBe(0);
    expect(sealedLength(cbc.suite, 20, 'esp')).toBe(16 + 32 + 16);
    expect(sealedLength(gcm.suite, 20, 'ike')).toBe(8 + 24 + 16);
  });
});

describe('modelled crypto', () => {
  const plaintext = Uint8Array.of(1, 2, 3, 4, 5);

  it('seals with readable body, monotonic ESP padding and deterministic IV/ICV', () => {
    const sealed = modelledCrypto.seal({ plaintext, nextHeader: 4 }, 'esp', cbc);
    expect(toHex(sealed.body)).toBe('0102030405' + '0102030405060708' + '09' + '09' + '04');
    expect(sealed.iv.length).toBe(16);
    expect(sealed.icv.length).toBe(16);
    const again = modelledCrypto.seal({ plaintext, nextHeader: 4 }, 'esp', cbc);
    expect(toHex(again.iv)).toBe(toHex(sealed.iv));
    expect(toHex(again.icv)).toBe(toHex(sealed.icv));
    const other = modelledCrypto.seal({ plaintext, nextHeader: 4 }, 'esp', {
      ...cbc,
      associatedData: Uint8Array.of(1),
    });
    expect(toHex(other.icv)).not.toBe(toHex(sealed.icv));
  });

  it('IKE padding is zeros and has no next header', () => {
    const sealed = modelledCrypto.seal({ plaintext }, 'ike', gcm);
    expect(toHex(sealed.body)).toBe('0102030405' + '0000' + '02');
    expect(sealed.iv.length).toBe(8);
    const opened = modelledCrypto.open(sealed, 'ike', gcm);
    expect(opened.ok && toHex(opened.value.plaintext)).toBe('0102030405');
    expect(opened.ok && opened.value.nextHeader).toBe(null);
  });

  it('opens what it sealed and rejects tampering', () => {
    const sealed = modelledCrypto.seal({ plaintext, nextHeader: 17 }, 'esp', cbc);
    const opened = modelledCrypto.open(sealed, 'esp', cbc);
    expect(opened).toEqual({
      ok: true,
      bytesRead: 16,
      value: { plaintext, padding: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), nextHeader: 17 },
    });
    const body = sealed.body.slice();
    body[0] = (body[0] ?? 0) ^ 1;
    const bad = modelledCrypto.open({ ...sealed, body }, 'esp', cbc);
    expect(bad).toEqual({ ok: false, error: { field: 'esp.body.icv', offset: 0, reason: 'integrity check failed' } });
  });

  it('rejects invalid explicit padding on seal', () => {
    expect(() => modelledCrypto.seal({ plaintext, padding: Uint8Array.of(1, 2) }, 'esp', cbc)).toThrow(WireEmitError);
    expect(() =>
      modelledCrypto.seal({ plaintext: new Uint8Array(14), padding: Uint8Array.of(9) }, 'ike', cbc),
    ).not.toThrow();
    expect(() => modelledCrypto.seal({ plaintext: new Uint8Array(14), padding: Uint8Array.of(2) }, 'esp', gcm)).toThrow(
      /esp\.padding/,
    );
  });

  it('accepts extra ESP padding (RFC 4303 §2.4 traffic-flow padding)', () => {
    const padding = Uint8Array.from({ length: 25 }, (_, i) => i + 1);
    const sealed = modelledCrypto.seal({ plaintext, padding, nextHeader: 4 }, 'esp', cbc);
    expect(sealed.body.length).toBe(32);
    const opened = modelledCrypto.open(sealed, 'esp', cbc);
    expect(opened.ok && opened.value.padding.length).toBe(25);
  });
});
