/**
 * A host on a LAN segment running the RFC 2131 client over UDP 68 → 67 (RFC 2131 §4.1). The node owns the carrier:
 * the machine emits messages, the node wraps them in IPv4/UDP and sets or clears its interface address on
 * bound/expired/nak/declined/released.
 */
import type { Actor } from 'xstate';
import type { InterfaceConfig, NodeCommand, NodeHost, PacketCodec, SimNode } from '../contract.ts';
import { ethernetIdentity } from '../dhcp/client-identity.ts';
import { dhcpClientMachine } from '../dhcp/client-machine.ts';
import type { DhcpDestination } from '../dhcp/client-machine.ts';
import type { RetransmitPolicy } from '../dhcp/client-timers.ts';
import { netmaskToPrefix } from '../wire/ipv4-address.ts';
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT } from '../dhcp/server.ts';
import { packetCodec, udpPacket } from '../wire/packet.ts';
import type { Packet } from '../wire/packet.ts';
import type { DhcpMessage } from '../wire/dhcp/types.ts';
import { labActor } from '../../sim/statechart/runtime-choice.ts';

export interface LanDhcpClientNodeConfig {
  readonly name: string;
  readonly mac: string;
  /** Default `eth0`. */
  readonly interfaceName?: string;
  readonly retransmit?: RetransmitPolicy;
  /** Start only on `cmd.connect` (default: start with the run). */
  readonly startOnCommand?: boolean;
}

export class LanDhcpClientNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<Packet> = packetCodec;
  private host: NodeHost<Packet> | null = null;
  private actor: Actor<typeof dhcpClientMachine> | null = null;
  private stateName = 'INIT';
  private address = '0.0.0.0';
  /** Kept across a crash, as a disk would: the restart goes through INIT-REBOOT (§3.2). */
  private lastAddress: string | null = null;
  private readonly iface: string;

  constructor(private readonly config: LanDhcpClientNodeConfig) {
    this.name = config.name;
    this.iface = config.interfaceName ?? 'eth0';
    this.interfaces = [{ name: this.iface, address: '0.0.0.0', prefixLength: 0 }];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    if (!this.config.startOnCommand) this.startMachine();
  }

  private startMachine(): void {
    const host = this.host;
    if (!host || this.actor) return;
    const actor = labActor(dhcpClientMachine, {
      clock: host.clock,
      input: {
        identity: ethernetIdentity(this.config.mac),
        rng: host.rng('dhcp'),
        nowUs: () => host.nowUs(),
        broadcastFlag: true, // no address yet: ask for broadcast replies (§4.1)
        rememberedAddress: this.lastAddress,
        ...(this.config.retransmit ? { retransmit: this.config.retransmit } : {}),
      },
    });
    actor.subscribe((snapshot) => {
      const next = String(snapshot.value);
      if (next !== this.stateName) {
        host.traceState('dhcp', this.stateName, next);
        this.stateName = next;
      }
    });
    actor.on('dhcp.send', (e) => this.send(e.message, e.destination));
    actor.on('dhcp.bound', (e) => this.setAddress(e.address, netmaskToPrefix(e.mask) ?? 32));
    actor.on('dhcp.renewed', (e) => host.traceNote('dhcp.renewed', { address: e.address, leaseSecs: e.leaseSecs }));
    actor.on('dhcp.expired', () => this.setAddress('0.0.0.0', 0));
    actor.on('dhcp.nak', (e) => {
      host.traceNote('dhcp.nak', { state: e.state });
      if (e.withdrawn) this.setAddress('0.0.0.0', 0);
    });
    actor.on('dhcp.declined', () => this.setAddress('0.0.0.0', 0));
    actor.on('dhcp.released', () => this.setAddress('0.0.0.0', 0));
    actor.on('dhcp.gaveUp', (e) => host.traceNote('dhcp.gaveUp', { state: e.state, tries: e.tries }));
    this.actor = actor;
    actor.start();
  }

  private setAddress(address: string, prefixLength: number): void {
    this.address = address;
    if (address !== '0.0.0.0') this.lastAddress = address;
    this.host?.setInterfaceAddress(this.iface, address, prefixLength);
  }

  private send(message: DhcpMessage, destination: DhcpDestination): void {
    const dst = destination === 'broadcast' ? '255.255.255.255' : destination.unicast;
    this.host?.send(
      this.iface,
      udpPacket({
        src: this.address,
        dst,
        srcPort: DHCP_CLIENT_PORT,
        dstPort: DHCP_SERVER_PORT,
        app: { kind: 'dhcp', message },
      }),
    );
  }

  receive(_interfaceName: string, packet: Packet): void {
    const p = packet.payload;
    if (p.kind !== 'udp' || p.dstPort !== DHCP_CLIENT_PORT || p.app.kind !== 'dhcp') return;
    this.actor?.send({ type: 'dhcp.recv', message: p.app.message });
  }

  command(command: NodeCommand): void {
    switch (command.type) {
      case 'cmd.connect':
        if (!this.actor) this.startMachine();
        else this.actor.send({ type: 'cmd.start' });
        return;
      case 'cmd.disconnect':
      case 'cmd.release':
        this.actor?.send({ type: 'cmd.release' });
        return;
      case 'cmd.renew':
        this.actor?.send({ type: 'cmd.renew' });
        return;
      case 'cmd.conflict':
        this.actor?.send({ type: 'cmd.conflict' });
        return;
      default:
        this.host?.traceNote('command.unknown', { command: command.type });
    }
  }

  crash(): void {
    this.actor?.stop();
    this.actor = null;
    this.stateName = 'INIT';
    this.address = '0.0.0.0';
  }

  restart(): void {
    this.host?.setInterfaceAddress(this.iface, '0.0.0.0', 0);
    this.startMachine();
  }

  states(): Readonly<Record<string, string>> {
    return { dhcp: this.stateName };
  }
}
