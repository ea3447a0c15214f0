/**
 * A remote-access client, as the simulator sees it: a thin adapter around one tunnel machine per gateway
 * (client/client-machine.ts: the two-enterprises case of draft-richardson §4), each spawning its IKE initiator with the
 * method's client tasks plugged in and deciding connect, reconnect (client/reconnect-policy.ts), give-up, the method's
 * restart of the IKE SA and the auto-connect after a crash. The adapter keeps the data path: ONE SPD over the Child
 * SAs of all its tunnels (client-spd.ts, RFC 4301 §4.4.1), a data path (UDP echo through a Child SA, ESP tunnel mode)
 * so "time to first data packet" is measurable from the trace, and optionally a home LAN DHCP client on its physical interface (the outer address comes
 * from a home DHCP server; its packets go through the same SPD, which is what makes draft-richardson §4's wildcard
 * hazard observable). Commands: `cmd.connect`, `cmd.disconnect`, `cmd.ping` (optional `args.tunnel`: one tunnel by
 * name; default all tunnels for connect/disconnect, the primary tunnel for ping).
 *
 * Trace notes for the metrics: `address.assigned {client, address}` / `address.released {client, address}` whenever
 * a tunnel's inner address changes; `spd.misdirected {client, dst, dstPort, slot, tunnel, wanted}` when a datagram
 * that belongs elsewhere (the home DHCP client's, or another tunnel's) is caught by a Child SA's selectors;
 * `spd.leaked` when a method's datagram matches no SA and leaves in the clear.
 */
import { type Actor, type AnyActorRef } from 'xstate';
import type { InterfaceConfig, NodeCommand, NodeHost, PacketCodec, RandomStream, SimNode } from '../contract.ts';
import { ethernetIdentity } from '../dhcp/client-identity.ts';
import { dhcpClientMachine } from '../dhcp/client-machine.ts';
import type { RetransmitPolicy as DhcpRetransmitPolicy } from '../dhcp/client-timers.ts';
import { netmaskToPrefix } from '../wire/ipv4-address.ts';
import type { IkePeerConfig } from '../ike/config.ts';
import { RetiredResponses, retiredKeepUs } from '../ike/retired-responses.ts';
import type { ClientChild } from '../ike/sa.ts';
import type { ChildRequest } from '../ike/hooks.ts';
import type { InitiatorInput } from '../ike/initiator-context.ts';
import type { IkeEndpoints } from '../ike/nat-detection.ts';
import type { IkeEmitted } from '../ike/emitted.ts';
import type { AssignedConfig } from '../ike/tasks/ike-config.ts';
import type {
  ClientChildView,
  ClientMethodContext,
  ClientMethodFactory,
  ClientMethodTasks,
  NoteData,
  SendVerdict,
  UdpDatagram,
} from '../methods/method.ts';
import type { DhcpMessage } from '../wire/dhcp/types.ts';
import type { IkeMessage, IkePayload, IkeTrafficSelector } from '../wire/ike/index.ts';
import { IpProtocol } from '../wire/ipv4.ts';
import { createPacketCodec, IKE_PORT, type PacketCodecOptions } from '../wire/packet.ts';
import { SaKeyStore } from '../wire/crypto/sa-key-store.ts';
import { modelledIkeCrypto, type CryptoMode, type IkeCrypto } from '../ike/ike-crypto.ts';
import { createRealIkeCrypto, keysNote } from '../ike/real-ike-crypto.ts';
import { coversInbound, selectChild } from './client-spd.ts';
import {
  datagramPacket,
  ECHO_PORT,
  espOf,
  espPacket,
  hasOpaqueSk,
  ikeOf,
  ikePacket,
  opaqueEspSpi,
  packetCodec,
  udpOf,
  type Packet,
} from './lab-packet.ts';
import { stateName, traceStatesTo } from './machine-trace.ts';
import { DEFAULT_ESP_DEFENCES, EspInbound, espKeyOf, type EspDefences } from './esp-inbound.ts';
import { udpCanary } from '../attacks/canary.ts';
import {
  clientMachine,
  type ClientTunnelEmitted,
  type ClientTunnelPorts,
  type InitiatorRef,
} from './client/client-machine.ts';
import { DEFAULT_RECONNECT, type ReconnectPolicy } from './client/reconnect-policy.ts';
import { labActor } from '../../sim/statechart/runtime-choice.ts';
import { fitted } from '../wire/fitted.ts';
import { FewMap } from './few-map.ts';

export { DEFAULT_RECONNECT, type ReconnectPolicy } from './client/reconnect-policy.ts';

/** Another tunnel of the same client, to another gateway (draft-richardson §4 "two enterprises"). */
export interface ClientTunnelOptions {
  /** Names the tunnel in commands (`args.tunnel`), notes (`tunnel`) and machine names (`ike@<name>`). */
  readonly name: string;
  readonly gatewayAddress: string;
  readonly gatewayIdentity?: string;
  readonly ike: IkePeerConfig;
  readonly method: ClientMethodTasks | ClientMethodFactory;
  readonly pingTarget?: string;
}

/** The client's physical interface gets its address from a home DHCP server (RFC 2131 client over UDP 68 → 67). */
export interface HomeDhcpOptions {
  readonly mac: string;
  /** Default RFC 2131 §4.1. */
  readonly retransmit?: DhcpRetransmitPolicy;
}

export interface ClientNodeOptions {
  readonly name: string;
  /** The codec of its packets (default `packetCodec`); e.g. the WG draft's DHCP payload type 16 (`dhcpPayloadType`). */
  readonly codec?: PacketCodec<Packet>;
  /**
   * `real`: real IKE and ESP cryptography (models/ike/real-ike-crypto.ts); the node's codec is then built from
   * `codecOptions` with the node's SA keys, and `codec` is not used. Default `modelled`.
   */
  readonly crypto?: CryptoMode;
  readonly codecOptions?: PacketCodecOptions;
  /** The physical (outer) address on `eth0` (with `homeDhcp`: the address the home server is expected to lease). */
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
  /** More tunnels, to other gateways; they share this node's SPD (the primary tunnel is the one above). */
  readonly tunnels?: readonly ClientTunnelOptions[];
  /** A home DHCP client on `eth0` (draft-richardson §4 wildcard hazard). */
  readonly homeDhcp?: HomeDhcpOptions;
  /** Inbound ESP checks (RFC 4303 §3.4.3–3.4.4); default on, 64-packet window. */
  readonly esp?: EspDefences;
  /** An adversarial behaviour (models/attacks/): sees the node's wire and may send on it. */
  readonly behaviour?: ClientBehaviourFactory;
}

