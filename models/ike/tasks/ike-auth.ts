/**
 * IKE_AUTH (RFC 7296 §1.2, §2.15): SK{IDi, [IDr], AUTH, [CP], [SAi2, TSi, TSr]}. The method's payloads (CP, DHCP, …)
 * go after AUTH, the Child SA's after them, as in §2.19's diagram — or after the Child SA's when the method says so
 * (the WG draft's DHCP, draft-ietf-ipsec-dhcp-over-ike-00 §3). Childless (RFC 6023) when the method says so:
 * no SAi2/TSi/TSr. Authentication is modelled (auth.ts): a wrong key name ⇒ AUTHENTICATION_FAILED (§2.21.2).
 */
import {
  IkeAuthMethod,
  findNotify,
  findPayload,
  notifyPayload,
  type IkeIdPayload,
  type IkeMessage,
  type IkePayload,
} from '../../wire/ike/index.ts';
import { bytesEqual } from '../auth.ts';
import { modelledIkeCrypto, type IkeCrypto } from '../ike-crypto.ts';
import type { IkeSaKeys } from '../sa.ts';

export function idPayload(kind: 'IDi' | 'IDr', identity: string): IkeIdPayload {
  return {
    kind,
    critical: false,
    id: identity.includes('@') ? { kind: 'rfc822', name: identity } : { kind: 'fqdn', name: identity },
  };
}

export function identityOf(p: IkeIdPayload | undefined): string | undefined {
  if (p === undefined) return undefined;
  const id = p.id;
  return id.kind === 'fqdn' || id.kind === 'rfc822' ? id.name : id.kind === 'ipv4' ? id.address : undefined;
}

/** RFC 7296 §2.15: the signer's AUTH over its IKE_SA_INIT message, the peer's nonce and its own ID payload. */
function authPayload(
  pskName: string,
  role: 'initiator' | 'responder',
  keys: IkeSaKeys,
  id: IkeIdPayload,
  crypto: IkeCrypto,
): IkePayload {
  return {
    kind: 'AUTH',
    critical: false,
    method: IkeAuthMethod.SHARED_KEY_MIC,
    data: crypto.authData(role, pskName, keys, id),
  };
}

export function buildI(
  identity: string,
  peerIdentity: string | undefined,
  pskName: string,
  keys: IkeSaKeys,
  methodPayloads: readonly IkePayload[],
  childPayloads: readonly IkePayload[],
  initialContact = false,
  methodAfterChild = false,
  crypto: IkeCrypto = modelledIkeCrypto,
): IkePayload[] {
  const idI = idPayload('IDi', identity);
  const out: IkePayload[] = [idI];
  // RFC 7296 §2.4: INITIAL_CONTACT goes in the first IKE_AUTH request (after IDi, where strongSwan puts it).
  if (initialContact) out.push(notifyPayload({ notify: 'INITIAL_CONTACT' }));
  if (peerIdentity !== undefined) out.push(idPayload('IDr', peerIdentity));
  out.push(authPayload(pskName, 'initiator', keys, idI, crypto));
  // RFC 7296 §2.19: CP before SAi2; draft-ietf-ipsec-dhcp-over-ike-00 §3: DHCP after SAi2, TSi, TSr.
  if (methodAfterChild) out.push(...childPayloads, ...methodPayloads);
  else out.push(...methodPayloads, ...childPayloads);
  return out;
}

/** RFC 7296 §2.4: did the (first) IKE_AUTH request assert INITIAL_CONTACT? */
export function initialContactOf(req: IkeMessage): boolean {
  return findNotify(req, 'INITIAL_CONTACT') !== undefined;
}

export type AuthProcessR =
  { readonly ok: true; readonly peerId: string } | { readonly ok: false; readonly peerId: string | undefined };

/** `pskFor` looks up the key name the responder holds for an identity. */
export function processR(
  req: IkeMessage,
  keys: IkeSaKeys,
  pskFor: (identity: string) => string | undefined,
  crypto: IkeCrypto = modelledIkeCrypto,
): AuthProcessR {
  const idI = findPayload(req, 'IDi');
  const peerId = identityOf(idI);
  const auth = findPayload(req, 'AUTH');
  const psk = peerId === undefined ? undefined : pskFor(peerId);
  if (peerId === undefined || idI === undefined || auth === undefined || psk === undefined)
    return { ok: false, peerId };
  return { ok: bytesEqual(auth.data, crypto.authData('initiator', psk, keys, idI)), peerId };
}

export function buildR(
  identity: string,
  pskName: string,
  keys: IkeSaKeys,
  rest: readonly IkePayload[],
  crypto: IkeCrypto = modelledIkeCrypto,
): IkePayload[] {
  const idR = idPayload('IDr', identity);
  return [idR, authPayload(pskName, 'responder', keys, idR, crypto), ...rest];
}

/** RFC 7296 §2.21.2: an IKE_AUTH response with AUTHENTICATION_FAILED carries only that notify. */
export function failureR(): IkePayload[] {
  return [notifyPayload({ notify: 'AUTHENTICATION_FAILED' })];
}

export function processI(
  resp: IkeMessage,
  pskName: string,
  keys: IkeSaKeys,
  crypto: IkeCrypto = modelledIkeCrypto,
): boolean {
  const auth = findPayload(resp, 'AUTH');
  // Only the real AUTH signs the responder's ID payload (RFC 7296 §2.15); the modelled digest never read it.
  const idR = findPayload(resp, 'IDr') ?? (crypto.kind === 'modelled' ? idPayload('IDr', '') : undefined);
  return (
    auth !== undefined && idR !== undefined && bytesEqual(auth.data, crypto.authData('responder', pskName, keys, idR))
  );
}
