/**
 * Scenario metrics: a pure function of the trace and the run's roles. Trace level: `packets` is enough for the packet
 * metrics (legs, links, packets, IKE retransmissions, relayed, addressesFromDhcp); everything read from notes and
 * states (addressing, time to data, failures, renewals, misdirected, overlaps, DHCP queue peak, gateway state, home
 * lease, tunnels) needs `full` — so runs and sweeps record at `full` (conventions.ts METRIC_LEVELS lists each metric). `MetricsCollector` takes events
 * one at a time, so a long run need not keep them; `computeMetrics(trace, roles)` is the one-shot form. All arithmetic
 * on integer µs; percentiles by nearest rank (stats.ts).
 */
import type { SentSummarySource, TraceEvent } from '../../sim/trace.ts';
import type { RunRoles } from '../build.ts';
import * as C from './conventions.ts';
import { stat, type Stat } from './stats.ts';
import { AddressHoldings } from '../invariants/holdings.ts';
import { AttackTally, type AttackMetrics } from './attacks.ts';
import {
  datagramOfTraceHex,
  fingerprintInto,
  IKE_CREATE_CHILD_SA,
  ikeHeaderOffset,
  ikeRoleAt,
  ikeSpiiOffset,
  int32At,
  packetFingerprintInto,
  type MutableFingerprint,
} from './message-key.ts';
import { IkeLastMessages } from './ike-last-messages.ts';
import { RecentKeys } from './recent-keys.ts';
import { RecentPrints } from './recent-prints.ts';
import { SentPackets } from './sent-packets.ts';

/**
 * How long after its last copy a message is still recognised when sent again (µs of virtual time). IKE waits at most
 * 76 s between two copies of a request (strongSwan's schedule, models/ike/retransmit.ts) and gives up after 165 s;
 * RFC 2131 §4.1 backs off to 64 s. The collector forgets a message this long (at most twice this long) after its last
 * copy, plus the run's packet horizon for a response repeated on a late request.
 */
export const RESEND_WINDOW_US = 180_000_000;

/** The transaction id in a DHCP summary (`DHCPDISCOVER xid=0x1a2b3c4d …`). */
const DHCP_XID = /\bxid=(0x[0-9a-f]+)/;

/** The value of a lowercase hex digit (DHCP_XID's group has no other characters). */
function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

export interface MetricsCollectorOptions {
  /**
   * An upper bound on a packet's time in flight (packet-horizon.ts): a sent packet's size and sender are forgotten
   * this long after the send. Absent (a trace read from a file): kept to the end of the run.
   */
  readonly packetHorizonUs?: number;
}

/** The client's first tunnel (models/nodes/client-node.ts PRIMARY_TUNNEL; not imported: metrics read traces only). */
const PRIMARY = 'primary';

export interface ClientMetrics {
  readonly name: string;
  /** First `connect` command; null when never told to connect. */
  readonly connectAtUs: number | null;
  readonly address: string | null;
  readonly addressedAtUs: number | null;
  /** The last time the client (its primary tunnel) was given an address; null when never. */
  readonly lastAddressedAtUs: number | null;
  readonly timeToAddressUs: number | null;
  readonly timeToFirstDataUs: number | null;
  /** Distinct IKE requests sent before the address (retransmissions excluded): the client↔gateway round trips. */
  readonly roundTripsToAddress: number | null;
  readonly ikeRetransmits: number;
  readonly failures: readonly string[];
}

export interface LinkMetrics {
  readonly link: string;
  readonly dir: string;
  readonly messages: number;
  readonly bytes: number;
  readonly dropped: number;
}

export interface LegMetrics {
  readonly messages: number;
  readonly bytes: number;
  /** Distinct requests (retransmissions excluded) on the leg. */
  readonly roundTrips: number;
}

export interface ScenarioMetrics {
  readonly clients: number;
  readonly addressed: number;
  readonly timeToAddressUs: Stat | null;
  readonly timeToFirstDataUs: Stat | null;
  readonly roundTripsToAddress: Stat | null;
  /** Clients that got an address again after their IKE SA closed, and how long that took (close → address). */
  readonly readdressed: number;
  readonly timeToReaddressUs: Stat | null;
  readonly legs: { readonly clientGateway: LegMetrics; readonly gatewayDhcp: LegMetrics };
  readonly retransmits: { readonly ike: number; readonly dhcp: number };
  readonly failures: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  /** done: `lease.renewed` notes (else renewal ACKs in CREATE_CHILD_SA responses); missed: `lease.lost` notes plus
   * enterprise leases that expired at the server while a client still held the address. */
  readonly renewals: { readonly done: number; readonly missed: number };
  /** `spd.misdirected`: a datagram the client's SPD sent somewhere other than where it belongs. */
  readonly misdirected: number;
  /** Misdirected datagrams by the tunnel they went into (`clear` = left in the clear). */
  readonly misdirectedInto: Readonly<Record<string, number>>;
  /** Pairs of holdings (client, tunnel) of one address by two different clients that overlap in time, from
   * `address.assigned` / `address.released` (invariants/holdings.ts, the tracker of the `address.unique` invariant;
   * a client holding its own address again is not an overlap). */
  readonly addressOverlaps: number;
  /** Total µs two clients held the same address at once (a holding open at the end runs to the end). */
  readonly addressOverlapUs: number;
  /** Peak DHCP server queue length, from the servers' `dhcp.queue` notes (0 when no message ever waited). */
  readonly dhcpQueuePeak: number;
  /** The clients' home LAN leases (outer addresses): `home.bound` / `home.renewed` / `home.expired` notes. */
  readonly homeLease: { readonly bound: number; readonly renewed: number; readonly expired: number };
  /** Every (client, tunnel): clients with tunnels to several gateways count once per tunnel. */
  readonly tunnels: {
    readonly total: number;
    readonly addressed: number;
    readonly timeToAddressUs: Stat | null;
    /** tunnel (`primary` or the gateway name) → clients addressed through it. */
    readonly addressedBy: Readonly<Record<string, number>>;
  };
  /** DHCP messages the gateways relayed to a DHCP server, and how many carried relay-agent options (option 82). */
  readonly relayed: { readonly messages: number; readonly withOption82: number };
  /** Addresses clients hold that a DHCP server handed out (seen in a DHCPACK / DHCP(ACK)). */
  readonly addressesFromDhcp: number;
  readonly gatewayState: {
    readonly machinesPeak: number;
    readonly pendingPeak: number;
    readonly machinesPerClientMilli: number;
  };
  readonly packets: { readonly sent: number; readonly delivered: number; readonly dropped: number };
  readonly links: readonly LinkMetrics[];
  readonly perClient: readonly ClientMetrics[];
  /** Machine names seen in the clients' `state` events (sizes are in machine-size.ts). */
  readonly clientMachines: readonly string[];
  /** Adversarial clients (models/attacks/): per attack kind, tried and succeeded (scenarios/metrics/attacks.ts). */
  readonly attacks: AttackMetrics;
}

