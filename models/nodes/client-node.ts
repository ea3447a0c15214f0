/**
 * A remote-access client: an IKE initiator (initiator-machine) with the method's client tasks plugged in, a
 * reconnect policy (after a failure or a dead gateway: retry after a jittered delay, bounded tries), an SPD over its
 * Child SAs (client-spd.ts, RFC 4301 §4.4.1) and a data path (UDP echo through a Child SA, ESP tunnel mode) so
 * "time to first data packet" is measurable from the trace. Commands: `cmd.connect`, `cmd.disconnect`, `cmd.ping`.
 */
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import type { InterfaceConfig, NodeCommand, NodeHost, RandomStream, SimNode } from '../contract.ts';
import type { IkePeerConfig } from '../ike/config.ts';
import { initiatorMachine } from '../ike/initiator-machine.ts';
import type { ClientChild } from '../ike/sa.ts';
import type { IkeEmitted } from '../ike/steps.ts';
import type { AssignedConfig } from '../ike/tasks/ike-config.ts';
import type {
  ClientChildView,
  ClientMethodContext,
  ClientMethodFactory,
  ClientMethodTasks,
  SendVerdict,
  UdpDatagram,
} from '../methods/method.ts';
import { IpProtocol } from '../wire/ipv4.ts';
import { coversInbound, selectChild } from './client-spd.ts';
import {
  datagramPacket,
  ECHO_PORT,
  espOf,
  espPacket,
  ikeOf,
  ikePacket,
  packetCodec,
  udpOf,
  type Packet,
} from './lab-packet.ts';
import { traceTransitions } from './machine-trace.ts';

export interface ReconnectPolicy {
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Reconnect attempts after a failure before giving up; reset by a successful connection. */
  readonly triesMax: number;
}

export interface ClientNodeOptions {
  readonly name: string;
  /** The physical (outer) address on `eth0`. */
  readonly address: string;
  readonly prefixLength: number;
  readonly gatewayAddress: string;
  readonly gatewayIdentity?: string;
  readonly ike: IkePeerConfig;
  /**
   * The method's client side: fixed tasks (e.g. `modeCfgClient()`), or a factory called with the node's
   * `ClientMethodContext` when the node starts and again after each restart (methods with machines of their own).
   */
  readonly method: ClientMethodTasks | ClientMethodFactory;
  readonly reconnect?: ReconnectPolicy;
  /** Echo target inside the enterprise network. */
  readonly pingTarget?: string;
  /** Periodic ping once configured; 0/absent = only on `cmd.ping`. */
  readonly pingIntervalMs?: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { delayMs: 5000, jitterMs: 1000, triesMax: 5 };
/** Source port of the echo workload. */
export const DATA_PORT = 40000;

type Initiator = Actor<typeof initiatorMachine>;

export class ClientNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec = packetCodec;
  private host!: NodeHost<Packet>;
  private rng!: RandomStream;
  private tasks!: ClientMethodTasks;
  private actor: Initiator | undefined;
  private tracker: { current(): string } | undefined;
  private readonly methodMachines = new Map<string, { current(): string }>();
  /** Outbound candidates, one per slot (RFC 4301 SPD entries with their SAs). */
  private children: ClientChild[] = [];
  /** Inbound SAs by our SPI, including a rekeyed one until its delete (RFC 7296 §2.8). */
  private readonly inbound = new Map<number, ClientChild>();
  private readonly espSeq = new Map<number, number>();
  private config: AssignedConfig | undefined;
  private up = false;
  private pingSeq = 0;
  private readonly pingSentUs = new Map<number, number>();
  private reconnectTries = 0;
  private cancelReconnect: (() => void) | undefined;
  private cancelPing: (() => void) | undefined;
  /** The packet value last built for each message, so a retransmission re-sends the very same value (same bytes). */
  private readonly packets = new WeakMap<object, Packet>();
  private lastState = 'idle';

  constructor(readonly options: ClientNodeOptions) {
    this.name = options.name;
    this.interfaces = [{ name: 'eth0', address: options.address, prefixLength: options.prefixLength }];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    this.rng = host.rng('ike');
    this.buildTasks();
  }

  private buildTasks(): void {
    const m = this.options.method;
    this.tasks = typeof m === 'function' ? m(this.methodContext()) : m;
  }

