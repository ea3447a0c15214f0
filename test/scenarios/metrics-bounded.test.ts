/** The metrics collector keeps what is in flight and what is alive, not the history of a run. */
import { describe, expect, it } from 'vitest';
import { buildRun } from '../../scenarios/build.ts';
import { loadScenarioOrThrow } from '../../scenarios/load.ts';
import { MetricsCollector } from '../../scenarios/metrics/collect.ts';
import { packetHorizonUs } from '../../scenarios/metrics/packet-horizon.ts';
import { RecentKeys } from '../../scenarios/metrics/recent-keys.ts';
import { runScenario } from '../../scenarios/run.ts';
import { runScenario as runEngine } from '../../sim/run.ts';

describe('RecentKeys', () => {
  it('keeps a key at least one generation and at most two after its last touch', () => {
    const k = new RecentKeys<number>(100);
    k.set('a', 1);
    k.advance(99);
    expect(k.get('a')).toBe(1);
    k.advance(100); // one generation ended: 'a' is in the previous one
    expect(k.get('a')).toBe(1);
    k.set('b', 2);
    k.set('a', 3); // touched: back in the current generation
    k.advance(250); // the generation of 100–199 ended
    expect([k.get('a'), k.get('b'), k.size]).toEqual([3, 2, 2]);
    k.advance(300);
    expect([k.get('a'), k.get('b'), k.size]).toEqual([undefined, undefined, 0]);
    k.set('c', 4);
    k.advance(10_000); // many generations at once
    expect([k.get('c'), k.size]).toEqual([undefined, 0]);
  });
});

describe('MetricsCollector memory', () => {
  it('over a 240 s storm of 40 clients its maps stay bounded by what is in flight and alive', () => {
    const s = loadScenarioOrThrow('storm-1000', { params: { clients: 40 } });
    const built = buildRun(s, { method: 'dhcp-over-ike' });
    const horizonUs = packetHorizonUs(built.input);
    // storm-1000's links: 20 ms latency at most, plus the 1 s margin.
    expect(horizonUs).toBe(1_020_000);
    const collector = new MetricsCollector(built.roles, { packetHorizonUs: horizonUs });
    const peak = { sentPackets: 0, ikeMessages: 0, dhcpMessages: 0, gatewayMachines: 0 };
    const out = runEngine(built.input, {
      seed: built.seed,
      keepEvents: false,
      digest: false,
      onTraceEvent: (e) => {
        collector.add(e);
        const sizes = collector.internalSizes;
        for (const key of Object.keys(peak) as (keyof typeof peak)[]) peak[key] = Math.max(peak[key], sizes[key]);
      },
    });
    const m = collector.finish(out.metrics.finalAtUs);
    // The same figures as the ordinary run's (which adds the method's sizes to them).
    const full = runScenario('storm-1000', { method: 'dhcp-over-ike', params: { clients: 40 } }).metrics;
    expect(full).toMatchObject(m);
    expect(Object.keys(m).every((k) => k in full)).toBe(true);
    expect(m.addressed).toBe(40);
    expect(m.readdressed).toBe(40);
    // Thousands of packets, but at most the ones of a little over a second in the map at once.
    expect(m.packets.sent).toBeGreaterThan(3000);
    expect(peak.sentPackets).toBeLessThan(m.packets.sent / 20);
    // One IKE fingerprint per (sender, IKE SA, request/response) alive in the last 6 to 12 minutes; 40 clients,
    // two IKE SAs each (before and after the restart), the gateway's side of each.
    expect(peak.ikeMessages).toBeLessThanOrEqual(40 * 2 * 4);
    expect(peak.gatewayMachines).toBeLessThanOrEqual(2 * 40);
    // DHCP: a few transactions (xids) per client in the resend window, each with its few distinct messages.
    expect(peak.dhcpMessages).toBeLessThanOrEqual(40 * 4);
    expect(collector.internalSizes.gatewayMachines).toBeLessThanOrEqual(2 * 40);
  });
});
