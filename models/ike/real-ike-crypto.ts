/**
 * Real IKEv2 cryptography behind `IkeCrypto` (ike-crypto.ts): Diffie-Hellman groups 19, 31 and 14, SKEYSEED and
 * SK_* (RFC 7296 §2.14), PSK AUTH (§2.15), Child SA KEYMAT (§2.17), IKE SA rekey (§2.18), with the audited @noble
 * libraries (models/wire/crypto/), so Node and the browser compute the same bytes. Every random value (DH private
 * keys, the IV secrets) is drawn from the machine's seeded stream. The keys go to the node's SA database, which its
 * codec seals and opens with; each one is also announced (`onKeys`, traced as `crypto.keys`), which is how the lab
 * exports Wireshark's key tables.
 */
import { CIPHER_SUITES, type CipherSuite } from '../wire/crypto-suite.ts';
import { dhKeyPair, dhPrivateKeyBytes, dhSharedSecret, SUPPORTED_DH_GROUPS } from '../wire/crypto/dh.ts';
import {
  deriveChildKeymat,
  deriveIkeSaSecrets,
  rekeySkeyseed,
  skeyseed,
  type DirectionKeys,
  type IkeSaSecrets,
} from '../wire/crypto/ike-keys.ts';
import { prfHmacSha256, concatBytes } from '../wire/crypto/prf.ts';
import { pskAuthData, signedOctets } from '../wire/crypto/psk-auth.ts';
import type { SaKeyStore } from '../wire/crypto/sa-key-store.ts';
import { tableKey } from '../wire/crypto/wireshark-keys.ts';
import { fromHex, toHex } from '../wire/bytes.ts';
import { emitIkeMessage, emitIkePayload, type IkeMessage } from '../wire/ike/index.ts';
import { receivedIkeBytes } from '../wire/ike/received-bytes.ts';
import { modelledIkeCrypto, type IkeCrypto } from './ike-crypto.ts';
import type { IkeSaKeys } from './sa.ts';

/** What a node hears when keys are derived: one IKE SA, or one direction of a Child SA. */
export type KeysAnnouncement =
  | {
      readonly kind: 'ike';
      readonly spiI: string;
      readonly spiR: string;
      readonly suite: CipherSuite;
      readonly secrets: IkeSaSecrets;
    }
  | {
      readonly kind: 'esp';
      readonly src: string;
      readonly dst: string;
      readonly spi: number;
      readonly suite: CipherSuite;
      readonly keys: DirectionKeys;
    };

const TEXT = new TextEncoder();

function spiBytes(spi: string): Uint8Array {
  return fromHex(spi.padStart(16, '0'));
}

/** The bytes a message had on the wire: as received when parsed, else as we emit it (our own, deterministic). */
function wireBytes(m: IkeMessage): Uint8Array {
  return receivedIkeBytes(m) ?? emitIkeMessage(m);
}

/** RFC 7296 §3.5: the ID payload after its generic header (ID Type, RESERVED, Identification Data). */
function idBody(id: Parameters<IkeCrypto['authData']>[3]): Uint8Array {
  return emitIkePayload(id).subarray(4);
}

