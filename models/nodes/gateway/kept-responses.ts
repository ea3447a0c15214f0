/**
 * The gateway's responses kept as sent. RFC 7296 §2.1: the responder remembers its last response and answers a
 * retransmitted request with it — the same bytes, never a new response. The gateway node sends through this codec:
 * it encodes and summarises as the one it wraps, and hands over the bytes (and the trace summary, when the trace asks
 * for one) of a response as the host sends it. A kept response goes out again as those bytes, in a UDP/500 packet
 * that encodes to the very datagram sent the first time (same addresses, ports, IPv4 defaults and checksum).
 *
 * Keeping the bytes rather than the built message: an idle IKE SA's last response (a CREATE_CHILD_SA response with a
 * parsed DHCP message, its options and payloads) was ~1.4 KB of heap per SA in a storm; its bytes are a few hundred.
 */
import type { PacketCodec } from '../../contract.ts';
import type { IkeMessage } from '../../wire/ike/index.ts';
import type { ParseResult } from '../../wire/result.ts';
import { datagramPacket, IKE_PORT, ikePacket, type Packet } from '../lab-packet.ts';
import type { SentResponse } from './sa-table.ts';

/** Bytes of an IPv4 datagram's UDP payload: after the IPv4 header (IHL, RFC 791 §3.1) and the UDP header (8). */
const UDP_HEADER_BYTES = 8;

/** The UDP payload of an encoded IPv4/UDP datagram, copied (an emitted packet is a view into a shared slab). */
function udpPayloadOf(datagram: Uint8Array): Uint8Array {
  const ipHeaderBytes = ((datagram[0] as number) & 0x0f) * 4;
  return datagram.slice(ipHeaderBytes + UDP_HEADER_BYTES);
}

export class KeepingCodec implements PacketCodec<Packet> {
  /** The packet whose bytes and summary are being kept (during one `sendResponse`). */
  private watched: Packet | undefined = undefined;
  private watchedBytes: Uint8Array | undefined = undefined;
  private watchedSummary: string | undefined = undefined;
  /** The summaries of resent responses: their packets carry bytes, the summary is the first send's. */
  private readonly resentSummaries = new WeakMap<Packet, string>();

  constructor(private readonly inner: PacketCodec<Packet>) {}

  decode(bytes: Uint8Array): ParseResult<Packet> {
    return this.inner.decode(bytes);
  }

  encode(packet: Packet): Uint8Array {
    const bytes = this.inner.encode(packet);
    if (packet === this.watched) this.watchedBytes = bytes;
    return bytes;
  }

  summarize(packet: Packet): string {
    const kept = this.resentSummaries.get(packet);
    if (kept !== undefined) return kept;
    const summary = this.inner.summarize(packet);
    if (packet === this.watched) this.watchedSummary = summary;
    return summary;
  }

  /** Sends the response `message` from `src` to `dst` with `send` (the host's) and returns it as sent. */
  sendResponse(src: string, dst: string, message: IkeMessage, send: (p: Packet) => void): SentResponse {
    const packet = ikePacket(src, dst, message);
    this.watched = packet;
    this.watchedBytes = undefined;
    this.watchedSummary = undefined;
    try {
      send(packet);
    } finally {
      this.watched = undefined;
    }
    const bytes = this.watchedBytes;
    const summary = this.watchedSummary;
    this.watchedBytes = undefined;
    this.watchedSummary = undefined;
    return {
      spiI: message.spiI,
      spiR: message.spiR,
      messageId: message.messageId,
      response: true,
      // Not encoded (the codec threw: traced as malformed): kept as the message, which fails the same way again.
      sent: bytes === undefined ? message : udpPayloadOf(bytes),
      summary,
    };
  }

  /** The packet that sends `kept` from `src` to `dst` again. */
  resendPacket(src: string, dst: string, kept: SentResponse): Packet {
    if (!(kept.sent instanceof Uint8Array)) return ikePacket(src, dst, kept.sent);
    const packet = datagramPacket({
      src,
      dst,
      srcPort: IKE_PORT,
      dstPort: IKE_PORT,
      app: { kind: 'raw', data: kept.sent },
    });
    if (kept.summary !== undefined) this.resentSummaries.set(packet, kept.summary);
    return packet;
  }
}
