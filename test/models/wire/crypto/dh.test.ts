import { createDiffieHellman, createECDH, getDiffieHellman } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../models/wire/bytes.ts';
import { bigIntToBytes, bytesToBigInt } from '../../../../models/wire/crypto/bigint-bytes.ts';
import {
  dhKeyPair,
  dhPrivateKeyBytes,
  dhSharedSecret,
  modPow,
  SUPPORTED_DH_GROUPS,
} from '../../../../models/wire/crypto/dh.ts';

const hex = (s: string): Uint8Array => fromHex(s.replace(/\s/g, ''));

describe('groups', () => {
  it('lists 19, 31, 14 with their private-key input sizes', () => {
    expect(SUPPORTED_DH_GROUPS).toEqual([19, 31, 14]);
    expect(SUPPORTED_DH_GROUPS.map(dhPrivateKeyBytes)).toEqual([40, 32, 32]);
    expect(() => dhPrivateKeyBytes(2)).toThrow(/not supported/);
    expect(() => dhKeyPair(31, new Uint8Array(31))).toThrow(/32 needed/);
  });
});

describe('Curve25519 (group 31)', () => {
  // RFC 7748 §6.1.
  const a = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const aPub = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
  const b = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  const bPub = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
  const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

  it('matches RFC 7748 §6.1', () => {
    const alice = dhKeyPair(31, a);
    const bob = dhKeyPair(31, b);
    expect([toHex(alice.publicKey), toHex(bob.publicKey)]).toEqual([aPub, bPub]);
    expect(toHex(dhSharedSecret(31, alice.privateKey, bob.publicKey) ?? new Uint8Array())).toBe(k);
    expect(toHex(dhSharedSecret(31, bob.privateKey, alice.publicKey) ?? new Uint8Array())).toBe(k);
  });

  it('rejects a wrong length and the low-order points whose result is all zeros (RFC 8031 §2)', () => {
    expect(dhSharedSecret(31, a, hex(bPub).subarray(0, 31))).toBeNull();
    expect(dhSharedSecret(31, a, new Uint8Array(33))).toBeNull();
    expect(dhSharedSecret(31, a, new Uint8Array(32))).toBeNull(); // u = 0
    expect(dhSharedSecret(31, a, bigIntToBytes(1n, 32).reverse())).toBeNull(); // u = 1 (little-endian)
    // A point of order 8 (libsodium's blocklist, RFC 7748 §7 "small-order points").
    expect(dhSharedSecret(31, a, hex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'))).toBeNull();
  });
});

describe('ECP-256 (group 19)', () => {
  // RFC 5903 §8.1.
  const i = 'C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433';
  const gi =
    'DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180' +
    '5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3';
  const r = 'C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53';
  const gr =
    'D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63' +
    '56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB';
  const girx = 'D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE';
  /** 40 random bytes that `dhKeyPair` maps to scalar s: (v mod (n-1)) + 1 = s for v = s - 1. */
  const randomFor = (s: string): Uint8Array => bigIntToBytes(bytesToBigInt(hex(s)) - 1n, 40);

  it('matches RFC 5903 §8.1 (i, g^i, r, g^r, g^ir = x only)', () => {
    const ini = dhKeyPair(19, randomFor(i));
    const res = dhKeyPair(19, randomFor(r));
    expect(toHex(ini.privateKey)).toBe(toHex(hex(i)));
    expect(toHex(ini.publicKey)).toBe(toHex(hex(gi)));
    expect(toHex(res.publicKey)).toBe(toHex(hex(gr)));
    expect(toHex(dhSharedSecret(19, ini.privateKey, res.publicKey) ?? new Uint8Array())).toBe(toHex(hex(girx)));
    expect(toHex(dhSharedSecret(19, res.privateKey, ini.publicKey) ?? new Uint8Array())).toBe(toHex(hex(girx)));
  });

  it('maps any 40 bytes into [1, n-1] (all zeros → 1, all ones → a valid scalar)', () => {
    expect(toHex(dhKeyPair(19, new Uint8Array(40)).privateKey)).toBe(toHex(bigIntToBytes(1n, 32)));
    const top = dhKeyPair(19, new Uint8Array(40).fill(0xff));
    expect(top.publicKey).toHaveLength(64);
  });

  test.prop([fc.uint8Array({ minLength: 40, maxLength: 40 })], { numRuns: 20 })(
    'agrees with node:crypto ECDH prime256v1',
    (random) => {
      const mine = dhKeyPair(19, random);
      const node = createECDH('prime256v1');
      node.setPrivateKey(mine.privateKey);
      expect(toHex(mine.publicKey)).toBe(node.getPublicKey('hex', 'uncompressed').slice(2));
      const peer = createECDH('prime256v1');
      peer.generateKeys();
      const peerPublic = new Uint8Array(peer.getPublicKey().subarray(1));
      expect(toHex(dhSharedSecret(19, mine.privateKey, peerPublic) ?? new Uint8Array())).toBe(
        peer.computeSecret(Buffer.from(node.getPublicKey())).toString('hex'),
      );
    },
  );

  it('rejects a wrong length, a point off the curve and coordinates ≥ p', () => {
    const priv = hex(i);
    expect(dhSharedSecret(19, priv, hex(gr).subarray(0, 63))).toBeNull();
    expect(dhSharedSecret(19, priv, new Uint8Array(65))).toBeNull();
    const off = hex(gr);
    off[63] = (off[63] ?? 0) ^ 1;
    expect(dhSharedSecret(19, priv, off)).toBeNull();
    expect(dhSharedSecret(19, priv, new Uint8Array(64))).toBeNull();
    expect(dhSharedSecret(19, priv, new Uint8Array(64).fill(0xff))).toBeNull();
  });
});

describe('MODP-2048 (group 14)', () => {
  const prime = getDiffieHellman('modp14').getPrime();
  const p = bytesToBigInt(prime);

  it('uses the RFC 3526 §3 prime (as node:crypto has it) and generator 2', () => {
    // g^1 = 2: a one-byte exponent checks the generator; x = 0 or 1 is lifted to 2 or 3.
    expect(toHex(dhKeyPair(14, bigIntToBytes(5n, 32)).publicKey)).toBe(toHex(bigIntToBytes(32n, 256)));
    expect(toHex(dhKeyPair(14, new Uint8Array(32)).privateKey)).toBe(toHex(bigIntToBytes(2n, 32)));
    expect(toHex(dhKeyPair(14, bigIntToBytes(1n, 32)).privateKey)).toBe(toHex(bigIntToBytes(3n, 32)));
    // g^(p-1) = 1 (Fermat): the exponent arithmetic runs over the right modulus.
    expect(modPow(2n, p - 1n, p)).toBe(1n);
  });

  test.prop([fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 })], {
    numRuns: 5,
  })('agrees with node:crypto createDiffieHellman(prime, 2) and setPrivateKey', (x, y) => {
    const mine = dhKeyPair(14, x);
    const peer = dhKeyPair(14, y);
    const node = createDiffieHellman(prime, 2);
    node.setPrivateKey(Buffer.from(mine.privateKey));
    node.generateKeys();
    expect(toHex(mine.publicKey)).toBe(node.getPublicKey('hex').padStart(512, '0'));
    const secret = dhSharedSecret(14, mine.privateKey, peer.publicKey);
    expect(secret).toHaveLength(256);
    expect(toHex(secret ?? new Uint8Array())).toBe(
      node.computeSecret(Buffer.from(peer.publicKey)).toString('hex').padStart(512, '0'),
    );
    expect(toHex(dhSharedSecret(14, peer.privateKey, mine.publicKey) ?? new Uint8Array())).toBe(
      toHex(secret ?? new Uint8Array()),
    );
  });

  it('left-pads a short public value and shared secret to 256 bytes', () => {
    // Exponent 8: g^8 = 256, a two-byte value.
    const pair = dhKeyPair(14, bigIntToBytes(8n, 32));
    expect(pair.publicKey).toHaveLength(256);
    expect(toHex(pair.publicKey.subarray(252))).toBe('00000100');
    expect(toHex(dhSharedSecret(14, bigIntToBytes(2n, 32), bigIntToBytes(3n, 256)) ?? new Uint8Array())).toBe(
      toHex(bigIntToBytes(9n, 256)),
    );
  });

  it('rejects 0, 1, p-1, p, values above p and wrong lengths', () => {
    const priv = dhKeyPair(14, new Uint8Array(32).fill(3)).privateKey;
    for (const bad of [0n, 1n, p - 1n, p]) expect(dhSharedSecret(14, priv, bigIntToBytes(bad, 256))).toBeNull();
    expect(dhSharedSecret(14, priv, new Uint8Array(256).fill(0xff))).toBeNull();
    expect(dhSharedSecret(14, priv, new Uint8Array(255).fill(7))).toBeNull();
    expect(dhSharedSecret(14, priv, new Uint8Array(257).fill(7))).toBeNull();
    expect(() => dhSharedSecret(14, new Uint8Array(31), bigIntToBytes(2n, 256))).toThrow(/32 bytes/);
  });
});

describe('determinism', () => {
  test.prop(
    [
      fc.constantFrom(19, 31),
      fc.uint8Array({ minLength: 40, maxLength: 40 }),
      fc.uint8Array({ minLength: 40, maxLength: 40 }),
    ],
    {
      numRuns: 20,
    },
  )('same bytes, same key pair; both sides derive the same secret', (group, r1, r2) => {
    const n = dhPrivateKeyBytes(group);
    const a = dhKeyPair(group, r1.subarray(0, n));
    expect(toHex(dhKeyPair(group, r1.subarray(0, n)).publicKey)).toBe(toHex(a.publicKey));
    const b = dhKeyPair(group, r2.subarray(0, n));
    const ab = dhSharedSecret(group, a.privateKey, b.publicKey);
    expect(ab).not.toBeNull();
    expect(toHex(ab ?? new Uint8Array())).toBe(
      toHex(dhSharedSecret(group, b.privateKey, a.publicKey) ?? Uint8Array.of(1)),
    );
  });
});
