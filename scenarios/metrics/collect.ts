/**
 * Scenario metrics: a pure function of the trace (level `full`) and the run's roles. `MetricsCollector` takes events
 * one at a time, so a long run need not keep them; `computeMetrics(trace, roles)` is the one-shot form. All arithmetic
 * on integer µs; percentiles by nearest rank (stats.ts).
 */
import type { TraceEvent } from '../../sim/trace.ts';
import type { RunRoles } from '../build.ts';
import * as C from './conventions.ts';
import { stat, type Stat } from './stats.ts';

export interface ClientMetrics {
  readonly name: string;
  /** First `connect` command; null when never told to connect. */
  readonly connectAtUs: number | null;
  readonly address: string | null;
  readonly addressedAtUs: number | null;
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
  readonly renewals: { readonly done: number; readonly missed: number };
  readonly misdirected: number;
  readonly addressOverlaps: number;
  readonly dhcpQueuePeak: number;
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
}

interface ClientState {
  connectAtUs: number | null;
  address: string | null;
  addressedAtUs: number | null;
  firstDataAtUs: number | null;
  requestsBeforeAddress: number;
  ikeRetransmits: number;
  failures: string[];
  /** Current holding interval. */
  holding: { address: string; fromUs: number } | null;
  /** Set by a close; the next address after it is a re-address. */
  closedAtUs: number | null;
  readdressUs: number[];
}

function noteReason(e: Extract<TraceEvent, { type: 'note' }>): string {
  const d = e.data ?? {};
  const r = d['reason'] ?? d['notify'] ?? d['exchange'];
  return r === undefined ? e.text : `${e.text}:${String(r)}`;
}

export class MetricsCollector {
  private readonly clients = new Map<string, ClientState>();
  private readonly isGateway: Set<string>;
  private readonly isDhcp: Map<string, { serviceUs: number; queueMax: number }>;
  private readonly seenBytes = new Set<string>();
  private readonly seenDhcp = new Set<string>();
  private readonly sent = new Map<number, { node: string; length: number; summary: string }>();
  private readonly links = new Map<
    string,
    { link: string; dir: string; messages: number; bytes: number; dropped: number }
  >();
  private readonly legs = {
    clientGateway: { messages: 0, bytes: 0, roundTrips: 0 },
    gatewayDhcp: { messages: 0, bytes: 0, roundTrips: 0 },
  };
  private retransmitIke = 0;
  private retransmitDhcp = 0;
  private readonly failures = new Map<string, number>();
  private renewalNotes = 0;
  private renewalPackets = 0;
  private missed = 0;
  private misdirected = 0;
  private readonly intervals = new Map<string, { client: string; fromUs: number; toUs: number }[]>();
  private queueNotePeak = 0;
  private readonly queueDepartures = new Map<string, number[]>();
  private queueDerivedPeak = 0;
  private relayedMessages = 0;
  private relayedWith82 = 0;
  private readonly dhcpAcked = new Set<string>();
  private readonly gatewayMachines = new Map<string, string>();
  private machinesAlive = 0;
  private machinesPeak = 0;
  private pending = 0;
  private pendingPeak = 0;
  private readonly clientMachineNames = new Set<string>();
  private packetsSent = 0;
  private packetsDelivered = 0;
  private packetsDropped = 0;
  private lastAtUs = 0;

  constructor(private readonly roles: RunRoles) {
    for (const c of roles.clients) {
      this.clients.set(c, {
        connectAtUs: null,
        address: null,
        addressedAtUs: null,
        firstDataAtUs: null,
        requestsBeforeAddress: 0,
        ikeRetransmits: 0,
        failures: [],
        holding: null,
        closedAtUs: null,
        readdressUs: [],
      });
    }
    this.isGateway = new Set(roles.gateways);
    this.isDhcp = new Map(roles.dhcpServers.map((d) => [d.name, d]));
  }

  add(e: TraceEvent): void {
    this.lastAtUs = e.atUs;
    switch (e.type) {
      case 'command':
        if (e.command === 'cmd.connect') {
          const c = this.clients.get(e.node);
          if (c && c.connectAtUs === null) c.connectAtUs = e.atUs;
        }
        return;
      case 'send':
        this.onSend(e);
        return;
      case 'deliver':
        this.packetsDelivered++;
        this.onHop(e.link, e.dir, e.packetId, false);
        this.onDeliver(e);
        return;
      case 'drop':
        this.packetsDropped++;
        if (e.link !== undefined && e.dir !== undefined) this.onHop(e.link, e.dir, e.packetId, true);
        return;
      case 'note':
        this.onNote(e);
        return;
      case 'state':
        this.onState(e);
        return;
      case 'fault':
        if (e.fault === 'node.crash') {
          const node = e.detail.replace(/^node /, '');
          if (this.isGateway.has(node)) this.forgetGateway(node);
          else this.release(node, e.atUs);
        }
        return;
      default:
        return;
    }
  }

