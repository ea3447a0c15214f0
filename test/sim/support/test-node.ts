/** A tiny protocol node for engine tests: sends what the test tells it to and records what it receives. */
import type { InterfaceConfig, NodeCommand, NodeHost, PacketCodec, SimNode } from '../../../models/contract.ts';
import { udpCodec, type UdpPacket } from './udp.ts';

export interface Received {
  readonly atUs: number;
  readonly iface: string;
  readonly packet: UdpPacket;
}

export class TestNode implements SimNode<UdpPacket> {
  readonly received: Received[] = [];
  readonly commands: NodeCommand[] = [];
  crashes = 0;
  restarts = 0;
  private hostValue: NodeHost<UdpPacket> | undefined;

  constructor(
    readonly name: string,
    readonly interfaces: readonly InterfaceConfig[],
    readonly codec: PacketCodec<UdpPacket> = udpCodec,
    /** Called on every received packet (e.g. to reply). */
    private readonly onReceive?: (node: TestNode, iface: string, packet: UdpPacket) => void,
  ) {}

  get host(): NodeHost<UdpPacket> {
    if (!this.hostValue) throw new Error(`${this.name} not started`);
    return this.hostValue;
  }

  start(host: NodeHost<UdpPacket>): void {
    this.hostValue = host;
  }

  receive(iface: string, packet: UdpPacket): void {
    this.received.push({ atUs: this.host.nowUs(), iface, packet });
    this.onReceive?.(this, iface, packet);
  }

  command(command: NodeCommand): void {
    this.commands.push(command);
  }

  crash(): void {
    this.crashes++;
  }

  restart(): void {
    this.restarts++;
  }

  states(): Readonly<Record<string, string>> {
    return {};
  }

  /** Sends a UDP datagram from the interface's address, port 1000 → 2000. */
  sendText(iface: string, dst: string, text: string): void {
    const src = this.interfaces.find((i) => i.name === iface)?.address ?? '0.0.0.0';
    this.host.send(iface, { src, dst, srcPort: 1000, dstPort: 2000, text });
  }
}

/** A node with one interface `eth0`. */
export function testNode(name: string, address: string, prefixLength = 24, codec?: PacketCodec<UdpPacket>): TestNode {
  return new TestNode(name, [{ name: 'eth0', address, prefixLength }], codec);
}

/**
 * Schedules `count` sends from `node`, one every `intervalUs` starting at `startUs`, payload `seq=<i>` (1-based).
 * One self-rescheduling timer, so the heap stays small.
 */
export function sendSeries(
  node: TestNode,
  at: (atUs: number, fn: () => void) => void,
  dst: string,
  count: number,
  intervalUs: number,
  startUs = 0,
): void {
  let i = 0;
  const next = (): void => {
    i++;
    node.sendText('eth0', dst, `seq=${i}`);
    if (i < count) at(startUs + i * intervalUs, next);
  };
  at(startUs, next);
}

export function seqOf(r: Received): number {
  return Number(r.packet.text.slice(4));
}
