/**
 * The clients a user picks from a large run, drawn as lifelines: the part of the trace that concerns them (every hop
 * of each packet they sent or that was addressed to them, their machines' state changes, notes, commands, timers and
 * the run's faults), in trace order, so the ladder and the State panel read it as any trace.
 */
import type { TraceEvent } from '../../sim/trace.ts';

/** How many clients are drawn as lifelines when a large run opens. */
export const PICKS_DEFAULT = 3;
/** At most this many lifelines from a large run (a ladder past this is the view the aggregate replaces). */
export const PICKS_MAX = 12;

/** `a→b` → [a, b]. */
function ends(dir: string | undefined): readonly string[] {
  return dir === undefined ? [] : dir.split('→');
}

export function tracePicks(trace: readonly TraceEvent[], clients: readonly string[]): TraceEvent[] {
  const picked = new Set(clients);
  if (picked.size === 0) return trace.filter((e) => e.type === 'fault');
  const packets = new Set<number>();
  for (const e of trace) {
    switch (e.type) {
      case 'send':
        if (picked.has(e.node)) packets.add(e.packetId);
        break;
      case 'deliver':
      case 'drop':
        if (picked.has(e.node) || ends(e.dir).some((n) => picked.has(n))) packets.add(e.packetId);
        break;
      case 'duplicate':
        if (ends(e.dir).some((n) => picked.has(n))) packets.add(e.packetId).add(e.originalId);
        break;
      default:
        break;
    }
  }
  return trace.filter((e) => {
    switch (e.type) {
      case 'send':
      case 'deliver':
      case 'drop':
        return packets.has(e.packetId);
      case 'duplicate':
        return packets.has(e.packetId) || packets.has(e.originalId);
      case 'malformed':
        return picked.has(e.node) || (e.packetId !== undefined && packets.has(e.packetId));
      case 'fault':
        return true;
      default:
        return picked.has(e.node);
    }
  });
}
