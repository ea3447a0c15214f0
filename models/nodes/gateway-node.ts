/**
 * The VPN gateway: one IKE responder per client IKE SA (keyed by the initiator's SPI), an address provider slot the
 * method fills, and the tunnel data path: ESP from a client is opened, its inner packet checked against the Child
 * SA's selectors (TSi source, TSr destination; a mismatch is dropped and traced as spoofed, RFC 4301 §5.2) and routed
 * out the inside interface, or handed to the provider when it is UDP for the gateway on one of the provider's ports;
 * inside packets whose destination a Child SA's TSi covers are sealed into it (its routing entry, pruned when the
 * Child SA is deleted). The provider gets UDP services on the inside interface (`ProviderHost`).
 */
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import type { InterfaceConfig, NodeHost, RandomStream, SimNode } from '../contract.ts';
import type { IkePeerConfig, ResponderPolicy } from '../ike/config.ts';
import { ikeMessage } from '../ike/messages.ts';
import { INVALID_SPI_REPLIES_PER_SEC, ReplyLimit } from '../ike/reply-limit.ts';
import { RetiredResponses, retiredKeepUs } from '../ike/retired-responses.ts';
import { responderMachine, responderPhase } from '../ike/responder-machine.ts';
import type { ChildSa } from '../ike/sa.ts';
import type { IkeEmitted } from '../ike/steps.ts';
import * as ikeInit from '../ike/tasks/ike-init.ts';
import * as invalidSpi from '../ike/tasks/invalid-spi.ts';
import type { AddressProvider, GatewayMethodContext, ProviderHost, UdpDatagram } from '../methods/method.ts';
import { providerActor } from './gateway/provider-actor.ts';
import { IkeExchangeType, type IkeMessage } from '../wire/ike/index.ts';
import { IpProtocol } from '../wire/ipv4.ts';
import { coversInbound, coversOutbound } from './client-spd.ts';
import {
  datagramPacket,
  espOf,
  espPacket,
  flowOf,
  ikeOf,
  ikePacket,
  packetCodec,
  udpOf,
  type Packet,
} from './lab-packet.ts';
import { traceTransitions } from './machine-trace.ts';
import { DEFAULT_ESP_DEFENCES, EspInbound, espKeyOf, type EspDefences } from './esp-inbound.ts';
import { udpCanary } from '../attacks/canary.ts';
import type { NoteData } from '../methods/method.ts';

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

type Responder = Actor<typeof responderMachine>;

interface SaRecord {
  /** Stable id: the SPIi of the first IKE SA (rekeys keep it). */
  readonly id: string;
  readonly actor: Responder;
  readonly peerAddress: string;
  readonly tracker: { current(): string };
  peerId: string;
  /** Newest first; each is a routing entry (TSi) until deleted. */
  children: ChildSa[];
  /** The inner address the provider gave this IKE SA (for `address.overlap`). */
  address?: string;
  /** The responder's last response on its current IKE SA, kept past the SA's end (`retired`, RFC 7296 §2.1). */
  lastResponse?: IkeMessage;
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
/** Reports a responder's phase changes (`responderPhase`) as `state` trace events. */
function tracePhases(actor: Responder, report: (from: string, to: string) => void): { current(): string } {
  let last = 'none';
  actor.subscribe((snapshot) => {
    const now = responderPhase(snapshot.value);
    if (now !== last) {
      report(last, now);
      last = now;
    }
  });
  return { current: () => last };
}

/** Close reasons after which the peer no longer uses the SA's address: it deleted the SA, or said it forgot it. */
const PEER_DROPPED: ReadonlySet<string> = new Set(['deleted', 'initial-contact']);

export class GatewayNode implements SimNode<Packet> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec = packetCodec;
  private host!: NodeHost<Packet>;
  private rng!: RandomStream;
  private provider!: AddressProvider;
  /** The provider as an actor (gateway/provider-actor.ts): the responders ask it by events. */
  private providerRef!: Actor<typeof providerActor>;
  private readonly bySpiI = new Map<string, SaRecord>();
  private readonly records = new Map<string, SaRecord>();
  private readonly packets = new WeakMap<object, Packet>();
  private readonly providerMachines = new Map<string, { current(): string }>();
  private readonly espSeq = new Map<number, number>();
  private readonly invalidSpiReplies = new ReplyLimit(INVALID_SPI_REPLIES_PER_SEC, 1_000_000);
  /** Last responses of IKE SAs that ended (deleted, rekeyed away, failed, timed out): RFC 7296 §2.1. */
  private readonly retired: RetiredResponses;
  private readonly defences: GatewayDefences;
  private readonly inbound: EspInbound;
  private up = true;

