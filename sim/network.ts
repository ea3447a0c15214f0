/**
 * Nodes' interfaces, links and segments, and the per-packet pipeline. The network carries IPv4 datagrams as bytes and
 * reads the destination from header bytes 16..19 (RFC 791 §3.1); it knows nothing about the protocols above.
 *
 * Pipeline per (packet, direction), fixed; every step that acts is traced:
 *   partition → link down → MTU → loss (targeted, independent or Gilbert-Elliott) → duplicate → queue and delay →
 *   deliver (dropped `node-down` if the receiver crashed since the send).
 */
import type { InterfaceConfig } from '../models/contract.ts';
import { Channel } from './channel.ts';
import {
  BROADCAST_U32,
  directedBroadcastU32,
  ipv4HeaderDestination,
  ipv4ToU32,
  parsePrefix,
  u32ToIpv4,
} from '../models/wire/ipv4-address.ts';
import { compileProfile, serialisationUs, type CompiledProfile, type LinkProfile } from './link-profile.ts';
import { directionKey, type LinkSpec } from './link-spec.ts';
import type { Rng } from './rng.ts';
import type { EventRecord, Scheduler } from './scheduler.ts';
import type { TargetedDrop } from './targeted-drop.ts';
import { DROP_REASONS, type DropReason, type TraceRecorder } from './trace.ts';

/** Per node: up/down and a crash epoch, so packets in flight to a node that crashed are lost even after restart. */
export interface NodeState {
  readonly name: string;
  up: boolean;
  epoch: number;
  /** Its place in the order nodes were added (0, 1, ...): the simulation finds the node's host by it per delivery. */
  readonly index: number;
  /** Its interfaces, in the order configured: one or two per node, so an array searched by name (a Map each was ~150
   * bytes per node of a storm's live heap); set once, by `addNode`. */
  attachments: readonly Attachment[];
}

/** A node's interface by name. */
export function attachmentOf(node: NodeState, iface: string): Attachment | undefined {
  for (const att of node.attachments) if (att.iface === iface) return att;
  return undefined;
}

/** One interface of one node and the link it is attached to (if any). */
export interface Attachment {
  readonly node: NodeState;
  readonly iface: string;
  address: number;
  prefixLength: number;
  link: LinkRuntime | null;
  /** Index among the link's attachments. */
  index: number;
  /**
   * Outgoing directions, created on first use: the first one here (a storm's client talks to its gateway alone), the
   * others by receiver index in `moreOut`, made on the second. Not an array indexed by the receiver: on a segment of N
   * clients the gateway's index may be N (it attaches last), and a holey array that long costs 8 bytes per slot per
   * client (12 KB at N = 1,000); nor a Map each, which is ~150 bytes per interface for its one entry.
   */
  firstOut: Channel | undefined;
  moreOut: Map<number, Channel> | undefined;
  /**
   * The direction made last towards this interface: a storm's client hears its gateway alone, so the gateway's send to
   * it finds its direction here instead of in the gateway's `moreOut` (a Map of N entries, one lookup per packet).
   */
  lastIn: Channel | undefined;
}

export interface LinkRuntime {
  readonly name: string;
  readonly kind: 'p2p' | 'segment';
  up: boolean;
  readonly attachments: Attachment[];
  /** Profile of each direction as configured now (base merged with per-direction), keyed `from→to`. */
  readonly base: LinkProfile;
  readonly perDirection: Map<string, LinkProfile>;
  readonly subnetBroadcast: number | undefined;
  readonly routes: readonly { readonly network: number; readonly mask: number; readonly via: string }[];
  /** Segments: unicast lookup by address. */
  readonly byAddress: Map<number, Attachment>;
}

/**
 * A packet in flight on one direction, and its own delivery event in the scheduler's heap (one object per packet in
 * flight, not a packet plus an event record: a storm keeps tens of thousands in flight long enough to be promoted).
 */
class InFlight implements EventRecord {
  atUs = 0;
  seq = 0;
  fn: ((arg: unknown) => void) | null = null;
  arg: unknown = undefined;

  constructor(
    public channel: Channel,
    public bytes: Uint8Array,
    public packetId: number,
    public summary: string,
    public sentAtUs: number,
    public reordered: boolean,
    public epoch: number,
  ) {}
}

