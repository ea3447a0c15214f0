/** Helpers for the DHCP-over-IKE tests: ladder lines, notes, and the DHCP messages the server received (decoded). */
import { fromHex } from '../../../models/wire/bytes.ts';
import type { DhcpMessage } from '../../../models/wire/dhcp/types.ts';
import { packetCodec } from '../../../models/wire/packet.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { formatLadder } from '../../../sim/ladder.ts';

/** The ladder (sim/ladder.ts) with runs of spaces collapsed, so lines read like the drafts' diagrams. */
export function ladderLines(trace: readonly TraceEvent[]): string[] {
  return formatLadder(trace).map((l) => l.trim().replace(/ {2,}/g, ' '));
}

export function noteLines(trace: readonly TraceEvent[], pattern: RegExp): string[] {
  const out: string[] = [];
  for (const e of trace) {
    if (e.type === 'note' && pattern.test(e.text))
      out.push(`${(e.atUs / 1e6).toFixed(3)} ${e.node} ${e.text} ${JSON.stringify(e.data ?? {})}`);
  }
  return out;
}

export function countNotes(trace: readonly TraceEvent[], text: string): number {
  return trace.filter((e) => e.type === 'note' && e.text === text).length;
}

/** DHCP messages sent by `from` to `to`'s address, decoded from the trace's bytes. */
export function dhcpSent(trace: readonly TraceEvent[], from: string, dst: string): DhcpMessage[] {
  const out: DhcpMessage[] = [];
  for (const e of trace) {
    if (e.type !== 'send' || e.node !== from) continue;
    const p = packetCodec.decode(fromHex(e.bytes));
    if (!p.ok || p.value.ip.dst !== dst) continue;
    const pl = p.value.payload;
    if (pl.kind === 'udp' && pl.app.kind === 'dhcp') out.push(pl.app.message);
  }
  return out;
}