/**
 * Traffic selectors as one line, `start-end[/proto[:ports]]` joined by `,` (e.g. `10.99.1.10-10.99.1.10`,
 * `0.0.0.0-255.255.255.255/17:68-68`): the trace's view of a Child SA's TSi, read by the invariant checker.
 */
export function selectorsText(ts: readonly IkeTrafficSelector[]): string {
  return ts
    .map((x) => {
      if (x.kind !== 'ipv4Range') return `raw${x.tsType}`;
      const ports = x.startPort === 0 && x.endPort === 65535 ? '' : `:${x.startPort}-${x.endPort}`;
      const proto = x.ipProtocol === 0 && ports === '' ? '' : `/${x.ipProtocol}${ports}`;
      return `${x.startAddress}-${x.endAddress}${proto}`;
    })
    .join(',');
}

/** What an adversarial behaviour may use of its client node (models/attacks/). */
export interface ClientBehaviourHost {
  readonly name: string;
  readonly host: NodeHost<Packet>;
  /** The primary tunnel's method context as the method sees it (its SPD send, children, inner address). */
  readonly methodContext: () => ClientMethodContext | undefined;
  /** The node's current outer address. */
  outerAddress(): string;
  /** The primary tunnel's Child SAs and inner address. */
  children(): readonly ClientChild[];
  innerAddress(): string | undefined;
  /** Sends a raw packet on eth0 (crafted IKE or ESP). */
  sendRaw(p: Packet): void;
  /** Seals an inner datagram into a Child SA of the primary tunnel (its key, the next sequence number). */
  sealInto(child: ClientChild, inner: Packet): Packet;
}

export interface ClientBehaviour {
  /** May replace the method factory (e.g. to rewrite the DHCP messages it sends). */
  wrapMethod?(m: ClientMethodFactory): ClientMethodFactory;
  start(host: ClientBehaviourHost): void;
  /** Every packet the node receives, before the node; true = consumed (a reply to a crafted message). */
  onReceive?(p: Packet): boolean;
  /** Every packet the node sends on eth0 (what an on-path observer of this node would capture). */
  onSend?(p: Packet): void;
}

export type ClientBehaviourFactory = () => ClientBehaviour;

/** Source port of the echo workload. */
export const DATA_PORT = 40000;
/** Name of the tunnel built from the top-level options. */
export const PRIMARY_TUNNEL = 'primary';
const CONNECT = { type: 'client.connect' } as const;
const DISCONNECT = { type: 'client.disconnect' } as const;
const CRASH = { type: 'node.crash' } as const;
const RESTART = { type: 'node.restart' } as const;
const IKE_UP = { type: 'ike.up' } as const;
const TIMER = { type: 'client.timer' } as const;
/** Where a datagram should go: in the clear on the physical interface, or through one tunnel. */
export type Origin = { readonly kind: 'clear' } | { readonly kind: 'tunnel'; readonly tunnel: string };

/** A child with the tunnel it belongs to and a node-wide age (the SPD's last tie-break, client-spd.ts rule 4). */
interface SpdEntry extends ClientChild {
  readonly tunnel: string;
}

/**
 * One IKE SA (and its Child SAs) to one gateway: the data path's view. Whether it connects, reconnects, gives up or
 * comes back after a restart is its machine's decision (client/client-machine.ts).
 */
class Tunnel {
  tasks!: ClientMethodTasks;
  machine!: Actor<typeof clientMachine>;
  /** The machine's current IKE initiator (its spawned child), while it has one. */
  actor: InitiatorRef | undefined;
  tracker: { current(): string } | undefined;
  connectionTracker: { current(): string } | undefined;
  readonly machines = new FewMap<string, { current(): string }>();
  children: ClientChild[] = [];
  /** Our inbound SPIs' Child SAs (a replaced one stays until its delete). */
  readonly inbound = new FewMap<number, ClientChild>();
  /** Node-wide slot ages of this tunnel's slots, kept across rekeys (client-spd.ts rule 4). */
  readonly slotAges = new FewMap<string, number>();
  config: AssignedConfig | undefined;
  up = false;
  cancelPing: (() => void) | undefined;
  /** The machine's current wait (reconnect, auto-connect, restart): a host timer, so the trace names it. */
  cancelWait: (() => void) | undefined;
  lastState = 'idle';
  rng!: RandomStream;
  /** Our last response to the gateway's requests on the current IKE SA, kept past its end (RFC 7296 §2.1). */
  lastResponse: IkeMessage | undefined;

  constructor(
    readonly name: string,
    readonly options: ClientTunnelOptions,
  ) {}

  get primary(): boolean {
    return this.name === PRIMARY_TUNNEL;
  }

  /** Machine names: `ike`, `dhcp` for the primary tunnel; `ike@b`, `dhcp@b` for the others. */
  machineName(m: string): string {
    return this.primary ? m : `${m}@${this.name}`;
  }

  /** Notes of non-primary tunnels carry `tunnel`. */
  data(d: NoteData): NoteData {
    return this.primary ? d : { ...d, tunnel: this.name };
  }
}

/**
 * A tunnel's `ClientMethodContext`: one object whose operations are prototype methods, not a closure per operation
 * per client (a storm holds one per client; under tsx each named closure also carries its own property dictionary).
 * `nowUs` stays a function value: methods pass it on unbound (`nowUs: ctx.nowUs`).
 */