  constructor(readonly options: GatewayNodeOptions) {
    this.name = options.name;
    this.defences = options.defences ?? DEFAULT_GATEWAY_DEFENCES;
    this.inbound = new EspInbound(this.defences.esp);
    this.retired = new RetiredResponses(retiredKeepUs(options.ike.retransmit));
    this.interfaces = [
      { name: 'outside', ...options.outside },
      { name: 'inside', ...options.inside },
    ];
  }

  start(host: NodeHost<Packet>): void {
    this.host = host;
    this.rng = host.rng('ike');
    this.provider = this.options.provider({ host: this.providerHost(), cpRequired: this.options.policy.cpRequired });
    this.providerRef = createActor(providerActor, {
      clock: host.clock,
      input: {
        provider: this.provider,
        assigned: (ikeSaId, address) => {
          const rec = this.records.get(ikeSaId);
          if (rec !== undefined) this.noteAddress(rec, address);
        },
      },
    });
    this.providerRef.start();
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
        const t = traceTransitions(actor, 'none', (from, to) => host.traceState(machine, from, to));
        this.providerMachines.set(machine, t);
        return t;
      },
      insideAddress: this.options.inside.address,
      outsideAddress: this.options.outside.address,
      sendUdp: (d) => host.send('inside', datagramPacket({ ...d, src: d.src ?? this.options.inside.address })),
      // A provider whose lease for the peer's address ends takes the address back by deleting the IKE SA (RFC 7296
      // §1.4.1): a Delete to the peer, the SA's routes and address released through `remove`.
      closeIkeSa: (ikeSaId, reason) => {
        this.records.get(ikeSaId)?.actor.send({ type: 'cmd.delete', notifyPeer: true, reason });
      },
      sendToPeer: (ikeSaId, d) => {
        const rec = this.records.get(ikeSaId);
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
    for (const rec of this.records.values()) out[rec.id] = rec.children.map((c) => c.spiIn);
    return out;
  }

  receive(iface: string, p: Packet): void {
    if (!this.up) return;
    if (iface === 'outside') {
      const ike = ikeOf(p);
      if (ike !== undefined) this.receiveIke(p.ip.src, ike);
      else if (p.payload.kind === 'esp-sealed') this.receiveEsp(p);
      return;
    }
    if (iface === 'inside' && ikeOf(p) === undefined) this.receiveInside(p);
  }

  private receiveIke(src: string, m: IkeMessage): void {
    const rec = this.bySpiI.get(m.spiI);
    if (rec !== undefined && namesSa(rec, m)) {
      rec.actor.send({ type: 'net.recv', message: m });
      return;
    }
    if (m.exchangeType !== IkeExchangeType.IKE_SA_INIT || m.response || m.messageId !== 0) {
      if (!this.retiredRequest(src, m)) this.unknownSpi(src, m);
      return;
    }
    const r = ikeInit.processR(this.options.ike, m);
    if (!r.ok) {
      // RFC 7296 §2.6/§1.2: answer without creating state (SPIr zero).
      this.host.traceNote('ike.initRejected', { reason: r.reason });
      const resp = ikeMessage(
        { spiI: m.spiI, spiR: '0000000000000000', originalInitiator: false, suite: undefined },
        IkeExchangeType.IKE_SA_INIT,
        0,
        true,
        r.payloads,
      );
      this.sendIke(src, resp);
      return;
    }
    this.createResponder(src, m, r);
  }

  /**
   * A message for an IKE SA we do not know (e.g. we restarted and lost it). RFC 7296 §2.21.4: a response is only
   * audited; a request is answered, rate-limited, by an unprotected INVALID_IKE_SPI with its SPIs and Message ID, so
   * the client learns at once that its IKE SA is gone (instead of after its whole retransmission schedule).
   */
  private unknownSpi(src: string, m: IkeMessage): void {
    const resp = invalidSpi.buildResponse(m, false);
    const reply = resp !== undefined && this.invalidSpiReplies.allow(this.host.nowUs());
    const answer = resp === undefined ? 'none (response)' : reply ? 'INVALID_IKE_SPI' : 'none (rate limit)';
    this.host.traceNote('ike.unknownSpi', { spiI: m.spiI, messageId: m.messageId, answer });
    if (resp !== undefined && reply) this.sendIke(src, resp);
  }

