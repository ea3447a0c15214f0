/**
 * The VPN gateway as the simulator sees it: a thin adapter around the gateway's actor system (gateway/gateway-machine.ts:
 * the SA table, one IKE responder per client IKE SA, the method's provider actor, gateway/provider-actor.ts). It
 * decodes IKE packets and forwards them as events (to the SA's responder, else to the gateway machine), turns crash and
 * restart into events, and keeps the per-packet tunnel data path off the actors: ESP from a client is opened, its inner packet checked against the Child
 * SA's selectors (TSi source, TSr destination; a mismatch is dropped and traced as spoofed, RFC 4301 §5.2) and routed
 * out the inside interface, or handed to the provider when it is UDP for the gateway on one of the provider's ports;
 * inside packets whose destination a Child SA's TSi covers are sealed into it (its routing entry, pruned when the
 * Child SA is deleted). The provider gets UDP services on the inside interface (`ProviderHost`).
 */
import type { Actor, AnyActorRef } from 'xstate';
import type { InterfaceConfig, NodeHost, PacketCodec, SimNode } from '../contract.ts';
import type { IkePeerConfig, ResponderPolicy } from '../ike/config.ts';
import type { AddressProvider, GatewayMethodContext, ProviderHost, UdpDatagram } from '../methods/method.ts';
import {
  gatewayMachine,
  noteAddress,
  toGateway,
  type GatewayEvent,
  type ResponderRef,
  type SaRecord,
} from './gateway/gateway-machine.ts';
import type { SaTable, SentResponse } from './gateway/sa-table.ts';
import { KeepingCodec } from './gateway/kept-responses.ts';
import { providerActor } from './gateway/provider-actor.ts';
import { IkeExchangeType, type IkeMessage } from '../wire/ike/index.ts';
import { IpProtocol } from '../wire/ipv4.ts';
import { coversInbound, coversOutbound } from './client-spd.ts';
import {
  datagramPacket,
  espOf,
  espPacket,
  flowOf,
  hasOpaqueSk,
  ikeOf,
  ikePacket,
  opaqueEspSpi,
  packetCodec,
  udpOf,
  type Packet,
} from './lab-packet.ts';
import { traceActorTo, traceTransitions, type ActorSinkTracker } from './machine-trace.ts';
import { createPacketCodec, type PacketCodecOptions } from '../wire/packet.ts';
import { SaKeyStore } from '../wire/crypto/sa-key-store.ts';
import { modelledIkeCrypto, type CryptoMode } from '../ike/ike-crypto.ts';
import { createRealIkeCrypto, keysNote } from '../ike/real-ike-crypto.ts';
import { DEFAULT_ESP_DEFENCES, EspInbound, espKeyOf, type EspDefences } from './esp-inbound.ts';
import { udpCanary } from '../attacks/canary.ts';
import type { NoteData } from '../methods/method.ts';
import { labActor, labLogicActor } from '../../sim/statechart/runtime-choice.ts';

/**
 * UDP to a DHCP server's port 67 arriving from a tunnel (RFC 2131 §4.1: relay agents and servers listen on 67; a
 * remote-access peer is a client and speaks from 68 to its relay): `relay` hands it to the gateway's own relay when
 * the method has one for tunnel DHCP (RFC 3456 §4.2, which also carries the §4.4 unicast renewals), else refuses it;
 * `refuse` always refuses; `forward` routes it inside like any packet (the behaviour before this policy).
 */
export type DhcpFromTunnelPolicy = 'relay' | 'refuse' | 'forward';

export interface GatewayDefences {
  readonly esp: EspDefences;
  readonly dhcpFromTunnel: DhcpFromTunnelPolicy;
}

export const DEFAULT_GATEWAY_DEFENCES: GatewayDefences = {
  esp: DEFAULT_ESP_DEFENCES,
  dhcpFromTunnel: 'relay',
};

const DHCP_SERVER_PORT = 67;

