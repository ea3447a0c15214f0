/**
 * The exact bytes an IKE_SA_INIT message was parsed from. RFC 7296 §2.15 signs "RealMessage1/2", the message as it
 * was on the wire; re-emitting a parsed value from another implementation need not give the same bytes (payload
 * order, attribute encodings the lab reads but would write otherwise), so the parser remembers them — only for
 * IKE_SA_INIT, the only messages AUTH signs. Keyed weakly by the parsed value: nothing is kept once it is dropped.
 */
import type { IkeMessage } from './types.ts';

const received = new WeakMap<IkeMessage, Uint8Array>();

export function rememberReceivedIkeBytes(m: IkeMessage, bytes: Uint8Array): void {
  received.set(m, bytes);
}

export function receivedIkeBytes(m: IkeMessage): Uint8Array | undefined {
  return received.get(m);
}
