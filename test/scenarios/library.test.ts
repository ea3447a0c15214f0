import { describe, expect, it } from 'vitest';
import { buildRun } from '../../scenarios/build.ts';
import { libraryNames, loadScenario } from '../../scenarios/load.ts';
import { isRegistered, MethodNotRegisteredError } from '../../scenarios/method-registry.ts';
import { runScenario } from '../../scenarios/run.ts';

const NAMES = libraryNames();
/** 1,000 and 10,000 clients: run by the storm tests below with shorter horizons (`dhcpike run storm-1000` runs it all). */
const HEAVY = new Set(['storm-1000', 'storm-10k']);

describe('the scenario library', () => {
  it('holds the scenarios of issue 8', () => {
    expect(NAMES).toEqual([
      'basic',
      'bursty',
      'dhcp-stall',
      'drop-offer',
      'gateway-restart',
      'lease-outlives-nothing',
      'lossy',
      'pool-exhaustion',
      'rekey-renewal',
      'satellite',
      'slow-dhcp',
      'storm-1000',
      'storm-10k',
      'two-enterprises',
      'wildcard-hazard',
    ]);
  });

  it.each(NAMES)('%s validates and has a one-line description', (name) => {
    const r = loadScenario(name);
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.scenario.description.length).toBeGreaterThan(10);
    expect(r.scenario.description.includes('\n')).toBe(false);
  });

  it('needs no topology feature that is not modelled (home LAN DHCP and multi-gateway clients are built)', () => {
    const needs = NAMES.map((n) => (loadScenario(n) as unknown as { scenario: { needs: string[] } }).scenario.needs);
    expect(needs.flat()).toEqual([]);
  });

  it.each(NAMES.filter((n) => !HEAVY.has(n)))(
    '%s runs with every registered method and meets its expectations',
    (name) => {
      const r = loadScenario(name);
      if (!r.ok) throw new Error('invalid');
      const methods = r.scenario.methods.filter(isRegistered);
      for (const method of methods) {
        const out = runScenario(r.scenario, { method, keepTrace: false });
        expect(out.expectations.filter((e) => !e.ok).map((e) => `${method}: ${e.expectation}: ${e.detail}`)).toEqual(
          [],
        );
        expect(out.expectations.length).toBeGreaterThan(0);
      }
      for (const method of r.scenario.methods.filter((m) => !isRegistered(m))) {
        expect(() => buildRun(r.scenario, { method })).toThrow(MethodNotRegisteredError);
        expect(() => buildRun(r.scenario, { method })).toThrow(`method '${method}' is not registered yet`);
      }
    },
  );

  // storm-1000 with a CI horizon: all 1,000 clients connect (10 ms apart), the gateway crashes after they are up.
  // The full 240 s run (`dhcpike run storm-1000`) also re-addresses all 1,000 after the restart (17.8 s wall, mode-cfg).
  const STORM_CI = { durationMs: 10_500, crashMs: 10_200, restartMs: 10_300 };
  it.each(['mode-cfg', 'mode-cfg-dhcp'] as const)(
    'storm-1000 (10.5 s horizon): %s addresses all 1,000 clients',
    (method) => {
      const out = runScenario('storm-1000', { method, params: STORM_CI, keepTrace: false });
      expect(out.metrics.clients).toBe(1000);
      expect(out.metrics.addressed).toBe(1000);
      expect(out.metrics.addressOverlaps).toBe(0);
      // The restart at 10.3 s: clients whose liveness check falls in the last 0.2 s get INVALID_IKE_SPI from the
      // restarted gateway and close their IKE SA at once (RFC 7296 §2.21.4), nothing else fails.
      const lost = method === 'mode-cfg' ? 15 : 14;
      expect(out.metrics.failures).toEqual({ total: lost, byReason: { 'closed:peer-lost': lost } });
      // Only the full-horizon expectation (re-addressed after the restart) is unmet this early.
      expect(out.expectations.filter((e) => !e.ok).map((e) => e.expectation)).toEqual(['readdressed >= 900']);
      expect(out.metrics.timeToAddressUs).toEqual(
        method === 'mode-cfg'
          ? { n: 1000, median: 80_000, p95: 80_000, max: 80_000 }
          : { n: 1000, median: 86_000, p95: 86_000, max: 86_000 },
      );
    },
  );

  // storm-10k with a CI horizon (about 15 s of CPU): 10,000 clients built, sized by the `clients` rule, 1 ms apart; the
  // gateway crashes at 2.3 s with 2,281 of them addressed and restarts at 2.4 s. The digest is pinned: the run goes
  // through the progress hook's slices and the batched hash, neither of which may change a byte.
  it('storm-10k (2.5 s horizon): mode-cfg addresses the clients that connected before the crash', () => {
    const out = runScenario('storm-10k', {
      method: 'mode-cfg',
      params: { durationMs: 2500, crashMs: 2300, restartMs: 2400 },
      keepTrace: false,
      progress: { everyEvents: 1000, onProgress: () => true },
    });
    expect(out.metrics.clients).toBe(10_000);
    expect(out.metrics.addressed).toBe(2281);
    expect(out.metrics.addressOverlaps).toBe(0);
    // The 220 told to connect from 2.28 s on were mid-exchange at the crash or connect while it is down: not yet addressed.
    expect(out.metrics.failures).toEqual({ total: 220, byReason: { 'never-addressed': 220 } });
    expect(out.expectations.filter((e) => !e.ok).map((e) => e.expectation)).toEqual([
      'addressed == 10000',
      'readdressed >= 9000',
    ]);
    // Changed deliberately in issues 13 and 14: the connection and gateway machines traced, NAT-D in every IKE_SA_INIT
    // (RFC 7296 §2.23, 56 more bytes each way), TTL decremented on forwarding; the same timing and figures.
    expect(out.traceSha256).toBe('330db7cb83c0995eb6d6d890093a5d0b1f8ada2d214df6667e62869807d1c3d5');
  });
});
