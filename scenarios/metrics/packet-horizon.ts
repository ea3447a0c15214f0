/**
 * How long a packet can be in flight: an upper bound on (delivery or delivery-time drop) − send over every link
 * direction of a run, so the metrics collector can forget a packet once it can no longer arrive. Conservative: the
 * largest latency, jitter and reorder delay of any profile (links, per-direction profiles and `link.profile` faults)
 * are summed, plus the longest a bandwidth queue can hold a packet, plus a margin. A link with a bandwidth but no
 * byte bound on its queue gives a horizon of a full queue of 64 KiB datagrams: practically "never forget".
 */
import type { LinkProfile } from '../../sim/link-profile.ts';
import { MTU_BYTES_DEFAULT, QUEUE_PACKETS_MAX_DEFAULT } from '../../sim/link-profile.ts';
import type { RunInput } from '../../sim/run.ts';

/** Added to the bound: the collector forgets a packet this much later than it could possibly arrive. */
export const PACKET_HORIZON_MARGIN_US = 1_000_000;

/** The longest a profile's bandwidth queue can delay a packet (µs), 0 without a bandwidth. */
function queueDelayMaxUs(p: LinkProfile): number {
  const bps = p.bandwidthBps ?? 0;
  if (bps <= 0) return 0;
  const mtu = p.mtuBytes ?? MTU_BYTES_DEFAULT;
  const bytes = Math.min(p.queueBytesMax ?? Infinity, (p.queuePacketsMax ?? QUEUE_PACKETS_MAX_DEFAULT) * mtu) + mtu;
  return Math.ceil((bytes * 8 * 1_000_000) / bps);
}

/** An upper bound on any packet's time in flight in this run, in µs (may be Infinity). */
export function packetHorizonUs(input: RunInput): number {
  const profiles: LinkProfile[] = [];
  for (const link of input.links) {
    if (link.profile) profiles.push(link.profile);
    if (link.kind === 'p2p') {
      if (link.aToB) profiles.push(link.aToB);
      if (link.bToA) profiles.push(link.bToA);
    } else {
      for (const p of Object.values(link.profiles ?? {})) profiles.push(p);
    }
  }
  for (const f of input.faults ?? []) if (f.type === 'link.profile') profiles.push(f.profile);
  let latency = 0;
  let jitter = 0;
  let reorder = 0;
  let queue = 0;
  for (const p of profiles) {
    latency = Math.max(latency, p.latencyUs ?? 0);
    jitter = Math.max(jitter, p.jitterUs ?? 0);
    reorder = Math.max(reorder, p.reorderExtraDelayUs ?? 0);
    queue = Math.max(queue, queueDelayMaxUs(p));
  }
  return latency + jitter + reorder + queue + PACKET_HORIZON_MARGIN_US;
}
