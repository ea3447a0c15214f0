/**
 * Key exchange for the groups the lab negotiates (IANA "Transform Type 4"): 19 ECP-256 (RFC 5903), 31 Curve25519
 * (RFC 8031), 14 MODP-2048 (RFC 3526 §3). Deterministic: a key pair is a pure function of the seeded random bytes the
 * caller supplies (`dhPrivateKeyBytes(group)` of them), so a run is reproducible and Node and the browser agree.
 * An invalid peer value is `null`, never an exception (received bytes are input, not a programming error).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { bigIntToBytes, bytesToBigInt } from './bigint-bytes.ts';

export interface DhKeyPair {
  readonly group: number;
  readonly privateKey: Uint8Array;
  /** The KE payload's Key Exchange Data (RFC 7296 §3.4). */
  readonly publicKey: Uint8Array;
}

export const SUPPORTED_DH_GROUPS: readonly number[] = [19, 31, 14];

const ECP256 = 19;
const CURVE25519 = 31;
const MODP2048 = 14;

/** RFC 3526 §3: p = 2^2048 - 2^1984 - 1 + 2^64 * ( [2^1918 pi] + 124476 ), generator 2. */
const MODP2048_PRIME = BigInt(
  '0x' +
    'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74' +
    '020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437' +
    '4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed' +
    'ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05' +
    '98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb' +
    '9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b' +
    'e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718' +
    '3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff',
);
const MODP2048_GENERATOR = 2n;
const MODP2048_BYTES = 256;
/** A 256-bit exponent, strongSwan's choice for MODP-2048 too (its `exp_len`, after RFC 3526 §8's strength table). */
const MODP2048_EXPONENT_BYTES = 32;

/** RFC 5903 §7: an ECP-256 KE value is x ‖ y, 32 bytes each, no point-format octet. */
const ECP256_COORDINATE_BYTES = 32;
/**
 * Extra random bytes for ECP-256 so that reducing mod n-1 is unbiased to ~2^-64 (FIPS 186-4 B.4.1's "extra random
 * bits" method: 40 bytes reduced mod n-1, plus 1, gives a scalar in [1, n-1] for any input).
 */
const ECP256_RANDOM_BYTES = 40;
const ECP256_ORDER = p256.Point.Fn.ORDER;

const X25519_BYTES = 32;

/** How many seeded random bytes `dhKeyPair` takes for `group`. Throws for a group the lab does not implement. */
export function dhPrivateKeyBytes(group: number): number {
  switch (group) {
    case ECP256:
      return ECP256_RANDOM_BYTES;
    case CURVE25519:
      return X25519_BYTES;
    case MODP2048:
      return MODP2048_EXPONENT_BYTES;
    default:
      throw new Error(`DH group ${group} is not supported (supported: ${SUPPORTED_DH_GROUPS.join(', ')})`);
  }
}

