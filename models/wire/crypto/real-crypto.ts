/**
 * Real ciphers behind the lab's `CryptoModel` (crypto-suite.ts), for the IKE SK payload (RFC 7296 §3.14) and ESP
 * (RFC 4303): AES-GCM with a 16-octet ICV (RFC 4106 ESP, RFC 5282 IKE) and AES-CBC (RFC 3602) with
 * HMAC-SHA2-256-128 (RFC 4868). The body layout, the padding rules and the decode errors are those of
 * `modelledCrypto`, so the codecs do not care which model they hold; only the bytes of IV, body and ICV differ.
 * @noble/ciphers and @noble/hashes (no node:crypto): the browser reproduces Node's bytes.
 */
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  blockAlignment,
  paddedBody,
  sealedSizesError,
  unpadBody,
  type CipherSuite,
  type CryptoContext,
  type CryptoModel,
  type PaddingRule,
} from '../crypto-suite.ts';
import { decodeError, WireEmitError } from '../result.ts';
import type { DirectionKeys } from './ike-keys.ts';
import { GCM_SALT_BYTES, HMAC_SHA256_KEY_BYTES } from './ike-keys.ts';
import { concatBytes } from './prf.ts';

/**
 * The alignment a body must have: the modelled crypto's (the cipher block; 4 bytes for ESP, RFC 4303 §2.4), except the
 * IKE SK under AES-GCM: a counter mode has no block to fill (RFC 5282 §3 leaves the padding to the sender) — strongSwan
 * sends GCM bodies of any length, and they must open. The lab still pads its own to the block.
 */
function alignment(rule: PaddingRule, suite: CipherSuite): number {
  return rule === 'ike' && suite.aead ? 1 : blockAlignment(rule, suite);
}

/** A reason the keys in a context cannot serve `suite`, or null when they fit. */
function keysMismatch(suite: CipherSuite, keys: DirectionKeys): string | null {
  const keyBytes = suite.keyLengthBits / 8;
  if (keys.encrKey.length !== keyBytes)
    return `encryption key is ${keys.encrKey.length} bytes, ${suite.name} needs ${keyBytes}`;
  const saltBytes = suite.aead ? GCM_SALT_BYTES : 0;
  if (keys.salt.length !== saltBytes) return `salt is ${keys.salt.length} bytes, ${suite.name} needs ${saltBytes}`;
  const integBytes = suite.aead ? 0 : HMAC_SHA256_KEY_BYTES;
  if (keys.integKey.length !== integBytes) {
    return `integrity key is ${keys.integKey.length} bytes, ${suite.name} needs ${integBytes}`;
  }
  return null;
}

/** RFC 4106 §4 / RFC 5282 §4: the 12-byte GCM nonce is the salt followed by the explicit 8-byte IV. */
function gcmNonce(keys: DirectionKeys, iv: Uint8Array): Uint8Array {
  return concatBytes(keys.salt, iv);
}

/**
 * The ICV of an encrypt-then-MAC suite: HMAC-SHA-256 truncated to 128 bits (RFC 4868 §2.3) over everything the
 * integrity covers: for IKE the header through the encrypted data (RFC 7296 §3.14), for ESP SPI ‖ sequence ‖ IV ‖
 * ciphertext (RFC 4303 §2.8, §3.3.4). `associatedData` is the part before the IV in both cases.
 */
function hmacIcv(
  suite: CipherSuite,
  keys: DirectionKeys,
  associatedData: Uint8Array,
  iv: Uint8Array,
  body: Uint8Array,
): Uint8Array {
  const mac = hmac.create(sha256, keys.integKey);
  mac.update(associatedData);
  mac.update(iv);
  mac.update(body);
  return mac.digest().slice(0, suite.icvBytes);
}

