/** An enterprise host on the inside LAN: answers UDP echo (RFC 862) by swapping addresses and ports, same payload. */
import type { InterfaceConfig, NodeHost, SimNode } from '../contract.ts';
import { datagramPacket, ECHO_PORT, packetCodec, udpOf, type Packet } from './lab-packet.ts';

export interface EnterpriseHostOptions {
  readonly name: string;
  readonly address: string;
  readonly prefixLength: number;
}

export class EnterpriseHost implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec = packetCodec;
  private host: NodeHost<Packet> | undefined;
  private up = true;

  constructor(options: EnterpriseHostOptions) {
    this.name = options.name;
    this.interfaces = [{ name: 'eth0', address: options.address, prefixLength: options.prefixLength }];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
  }

  receive(_iface: string, p: Packet): void {
    const d = udpOf(p);
    if (!this.up || this.host === undefined || d === undefined || d.dstPort !== ECHO_PORT) return;
    this.host.send(
      'eth0',
      datagramPacket({ src: d.dst, dst: d.src, srcPort: d.dstPort, dstPort: d.srcPort, app: d.app }),
    );
  }

  crash(): void {
    this.up = false;
  }

  restart(): void {
    this.up = true;
  }

  states(): Readonly<Record<string, string>> {
    return { echo: this.up ? 'serving' : 'down' };
  }
}
