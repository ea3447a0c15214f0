/**
 * The invariant checker: reads a run's trace (level `full`) one event at a time and reports every violation of the
 * safety invariants in catalog.ts as it happens (online: a runner may stop at the first one, with the event that broke
 * it), and the liveness invariants at `finish`. `checkInvariants(trace, context)` is the offline form over a whole
 * trace (events or JSON Lines).
 *
 * It reads only the trace: clients' `address.assigned/released` and child notes, servers' `lease.bound/ended/expired`,
 * the gateway's pool and SA notes, IKE headers of `send` events, `state` events and faults. Instant semantics: checks
 * that compare holdings (overlap, lease, TSi) run when an instant closes, so events of one µs never race each other.
 */
import type { TraceEvent } from '../../sim/trace.ts';
import { ipv4ToU32, isIpv4Address } from '../../models/wire/ipv4-address.ts';
import { INVARIANTS, type InvariantId } from './catalog.ts';
import type { AddressScope, InvariantContext, LivenessBounds } from './context.ts';
import { Deadlines } from './deadlines.ts';
import { AddressHoldings, type Holding } from './holdings.ts';
import { IKE_SA_INIT, ikeHeaderOf } from './ike-header.ts';

export interface Violation {
  readonly invariant: InvariantId;
  readonly atUs: number;
  readonly node?: string;
  /** What broke it, one line. */
  readonly detail: string;
  /** The trace event that broke it (absent for liveness judged at the end). */
  readonly event?: TraceEvent;
}

type NoteEvent = Extract<TraceEvent, { type: 'note' }>;

const PRIMARY = 'primary';
/** A state a machine passes through while it waits for a peer; sitting in one past the quiet period is stuck. */
const WAITING_STATE = /^(initSent|authSent|deleting|SELECTING|REQUESTING|REBOOTING|INIT-REBOOT|INIT)$|waiting/i;
/** Events the protocol says a machine must act on: dropping one is a bug (`machine.unhandled`). */
const PROTOCOL_EVENT = /^(net\.|cmd\.|provider\.|dhcp\.recv)/;
/** The DHCP SA of RFC 3456 §4.1 (UDP to/from 68): not a tunnel selector. */
const DHCP_SELECTOR = /\/17:68-68$/;
/** A lease bound this close to the end may still be on its way to its client. */
const ORPHAN_GRACE_US = 10_000_000;

interface RequestSeen {
  maxMessageId: number;
  byMessageId: Map<number, string>;
}

interface ResponseSeen {
  messageId: number;
  hex: string;
  sends: number;
}

function str(d: NoteEvent['data'], k: string): string | undefined {
  const v = d?.[k];
  return v === undefined ? undefined : String(v);
}

function inScopes(address: string, scopes: readonly AddressScope[]): boolean {
  if (!isIpv4Address(address)) return false;
  const a = ipv4ToU32(address);
  return scopes.some((s) => a >= s.firstU32 && a <= s.lastU32);
}

