/** Engine metrics of a run: packet counts per link direction and in total. Protocol metrics come from the trace. */
import type { Channel } from './channel.ts';
import type { HostCounters } from './host.ts';
import type { DropReason } from './trace.ts';
import { DROP_REASONS } from './trace.ts';

export interface LinkDirectionMetrics {
  readonly link: string;
  /** `<from node>→<to node>`. */
  readonly dir: string;
  /** Original packets offered to this direction (a segment broadcast counts once per receiver). */
  readonly offered: number;
  readonly bytesOffered: number;
  /** Deliveries, duplicates included. */
  readonly delivered: number;
  readonly bytesDelivered: number;
  readonly duplicated: number;
  readonly reordered: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
}

export interface RunMetrics {
  readonly eventsRun: number;
  /** Virtual time at the end of the run. */
  readonly finalAtUs: number;
  /** Packets encoded and submitted by nodes (sends from crashed nodes and encoder failures excluded). */
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly packetsDelivered: number;
  readonly packetsDuplicated: number;
  /** All drops, per reason (direction drops plus `no-route` and sends from crashed nodes). */
  readonly packetsDropped: Readonly<Record<DropReason, number>>;
  readonly malformedSend: number;
  readonly malformedReceive: number;
  /** Events kept in the trace (0 at level `none`). */
  readonly traceEvents: number;
  /** In direction creation order (p2p links in declaration order, segment pairs on first use). */
  readonly links: readonly LinkDirectionMetrics[];
}

export function collectMetrics(input: {
  readonly eventsRun: number;
  readonly finalAtUs: number;
  readonly channels: readonly Channel[];
  readonly droppedUnrouted: Readonly<Record<DropReason, number>>;
  readonly counters: HostCounters;
  readonly traceEvents: number;
}): RunMetrics {
  const packetsDropped = { ...input.droppedUnrouted } as Record<DropReason, number>;
  let packetsDelivered = 0;
  let packetsDuplicated = 0;
  const links = input.channels.map((ch): LinkDirectionMetrics => {
    packetsDelivered += ch.delivered;
    packetsDuplicated += ch.duplicated;
    for (const r of DROP_REASONS) packetsDropped[r] += ch.dropped[r];
    return {
      link: ch.link.name,
      dir: ch.dir,
      offered: ch.offered,
      bytesOffered: ch.bytesOffered,
      delivered: ch.delivered,
      bytesDelivered: ch.bytesDelivered,
      duplicated: ch.duplicated,
      reordered: ch.reordered,
      dropped: { ...ch.dropped },
    };
  });
  return {
    eventsRun: input.eventsRun,
    finalAtUs: input.finalAtUs,
    packetsSent: input.counters.packetsSent,
    bytesSent: input.counters.bytesSent,
    packetsDelivered,
    packetsDuplicated,
    packetsDropped,
    malformedSend: input.counters.malformedSend,
    malformedReceive: input.counters.malformedReceive,
    traceEvents: input.traceEvents,
    links,
  };
}
