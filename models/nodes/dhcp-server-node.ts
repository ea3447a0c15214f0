/**
 * A DHCP server host: the server machine on one interface, UDP 67. Replies leave as IPv4/UDP to the destination the
 * machine chose (giaddr:67, broadcast:68, ciaddr/yiaddr:68 — RFC 2131 §4.1). Drops, silent decisions and lease
 * expiries are trace notes.
 */
import type { Actor } from 'xstate';
import type { InterfaceConfig, NodeCommand, NodeHost, PacketCodec, SimNode } from '../contract.ts';
import type { LeaseStore } from '../dhcp/lease-store.ts';
import type { LeaseStoreConfig } from '../dhcp/lease-store.ts';
import { dhcpServerMachine } from '../dhcp/server-machine.ts';
import { DHCP_SERVER_PORT } from '../dhcp/server.ts';
import { packetCodec, udpPacket } from '../wire/packet.ts';
import type { Packet } from '../wire/packet.ts';
import { noteLeaseBound } from './lease-bound-note.ts';
import { labActor } from '../../sim/statechart/runtime-choice.ts';

export interface DhcpServerNodeConfig {
  readonly name: string;
  readonly interface: InterfaceConfig;
  readonly leases: LeaseStoreConfig;
  readonly serviceUs?: number;
  readonly queueMax?: number;
  /** After a crash: keep the leases (on disk) or lose them. Default true. */
  readonly restartKeepsLeases?: boolean;
}

export class DhcpServerNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<Packet> = packetCodec;
  private host: NodeHost<Packet> | null = null;
  private actor: Actor<typeof dhcpServerMachine> | null = null;
  private store: LeaseStore | null = null;
  private stateName = 'serving';

  constructor(private readonly config: DhcpServerNodeConfig) {
    this.name = config.name;
    this.interfaces = [config.interface];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    this.startMachine();
  }

  private startMachine(): void {
    const host = this.host;
    if (!host) return;
    const iface = this.config.interface;
    const actor = labActor(dhcpServerMachine, {
      clock: host.clock,
      input: {
        server: { serverId: iface.address },
        leases: this.config.leases,
        nowUs: () => host.nowUs(),
        ...(this.config.serviceUs !== undefined ? { serviceUs: this.config.serviceUs } : {}),
        ...(this.config.queueMax !== undefined ? { queueMax: this.config.queueMax } : {}),
        ...(this.store ? { store: this.store } : {}),
      },
    });
    actor.subscribe((snapshot) => {
      const next = String(snapshot.value);
      if (next !== this.stateName) {
        host.traceState('dhcpServer', this.stateName, next);
        this.stateName = next;
      }
    });
    actor.on('dhcp.reply', (e) => {
      noteLeaseBound(host, e.message);
      host.send(
        e.interfaceName,
        udpPacket({
          src: iface.address,
          dst: e.destination.address,
          srcPort: DHCP_SERVER_PORT,
          dstPort: e.destination.port,
          app: { kind: 'dhcp', message: e.message },
        }),
      );
    });
    actor.on('dhcp.dropped', (e) => host.traceNote('dhcp.dropped', { reason: e.reason, xid: e.xid }));
    actor.on('dhcp.silent', (e) => {
      host.traceNote('dhcp.silent', { reason: e.reason, note: e.note });
      if (e.ended !== undefined) host.traceNote('lease.ended', { address: e.ended, why: e.reason });
    });
    actor.on('lease.expired', (e) => host.traceNote('lease.expired', { address: e.address, was: e.was }));
    actor.start();
    this.actor = actor;
    this.store = actor.getSnapshot().context.store;
  }

  receive(interfaceName: string, packet: Packet): void {
    const p = packet.payload;
    if (p.kind !== 'udp' || p.dstPort !== DHCP_SERVER_PORT || p.app.kind !== 'dhcp') return;
    const actor = this.actor;
    if (actor === undefined || actor === null) return;
    const before = actor.getSnapshot().context.queue.length;
    actor.send({
      type: 'dhcp.recv',
      message: p.app.message,
      received: { interfaceName, interfaceAddress: this.config.interface.address },
    });
    // `dhcp.queue {length}` only when the arrival was queued (serviceUs > 0 and the queue grew): the metrics read the
    // queue peak from these notes. A server with serviceUs 0 answers at once and writes none, so the trace stays small.
    const after = actor.getSnapshot().context.queue.length;
    if (after > before) this.host?.traceNote('dhcp.queue', { length: after });
  }

  command(command: NodeCommand): void {
    switch (command.type) {
      case 'cmd.stall':
        this.actor?.send({ type: 'cmd.stall' });
        return;
      case 'cmd.unstall':
        this.actor?.send({ type: 'cmd.unstall' });
        return;
      default:
        this.host?.traceNote('command.unknown', { command: command.type });
    }
  }

  /** The lease store (for invariants and the browser). */
  leaseStore(): LeaseStore | null {
    return this.store;
  }

  crash(): void {
    this.actor?.stop();
    this.actor = null;
    if (this.config.restartKeepsLeases === false) {
      this.store = null;
      this.host?.traceNote('lease.storeLost', {});
    }
  }

  restart(): void {
    this.stateName = 'serving';
    this.startMachine();
  }

  states(): Readonly<Record<string, string>> {
    return { dhcpServer: this.stateName };
  }
}