interface LinkCounters {
  readonly link: string;
  readonly dir: string;
  messages: number;
  bytes: number;
  dropped: number;
}

/** A tunnel's connect and address times (`tunnelTimes`). */
interface TunnelTimes {
  connectAtUs: number | null;
  addressedAtUs: number | null;
}

/**
 * What the collector knows of one node, found with one Map lookup on its name per event (a client's is its
 * ClientState). Whether it is a client or a gateway, its number in the IKE retransmission table, and the (link, dir)
 * counters its packets were last counted on: a client's packets travel one or two directions, so a hop finds its
 * counters here by comparing two references instead of probing a map of every direction of a storm.
 */
interface NodeFacts {
  readonly name: string;
  readonly isClient: boolean;
  readonly gateway: boolean;
  /** A small number for the node (IkeLastMessages.nodeIndexOf(name)) in the retransmission tables, −1 until it sends
   * an IKE or DHCP message. */
  index: number;
  /** The counters of the one direction its packets leave on / arrive on, while there is only one (`manyOut` /
   * `manyIn` once a second appears: a gateway's hops are looked up in the maps). */
  linkOut: LinkCounters | undefined;
  linkIn: LinkCounters | undefined;
  manyOut: boolean;
  manyIn: boolean;
}

interface ClientState extends NodeFacts {
  connectAtUs: number | null;
  address: string | null;
  addressedAtUs: number | null;
  lastAddressedAtUs: number | null;
  firstDataAtUs: number | null;
  requestsBeforeAddress: number;
  ikeRetransmits: number;
  failures: readonly string[];
  /** Set by a close; the next address after it is a re-address. */
  closedAtUs: number | null;
  readdressUs: readonly number[];
  /** `tunnelTimes`' entry of the primary tunnel and its key `client|primary` (also the holdings key), once made:
   * the notes of the primary tunnel build no key string. */
  primaryTimes: TunnelTimes | undefined;
  primaryKey: string | undefined;
}

/**
 * What a delivery tells the metrics, worked out at the send from the packet's summary when the run's events carry none
 * (`add`'s `summary` source): the address a DHCPACK hands out, and whether it is a CREATE_CHILD_SA response carrying
 * a DHCP ACK (a renewal). Only packets with either are remembered.
 */
interface DeliveryFacts {
  readonly atUs: number;
  readonly ackAddress: string | undefined;
  readonly renewalAck: boolean;
}

/** Whether `m` counts (link, dir). A `dir` names both ends, so it is compared first (the same string object on a hit). */
function sameLink(m: LinkCounters | undefined, link: string, dir: string): m is LinkCounters {
  return m !== undefined && m.dir === dir && m.link === link;
}

/** The empty list every client starts with (a client's lists are replaced, never written in place). */
const NONE: readonly never[] = Object.freeze([]);

/**
 * `list` with `x` at the end. The first item makes an array of one: a push onto an empty array reserves room for 17,
 * and ten thousand clients with one failure and one re-address each held 3 MB of spare capacity.
 */
function appended<T>(list: readonly T[], x: T): readonly T[] {
  if (list.length === 0) return [x];
  return [...list, x];
}

function noteReason(e: Extract<TraceEvent, { type: 'note' }>): string {
  const d = e.data ?? {};
  const r = d['reason'] ?? d['notify'] ?? d['exchange'];
  return r === undefined ? e.text : `${e.text}:${String(r)}`;
}