/** What a spare in-flight record holds instead of its last packet's bytes (so it keeps no packet alive). */
const NO_BYTES = new Uint8Array(0);
/** Spare in-flight records kept per network (more are made while more packets fly at once). */
const MAX_SPARE_IN_FLIGHT = 256;

export interface NetworkContext {
  readonly scheduler: Scheduler;
  readonly trace: TraceRecorder;
  readonly rng: Rng;
  allocatePacketId(): number;
  /** Hands delivered bytes to the receiving node's host. */
  deliver(to: Attachment, bytes: Uint8Array, packetId: number): void;
}

export class Network {
  readonly nodes = new Map<string, NodeState>();
  readonly links = new Map<string, LinkRuntime>();
  /** Every direction in creation order (deterministic). */
  readonly channels: Channel[] = [];
  /** Drops not attributable to a direction (no route, send from a crashed node). */
  readonly droppedUnrouted: Record<DropReason, number> = zeroDrops();
  private partitions: { readonly id: string; readonly groupOf: Map<string, number> }[] = [];
  private targeted: TargetedDrop[] = [];
  private readonly deliverFn = (f: InFlight): void => this.deliverNow(f);
  /**
   * Records of packets delivered or dropped on arrival, for the next packets sent: a record is its own scheduler
   * event (the scheduler is done with one once it ran, and skips a stale heap slot by its seq), so a packet costs no
   * new object. A storm sends hundreds of thousands; a record per packet, alive for its flight, was garbage that
   * scavenges copied when it was still in flight.
   */
  private readonly spareInFlight: InFlight[] = [];
  private readonly compiled = new WeakMap<LinkProfile, CompiledProfile>();

  constructor(private readonly ctx: NetworkContext) {}

  addNode(name: string, interfaces: readonly InterfaceConfig[]): NodeState {
    if (this.nodes.has(name)) throw new Error(`duplicate node name: ${name}`);
    const node: NodeState = { name, up: true, epoch: 0, index: this.nodes.size, attachments: [] };
    const seen = new Set<string>();
    for (const cfg of interfaces) {
      if (seen.has(cfg.name)) throw new Error(`node ${name}: duplicate interface ${cfg.name}`);
      seen.add(cfg.name);
    }
    // Built by map, not by push: an exact-size array (a push reserves room for 17).
    node.attachments = interfaces.map((cfg): Attachment => ({
      node,
      iface: cfg.name,
      address: ipv4ToU32(cfg.address),
      prefixLength: cfg.prefixLength,
      link: null,
      index: -1,
      firstOut: undefined,
      moreOut: undefined,
      lastIn: undefined,
    }));
    this.nodes.set(name, node);
    return node;
  }

  addLink(spec: LinkSpec): void {
    if (this.links.has(spec.name)) throw new Error(`duplicate link name: ${spec.name}`);
    const endpoints = spec.kind === 'p2p' ? [spec.a, spec.b] : spec.attach;
    const attachments = endpoints.map((ep) => {
      const node = this.nodes.get(ep.node);
      const att = node === undefined ? undefined : attachmentOf(node, ep.iface);
      if (!att) throw new Error(`link ${spec.name}: no interface ${ep.node}:${ep.iface}`);
      if (att.link) throw new Error(`link ${spec.name}: ${ep.node}:${ep.iface} is already on link ${att.link.name}`);
      return att;
    });
    const perDirection = new Map<string, LinkProfile>();
    if (spec.kind === 'p2p') {
      if (spec.aToB) perDirection.set(directionKey(spec.a.node, spec.b.node), spec.aToB);
      if (spec.bToA) perDirection.set(directionKey(spec.b.node, spec.a.node), spec.bToA);
    } else {
      for (const [key, profile] of Object.entries(spec.profiles ?? {})) perDirection.set(key, profile);
    }
    const subnet = spec.kind === 'segment' && spec.subnet !== undefined ? parsePrefix(spec.subnet) : undefined;
    const link: LinkRuntime = {
      name: spec.name,
      kind: spec.kind,
      up: true,
      attachments,
      base: spec.profile ?? {},
      perDirection,
      subnetBroadcast: subnet ? (subnet.network | ~subnet.mask) >>> 0 : undefined,
      routes: spec.kind === 'segment' ? (spec.routes ?? []).map((r) => ({ ...parsePrefix(r.prefix), via: r.via })) : [],
      byAddress: new Map(),
    };
    attachments.forEach((att, index) => {
      att.link = link;
      att.index = index;
      if (att.address !== 0 && !link.byAddress.has(att.address)) link.byAddress.set(att.address, att);
    });
    this.links.set(spec.name, link);
    // Point-to-point directions exist from the start, so their metrics always appear.
    if (spec.kind === 'p2p') {
      this.channel(attachments[0] as Attachment, 1);
      this.channel(attachments[1] as Attachment, 0);
    }
  }

