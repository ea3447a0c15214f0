/** Building IKE messages for an SA: header fields from the SA and role, payloads inside SK after IKE_SA_INIT. */
import {
  IkeExchangeType,
  skPayload,
  type IkeMessage,
  type IkeNotification,
  type IkePayload,
} from '../wire/ike/index.ts';
import type { IkeSaKeys } from './sa.ts';
import type { CipherSuiteName } from '../wire/crypto-suite.ts';
import { fitted } from '../wire/fitted.ts';

export interface Addressing {
  readonly spiI: string;
  readonly spiR: string;
  /** Set by the original initiator of the IKE SA (RFC 7296 §3.1 flag I). */
  readonly originalInitiator: boolean;
  readonly suite: CipherSuiteName | undefined;
}

export function addressing(keys: IkeSaKeys, originalInitiator: boolean): Addressing {
  return { spiI: keys.spiI, spiR: keys.spiR, originalInitiator, suite: keys.suite };
}

export function ikeMessage(
  a: Addressing,
  exchangeType: number,
  messageId: number,
  response: boolean,
  payloads: readonly IkePayload[],
): IkeMessage {
  return saMessage(a.spiI, a.spiR, a.originalInitiator, a.suite, exchangeType, messageId, response, payloads);
}

/** `ikeMessage` with the addressing as arguments (the requests and responses of an SA: no Addressing per message). */
export function saMessage(
  spiI: string,
  spiR: string,
  originalInitiator: boolean,
  suite: CipherSuiteName | undefined,
  exchangeType: number,
  messageId: number,
  response: boolean,
  payloads: readonly IkePayload[],
): IkeMessage {
  const protect = exchangeType !== IkeExchangeType.IKE_SA_INIT && suite !== undefined;
  return {
    spiI,
    spiR,
    exchangeType,
    initiator: originalInitiator,
    higherVersion: false,
    response,
    messageId,
    // Sized to fit: a response is kept for retransmission for the SA's life (RFC 7296 §2.1).
    payloads: protect ? [skPayload(suite, fitted(payloads))] : fitted(payloads),
  };
}

/** The error notifies the machines act on (RFC 7296 §3.10.1); one set, not an array per notify read. */
const ERROR_NOTIFIES: ReadonlySet<IkeNotification['notify']> = new Set<IkeNotification['notify']>([
  'NO_PROPOSAL_CHOSEN',
  'INVALID_KE_PAYLOAD',
  'AUTHENTICATION_FAILED',
  'INTERNAL_ADDRESS_FAILURE',
  'FAILED_CP_REQUIRED',
  'TS_UNACCEPTABLE',
  'TEMPORARY_FAILURE',
  'CHILD_SA_NOT_FOUND',
  'INVALID_SYNTAX',
]);

/** The notify names of a message's error notifies (types below 16384, RFC 7296 §3.10.1), outer then inside SK. */
export function errorNotifies(m: IkeMessage): IkeNotification['notify'][] {
  const out: IkeNotification['notify'][] = [];
  for (const p of m.payloads) {
    if (p.kind === 'SK') {
      for (const q of p.payloads) if (q.kind === 'N' && ERROR_NOTIFIES.has(q.notify)) out.push(q.notify);
    } else if (p.kind === 'N' && ERROR_NOTIFIES.has(p.notify)) out.push(p.notify);
  }
  return out;
}
