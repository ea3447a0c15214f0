/**
 * A real DHCP server standing in the simulation (scenario DHCP server `kind: "external"`): the node owns the server's
 * simulated address on the inside segment, and every DHCP message that reaches it leaves the simulation as its exact
 * bytes through an ExternalDhcpExchange (a UDP socket in Node). Virtual time stands still until the real server
 * answers or the wall-clock timeout passes (a loss). The answer enters the simulation as the server's reply, sent to
 * where RFC 2131 §4.1 says (giaddr:67 for a relayed message).
 *
 * The run is not hermetic: the trace says so at the start (`dhcp.external`) and its digest depends on the server.
 */
import type { InterfaceConfig, NodeCommand, NodeHost, PacketCodec, SimNode } from '../contract.ts';
import { DHCP_SERVER_PORT, replyDestination } from '../dhcp/server.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../wire/dhcp/codec.ts';
import { dhcpMessageTypeOf } from '../wire/dhcp/message.ts';
import { DhcpMessageType } from '../wire/dhcp/types.ts';
import { packetCodec, udpPacket, type Packet } from '../wire/packet.ts';
import type { ExternalDhcpExchange } from './external-dhcp-exchange.ts';
import { noteLeaseBound } from './lease-bound-note.ts';

export interface ExternalDhcpServerNodeConfig {
  readonly name: string;
  readonly interface: InterfaceConfig;
  readonly exchange: ExternalDhcpExchange;
}

/** Messages a server never answers (RFC 2131 §4.3.3 DECLINE, §4.3.4 RELEASE): sent without waiting. */
const UNANSWERED: ReadonlySet<number> = new Set([DhcpMessageType.DECLINE, DhcpMessageType.RELEASE]);

export class ExternalDhcpServerNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<Packet> = packetCodec;
  private host: NodeHost<Packet> | null = null;
  private state: 'serving' | 'stalled' | 'down' = 'serving';

  constructor(private readonly config: ExternalDhcpServerNodeConfig) {
    this.name = config.name;
    this.interfaces = [config.interface];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    host.traceNote('dhcp.external', { server: this.config.exchange.endpoint, hermetic: false });
  }

  receive(interfaceName: string, packet: Packet): void {
    const host = this.host;
    const p = packet.payload;
    if (host === null || p.kind !== 'udp' || p.dstPort !== DHCP_SERVER_PORT || p.app.kind !== 'dhcp') return;
    const request = p.app.message;
    if (this.state !== 'serving') {
      host.traceNote('dhcp.dropped', { reason: this.state, xid: request.xid });
      return;
    }
    const type = dhcpMessageTypeOf(request);
    const expectReply = type === undefined || !UNANSWERED.has(type);
    const outcome = this.config.exchange.exchange(emitDhcpMessage(request), expectReply);
    switch (outcome.kind) {
      case 'noReply':
        if (expectReply) host.traceNote('dhcp.external.noReply', { xid: request.xid });
        return;
      case 'error':
        host.traceNote('dhcp.external.error', { message: outcome.message, xid: request.xid });
        return;
      case 'reply': {
        const parsed = parseDhcpMessage(outcome.bytes, 0);
        if (!parsed.ok) {
          // Bad input loses nothing silently: the bytes are named as malformed and dropped.
          host.traceNote('dhcp.external.malformed', { field: parsed.error.field, reason: parsed.error.reason });
          return;
        }
        const reply = parsed.value;
        noteLeaseBound(host, reply);
        const to = replyDestination(request, reply);
        host.send(
          interfaceName,
          udpPacket({
            src: this.config.interface.address,
            dst: to.address,
            srcPort: DHCP_SERVER_PORT,
            dstPort: to.port,
            app: { kind: 'dhcp', message: reply },
          }),
        );
        return;
      }
    }
  }

  command(c: NodeCommand): void {
    if (c.type === 'cmd.stall' && this.state === 'serving') this.state = 'stalled';
    else if (c.type === 'cmd.unstall' && this.state === 'stalled') this.state = 'serving';
    else this.host?.traceNote('command.unknown', { command: c.type });
  }

  crash(): void {
    this.state = 'down';
  }

  restart(): void {
    this.state = 'serving';
  }

  states(): Readonly<Record<string, string>> {
    return { dhcpServer: `external.${this.state}` };
  }
}
