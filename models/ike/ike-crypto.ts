/**
 * The cryptography the IKE machines call (RFC 7296 §1.2 KE, §2.14 keys, §2.15 AUTH, §2.17 Child SA keys, §2.18
 * rekey), defined here where it is called; two implementations: the modelled one below (random KE bytes, a digest for
 * AUTH, no keys: the codecs' modelled crypto needs none) and the real one (real-ike-crypto.ts). The machines are the
 * same for both; a scenario picks one (`crypto`: `modelled` | `real`).
 */
import type { RandomStream } from '../contract.ts';
import { dhGroup as dhGroupInfo } from '../wire/crypto-suite.ts';
import type { IkeIdPayload, IkeMessage } from '../wire/ike/index.ts';
import { authDigest } from './auth.ts';
import type { IkeEndpoints } from './nat-detection.ts';
import type { ChildSa, IkeSaKeys } from './sa.ts';

/** Our half of a key exchange: the KE data sent, what stays private (empty when modelled). */
export interface KeyExchangeHalf {
  readonly group: number;
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
  /** Drawn with the key: the secret the SA's SK IVs are derived from (models/wire/crypto/bound-crypto.ts). */
  readonly ivSecret: Uint8Array;
}

export type IkeRole = 'initiator' | 'responder';

/** A scenario's choice (`crypto`): the lab's modelled crypto, or the real ciphers and key exchange. */
export type CryptoMode = 'modelled' | 'real';

export interface IkeCrypto {
  readonly kind: 'modelled' | 'real';
  /** RFC 7296 §1.2 / §3.4: our KE for `group`, drawn from `rng`. */
  keyExchange(group: number, rng: RandomStream): KeyExchangeHalf;
  /**
   * RFC 7296 §2.14: the IKE SA's keys once IKE_SA_INIT is done (`keys` has both SPIs and nonces), written to the node's
   * SA database. `initRequest`/`initResponse` are the IKE_SA_INIT messages as sent (AUTH signs them, §2.15).
   */
  establish(
    keys: IkeSaKeys,
    role: IkeRole,
    own: KeyExchangeHalf | undefined,
    peerKe: Uint8Array | undefined,
    initRequest: IkeMessage,
    initResponse: IkeMessage,
  ): IkeSaKeys;
  /** RFC 7296 §2.18: the new IKE SA of a rekey (`next` has its SPIs and nonces), keyed from the old SA's SK_d. */
  rekey(
    old: IkeSaKeys,
    next: IkeSaKeys,
    role: IkeRole,
    own: KeyExchangeHalf | undefined,
    peerKe: Uint8Array | undefined,
  ): IkeSaKeys;
  /** RFC 7296 §2.15: the AUTH data `signer` sends (and the other end expects) with the shared key `pskName`. */
  authData(signer: IkeRole, pskName: string, keys: IkeSaKeys, id: IkeIdPayload): Uint8Array;
  /** RFC 7296 §2.17: a Child SA's keys, from the exchange's nonces, written to the node's SA database. */
  childKeys(
    keys: IkeSaKeys,
    child: ChildSa,
    nonceI: Uint8Array,
    nonceR: Uint8Array,
    role: IkeRole,
    ends: IkeEndpoints | undefined,
  ): void;
}

const NONE = new Uint8Array(0);

/** The lab's modelled crypto: what the machines did before real crypto existed, draw for draw. */
export const modelledIkeCrypto: IkeCrypto = {
  kind: 'modelled',
  keyExchange(group, rng) {
    const data = new Uint8Array(dhGroupInfo(group)?.keBytes ?? 32);
    for (let i = 0; i < data.length; i++) data[i] = rng.intBelow(256);
    return { group, publicKey: data, privateKey: NONE, ivSecret: NONE };
  },
  establish: (keys) => keys,
  rekey: (_old, next) => next,
  authData: (signer, pskName, keys) => authDigest(pskName, signer, keys.nonceI, keys.nonceR, keys.suite),
  childKeys: () => undefined,
};
