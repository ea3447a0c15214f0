/**
 * What one lane of the ladder draws, computed from a trace alone (no DOM): one arrow per hop of each packet
 * (sim/ladder.ts groups the events), flags for retransmissions and duplicates, the IKE request/response brackets, and
 * the instants the player can step to.
 */
import { ladderPackets } from '../../sim/ladder.ts';
import type { TraceEvent } from '../../sim/trace.ts';

export interface Arrow {
  /** Unique within the lane: `<packetId>.<hop index>`. */
  readonly key: string;
  readonly packetId: number;
  readonly from: string;
  readonly to: string;
  readonly sentAtUs: number;
  /** Delivery time, or where a drop is drawn (see `dropFraction`). */
  readonly endAtUs: number;
  readonly summary: string;
  readonly outcome: 'delivered' | 'dropped';
  readonly reason?: string;
  /** A dropped arrow stops this far (0–1) towards the receiver, where the ✗ goes. */
  readonly dropFraction: number;
  /** Same IKE / DHCP summary (same Message ID or xid) sent earlier by the same node. */
  readonly retransmit: boolean;
  readonly duplicate: boolean;
  readonly reordered: boolean;
  /** Link the hop crossed, when the trace says. */
  readonly link?: string;
}

export interface Bracket {
  readonly key: string;
  readonly exchange: string;
  readonly messageId: number;
  readonly requester: string;
  readonly responder: string;
  readonly startUs: number;
  readonly endUs: number;
  /** A response was delivered to the requester. */
  readonly complete: boolean;
}

export interface LaneModel {
  readonly nodes: readonly string[];
  readonly arrows: readonly Arrow[];
  readonly brackets: readonly Bracket[];
  /** Sorted, unique: every instant something happened (step targets). */
  readonly timesUs: readonly number[];
  readonly endUs: number;
}

const IKE_SUMMARY = /^([A-Z_]+|\d+) (request|response) #(\d+)\b/;

export function parseIkeSummary(
  summary: string,
): { readonly exchange: string; readonly response: boolean; readonly messageId: number } | undefined {
  const m = IKE_SUMMARY.exec(summary);
  if (!m) return undefined;
  return { exchange: m[1] as string, response: m[2] === 'response', messageId: Number(m[3]) };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export function buildLane(trace: readonly TraceEvent[], nodeOrder: readonly string[] = []): LaneModel {
  const packets = ladderPackets(trace);
  const linkOf = new Map<string, string>();
  const dropAt = new Map<number, number>();
  const times = new Set<number>();
  const seenNodes = new Set<string>();
  for (const e of trace) {
    times.add(e.atUs);
    if ('node' in e) seenNodes.add(e.node);
    if ((e.type === 'deliver' || e.type === 'drop') && e.link !== undefined && e.dir !== undefined)
      linkOf.set(e.dir, e.link);
    if (e.type === 'drop') dropAt.set(e.packetId, e.atUs);
  }
  // Typical one-way delay per direction, to draw where a packet lost at send time would have gone.
  const delays = new Map<string, number[]>();
  for (const p of packets) {
    for (const h of p.hops) {
      if (h.outcome !== 'delivered') continue;
      const dir = `${p.from}→${h.to}`;
      const list = delays.get(dir) ?? [];
      list.push(h.atUs - p.sentAtUs);
      delays.set(dir, list);
    }
  }
  const sentBefore = new Set<string>();
  const arrows: Arrow[] = [];
  for (const p of packets) {
    const signature = `${p.from}\u0000${p.summary}`;
    // Only messages that carry an identifier in their summary (IKE Message ID, DHCP xid) can be told apart from a
    // new message with the same text: a periodic ping repeats its summary without being a retransmission.
    const identified = parseIkeSummary(p.summary) !== undefined || /(^DHCP|DHCP\()/.test(p.summary);
    const retransmit = identified && sentBefore.has(signature);
    sentBefore.add(signature);
    p.hops.forEach((h, i) => {
      const dir = `${p.from}→${h.to}`;
      const dropped = h.outcome === 'dropped';
      // Lost on the way in (node down at delivery) vs. at send (loss, partition, link down, MTU, targeted).
      const atDelivery = dropped && h.atUs > p.sentAtUs;
      const typical = median(delays.get(dir) ?? []);
      const endAtUs = !dropped ? h.atUs : atDelivery ? h.atUs : p.sentAtUs + Math.round(typical / 2);
      arrows.push({
        key: `${p.packetId}.${i}`,
        packetId: p.packetId,
        from: p.from,
        to: h.to,
        sentAtUs: p.sentAtUs,
        endAtUs,
        summary: p.summary,
        outcome: h.outcome,
        ...(h.reason !== undefined ? { reason: h.reason } : {}),
        dropFraction: !dropped ? 1 : atDelivery ? 0.9 : 0.5,
        retransmit,
        duplicate: h.duplicate,
        reordered: h.reordered,
        ...(linkOf.has(dir) ? { link: linkOf.get(dir) as string } : {}),
      });
    });
  }
  const nodes = [...nodeOrder];
  for (const n of seenNodes) if (!nodes.includes(n)) nodes.push(n);
  // A packet lost at send is drawn half-way: that instant is on the axis too.
  for (const a of arrows) times.add(a.endAtUs);
  const timesUs = [...times].sort((a, b) => a - b);
  return { nodes, arrows, brackets: ikeBrackets(arrows), timesUs, endUs: timesUs[timesUs.length - 1] ?? 0 };
}

/** RFC 7296 §1.2: an exchange is a request and its response with the same Message ID. */
export function ikeBrackets(arrows: readonly Arrow[]): Bracket[] {
  const open = new Map<
    string,
    {
      exchange: string;
      messageId: number;
      requester: string;
      responder: string;
      startUs: number;
      endUs: number;
      complete: boolean;
    }
  >();
  const order: string[] = [];
  for (const a of arrows) {
    const ike = parseIkeSummary(a.summary);
    if (!ike || a.duplicate) continue;
    const requester = ike.response ? a.to : a.from;
    const responder = ike.response ? a.from : a.to;
    const key = `${requester}→${responder} ${ike.exchange} #${ike.messageId}`;
    let b = open.get(key);
    if (!b) {
      if (ike.response) continue;
      b = {
        exchange: ike.exchange,
        messageId: ike.messageId,
        requester,
        responder,
        startUs: a.sentAtUs,
        endUs: a.endAtUs,
        complete: false,
      };
      open.set(key, b);
      order.push(key);
    }
    if (b.complete) continue;
    b.endUs = Math.max(b.endUs, a.endAtUs);
    if (ike.response && a.outcome === 'delivered') b.complete = true;
  }
  return order.map((key) => ({ key, ...(open.get(key) as NonNullable<ReturnType<typeof open.get>>) }));
}

/**
 * A lane narrowed to some nodes (compare mode's compact lanes: the clients and the gateway, optionally the DHCP
 * server): the other lifelines go, and with them every arrow that starts or ends on one.
 */
export function narrowLane(lane: LaneModel, keep: ReadonlySet<string>): LaneModel {
  const arrows = lane.arrows.filter((a) => keep.has(a.from) && keep.has(a.to));
  return { ...lane, nodes: lane.nodes.filter((n) => keep.has(n)), arrows, brackets: ikeBrackets(arrows) };
}
