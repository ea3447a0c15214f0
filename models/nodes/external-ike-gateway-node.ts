/**
 * A real IKEv2 gateway standing in the simulation (scenario gateway `kind: "external"`): the node owns the gateway's
 * simulated addresses, and every UDP datagram to its IKE ports (500, 4500) leaves the simulation as its exact payload
 * bytes through an ExternalIkeExchange (UDP sockets in Node, scenarios/external/ike-udp-exchange.ts). Virtual time
 * stands still until the real gateway answers an IKE request or the wall-clock timeout passes (a loss). What the
 * gateway sent comes back as packets from this node with the same ports, byte for byte (rawUdpCodec): the client
 * parses them with the lab's codecs like any packet, and bytes it cannot parse are traced `malformed` and dropped.
 *
 * NAT detection (RFC 7296 §2.23) hashes the addresses and ports each side sees. The real gateway sees the bridge's
 * host address and port 500, so a scenario puts its client at the bridge's local address and this node at the real
 * gateway's address: then each side's hashes match what the other receives and neither finds a NAT (a gateway may
 * still fake one to force UDP encapsulation, as charon with kernel-libipsec does). Otherwise both ends detect a NAT and
 * a client that floats moves to 4500, which the bridge also serves (it has a socket on each port).
 *
 * Datagrams the gateway sends on its own (DPD, rekeys, Delete) are drained on every exchange and delivered to the
 * client that sent the datagram being exchanged. The run is not hermetic: the trace says so at the start
 * (`ike.external`) and its digest depends on the gateway.
 */
import type { InterfaceConfig, NodeCommand, NodeHost, PacketCodec, SimNode } from '../contract.ts';
import { IKE_NAT_T_PORT, IKE_PORT, NON_ESP_MARKER_BYTES, udpPacket, type Packet } from '../wire/packet.ts';
import type { ExternalIkeDatagram, ExternalIkeExchange } from './external-ike-exchange.ts';
import { rawUdpCodec } from './raw-udp-codec.ts';

export interface ExternalIkeGatewayNodeConfig {
  readonly name: string;
  readonly outside: { readonly address: string; readonly prefixLength: number };
  readonly inside: { readonly address: string; readonly prefixLength: number };
  readonly exchange: ExternalIkeExchange;
  /** The run's codec, for the trace's summaries of what passes through (the node itself never parses IKE). */
  readonly summaryCodec: PacketCodec<Packet>;
}

/** RFC 7296 §3.1: the IKE header's Flags octet and its Response bit. */
const IKE_FLAGS_OFFSET = 19;
const IKE_FLAG_RESPONSE = 0x20;
const IKE_HEADER_BYTES = 28;

/**
 * Whether a UDP payload is an IKE request, which the gateway answers (RFC 7296 §2.1): on 500 the message itself, on
 * 4500 only after the non-ESP marker (four zero octets, RFC 3948 §2.2); ESP and NAT keepalives get no answer.
 */
export function isIkeRequest(port: number, payload: Uint8Array): boolean {
  let at = 0;
  if (port === IKE_NAT_T_PORT) {
    if (payload.length < NON_ESP_MARKER_BYTES || payload.subarray(0, NON_ESP_MARKER_BYTES).some((b) => b !== 0))
      return false;
    at = NON_ESP_MARKER_BYTES;
  }
  if (payload.length < at + IKE_HEADER_BYTES) return false;
  return ((payload[at + IKE_FLAGS_OFFSET] ?? 0) & IKE_FLAG_RESPONSE) === 0;
}

export class ExternalIkeGatewayNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<Packet>;
  private host: NodeHost<Packet> | null = null;
  private up = true;

  constructor(private readonly config: ExternalIkeGatewayNodeConfig) {
    this.name = config.name;
    this.codec = rawUdpCodec(config.summaryCodec);
    this.interfaces = [
      { name: 'outside', ...config.outside },
      { name: 'inside', ...config.inside },
    ];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    host.traceNote('ike.external', {
      gateway: this.config.exchange.endpoint,
      from: this.config.exchange.localAddress,
      hermetic: false,
    });
  }

  receive(interfaceName: string, packet: Packet): void {
    const host = this.host;
    const p = packet.payload;
    if (host === null || !this.up || interfaceName !== 'outside') return;
    if (p.kind !== 'udp' || p.app.kind !== 'raw' || packet.ip.dst !== this.config.outside.address) return;
    if (p.dstPort !== IKE_PORT && p.dstPort !== IKE_NAT_T_PORT) {
      host.traceNote('ike.external.ignored', { port: p.dstPort });
      return;
    }
    const out: ExternalIkeDatagram = { clientPort: p.srcPort, gatewayPort: p.dstPort, bytes: p.app.data };
    const expectReply = isIkeRequest(p.dstPort, p.app.data);
    const outcome = this.config.exchange.exchange(out, expectReply);
    if (outcome.kind === 'error') {
      host.traceNote('ike.external.error', { message: outcome.message });
      return;
    }
    if (expectReply && outcome.datagrams.length === 0) host.traceNote('ike.external.noReply', { port: p.dstPort });
    for (const d of outcome.datagrams) {
      host.send(
        'outside',
        udpPacket({
          src: this.config.outside.address,
          dst: packet.ip.src,
          srcPort: d.gatewayPort,
          dstPort: d.clientPort,
          app: { kind: 'raw', data: d.bytes },
        }),
      );
    }
  }

  command(c: NodeCommand): void {
    this.host?.traceNote('command.unknown', { command: c.type });
  }

  crash(): void {
    this.up = false;
  }

  restart(): void {
    this.up = true;
  }

  states(): Readonly<Record<string, string>> {
    return { gateway: this.up ? 'external' : 'external.down' };
  }
}