export class InvariantChecker {
  readonly holdings = new AddressHoldings((h) => this.forgetDeadline(h));
  readonly violations: Violation[] = [];
  /** Holdings past the server lease but within the method's structural bound (context.leaseGraceUs). */
  structuralLeaseOverruns = 0;
  /** Overlaps with an adversary where the method structurally cannot refuse lease theft (context.structuralAttacks). */
  structuralTheft = 0;
  /** `attack.tried` notes by kind (that every adversarial kind was exercised shows in the campaign's report). */
  readonly attacksTried = new Map<string, number>();
  private readonly countedOverrun = new Set<string>();
  private instantUs = 0;
  private readonly clients: Set<string>;
  private readonly gateways: Set<string>;
  private readonly servers: Set<string>;
  /** address → until when the enterprise DHCP server leases it. */
  private readonly leases = new Map<string, { untilUs: number; server: string; boundAtUs: number }>();
  /**
   * Each current holding (not yet reported past its lease) keyed by when it is next judged: its lease's end, or that
   * plus the structural grace once counted as an overrun. The earliest of them is the instant `judgeLeases` waits
   * for; kept up to date on every change of a holding, a lease or a holding's report, so it always equals the minimum
   * over every holding without walking them (a storm holds thousands).
   */
  private readonly leaseDeadlines = new Deadlines<Holding>();
  /**
   * Holdings counted as an overrun with no lease for their address (a same-µs re-assignment under one key and
   * start): keyed at −1 + grace above, yet `judgeHolding` reports them whenever leases are judged.
   */
  private readonly unleasedCounted = new Set<Holding>();
  /** Holdings already reported past their lease (one report per holding). */
  private readonly reportedLease = new Set<string>();
  private readonly assignedBy = new Map<string, TraceEvent>();
  private readonly pendingTsi: { key: string; tsi: string; event: NoteEvent }[] = [];
  /** `gateway|address` → acquiring time (mode-cfg pools). */
  private readonly poolHeld = new Map<string, number>();
  private readonly unknownSpiSince = new Map<string, number>();
  private readonly reportedZombie = new Set<string>();
  /** `gateway|peer` → its established IKE SA ids. */
  private readonly saByIdentity = new Map<string, Set<string>>();
  // Per node (a crash forgets one node's entries without walking every node's): IKE SA → …
  private readonly requests = new Map<string, Map<string, RequestSeen>>();
  private readonly responses = new Map<string, Map<string, ResponseSeen>>();
  /** Requests delivered: node → `sa|messageId` → count (the responder's permission to re-send its response). */
  private readonly requestDeliveries = new Map<string, Map<string, number>>();
  /** packetId → `sa|messageId` of an IKE request sent (and of its network duplicates). */
  private readonly requestPackets = new Map<number, string>();
  private readonly stateSince = new Map<string, { state: string; sinceUs: number }>();
  private readonly echoes = new Map<string, number>();
  /** The primary tunnel of each client held an address at some instant at or after the liveness point. */
  private readonly servedAfter = new Set<string>();
  /** address → when its last holding ended (orphan check). */
  private readonly lastHeldUs = new Map<string, number>();
  private finished = false;

  /** From when liveness is judged (the heal plus the quiet period), if it is. */
  private readonly livenessFromUs: number | undefined;

  constructor(readonly context: InvariantContext) {
    const live = context.liveness;
    this.livenessFromUs = live === undefined ? undefined : live.healedAtUs + live.quietUs;
    this.clients = new Set(context.clients);
    this.gateways = new Set(context.gateways);
    this.servers = new Set(context.dhcpServers);
  }

  /** Takes one event; returns the violations it (or the instant it closed) caused. */
  add(e: TraceEvent): Violation[] {
    const before = this.violations.length;
    if (e.atUs > this.instantUs) {
      this.closeInstant();
      this.instantUs = e.atUs;
    }
    switch (e.type) {
      case 'note':
        this.onNote(e);
        break;
      case 'send':
        this.onSend(e);
        break;
      case 'deliver':
        this.onDeliver(e.node, e.packetId);
        break;
      case 'duplicate': {
        const r = this.requestPackets.get(e.originalId);
        if (r !== undefined) this.requestPackets.set(e.packetId, r);
        break;
      }
      case 'state':
        this.stateSince.set(`${e.node}|${e.machine}`, { state: e.to, sinceUs: e.atUs });
        break;
      case 'fault':
        if (e.fault === 'node.crash') this.onCrash(e.detail.replace(/^node /, ''), e.atUs);
        break;
      default:
        break;
    }
    return this.violations.slice(before);
  }

  /** Closes the last instant and judges liveness at `finalAtUs`. Returns every violation of the run. */
  finish(finalAtUs: number): Violation[] {
    if (this.finished) return this.violations;
    this.finished = true;
    this.closeInstant();
    this.instantUs = finalAtUs;
    this.closeInstant();
    const live = this.context.liveness;
    if (live !== undefined) this.judgeLiveness(finalAtUs, live);
    return this.violations;
  }

