/**
 * The responder's response cache outliving its IKE SA. RFC 7296 §2.1: "The responder MUST remember each response
 * until it receives a request whose sequence number is larger than or equal to the sequence number in the response
 * plus its window size ... responders are allowed to forget the response after a timeout of several minutes. If the
 * responder receives a retransmitted request for which it has already forgotten the response, it MUST ignore the
 * request (and not, for example, attempt constructing a new response)."
 *
 * An IKE SA can end right after its last response (the peer's Delete answered, §1.4.1; the old IKE SA of a rekey
 * deleted, §2.18; an AUTHENTICATION_FAILED answer, §2.21.2; a half-open SA timed out between IKE_AUTH rounds). If
 * that response is lost, the peer retransmits the request on an IKE SA the node no longer has; without this store
 * the node would build a new, different response to it (an unprotected INVALID_IKE_SPI, §2.21.4). So when an IKE SA
 * ends, its last response is kept here for `keepUs` (longer than a peer's whole retransmission schedule): a repeat
 * of that request gets those very bytes again, an older request is ignored (its response is forgotten), and any
 * newer request is for an IKE SA that is gone (the caller answers INVALID_IKE_SPI, §2.21.4).
 */
import type { IkeMessage } from '../wire/ike/index.ts';
import { retransmitTimelineMs, type RetransmitPolicy } from './retransmit.ts';

/**
 * What the store needs of a kept response: the SPIs and message ID a request is matched by. An `IkeMessage` is one;
 * the gateway keeps a smaller record, the response's bytes as sent (models/nodes/gateway/sa-table.ts `SentResponse`).
 */
export interface CachedResponse {
  readonly spiI: string;
  readonly spiR: string;
  readonly messageId: number;
  readonly response: boolean;
}

/** "several minutes" (RFC 7296 §2.1). */
export const RETIRED_RESPONSE_KEEP_MS = 300_000;

/** What to do with a request on a retired IKE SA; undefined: not one we remember (treat it as unknown). */
export type RetiredAnswer<R extends CachedResponse = IkeMessage> =
  { readonly kind: 'resend'; readonly message: R } | { readonly kind: 'ignore'; readonly cachedMessageId: number };

interface Retired<R extends CachedResponse> {
  readonly response: R;
  readonly untilUs: number;
}

const keyOf = (spiI: string, spiR: string): string => `${spiI}|${spiR}`;

/** How long to keep a retired response: several minutes, and never less than our own retransmission schedule. */
export function retiredKeepUs(policy: RetransmitPolicy): number {
  return Math.max(RETIRED_RESPONSE_KEEP_MS, retransmitTimelineMs(policy).giveUpMs) * 1000;
}

export class RetiredResponses<R extends CachedResponse = IkeMessage> {
  /** Made at the first retirement: most nodes of a storm (every client) never retire a response while idle. */
  private bySa: Map<string, Retired<R>> | undefined = undefined;

  constructor(readonly keepUs: number) {}

  /** The IKE SA named by `response`'s SPIs has ended; `response` was the last one it sent. */
  retire(response: R | undefined, nowUs: number): void {
    const bySa = this.bySa;
    if (bySa !== undefined) for (const [key, r] of bySa) if (r.untilUs <= nowUs) bySa.delete(key);
    if (response === undefined || !response.response) return;
    (this.bySa ??= new Map()).set(keyOf(response.spiI, response.spiR), { response, untilUs: nowUs + this.keepUs });
  }

  /** A request for an IKE SA the node no longer has: is it the retired SA's last request, or an older one? */
  answer(m: IkeMessage, nowUs: number): RetiredAnswer<R> | undefined {
    if (m.response) return undefined;
    const key = keyOf(m.spiI, m.spiR);
    const r = this.bySa?.get(key);
    if (r === undefined) return undefined;
    if (r.untilUs <= nowUs) {
      this.bySa?.delete(key);
      return undefined;
    }
    const cached = r.response.messageId;
    if (m.messageId === cached) return { kind: 'resend', message: r.response };
    if (m.messageId < cached) return { kind: 'ignore', cachedMessageId: cached };
    return undefined;
  }

  /** A crash forgets everything. */
  clear(): void {
    this.bySa?.clear();
  }
}
