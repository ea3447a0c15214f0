/**
 * Liveness check (RFC 7296 §2.4): an empty INFORMATIONAL request, answered by an empty response. No answer after the
 * retransmission schedule ⇒ the peer is dead and the IKE SA is closed.
 */
import { ikeContentPayloads, type IkeMessage, type IkePayload } from '../../wire/ike/index.ts';

export const buildI = (): IkePayload[] => [];
export const processR = (req: IkeMessage): boolean => ikeContentPayloads(req).length === 0;
export const buildR = (): IkePayload[] => [];
export const processI = (): true => true;