class TunnelMethodContext implements ClientMethodContext {
  readonly clock: ClientMethodContext['clock'];
  readonly outerAddress: string;
  readonly gatewayAddress: string;

  constructor(
    private readonly node: ClientNode,
    private readonly t: Tunnel,
    private readonly host: NodeHost<Packet>,
    readonly nowUs: () => number,
  ) {
    this.clock = host.clock;
    this.outerAddress = node.options.address;
    this.gatewayAddress = t.options.gatewayAddress;
  }

  rng(label: string): RandomStream {
    const t = this.t;
    return this.host.rng(t.primary ? `method:${label}` : `method@${t.name}:${label}`);
  }

  setTimerUs(delayUs: number, name: string, fire: () => void): () => void {
    return this.host.setTimerUs(delayUs, name, fire);
  }

  traceState(machine: string, from: string, to: string): void {
    this.host.traceState(this.t.machineName(machine), from, to);
  }

  traceNote(text: string, data?: NoteData): void {
    const t = this.t;
    this.host.traceNote(text, t.primary ? data : t.data(data ?? {}));
  }

  traceMachine(actor: AnyActorRef, machine: string): { current(): string } {
    const t = this.t;
    const host = this.host;
    const name = t.machineName(machine);
    const tr = traceStatesTo(actor, 'none', host, name);
    t.machines.set(name, tr);
    return tr;
  }

  ikeUp(): boolean {
    return this.t.up;
  }

  private send(e: Parameters<InitiatorRef['send']>[0], what: string): void {
    const t = this.t;
    if (t.actor === undefined) this.host.traceNote('method.noIkeSa', t.data({ request: what }));
    else t.actor.send(e);
  }

  requestChild(request: ChildRequest): void {
    this.send({ type: 'cmd.child', request }, 'child');
  }

  continueAuth(payloads: readonly IkePayload[]): void {
    this.send({ type: 'cmd.authRound', payloads }, 'authRound');
  }

  scheduleChildRekey(slot: string, delayMs: number): void {
    this.send({ type: 'cmd.childRekeyAt', slot, delayMs }, 'rekeyAt');
  }

  deleteChild(slot: string): void {
    this.send({ type: 'cmd.childDelete', slot }, 'delete');
  }

  configure(config: AssignedConfig | undefined): void {
    this.node.configureTunnel(this.t, config);
  }

  /** Honoured while connected (client-machine.ts `restartPending`), once the current event is over. */
  reconnect(reason: string): void {
    this.t.machine.send({ type: 'client.restartIke', reason });
  }

  sendUdp(d: UdpDatagram): SendVerdict {
    return this.node.sendFrom(d, { kind: 'tunnel', tunnel: this.t.name });
  }

  children(): readonly ClientChildView[] {
    return [...this.t.children];
  }
}

/** An initiator's traced state: its own last state, else the tunnel's (ClientNode.traceInitiator). */
class InitiatorTracker {
  mine: string | undefined;

  constructor(private readonly t: Tunnel) {}

  current(): string {
    return this.mine ?? this.t.lastState;
  }
}

/** The context with every operation bound as an own property: survives an object spread. */
function ownPropertyContext(c: ClientMethodContext): ClientMethodContext {
  return {
    clock: c.clock,
    outerAddress: c.outerAddress,
    gatewayAddress: c.gatewayAddress,
    rng: (label) => c.rng(label),
    nowUs: c.nowUs,
    setTimerUs: (delayUs, name, fire) => c.setTimerUs(delayUs, name, fire),
    traceState: (machine, from, to) => c.traceState(machine, from, to),
    traceNote: (text, data) => c.traceNote(text, data),
    traceMachine: (actor, machine) => c.traceMachine(actor, machine),
    ikeUp: () => c.ikeUp(),
    requestChild: (request) => c.requestChild(request),
    continueAuth: (payloads) => c.continueAuth(payloads),
    scheduleChildRekey: (slot, delayMs) => c.scheduleChildRekey(slot, delayMs),
    deleteChild: (slot) => c.deleteChild(slot),
    configure: (config) => c.configure(config),
    reconnect: (reason) => c.reconnect(reason),
    sendUdp: (d) => c.sendUdp(d),
    children: () => c.children(),
  };
}

/** What a tunnel's machine asks of the node (client-machine.ts ClientTunnelPorts): one object per tunnel. */
class TunnelPorts implements ClientTunnelPorts {
  constructor(
    private readonly node: ClientNode,
    private readonly t: Tunnel,
  ) {}

  initiatorInput(): InitiatorInput {
    return this.node.initiatorInputOf(this.t);
  }

  attach(actor: InitiatorRef): void {
    this.node.attachInitiator(this.t, actor);
  }
}

/** A new initiator's input; `endpoints` reads the node's outer address when IKE_SA_INIT is built. */
class TunnelInitiatorInput implements InitiatorInput {
  readonly cfg: IkePeerConfig;
  readonly method: ClientMethodTasks;
  readonly peerIdentity: string | undefined;
  readonly rng: RandomStream;

  constructor(
    private readonly t: Tunnel,
    readonly crypto: IkeCrypto,
    private readonly node: ClientNode,
  ) {
    this.cfg = t.options.ike;
    this.method = t.tasks;
    this.peerIdentity = t.options.gatewayIdentity;
    this.rng = t.rng;
  }

  // NAT detection (RFC 7296 §2.23) hashes the ends the IKE_SA_INIT is sent with (ikePacket: UDP 500 ↔ 500).
  endpoints(): IkeEndpoints {
    return {
      local: { address: this.node.outerAddress(), port: IKE_PORT },
      remote: { address: this.t.options.gatewayAddress, port: IKE_PORT },
    };
  }
}

