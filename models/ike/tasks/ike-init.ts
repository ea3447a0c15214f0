/**
 * IKE_SA_INIT (RFC 7296 §1.2): HDR, SAi1, KEi, Ni → HDR, SAr1, KEr, Nr. A KE for a group the responder does not
 * want ⇒ N(INVALID_KE_PAYLOAD, group) and the initiator retries with that group (§1.2, §2.7); no common suite ⇒
 * N(NO_PROPOSAL_CHOSEN). Task functions in strongSwan's order: buildI, processR, buildR, processI.
 */
import type { RandomStream } from '../../contract.ts';
import type { CipherSuiteName } from '../../wire/crypto-suite.ts';
import {
  IkeNotifyType,
  IkeProtocolId,
  findNotify,
  findPayload,
  notifyPayload,
  type IkeMessage,
  type IkePayload,
} from '../../wire/ike/index.ts';
import type { IkePeerConfig } from '../config.ts';
import { acceptedProposal, chooseProposal, offerProposals, readAccepted, saPayload } from '../proposals.ts';
import { natDetectionPayloads, type IkeEndpoints } from '../nat-detection.ts';
import { randomNonce } from '../sa.ts';
import { modelledIkeCrypto, type IkeCrypto, type KeyExchangeHalf } from '../ike-crypto.ts';

export function kePayload(ke: KeyExchangeHalf): IkePayload {
  return { kind: 'KE', critical: false, dhGroup: ke.group, data: ke.publicKey };
}

function nonce(data: Uint8Array): IkePayload {
  return { kind: 'Nonce', critical: false, data };
}

export function buildI(
  cfg: IkePeerConfig,
  rng: RandomStream,
  group: number,
  crypto: IkeCrypto = modelledIkeCrypto,
): { payloads: IkePayload[]; nonceI: Uint8Array; ke: KeyExchangeHalf } {
  const nonceI = randomNonce(rng);
  const groups = [group, ...cfg.dhGroups.filter((g) => g !== group)];
  const sa = saPayload(offerProposals(cfg.suites, IkeProtocolId.IKE, '', groups));
  const ke = crypto.keyExchange(group, rng);
  return { payloads: [sa, kePayload(ke), nonce(nonceI)], nonceI, ke };
}

/**
 * What follows SA, KE, Nonce in an IKE_SA_INIT (strongSwan's order, the captures): the NAT-D notifies (RFC 7296
 * §2.23) and CHILDLESS_IKEV2_SUPPORTED (RFC 6023 §3: the initiator that means to send a childless IKE_AUTH says so,
 * and a responder supporting it answers in kind).
 */
export function initNotifies(
  spiI: string,
  spiR: string,
  ends: IkeEndpoints | undefined,
  o: { readonly natDetection: boolean; readonly childless: boolean },
): IkePayload[] {
  return [
    ...(o.natDetection && ends !== undefined ? natDetectionPayloads(spiI, spiR, ends) : []),
    ...(o.childless ? [notifyPayload({ notify: 'CHILDLESS_IKEV2_SUPPORTED' })] : []),
  ];
}

/** RFC 6023 §3: did this IKE_SA_INIT say CHILDLESS_IKEV2_SUPPORTED? */
export function saysChildless(m: IkeMessage): boolean {
  return findNotify(m, 'CHILDLESS_IKEV2_SUPPORTED') !== undefined;
}

/** RFC 7296 §2.23: did the IKE_SA_INIT carry NAT-D (then the answer does too)? */
export function hasNatDetection(m: IkeMessage): boolean {
  return findNotify(m, 'NAT_DETECTION_DESTINATION_IP') !== undefined;
}

export type InitProcessR =
  | {
      readonly ok: true;
      readonly suite: CipherSuiteName;
      readonly dhGroup: number;
      readonly nonceI: Uint8Array;
      readonly proposalNumber: number;
    }
  | { readonly ok: false; readonly payloads: IkePayload[]; readonly reason: string };

