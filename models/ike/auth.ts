/**
 * Modelled authentication (RFC 7296 §2.15, shared key): AUTH data is a deterministic digest of the key name, the
 * signer's role and both nonces, sized to the PRF output. No real crypto: a wrong key name gives a different digest,
 * which is what the lab needs to reach AUTHENTICATION_FAILED.
 */
import { CIPHER_SUITES, type CipherSuiteName } from '../wire/crypto-suite.ts';

function fnv(h: number, bytes: Uint8Array): number {
  let x = h;
  for (const b of bytes) x = Math.imul(x ^ b, 0x01000193) >>> 0;
  return x;
}

/**
 * FNV-1a over the UTF-8 of `pskName|role`, read from the string's char codes when it is ASCII (key names are): a
 * TextEncoder and its array per AUTH showed at ~1 % of a storm's CPU, and each client may have its own key name, so
 * a memo would not hold them. Non-ASCII names take the encoder, so the digest is the same either way.
 */
function nameHash(pskName: string, role: 'initiator' | 'responder'): number {
  const text = `${pskName}|${role}`;
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return fnv(0x811c9dc5, utf8.encode(text));
    x = Math.imul(x ^ c, 0x01000193) >>> 0;
  }
  return x;
}

const utf8 = new TextEncoder();

export function authDigest(
  pskName: string,
  role: 'initiator' | 'responder',
  nonceI: Uint8Array,
  nonceR: Uint8Array,
  suite: CipherSuiteName,
): Uint8Array {
  let h = fnv(fnv(nameHash(pskName, role), nonceI), nonceR);
  const out = new Uint8Array(CIPHER_SUITES[suite].prfOutputBytes);
  for (let i = 0; i < out.length; i++) {
    h ^= h << 13;
    h >>>= 0;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    out[i] = h & 0xff;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