  private onSend(e: Extract<TraceEvent, { type: 'send' }>): void {
    this.packetsSent++;
    this.sent.set(e.packetId, { node: e.node, length: e.length, summary: e.summary });
    const ike = C.IKE_SUMMARY.exec(e.summary);
    const client = this.clients.get(e.node);
    if (ike !== null) {
      const key = `${e.node}|${e.bytes}`;
      const again = this.seenBytes.has(key);
      this.seenBytes.add(key);
      if (again) {
        this.retransmitIke++;
        if (client) client.ikeRetransmits++;
      } else if (client && ike[2] === 'request') {
        this.legs.clientGateway.roundTrips++;
        if (client.addressedAtUs === null) client.requestsBeforeAddress++;
      }
      if (client || this.isGateway.has(e.node)) {
        this.legs.clientGateway.messages++;
        this.legs.clientGateway.bytes += e.length;
      }
      return;
    }
    const dhcp = C.DHCP_SUMMARY.exec(e.summary);
    if (dhcp !== null) {
      const key = `${e.node}|${e.summary}`;
      const again = this.seenDhcp.has(key);
      this.seenDhcp.add(key);
      if (again) this.retransmitDhcp++;
      const fromGateway = this.isGateway.has(e.node);
      if (fromGateway || this.isDhcp.has(e.node)) {
        this.legs.gatewayDhcp.messages++;
        this.legs.gatewayDhcp.bytes += e.length;
      }
      if (fromGateway) {
        this.relayedMessages++;
        if (C.RELAY_OPTION_82.test(e.summary)) this.relayedWith82++;
        if (!again) this.legs.gatewayDhcp.roundTrips++;
      }
    }
  }

  private onHop(link: string, dir: string, packetId: number, dropped: boolean): void {
    const key = `${link}|${dir}`;
    let m = this.links.get(key);
    if (m === undefined) {
      m = { link, dir, messages: 0, bytes: 0, dropped: 0 };
      this.links.set(key, m);
    }
    m.messages++;
    m.bytes += this.sent.get(packetId)?.length ?? 0;
    if (dropped) m.dropped++;
  }

  private onDeliver(e: Extract<TraceEvent, { type: 'deliver' }>): void {
    // DHCP ACKs name the address a DHCP server handed out (plain, or inside IKE).
    const plain = C.DHCP_SUMMARY.exec(e.summary);
    if (plain?.[1] === 'ACK') {
      const addr = /^DHCPACK (\d+\.\d+\.\d+\.\d+)/.exec(e.summary)?.[1];
      if (addr) this.dhcpAcked.add(addr);
    }
    const client = this.clients.get(e.node);
    // A renewal: an ACK in a CREATE_CHILD_SA response to a client that already has its address (draft-richardson §2).
    if (
      client &&
      client.addressedAtUs !== null &&
      /CREATE_CHILD_SA response/.test(e.summary) &&
      C.DHCP_IN_IKE.exec(e.summary)?.[1] === 'ACK'
    )
      this.renewalPackets++;
    const server = this.isDhcp.get(e.node);
    if (server && plain !== null) {
      // The server is a FIFO served one message per serviceUs (models/dhcp/server-machine.ts).
      const deps = this.queueDepartures.get(e.node) ?? [];
      const live = deps.filter((d) => d > e.atUs);
      const start = Math.max(e.atUs, live.length > 0 ? (live[live.length - 1] as number) : e.atUs);
      if (live.length < server.queueMax) live.push(start + server.serviceUs);
      this.queueDepartures.set(e.node, live);
      this.queueDerivedPeak = Math.max(this.queueDerivedPeak, live.filter((d) => d > e.atUs).length);
    }
  }

  private hold(client: string, address: string, atUs: number): void {
    const c = this.clients.get(client);
    if (!c) return;
    if (c.holding?.address === address) return;
    this.release(client, atUs);
    c.holding = { address, fromUs: atUs };
  }

  private release(client: string, atUs: number): void {
    const c = this.clients.get(client);
    if (!c?.holding) return;
    const list = this.intervals.get(c.holding.address) ?? [];
    list.push({ client, fromUs: c.holding.fromUs, toUs: atUs });
    this.intervals.set(c.holding.address, list);
    c.holding = null;
  }

