/**
 * The fault-schedule campaign as a test: for every method a bounded campaign of random fault schedules (fixed seeds,
 * so CI is reproducible; `npx dhcpike vopr` runs fresh seeds), every safety invariant checked at every trace event,
 * liveness after the heal. And the campaign's own test: a deliberately injected bug (the DHCP server handing out a
 * bound address again) is caught and shrunk to a small scenario file.
 */
import { describe, expect, it } from 'vitest';
import { formatViolation } from '../../../scenarios/invariants/checker.ts';
import { METHOD_IDS } from '../../../scenarios/method-registry.ts';
import { loadScenario } from '../../../scenarios/load.ts';
import { replayCommand, runCampaign, runScheduleJob, scheduleSeed } from '../../../scenarios/vopr/campaign.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';

/** Schedules per method in CI (× 5 methods); small client counts keep each run short. */
const SCHEDULES_PER_METHOD = 40;
const BOUNDS = { clientsMax: 12, faultsMax: 6, horizonMsMax: 120_000 };
const CAMPAIGN_SEED = 20261203;

describe('fault-schedule campaign (every invariant at every step, liveness after the heal)', () => {
  for (const [i, method] of METHOD_IDS.entries()) {
    it(`${method}: ${SCHEDULES_PER_METHOD} random schedules, no violation`, () => {
      const outcomes = runCampaign({
        methods: [method],
        schedules: SCHEDULES_PER_METHOD,
        seed: CAMPAIGN_SEED + i,
        bounds: BOUNDS,
        shrink: false,
        deterministicEvery: 10,
      });
      const failed = outcomes
        .filter((r) => r.violations.length > 0)
        .map((r) => `${replayCommand(r)}: ${formatViolation(r.violations[0] as never)}`);
      expect(failed).toEqual([]);
      expect(outcomes).toHaveLength(SCHEDULES_PER_METHOD);
      // The campaign did exercise faults and clients (not a run of empty schedules).
      expect(outcomes.reduce((n, r) => n + r.faults, 0)).toBeGreaterThan(SCHEDULES_PER_METHOD * 2);
      expect(Math.max(...outcomes.map((r) => r.clients))).toBeGreaterThan(3);
    });
  }
});

describe('the campaign under real crypto (keys lost in crashes, SK and ESP opened only with the SA keys)', () => {
  for (const [i, method] of METHOD_IDS.entries()) {
    it(`${method}: 6 random schedules with crypto real, no violation`, () => {
      const outcomes = runCampaign({
        methods: [method],
        schedules: 6,
        seed: CAMPAIGN_SEED + 100 + i,
        bounds: BOUNDS,
        shrink: false,
        deterministicEvery: 3,
        crypto: 'real',
      });
      const failed = outcomes
        .filter((r) => r.violations.length > 0)
        .map((r) => `${replayCommand(r)}: ${formatViolation(r.violations[0] as never)}`);
      expect(failed).toEqual([]);
      expect(outcomes.every((r) => r.crypto === 'real')).toBe(true);
      expect(outcomes.reduce((n, r) => n + r.faults, 0)).toBeGreaterThan(6);
    });
  }
  it('the replay command of a real-crypto schedule says so', () => {
    expect(replayCommand({ method: 'mode-cfg', seed: 5, crypto: 'real' })).toBe(
      'npx dhcpike vopr --method mode-cfg --seed 5 --crypto real',
    );
  });
});

describe('the campaign finds and shrinks a deliberately injected bug', () => {
  it('a DHCP server that hands a bound address out again: address.unique, shrunk to ≤ 3 clients and ≤ 3 faults', () => {
    const outcomes = runCampaign({
      methods: ['dhcp-over-ike'],
      schedules: 6,
      seed: 7,
      bounds: BOUNDS,
      injectBug: 'server-double-lease',
    });
    const caught = outcomes.find((r) => r.violations.length > 0);
    expect(caught).toBeDefined();
    const r = caught as NonNullable<typeof caught>;
    expect(r.violations[0]?.invariant).toBe('address.unique');
    const shrunk = r.shrunk as NonNullable<typeof r.shrunk>;
    expect(shrunk.violations[0]?.invariant).toBe('address.unique');
    expect(shrunk.clients).toBeLessThanOrEqual(3);
    expect(shrunk.faults).toBeLessThanOrEqual(3);
    // The shrunk schedule is an ordinary scenario file: it loads, and replaying it with the bug fails the same way
    // while the correct server passes it.
    const loaded = loadScenario(shrunk.scenario);
    expect(loaded.ok).toBe(true);
    const withBug = runChecked(shrunk.scenario, { injectBug: 'server-double-lease' });
    expect(withBug.violations[0]?.invariant).toBe('address.unique');
    expect(runChecked(shrunk.scenario).violations).toEqual([]);
  });

  it('one seed replays one schedule exactly (same schedule, same digest)', () => {
    const seed = scheduleSeed(CAMPAIGN_SEED, 3);
    const a = runScheduleJob({ index: 0, seed, method: 'mode-cfg', bounds: BOUNDS, deterministic: true });
    const b = runScheduleJob({ index: 3, seed, method: 'mode-cfg', bounds: BOUNDS });
    expect(a.violations).toEqual([]);
    expect([a.clients, a.faults, a.events]).toEqual([b.clients, b.faults, b.events]);
    expect(scheduleSeed(seed, 0)).toBe(seed);
  });
});