/** Equal without an early exit (the lab does not need constant time, but a MAC check should look like one). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function sealingKeys(ctx: CryptoContext): { keys: DirectionKeys; iv: Uint8Array } {
  const { suite, keys, iv } = ctx;
  if (keys === undefined) throw new WireEmitError('crypto.keys', 'no keys for this SA');
  const mismatch = keysMismatch(suite, keys);
  if (mismatch !== null) throw new WireEmitError('crypto.keys', mismatch);
  if (iv === undefined) throw new WireEmitError('crypto.iv', 'no IV given (the caller derives it, deriveIv)');
  if (iv.length !== suite.ivBytes) {
    throw new WireEmitError('crypto.iv', `IV is ${iv.length} bytes, ${suite.name} needs ${suite.ivBytes}`);
  }
  return { keys, iv };
}

export const realCrypto: CryptoModel = {
  seal(input, rule: PaddingRule, ctx) {
    const { suite } = ctx;
    const plain = paddedBody(input, rule, suite, alignment(rule, suite));
    const { keys, iv } = sealingKeys(ctx);
    if (suite.aead) {
      const sealed = gcm(keys.encrKey, gcmNonce(keys, iv), ctx.associatedData).encrypt(plain);
      const split = sealed.length - suite.icvBytes;
      return { iv: iv.slice(), body: sealed.slice(0, split), icv: sealed.slice(split) };
    }
    // The lab's padding already aligns the body to the block: no PKCS#7 layer (RFC 7296 §3.14, RFC 4303 §2.4).
    const body = cbc(keys.encrKey, iv, { disablePadding: true }).encrypt(plain);
    return { iv: iv.slice(), body, icv: hmacIcv(suite, keys, ctx.associatedData, iv, body) };
  },

  open(sealed, rule, ctx) {
    const { suite } = ctx;
    const field = rule === 'esp' ? 'esp.body' : 'sk.body';
    const sizes = sealedSizesError(sealed, suite, field);
    if (sizes !== null) return sizes;
    const { keys } = ctx;
    if (keys === undefined) return decodeError(`${field}.keys`, 0, 'no keys for this SA');
    const mismatch = keysMismatch(suite, keys);
    if (mismatch !== null) return decodeError(`${field}.keys`, 0, mismatch);
    let plain: Uint8Array;
    if (suite.aead) {
      // GCM verifies the tag before it releases any plaintext (NIST SP 800-38D §7.2, RFC 4106 §3.3).
      try {
        plain = gcm(keys.encrKey, gcmNonce(keys, sealed.iv), ctx.associatedData).decrypt(
          concatBytes(sealed.body, sealed.icv),
        );
      } catch {
        return decodeError(`${field}.icv`, 0, 'integrity check failed');
      }
    } else {
      // Encrypt-then-MAC: verify the ICV before decrypting (RFC 4303 §3.4.4, RFC 7296 §2.21.2).
      if (!equalBytes(hmacIcv(suite, keys, ctx.associatedData, sealed.iv, sealed.body), sealed.icv)) {
        return decodeError(`${field}.icv`, 0, 'integrity check failed');
      }
      if (sealed.body.length === 0 || sealed.body.length % suite.blockBytes !== 0) {
        return decodeError(
          field,
          0,
          `encrypted body is ${sealed.body.length} bytes, not a non-empty multiple of ${suite.blockBytes}`,
        );
      }
      plain = cbc(keys.encrKey, sealed.iv, { disablePadding: true }).decrypt(sealed.body);
    }
    return unpadBody(plain, rule, field, alignment(rule, suite));
  },
};

/** The maximum IV `deriveIv` produces: one HMAC-SHA-256 output. */
export const DERIVE_IV_MAX_BYTES = 32;

/**
 * An IV as the first `bytes` of HMAC-SHA-256(ivSecret, len(p1) ‖ p1 ‖ len(p2) ‖ p2 ‖ …), each length 4 bytes big-endian
 * so part boundaries count. The caller keys it with a per-SA secret from the seeded stream and feeds the message id
 * (or ESP sequence number): a retransmission is then bit-identical (RFC 7296 §2.1), and the IVs are unpredictable to
 * anyone without the secret as CBC needs (RFC 3602 §2.1; for GCM, RFC 4106 §3.1, they never repeat under one key as
 * long as the parts differ).
 */
export function deriveIv(ivSecret: Uint8Array, bytes: number, ...parts: readonly Uint8Array[]): Uint8Array {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > DERIVE_IV_MAX_BYTES) {
    throw new Error(`deriveIv: ${String(bytes)} bytes requested, at most ${DERIVE_IV_MAX_BYTES}`);
  }
  const mac = hmac.create(sha256, ivSecret);
  const length = new Uint8Array(4);
  for (const part of parts) {
    const n = part.length;
    length[0] = (n >>> 24) & 0xff;
    length[1] = (n >>> 16) & 0xff;
    length[2] = (n >>> 8) & 0xff;
    length[3] = n & 0xff;
    mac.update(length);
    mac.update(part);
  }
  return mac.digest().slice(0, bytes);
}
