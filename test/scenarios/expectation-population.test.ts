/**
 * Issue 14 item 4: every expectation names its population and fails when it is empty, so "no overlaps" over nobody
 * (gateway-restart's clients never reconnecting within the run) cannot pass.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/run.ts';

const library = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../scenarios/library/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

describe('expectations over an empty population fail (issue 14 item 4)', () => {
  it('basic with nobody told to connect: every kind fails as vacuous, naming its population', () => {
    const doc = {
      ...library('basic'),
      workload: { actions: [] },
      expectations: [
        { kind: 'noOverlaps' },
        { kind: 'allAddressed', byMs: 1000 },
        { kind: 'allReaddressed', afterMs: 0 },
        { kind: 'metric', path: 'failures.total', max: 0 },
      ],
    };
    const out = runScenario(doc, { method: 'mode-cfg' });
    expect(out.expectations.map((e) => [e.ok, e.detail, e.population])).toEqual([
      [false, 'vacuous: no clients that held an address', '0 clients that held an address'],
      [false, 'vacuous: no clients told to connect', '0 clients told to connect'],
      [false, 'vacuous: no clients told to connect', '0 clients told to connect'],
      [false, 'vacuous: no clients told to connect', '0 clients told to connect'],
    ]);
    expect(out.ok).toBe(false);
  });

  it('noOverlaps afterMs counts only addresses got after it: none after the run ⇒ vacuous', () => {
    const doc = { ...library('basic'), expectations: [{ kind: 'noOverlaps', afterMs: 4000 }] };
    const out = runScenario(doc, { method: 'mode-cfg' });
    expect(out.expectations[0]).toMatchObject({ ok: false, population: '0 clients addressed after 4000 ms' });
  });

  it('gateway-restart: all 5 clients are addressed again after the 12 s restart, and the overlaps are judged over them', () => {
    for (const method of ['dhcp-over-ike', 'mode-cfg'] as const) {
      const out = runScenario('gateway-restart', { method, keepTrace: false });
      expect(out.expectations.map((e) => [e.expectation, e.ok, e.population])).toEqual([
        ['all clients addressed again after 12000 ms', true, '5 clients told to connect'],
        ['no address overlaps (addresses got after 12000 ms)', true, '5 clients addressed after 12000 ms'],
        ['readdressed == 5', true, '5 clients told to connect'],
      ]);
    }
  });

  it('allReaddressed fails when a client has no address since the moment (the restart is not survived by 120 s)', () => {
    const doc = { ...library('gateway-restart'), expectations: [{ kind: 'allReaddressed', afterMs: 119_000 }] };
    const out = runScenario(doc, { method: 'mode-cfg', keepTrace: false });
    expect(out.expectations[0]).toMatchObject({ ok: false, population: '5 clients told to connect' });
    expect(out.expectations[0]?.detail).toMatch(/^no address since 119000 ms: client1, client2/);
  });
});