export class MetricsCollector {
  private readonly clients = new Map<string, ClientState>();
  /** Every node seen or named by the roles → its facts (clients: their ClientState). */
  private readonly nodes = new Map<string, NodeFacts>();
  private readonly isGateway: Set<string>;
  private readonly isDhcp: Map<string, { serviceUs: number; queueMax: number }>;
  /** (node, SPIi, request or response) → the fingerprint of the last IKE message of that triple (numbers only:
   * ike-last-messages.ts). */
  private readonly lastIke: IkeLastMessages;
  /** The fingerprint of the IKE packet being counted (rewritten per packet, never kept). */
  private readonly ikePrint: MutableFingerprint = { length: 0, a: 0, b: 0 };
  /** `node|xid` → fingerprints of the DHCP summaries that node sent with that xid recently (a summary holds the xid
   * and the message, so sending one again is a retransmission; RFC 2131 §4.1 keeps the xid for one exchange), flat:
   * length, a, b of each in turn, in an array of exactly that size (no object per fingerprint, no spare capacity:
   * a storm holds tens of thousands of these for minutes of virtual time). */
  private readonly seenDhcp: RecentKeys<readonly number[]>;
  /** The same for the keys whose xid is at most 8 hex digits (all the lab's): numbers, no string per message. */
  private readonly recentDhcp: RecentPrints;
  /** The fingerprint of the DHCP summary being counted (rewritten per message, never kept). */
  private readonly dhcpPrint: MutableFingerprint = { length: 0, a: 0, b: 0 };
  /** Packets that may still be delivered or dropped: id → sender, size and send time (dropped after the horizon). */
  private readonly sent = new SentPackets<NodeFacts>();
  /** Packet id → what its delivery tells (DeliveryFacts), in send order, for a run whose events carry no summaries;
   * forgotten with `sent` past the horizon. */
  private readonly deliveryFacts = new Map<number, DeliveryFacts>();
  private readonly packetHorizonUs: number;
  /** The next time the collector looks for packets past the horizon. */
  private sentSweepAtUs = 0;
  private addressedCount = 0;
  /** link → dir → counters (two lookups on names the trace already holds: no key string built per hop). */
  private readonly links = new Map<string, Map<string, LinkCounters>>();
  /** The same counters in order of first hop (the order `links` is reported in). */
  private readonly linkOrder: LinkCounters[] = [];
  private readonly legs = {
    clientGateway: { messages: 0, bytes: 0, roundTrips: 0 },
    gatewayDhcp: { messages: 0, bytes: 0, roundTrips: 0 },
  };
  private retransmitIke = 0;
  /** Repeated plain DHCP messages per sending node (a node that writes `dhcp.retransmit` notes is counted by those). */
  private readonly derivedDhcpRetransmits = new Map<string, number>();
  private readonly dhcpRetransmitNoters = new Set<string>();
  /** Failure reason → its count and the first copy of its text, which every client's list shares (a storm fails
   * thousands of clients for one reason: one string, not one per client). */
  private readonly failures = new Map<string, { readonly reason: string; count: number }>();
  private renewalNotes = 0;
  private renewalPackets = 0;
  private missed = 0;
  private misdirected = 0;
  private readonly misdirectedInto = new Map<string, number>();
  /** Who holds which address (address.assigned / address.released): the invariant checker's own tracker, so the
   * `addressOverlaps` metric and the `address.unique` invariant can never disagree. */
  private readonly holdings = new AddressHoldings();
  private queueNotePeak = 0;
  private dhcpRetransmitNotes = 0;
  private readonly home = { bound: 0, renewed: 0, expired: 0 };
  /** `client|tunnel` → connect and address times, for every tunnel. */
  private readonly tunnelTimes = new Map<string, TunnelTimes>();
  private relayedMessages = 0;
  private relayedWith82 = 0;
  private readonly dhcpAcked = new Set<string>();
  /** gateway → live machine → its state (two lookups on names the trace holds: no `node|machine` key per event). */
  private readonly gatewayMachines = new Map<string, Map<string, string>>();
  private gatewayMachineCount = 0;
  private machinesAlive = 0;
  private machinesPeak = 0;
  private pending = 0;
  private pendingPeak = 0;
  private readonly clientMachineNames = new Set<string>();
  private packetsSent = 0;
  private packetsDelivered = 0;
  private packetsDropped = 0;
  private lastAtUs = 0;

  private readonly attackTally: AttackTally;

  constructor(
    private readonly roles: RunRoles,
    options: MetricsCollectorOptions = {},
  ) {
    this.packetHorizonUs = options.packetHorizonUs ?? Infinity;
    const resendWindowUs = RESEND_WINDOW_US + (Number.isFinite(this.packetHorizonUs) ? this.packetHorizonUs : 0);
    this.lastIke = new IkeLastMessages(resendWindowUs);
    this.recentDhcp = new RecentPrints(resendWindowUs);
    this.seenDhcp = new RecentKeys(resendWindowUs);
    this.attackTally = new AttackTally(roles.clients);
    this.isGateway = new Set(roles.gateways);
    for (const c of roles.clients) {
      if (this.clients.has(c)) continue;
      const state: ClientState = {
        name: c,
        isClient: true,
        gateway: this.isGateway.has(c),
        index: -1,
        linkOut: undefined,
        linkIn: undefined,
        manyOut: false,
        manyIn: false,
        connectAtUs: null,
        address: null,
        addressedAtUs: null,
        lastAddressedAtUs: null,
        firstDataAtUs: null,
        requestsBeforeAddress: 0,
        ikeRetransmits: 0,
        failures: NONE,
        closedAtUs: null,
        readdressUs: NONE,
        primaryTimes: undefined,
        primaryKey: undefined,
      };
      this.clients.set(c, state);
      this.nodes.set(c, state);
    }
    this.isDhcp = new Map(roles.dhcpServers.map((d) => [d.name, d]));
  }