  /**
   * A request on an IKE SA that ended here (RFC 7296 §2.1, retired-responses.ts): the repeat of its last request gets
   * the cached response, byte for byte; an older one is ignored. False: not one of them (an unknown SPI).
   */
  private retiredRequest(src: string, m: IkeMessage): boolean {
    const r = this.retired.answer(m, this.host.nowUs());
    if (r === undefined) return false;
    if (r.kind === 'resend') {
      this.host.traceNote('ike.cachedResponse', { messageId: m.messageId, spiI: m.spiI, retired: true });
      this.sendIke(src, r.message);
    } else {
      this.host.traceNote('ike.ignored', {
        messageId: m.messageId,
        spiI: m.spiI,
        why: `retired at #${r.cachedMessageId}`,
      });
    }
    return true;
  }

  private createResponder(
    peerAddress: string,
    m: IkeMessage,
    accepted: Extract<ikeInit.InitProcessR, { ok: true }>,
  ): void {
    const actor = createActor(responderMachine, {
      clock: this.host.clock,
      input: {
        cfg: this.options.ike,
        policy: this.options.policy,
        pskFor: (id) => this.options.psks[id],
        rng: this.rng,
        initRequest: m,
        accepted,
        provider: this.providerRef,
        providerChildren: this.provider.childRequest !== undefined,
        hasOtherSa: (peerId) => this.othersOf(peerId, undefined).length > 0,
      },
    });
    const machine = `ike:${m.spiI}`;
    const tracker = tracePhases(actor, (from, to) => this.host.traceState(machine, from, to));
    const rec: SaRecord = { id: m.spiI, actor, peerAddress, tracker, peerId: '', children: [] };
    this.bySpiI.set(m.spiI, rec);
    this.records.set(rec.id, rec);
    actor.on('*', (e) => this.onEmitted(rec, e as IkeEmitted));
    actor.start();
    actor.send({ type: 'ike.start' });
  }

  private sendIke(dst: string, message: IkeMessage): void {
    let packet = this.packets.get(message);
    if (packet === undefined) {
      packet = ikePacket(this.options.outside.address, dst, message);
      this.packets.set(message, packet);
    }
    this.host.send('outside', packet);
  }

  private onEmitted(rec: SaRecord, e: IkeEmitted): void {
    switch (e.type) {
      case 'net.send':
        if (e.message.response) rec.lastResponse = e.message;
        this.sendIke(rec.peerAddress, e.message);
        return;
      case 'ike.authenticated':
        rec.peerId = e.peerId;
        this.enforceUniqueness(rec, e.initialContact);
        return;
      case 'ike.up':
        this.host.traceNote('gateway.saUp', { peer: rec.peerId, ikeSa: rec.id });
        if (e.child !== undefined) rec.children = [e.child];
        return;
      case 'ike.child':
        // The old Child SA stays until its delete (RFC 7296 §2.8); new traffic goes out on the new one.
        rec.children = [e.child, ...rec.children];
        return;
      case 'ike.childDeleted':
        rec.children = rec.children.filter((c) => !e.spisIn.includes(c.spiIn));
        for (const spi of e.spisIn) {
          this.espSeq.delete(spi);
          this.inbound.forget(spi);
        }
        this.host.traceNote('gateway.routePruned', { peer: rec.peerId, spis: e.spisIn.join(',') });
        return;
      case 'ike.rekeyed':
        // The old IKE SA's Delete was just answered (RFC 7296 §2.18); a repeat of it must get that answer again.
        this.retired.retire(rec.lastResponse, this.host.nowUs());
        rec.lastResponse = undefined;
        this.bySpiI.set(e.keys.spiI, rec);
        this.bySpiI.delete(e.oldSpiI);
        return;
      case 'ike.closed':
        this.host.traceNote('gateway.saClosed', { peer: rec.peerId, ikeSa: rec.id, reason: e.reason });
        this.retired.retire(rec.lastResponse, this.host.nowUs());
        this.remove(rec, !PEER_DROPPED.has(e.reason));
        return;
      case 'ike.note':
        this.host.traceNote(e.text, e.data);
        return;
      default:
        return;
    }
  }

