/**
 * A codec that leaves UDP payloads as bytes (`app: raw`) instead of parsing them: for a node that stands in for a real
 * peer outside the simulation (models/nodes/external-ike-gateway-node.ts) and must forward what arrives, and send
 * what the peer answered, byte for byte. Encoding is the lab's (packet.ts writes a raw payload unchanged, with the
 * IPv4 and UDP headers and checksum); decoding checks the IPv4 and UDP headers as packet.ts does (RFC 791 §3.1,
 * RFC 768) and keeps the payload. Summaries are the lab's own: the payload is parsed with `summaryCodec` for the
 * trace line only, so the ladder shows `IKE_SA_INIT response …`, and an unparsable payload is named as such.
 */
import type { PacketCodec } from '../contract.ts';
import { readU32 } from '../wire/bytes.ts';
import { IpProtocol } from '../wire/ipv4.ts';
import { parseIpv4Header } from '../wire/ipv4.ts';
import { emitPacket, summarizePacket, type Packet } from '../wire/packet.ts';
import { decodeError, formatDecodeError, parsed, type ParseResult } from '../wire/result.ts';
import { parseUdpHeader, udpPseudoAddressSum, UDP_HEADER_BYTES } from '../wire/udp.ts';

function decodeRaw(bytes: Uint8Array): ParseResult<Packet> {
  const ipv4 = parseIpv4Header(bytes, 0);
  if (!ipv4.ok) return ipv4;
  const { header, headerBytes: at, totalLength: end } = ipv4.value;
  if (end !== bytes.length)
    return decodeError('ipv4.totalLength', 2, `${end} but the datagram has ${bytes.length} bytes`);
  const fragment = (header.flags & 0x1) !== 0 || header.fragmentOffset !== 0;
  if (fragment || header.protocol !== IpProtocol.UDP)
    return parsed({ ip: header, payload: { kind: 'raw', data: bytes.slice(at, end) } }, end);
  const udp = parseUdpHeader(bytes, at, udpPseudoAddressSum(readU32(bytes, 12), readU32(bytes, 16)));
  if (!udp.ok) return udp;
  const { srcPort, dstPort, checksum, length } = udp.value;
  if (at + length !== end)
    return decodeError('udp.length', at + 4, `${length} but the IPv4 payload is ${end - at} bytes`);
  const data = bytes.slice(at + UDP_HEADER_BYTES, end);
  return parsed({ ip: header, payload: { kind: 'udp', srcPort, dstPort, checksum, app: { kind: 'raw', data } } }, end);
}

export function rawUdpCodec(summaryCodec: PacketCodec<Packet>): PacketCodec<Packet> {
  return {
    decode: decodeRaw,
    encode: (packet) => emitPacket(packet),
    summarize: (packet) => {
      const p = packet.payload;
      if (p.kind !== 'udp' || p.app.kind !== 'raw') return summarizePacket(packet);
      const again = summaryCodec.decode(emitPacket(packet));
      if (again.ok) return summaryCodec.summarize(again.value);
      return `UDP ${p.srcPort} → ${p.dstPort} (${p.app.data.length} bytes, not parsed: ${formatDecodeError(again.error)})`;
    },
  };
}
