/**
 * Rekeying the IKE SA (RFC 7296 §1.3.2, §2.18): CREATE_CHILD_SA SK{SA, Ni, KEi} with a new 8-byte SPI in the
 * proposal → SK{SA, Nr, KEr}; the initiator then deletes the old IKE SA over it (ike-delete). Child SAs move to the
 * new IKE SA; message IDs of the new SA start at 0.
 */
import type { RandomStream } from '../../contract.ts';
import type { CipherSuiteName } from '../../wire/crypto-suite.ts';
import { IkeProtocolId, findPayload, type IkeMessage, type IkePayload } from '../../wire/ike/index.ts';
import { acceptedProposal, offerProposals, saPayload } from '../proposals.ts';
import { randomNonce, type IkeSaKeys } from '../sa.ts';
import { modelledIkeCrypto, type IkeCrypto, type KeyExchangeHalf } from '../ike-crypto.ts';
import { kePayload } from './ike-init.ts';

export function buildI(
  keys: IkeSaKeys,
  newSpiI: string,
  rng: RandomStream,
  crypto: IkeCrypto = modelledIkeCrypto,
): { payloads: IkePayload[]; nonceI: Uint8Array; ke: KeyExchangeHalf } {
  const nonceI = randomNonce(rng);
  const sa = saPayload(offerProposals([keys.suite], IkeProtocolId.IKE, newSpiI, [keys.dhGroup]));
  const ke = crypto.keyExchange(keys.dhGroup, rng);
  return { payloads: [sa, { kind: 'Nonce', critical: false, data: nonceI }, kePayload(ke)], nonceI, ke };
}

/** Is this CREATE_CHILD_SA an IKE SA rekey (an SA payload proposing protocol IKE)? Returns the new SPIi and KEi. */
export function processR(
  req: IkeMessage,
): { spiI: string; nonceI: Uint8Array; ke: Uint8Array | undefined } | undefined {
  const p = findPayload(req, 'SA')?.proposals[0];
  const n = findPayload(req, 'Nonce');
  if (p === undefined || p.protocolId !== IkeProtocolId.IKE || n === undefined) return undefined;
  return { spiI: p.spi, nonceI: n.data, ke: findPayload(req, 'KE')?.data };
}

export function buildR(
  suite: CipherSuiteName,
  dhGroup: number,
  newSpiR: string,
  rng: RandomStream,
  crypto: IkeCrypto = modelledIkeCrypto,
): { payloads: IkePayload[]; nonceR: Uint8Array; ke: KeyExchangeHalf } {
  const nonceR = randomNonce(rng);
  const proposal = acceptedProposal(
    { suite, dhGroup, proposal: { number: 1, protocolId: IkeProtocolId.IKE, spi: '', transforms: [] } },
    IkeProtocolId.IKE,
    newSpiR,
  );
  const ke = crypto.keyExchange(dhGroup, rng);
  return {
    payloads: [saPayload([proposal]), { kind: 'Nonce', critical: false, data: nonceR }, kePayload(ke)],
    nonceR,
    ke,
  };
}

export function processI(
  resp: IkeMessage,
): { spiR: string; nonceR: Uint8Array; ke: Uint8Array | undefined } | undefined {
  const p = findPayload(resp, 'SA')?.proposals[0];
  const n = findPayload(resp, 'Nonce');
  if (p === undefined || p.protocolId !== IkeProtocolId.IKE || n === undefined) return undefined;
  return { spiR: p.spi, nonceR: n.data, ke: findPayload(resp, 'KE')?.data };
}