  /** The facts of `node`, made on its first event when the roles do not name it as a client. */
  private factsOf(node: string): NodeFacts {
    let f = this.nodes.get(node);
    if (f === undefined) {
      f = {
        name: node,
        isClient: false,
        gateway: this.isGateway.has(node),
        index: -1,
        linkOut: undefined,
        linkIn: undefined,
        manyOut: false,
        manyIn: false,
      };
      this.nodes.set(node, f);
    }
    return f;
  }

  /** Clients holding an address so far (their primary tunnel configured at least once): for progress lines. */
  get addressedSoFar(): number {
    return this.addressedCount;
  }

  /** Sizes of the collector's per-packet and per-message structures (tests show they stay bounded). */
  get internalSizes(): {
    readonly sentPackets: number;
    readonly ikeMessages: number;
    readonly dhcpMessages: number;
    readonly gatewayMachines: number;
  } {
    return {
      sentPackets: this.sent.size,
      ikeMessages: this.lastIke.size,
      dhcpMessages: this.recentDhcp.size + this.seenDhcp.size,
      gatewayMachines: this.gatewayMachineCount,
    };
  }

  /**
   * Takes the next event. A streaming run passes a send's datagram as `packet` (sim/trace.ts `onEvent`): its hex then
   * need not exist; without it the event's hex is read. Both give the same figures.
   */
  add(e: TraceEvent, packet?: Uint8Array, summary?: SentSummarySource): void {
    if (e.atUs > this.lastAtUs) {
      this.holdings.closeInstant(this.lastAtUs);
      this.lastIke.advance(e.atUs);
      this.recentDhcp.advance(e.atUs);
      this.seenDhcp.advance(e.atUs);
      if (e.atUs >= this.sentSweepAtUs) this.forgetPastHorizon(e.atUs);
    }
    this.lastAtUs = e.atUs;
    switch (e.type) {
      case 'command':
        if (e.command === 'cmd.connect') {
          const c = this.clients.get(e.node);
          if (c && c.connectAtUs === null) c.connectAtUs = e.atUs;
          if (c) this.onTunnelConnect(c, e.args, e.atUs);
        }
        return;
      case 'send':
        this.onSend(e, packet, summary);
        return;
      case 'deliver': {
        this.packetsDelivered++;
        const receiver = this.factsOf(e.node);
        this.onHop(e.link, e.dir, e.packetId, false, receiver);
        this.onDeliver(e, receiver);
        return;
      }
      case 'duplicate': {
        // The copy is delivered under its own id: it tells what the original would.
        const facts = this.deliveryFacts.get(e.originalId);
        if (facts !== undefined) this.deliveryFacts.set(e.packetId, facts);
        return;
      }
      case 'drop':
        this.packetsDropped++;
        if (e.link !== undefined && e.dir !== undefined) this.onHop(e.link, e.dir, e.packetId, true, undefined);
        return;
      case 'note':
        this.attackTally.onNote(e);
        this.onNote(e);
        return;
      case 'state':
        this.onState(e);
        return;
      case 'fault':
        if (e.fault === 'node.crash') {
          const node = e.detail.replace(/^node /, '');
          if (this.isGateway.has(node)) this.forgetGateway(node);
          else if (this.clients.has(node)) this.holdings.unholdClient(node, e.atUs);
        }
        return;
      default:
        return;
    }
  }

  /** Forgets packets sent longer than the horizon ago: none of them can be delivered or dropped any more. */
  private forgetPastHorizon(atUs: number): void {
    const horizon = this.packetHorizonUs;
    if (!Number.isFinite(horizon)) {
      this.sentSweepAtUs = Infinity;
      return;
    }
    // Ids grow with time, so id order is send order: stop at the first packet still in reach.
    this.sent.forgetSentBefore(atUs - horizon);
    // The same for the delivery facts (a Map walks in insertion order: send order, a copy right after its original).
    for (const [id, f] of this.deliveryFacts) {
      if (f.atUs >= atUs - horizon) break;
      this.deliveryFacts.delete(id);
    }
    // Sweep again after an eighth of the horizon: the map holds at most 1⅛ horizons of packets.
    this.sentSweepAtUs = atUs + Math.max(1, Math.floor(horizon / 8));
  }

  /**
   * The role of an IKE message (1 request, 2 response, 0 not IKE) and the summary the counting below reads. Events with
   * summaries: both from the summary. Without (a streaming run: `source` makes the summary on request), the role is
   * read from the datagram's IKE header (what the summary's first words say), and the summary is made only for what
   * is not an IKE message (plain DHCP, DHCP in ESP, the rest) and for CREATE_CHILD_SA responses, whose delivery may be
   * a renewal; what a delivery needs of it is kept by packet id (`deliveryFacts`).
   */
  private roleAndSummary(
    e: Extract<TraceEvent, { type: 'send' }>,
    packet: Uint8Array | undefined,
    source: SentSummarySource | undefined,
  ): 0 | 1 | 2 {
    if (source === undefined || packet === undefined) {
      this.sendSummary = e.summary;
      return C.ikeSummaryRole(e.summary);
    }
    const at = ikeHeaderOffset(packet);
    const role = at < 0 ? 0 : ikeRoleAt(packet, at);
    const summary = role === 0 || (role === 2 && packet[at + 18] === IKE_CREATE_CHILD_SA) ? source.sentSummary() : '';
    this.sendSummary = summary;
    if (summary !== '') {
      const ackAddress = this.ackAddressOf(summary);
      const renewalAck = this.isRenewalAck(summary);
      if (ackAddress !== undefined || renewalAck)
        this.deliveryFacts.set(e.packetId, { atUs: e.atUs, ackAddress, renewalAck });
    }
    return role;
  }

