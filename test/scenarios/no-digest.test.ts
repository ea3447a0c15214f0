/** `digest: false` and the progress hook: the same run, the same metrics; only the digest is missing. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/run.ts';

describe('runScenario without the digest', () => {
  it.each([
    ['basic', 'dhcp-over-ike'],
    ['lossy', 'mode-cfg-dhcp'],
    ['gateway-restart', 'dhcp-over-ipsec'],
  ] as const)('%s with %s: metrics and expectations equal the digest run, traceSha256 is null', (name, method) => {
    const withDigest = runScenario(name, { method, keepTrace: false });
    const without = runScenario(name, { method, keepTrace: false, digest: false });
    expect(without.traceSha256).toBeNull();
    expect(withDigest.traceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(without.metrics).toEqual(withDigest.metrics);
    expect(without.expectations).toEqual(withDigest.expectations);
    expect(without.stop).toEqual(withDigest.stop);
  });

  it('keeps the same events when asked to, and still writes canonical lines for onTraceLine', () => {
    const lines: string[] = [];
    const a = runScenario('basic', { method: 'mode-cfg' });
    const b = runScenario('basic', { method: 'mode-cfg', digest: false, onTraceLine: (l) => lines.push(l) });
    expect(b.trace).toEqual(a.trace);
    expect(lines).toHaveLength(a.trace.length);
  });
});

describe('the beforeRun hook', () => {
  it("is called once with the run's roles before any event (the CLI sizes the heap growth by its clients)", () => {
    const seen: { clients: number; progressSoFar: number }[] = [];
    let progressCalls = 0;
    runScenario('storm-1000', {
      method: 'mode-cfg',
      params: { clients: 3 },
      keepTrace: false,
      digest: false,
      beforeRun: (roles) => void seen.push({ clients: roles.clients.length, progressSoFar: progressCalls }),
      progress: { everyEvents: 5, onProgress: () => void progressCalls++ },
    });
    expect(seen).toEqual([{ clients: 3, progressSoFar: 0 }]);
    expect(progressCalls).toBeGreaterThan(0);
  });
});

describe('the progress hook', () => {
  it('changes nothing: the same digest and metrics in slices of 7 events, called once per full slice', () => {
    const plain = runScenario('lossy', { method: 'dhcp-over-ike', keepTrace: false });
    const seen: { atUs: number; eventsRun: number; addressed: number; clients: number }[] = [];
    const sliced = runScenario('lossy', {
      method: 'dhcp-over-ike',
      keepTrace: false,
      progress: { everyEvents: 7, onProgress: (p) => void seen.push(p) },
    });
    expect(sliced.traceSha256).toBe(plain.traceSha256);
    expect(sliced.metrics).toEqual(plain.metrics);
    expect(sliced.stop).toEqual(plain.stop);
    expect(seen.map((p) => p.eventsRun)).toEqual(
      Array.from({ length: Math.floor((plain.stop.eventsRun - 1) / 7) }, (_, i) => 7 * (i + 1)),
    );
    expect(seen.every((p, i) => i === 0 || p.atUs >= (seen[i - 1]?.atUs ?? 0))).toBe(true);
    expect(seen.at(-1)?.addressed).toBe(plain.metrics.addressed);
    expect(seen[0]?.clients).toBe(plain.metrics.clients);
  });

  it('stops the run when it returns false, and --max-events still bounds a sliced run', () => {
    let calls = 0;
    const stopped = runScenario('lossy', {
      method: 'mode-cfg',
      keepTrace: false,
      progress: { everyEvents: 10, onProgress: () => ++calls < 2 },
    });
    expect(stopped.stop.reason).toBe('stopped');
    expect(stopped.stop.eventsRun).toBe(20);
    const bounded = runScenario('lossy', {
      method: 'mode-cfg',
      keepTrace: false,
      eventsMax: 25,
      progress: { everyEvents: 10, onProgress: () => true },
    });
    const unsliced = runScenario('lossy', { method: 'mode-cfg', keepTrace: false, eventsMax: 25 });
    expect(bounded.stop).toEqual(unsliced.stop);
    expect(bounded.stop).toMatchObject({ reason: 'eventsMax', eventsRun: 25 });
    expect(bounded.traceSha256).toBe(unsliced.traceSha256);
  });
});