  private methodContext(): ClientMethodContext {
    const host = this.host;
    const send = (e: Parameters<Initiator['send']>[0], what: string): void => {
      if (this.actor === undefined) host.traceNote('method.noIkeSa', { request: what });
      else this.actor.send(e);
    };
    return {
      clock: host.clock,
      rng: (label) => host.rng(`method:${label}`),
      nowUs: () => host.nowUs(),
      setTimerUs: (delayUs, name, fire) => host.setTimerUs(delayUs, name, fire),
      traceState: (machine, from, to) => host.traceState(machine, from, to),
      traceNote: (text, data) => host.traceNote(text, data),
      traceMachine: (actor: AnyActorRef, machine: string) => {
        const t = traceTransitions(actor, 'none', (from, to) => host.traceState(machine, from, to));
        this.methodMachines.set(machine, t);
        return t;
      },
      outerAddress: this.options.address,
      ikeUp: () => this.up,
      requestChild: (request) => send({ type: 'cmd.child', request }, 'child'),
      scheduleChildRekey: (slot, delayMs) => send({ type: 'cmd.childRekeyAt', slot, delayMs }, 'rekeyAt'),
      deleteChild: (slot) => send({ type: 'cmd.childDelete', slot }, 'delete'),
      configure: (config) => this.setConfig(config),
      sendUdp: (d) => this.sendUdp(d),
      children: () => [...this.children],
    };
  }

  command(c: NodeCommand): void {
    switch (c.type) {
      case 'cmd.connect':
        this.reconnectTries = 0;
        this.connect();
        return;
      case 'cmd.disconnect':
        this.cancelReconnect?.();
        this.reconnectTries = Number.MAX_SAFE_INTEGER;
        this.actor?.send({ type: 'cmd.disconnect' });
        return;
      case 'cmd.ping':
        this.ping();
        return;
      default:
        this.host.traceNote('command.ignored', { command: c.type });
    }
  }

  private connect(): void {
    this.cancelReconnect?.();
    this.cancelReconnect = undefined;
    this.stopActor();
    const actor = createActor(initiatorMachine, {
      clock: this.host.clock,
      input: {
        cfg: this.options.ike,
        method: this.tasks,
        peerIdentity: this.options.gatewayIdentity,
        rng: this.rng,
      },
    });
    this.actor = actor;
    actor.on('*', (e) => this.onEmitted(e as IkeEmitted));
    this.tracker = traceTransitions(
      actor,
      this.lastState,
      (from, to) => this.host.traceState('ike', from, to),
      (s) => (this.lastState = s),
    );
    actor.start();
    actor.send({ type: 'cmd.connect' });
  }

  private stopActor(): void {
    this.actor?.stop();
    this.actor = undefined;
    this.up = false;
    this.children = [];
    this.inbound.clear();
    this.config = undefined;
    this.cancelPing?.();
    this.cancelPing = undefined;
  }

  private setConfig(config: AssignedConfig | undefined): void {
    const had = this.config !== undefined;
    this.config = config;
    this.host.traceNote('client.configured', { address: config?.address ?? 'none', child: this.children.length > 0 });
    if (!had && config !== undefined) this.schedulePing();
  }

  private onEmitted(e: IkeEmitted): void {
    switch (e.type) {
      case 'net.send': {
        let packet = this.packets.get(e.message);
        if (packet === undefined) {
          packet = ikePacket(this.options.address, this.options.gatewayAddress, e.message);
          this.packets.set(e.message, packet);
        }
        this.host.send('eth0', packet);
        return;
      }
      case 'ike.up': {
        this.up = true;
        const child = e.child as ClientChild | undefined;
        this.children = child === undefined ? [] : [child];
        if (child !== undefined) this.inbound.set(child.spiIn, child);
        this.config = e.config;
        this.reconnectTries = 0;
        this.host.traceNote('client.configured', { address: e.config?.address ?? 'none', child: child !== undefined });
        if (e.config !== undefined) this.schedulePing();
        this.tasks.onIkeUp?.(e.config);
        if (child !== undefined) this.tasks.onChild?.(child, false);
        return;
      }
      case 'ike.child': {
        const child = e.child as ClientChild;
        const replaced = e.replaces !== undefined;
        this.children = replaced
          ? this.children.map((c) => (c.slot === child.slot ? child : c))
          : [...this.children.filter((c) => c.slot !== child.slot), child];
        this.inbound.set(child.spiIn, child);
        this.host.traceNote(replaced ? 'client.childRekeyed' : 'client.childAdded', {
          slot: child.slot,
          spiIn: child.spiIn,
        });
        this.tasks.onChild?.(child, replaced);
        return;
      }
      case 'ike.childDeleted':
        for (const spi of e.spisIn) {
          this.inbound.delete(spi);
          this.espSeq.delete(spi);
        }
        this.children = this.children.filter((c) => !e.spisIn.includes(c.spiIn));
        return;
      case 'ike.configured':
        this.setConfig(e.config);
        return;
      case 'ike.rekeyed':
        this.host.traceNote('client.ikeRekeyed', { spiI: e.keys.spiI });
        return;
      case 'ike.closed':
        this.host.traceNote('client.closed', { reason: e.reason });
        this.up = false;
        this.children = [];
        this.inbound.clear();
        this.config = undefined;
        this.cancelPing?.();
        this.cancelPing = undefined;
        this.tasks.onIkeClosed?.(e.reason);
        this.maybeReconnect(e.reason);
        return;
      case 'ike.note':
        this.host.traceNote(e.text, e.data);
        return;
      default:
        return;
    }
  }