export function processR(cfg: IkePeerConfig, req: IkeMessage): InitProcessR {
  const sa = findPayload(req, 'SA');
  const ke = findPayload(req, 'KE');
  const ni = findPayload(req, 'Nonce');
  if (sa === undefined || ke === undefined || ni === undefined) {
    return { ok: false, payloads: [notifyPayload({ notify: 'INVALID_SYNTAX' })], reason: 'missing SA/KE/Nonce' };
  }
  const chosen = chooseProposal(sa.proposals, cfg.suites, cfg.dhGroups, IkeProtocolId.IKE);
  if (chosen?.dhGroup === undefined) {
    return { ok: false, payloads: [notifyPayload({ notify: 'NO_PROPOSAL_CHOSEN' })], reason: 'no common proposal' };
  }
  if (ke.dhGroup !== chosen.dhGroup) {
    // RFC 7296 §1.2: the responder names the group it wants; the initiator retries with a KE of it.
    return {
      ok: false,
      payloads: [notifyPayload({ notify: 'INVALID_KE_PAYLOAD', dhGroup: chosen.dhGroup })],
      reason: `KE group ${ke.dhGroup}, want ${chosen.dhGroup}`,
    };
  }
  return {
    ok: true,
    suite: chosen.suite,
    dhGroup: chosen.dhGroup,
    nonceI: ni.data,
    proposalNumber: chosen.proposal.number,
  };
}

export function buildR(
  accepted: { suite: CipherSuiteName; dhGroup: number; proposalNumber: number },
  rng: RandomStream,
  crypto: IkeCrypto = modelledIkeCrypto,
): { payloads: IkePayload[]; nonceR: Uint8Array; ke: KeyExchangeHalf } {
  const nonceR = randomNonce(rng);
  const proposal = acceptedProposal(
    {
      suite: accepted.suite,
      dhGroup: accepted.dhGroup,
      proposal: { number: accepted.proposalNumber, protocolId: IkeProtocolId.IKE, spi: '', transforms: [] },
    },
    IkeProtocolId.IKE,
    '',
  );
  const ke = crypto.keyExchange(accepted.dhGroup, rng);
  return { payloads: [saPayload([proposal]), kePayload(ke), nonce(nonceR)], nonceR, ke };
}

export type InitProcessI =
  | { readonly kind: 'ok'; readonly suite: CipherSuiteName; readonly dhGroup: number; readonly nonceR: Uint8Array }
  | { readonly kind: 'retry'; readonly dhGroup: number }
  | { readonly kind: 'fail'; readonly notify: string };

export function processI(cfg: IkePeerConfig, resp: IkeMessage): InitProcessI {
  const invalidKe = findNotify(resp, 'INVALID_KE_PAYLOAD');
  if (invalidKe?.notify === 'INVALID_KE_PAYLOAD') {
    if (cfg.dhGroups.includes(invalidKe.dhGroup)) return { kind: 'retry', dhGroup: invalidKe.dhGroup };
    return { kind: 'fail', notify: 'INVALID_KE_PAYLOAD' };
  }
  const err = findPayload(resp, 'N');
  const accepted = readAccepted(findPayload(resp, 'SA'), cfg.suites);
  const nr = findPayload(resp, 'Nonce');
  if (accepted === undefined || nr === undefined || accepted.dhGroup === undefined) {
    return { kind: 'fail', notify: err?.notify ?? 'NO_PROPOSAL_CHOSEN' };
  }
  return { kind: 'ok', suite: accepted.suite, dhGroup: accepted.dhGroup, nonceR: nr.data };
}

/**
 * RFC 7296 §2.6: a responder under load answers IKE_SA_INIT with only N(COOKIE); the initiator retries with that
 * notify as the first payload and the rest of its request unchanged. The cookie's data, if `resp` is such an answer.
 */
export function cookieOf(resp: IkeMessage): Uint8Array | undefined {
  for (const p of resp.payloads) {
    if (p.kind === 'N' && p.notify === 'other' && p.notifyType === IkeNotifyType.COOKIE) return p.data;
  }
  return undefined;
}

/** The retried IKE_SA_INIT request's payloads: N(COOKIE) first, then the previous request's (an old cookie dropped). */
export function withCookie(previous: readonly IkePayload[], cookie: Uint8Array): IkePayload[] {
  const rest = previous.filter(
    (p) => !(p.kind === 'N' && p.notify === 'other' && p.notifyType === IkeNotifyType.COOKIE),
  );
  return [notifyPayload({ notify: 'other', notifyType: IkeNotifyType.COOKIE, data: cookie }), ...rest];
}