  /** The summary of the send being counted (`roleAndSummary`). */
  private sendSummary = '';

  private onSend(
    e: Extract<TraceEvent, { type: 'send' }>,
    packet: Uint8Array | undefined,
    source: SentSummarySource | undefined,
  ): void {
    this.packetsSent++;
    const facts = this.factsOf(e.node);
    this.sent.add(e.packetId, facts, e.length, e.atUs);
    const ike = this.roleAndSummary(e, packet, source);
    const summary = this.sendSummary;
    const client = facts.isClient ? (facts as ClientState) : undefined;
    if (ike !== 0) {
      // A retransmission repeats the last message of its (sender, IKE SA, request/response) byte for byte (§2.1).
      const datagram = packet ?? datagramOfTraceHex(e.bytes);
      const at = ikeSpiiOffset(datagram);
      const print = this.ikePrint;
      packetFingerprintInto(datagram, print);
      if (facts.index < 0) facts.index = this.lastIke.nodeIndexOf(e.node);
      const again = this.lastIke.repeatsAt(
        facts.index,
        ike === 2,
        int32At(datagram, at),
        int32At(datagram, at + 4),
        print.length,
        print.a,
        print.b,
      );
      if (again) {
        this.retransmitIke++;
        if (client) client.ikeRetransmits++;
      } else if (client && ike === 1) {
        this.legs.clientGateway.roundTrips++;
        if (client.addressedAtUs === null) client.requestsBeforeAddress++;
      }
      if (client || facts.gateway) {
        this.legs.clientGateway.messages++;
        this.legs.clientGateway.bytes += e.length;
      }
      return;
    }
    const inEsp = C.dhcpInEspSummary(summary);
    if (inEsp !== undefined && (client || facts.gateway)) {
      // RFC 3456: DHCP through the DHCP SA is part of the client↔gateway exchange (data ESP is not).
      const again = this.dhcpSentBefore(facts, inEsp);
      if (again) this.derivedDhcpRetransmits.set(e.node, (this.derivedDhcpRetransmits.get(e.node) ?? 0) + 1);
      else if (client) {
        this.legs.clientGateway.roundTrips++;
        if (client.addressedAtUs === null) client.requestsBeforeAddress++;
      }
      this.legs.clientGateway.messages++;
      this.legs.clientGateway.bytes += e.length;
      return;
    }
    if (C.isDhcpSummary(summary)) {
      const again = this.dhcpSentBefore(facts, summary);
      if (again) this.derivedDhcpRetransmits.set(e.node, (this.derivedDhcpRetransmits.get(e.node) ?? 0) + 1);
      const fromGateway = facts.gateway;
      if (fromGateway || this.isDhcp.has(e.node)) {
        this.legs.gatewayDhcp.messages++;
        this.legs.gatewayDhcp.bytes += e.length;
      }
      if (fromGateway) {
        this.relayedMessages++;
        if (C.RELAY_OPTION_82.test(summary)) this.relayedWith82++;
        if (!again) this.legs.gatewayDhcp.roundTrips++;
      }
    }
  }

  /** Whether `node` sent this DHCP summary recently; records it. */
  private dhcpSentBefore(facts: NodeFacts, summary: string): boolean {
    const xid = DHCP_XID.exec(summary)?.[1];
    const print = this.dhcpPrint;
    fingerprintInto(summary, print);
    // `0x` and at most 8 digits (every xid is 32 bits): the key as numbers (digit count and value tell apart every
    // string the group can be); anything longer keeps its string key.
    if (xid !== undefined && xid.length <= 10) {
      if (facts.index < 0) facts.index = this.lastIke.nodeIndexOf(facts.name);
      let value = 0;
      for (let i = 2; i < xid.length; i++) value = (value << 4) | hexDigit(xid.charCodeAt(i));
      return this.recentDhcp.sentBefore(facts.index, xid.length, value, print.length, print.a, print.b);
    }
    const key = xid === undefined ? `${facts.name}|${summary}` : `${facts.name}|${xid}`;
    const prints = this.seenDhcp.touch(key);
    if (prints === undefined) {
      this.seenDhcp.set(key, [print.length, print.a, print.b]);
      return false;
    }
    for (let i = 0; i < prints.length; i += 3)
      if (prints[i] === print.length && prints[i + 1] === print.a && prints[i + 2] === print.b) return true;
    // `touch` made the key current: replacing its value there is what appending to it would be.
    this.seenDhcp.set(key, [...prints, print.length, print.a, print.b]);
    return false;
  }

  private onHop(link: string, dir: string, packetId: number, dropped: boolean, receiver: NodeFacts | undefined): void {
    // The sender's or receiver's one direction first; the maps of every direction only when neither has it.
    const sender = this.sent.senderOf(packetId);
    let m: LinkCounters;
    if (sender !== undefined && !sender.manyOut && sameLink(sender.linkOut, link, dir)) m = sender.linkOut;
    else if (receiver !== undefined && !receiver.manyIn && sameLink(receiver.linkIn, link, dir)) m = receiver.linkIn;
    else {
      m = this.linkCounters(link, dir);
      if (sender !== undefined && !sender.manyOut) {
        if (sender.linkOut === undefined) sender.linkOut = m;
        else if (sender.linkOut !== m) sender.manyOut = true;
      }
      if (receiver !== undefined && !receiver.manyIn) {
        if (receiver.linkIn === undefined) receiver.linkIn = m;
        else if (receiver.linkIn !== m) receiver.manyIn = true;
      }
    }
    m.messages++;
    m.bytes += this.sent.lengthOf(packetId) ?? 0;
    if (dropped) m.dropped++;
  }

