/**
 * A 20-line IPv4/UDP builder and parser for engine tests (the real codecs live in models/wire and are not used here,
 * so the engine is tested on its own). No checksums: the engine never reads them.
 */
import { decodeError, parsed, type ParseResult } from '../../../models/wire/result.ts';
import type { PacketCodec } from '../../../models/contract.ts';

export interface UdpPacket {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** ASCII text carried as the UDP payload. */
  readonly text: string;
}

const quad = (a: string): number[] => a.split('.').map(Number);
const dotted = (b: Uint8Array, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

export function encodeUdp(p: UdpPacket): Uint8Array {
  const payload = new TextEncoder().encode(p.text);
  const total = 28 + payload.length;
  const b = new Uint8Array(total);
  b.set([0x45, 0, total >> 8, total & 0xff, 0, 0, 0, 0, 64, 17, 0, 0], 0);
  b.set(quad(p.src), 12);
  b.set(quad(p.dst), 16);
  b.set(
    [p.srcPort >> 8, p.srcPort & 0xff, p.dstPort >> 8, p.dstPort & 0xff, (total - 20) >> 8, (total - 20) & 0xff],
    20,
  );
  b.set(payload, 28);
  return b;
}

export function decodeUdp(b: Uint8Array): ParseResult<UdpPacket> {
  if (b.length < 28) return decodeError('ipv4', 0, `too short: ${b.length}`);
  if (b[0] !== 0x45) return decodeError('ipv4.version', 0, 'not IPv4 without options');
  if (b[9] !== 17) return decodeError('ipv4.protocol', 9, 'not UDP');
  const text = new TextDecoder().decode(b.subarray(28));
  const port = (o: number): number => ((b[o] as number) << 8) | (b[o + 1] as number);
  return parsed({ src: dotted(b, 12), dst: dotted(b, 16), srcPort: port(20), dstPort: port(22), text }, b.length);
}

export const udpCodec: PacketCodec<UdpPacket> = {
  encode: encodeUdp,
  decode: decodeUdp,
  summarize: (p) => `UDP ${p.src}:${p.srcPort} → ${p.dst}:${p.dstPort} ${p.text}`,
};
