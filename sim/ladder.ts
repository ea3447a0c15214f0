/**
 * The ladder: one line per packet, read from the trace alone — send time, sender → receivers, the summary in RFC
 * notation, and what happened to it on the way (dropped where and why, duplicated, reordered). Used by
 * `npm start`, `dhcpike run --ladder` and the ladder tests, which read like the RFC diagrams.
 */
import type { TraceEvent } from './trace.ts';

export interface LadderHop {
  /** Receiving node. */
  readonly to: string;
  /** `delivered` at `atUs`, or dropped for `reason` (the trace's drop reason). */
  readonly outcome: 'delivered' | 'dropped';
  readonly reason?: string;
  readonly atUs: number;
  /** The copy made by the duplicate step, not the original. */
  readonly duplicate: boolean;
  readonly reordered: boolean;
}

export interface LadderPacket {
  readonly packetId: number;
  readonly sentAtUs: number;
  readonly from: string;
  readonly summary: string;
  readonly hops: LadderHop[];
}

/** Groups the packet events of a trace by packet, in send order. Needs trace level `packets` or `full`. */
export function ladderPackets(trace: readonly TraceEvent[]): LadderPacket[] {
  const packets: LadderPacket[] = [];
  const byId = new Map<number, LadderPacket>();
  // A duplicate's copy has its own id; its hops belong to the original's line.
  const copyOf = new Map<number, number>();
  const find = (packetId: number): { packet: LadderPacket | undefined; duplicate: boolean } => {
    const original = copyOf.get(packetId);
    return { packet: byId.get(original ?? packetId), duplicate: original !== undefined };
  };
  for (const event of trace) {
    switch (event.type) {
      case 'send': {
        const packet: LadderPacket = {
          packetId: event.packetId,
          sentAtUs: event.atUs,
          from: event.node,
          summary: event.summary,
          hops: [],
        };
        byId.set(event.packetId, packet);
        packets.push(packet);
        break;
      }
      case 'duplicate':
        copyOf.set(event.packetId, event.originalId);
        break;
      case 'deliver': {
        const { packet, duplicate } = find(event.packetId);
        packet?.hops.push({
          to: event.node,
          outcome: 'delivered',
          atUs: event.atUs,
          duplicate,
          reordered: event.reordered === true,
        });
        break;
      }
      case 'drop': {
        const { packet, duplicate } = find(event.packetId);
        if (packet === undefined) break;
        // A drop names its direction `from→to` when it happened on a link; `node-down` at delivery names the receiver.
        const to = event.dir?.split('→')[1] ?? (event.node === packet.from ? '?' : event.node);
        packet.hops.push({
          to,
          outcome: 'dropped',
          reason: event.reason,
          atUs: event.atUs,
          duplicate,
          reordered: false,
        });
        break;
      }
      default:
        break;
    }
  }
  return packets;
}

/** Seconds with six decimals, from integer microseconds, without floating point. */
export function formatSeconds(atUs: number): string {
  const secs = Math.floor(atUs / 1_000_000);
  const micros = atUs - secs * 1_000_000;
  return `${secs}.${String(micros).padStart(6, '0')}`;
}

function hopText(hop: LadderHop): string {
  const marks = `${hop.duplicate ? ' (dup)' : ''}${hop.reordered ? ' (reordered)' : ''}`;
  return hop.outcome === 'delivered' ? `${hop.to}${marks}` : `✗${hop.to} [${hop.reason ?? 'dropped'}]${marks}`;
}

/**
 * One line per packet: `   4.000000  client1 → gw  IKE_AUTH request #1 SK{…}` — a drop shows as `client1 ✗ gw`
 * with the reason at the end; a packet reaching several receivers (a broadcast) lists them all.
 */
export function formatLadder(trace: readonly TraceEvent[]): string[] {
  const packets = ladderPackets(trace);
  const rows = packets.map((p) => {
    const delivered = p.hops.filter((h) => h.outcome === 'delivered' && !h.duplicate);
    const arrow = delivered.length > 0 || p.hops.length === 0 ? '→' : '✗';
    const primary = delivered.length > 0 ? delivered : p.hops.filter((h) => !h.duplicate).slice(0, 1);
    const targets = primary.length === 0 ? '(nowhere)' : primary.map((h) => h.to).join(', ');
    const extras = p.hops.filter((h) => !primary.includes(h)).map(hopText);
    const dropped = primary.find((h) => h.outcome === 'dropped');
    const notes = [...(dropped ? [`dropped: ${dropped.reason ?? '?'}`] : []), ...extras];
    return {
      time: formatSeconds(p.sentAtUs),
      route: `${p.from} ${arrow} ${targets}`,
      summary: p.summary + (notes.length > 0 ? `   [${notes.join('; ')}]` : ''),
    };
  });
  const timeWidth = Math.max(0, ...rows.map((r) => r.time.length));
  const routeWidth = Math.max(0, ...rows.map((r) => r.route.length));
  return rows.map((r) => `${r.time.padStart(timeWidth)}  ${r.route.padEnd(routeWidth)}  ${r.summary}`);
}
