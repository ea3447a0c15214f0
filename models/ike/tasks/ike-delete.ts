/** Deleting the IKE SA (RFC 7296 §1.4.1): INFORMATIONAL SK{D(IKE)} → SK{} (an empty response); Child SAs go with it. */
import { IkeProtocolId, somePayload, type IkeDeletePayload, type IkeMessage } from '../../wire/ike/index.ts';

export const buildI = (): IkeDeletePayload[] => [
  { kind: 'D', critical: false, protocolId: IkeProtocolId.IKE, spiSize: 0, spis: [] },
];
const deletesIke = (d: IkeDeletePayload): boolean => d.protocolId === IkeProtocolId.IKE;
export const processR = (req: IkeMessage): boolean => somePayload(req, 'D', deletesIke);
export const buildR = (): [] => [];
export const processI = (): true => true;
