/**
 * Small constructors and readers over H2's layered packet (models/wire/packet.ts), shared by the IKE nodes so every
 * node in the lab speaks the one `Packet` type through `packetCodec`: IPv4/UDP/500 carrying IKE, plain UDP (data
 * workload, DHCP), and tunnel-mode ESP carrying an inner IPv4 packet (RFC 4303 §2.6, Next Header 4).
 */
import type { UdpDatagram } from '../methods/method.ts';
import type { CipherSuiteName } from '../wire/crypto-suite.ts';
import type { IkeMessage } from '../wire/ike/index.ts';
import { espTunnelPacket, IKE_PORT, udpPacket, type Packet } from '../wire/packet.ts';

export { hasOpaqueSk, IKE_PORT, packetCodec, type Packet, type UdpApp } from '../wire/packet.ts';
export type { UdpDatagram };

/** RFC 862 echo: the enterprise host answers datagrams to this port. */
export const ECHO_PORT = 7;

export function ikePacket(src: string, dst: string, message: IkeMessage): Packet {
  return udpPacket({
    src,
    dst,
    srcPort: IKE_PORT,
    dstPort: IKE_PORT,
    app: { kind: 'ike', nonEspMarker: false, message },
  });
}

export function datagramPacket(d: UdpDatagram): Packet {
  return udpPacket(d);
}

/** The UDP datagram a packet carries (undefined for ESP, raw IP or IKE). */
export function udpOf(p: Packet): UdpDatagram | undefined {
  const l = p.payload;
  if (l.kind !== 'udp' || l.app.kind === 'ike' || l.app.kind === 'esp' || l.app.kind === 'esp-sealed') return undefined;
  return { src: p.ip.src, dst: p.ip.dst, srcPort: l.srcPort, dstPort: l.dstPort, app: l.app };
}

/** The IKE message of a UDP/500 packet. */
export function ikeOf(p: Packet): IkeMessage | undefined {
  const l = p.payload;
  return l.kind === 'udp' && l.app.kind === 'ike' ? l.app.message : undefined;
}

/** Tunnel-mode ESP opened with the modelled crypto: SPI, sequence and the inner packet. */
export interface EspView {
  readonly spi: number;
  readonly sequence: number;
  readonly suite: CipherSuiteName;
  readonly inner: Packet;
}

export function espOf(p: Packet): EspView | undefined {
  const l = p.payload;
  if (l.kind !== 'esp-sealed' || l.inner.kind !== 'packet') return undefined;
  return { spi: l.spi, sequence: l.sequence, suite: l.suite, inner: l.inner.packet };
}

export function espPacket(
  src: string,
  dst: string,
  spi: number,
  sequence: number,
  suite: CipherSuiteName,
  inner: Packet,
  integrityKey?: number,
): Packet {
  const p = espTunnelPacket({ src, dst, spi, sequence, suite, inner });
  // The sender's SA key: the keyed ICV tag (models/wire/crypto-suite.ts, RFC 4303 §3.4.4).
  if (integrityKey === undefined || p.payload.kind !== 'esp-sealed') return p;
  return { ...p, payload: { ...p.payload, integrityKey } };
}

/** Protocol and ports of a packet for selector matching (RFC 4301 §4.4.1.1); ports 0 when not UDP. */
export function flowOf(p: Packet): { src: string; dst: string; protocol: number; srcPort: number; dstPort: number } {
  const l = p.payload;
  const ports = l.kind === 'udp' ? { srcPort: l.srcPort, dstPort: l.dstPort } : { srcPort: 0, dstPort: 0 };
  return { src: p.ip.src, dst: p.ip.dst, protocol: p.ip.protocol, ...ports };
}

/** The SPI of ESP that stayed opaque (no inbound SA keys opened it), directly on IP or in UDP 4500. */
export function opaqueEspSpi(p: Packet): number | undefined {
  const l = p.payload;
  if (l.kind === 'esp') return l.esp.spi;
  if (l.kind === 'udp' && l.app.kind === 'esp') return l.app.esp.spi;
  return undefined;
}
