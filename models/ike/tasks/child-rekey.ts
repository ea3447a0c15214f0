/**
 * Rekeying a Child SA (RFC 7296 §1.3.3, §2.8): CREATE_CHILD_SA SK{N(REKEY_SA), SA, Ni, TSi, TSr} →
 * SK{SA, Nr, TSi, TSr}; the initiator then deletes the old SA (child-delete). A responder that is busy (or
 * rekeying the same SA itself, §2.25) answers TEMPORARY_FAILURE and the initiator retries later.
 */
import type { RandomStream } from '../../contract.ts';
import {
  IkeProtocolId,
  findNotify,
  findPayload,
  notifyPayload,
  type IkeMessage,
  type IkePayload,
} from '../../wire/ike/index.ts';
import type { IkePeerConfig } from '../config.ts';
import { espSpiFromHex, espSpiHex, randomNonce } from '../sa.ts';
import * as childCreate from './child-create.ts';

export function buildI(
  cfg: IkePeerConfig,
  rng: RandomStream,
  oldSpiIn: number,
  child: childCreate.ChildParams,
  methodPayloads: readonly IkePayload[] = [],
): IkePayload[] {
  return [
    notifyPayload({ notify: 'REKEY_SA' }, IkeProtocolId.ESP, espSpiHex(oldSpiIn)),
    ...childCreate.buildCreateI(cfg, rng, child, methodPayloads),
  ];
}

/** The SPI (the initiator's inbound, i.e. our outbound) of the Child SA being rekeyed, or undefined. */
export function processR(req: IkeMessage): number | undefined {
  const n = findNotify(req, 'REKEY_SA');
  return n === undefined ? undefined : espSpiFromHex(n.spi);
}

export function buildR(rng: RandomStream, result: childCreate.ChildNegotiated, spiIn: number): IkePayload[] {
  const [sa, tsi, tsr] = childCreate.buildR(result, spiIn);
  return [
    sa as IkePayload,
    { kind: 'Nonce', critical: false, data: randomNonce(rng) },
    tsi as IkePayload,
    tsr as IkePayload,
  ];
}

export function busyR(): IkePayload[] {
  return [notifyPayload({ notify: 'TEMPORARY_FAILURE' })];
}

export const processI = childCreate.processI;
export { findPayload };