export function createRealIkeCrypto(store: SaKeyStore, onKeys: (k: KeysAnnouncement) => void): IkeCrypto {
  function install(keys: IkeSaKeys, secrets: IkeSaSecrets, ivSecret: Uint8Array): void {
    // A machine's guard may derive what its action derives again (the same bytes): announced once.
    if (store.ike(keys.spiI, keys.spiR) !== undefined) return;
    const suite = CIPHER_SUITES[keys.suite];
    store.setIke(keys.spiI, keys.spiR, {
      suite,
      initiator: secrets.initiator,
      responder: secrets.responder,
      ivSecret,
    });
    onKeys({ kind: 'ike', spiI: keys.spiI, spiR: keys.spiR, suite, secrets });
  }

  /**
   * The IV secret of a Child SA direction: a keyed hash under the IKE SA's SK_d (derived from a DH secret the seeded
   * stream drew), so ESP IVs are as reproducible as the SK ones.
   */
  function childIvSecret(keys: IkeSaKeys, spi: number): Uint8Array {
    const base = keys.secrets?.skD ?? new Uint8Array(0);
    const spiBytesBe = Uint8Array.of(spi >>> 24, (spi >>> 16) & 0xff, (spi >>> 8) & 0xff, spi & 0xff);
    return prfHmacSha256(base, concatBytes(TEXT.encode('esp-iv'), spiBytesBe));
  }

  return {
    kind: 'real',
    keyExchange(group, rng) {
      // The same draws as the modelled KE (its public value's length in bytes): a run makes the same decisions,
      // SPIs and nonces with either crypto — only the bytes differ. The private key is the draws' head; the IV secret a
      // keyed hash of all of them (still only a function of the seeded stream).
      const drawn = modelledIkeCrypto.keyExchange(group, rng).publicKey;
      const need = SUPPORTED_DH_GROUPS.includes(group) ? dhPrivateKeyBytes(group) : Number.POSITIVE_INFINITY;
      if (need > drawn.length) return { group, publicKey: drawn, privateKey: new Uint8Array(0), ivSecret: drawn };
      const pair = dhKeyPair(group, drawn.subarray(0, need));
      const ivSecret = prfHmacSha256(drawn, TEXT.encode('lab: SK IV secret'));
      return { group, publicKey: pair.publicKey, privateKey: pair.privateKey, ivSecret };
    },

    establish(keys, _role, own, peerKe, initRequest, initResponse) {
      const withMessages = {
        ...keys,
        initMessages: { request: wireBytes(initRequest), response: wireBytes(initResponse) },
      };
      const shared =
        own === undefined || peerKe === undefined || own.privateKey.length === 0
          ? null
          : dhSharedSecret(own.group, own.privateKey, peerKe);
      // An unusable KE (RFC 7296 §3.4, RFC 5903 §9 / RFC 8031 §2 checks): no keys; what follows cannot be sealed or
      // opened, so the exchange fails as one whose peer does not answer.
      if (shared === null) return withMessages;
      const secrets = deriveIkeSaSecrets(
        CIPHER_SUITES[keys.suite],
        skeyseed(keys.nonceI, keys.nonceR, shared),
        keys.nonceI,
        keys.nonceR,
        spiBytes(keys.spiI),
        spiBytes(keys.spiR),
      );
      install(keys, secrets, own?.ivSecret ?? new Uint8Array(0));
      return { ...withMessages, secrets };
    },

    rekey(old, next, _role, own, peerKe) {
      const skD = old.secrets?.skD;
      const shared =
        own === undefined || peerKe === undefined || own.privateKey.length === 0
          ? null
          : dhSharedSecret(own.group, own.privateKey, peerKe);
      const { pendingKe: _ke, secrets: _old, ...rest } = next;
      if (skD === undefined || shared === null) return rest;
      const secrets = deriveIkeSaSecrets(
        CIPHER_SUITES[next.suite],
        rekeySkeyseed(skD, shared, next.nonceI, next.nonceR),
        next.nonceI,
        next.nonceR,
        spiBytes(next.spiI),
        spiBytes(next.spiR),
      );
      install(next, secrets, own?.ivSecret ?? new Uint8Array(0));
      return { ...rest, secrets };
    },

    authData(signer, pskName, keys, id) {
      const s = keys.secrets;
      const m = keys.initMessages;
      if (s === undefined || m === undefined) return modelledIkeCrypto.authData(signer, pskName, keys, id);
      // RFC 7296 §2.15: InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI (and the mirror for R).
      const octets =
        signer === 'initiator'
          ? signedOctets(m.request, keys.nonceR, s.skPi, idBody(id))
          : signedOctets(m.response, keys.nonceI, s.skPr, idBody(id));
      return pskAuthData(TEXT.encode(pskName), octets);
    },

    childKeys(keys, child, nonceI, nonceR, role, ends) {
      const s = keys.secrets;
      if (s === undefined) return;
      const suite = CIPHER_SUITES[child.suite];
      const keymat = deriveChildKeymat(suite, s.skD, nonceI, nonceR);
      // RFC 7296 §2.17: the initiator's outbound SA takes the first keys.
      const outKeys = role === 'initiator' ? keymat.initiatorToResponder : keymat.responderToInitiator;
      const inKeys = role === 'initiator' ? keymat.responderToInitiator : keymat.initiatorToResponder;
      store.setEsp('out', child.spiOut, { suite, keys: outKeys, ivSecret: childIvSecret(keys, child.spiOut) });
      store.setEsp('in', child.spiIn, { suite, keys: inKeys, ivSecret: childIvSecret(keys, child.spiIn) });
      const local = ends?.local.address ?? '0.0.0.0';
      const remote = ends?.remote.address ?? '0.0.0.0';
      onKeys({ kind: 'esp', src: local, dst: remote, spi: child.spiOut, suite, keys: outKeys });
      onKeys({ kind: 'esp', src: remote, dst: local, spi: child.spiIn, suite, keys: inKeys });
    },
  };
}

/** The trace note of an announcement (`crypto.keys`): hex keys, what `keys-export` turns into Wireshark's tables. */
export function keysNote(k: KeysAnnouncement): Readonly<Record<string, string | number>> {
  if (k.kind === 'ike') {
    const { initiator: i, responder: r } = k.secrets;
    return {
      kind: 'ike',
      spiI: k.spiI,
      spiR: k.spiR,
      suite: k.suite.name,
      skEi: toHex(tableKey(i)),
      skAi: toHex(i.integKey),
      skEr: toHex(tableKey(r)),
      skAr: toHex(r.integKey),
    };
  }
  return {
    kind: 'esp',
    src: k.src,
    dst: k.dst,
    spi: k.spi,
    suite: k.suite.name,
    encrKey: toHex(tableKey(k.keys)),
    integKey: toHex(k.keys.integKey),
  };
}
