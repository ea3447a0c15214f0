/** What the Export buttons write: the trace as canonical JSON Lines, a pcap of every sent packet, the ladder SVG. */
import { writePcap } from '../../models/wire/pcap/write.ts';
import { toJsonl } from '../../sim/trace-jsonl.ts';
import type { TraceEvent } from '../../sim/trace.ts';

export function traceJsonl(trace: readonly TraceEvent[]): string {
  return toJsonl(trace);
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** One record per `send` event, stamped with its virtual time (LINKTYPE_RAW IPv4). */
export function tracePcap(trace: readonly TraceEvent[]): Uint8Array {
  const records = trace.flatMap((e) =>
    e.type === 'send' ? [{ timestampUs: e.atUs, ipv4Bytes: hexToBytes(e.bytes) }] : [],
  );
  return writePcap(records);
}