  /** The live IKE SAs authenticated as `peerId`, other than `except`. */
  private othersOf(peerId: string, except: SaRecord | undefined): SaRecord[] {
    return [...this.records.values()].filter((r) => r !== except && r.peerId === peerId && peerId !== '');
  }

  /**
   * One IKE SA per identity. INITIAL_CONTACT (RFC 7296 §2.4: "the recipient MAY use this information to delete any
   * other IKE SAs it has to the same authenticated identity without waiting for a timeout") deletes the others
   * silently, whatever the policy (the peer says it forgot them); otherwise `uniqueIds: replace` deletes them with a
   * Delete (strongSwan's uniqueids=yes), `no` keeps them, `keep` was enforced by the responder (it refused the new
   * one). Deleting goes through `remove`, so the provider releases their addresses before the new SA asks for one.
   */
  private enforceUniqueness(rec: SaRecord, initialContact: boolean): void {
    const policy = this.options.policy.uniqueIds ?? 'replace';
    if (!initialContact && policy !== 'replace') return;
    const reason = initialContact ? 'initial-contact' : 'replaced';
    for (const old of this.othersOf(rec.peerId, rec)) {
      this.host.traceNote('gateway.saReplaced', { peer: rec.peerId, old: old.id, by: rec.id, reason });
      old.actor.send({ type: 'cmd.delete', notifyPeer: !initialContact, reason });
    }
  }

  /**
   * Records the address the provider gave an IKE SA; another live IKE SA holding the same address is an overlap
   * (a DHCP lease that ran out under a tunnel and went to someone else: `address.overlap {address, a, b}`).
   */
  private noteAddress(rec: SaRecord, address: string | undefined): void {
    if (address === undefined || address === rec.address) return;
    rec.address = address;
    for (const other of this.records.values()) {
      // The same identity holding it twice is one peer reconnecting (uniqueIds: no), not two peers sharing it.
      if (other === rec || other.address !== address || other.peerId === rec.peerId) continue;
      this.host.traceNote('address.overlap', { address, a: other.peerId, b: rec.peerId });
    }
  }

  private remove(rec: SaRecord, peerMayHold: boolean): void {
    if (rec.peerId !== '')
      this.providerRef.send({ type: 'provider.release', ikeSaId: rec.id, peerId: rec.peerId, peerMayHold });
    for (const [spi, r] of this.bySpiI) if (r === rec) this.bySpiI.delete(spi);
    this.records.delete(rec.id);
    // Stop after the current transition finishes (we are inside its emit).
    this.host.setTimerUs(0, 'gateway.reap', () => rec.actor.stop());
  }

  private forProvider(d: UdpDatagram): boolean {
    const ports = this.provider.udpPorts ?? [];
    const ours = d.dst === this.options.inside.address || d.dst === LIMITED_BROADCAST;
    return ours && ports.includes(d.dstPort) && this.provider.onUdp !== undefined;
  }

  /** The modelled SA key of a Child SA of `rec` for packets carrying `headerSpi` (esp-inbound.ts). */
  private espKey(rec: SaRecord, headerSpi: number, otherSpi: number): number {
    return espKeyOf(this.options.psks[rec.peerId] ?? '', headerSpi, otherSpi);
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
    for (const rec of this.records.values()) {
      const child = rec.children.find((c) => c.spiIn === esp.spi);
      if (child === undefined) continue;
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
      this.noteDelivered(inner, esp.spi, esp.sequence);
      this.host.send('inside', inner);
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
    for (const rec of this.records.values()) if (this.sealTo(rec, p)) return;
    this.host.traceNote('data.noRoute', {
      dst: p.ip.dst,
      protocol: p.ip.protocol === IpProtocol.UDP ? 'udp' : p.ip.protocol,
    });
  }

  crash(): void {
    this.up = false;
    for (const rec of this.records.values()) rec.actor.stop();
    this.records.clear();
    this.bySpiI.clear();
    this.espSeq.clear();
    this.inbound.clear();
    this.retired.clear();
    this.providerRef.send({ type: 'provider.reset' });
  }

  restart(): void {
    this.up = true;
  }

  states(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const rec of this.records.values()) out[`ike:${rec.id}`] = rec.tracker.current();
    for (const [name, t] of this.providerMachines) out[name] = t.current();
    return out;
  }
}