  setAddress(att: Attachment, address: number, prefixLength: number): void {
    const link = att.link;
    if (link && link.byAddress.get(att.address) === att) link.byAddress.delete(att.address);
    att.address = address;
    att.prefixLength = prefixLength;
    if (link && address !== 0 && !link.byAddress.has(address)) link.byAddress.set(address, att);
  }

  // ---- faults -------------------------------------------------------------------------------------------------

  setLinkUp(name: string, up: boolean): void {
    this.link(name).up = up;
  }

  addPartition(id: string, groups: readonly (readonly string[])[]): void {
    const groupOf = new Map<string, number>();
    groups.forEach((group, i) => group.forEach((node) => groupOf.set(node, i)));
    this.partitions.push({ id, groupOf });
  }

  /** Heals one partition by id, or all when id is undefined. */
  healPartition(id: string | undefined): void {
    this.partitions = id === undefined ? [] : this.partitions.filter((p) => p.id !== id);
  }

  /** Merges `profile` over the current profile of the matching directions (all when from/to are absent). */
  changeProfile(linkName: string, profile: LinkProfile, from?: string, to?: string): void {
    const link = this.link(linkName);
    const names = link.attachments.map((a) => a.node.name);
    for (const f of names) {
      for (const t of names) {
        if (f === t || (from !== undefined && f !== from) || (to !== undefined && t !== to)) continue;
        const key = directionKey(f, t);
        link.perDirection.set(key, { ...(link.perDirection.get(key) ?? {}), ...profile });
      }
    }
    for (const att of link.attachments) {
      for (const ch of outChannels(att)) {
        ch.setProfile(compileProfile(this.profileOf(link, ch.from.node.name, ch.to.node.name)));
      }
    }
  }

  armTargetedDrop(drop: TargetedDrop): void {
    this.targeted.push(drop);
  }

  private link(name: string): LinkRuntime {
    const link = this.links.get(name);
    if (!link) throw new Error(`no link named ${name}`);
    return link;
  }

  /** The compiled form of a link profile, compiled once per profile object: a segment's directions without a profile
   * of their own share the link's (a CompiledProfile is never mutated; changeProfile compiles afresh). */
  private compiledOf(profile: LinkProfile): CompiledProfile {
    let compiled = this.compiled.get(profile);
    if (compiled === undefined) {
      compiled = compileProfile(profile);
      this.compiled.set(profile, compiled);
    }
    return compiled;
  }

  private profileOf(link: LinkRuntime, from: string, to: string): LinkProfile {
    const own = link.perDirection.get(directionKey(from, to));
    return own ? { ...link.base, ...own } : link.base;
  }

  private channel(from: Attachment, toIndex: number): Channel {
    const link = from.link as LinkRuntime;
    const to = link.attachments[toIndex] as Attachment;
    const first = from.firstOut;
    if (first !== undefined) {
      if (first.to === to) return first;
      const lastIn = to.lastIn;
      if (lastIn !== undefined && lastIn.from === from) return lastIn;
      const existing = from.moreOut?.get(toIndex);
      if (existing !== undefined) return existing;
    }
    const profile = this.compiledOf(this.profileOf(link, from.node.name, to.node.name));
    const ch = new Channel(link, from, to, profile, this.ctx.rng);
    if (first === undefined) from.firstOut = ch;
    else (from.moreOut ??= new Map()).set(toIndex, ch);
    to.lastIn = ch;
    this.channels.push(ch);
    return ch;
  }

  // ---- pipeline -----------------------------------------------------------------------------------------------