  /** The counters of (link, dir), made on its first hop (the order `links` is reported in). */
  private linkCounters(link: string, dir: string): LinkCounters {
    let dirs = this.links.get(link);
    if (dirs === undefined) {
      dirs = new Map();
      this.links.set(link, dirs);
    }
    let m = dirs.get(dir);
    if (m === undefined) {
      m = { link, dir, messages: 0, bytes: 0, dropped: 0 };
      dirs.set(dir, m);
      this.linkOrder.push(m);
    }
    return m;
  }

  /** The address a plain DHCPACK's summary names (a DHCP server handed it out), or undefined. */
  private ackAddressOf(summary: string): string | undefined {
    if (!C.dhcpSummaryTypeIs(summary, 'ACK')) return undefined;
    return /^DHCPACK (\d+\.\d+\.\d+\.\d+)/.exec(summary)?.[1] || undefined;
  }

  /** Whether a summary is a CREATE_CHILD_SA response carrying a DHCP ACK (draft-richardson §2: a renewal). */
  private isRenewalAck(summary: string): boolean {
    return summary.includes('CREATE_CHILD_SA response') && C.DHCP_IN_IKE.exec(summary)?.[1] === 'ACK';
  }

  private onDeliver(e: Extract<TraceEvent, { type: 'deliver' }>, receiver: NodeFacts): void {
    // Without a summary in the event, what the send's summary said (a packet with neither fact has none kept).
    const kept = e.summary === '' ? this.deliveryFacts.get(e.packetId) : undefined;
    const ackAddress = e.summary === '' ? kept?.ackAddress : this.ackAddressOf(e.summary);
    // DHCP ACKs name the address a DHCP server handed out (plain, or inside IKE).
    if (ackAddress !== undefined) this.dhcpAcked.add(ackAddress);
    const client = receiver.isClient ? (receiver as ClientState) : undefined;
    // A renewal: an ACK in a CREATE_CHILD_SA response to a client that already has its address (draft-richardson §2).
    if (client && (e.summary === '' ? kept?.renewalAck === true : this.isRenewalAck(e.summary))) {
      // Per tunnel: the tunnel whose gateway sent the response must already have had its address.
      const gateway = this.sent.senderOf(e.packetId)?.name;
      const tunnels = this.roles.tunnelsOf?.[e.node] ?? { [PRIMARY]: this.roles.gatewayOf[e.node] ?? '' };
      const tunnel = Object.keys(tunnels).find((t) => tunnels[t] === gateway) ?? PRIMARY;
      if ((this.tunnelTimes.get(`${e.node}|${tunnel}`)?.addressedAtUs ?? null) !== null) this.renewalPackets++;
    }
  }

  private onTunnelConnect(c: ClientState, args: unknown, atUs: number): void {
    const wanted = (args as { tunnel?: unknown } | undefined)?.tunnel;
    if (typeof wanted === 'string') {
      this.tunnelTimesOf(c, wanted).connectAtUs ??= atUs;
      return;
    }
    const tunnels = this.roles.tunnelsOf?.[c.name];
    if (tunnels === undefined) {
      this.tunnelTimesOf(c, PRIMARY).connectAtUs ??= atUs;
      return;
    }
    for (const t of Object.keys(tunnels)) this.tunnelTimesOf(c, t).connectAtUs ??= atUs;
  }

  /** `client|tunnel`: the key of a tunnel in `tunnelTimes` and in the holdings (the primary's made once per client). */
  private tunnelKey(c: ClientState, tunnel: string): string {
    if (tunnel !== PRIMARY) return `${c.name}|${tunnel}`;
    return (c.primaryKey ??= `${c.name}|${PRIMARY}`);
  }

  /** A tunnel's times, made on first use (in the order `tunnelTimes` lists them). */
  private tunnelTimesOf(c: ClientState, tunnel: string): TunnelTimes {
    if (tunnel === PRIMARY && c.primaryTimes !== undefined) return c.primaryTimes;
    const key = this.tunnelKey(c, tunnel);
    let x = this.tunnelTimes.get(key);
    if (x === undefined) {
      x = { connectAtUs: null, addressedAtUs: null };
      this.tunnelTimes.set(key, x);
    }
    if (tunnel === PRIMARY) c.primaryTimes = x;
    return x;
  }

