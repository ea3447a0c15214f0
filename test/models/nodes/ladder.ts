/** Reads a trace as ladder lines: `t=<seconds> from → to: summary` for every delivered packet. */
import type { TraceEvent } from '../../../sim/index.ts';

export function secs(us: number): string {
  return (us / 1_000_000).toFixed(3);
}

export function ladder(trace: readonly TraceEvent[]): string[] {
  const out: string[] = [];
  for (const e of trace) {
    if (e.type === 'deliver') out.push(`${secs(e.atUs)} ${e.dir}: ${e.summary}`);
  }
  return out;
}

export function notes(trace: readonly TraceEvent[], text: string): Extract<TraceEvent, { type: 'note' }>[] {
  return trace.filter((e): e is Extract<TraceEvent, { type: 'note' }> => e.type === 'note' && e.text === text);
}

export function sends(
  trace: readonly TraceEvent[],
  node: string,
  contains: string,
): Extract<TraceEvent, { type: 'send' }>[] {
  return trace.filter(
    (e): e is Extract<TraceEvent, { type: 'send' }> =>
      e.type === 'send' && e.node === node && e.summary.includes(contains),
  );
}