export interface GatewayNodeOptions {
  readonly name: string;
  /** The codec of its packets (default `packetCodec`); e.g. the WG draft's DHCP payload type 16 (`dhcpPayloadType`). */
  readonly codec?: PacketCodec<Packet>;
  /**
   * `real`: real IKE and ESP cryptography (models/ike/real-ike-crypto.ts); the codec is then built from
   * `codecOptions` with the gateway's SA keys, and `codec` is not used. Default `modelled`.
   */
  readonly crypto?: CryptoMode;
  readonly codecOptions?: PacketCodecOptions;
  readonly outside: { readonly address: string; readonly prefixLength: number };
  readonly inside: { readonly address: string; readonly prefixLength: number };
  readonly ike: IkePeerConfig;
  /** Child SA policy, duplicate-request policy, address timeout, and the gateway's own liveness (`livenessMs`). */
  readonly policy: ResponderPolicy;
  /** identity → key name (modelled PSK). */
  readonly psks: Readonly<Record<string, string>>;
  /** The method's gateway side (e.g. `(ctx) => modeCfgMethod.gateway(poolOptions, ctx)`). */
  readonly provider: (ctx: GatewayMethodContext) => AddressProvider;
  /** ESP inbound checks and the tunnel-DHCP forwarding policy (default `DEFAULT_GATEWAY_DEFENCES`). */
  readonly defences?: GatewayDefences;
}

const LIMITED_BROADCAST = '255.255.255.255';
const ZERO_SPI = '0000000000000000';

/**
 * Does `m` name `rec`'s IKE SA? An IKE SA is named by both SPIs (RFC 7296 §3.1); only an IKE_SA_INIT request has no
 * SPIr yet. A request naming an older SA of the same SPIi (one removed after its half-open timeout, then begun again
 * by a late copy of the IKE_SA_INIT) is not for this one: handed to it, it would fail AUTH and end the live SA.
 */