  private onNote(e: Extract<TraceEvent, { type: 'note' }>): void {
    const c = this.clients.get(e.node);
    const d = e.data ?? {};
    const tunnel = typeof d['tunnel'] === 'string' ? d['tunnel'] : PRIMARY;
    if (e.text === C.NOTE_ASSIGNED && c) {
      this.holdings.hold(e.node, tunnel, String(d['address']), e.atUs, this.tunnelKey(c, tunnel));
      return;
    }
    if (e.text === C.NOTE_RELEASED && c) {
      this.holdings.unhold(this.tunnelKey(c, tunnel), e.atUs);
      return;
    }
    // (`iface.address` on a client is its outer interface — the home lease — never the inner address.)
    if (e.text === C.NOTE_CONFIGURED) {
      const address = String(d['address'] ?? 'none');
      const assigned = address !== 'none' && address !== '' && address !== '0.0.0.0';
      if (c && assigned) this.tunnelTimesOf(c, tunnel).addressedAtUs ??= e.atUs;
      // The client's figures (time to address, re-address) follow its primary tunnel.
      if (tunnel !== PRIMARY || !c || !assigned) return;
      c.lastAddressedAtUs = e.atUs;
      if (c.addressedAtUs === null) {
        c.addressedAtUs = e.atUs;
        c.address = address;
        this.addressedCount++;
      } else if (c.closedAtUs !== null) {
        c.readdressUs = appended(c.readdressUs, e.atUs - c.closedAtUs);
      }
      c.closedAtUs = null;
      return;
    }
    if (e.text === C.NOTE_CLOSED) {
      if (tunnel !== PRIMARY) return;
      if (c && c.closedAtUs === null) c.closedAtUs = e.atUs;
      const reason = String(d['reason'] ?? 'unknown');
      if (!C.NORMAL_CLOSE_REASONS.includes(reason)) this.fail(e.node, `closed:${reason}`);
      return;
    }
    if (e.text === C.NOTE_DATA_REPLY) {
      if (c && c.firstDataAtUs === null) c.firstDataAtUs = e.atUs;
      return;
    }
    if (C.FAILURE_NOTES.includes(e.text)) {
      this.fail(e.node, noteReason(e));
      return;
    }
    if (C.RENEWAL_NOTES.includes(e.text)) this.renewalNotes++;
    else if (C.RENEWAL_MISSED_NOTES.includes(e.text)) this.missed++;
    else if (
      e.text === C.NOTE_LEASE_EXPIRED &&
      this.isDhcp.has(e.node) &&
      !(this.roles.homeDhcpServers ?? []).includes(e.node) &&
      this.holdings.isHeld(String(d['address']))
    )
      // An enterprise lease ran out while a client still uses the address: a renewal nobody made.
      this.missed++;
    else if (C.MISDIRECTED_NOTES.includes(e.text)) {
      this.misdirected++;
      const into = typeof d['tunnel'] === 'string' ? d['tunnel'] : 'clear';
      this.misdirectedInto.set(into, (this.misdirectedInto.get(into) ?? 0) + 1);
    } else if (e.text === C.NOTE_DHCP_QUEUE && typeof d['length'] === 'number')
      this.queueNotePeak = Math.max(this.queueNotePeak, d['length']);
    else if (e.text === C.NOTE_DHCP_RETRANSMIT) {
      this.dhcpRetransmitNotes++;
      this.dhcpRetransmitNoters.add(e.node);
    } else if (e.text === 'home.bound') this.home.bound++;
    else if (e.text === 'home.renewed') this.home.renewed++;
    else if (e.text === 'home.expired') this.home.expired++;
  }

  private fail(node: string, reason: string): void {
    let f = this.failures.get(reason);
    if (f === undefined) {
      f = { reason, count: 0 };
      this.failures.set(reason, f);
    }
    f.count++;
    const c = this.clients.get(node);
    if (c) c.failures = appended(c.failures, f.reason);
  }

  private onState(e: Extract<TraceEvent, { type: 'state' }>): void {
    const facts = this.factsOf(e.node);
    if (facts.isClient) {
      this.clientMachineNames.add(e.machine);
      return;
    }
    if (!facts.gateway || !C.isGatewayMachine(e.machine)) return;
    let machines = this.gatewayMachines.get(e.node);
    if (machines === undefined) {
      machines = new Map();
      this.gatewayMachines.set(e.node, machines);
    }
    const before = machines.get(e.machine);
    const wasAlive = before !== undefined && !C.FINAL_STATES.includes(before);
    const isAlive = !C.FINAL_STATES.includes(e.to);
    this.machinesAlive += (isAlive ? 1 : 0) - (wasAlive ? 1 : 0);
    this.pending +=
      (C.PENDING_STATES.includes(e.to) ? 1 : 0) - (before !== undefined && C.PENDING_STATES.includes(before) ? 1 : 0);
    // A machine in a final state counts as neither alive nor pending, exactly as one never seen: forget it, so the map
    // holds the live machines only, not every IKE SA the gateway ever had.
    if (isAlive) {
      if (before === undefined) this.gatewayMachineCount++;
      machines.set(e.machine, e.to);
    } else if (before !== undefined) {
      this.gatewayMachineCount--;
      machines.delete(e.machine);
    }
    this.machinesPeak = Math.max(this.machinesPeak, this.machinesAlive);
    this.pendingPeak = Math.max(this.pendingPeak, this.pending);
  }

  /** A gateway crash forgets its machines without `state` events. */
  private forgetGateway(node: string): void {
    const machines = this.gatewayMachines.get(node);
    if (machines === undefined) return;
    for (const state of machines.values()) {
      if (!C.FINAL_STATES.includes(state)) this.machinesAlive--;
      if (C.PENDING_STATES.includes(state)) this.pending--;
    }
    this.gatewayMachineCount -= machines.size;
    this.gatewayMachines.delete(node);
  }