  private violate(invariant: InvariantId, atUs: number, detail: string, event?: TraceEvent, node?: string): void {
    this.violations.push({
      invariant,
      atUs,
      detail,
      ...(node === undefined ? {} : { node }),
      ...(event === undefined ? {} : { event }),
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Instants

  private closeInstant(): void {
    const t = this.instantUs;
    for (const o of this.holdings.closeInstant(t)) {
      const adversary = this.context.adversaries.has(o.a.client) || this.context.adversaries.has(o.b.client);
      if (adversary && this.context.structuralAttacks.has('lease-theft')) {
        this.structuralTheft++;
        continue;
      }
      const ev = this.assignedBy.get(o.b.key) ?? this.assignedBy.get(o.a.key);
      this.violate(
        'address.unique',
        t,
        `${o.address} held by ${o.a.client} (since ${o.a.fromUs} µs) and ${o.b.client} (since ${o.b.fromUs} µs)`,
        ev,
        o.b.client,
      );
    }
    for (const p of this.pendingTsi.splice(0)) {
      const held = this.holdings.addressOf(p.key);
      for (const sel of p.tsi.split(',')) {
        if (DHCP_SELECTOR.test(sel)) continue;
        if (held === undefined || sel !== `${held}-${held}`)
          this.violate(
            'child.tsiIsAddress',
            t,
            `${p.key.replace('|', ' tunnel ')}: Child SA with TSi ${sel} while holding ${held ?? 'no address'}`,
            p.event,
            p.event.node,
          );
      }
    }
    if (this.context.dhcpLeased && t > this.leaseDeadlines.minUs()) this.judgeLeases(t);
  }

  /**
   * Judges the holdings whose deadline has passed, in the order of `holdings.all()` (creation order), so violations
   * come out as a walk of every holding would give them: a holding whose deadline is still ahead is left alone by
   * `judgeHolding` (its lease lasts, or its overrun is already counted).
   */
  private judgeLeases(t: number): void {
    const due = this.leaseDeadlines.takeBefore(t);
    for (const h of this.unleasedCounted) if (!due.includes(h)) due.push(h);
    due.sort((a, b) => a.seq - b.seq);
    for (const h of due) this.judgeHolding(h, t, t);
    for (const h of due) this.refreshDeadline(h);
  }

  /**
   * One holding at `t`: past its server lease (beyond the method's structural bound) is a violation. `endUs` is when
   * the holding is seen: `t` while it lasts, its release time when it ends between two instants' checks.
   */
  private judgeHolding(h: Holding, t: number, endUs: number): void {
    const id = `${h.key}|${h.fromUs}`;
    if (this.reportedLease.has(id)) return;
    const lease = this.leases.get(h.address);
    const untilUs = lease?.untilUs ?? -1;
    if (untilUs >= endUs) return;
    if (lease !== undefined && untilUs + this.context.leaseGraceUs >= endUs) {
      if (!this.countedOverrun.has(id)) this.structuralLeaseOverruns++;
      this.countedOverrun.add(id);
      return;
    }
    this.reportedLease.add(id);
    this.violate(
      'lease.notPastExpiry',
      t,
      lease === undefined
        ? `${h.client} holds ${h.address}, which no DHCP server leased`
        : `${h.client} holds ${h.address} ${endUs - untilUs} µs after the server's lease ended (at ${untilUs} µs)`,
      this.assignedBy.get(h.key),
      h.client,
    );
  }

  /** Re-keys a current holding after its lease or its report changed. */
  private refreshDeadline(h: Holding): void {
    if (!this.context.dhcpLeased || this.holdings.holdingOf(h.key) !== h) return;
    const id = `${h.key}|${h.fromUs}`;
    if (this.reportedLease.has(id)) {
      this.forgetDeadline(h);
      return;
    }
    const lease = this.leases.get(h.address);
    const untilUs = lease?.untilUs ?? -1;
    const counted = this.countedOverrun.has(id);
    // Inside the structural bound, look again when it ends.
    this.leaseDeadlines.set(h, counted ? untilUs + this.context.leaseGraceUs : untilUs);
    if (counted && lease === undefined) this.unleasedCounted.add(h);
    else this.unleasedCounted.delete(h);
  }

  private forgetDeadline(h: Holding): void {
    this.leaseDeadlines.delete(h);
    this.unleasedCounted.delete(h);
  }

  /** The holders of `address` after its lease changed. */
  private refreshDeadlinesOf(address: string): void {
    if (!this.context.dhcpLeased) return;
    for (const h of this.holdings.holdersOf(address)) this.refreshDeadline(h);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Notes

  private onNote(e: NoteEvent): void {
    const d = e.data;
    const node = e.node;
    switch (e.text) {
      case 'address.assigned': {
        if (!this.clients.has(node)) return;
        const address = str(d, 'address') ?? '';
        const tunnel = str(d, 'tunnel') ?? PRIMARY;
        const key = `${node}|${tunnel}`;
        const before = this.holdings.addressOf(key);
        if (before !== undefined) this.lastHeldUs.set(before, e.atUs);
        this.holdings.hold(node, tunnel, address, e.atUs);
        if (tunnel === PRIMARY && this.livenessFromUs !== undefined && e.atUs >= this.livenessFromUs)
          this.servedAfter.add(node);
        this.assignedBy.set(key, e);
        if (!inScopes(address, this.context.innerScopes))
          this.violate('address.inScope', e.atUs, `${node} holds ${address}, outside the method's scopes`, e, node);
        const h = this.holdings.holdingOf(key);
        if (h !== undefined) this.refreshDeadline(h);
        return;
      }
      case 'address.released': {
        if (!this.clients.has(node)) return;
        const key = `${node}|${str(d, 'tunnel') ?? PRIMARY}`;
        const held = this.holdings.addressOf(key);
        if (held !== undefined) this.lastHeldUs.set(held, e.atUs);
        // A holding that ends between two checks is judged at its end (the release is at `e.atUs`, so a lease that
        // ended at this very instant is kept to, not overrun).
        const h = this.holdings.holdingOf(key);
        if (h !== undefined && this.context.dhcpLeased && e.atUs > this.leaseDeadlines.minUs())
          this.judgeHolding(h, e.atUs, e.atUs);
        if (key === `${node}|${PRIMARY}` && this.livenessFromUs !== undefined && e.atUs >= this.livenessFromUs)
          this.servedAfter.add(node);
        // Its deadline goes with it (the holdings' onEnd).
        this.holdings.unhold(key, e.atUs);
        return;
      }
      case 'client.configured':
      case 'client.childAdded':
      case 'client.childRekeyed': {
        const tsi = str(d, 'tsi');
        if (tsi !== undefined && this.clients.has(node))
          this.pendingTsi.push({ key: `${node}|${str(d, 'tunnel') ?? PRIMARY}`, tsi, event: e });
        return;
      }
      case 'lease.bound': {
        if (!this.servers.has(node)) return;
        const address = str(d, 'address') ?? '';
        const untilUs = Number(d?.['untilUs'] ?? -1);
        if (!inScopes(address, this.context.scopesByNode.get(node) ?? []))
          this.violate('address.inScope', e.atUs, `${node} leased ${address}, outside its pools`, e, node);
        this.leases.set(address, { untilUs, server: node, boundAtUs: e.atUs });
        this.refreshDeadlinesOf(address);
        return;
      }
      case 'lease.ended':
      case 'lease.expired': {
        if (!this.servers.has(node)) return;
        const address = str(d, 'address') ?? '';
        const lease = this.leases.get(address);
        if (lease !== undefined) lease.untilUs = Math.min(lease.untilUs, e.atUs);
        this.refreshDeadlinesOf(address);
        return;
      }
      case 'lease.storeLost':
        for (const [address, lease] of this.leases)
          if (lease.server === node) {
            lease.untilUs = Math.min(lease.untilUs, e.atUs);
            this.refreshDeadlinesOf(address);
          }
        return;
      case 'pool.acquire': {
        const address = str(d, 'address') ?? '';
        if (!inScopes(address, this.context.scopesByNode.get(node) ?? []))
          this.violate('address.inScope', e.atUs, `${node}'s pool handed ${address}, outside the pool`, e, node);
        this.poolHeld.set(`${node}|${address}`, e.atUs);
        return;
      }
      case 'pool.release':
        this.poolHeld.delete(`${node}|${str(d, 'address') ?? ''}`);
        return;
      case 'data.unknownSpi': {
        if (!this.clients.has(node)) return;
        const key = `${node}|${str(d, 'spi') ?? ''}`;
        const since = this.unknownSpiSince.get(key);
        if (since === undefined) this.unknownSpiSince.set(key, e.atUs);
        else if (e.atUs - since > this.context.zombieGraceUs && !this.reportedZombie.has(key)) {
          this.reportedZombie.add(key);
          this.violate(
            'gateway.noZombieSa',
            e.atUs,
            `${node} still receives ESP on SPI ${str(d, 'spi') ?? '?'} ${e.atUs - since} µs after it stopped knowing it`,
            e,
            node,
          );
        }
        return;
      }
      case 'gateway.saUp': {
        const key = `${node}|${str(d, 'peer') ?? ''}`;
        const set = this.saByIdentity.get(key) ?? new Set<string>();
        set.add(str(d, 'ikeSa') ?? '');
        this.saByIdentity.set(key, set);
        if (set.size > this.context.saPerIdentityMax)
          this.violate(
            'gateway.saPerIdentity',
            e.atUs,
            `${node} keeps ${set.size} IKE SAs for ${str(d, 'peer') ?? '?'}`,
            e,
            node,
          );
        return;
      }
      case 'gateway.saClosed':
        this.saByIdentity.get(`${node}|${str(d, 'peer') ?? ''}`)?.delete(str(d, 'ikeSa') ?? '');
        return;
      case 'spd.leaked': {
        const port = Number(d?.['dstPort'] ?? 0);
        if (port === 67 || port === 68)
          this.violate('spd.noClearDhcp', e.atUs, `${node}'s DHCP to port ${port} left in the clear`, e, node);
        return;
      }
      case 'machine.unhandled': {
        const event = str(d, 'event') ?? '';
        if (PROTOCOL_EVENT.test(event))
          this.violate(
            'machine.handled',
            e.atUs,
            `${node} ${str(d, 'machine') ?? '?'} in ${str(d, 'state') ?? '?'} dropped ${event}`,
            e,
            node,
          );
        return;
      }
      case 'attack.tried': {
        const kind = str(d, 'kind') ?? '?';
        this.attacksTried.set(kind, (this.attacksTried.get(kind) ?? 0) + 1);
        return;
      }
      case 'attack.succeeded': {
        const kind = str(d, 'kind') ?? '?';
        if (!this.context.structuralAttacks.has(kind))
          this.violate('attack.refused', e.atUs, `attack ${kind} succeeded (${JSON.stringify(d ?? {})})`, e, node);
        return;
      }
      case 'data.echo':
        if (this.clients.has(node) && str(d, 'tunnel') === undefined) this.echoes.set(node, e.atUs);
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // IKE (RFC 7296 §2.1–2.2)

  private onSend(e: Extract<TraceEvent, { type: 'send' }>): void {
    const h = ikeHeaderOf(e.bytes);
    if (h === undefined || h.exchangeType === IKE_SA_INIT) return;
    const key = h.saKey;
    // A request delivered asks for a response, whoever sent it (a replayed one too) …
    if (!h.response) this.requestPackets.set(e.packetId, `${h.saKey}|${h.messageId}`);
    // … but an adversary is bound by no protocol (a replay re-sends whatever it captured): its sends are not judged.
    if (this.context.adversaries.has(e.node)) return;
    if (!h.response) {
      const requests = ofNode(this.requests, e.node);
      let seen = requests.get(key);
      if (seen === undefined) {
        seen = { maxMessageId: -1, byMessageId: new Map() };
        requests.set(key, seen);
      }
      const earlier = seen.byMessageId.get(h.messageId);
      if (earlier === h.messageHex) return; // a retransmission: the same request, byte for byte
      if (earlier !== undefined || h.messageId <= seen.maxMessageId) {
        this.violate(
          'ike.messageIdIncreases',
          e.atUs,
          `${e.node} sent a new request with message ID ${h.messageId} after ${seen.maxMessageId} on SA ${h.saKey}`,
          e,
          e.node,
        );
      }
      seen.maxMessageId = Math.max(seen.maxMessageId, h.messageId);
      // Window size 1 (RFC 7296 §2.3): only the newest request can be retransmitted; older ones are let go.
      seen.byMessageId.clear();
      seen.byMessageId.set(h.messageId, h.messageHex);
      return;
    }
    const responses = ofNode(this.responses, e.node);
    const last = responses.get(key);
    if (last === undefined || last.messageId !== h.messageId) {
      if (last === undefined || h.messageId > last.messageId)
        responses.set(key, { messageId: h.messageId, hex: h.messageHex, sends: 1 });
      return;
    }
    if (last.hex !== h.messageHex) {
      this.violate(
        'ike.cachedResponse',
        e.atUs,
        `${e.node} answered message ID ${h.messageId} on SA ${h.saKey} with different bytes the second time`,
        e,
        e.node,
      );
      return;
    }
    last.sends++;
    const delivered = this.requestDeliveries.get(e.node)?.get(`${h.saKey}|${h.messageId}`) ?? 0;
    if (last.sends > delivered)
      this.violate(
        'ike.onlyInitiatorRetransmits',
        e.atUs,
        `${e.node} re-sent its response to message ID ${h.messageId} ${last.sends} times for ${delivered} request(s) received`,
        e,
        e.node,
      );
  }

  private onDeliver(node: string, packetId: number): void {
    const r = this.requestPackets.get(packetId);
    if (r === undefined) return;
    const deliveries = ofNode(this.requestDeliveries, node);
    deliveries.set(r, (deliveries.get(r) ?? 0) + 1);
  }

  private onCrash(node: string, atUs: number): void {
    if (this.clients.has(node)) this.holdings.unholdClient(node, atUs);
    // A crashed node forgets its IKE SAs, its response cache and its pool: what it sends after is a new life.
    this.requests.delete(node);
    this.responses.delete(node);
    this.requestDeliveries.delete(node);
    if (this.gateways.has(node)) {
      for (const key of [...this.poolHeld.keys()]) if (key.startsWith(`${node}|`)) this.poolHeld.delete(key);
      for (const key of [...this.saByIdentity.keys()]) if (key.startsWith(`${node}|`)) this.saByIdentity.delete(key);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Liveness (after the heal and the quiet period)

  private judgeLiveness(finalAtUs: number, live: LivenessBounds): void {
    const fromUs = live.healedAtUs + live.quietUs;
    const wanted = live.wanted;
    // Clients the scopes cannot serve may go without (the pool is smaller than the demand): only the shortfall beyond
    // that is a liveness failure.
    // Eventually served: holding an address at some instant of the observation window (at its start, or assigned or
    // released within it). A method that re-addresses periodically (a lease the gateway cannot renew, the SA
    // deleted and set up again) is served even when the run ends inside a gap.
    const served = (c: string): boolean =>
      this.servedAfter.has(c) || this.holdings.addressOf(`${c}|${PRIMARY}`) !== undefined;
    const unaddressed = wanted.filter((c) => !served(c));
    const excused = Math.max(0, wanted.length - live.capacity);
    if (unaddressed.length > excused)
      for (const client of unaddressed)
        this.violate(
          'live.addressed',
          finalAtUs,
          `${client} held no address after ${fromUs} µs (${unaddressed.length} of ${wanted.length} unserved, scopes hold ${live.capacity})`,
          undefined,
          client,
        );
    // Each client's machines in the order their first state was traced (node names hold no `|`).
    const statesOf = new Map<string, [string, { state: string; sinceUs: number }][]>();
    for (const entry of this.stateSince) {
      const node = entry[0].slice(0, entry[0].indexOf('|'));
      const list = statesOf.get(node);
      if (list === undefined) statesOf.set(node, [entry]);
      else list.push(entry);
    }
    for (const client of wanted) {
      if (served(client) && live.dataExpected && (this.echoes.get(client) ?? -1) < fromUs)
        this.violate(
          'live.dataFlows',
          finalAtUs,
          `${client} (${this.holdings.addressOf(`${client}|${PRIMARY}`) ?? 'between addresses'}) got no echo reply after ${fromUs} µs`,
          undefined,
          client,
        );
      for (const [key, s] of statesOf.get(client) ?? []) {
        if (!WAITING_STATE.test(s.state)) continue;
        if (s.sinceUs <= fromUs)
          this.violate(
            'live.notWaiting',
            finalAtUs,
            `${key.replace('|', ' ')} has been in ${s.state} since ${s.sinceUs} µs`,
            undefined,
            client,
          );
      }
    }
    for (const [key, sinceUs] of this.poolHeld) {
      const address = key.slice(key.indexOf('|') + 1);
      if (sinceUs < fromUs && !this.holdings.isHeld(address))
        this.violate('live.noOrphan', finalAtUs, `${key.replace('|', "'s pool keeps ")} for nobody`, undefined);
    }
    // Renewed for nobody: bound in the window, well before the end (a client may be on its way to it), and nobody has
    // held the address since.
    for (const [address, lease] of this.leases) {
      const unheldSince = !this.holdings.isHeld(address) && (this.lastHeldUs.get(address) ?? -1) < lease.boundAtUs;
      if (
        lease.boundAtUs >= fromUs &&
        lease.boundAtUs < finalAtUs - ORPHAN_GRACE_US &&
        lease.untilUs > finalAtUs &&
        unheldSince
      )
        this.violate(
          'live.noOrphan',
          finalAtUs,
          `${lease.server} renewed ${address} at ${lease.boundAtUs} µs for nobody`,
          undefined,
        );
    }
  }
}

/** `node`'s entries in a per-node map, made on first use. */
function ofNode<V>(byNode: Map<string, Map<string, V>>, node: string): Map<string, V> {
  let map = byNode.get(node);
  if (map === undefined) {
    map = new Map();
    byNode.set(node, map);
  }
  return map;
}

/** Offline: every violation in a whole trace (events, or canonical JSON Lines as `dhcpike run --trace` writes). */
export function checkInvariants(
  trace: readonly TraceEvent[] | string,
  context: InvariantContext,
  finalAtUs?: number,
): Violation[] {
  const checker = new InvariantChecker(context);
  let last = 0;
  const take = (e: TraceEvent): void => {
    last = e.atUs;
    checker.add(e);
  };
  if (typeof trace === 'string') {
    for (const line of trace.split('\n')) if (line.trim() !== '') take(JSON.parse(line) as TraceEvent);
  } else for (const e of trace) take(e);
  return checker.finish(finalAtUs ?? last);
}

/** One line per violation: `invariant at t µs [node]: detail (statement; source)`. */
export function formatViolation(v: Violation): string {
  const spec = INVARIANTS[v.invariant];
  return `${v.invariant} at ${v.atUs} µs${v.node === undefined ? '' : ` [${v.node}]`}: ${v.detail} — ${spec.statement} (${spec.source})`;
}
