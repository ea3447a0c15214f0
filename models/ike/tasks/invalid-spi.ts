/**
 * INVALID_IKE_SPI outside any IKE SA (RFC 7296 §2.21.4, §1.5): a request that names an IKE SA the receiver does not
 * know (it crashed and forgot it) is answered by an unprotected response carrying only N(INVALID_IKE_SPI), with the
 * received SPIs, Exchange Type and Message ID copied and the Response flag set. The receiver of such a response must
 * not answer it; it is only a hint, checked before acting on it (initiator-core.ts `invalidSpiHint`).
 */
import { findPayloads, notifyPayload, type IkeMessage } from '../../wire/ike/index.ts';

/** The unprotected response to a request on an unknown IKE SA (RFC 7296 §2.21.4), or undefined for a response. */
export function buildResponse(req: IkeMessage, weAreOriginalInitiator: boolean): IkeMessage | undefined {
  // §2.21.4: "If the message is marked as a response, the node can audit the suspicious event but MUST NOT respond."
  if (req.response) return undefined;
  return {
    spiI: req.spiI,
    spiR: req.spiR,
    exchangeType: req.exchangeType,
    initiator: weAreOriginalInitiator,
    higherVersion: false,
    response: true,
    messageId: req.messageId,
    // Outside any IKE SA there are no keys: the payloads go in the clear (§1.5).
    payloads: [notifyPayload({ notify: 'INVALID_IKE_SPI' })],
  };
}

/**
 * Is `m` an unprotected INVALID_IKE_SPI response naming exactly this IKE SA (both SPIs) and the request of ours that
 * is outstanding (`messageId`)? Anything else is not about our SA and is ignored.
 */
export function matches(m: IkeMessage, spiI: string, spiR: string, messageId: number | undefined): boolean {
  if (!m.response || messageId === undefined || m.messageId !== messageId) return false;
  if (m.spiI !== spiI || m.spiR !== spiR) return false;
  // findPayloads looks inside SK too; the notify must be outside it (a protected one would come from a live peer).
  if (m.payloads.some((p) => p.kind === 'SK')) return false;
  return findPayloads(m, 'N').some((n) => n.notify === 'INVALID_IKE_SPI');
}