  /** The metrics so far; `finalAtUs` closes the intervals of addresses still held. */
  finish(finalAtUs = this.lastAtUs): ScenarioMetrics {
    const perClient: ClientMetrics[] = [];
    for (const [name, c] of this.clients) {
      const failures = [...c.failures];
      if (c.addressedAtUs === null && c.connectAtUs !== null) failures.push('never-addressed');
      perClient.push({
        name,
        connectAtUs: c.connectAtUs,
        address: c.address,
        addressedAtUs: c.addressedAtUs,
        lastAddressedAtUs: c.lastAddressedAtUs,
        timeToAddressUs: c.addressedAtUs !== null && c.connectAtUs !== null ? c.addressedAtUs - c.connectAtUs : null,
        timeToFirstDataUs: c.firstDataAtUs !== null && c.connectAtUs !== null ? c.firstDataAtUs - c.connectAtUs : null,
        roundTripsToAddress: c.addressedAtUs !== null ? c.requestsBeforeAddress : null,
        ikeRetransmits: c.ikeRetransmits,
        failures,
      });
    }
    const byReason: Record<string, number> = {};
    for (const [k, v] of [...this.failures].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
      byReason[k] = v.count;
    const never = perClient.filter((c) => c.addressedAtUs === null && c.connectAtUs !== null).length;
    if (never > 0) byReason['never-addressed'] = never;
    // Overlaps: pairs of different clients holding one address when an instant closed (invariants/holdings.ts).
    this.holdings.closeInstant(finalAtUs);
    const overlaps = this.holdings.overlaps;
    const overlapUs = this.holdings.overlapUs + this.holdings.openOverlapUs(finalAtUs);
    const tunnelList = [...this.tunnelTimes.entries()];
    const addressedBy: Record<string, number> = {};
    for (const [key, x] of tunnelList.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (x.addressedAtUs === null) continue;
      const t = key.slice(key.indexOf('|') + 1);
      addressedBy[t] = (addressedBy[t] ?? 0) + 1;
    }
    const tunnelTotal = this.roles.clients.reduce(
      (n, c) => n + Math.max(1, Object.keys(this.roles.tunnelsOf?.[c] ?? {}).length),
      0,
    );
    const held = new Set(perClient.map((c) => c.address).filter((a): a is string => a !== null));
    const n = this.roles.clients.length;
    return {
      clients: n,
      addressed: perClient.filter((c) => c.addressedAtUs !== null).length,
      timeToAddressUs: stat(perClient.flatMap((c) => (c.timeToAddressUs === null ? [] : [c.timeToAddressUs]))),
      timeToFirstDataUs: stat(perClient.flatMap((c) => (c.timeToFirstDataUs === null ? [] : [c.timeToFirstDataUs]))),
      roundTripsToAddress: stat(
        perClient.flatMap((c) => (c.roundTripsToAddress === null ? [] : [c.roundTripsToAddress])),
      ),
      readdressed: [...this.clients.values()].filter((c) => c.readdressUs.length > 0).length,
      timeToReaddressUs: stat([...this.clients.values()].flatMap((c) => c.readdressUs)),
      legs: { clientGateway: { ...this.legs.clientGateway }, gatewayDhcp: { ...this.legs.gatewayDhcp } },
      // DHCP retransmissions: the nodes' `dhcp.retransmit` notes (carriers, proxies) plus repeated plain DHCP.
      retransmits: {
        ike: this.retransmitIke,
        dhcp:
          this.dhcpRetransmitNotes +
          [...this.derivedDhcpRetransmits]
            .filter(([node]) => !this.dhcpRetransmitNoters.has(node))
            .reduce((n, [, v]) => n + v, 0),
      },
      failures: { total: perClient.filter((c) => c.failures.length > 0).length, byReason },
      renewals: { done: this.renewalNotes > 0 ? this.renewalNotes : this.renewalPackets, missed: this.missed },
      misdirected: this.misdirected,
      misdirectedInto: Object.fromEntries([...this.misdirectedInto].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      addressOverlaps: overlaps,
      addressOverlapUs: overlapUs,
      dhcpQueuePeak: this.queueNotePeak,
      homeLease: { ...this.home },
      tunnels: {
        total: tunnelTotal,
        addressed: tunnelList.filter(([, x]) => x.addressedAtUs !== null).length,
        timeToAddressUs: stat(
          tunnelList.flatMap(([, x]) =>
            x.addressedAtUs !== null && x.connectAtUs !== null ? [x.addressedAtUs - x.connectAtUs] : [],
          ),
        ),
        addressedBy,
      },
      relayed: { messages: this.relayedMessages, withOption82: this.relayedWith82 },
      addressesFromDhcp: [...held].filter((a) => this.dhcpAcked.has(a)).length,
      gatewayState: {
        machinesPeak: this.machinesPeak,
        pendingPeak: this.pendingPeak,
        machinesPerClientMilli: n === 0 ? 0 : Math.floor((this.machinesPeak * 1000) / n),
      },
      packets: { sent: this.packetsSent, delivered: this.packetsDelivered, dropped: this.packetsDropped },
      links: this.linkOrder.map((l) => ({ ...l })),
      perClient,
      clientMachines: [...this.clientMachineNames].sort(),
      attacks: this.attackTally.finish(),
    };
  }
}

export function computeMetrics(
  trace: readonly TraceEvent[],
  roles: RunRoles,
  finalAtUs?: number,
  options: MetricsCollectorOptions = {},
): ScenarioMetrics {
  const c = new MetricsCollector(roles, options);
  for (const e of trace) c.add(e);
  return c.finish(finalAtUs);
}
