/**
 * Deleting a Child SA (RFC 7296 §1.4.1): INFORMATIONAL SK{D(ESP, our inbound SPI)} → SK{D(ESP, the peer's inbound
 * SPI of the same pair)}.
 */
import {
  IkeProtocolId,
  findPayloads,
  somePayload,
  type IkeDeletePayload,
  type IkeMessage,
} from '../../wire/ike/index.ts';
import { espSpiFromHex, espSpiHex } from '../sa.ts';

export function deletePayload(spis: readonly number[]): IkeDeletePayload {
  return { kind: 'D', critical: false, protocolId: IkeProtocolId.ESP, spiSize: 4, spis: spis.map(espSpiHex) };
}

export const buildI = (spiIn: number): IkeDeletePayload[] => [deletePayload([spiIn])];
/** The peer's inbound SPIs (our outbound) it deleted. */
export function processR(req: IkeMessage): number[] {
  return findPayloads(req, 'D')
    .filter((d) => d.protocolId === IkeProtocolId.ESP)
    .flatMap((d) => d.spis.map(espSpiFromHex));
}
const deletesEsp = (d: IkeDeletePayload): boolean => d.protocolId === IkeProtocolId.ESP && d.spis.length > 0;
/** `processR(req).length > 0` without its arrays (the responder's guards ask it of every INFORMATIONAL request). */
export const deletesAny = (req: IkeMessage): boolean => somePayload(req, 'D', deletesEsp);
export const buildR = (spisIn: readonly number[]): IkeDeletePayload[] =>
  spisIn.length === 0 ? [] : [deletePayload(spisIn)];
export const processI = processR;