  private maybeReconnect(reason: string): void {
    const policy = this.options.reconnect ?? DEFAULT_RECONNECT;
    if (reason === 'disconnect' || this.reconnectTries >= policy.triesMax) return;
    this.reconnectTries++;
    const delayUs = (policy.delayMs + this.rng.intBelow(policy.jitterMs + 1)) * 1000;
    this.host.traceNote('client.reconnect', { attempt: this.reconnectTries, delayUs });
    this.cancelReconnect = this.host.setTimerUs(delayUs, 'client.reconnect', () => this.connect());
  }

  private schedulePing(): void {
    const every = this.options.pingIntervalMs ?? 0;
    if (every <= 0 || this.cancelPing !== undefined) return;
    this.cancelPing = this.host.setTimerUs(every * 1000, 'client.ping', () => {
      this.cancelPing = undefined;
      this.ping();
      this.schedulePing();
    });
  }

  /**
   * Sends an inner UDP datagram through the SPD (RFC 4301 §4.4.1, rules in client-spd.ts): sealed into the matching
   * Child SA (ESP tunnel mode to the gateway), or in the clear on `eth0` when no Child SA matches.
   */
  sendUdp(d: UdpDatagram): SendVerdict {
    const flow = { ...d, protocol: IpProtocol.UDP };
    const child = selectChild(this.children, flow);
    if (child === undefined) {
      this.host.send('eth0', datagramPacket(d));
      return { kind: 'clear' };
    }
    const seq = (this.espSeq.get(child.spiIn) ?? 0) + 1;
    this.espSeq.set(child.spiIn, seq);
    const { address, gatewayAddress } = this.options;
    this.host.send('eth0', espPacket(address, gatewayAddress, child.spiOut, seq, child.suite, datagramPacket(d)));
    return { kind: 'tunnel', slot: child.slot };
  }

  /** Sends one echo request to `pingTarget` from the inner address (no-op, noted, when not configured). */
  ping(): void {
    const inner = this.config?.address;
    const target = this.options.pingTarget;
    if (inner === undefined || target === undefined || this.children.length === 0) {
      this.host.traceNote('data.noTunnel', {});
      return;
    }
    const seq = ++this.pingSeq;
    this.pingSentUs.set(seq, this.host.nowUs());
    const data = new TextEncoder().encode(`ping ${seq}`);
    this.sendUdp({ src: inner, dst: target, srcPort: DATA_PORT, dstPort: ECHO_PORT, app: { kind: 'raw', data } });
  }

  receive(_iface: string, p: Packet): void {
    const ike = ikeOf(p);
    if (ike !== undefined) {
      this.actor?.send({ type: 'net.recv', message: ike });
      return;
    }
    const esp = espOf(p);
    if (esp === undefined) return;
    const child = this.inbound.get(esp.spi);
    const d = udpOf(esp.inner);
    if (child === undefined || d === undefined) {
      this.host.traceNote('data.unknownSpi', { spi: esp.spi });
      return;
    }
    // RFC 4301 §5.2: the inner packet must match the SA's selectors (TSr source, TSi destination).
    if (!coversInbound(child, { ...d, protocol: IpProtocol.UDP })) {
      this.host.traceNote('data.spoofed', { spi: esp.spi, src: d.src });
      return;
    }
    if (d.dstPort === DATA_PORT && d.app.kind === 'raw') {
      const text = new TextDecoder().decode(d.app.data);
      const seq = Number(text.split(' ')[1]);
      const sent = this.pingSentUs.get(seq);
      this.pingSentUs.delete(seq);
      this.host.traceNote('data.echo', { seq, rttUs: sent === undefined ? -1 : this.host.nowUs() - sent });
      return;
    }
    this.tasks.onUdp?.(d, child.slot);
  }

  crash(): void {
    this.cancelReconnect?.();
    this.tasks.stop?.();
    this.stopActor();
    this.methodMachines.clear();
    this.lastState = 'idle';
  }

  restart(): void {
    this.lastState = 'idle';
    this.buildTasks();
  }

  /** The Child SAs the SPD uses now, oldest slot first (tests, the web view). */
  childSas(): readonly ClientChildView[] {
    return [...this.children].sort((a, b) => a.seq - b.seq);
  }

  /** The inner address, if configured. */
  innerConfig(): AssignedConfig | undefined {
    return this.config;
  }

  states(): Readonly<Record<string, string>> {
    const out: Record<string, string> = { ike: this.tracker?.current() ?? this.lastState };
    for (const [name, t] of this.methodMachines) out[name] = t.current();
    return out;
  }
}
