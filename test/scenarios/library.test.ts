import { describe, expect, it } from 'vitest';
import { buildRun, NotModelledError } from '../../scenarios/build.ts';
import { libraryNames, loadScenario } from '../../scenarios/load.ts';
import { isRegistered, MethodNotRegisteredError } from '../../scenarios/method-registry.ts';
import { runScenario } from '../../scenarios/run.ts';

const NAMES = libraryNames();
/** 1,000 clients: run by the storm test below with a shorter horizon (the full run is `dhcpike run storm-1000`). */
const HEAVY = new Set(['storm-1000']);

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

  it('marks the topology features not modelled yet', () => {
    const needs = Object.fromEntries(
      NAMES.map((n) => [n, (loadScenario(n) as unknown as { scenario: { needs: string[] } }).scenario.needs]),
    );
    expect(Object.entries(needs).filter(([, v]) => v.length > 0)).toEqual([
      ['two-enterprises', ['multi-gateway-client']],
      ['wildcard-hazard', ['client-home-lan']],
    ]);
  });

  it.each(NAMES.filter((n) => !HEAVY.has(n)))(
    '%s runs with every registered method and meets its expectations',
    (name) => {
      const r = loadScenario(name);
      if (!r.ok) throw new Error('invalid');
      const methods = r.scenario.methods.filter(isRegistered);
      for (const method of methods) {
        if (r.scenario.needs.includes('multi-gateway-client')) {
          expect(() => buildRun(r.scenario, { method })).toThrow(NotModelledError);
          continue;
        }
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
});
