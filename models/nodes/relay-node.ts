/**
 * A router between a client segment and a server segment that is also a DHCP relay agent (RFC 1542, RFC 3046).
 * DHCP from clients (UDP 67, broadcast or to us) is relayed to the server with giaddr and option 82; replies to
 * giaddr are checked, stripped and sent on to the client. Any other unicast not for us is routed to the other side
 * (so a RENEWING client reaches the server directly, RFC 2131 §4.4.5).
 */
import type { InterfaceConfig, NodeCommand, NodeHost, PacketCodec, SimNode } from '../contract.ts';
import { relayReply, relayRequest } from '../dhcp/relay.ts';
import type { RelayRequestConfig } from '../dhcp/relay.ts';
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT } from '../dhcp/server.ts';
import type { RelayAgentSubOption } from '../wire/dhcp/types.ts';
import { packetCodec, udpPacket } from '../wire/packet.ts';
import type { Packet } from '../wire/packet.ts';

export interface DhcpRelayNodeConfig {
  readonly name: string;
  readonly clientSide: InterfaceConfig;
  readonly serverSide: InterfaceConfig;
  readonly serverAddress: string;
  readonly linkSelection?: string;
  readonly serverIdOverride?: boolean;
}

/** Bound on remembered "sent without option 82" xids (TigerBeetle style: every table bounded). */
const SKIPPED_MAX = 1024;

export class DhcpRelayNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<Packet> = packetCodec;
  private host: NodeHost<Packet> | null = null;
  private readonly requestConfig: RelayRequestConfig;
  private readonly expected: readonly RelayAgentSubOption[];
  private readonly skipped: number[] = [];
  readonly counters = { relayedRequests: 0, relayedReplies: 0, dropped: 0, option82Skipped: 0, routed: 0 };

  constructor(private readonly config: DhcpRelayNodeConfig) {
    this.name = config.name;
    this.interfaces = [config.clientSide, config.serverSide];
    const text = new TextEncoder();
    this.requestConfig = {
      giaddr: config.clientSide.address,
      circuitId: text.encode(config.clientSide.name),
      remoteId: text.encode(config.name),
      ...(config.linkSelection ? { linkSelection: config.linkSelection } : {}),
      ...(config.serverIdOverride ? { serverIdOverride: config.clientSide.address } : {}),
    };
    this.expected = [
      { kind: 'circuitId', data: this.requestConfig.circuitId },
      ...(this.requestConfig.remoteId ? [{ kind: 'remoteId', data: this.requestConfig.remoteId } as const] : []),
      ...(config.linkSelection ? [{ kind: 'linkSelection', subnet: config.linkSelection } as const] : []),
      ...(config.serverIdOverride ? [{ kind: 'serverIdOverride', serverId: config.clientSide.address } as const] : []),
    ];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
  }

  receive(interfaceName: string, packet: Packet): void {
    const host = this.host;
    if (!host) return;
    const p = packet.payload;
    const dst = packet.ip.dst;
    const ours = dst === this.config.clientSide.address || dst === this.config.serverSide.address;
    const isDhcp = p.kind === 'udp' && p.app.kind === 'dhcp' && p.dstPort === DHCP_SERVER_PORT;
    if (interfaceName === this.config.clientSide.name && isDhcp && (ours || dst === '255.255.255.255')) {
      if (p.kind !== 'udp' || p.app.kind !== 'dhcp') return;
      const r = relayRequest(p.app.message, this.requestConfig);
      if (r.kind === 'drop') {
        this.counters.dropped += 1;
        host.traceNote('relay.drop', { reason: r.reason });
        return;
      }
      if (r.option82Skipped) {
        this.counters.option82Skipped += 1;
        this.skipped.push(r.message.xid);
        if (this.skipped.length > SKIPPED_MAX) this.skipped.shift();
        host.traceNote('relay.option82Skipped', { xid: r.message.xid });
      }
      this.counters.relayedRequests += 1;
      host.send(
        this.config.serverSide.name,
        udpPacket({
          src: this.config.serverSide.address,
          dst: this.config.serverAddress,
          srcPort: DHCP_SERVER_PORT,
          dstPort: DHCP_SERVER_PORT,
          app: { kind: 'dhcp', message: r.message },
        }),
      );
      return;
    }
    if (interfaceName === this.config.serverSide.name && isDhcp && dst === this.config.clientSide.address) {
      if (p.kind !== 'udp' || p.app.kind !== 'dhcp') return;
      const message = p.app.message;
      const r = relayReply(message, {
        ourAddresses: [this.config.clientSide.address],
        expected: this.skipped.includes(message.xid) ? null : this.expected,
      });
      if (r.kind === 'drop') {
        this.counters.dropped += 1;
        host.traceNote('relay.drop', { reason: r.reason });
        return;
      }
      this.counters.relayedReplies += 1;
      host.send(
        this.config.clientSide.name,
        udpPacket({
          src: this.config.clientSide.address,
          dst: r.destination.address,
          srcPort: DHCP_SERVER_PORT,
          dstPort: DHCP_CLIENT_PORT,
          app: { kind: 'dhcp', message: r.message },
        }),
      );
      return;
    }
    if (ours || dst === '255.255.255.255') return;
    // Plain routing between the two sides; TTL decremented (RFC 791), expired datagrams dropped.
    if (packet.ip.ttl <= 1) {
      host.traceNote('route.ttlExpired', { dst });
      return;
    }
    const out =
      interfaceName === this.config.clientSide.name ? this.config.serverSide.name : this.config.clientSide.name;
    this.counters.routed += 1;
    host.send(out, { ...packet, ip: { ...packet.ip, ttl: packet.ip.ttl - 1 } });
  }

  command(command: NodeCommand): void {
    this.host?.traceNote('command.unknown', { command: command.type });
  }

  crash(): void {
    this.skipped.length = 0;
  }

  restart(): void {}

  states(): Readonly<Record<string, string>> {
    return {};
  }
}