export class ClientNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<Packet>;
  private host!: NodeHost<Packet>;
  private readonly tunnels: Tunnel[];
  /** Our ESP sequence numbers by inbound SPI (RFC 4303 §2.2). */
  private readonly espSeq = new FewMap<number, number>();
  private readonly inboundEsp: EspInbound;
  private readonly behaviour: ClientBehaviour | undefined;
  /** On-path observers (created on the first tap: few clients have one). */
  private taps: ((p: Packet) => void)[] | undefined;
  private primaryContext: ClientMethodContext | undefined;
  private nextSlotAge = 0;
  private pingSeq = 0;
  /** Echo send times by sequence number; created on the first ping (a storm's clients may never ping). */
  private pingSentUs: Map<number, number> | undefined;
  /** The physical interface's current address (the home lease, when `homeDhcp`). */
  private outer: string;
  private home: Actor<typeof dhcpClientMachine> | undefined;
  private homeTracker: { current(): string } | undefined;
  private homeLease: string | undefined;
  /** Last responses of our IKE SAs that ended (closed, rekeyed away, replaced): RFC 7296 §2.1, retired-responses.ts. */
  private readonly retired: RetiredResponses;
  /** Real crypto: the SA keys our codec seals and opens with (written by the IKE machines), lost in a crash. */
  private readonly saKeys: SaKeyStore | undefined;
  private ikeCrypto: IkeCrypto = modelledIkeCrypto;
  /** `host.nowUs` as a function value, shared by the tunnels' method contexts (methods hand it on unbound). */
  private nowUsOfHost: (() => number) | undefined;

  private get realCrypto(): boolean {
    return this.options.crypto === 'real';
  }

  /** The modelled ESP key of a Child SA direction; undefined with real crypto (the codec seals with the SA's keys). */
  private espKey(pskName: string, headerSpi: number, otherSpi: number): number | undefined {
    return this.realCrypto ? undefined : espKeyOf(pskName, headerSpi, otherSpi);
  }

  constructor(readonly options: ClientNodeOptions) {
    this.name = options.name;
    // Only real crypto keeps keys (modelled runs, a storm's thousands of clients, hold no store).
    this.saKeys = options.crypto === 'real' ? new SaKeyStore() : undefined;
    this.codec =
      this.saKeys !== undefined
        ? createPacketCodec({ ...options.codecOptions, keys: this.saKeys })
        : (options.codec ?? packetCodec);
    this.outer = options.address;
    this.interfaces = [{ name: 'eth0', address: options.address, prefixLength: options.prefixLength }];
    const primary: ClientTunnelOptions = {
      name: PRIMARY_TUNNEL,
      gatewayAddress: options.gatewayAddress,
      ...(options.gatewayIdentity === undefined ? {} : { gatewayIdentity: options.gatewayIdentity }),
      ike: options.ike,
      method: options.method,
      ...(options.pingTarget === undefined ? {} : { pingTarget: options.pingTarget }),
    };
    this.tunnels = [primary, ...(options.tunnels ?? [])].map((t) => new Tunnel(t.name, t));
    this.inboundEsp = new EspInbound(options.esp ?? DEFAULT_ESP_DEFENCES);
    this.retired = new RetiredResponses(retiredKeepUs(options.ike.retransmit));
    this.behaviour = options.behaviour?.();
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    if (this.saKeys !== undefined)
      this.ikeCrypto = createRealIkeCrypto(this.saKeys, (k) => host.traceNote('crypto.keys', keysNote(k)));
    for (const t of this.tunnels) {
      t.rng = host.rng(t.primary ? 'ike' : `ike@${t.name}`);
      this.buildTasks(t);
      t.machine = labActor(clientMachine, {
        clock: host.clock,
        input: {
          tunnel: t.name,
          policy: this.options.reconnect ?? DEFAULT_RECONNECT,
          rng: t.rng,
          ports: this.tunnelPorts(t),
        },
      });
      t.machine.on('*', (e) => this.onTunnel(t, e));
      // The connection machine (client/client-machine.ts) is drawn in the State panel as `connection`
      // (`connection@<tunnel>` for the others).
      t.connectionTracker = traceStatesTo(t.machine, 'none', host, t.machineName('connection'));
      t.machine.start();
    }
    this.startHome();
    this.behaviour?.start(this.behaviourHost());
  }

  /** An on-path observer of this node's outgoing packets (the attacker's capture of its victim). */
  tap(observer: (p: Packet) => void): void {
    (this.taps ??= []).push(observer);
  }

  private sendEth0(p: Packet): void {
    if (this.taps !== undefined) for (const tap of this.taps) tap(p);
    this.behaviour?.onSend?.(p);
    this.host.send('eth0', p);
  }

  private behaviourHost(): ClientBehaviourHost {
    const primary = this.tunnels[0];
    return {
      name: this.name,
      host: this.host,
      methodContext: () => this.primaryContext,
      outerAddress: () => this.outer,
      children: () => [...(primary?.children ?? [])],
      innerAddress: () => primary?.config?.address,
      sendRaw: (p) => this.sendEth0(p),
      sealInto: (child, inner) => {
        const seq = (this.espSeq.get(child.spiIn) ?? 0) + 1;
        this.espSeq.set(child.spiIn, seq);
        const gw = primary?.options.gatewayAddress ?? this.options.gatewayAddress;
        const key = this.espKey(primary?.options.ike.pskName ?? '', child.spiOut, child.spiIn);
        return espPacket(this.outer, gw, child.spiOut, seq, child.suite, inner, key);
      },
    };
  }

  private buildTasks(t: Tunnel): void {
    const base = t.options.method;
    const m =
      this.behaviour?.wrapMethod !== undefined && typeof base === 'function' && t.primary
        ? this.behaviour.wrapMethod(base)
        : base;
    const ctx = this.methodContext(t);
    if (t.primary) this.primaryContext = ctx;
    // A wrapping behaviour may copy the context (`{ ...ctx, outerAddress }`, models/attacks/): it gets one whose
    // operations are own properties.
    t.tasks = typeof m === 'function' ? m(m === base ? ctx : ownPropertyContext(ctx)) : m;
  }

  private methodContext(t: Tunnel): ClientMethodContext {
    this.nowUsOfHost ??= () => this.host.nowUs();
    return new TunnelMethodContext(this, t, this.host, this.nowUsOfHost);
  }

  /** The method's `configure` (TunnelMethodContext): the tunnel's inner address changes. */
  configureTunnel(t: Tunnel, config: AssignedConfig | undefined): void {
    this.setConfig(t, config);
  }

  private tunnelsFor(c: NodeCommand): Tunnel[] {
    const wanted = c.args?.['tunnel'];
    return wanted === undefined ? this.tunnels : this.tunnels.filter((t) => t.name === wanted);
  }

  command(c: NodeCommand): void {
    switch (c.type) {
      case 'cmd.connect':
        for (const t of this.tunnelsFor(c)) t.machine.send(CONNECT);
        return;
      case 'cmd.disconnect':
        for (const t of this.tunnelsFor(c)) t.machine.send(DISCONNECT);
        return;
      case 'cmd.ping': {
        const t = c.args?.['tunnel'] === undefined ? this.tunnels[0] : this.tunnelsFor(c)[0];
        if (t !== undefined) this.ping(t);
        return;
      }
      default:
        this.host.traceNote('command.ignored', { command: c.type });
    }
  }

  /** What the tunnel's machine asks of the node: the data path's side of its decisions. */
  private tunnelPorts(t: Tunnel): ClientTunnelPorts {
    return new TunnelPorts(this, t);
  }

  /** The initiator's input for a new IKE SA of tunnel `t` (TunnelPorts). */
  initiatorInputOf(t: Tunnel): InitiatorInput {
    return new TunnelInitiatorInput(t, this.ikeCrypto, this);
  }

  /** The outer address IKE_SA_INIT goes from now (NAT detection, RFC 7296 §2.23). */
  outerAddress(): string {
    return this.outer;
  }

  /** A new initiator of tunnel `t` is spawned: the node hears its emitted events and traces its states. */
  attachInitiator(t: Tunnel, actor: InitiatorRef): void {
    t.actor = actor;
    actor.on('*', (e) => this.onEmitted(t, e as IkeEmitted));
    t.tracker = this.traceInitiator(t, actor);
  }

  /**
   * The initiator's states as `ike` / `ike@<tunnel>` state traces, continuing from the tunnel's last traced state as
   * it is when the new initiator starts (after the old one's last transitions: the machine spawns the new initiator
   * before its step's deferred effects, e.g. the old one's `cmd.disconnect`, have run).
   */
  private traceInitiator(t: Tunnel, actor: InitiatorRef): { current(): string } {
    const tracker = new InitiatorTracker(t);
    const machine = t.machineName('ike');
    actor.subscribe((snapshot) => {
      const now = stateName(snapshot.value);
      const last = tracker.current();
      if (now === last) return;
      this.host.traceState(machine, last, now);
      tracker.mine = now;
      t.lastState = now;
    });
    return tracker;
  }

  /** What the tunnel's machine tells the node to do (client-machine.ts `ClientTunnelEmitted`). */
  private onTunnel(t: Tunnel, e: ClientTunnelEmitted): void {
    switch (e.type) {
      case 'tunnel.detach':
        this.detach(t);
        return;
      /**
       * A connect while the previous IKE SA is still open (up, being set up, or being deleted) abandons it: the
       * gateway replaces it on the new one's INITIAL_CONTACT (RFC 7296 §2.4) and frees its address at once (a DHCP
       * relay releases the lease), so the address goes now, not when the new SA is configured (RFC 2131 §4.4.5), and
       * the method's state (a bound DHCP client, RFC 3456 §3.1) goes with it exactly as if the SA had closed — else
       * the method would wait on a lease the new IKE SA never negotiated a tunnel for.
       */
      case 'tunnel.abandon':
        this.noteAddressChange(t, t.config?.address, undefined);
        t.config = undefined;
        t.tasks.onIkeClosed?.(e.reason);
        return;
      /**
       * The Delete the user's disconnect sends lets the gateway hand the lease back at once (its relay's DHCPRELEASE
       * on our behalf, RFC 2131 §4.4.6), which can reach the server before the Delete's response reaches us: the
       * address is given up now, not when the IKE SA has closed (§4.4.5: no use after the server's lease ends), and
       * the method's DHCP client stops with it (it would renew, or ask for a DHCP SA, while deleting).
       */
      case 'tunnel.release':
        this.noteAddressChange(t, t.config?.address, undefined);
        t.config = undefined;
        t.cancelPing?.();
        t.cancelPing = undefined;
        t.tasks.onIkeClosed?.('disconnect');
        return;
      case 'tunnel.lose':
        t.tasks.stop?.();
        this.detach(t);
        t.actor = undefined;
        t.machines.clear();
        t.lastState = 'idle';
        return;
      case 'tunnel.note':
        this.host.traceNote(e.text, t.data(e.data));
        return;
      case 'tunnel.wait':
        t.cancelWait?.();
        t.cancelWait = this.host.setTimerUs(e.delayUs, e.name, () => {
          t.cancelWait = undefined;
          t.machine.send(TIMER);
        });
        return;
      case 'tunnel.stopWait':
        t.cancelWait?.();
        t.cancelWait = undefined;
        return;
    }
  }

  /**
   * The old initiator goes (the machine stops it): the data path forgets its SA. The new one, if any, is already
   * attached (`attach` runs while the machine spawns it; this runs once the machine's step is over).
   */
  private detach(t: Tunnel): void {
    this.retire(t);
    t.up = false;
    this.dropChildren(t);
    t.config = undefined;
    t.cancelPing?.();
    t.cancelPing = undefined;
  }

  /** The tunnel's IKE SA ended: its last response stays answerable for a while (RFC 7296 §2.1). */
  private retire(t: Tunnel): void {
    this.retired.retire(t.lastResponse, this.host.nowUs());
    t.lastResponse = undefined;
  }

  private dropChildren(t: Tunnel): void {
    for (const c of t.children) t.slotAges.delete(c.slot);
    t.children = [];
    t.inbound.clear();
  }

  /** `address.assigned` / `address.released` whenever the tunnel's inner address changes. */
  private noteAddressChange(t: Tunnel, before: string | undefined, after: string | undefined): void {
    if (before === after) return;
    if (before !== undefined) this.host.traceNote('address.released', t.data({ client: this.name, address: before }));
    if (after !== undefined) this.host.traceNote('address.assigned', t.data({ client: this.name, address: after }));
  }

  private setConfig(t: Tunnel, config: AssignedConfig | undefined): void {
    const before = t.config?.address;
    t.config = config;
    this.host.traceNote(
      'client.configured',
      t.data({ address: config?.address ?? 'none', child: t.children.length > 0 }),
    );
    this.noteAddressChange(t, before, config?.address);
    if (before === undefined && config !== undefined) this.schedulePing(t);
  }

  private onEmitted(t: Tunnel, e: IkeEmitted): void {
    switch (e.type) {
      case 'net.send': {
        // Protected responses only: an unprotected INVALID_IKE_SPI answers a request on another IKE SA (§2.21.4).
        if (e.message.response && e.message.payloads.some((p) => p.kind === 'SK')) t.lastResponse = e.message;
        // A packet per send, retransmissions too: the host encodes every packet it sends, and the same message between
        // the same ends encodes to the same bytes (IPv4 identification 0, checksum computed). Kept per message, the
        // packets lived as long as their messages (the pending request, the last response) and a table of them grew
        // with the storm: ~2 KB per client surviving young-generation GC.
        this.sendEth0(ikePacket(this.outer, t.options.gatewayAddress, e.message));
        return;
      }
      case 'ike.up': {
        t.up = true;
        // The machine is connected before the method hears of it (its `onIkeUp` may already ask for a new SA).
        t.machine.send(IKE_UP);
        const child = e.child as ClientChild | undefined;
        this.dropChildren(t);
        if (child !== undefined) this.addChild(t, child);
        const before = t.config?.address;
        t.config = e.config;
        this.host.traceNote(
          'client.configured',
          t.data({
            address: e.config?.address ?? 'none',
            child: child !== undefined,
            ...(child === undefined ? {} : { tsi: selectorsText(child.tsi) }),
          }),
        );
        this.noteAddressChange(t, before, e.config?.address);
        if (e.config !== undefined) this.schedulePing(t);
        t.tasks.onIkeUp?.(e.config);
        if (child !== undefined) t.tasks.onChild?.(child, false);
        return;
      }
      case 'ike.child': {
        const child = e.child as ClientChild;
        const replaced = e.replaces !== undefined;
        t.children = replaced
          ? t.children.map((c) => (c.slot === child.slot ? child : c))
          : fitted([...t.children.filter((c) => c.slot !== child.slot), child]);
        this.ageOf(t, child.slot);
        t.inbound.set(child.spiIn, child);
        this.host.traceNote(
          replaced ? 'client.childRekeyed' : 'client.childAdded',
          t.data({ slot: child.slot, spiIn: child.spiIn, tsi: selectorsText(child.tsi) }),
        );
        t.tasks.onChild?.(child, replaced);
        return;
      }
      case 'ike.childDeleted':
        for (const spi of e.spisIn) {
          t.inbound.delete(spi);
          this.espSeq.delete(spi);
          this.inboundEsp.forget(spi);
        }
        for (const c of t.children) if (e.spisIn.includes(c.spiIn)) t.slotAges.delete(c.slot);
        t.children = t.children.filter((c) => !e.spisIn.includes(c.spiIn));
        return;
      case 'ike.configured':
        this.setConfig(t, e.config);
        return;
      case 'ike.rekeyed':
        this.retire(t);
        this.host.traceNote('client.ikeRekeyed', t.data({ spiI: e.keys.spiI }));
        return;
      case 'ike.closed': {
        this.host.traceNote('client.closed', t.data({ reason: e.reason }));
        this.retire(t);
        const before = t.config?.address;
        t.up = false;
        this.dropChildren(t);
        t.config = undefined;
        this.noteAddressChange(t, before, undefined);
        t.cancelPing?.();
        t.cancelPing = undefined;
        t.tasks.onIkeClosed?.(e.reason);
        // Reconnect, give up, or nothing (our own disconnect): the machine's decision.
        t.machine.send({ type: 'ike.closed', reason: e.reason });
        return;
      }
      case 'ike.note':
        this.host.traceNote(e.text, t.primary ? e.data : t.data(e.data ?? {}));
        return;
      default:
        return;
    }
  }

  private addChild(t: Tunnel, child: ClientChild): void {
    t.children = fitted([...t.children.filter((c) => c.slot !== child.slot), child]);
    t.inbound.set(child.spiIn, child);
    this.ageOf(t, child.slot);
  }

  private ageOf(t: Tunnel, slot: string): number {
    let age = t.slotAges.get(slot);
    if (age === undefined) {
      age = this.nextSlotAge++;
      t.slotAges.set(slot, age);
    }
    return age;
  }

  private schedulePing(t: Tunnel): void {
    const every = this.options.pingIntervalMs ?? 0;
    if (every <= 0 || t.cancelPing !== undefined) return;
    t.cancelPing = this.host.setTimerUs(every * 1000, 'client.ping', () => {
      t.cancelPing = undefined;
      this.ping(t);
      this.schedulePing(t);
    });
  }

  /** Every Child SA of every tunnel, with node-wide slot ages (the SPD's candidates). */
  private spdEntries(): SpdEntry[] {
    const out: SpdEntry[] = [];
    for (const t of this.tunnels) {
      for (const c of t.children) out.push({ ...c, seq: this.ageOf(t, c.slot), tunnel: t.name });
    }
    return out;
  }

  /**
   * Sends an inner UDP datagram through the SPD (RFC 4301 §4.4.1, rules in client-spd.ts): sealed into the matching
   * Child SA of any tunnel (ESP tunnel mode to that tunnel's gateway), or in the clear on `eth0` when none matches.
   * The primary tunnel's view (kept for callers of the single-tunnel API).
   */
  sendUdp(d: UdpDatagram): SendVerdict {
    return this.sendFrom(d, { kind: 'tunnel', tunnel: PRIMARY_TUNNEL });
  }

  /** The SPD lookup for a datagram from `origin`; a catch by another tunnel's SA is traced as `spd.misdirected`. */
  sendFrom(d: UdpDatagram, origin: Origin): SendVerdict {
    const flow = { ...d, protocol: IpProtocol.UDP };
    const entry = selectChild(this.spdEntries(), flow);
    if (entry === undefined) {
      this.sendEth0(datagramPacket(d));
      // A tunnel's own datagram that no SA protects leaves on the physical interface (RFC 4301 §4.4.1 BYPASS).
      if (origin.kind === 'tunnel')
        this.host.traceNote('spd.leaked', { client: this.name, dst: d.dst, dstPort: d.dstPort, tunnel: origin.tunnel });
      return { kind: 'clear' };
    }
    const wanted = origin.kind === 'clear' ? 'clear' : origin.tunnel;
    if (wanted !== entry.tunnel) {
      this.host.traceNote('spd.misdirected', {
        client: this.name,
        dst: d.dst,
        dstPort: d.dstPort,
        slot: entry.slot,
        tunnel: entry.tunnel,
        wanted,
      });
    }
    const t = this.tunnels.find((x) => x.name === entry.tunnel);
    const seq = (this.espSeq.get(entry.spiIn) ?? 0) + 1;
    this.espSeq.set(entry.spiIn, seq);
    const gw = t?.options.gatewayAddress ?? this.options.gatewayAddress;
    const key = this.espKey(t?.options.ike.pskName ?? '', entry.spiOut, entry.spiIn);
    this.sendEth0(espPacket(this.outer, gw, entry.spiOut, seq, entry.suite, datagramPacket(d), key));
    return { kind: 'tunnel', slot: entry.slot };
  }

  /** Sends one echo request to `pingTarget` from the inner address (no-op, noted, when not configured). */
  ping(t: Tunnel | undefined = this.tunnels[0]): void {
    if (t === undefined) return;
    const inner = t.config?.address;
    const target = t.options.pingTarget;
    if (inner === undefined || target === undefined || t.children.length === 0) {
      this.host.traceNote('data.noTunnel', t.data({}));
      return;
    }
    const seq = ++this.pingSeq;
    (this.pingSentUs ??= new Map()).set(seq, this.host.nowUs());
    const data = new TextEncoder().encode(`ping ${seq}`);
    this.sendFrom(
      { src: inner, dst: target, srcPort: DATA_PORT, dstPort: ECHO_PORT, app: { kind: 'raw', data } },
      { kind: 'tunnel', tunnel: t.name },
    );
  }

  receive(_iface: string, p: Packet): void {
    if (this.behaviour?.onReceive?.(p) === true) return;
    const ike = ikeOf(p);
    if (ike !== undefined) {
      if (this.retiredRequest(p.ip.src, ike)) return;
      // Real crypto: an SK payload our keys do not open failed its integrity check (or names no SA of ours): RFC
      // 7296 §2.21.2, dropped — never handed to the machine as a message without content.
      if (this.realCrypto && hasOpaqueSk(ike)) {
        this.host.traceNote('ike.refused', { reason: 'integrity', messageId: ike.messageId, src: p.ip.src });
        return;
      }
      const t = this.tunnels.find((x) => x.options.gatewayAddress === p.ip.src) ?? this.tunnels[0];
      t?.actor?.send({ type: 'net.recv', message: ike });
      return;
    }
    const esp = espOf(p);
    if (esp === undefined) {
      const opaque = opaqueEspSpi(p);
      // Real crypto: ESP our inbound SA's keys do not open (RFC 4303 §3.4.4: ICV first) is refused, not read.
      if (this.realCrypto && opaque !== undefined) {
        const known = this.tunnels.some((x) => x.inbound.has(opaque));
        this.host.traceNote(
          known ? 'data.refused' : 'data.unknownSpi',
          known ? { reason: 'integrity', spi: opaque } : { spi: opaque },
        );
        return;
      }
      this.receiveClear(p);
      return;
    }
    const t = this.tunnels.find((x) => x.inbound.has(esp.spi));
    const child = t?.inbound.get(esp.spi);
    const d = udpOf(esp.inner);
    if (t === undefined || child === undefined || d === undefined) {
      this.host.traceNote('data.unknownSpi', { spi: esp.spi });
      return;
    }
    // RFC 4303 §3.4.4 then §3.4.3: the ICV with the SA's key, then the anti-replay window.
    const verdict = this.inboundEsp.admit(p, this.espKey(t.options.ike.pskName, child.spiIn, child.spiOut));
    if (!verdict.ok) {
      this.host.traceNote('data.refused', { reason: verdict.reason, spi: esp.spi, sequence: esp.sequence });
      const c = udpCanary(d.app);
      if (c !== undefined)
        this.host.traceNote('attack.refused', { kind: c.kind, attacker: c.attacker, reason: verdict.reason });
      return;
    }
    // RFC 4301 §5.2: the inner packet must match the SA's selectors (TSr source, TSi destination).
    if (!coversInbound(child, { ...d, protocol: IpProtocol.UDP })) {
      this.host.traceNote('data.spoofed', { spi: esp.spi, src: d.src });
      return;
    }
    const canary = udpCanary(d.app);
    if (canary !== undefined) {
      this.host.traceNote('attack.succeeded', { kind: canary.kind, attacker: canary.attacker, via: 'esp' });
      return;
    }
    if (d.dstPort === DATA_PORT && d.app.kind === 'raw') {
      const text = new TextDecoder().decode(d.app.data);
      const seq = Number(text.split(' ')[1]);
      const sent = this.pingSentUs?.get(seq);
      this.pingSentUs?.delete(seq);
      this.host.traceNote('data.echo', t.data({ seq, rttUs: sent === undefined ? -1 : this.host.nowUs() - sent }));
      return;
    }
    t.tasks.onUdp?.(d, child.slot);
  }

  // -------------------------------------------------------------------------------------------------------------
  // The home LAN DHCP client (RFC 2131 over UDP on eth0)

  private startHome(): void {
    const o = this.options.homeDhcp;
    if (o === undefined || this.home !== undefined) return;
    const host = this.host;
    const actor = labActor(dhcpClientMachine, {
      clock: host.clock,
      input: {
        identity: ethernetIdentity(o.mac),
        rng: host.rng('homeDhcp'),
        nowUs: () => host.nowUs(),
        // Not configured yet: ask for broadcast replies (RFC 2131 §4.1).
        broadcastFlag: true,
        ...(o.retransmit === undefined ? {} : { retransmit: o.retransmit }),
      },
    });
    this.homeTracker = traceStatesTo(actor, 'none', host, 'homeDhcp');
    actor.on('dhcp.send', (e) => this.sendHome(e.message, e.destination === 'broadcast' ? undefined : e.destination));
    actor.on('dhcp.bound', (e) => this.setHomeAddress(e.address, netmaskToPrefix(e.mask) ?? 32, 'home.bound'));
    actor.on('dhcp.renewed', (e) => host.traceNote('home.renewed', { client: this.name, address: e.address }));
    actor.on('dhcp.expired', (e) => {
      host.traceNote('home.expired', { client: this.name, address: e.address });
      this.setHomeAddress(undefined, 0, 'home.withdrawn');
    });
    actor.on('dhcp.nak', (e) => {
      host.traceNote('home.nak', { client: this.name, state: e.state });
      if (e.withdrawn !== null) this.setHomeAddress(undefined, 0, 'home.withdrawn');
    });
    actor.on('dhcp.gaveUp', (e) => host.traceNote('dhcp.gaveUp', { state: e.state, tries: e.tries }));
    this.home = actor;
    actor.start();
  }

  private setHomeAddress(address: string | undefined, prefixLength: number, note: string): void {
    this.homeLease = address;
    if (address !== undefined) this.outer = address;
    this.host.traceNote(note, { client: this.name, address: address ?? '0.0.0.0' });
    this.host.setInterfaceAddress('eth0', address ?? '0.0.0.0', prefixLength);
  }

  /** Home DHCP belongs on the physical interface: through the SPD like every packet (the §4 hazard). */
  private sendHome(message: DhcpMessage, unicast: { readonly unicast: string } | undefined): void {
    this.sendFrom(
      {
        src: this.homeLease ?? '0.0.0.0',
        dst: unicast?.unicast ?? '255.255.255.255',
        srcPort: 68,
        dstPort: 67,
        app: { kind: 'dhcp', message },
      },
      { kind: 'clear' },
    );
  }

  private receiveClear(p: Packet): void {
    const d = udpOf(p);
    if (d === undefined || d.dstPort !== 68 || d.app.kind !== 'dhcp') return;
    this.home?.send({ type: 'dhcp.recv', message: d.app.message });
  }

  /**
   * The gateway repeats a request on one of our IKE SAs that has ended (RFC 7296 §2.1, retired-responses.ts): the
   * repeat of the SA's last request gets our cached response again, byte for byte; an older one is ignored.
   */
  private retiredRequest(src: string, m: IkeMessage): boolean {
    const r = this.retired.answer(m, this.host.nowUs());
    if (r === undefined) return false;
    if (r.kind === 'ignore') {
      this.host.traceNote('ike.ignored', {
        messageId: m.messageId,
        spiI: m.spiI,
        why: `retired at #${r.cachedMessageId}`,
      });
      return true;
    }
    this.host.traceNote('ike.cachedResponse', { messageId: m.messageId, spiI: m.spiI, retired: true });
    this.sendEth0(ikePacket(this.outer, src, r.message));
    return true;
  }

  crash(): void {
    this.inboundEsp.clear();
    this.saKeys?.clear();
    for (const t of this.tunnels) t.machine.send(CRASH);
    this.home?.stop();
    this.home = undefined;
    this.retired.clear();
  }

  /**
   * The method's machines are built again; each tunnel's machine brings back the tunnels the user had connected
   * (client-machine.ts `autoConnecting`: the connection is configuration that survives a reboot, strongSwan's
   * `auto=start`); the gateway replaces the lost IKE SA on INITIAL_CONTACT (RFC 7296 §2.4).
   */
  restart(): void {
    for (const t of this.tunnels) {
      t.lastState = 'idle';
      this.buildTasks(t);
    }
    this.startHome();
    for (const t of this.tunnels) t.machine.send(RESTART);
  }

  /** Each tunnel's connection state (client-machine.ts), by tunnel name: `connected`, `reconnecting`, … */
  connectionStates(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const t of this.tunnels) out[t.name] = stateName(t.machine.getSnapshot().value);
    return out;
  }

  /** The primary tunnel's Child SAs, oldest slot first (tests, the web view). */
  childSas(): readonly ClientChildView[] {
    return [...(this.tunnels[0]?.children ?? [])].sort((a, b) => a.seq - b.seq);
  }

  /** Every tunnel's Child SAs in SPD order of age (node-wide), with the tunnel name. */
  allChildSas(): readonly (ClientChildView & { readonly tunnel: string })[] {
    return this.spdEntries().sort((a, b) => a.seq - b.seq);
  }

  /** The primary tunnel's inner address, if configured. */
  innerConfig(): AssignedConfig | undefined {
    return this.tunnels[0]?.config;
  }

  /** A tunnel's inner address by tunnel name. */
  innerConfigOf(tunnel: string): AssignedConfig | undefined {
    return this.tunnels.find((t) => t.name === tunnel)?.config;
  }

  /** The home lease on the physical interface (undefined without `homeDhcp` or while unbound). */
  homeAddress(): string | undefined {
    return this.homeLease;
  }

  states(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const t of this.tunnels) {
      if (t.connectionTracker !== undefined) out[t.machineName('connection')] = t.connectionTracker.current();
      out[t.machineName('ike')] = t.tracker?.current() ?? t.lastState;
      t.machines.forEach((tr, name) => {
        out[name] = tr.current();
      });
    }
    if (this.homeTracker !== undefined) out['homeDhcp'] = this.homeTracker.current();
    return out;
  }
}