  /** Submits an encoded datagram sent by `from` (already traced as `send`). */
  submit(from: Attachment, bytes: Uint8Array, packetId: number, summary: string): void {
    const link = from.link;
    if (link === null) {
      this.dropUnrouted(from.node.name, packetId, summary, 'interface not attached to a link');
      return;
    }
    if (link.kind === 'p2p') {
      this.offer(this.channel(from, from.index === 0 ? 1 : 0), bytes, packetId, summary);
      return;
    }
    const dst = ipv4HeaderDestination(bytes);
    if (dst === undefined) {
      this.dropUnrouted(from.node.name, packetId, summary, 'not an IPv4 datagram');
      return;
    }
    if (
      dst === BROADCAST_U32 ||
      dst === link.subnetBroadcast ||
      dst === directedBroadcastU32(from.address, from.prefixLength)
    ) {
      const n = link.attachments.length;
      for (let i = 0; i < n; i++) if (i !== from.index) this.offer(this.channel(from, i), bytes, packetId, summary);
      return;
    }
    let to = link.byAddress.get(dst);
    if (to === undefined) {
      for (const route of link.routes) {
        if ((dst & route.mask) >>> 0 === route.network) {
          to = link.attachments.find((a) => a.node.name === route.via);
          break;
        }
      }
    }
    if (to === undefined || to === from) {
      this.dropUnrouted(from.node.name, packetId, summary, `no route to ${u32ToIpv4(dst)} on ${link.name}`);
      return;
    }
    this.offer(this.channel(from, to.index), bytes, packetId, summary);
  }

  private offer(ch: Channel, bytes: Uint8Array, packetId: number, summary: string): void {
    ch.offered++;
    ch.bytesOffered += bytes.length;
    let targetedBy: TargetedDrop | undefined;
    if (this.targeted.length > 0) targetedBy = this.claimTargeted(ch, summary);
    if (this.partitions.length > 0 && this.separated(ch.from.node.name, ch.to.node.name)) {
      this.drop(ch, 'partition', packetId, summary, undefined);
      return;
    }
    if (!ch.link.up) {
      this.drop(ch, 'link-down', packetId, summary, undefined);
      return;
    }
    const p = ch.profile;
    if (bytes.length > p.mtuBytes) {
      this.drop(
        ch,
        'mtu',
        packetId,
        summary,
        this.ctx.trace.packets ? `${bytes.length} > mtu ${p.mtuBytes}` : undefined,
      );
      return;
    }
    // Loss: the random draw is made even when a targeted drop claims the packet, so the loss stream stays aligned
    // with a run without the targeted drop.
    let lost: DropReason | undefined;
    if (p.burst) {
      if (ch.burstBad ? ch.lossStream.chancePpm(p.badToGoodPpm) : ch.lossStream.chancePpm(p.goodToBadPpm)) {
        ch.burstBad = !ch.burstBad;
      }
      if (ch.burstBad) lost = 'burst-loss';
    } else if (p.lossPpm > 0 && ch.lossStream.chancePpm(p.lossPpm)) {
      lost = 'loss';
    }
    if (targetedBy !== undefined) {
      this.drop(ch, 'targeted', packetId, summary, targetedBy.id);
      return;
    }
    if (lost !== undefined) {
      this.drop(ch, lost, packetId, summary, undefined);
      return;
    }
    const sentAtUs = this.ctx.scheduler.nowUs;
    this.enqueue(ch, bytes, packetId, summary, sentAtUs);
    if (p.duplicatePpm > 0 && ch.duplicateStream.chancePpm(p.duplicatePpm)) {
      const copyId = this.ctx.allocatePacketId();
      ch.duplicated++;
      const trace = this.ctx.trace;
      if (trace.packets) {
        trace.record({
          type: 'duplicate',
          atUs: sentAtUs,
          node: ch.from.node.name,
          link: ch.link.name,
          dir: ch.dir,
          packetId: copyId,
          originalId: packetId,
          summary,
        });
      }
      this.enqueue(ch, bytes, copyId, summary, sentAtUs);
    }
  }

