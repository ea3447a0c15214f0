/**
 * IKEv2 key derivation (RFC 7296 §2.14 IKE SA, §2.17 Child SA, §2.18 rekeyed IKE SA) for the suites of
 * crypto-suite.ts, all with PRF_HMAC_SHA2_256 (RFC 4868). Key sizes:
 * - encryption: keyLengthBits / 8; for AES-GCM 4 more bytes of salt taken right after the key, i.e. the LAST 4 bytes
 *   of that key's material (RFC 5282 §7.1 for the IKE SA's SK_e, RFC 4106 §8.1 for ESP);
 * - integrity: 32 bytes for HMAC-SHA2-256-128 (RFC 4868 §2.1: key length = the hash's output), none for GCM;
 * - SK_d, SK_pi, SK_pr: the PRF's preferred key size, 32 bytes (RFC 7296 §2.14).
 */
import type { CipherSuite } from '../crypto-suite.ts';
import { concatBytes, PRF_OUTPUT_BYTES, prfHmacSha256, prfPlus } from './prf.ts';

/** The keys protecting one direction of an SA. */
export interface DirectionKeys {
  readonly encrKey: Uint8Array;
  /** The 4-byte implicit nonce part for AES-GCM (RFC 4106 §4); empty for CBC. */
  readonly salt: Uint8Array;
  /** HMAC-SHA2-256-128 key, 32 bytes; empty for GCM. */
  readonly integKey: Uint8Array;
}

export interface IkeSaSecrets {
  readonly skD: Uint8Array;
  readonly skPi: Uint8Array;
  readonly skPr: Uint8Array;
  /** SK_ei / SK_ai: what the original initiator seals with. */
  readonly initiator: DirectionKeys;
  /** SK_er / SK_ar: what the original responder seals with. */
  readonly responder: DirectionKeys;
}

export interface ChildKeymat {
  readonly initiatorToResponder: DirectionKeys;
  readonly responderToInitiator: DirectionKeys;
}

/** RFC 4106 §8.1 / RFC 5282 §7.1: the salt of an AES-GCM key. */
export const GCM_SALT_BYTES = 4;
/** RFC 4868 §2.1: HMAC-SHA-256 key length for HMAC-SHA2-256-128. */
export const HMAC_SHA256_KEY_BYTES = 32;

/** Bytes of keying material one direction's encryption key takes (key plus salt for GCM). */
export function encrKeymatBytes(suite: CipherSuite): number {
  return suite.keyLengthBits / 8 + (suite.aead ? GCM_SALT_BYTES : 0);
}

/** Bytes of keying material one direction's integrity key takes (none for an AEAD suite, RFC 5282 §8). */
export function integKeymatBytes(suite: CipherSuite): number {
  return suite.aead ? 0 : HMAC_SHA256_KEY_BYTES;
}

/** SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). */
export function skeyseed(nonceI: Uint8Array, nonceR: Uint8Array, sharedSecret: Uint8Array): Uint8Array {
  return prfHmacSha256(concatBytes(nonceI, nonceR), sharedSecret);
}

/** SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) for an IKE SA rekeyed by CREATE_CHILD_SA (RFC 7296 §2.18). */
export function rekeySkeyseed(
  oldSkD: Uint8Array,
  sharedSecret: Uint8Array,
  nonceI: Uint8Array,
  nonceR: Uint8Array,
): Uint8Array {
  return prfHmacSha256(oldSkD, concatBytes(sharedSecret, nonceI, nonceR));
}

/** Reads consecutive slices of keying material. */
class KeymatReader {
  private at = 0;
  constructor(private readonly keymat: Uint8Array) {}
  take(bytes: number): Uint8Array {
    const out = this.keymat.slice(this.at, this.at + bytes);
    this.at += bytes;
    return out;
  }
  /** An encryption key with, for GCM, its salt split off the end of its material. */
  encryption(suite: CipherSuite): { encrKey: Uint8Array; salt: Uint8Array } {
    const material = this.take(encrKeymatBytes(suite));
    const keyBytes = suite.keyLengthBits / 8;
    return { encrKey: material.slice(0, keyBytes), salt: material.slice(keyBytes) };
  }
}

/**
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (RFC 7296 §2.14).
 * Also used after an IKE SA rekey with the new SKEYSEED, nonces and SPIs (§2.18).
 */
export function deriveIkeSaSecrets(
  suite: CipherSuite,
  skeyseedValue: Uint8Array,
  nonceI: Uint8Array,
  nonceR: Uint8Array,
  spiI: Uint8Array,
  spiR: Uint8Array,
): IkeSaSecrets {
  if (spiI.length !== 8 || spiR.length !== 8) throw new Error('IKE SPIs are 8 bytes (RFC 7296 §3.1)');
  const integ = integKeymatBytes(suite);
  const encr = encrKeymatBytes(suite);
  const total = 3 * PRF_OUTPUT_BYTES + 2 * integ + 2 * encr;
  const r = new KeymatReader(prfPlus(skeyseedValue, concatBytes(nonceI, nonceR, spiI, spiR), total));
  const skD = r.take(PRF_OUTPUT_BYTES);
  const skAi = r.take(integ);
  const skAr = r.take(integ);
  const skEi = r.encryption(suite);
  const skEr = r.encryption(suite);
  const skPi = r.take(PRF_OUTPUT_BYTES);
  const skPr = r.take(PRF_OUTPUT_BYTES);
  return {
    skD,
    skPi,
    skPr,
    initiator: { ...skEi, integKey: skAi },
    responder: { ...skEr, integKey: skAr },
  };
}

/**
 * KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr) with a KE exchange in CREATE_CHILD_SA
 * (RFC 7296 §2.17). One ESP SA pair: initiator→responder keys first, then responder→initiator; within a direction
 * the encryption key (with its GCM salt) before the integrity key.
 */
export function deriveChildKeymat(
  suite: CipherSuite,
  skD: Uint8Array,
  nonceI: Uint8Array,
  nonceR: Uint8Array,
  sharedSecret?: Uint8Array,
): ChildKeymat {
  const perDirection = encrKeymatBytes(suite) + integKeymatBytes(suite);
  const seed = sharedSecret === undefined ? concatBytes(nonceI, nonceR) : concatBytes(sharedSecret, nonceI, nonceR);
  const r = new KeymatReader(prfPlus(skD, seed, 2 * perDirection));
  const direction = (): DirectionKeys => {
    const e = r.encryption(suite);
    return { ...e, integKey: r.take(integKeymatBytes(suite)) };
  };
  const initiatorToResponder = direction();
  const responderToInitiator = direction();
  return { initiatorToResponder, responderToInitiator };
}
