/**
 * The few IKE header fields the checker needs, read straight from a `send` event's hex (the whole IPv4 datagram):
 * no full decode, no allocation beyond the SA key. RFC 7296 §3.1: SPIi (8), SPIr (8), next payload, version, exchange
 * type, flags (I = 0x08, R = 0x20), message ID (4). UDP 500, or 4500 after the four-zero non-ESP marker (RFC 3948 §2.2).
 */

export interface IkeHeaderView {
  /** `spiI|spiR` (hex). */
  readonly saKey: string;
  readonly exchangeType: number;
  readonly response: boolean;
  readonly messageId: number;
  /** The IKE message itself (from its header on, in hex): what RFC 7296 §2.1 asks to be identical. The IP and UDP
   * headers are not: a cached response to a replayed request goes to wherever the replay came from. */
  readonly messageHex: string;
}

export const IKE_SA_INIT = 34;

function byteAt(hex: string, offset: number): number {
  return parseInt(hex.slice(offset * 2, offset * 2 + 2), 16);
}

/** The IKE header of an IPv4/UDP datagram in hex, or undefined when it carries no IKE message. */
export function ikeHeaderOf(hex: string): IkeHeaderView | undefined {
  if (hex.length < 40) return undefined;
  const ihl = (byteAt(hex, 0) & 0x0f) * 4;
  if (byteAt(hex, 9) !== 17) return undefined;
  const dstPort = (byteAt(hex, ihl + 2) << 8) | byteAt(hex, ihl + 3);
  const srcPort = (byteAt(hex, ihl) << 8) | byteAt(hex, ihl + 1);
  let at = ihl + 8;
  if (dstPort === 4500 || srcPort === 4500) {
    if (hex.slice(at * 2, at * 2 + 8) !== '00000000') return undefined;
    at += 4;
  } else if (dstPort !== 500 && srcPort !== 500) return undefined;
  if (hex.length < (at + 28) * 2) return undefined;
  const spis = hex.slice(at * 2, (at + 16) * 2);
  const exchangeType = byteAt(hex, at + 18);
  const flags = byteAt(hex, at + 19);
  const messageId = parseInt(hex.slice((at + 20) * 2, (at + 24) * 2), 16);
  return {
    saKey: `${spis.slice(0, 16)}|${spis.slice(16)}`,
    exchangeType,
    response: (flags & 0x20) !== 0,
    messageId,
    messageHex: hex.slice(at * 2),
  };
}