function namesSa(rec: SaRecord, m: IkeMessage): boolean {
  if (m.spiR === ZERO_SPI) return m.exchangeType === IkeExchangeType.IKE_SA_INIT;
  const { keys, newKeys } = rec.actor.getSnapshot().context;
  return m.spiR === keys.spiR || m.spiR === newKeys?.spiR;
}
export class GatewayNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<Packet>;
  /** `codec`: it hands over the responses as sent, which the SA table keeps for repeats (RFC 7296 §2.1). */
  private readonly keeping: KeepingCodec;
  private host!: NodeHost<Packet>;
  private provider!: AddressProvider;
  /** The provider as an actor (gateway/provider-actor.ts): the responders ask it by events. */
  private providerRef!: Actor<typeof providerActor>;
  /** The control plane (gateway/gateway-machine.ts): the SA table and one responder actor per IKE SA. */
  private gateway!: Actor<typeof gatewayMachine>;
  private gatewayTracker: { current(): string } | undefined;
  /** The gateway machine's SA table (read only here: the machine changes it). */
  private table!: SaTable<ResponderRef>;
  /** The provider's traced actors by machine name (sessions come and go: pruned once stopped, see `pruneMachines`). */
  private readonly providerMachines = new Map<string, ActorSinkTracker>();
  private pruneMachinesAt = 64;
  private readonly espSeq = new Map<number, number>();
  private readonly defences: GatewayDefences;
  private readonly inbound: EspInbound;
  private up = true;
  /** Real crypto: the SA keys our codec seals and opens with (written by the responders), lost in a crash. */
  private readonly saKeys = new SaKeyStore();

  private get realCrypto(): boolean {
    return this.options.crypto === 'real';
  }

  constructor(readonly options: GatewayNodeOptions) {
    this.keeping = new KeepingCodec(
      options.crypto === 'real'
        ? createPacketCodec({ ...options.codecOptions, keys: this.saKeys })
        : (options.codec ?? packetCodec),
    );
    this.codec = this.keeping;
    this.name = options.name;
    this.defences = options.defences ?? DEFAULT_GATEWAY_DEFENCES;
    this.inbound = new EspInbound(this.defences.esp, true);
    this.interfaces = [
      { name: 'outside', ...options.outside },
      { name: 'inside', ...options.inside },
    ];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    this.provider = this.options.provider({ host: this.providerHost(), cpRequired: this.options.policy.cpRequired });
    this.providerRef = labLogicActor(providerActor, {
      clock: host.clock,
      input: {
        provider: this.provider,
        assigned: (ikeSaId, address) => {
          const rec = this.table.records.get(ikeSaId);
          if (rec !== undefined) noteAddress(this.gateway.getSnapshot().context, rec, address);
        },
      },
    });
    this.providerRef.start();
    this.gateway = labActor(gatewayMachine, {
      clock: host.clock,
      input: {
        ike: this.options.ike,
        policy: this.options.policy,
        psks: this.options.psks,
        rng: host.rng('ike'),
        clock: host.clock,
        provider: this.providerRef,
        providerChildren: this.provider.childRequest !== undefined,
        outsideAddress: this.options.outside.address,
        crypto: this.realCrypto
          ? createRealIkeCrypto(this.saKeys, (k) => host.traceNote('crypto.keys', keysNote(k)))
          : modelledIkeCrypto,
        ports: {
          nowUs: () => host.nowUs(),
          traceNote: (t, d) => host.traceNote(t, d),
          traceState: (m, from, to) => host.traceState(m, from, to),
          sendIke: (dst, m) => this.sendIke(dst, m),
          sendResponse: (dst, m) => this.sendResponse(dst, m),
          resend: (dst, kept) =>
            this.host.send('outside', this.keeping.resendPacket(this.options.outside.address, dst, kept)),
          // Stop after the current transition finishes (we are inside its emit).
          afterThisEvent: (fire) => void host.setTimerUs(0, 'gateway.reap', fire),
          forgetEsp: (spi) => {
            this.espSeq.delete(spi);
            this.inbound.forget(spi);
          },
          clearDataPlane: () => {
            this.espSeq.clear();
            this.inbound.clear();
            this.saKeys.clear();
          },
        },
      },
    });
    this.table = this.gateway.getSnapshot().context.table;
    // The gateway machine itself (up ⇄ down across a crash and restart) is drawn in the State panel as `gateway`.
    this.gatewayTracker = traceTransitions(this.gateway, 'none', (from, to) => host.traceState('gateway', from, to));
    this.gateway.start();
  }

  private providerHost(): ProviderHost {
    const host = this.host;
    return {
      nowUs: () => host.nowUs(),
      traceNote: (t, d) => host.traceNote(t, d),
      setTimerUs: (d, n, f) => host.setTimerUs(d, n, f),
      clock: host.clock,
      rng: (label) => host.rng(`provider:${label}`),
      traceState: (machine, from, to) => host.traceState(machine, from, to),
      traceMachine: (actor: AnyActorRef, machine: string) => {
        const t = traceActorTo(actor, 'none', host, machine);
        this.providerMachines.set(machine, t);
        if (this.providerMachines.size >= this.pruneMachinesAt) this.pruneMachines();
        return t;
      },
      insideAddress: this.options.inside.address,
      outsideAddress: this.options.outside.address,
      sendUdp: (d) => host.send('inside', datagramPacket({ ...d, src: d.src ?? this.options.inside.address })),
      // A provider whose lease for the peer's address ends takes the address back by deleting the IKE SA (RFC 7296
      // §1.4.1): a Delete to the peer, the SA's routes and address released through `remove`.
      closeIkeSa: (ikeSaId, reason) => {
        this.table.records.get(ikeSaId)?.actor.send({ type: 'cmd.delete', notifyPeer: true, reason });
      },
      sendToPeer: (ikeSaId, d) => {
        const rec = this.table.records.get(ikeSaId);
        return rec !== undefined && this.sealTo(rec, datagramPacket(d));
      },
    };
  }

  /** address → owner, for tests and the web view. */
  poolSnapshot(): Readonly<Record<string, string>> {
    return this.provider.snapshot();
  }

  /** Routing entries: ikeSaId → inbound SPIs of its live Child SAs (newest first). */
  routes(): Readonly<Record<string, readonly number[]>> {
    const out: Record<string, number[]> = {};
    for (const rec of this.table.records.values()) out[rec.id] = rec.children.map((c) => c.spiIn);
    return out;
  }

  receive(iface: string, p: Packet): void {
    if (!this.up) return;
    if (iface === 'outside') {
      const ike = ikeOf(p);
      if (ike !== undefined) this.receiveIke(p.ip.src, ike);
      else if (p.payload.kind === 'esp-sealed') this.receiveEsp(p);
      else if (this.realCrypto) this.refuseOpaqueEsp(p);
      return;
    }
    if (iface === 'inside' && ikeOf(p) === undefined) this.receiveInside(p);
  }

  /**
   * A request or response for a live IKE SA goes straight to its responder (the gateway machine's SA table); anything
   * else (a new IKE_SA_INIT, a retired or unknown SA) to the gateway machine.
   */
  private receiveIke(src: string, m: IkeMessage): void {
    const rec = this.table.bySpi(m.spiI);
    // Real crypto: an SK payload of a live SA that its keys do not open failed its integrity check (RFC 7296
    // §2.21.2): dropped. For an unknown SA it goes on to the gateway machine (INVALID_IKE_SPI, §2.21.4).
    if (this.realCrypto && rec !== undefined && hasOpaqueSk(m)) {
      this.host.traceNote('ike.refused', { reason: 'integrity', messageId: m.messageId, src });
      return;
    }
    if (rec !== undefined && namesSa(rec, m)) {
      rec.actor.send({ type: 'net.recv', message: m });
      return;
    }
    this.toGateway({ type: 'gw.ike', src, message: m });
  }

  private sendIke(dst: string, message: IkeMessage): void {
    // A packet per send, as the client's (client-node.ts `onEmitted`): the same message encodes to the same bytes.
    this.host.send('outside', ikePacket(this.options.outside.address, dst, message));
  }

  private sendResponse(dst: string, message: IkeMessage): SentResponse {
    return this.keeping.sendResponse(this.options.outside.address, dst, message, (p) => this.host.send('outside', p));
  }

  private forProvider(d: UdpDatagram): boolean {
    const ports = this.provider.udpPorts ?? [];
    // The outside address too: RFC 3456 §4.1's literal IDcr sends the DHCP SA's traffic to it (rfc3456/selectors.ts).
    const ours =
      d.dst === this.options.inside.address || d.dst === LIMITED_BROADCAST || d.dst === this.options.outside.address;
    return ours && ports.includes(d.dstPort) && this.provider.onUdp !== undefined;
  }

  /** The modelled SA key of a Child SA of `rec` for packets carrying `headerSpi` (esp-inbound.ts). */
  private espKey(rec: SaRecord, headerSpi: number, otherSpi: number): number | undefined {
    return this.realCrypto ? undefined : espKeyOf(this.options.psks[rec.peerId] ?? '', headerSpi, otherSpi);
  }

  /** Real crypto: ESP that no inbound SA's keys opened (RFC 4303 §3.4.4, the ICV first) is refused, not read. */
  private refuseOpaqueEsp(p: Packet): void {
    const spi = opaqueEspSpi(p);
    if (spi === undefined) return;
    if (this.table.espChild(spi) === undefined) this.host.traceNote('data.unknownSpi', { spi });
    else this.host.traceNote('data.refused', { reason: 'integrity', spi });
  }

  /** `data.refused {reason, …}`, and `attack.refused` when the packet carries an attack canary. */
  private refuse(reason: string, inner: Packet | undefined, data: NoteData): void {
    this.host.traceNote('data.refused', { reason, ...data });
    const d = inner === undefined ? undefined : udpOf(inner);
    const c = d === undefined ? undefined : udpCanary(d.app);
    if (c !== undefined) this.host.traceNote('attack.refused', { kind: c.kind, attacker: c.attacker, reason });
  }

  /** An accepted datagram with a canary: a delivery (bait) or a success. */
  private noteDelivered(inner: Packet, spi: number, sequence: number): void {
    const d = udpOf(inner);
    const c = d === undefined ? undefined : udpCanary(d.app);
    if (c === undefined) return;
    if (c.bait) this.host.traceNote('attack.delivered', { kind: c.kind, attacker: c.attacker, spi, sequence });
    else this.host.traceNote('attack.succeeded', { kind: c.kind, attacker: c.attacker, via: 'esp' });
  }

  private receiveEsp(p: Packet): void {
    const esp = espOf(p);
    if (esp === undefined) return;
    const found = this.table.espChild(esp.spi);
    if (found !== undefined) {
      const { rec, child } = found;
      const inner = esp.inner;
      // RFC 4303 §3.4.4 then §3.4.3: the ICV with the SA's key, then the anti-replay window.
      const verdict = this.inbound.admit(p, this.espKey(rec, child.spiIn, child.spiOut));
      if (!verdict.ok) {
        this.refuse(verdict.reason, inner, { spi: esp.spi, sequence: esp.sequence });
        return;
      }
      // RFC 4301 §5.2: the inner packet must match the SA's selectors (TSi source, TSr destination).
      const flow = flowOf(inner);
      if (ikeOf(inner) !== undefined || coversOutbound(child, flow) === undefined) {
        this.host.traceNote('data.spoofed', { spi: esp.spi, src: inner.ip.src });
        const d = udpOf(inner);
        const c = d === undefined ? undefined : udpCanary(d.app);
        if (c !== undefined)
          this.host.traceNote('attack.refused', { kind: c.kind, attacker: c.attacker, reason: 'spoofed' });
        return;
      }
      const d = udpOf(inner);
      if (d !== undefined && this.forProvider(d)) {
        this.provider.onUdp?.(d, { via: 'tunnel', ikeSaId: rec.id, peerId: rec.peerId, spiIn: child.spiIn });
        return;
      }
      if (inner.ip.dst === LIMITED_BROADCAST) {
        this.host.traceNote('data.broadcastDropped', { spi: esp.spi });
        return;
      }
      if (d !== undefined && d.dstPort === DHCP_SERVER_PORT && this.dhcpFromTunnel(rec, child.spiIn, d, inner)) return;
      const routed = this.forwarded(inner);
      if (routed === undefined) return;
      this.noteDelivered(inner, esp.spi, esp.sequence);
      this.host.send('inside', routed);
      return;
    }
    this.host.traceNote('data.unknownSpi', { spi: esp.spi });
  }

  /**
   * The `dhcpFromTunnel` policy for UDP to port 67 of an inside address (see `DhcpFromTunnelPolicy`). True when the
   * datagram was taken care of (relayed or refused), false when it is to be forwarded.
   */
  private dhcpFromTunnel(rec: SaRecord, spiIn: number, d: UdpDatagram, inner: Packet): boolean {
    const policy = this.defences.dhcpFromTunnel;
    if (policy === 'forward') {
      if (d.app.kind === 'dhcp')
        this.host.traceNote('data.dhcpFromTunnel', { peer: rec.peerId, xid: d.app.message.xid });
      return false;
    }
    const ownRelay = (this.provider.udpPorts ?? []).includes(DHCP_SERVER_PORT) && this.provider.onUdp !== undefined;
    if (policy === 'relay' && ownRelay) {
      // Only the gateway's own relay speaks to the server (RFC 3456 §4.2): giaddr, option 82, its checks.
      this.provider.onUdp?.(d, { via: 'tunnel', ikeSaId: rec.id, peerId: rec.peerId, spiIn });
      return true;
    }
    this.refuse('dhcp-from-tunnel', inner, { peer: rec.peerId, dst: d.dst });
    return true;
  }

  /** A packet the gateway routes (not its own): TTL − 1, dropped at 0 (RFC 791 §3.2, RFC 1812 §5.3.1). */
  private forwarded(p: Packet): Packet | undefined {
    if (p.ip.ttl <= 1) {
      this.host.traceNote('route.ttlExpired', { dst: p.ip.dst });
      return undefined;
    }
    return { ...p, ip: { ...p.ip, ttl: p.ip.ttl - 1 } };
  }

  /** Seals `p` into the record's newest Child SA whose selectors cover it (TSi destination, TSr source). */
  private sealTo(rec: SaRecord, p: Packet): boolean {
    const flow = flowOf(p);
    const child = rec.children.find((c) => coversInbound(c, flow));
    if (child === undefined) return false;
    const seq = (this.espSeq.get(child.spiIn) ?? 0) + 1;
    this.espSeq.set(child.spiIn, seq);
    this.host.send(
      'outside',
      espPacket(
        this.options.outside.address,
        rec.peerAddress,
        child.spiOut,
        seq,
        child.suite,
        p,
        this.espKey(rec, child.spiOut, child.spiIn),
      ),
    );
    return true;
  }

  private receiveInside(p: Packet): void {
    const d = udpOf(p);
    if (d !== undefined && this.forProvider(d)) {
      this.provider.onUdp?.(d, { via: 'inside' });
      return;
    }
    if (p.ip.dst === this.options.inside.address || p.ip.dst === LIMITED_BROADCAST) return;
    const routed = this.forwarded(p);
    if (routed === undefined) return;
    for (const rec of this.table.routesTo(p.ip.dst)) if (this.sealTo(rec, routed)) return;
    this.host.traceNote('data.noRoute', {
      dst: p.ip.dst,
      protocol: p.ip.protocol === IpProtocol.UDP ? 'udp' : p.ip.protocol,
    });
  }

  private toGateway(e: GatewayEvent): void {
    toGateway(this.gateway, this.gateway.getSnapshot().context.handling, e);
  }

  crash(): void {
    this.up = false;
    this.toGateway({ type: 'gw.crash' });
  }

  restart(): void {
    this.up = true;
    this.toGateway({ type: 'gw.restart' });
  }

  states(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    if (this.gatewayTracker !== undefined) out['gateway'] = this.gatewayTracker.current();
    for (const rec of this.table.records.values()) out[`ike:${rec.id}`] = rec.phase;
    this.pruneMachines();
    for (const [name, t] of this.providerMachines) out[name] = t.current();
    return out;
  }

  /** Forgets stopped session actors (one per IKE SA: kept, the map grew with every client ever served). */
  private pruneMachines(): void {
    for (const [name, t] of this.providerMachines) {
      if (t.actor.getSnapshot().status !== 'active') this.providerMachines.delete(name);
    }
    this.pruneMachinesAt = Math.max(64, 2 * this.providerMachines.size);
  }
}
