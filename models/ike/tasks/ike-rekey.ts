/**
 * Rekeying the IKE SA (RFC 7296 §1.3.2, §2.18): CREATE_CHILD_SA SK{SA, Ni, KEi} with a new 8-byte SPI in the
 * proposal → SK{SA, Nr, KEr}; the initiator then deletes the old IKE SA over it (ike-delete). Child SAs move to the
 * new IKE SA; message IDs of the new SA start at 0.
 */
import type { RandomStream } from '../../contract.ts';
import { dhGroup as dhGroupInfo, type CipherSuiteName } from '../../wire/crypto-suite.ts';
import { IkeProtocolId, findPayload, type IkeMessage, type IkePayload } from '../../wire/ike/index.ts';
import { acceptedProposal, offerProposals, saPayload } from '../proposals.ts';
import { randomNonce, type IkeSaKeys } from '../sa.ts';

function ke(group: number, rng: RandomStream): IkePayload {
  const data = new Uint8Array(dhGroupInfo(group)?.keBytes ?? 32);
  for (let i = 0; i < data.length; i++) data[i] = rng.intBelow(256);
  return { kind: 'KE', critical: false, dhGroup: group, data };
}

export function buildI(
  keys: IkeSaKeys,
  newSpiI: string,
  rng: RandomStream,
): { payloads: IkePayload[]; nonceI: Uint8Array } {
  const nonceI = randomNonce(rng);
  return {
    payloads: [
      saPayload(offerProposals([keys.suite], IkeProtocolId.IKE, newSpiI, [keys.dhGroup])),
      { kind: 'Nonce', critical: false, data: nonceI },
      ke(keys.dhGroup, rng),
    ],
    nonceI,
  };
}

/** Is this CREATE_CHILD_SA an IKE SA rekey (an SA payload proposing protocol IKE)? Returns the new SPIi. */
export function processR(req: IkeMessage): { spiI: string; nonceI: Uint8Array } | undefined {
  const p = findPayload(req, 'SA')?.proposals[0];
  const n = findPayload(req, 'Nonce');
  if (p === undefined || p.protocolId !== IkeProtocolId.IKE || n === undefined) return undefined;
  return { spiI: p.spi, nonceI: n.data };
}

export function buildR(
  suite: CipherSuiteName,
  dhGroup: number,
  newSpiR: string,
  rng: RandomStream,
): { payloads: IkePayload[]; nonceR: Uint8Array } {
  const nonceR = randomNonce(rng);
  const proposal = acceptedProposal(
    { suite, dhGroup, proposal: { number: 1, protocolId: IkeProtocolId.IKE, spi: '', transforms: [] } },
    IkeProtocolId.IKE,
    newSpiR,
  );
  return {
    payloads: [saPayload([proposal]), { kind: 'Nonce', critical: false, data: nonceR }, ke(dhGroup, rng)],
    nonceR,
  };
}

export function processI(resp: IkeMessage): { spiR: string; nonceR: Uint8Array } | undefined {
  const p = findPayload(resp, 'SA')?.proposals[0];
  const n = findPayload(resp, 'Nonce');
  if (p === undefined || p.protocolId !== IkeProtocolId.IKE || n === undefined) return undefined;
  return { spiR: p.spi, nonceR: n.data };
}
