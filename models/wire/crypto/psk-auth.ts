/**
 * Pre-shared-key authentication (RFC 7296 §2.15):
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI, MACedIDForI = prf(SK_pi, RestOfInitIDPayload)
 *   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 * (the responder's side is the same with RealMessage2, NonceIData, SK_pr and its IDr).
 */
import { concatBytes, prfHmacSha256 } from './prf.ts';

/** The 17 ASCII octets "Key Pad for IKEv2", no terminating NUL (RFC 7296 §2.15). */
export const KEY_PAD_FOR_IKEV2: Uint8Array = Uint8Array.from('Key Pad for IKEv2', (c) => c.charCodeAt(0));

/**
 * The octets an AUTH payload signs: the sender's first message as sent (IKE_SA_INIT), the peer's Nonce Data, and
 * prf(SK_p, ID payload body after its 4-byte generic header: ID Type, 3 reserved bytes, identification data).
 */
export function signedOctets(
  realMessage: Uint8Array,
  peerNonce: Uint8Array,
  skP: Uint8Array,
  idPayloadBody: Uint8Array,
): Uint8Array {
  return concatBytes(realMessage, peerNonce, prfHmacSha256(skP, idPayloadBody));
}

/** AUTH data for "Shared Key Message Integrity Code" (auth method 2): 32 bytes with PRF_HMAC_SHA2_256. */
export function pskAuthData(psk: Uint8Array, octets: Uint8Array): Uint8Array {
  return prfHmacSha256(prfHmacSha256(psk, KEY_PAD_FOR_IKEV2), octets);
}
