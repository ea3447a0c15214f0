/**
 * The runner plumbing the lab's worker uses (web/runner.ts): a run with a progress hook has the same digest as one
 * without (the hook only slices the engine loop, scenarios/run.ts), the hook sees virtual time advance towards the
 * run's duration, returning false stops the run; `clientsOf` counts a request's clients with its parameters applied.
 */
import { describe, expect, it } from 'vitest';
import { labRunner, type LabProgress } from '../../web/runner.ts';

describe('runner plumbing for large runs', () => {
  it('same digest with and without the progress hook; progress moves towards the duration', () => {
    const request = { scenario: 'lossy', method: 'mode-cfg', seed: 3 };
    const plain = labRunner.run(request);
    const seen: LabProgress[] = [];
    const hooked = labRunner.run(request, { everyEvents: 50, onProgress: (p) => void seen.push(p) });
    expect(hooked.traceSha256).toBe(plain.traceSha256);
    expect(hooked.result.stop.reason).toBe(plain.result.stop.reason);
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) {
      expect((seen[i] as LabProgress).atUs).toBeGreaterThanOrEqual((seen[i - 1] as LabProgress).atUs);
      expect((seen[i] as LabProgress).eventsRun).toBe((i + 1) * 50);
    }
    const last = seen.at(-1) as LabProgress;
    expect(last.durationUs).toBe(plain.metrics.durationUs);
    expect(last.atUs).toBeLessThanOrEqual(last.durationUs);
    expect(last.clients).toBe(10);
    expect(last.addressed).toBeLessThanOrEqual(10);
  });

  it('a hook returning false stops the run', () => {
    const r = labRunner.run(
      { scenario: 'lossy', method: 'mode-cfg', seed: 3 },
      { everyEvents: 50, onProgress: () => false },
    );
    expect(r.result.stop.reason).toBe('stopped');
    expect(r.result.stop.eventsRun).toBe(50);
  });

  it('counts the clients of a request, parameters applied', () => {
    expect(labRunner.clientsOf({ scenario: 'basic', method: 'dhcp-over-ike' })).toBe(1);
    expect(labRunner.clientsOf({ scenario: 'storm-1000', method: 'mode-cfg' })).toBe(1000);
    expect(labRunner.clientsOf({ scenario: 'storm-1000', method: 'mode-cfg', params: { clients: '60' } })).toBe(60);
    expect(labRunner.clientsOf({ scenario: 'no-such-scenario', method: 'mode-cfg' })).toBe(0);
  });
});
