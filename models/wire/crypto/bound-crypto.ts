/**
 * A `CryptoModel` bound to one direction's keys (crypto-suite.ts): the codecs call `seal`/`open` with the suite and
 * the associated data only, as they do for the modelled crypto; this adds the keys and the IV.
 *
 * The IV is a keyed hash (HMAC-SHA-256 under the SA's `ivSecret`, drawn from the seeded stream) of the associated
 * data and the plaintext: the same message gives the same bytes, as RFC 7296 §2.1 requires of a retransmission
 * ("bitwise identical"), and two different messages never share an IV under one key (RFC 5282 §3.1, RFC 4106 §3.1:
 * a GCM IV must not repeat; RFC 3602 §2.3: CBC IVs must be unpredictable to an outsider, which a keyed hash is).
 */
import type { CryptoModel } from '../crypto-suite.ts';
import type { DirectionKeys } from './ike-keys.ts';
import { deriveIv, realCrypto } from './real-crypto.ts';

export function boundCrypto(keys: DirectionKeys, ivSecret: Uint8Array): CryptoModel {
  return {
    seal(input, rule, ctx) {
      const iv = deriveIv(ivSecret, ctx.suite.ivBytes, ctx.associatedData, input.plaintext);
      return realCrypto.seal(input, rule, { ...ctx, keys, iv });
    },
    open(sealed, rule, ctx) {
      return realCrypto.open(sealed, rule, { ...ctx, keys });
    },
  };
}