/**
 * base^exponent mod modulus by left-to-right square-and-multiply over BigInt (no Math.pow, exact in any engine).
 * Not constant-time: the lab's keys protect simulated traffic only. Measured on the lab's 2-core machine (Node 20,
 * shared load): one MODP-2048 shared secret with a 256-bit exponent takes 1.5–2.7 ms (about 640 ops/s; node:crypto's
 * OpenSSL about 0.3 ms), a key pair (base 2) about 1 ms.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  const b = base % modulus;
  for (let i = BigInt(exponent.toString(2).length) - 1n; i >= 0n; i--) {
    result = (result * result) % modulus;
    if ((exponent >> i) & 1n) result = (result * b) % modulus;
  }
  return result;
}

function checkLength(group: number, randomBytes: Uint8Array): void {
  const need = dhPrivateKeyBytes(group);
  if (randomBytes.length !== need) {
    throw new Error(`DH group ${group}: ${randomBytes.length} random bytes given, ${need} needed`);
  }
}

/** The key pair for `group` determined by `randomBytes` (exactly `dhPrivateKeyBytes(group)` of them). */
export function dhKeyPair(group: number, randomBytes: Uint8Array): DhKeyPair {
  checkLength(group, randomBytes);
  switch (group) {
    case ECP256: {
      const scalar = (bytesToBigInt(randomBytes) % (ECP256_ORDER - 1n)) + 1n;
      const privateKey = bigIntToBytes(scalar, ECP256_COORDINATE_BYTES);
      // Uncompressed SEC1 point 0x04 ‖ x ‖ y; RFC 5903 §7 drops the format octet.
      const publicKey = p256.getPublicKey(privateKey, false).slice(1);
      return { group, privateKey, publicKey };
    }
    case CURVE25519: {
      // RFC 7748 §5: the scalar is clamped inside X25519, so any 32 bytes are a private key.
      const privateKey = randomBytes.slice();
      return { group, privateKey, publicKey: x25519.getPublicKey(privateKey) };
    }
    default: {
      // MODP2048 (checkLength rejected every other group). An exponent below 2 would give a public value of 1 or 2;
      // lift it to 2 or 3 so that every input yields a usable key (probability 2^-255, but "any input works").
      const privateKey = randomBytes.slice();
      if (bytesToBigInt(privateKey) < 2n) privateKey[privateKey.length - 1] = (privateKey.at(-1) ?? 0) | 2;
      const y = modPow(MODP2048_GENERATOR, bytesToBigInt(privateKey), MODP2048_PRIME);
      return { group, privateKey, publicKey: bigIntToBytes(y, MODP2048_BYTES) };
    }
  }
}

function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

/**
 * The shared secret g^ir (RFC 7296 §2.14) with the sizes of the group's specification: ECP-256 the x coordinate,
 * 32 bytes (RFC 5903 §7); Curve25519 32 bytes (RFC 8031 §2); MODP-2048 256 bytes, left-padded (RFC 7296 §2.14).
 * null when the peer's value is invalid: wrong length, not on the curve, 0/1/p-1 or ≥ p for MODP (RFC 7296 §5,
 * NIST SP 800-56A 5.6.2.3), or an all-zero X25519 result (RFC 8031 §2, RFC 7748 §6.1). Throws only for an
 * unsupported group or a private key of the wrong length (caller bugs).
 */
export function dhSharedSecret(group: number, privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array | null {
  switch (group) {
    case ECP256: {
      if (privateKey.length !== ECP256_COORDINATE_BYTES) throw new Error('ECP-256 private key must be 32 bytes');
      if (peerPublic.length !== 2 * ECP256_COORDINATE_BYTES) return null;
      const sec1 = new Uint8Array(1 + peerPublic.length);
      sec1[0] = 0x04;
      sec1.set(peerPublic, 1);
      try {
        // fromBytes checks the coordinates are below p and on the curve; compressed output is 0x02/0x03 ‖ x.
        return p256.getSharedSecret(privateKey, sec1, true).slice(1);
      } catch {
        return null;
      }
    }
    case CURVE25519: {
      if (privateKey.length !== X25519_BYTES) throw new Error('Curve25519 private key must be 32 bytes');
      if (peerPublic.length !== X25519_BYTES) return null;
      let shared: Uint8Array;
      try {
        shared = x25519.getSharedSecret(privateKey, peerPublic);
      } catch {
        return null; // noble refuses low-order points (their result would be all zeros)
      }
      return isAllZero(shared) ? null : shared;
    }
    case MODP2048: {
      if (privateKey.length !== MODP2048_EXPONENT_BYTES) throw new Error('MODP-2048 private key must be 32 bytes');
      if (peerPublic.length !== MODP2048_BYTES) return null;
      const y = bytesToBigInt(peerPublic);
      if (y < 2n || y > MODP2048_PRIME - 2n) return null;
      const z = modPow(y, bytesToBigInt(privateKey), MODP2048_PRIME);
      if (z === 1n) return null;
      return bigIntToBytes(z, MODP2048_BYTES);
    }
    default:
      throw new Error(`DH group ${group} is not supported (supported: ${SUPPORTED_DH_GROUPS.join(', ')})`);
  }
}
