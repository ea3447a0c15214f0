import { describe, expect, it } from 'vitest';
import { authDigest } from '../../../models/ike/auth.ts';

/** The digest as auth.ts first defined it: FNV-1a over TextEncoder's UTF-8 of `name|role`, then both nonces. */
function referenceDigest(name: string, role: 'initiator' | 'responder', nonceI: Uint8Array, nonceR: Uint8Array) {
  const fnv = (h: number, bytes: Uint8Array): number => {
    let x = h;
    for (const b of bytes) x = Math.imul(x ^ b, 0x01000193) >>> 0;
    return x;
  };
  let h = fnv(fnv(fnv(0x811c9dc5, new TextEncoder().encode(`${name}|${role}`)), nonceI), nonceR);
  const out = new Uint8Array(32);
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

describe('authDigest', () => {
  const nonceI = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const nonceR = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
  it.each(['lab-psk', 'client-0042', 'clé-ünïcode', 'emoji-🔑', 'lone-\ud800'])(
    'hashes the UTF-8 of the key name %s (ASCII from char codes, the rest through TextEncoder)',
    (name) => {
      for (const role of ['initiator', 'responder'] as const) {
        expect(authDigest(name, role, nonceI, nonceR, 'aes128-sha256')).toEqual(
          referenceDigest(name, role, nonceI, nonceR),
        );
      }
    },
  );
});