  private onNote(e: Extract<TraceEvent, { type: 'note' }>): void {
    const c = this.clients.get(e.node);
    const d = e.data ?? {};
    if (e.text === C.NOTE_CONFIGURED || e.text === C.NOTE_IFACE_ADDRESS) {
      const address = String(d['address'] ?? 'none');
      if (c && address !== 'none' && address !== '' && address !== '0.0.0.0') {
        if (c.addressedAtUs === null) {
          c.addressedAtUs = e.atUs;
          c.address = address;
        } else if (c.closedAtUs !== null) {
          c.readdressUs.push(e.atUs - c.closedAtUs);
        }
        c.closedAtUs = null;
        this.hold(e.node, address, e.atUs);
      } else if (c) this.release(e.node, e.atUs);
      return;
    }
    if (e.text === C.NOTE_CLOSED) {
      this.release(e.node, e.atUs);
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
    else if (e.text === C.NOTE_LEASE_EXPIRED && d['was'] === 'bound') this.missed++;
    else if (C.MISDIRECTED_NOTES.includes(e.text)) this.misdirected++;
    else if (e.text === C.NOTE_DHCP_QUEUE && typeof d['length'] === 'number')
      this.queueNotePeak = Math.max(this.queueNotePeak, d['length']);
  }

  private fail(node: string, reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    this.clients.get(node)?.failures.push(reason);
  }

  private onState(e: Extract<TraceEvent, { type: 'state' }>): void {
    if (this.clients.has(e.node)) {
      this.clientMachineNames.add(e.machine);
      return;
    }
    if (!this.isGateway.has(e.node) || !C.GATEWAY_MACHINE_PREFIXES.some((p) => e.machine.startsWith(p))) return;
    const key = `${e.node}|${e.machine}`;
    const before = this.gatewayMachines.get(key);
    const wasAlive = before !== undefined && !C.FINAL_STATES.includes(before);
    const isAlive = !C.FINAL_STATES.includes(e.to);
    this.machinesAlive += (isAlive ? 1 : 0) - (wasAlive ? 1 : 0);
    this.pending +=
      (C.PENDING_STATES.includes(e.to) ? 1 : 0) - (before !== undefined && C.PENDING_STATES.includes(before) ? 1 : 0);
    this.gatewayMachines.set(key, e.to);
    this.machinesPeak = Math.max(this.machinesPeak, this.machinesAlive);
    this.pendingPeak = Math.max(this.pendingPeak, this.pending);
  }

  /** A gateway crash forgets its machines without `state` events. */
  private forgetGateway(node: string): void {
    for (const [key, state] of this.gatewayMachines) {
      if (!key.startsWith(`${node}|`)) continue;
      if (!C.FINAL_STATES.includes(state)) this.machinesAlive--;
      if (C.PENDING_STATES.includes(state)) this.pending--;
      this.gatewayMachines.delete(key);
    }
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
        timeToAddressUs: c.addressedAtUs !== null && c.connectAtUs !== null ? c.addressedAtUs - c.connectAtUs : null,
        timeToFirstDataUs: c.firstDataAtUs !== null && c.connectAtUs !== null ? c.firstDataAtUs - c.connectAtUs : null,
        roundTripsToAddress: c.addressedAtUs !== null ? c.requestsBeforeAddress : null,
        ikeRetransmits: c.ikeRetransmits,
        failures,
      });
    }
    const byReason: Record<string, number> = {};
    for (const [k, v] of [...this.failures].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) byReason[k] = v;
    const never = perClient.filter((c) => c.addressedAtUs === null && c.connectAtUs !== null).length;
    if (never > 0) byReason['never-addressed'] = never;
    // Overlaps: pairs of different clients holding one address over intersecting intervals.
    const intervals = new Map([...this.intervals].map(([a, l]) => [a, [...l]]));
    for (const [name, c] of this.clients) {
      if (!c.holding) continue;
      const list = intervals.get(c.holding.address) ?? [];
      list.push({ client: name, fromUs: c.holding.fromUs, toUs: finalAtUs + 1 });
      intervals.set(c.holding.address, list);
    }
    let overlaps = 0;
    for (const list of intervals.values()) {
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i] as { client: string; fromUs: number; toUs: number };
          const b = list[j] as { client: string; fromUs: number; toUs: number };
          if (a.client !== b.client && a.fromUs < b.toUs && b.fromUs < a.toUs) overlaps++;
        }
    }
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
      retransmits: { ike: this.retransmitIke, dhcp: this.retransmitDhcp },
      failures: { total: perClient.filter((c) => c.failures.length > 0).length, byReason },
      renewals: { done: this.renewalNotes > 0 ? this.renewalNotes : this.renewalPackets, missed: this.missed },
      misdirected: this.misdirected,
      addressOverlaps: overlaps,
      dhcpQueuePeak: Math.max(this.queueNotePeak, this.queueDerivedPeak),
      relayed: { messages: this.relayedMessages, withOption82: this.relayedWith82 },
      addressesFromDhcp: [...held].filter((a) => this.dhcpAcked.has(a)).length,
      gatewayState: {
        machinesPeak: this.machinesPeak,
        pendingPeak: this.pendingPeak,
        machinesPerClientMilli: n === 0 ? 0 : Math.floor((this.machinesPeak * 1000) / n),
      },
      packets: { sent: this.packetsSent, delivered: this.packetsDelivered, dropped: this.packetsDropped },
      links: [...this.links.values()].map((l) => ({ ...l })),
      perClient,
      clientMachines: [...this.clientMachineNames].sort(),
    };
  }
}

export function computeMetrics(trace: readonly TraceEvent[], roles: RunRoles, finalAtUs?: number): ScenarioMetrics {
  const c = new MetricsCollector(roles);
  for (const e of trace) c.add(e);
  return c.finish(finalAtUs);
}