  private enqueue(ch: Channel, bytes: Uint8Array, packetId: number, summary: string, nowUs: number): void {
    const p = ch.profile;
    let departUs = nowUs;
    if (p.bandwidthBps > 0) {
      ch.purgeQueue(nowUs);
      if (ch.queuePackets + 1 > p.queuePacketsMax || ch.queueBytes + bytes.length > p.queueBytesMax) {
        this.drop(ch, 'queue-full', packetId, summary, undefined);
        return;
      }
      const startUs = ch.busyUntilUs > nowUs ? ch.busyUntilUs : nowUs;
      departUs = startUs + serialisationUs(bytes.length, p.bandwidthBps);
      ch.busyUntilUs = departUs;
      ch.pushQueue(departUs, bytes.length);
    }
    let delayUs = p.jitterUs > 0 ? p.latencyUs + ch.jitterStream.intBelow(p.jitterUs + 1) : p.latencyUs;
    let reordered = false;
    if (p.reorderPpm > 0 && ch.reorderStream.chancePpm(p.reorderPpm)) {
      delayUs += p.reorderExtraDelayUs;
      reordered = true;
      ch.reordered++;
    }
    let inFlight = this.spareInFlight.pop();
    if (inFlight === undefined)
      inFlight = new InFlight(ch, bytes, packetId, summary, nowUs, reordered, ch.to.node.epoch);
    else {
      inFlight.channel = ch;
      inFlight.bytes = bytes;
      inFlight.packetId = packetId;
      inFlight.summary = summary;
      inFlight.sentAtUs = nowUs;
      inFlight.reordered = reordered;
      inFlight.epoch = ch.to.node.epoch;
    }
    this.ctx.scheduler.schedule(inFlight, departUs + delayUs, this.deliverFn);
  }

  /** The scheduler ran `f`: the packet arrives (or is dropped), then the record is spare. */
  private deliverNow(f: InFlight): void {
    this.arrive(f);
    f.bytes = NO_BYTES;
    f.summary = '';
    if (this.spareInFlight.length < MAX_SPARE_IN_FLIGHT) this.spareInFlight.push(f);
  }

  private arrive(f: InFlight): void {
    const ch = f.channel;
    const node = ch.to.node;
    if (!node.up || node.epoch !== f.epoch) {
      this.drop(ch, 'node-down', f.packetId, f.summary, undefined, node.name);
      return;
    }
    ch.delivered++;
    ch.bytesDelivered += f.bytes.length;
    const trace = this.ctx.trace;
    if (trace.packets) {
      trace.record({
        type: 'deliver',
        atUs: this.ctx.scheduler.nowUs,
        node: node.name,
        iface: ch.to.iface,
        link: ch.link.name,
        dir: ch.dir,
        packetId: f.packetId,
        sentAtUs: f.sentAtUs,
        summary: f.summary,
        reordered: f.reordered ? true : undefined,
      });
    }
    this.ctx.deliver(ch.to, f.bytes, f.packetId);
  }

  private claimTargeted(ch: Channel, summary: string): TargetedDrop | undefined {
    let claimedBy: TargetedDrop | undefined;
    for (const drop of this.targeted) {
      if (drop.claims(ch.link.name, ch.from.node.name, ch.to.node.name, summary)) {
        claimedBy = drop;
        break;
      }
    }
    if (claimedBy?.spent) this.targeted = this.targeted.filter((d) => !d.spent);
    return claimedBy;
  }

  private separated(a: string, b: string): boolean {
    for (const p of this.partitions) {
      const ga = p.groupOf.get(a);
      const gb = p.groupOf.get(b);
      if (ga !== undefined && gb !== undefined && ga !== gb) return true;
    }
    return false;
  }

  private drop(
    ch: Channel,
    reason: DropReason,
    packetId: number,
    summary: string,
    detail: string | undefined,
    node = ch.from.node.name,
  ): void {
    ch.countDrop(reason);
    const trace = this.ctx.trace;
    if (trace.packets) {
      trace.record({
        type: 'drop',
        atUs: this.ctx.scheduler.nowUs,
        reason,
        packetId,
        node,
        link: ch.link.name,
        dir: ch.dir,
        summary,
        detail,
      });
    }
  }

  /** A drop with no direction: no route, or a send attempted by a crashed node. */
  dropUnrouted(node: string, packetId: number, summary: string, detail: string, reason: DropReason = 'no-route'): void {
    this.droppedUnrouted[reason]++;
    const trace = this.ctx.trace;
    if (trace.packets) {
      trace.record({ type: 'drop', atUs: this.ctx.scheduler.nowUs, reason, packetId, node, summary, detail });
    }
  }
}

/** An interface's outgoing directions in the order they were made. */
function outChannels(att: Attachment): Channel[] {
  if (att.firstOut === undefined) return [];
  return [att.firstOut, ...(att.moreOut?.values() ?? [])];
}

export function zeroDrops(): Record<DropReason, number> {
  const out = {} as Record<DropReason, number>;
  for (const r of DROP_REASONS) out[r] = 0;
  return out;
}
