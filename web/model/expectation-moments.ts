/**
 * Where on the timeline a scenario's expectation was decided, so the ✓/✗ strip can move the cursor there:
 * `all clients addressed by N ms` — the last client's address when met, the deadline when missed; a ladder prefix —
 * the first packet that differs (or the last one it checked); an overlap or a metric — the end of the run (they are
 * judged over the whole run).
 */
import type { ExpectationResult, RunScenarioMetrics } from '../../scenarios/browser.ts';
import type { TraceEvent } from '../../sim/trace.ts';

export function decidedAtUs(
  e: ExpectationResult,
  metrics: RunScenarioMetrics,
  trace: readonly TraceEvent[],
  endUs: number,
): number {
  const by = /^all clients addressed by (\d+(?:\.\d+)?) ms$/.exec(e.expectation);
  if (by !== null) {
    if (!e.ok) return Math.round(Number(by[1]) * 1000);
    const times = metrics.perClient.map((c) => c.addressedAtUs ?? 0);
    return times.length === 0 ? 0 : Math.max(...times);
  }
  const ladder = /^ladder starts with (\d+) line/.exec(e.expectation);
  if (ladder !== null) {
    const line = e.ok ? Number(ladder[1]) : Number(/^line (\d+)/.exec(e.detail)?.[1] ?? 1);
    const sends = trace.filter((t) => t.type === 'send');
    return sends[Math.max(0, Math.min(sends.length - 1, line - 1))]?.atUs ?? endUs;
  }
  return endUs;
}
