/** The `clients` sizing rule (scenarios/sizing.ts): one parameter sizes a storm's address plan, capacity and goals. */
import { describe, expect, it } from 'vitest';
import { libraryDocument, loadScenario, type Scenario } from '../../scenarios/load.ts';
import { bitsFor } from '../../scenarios/sizing.ts';

function load(name: string, params: Record<string, string | number> = {}): Scenario {
  const r = loadScenario(name, { params });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.scenario;
}

/** What the rule sizes, in one object. */
function sized(s: Scenario) {
  const group = s.topology.clients[0];
  const gw = s.topology.gateways[0];
  const server = s.topology.dhcpServers[0];
  const pool = server?.pools[0];
  return {
    count: group?.count,
    clientAddress: group?.address,
    gatewayOutside: gw?.outside,
    modeCfgPool: [gw?.pool?.first, gw?.pool?.last, gw?.pool?.prefixLength],
    dhcpPool: [pool?.subnet, pool?.rangeStart, pool?.rangeEnd],
    queueMax: server?.queueMax,
    serviceMs: server?.serviceMs,
    spacingMs: s.workload.actions[0]?.spacingMs,
    expectations: s.expectations.flatMap((e) => (e.kind === 'metric' ? [`${e.path} ${e.op} ${e.value}`] : [])),
  };
}

describe('the clients sizing rule', () => {
  it('bitsFor counts bits without logarithms', () => {
    expect([1, 2, 3, 4, 5, 2048, 2049, 200_032].map(bitsFor)).toEqual([0, 1, 2, 2, 3, 11, 12, 18]);
  });

  it('storm-1000 at its default is the document as written (the digest-pinned run is unchanged)', () => {
    expect(sized(load('storm-1000'))).toEqual({
      count: 1000,
      clientAddress: '100.64.0.10/16',
      gatewayOutside: '100.64.0.1/16',
      modeCfgPool: ['10.99.0.1', '10.99.7.255', 16],
      dhcpPool: ['10.99.8.0/21', '10.99.8.10', '10.99.15.250'],
      queueMax: 256,
      serviceMs: 1,
      spacingMs: 10,
      expectations: ['addressed == 1000', 'readdressed >= 900'],
    });
    expect(load('storm-1000').params['clients']).toBe(1000);
  });

  it('a 10-client storm: the smallest blocks, a slower server with a short queue, the same 10 s connect window', () => {
    expect(sized(load('storm-1000', { clients: '10' }))).toEqual({
      count: 10,
      clientAddress: '100.64.0.10/16',
      gatewayOutside: '100.64.0.1/16',
      modeCfgPool: ['10.99.0.1', '10.99.7.255', 16],
      dhcpPool: ['10.99.8.0/21', '10.99.8.10', '10.99.15.250'],
      queueMax: 3,
      serviceMs: 100,
      spacingMs: 1000,
      expectations: ['addressed == 10', 'readdressed >= 9'],
    });
  });

  it('a 5,000-client storm: 16,384-address blocks', () => {
    expect(sized(load('storm-1000', { clients: 5000 }))).toEqual({
      count: 5000,
      clientAddress: '100.64.0.10/16',
      gatewayOutside: '100.64.0.1/16',
      modeCfgPool: ['10.99.0.1', '10.99.63.255', 16],
      dhcpPool: ['10.99.64.0/18', '10.99.64.10', '10.99.127.250'],
      queueMax: 1280,
      serviceMs: 0.2,
      spacingMs: 2,
      expectations: ['addressed == 5000', 'readdressed >= 4500'],
    });
  });

  it('a 100,000-client storm: a /15 outside, 262,144-address blocks from 10.96.0.0, a /13 pool netmask', () => {
    expect(sized(load('storm-1000', { clients: 100_000 }))).toEqual({
      count: 100_000,
      clientAddress: '100.64.0.10/15',
      gatewayOutside: '100.64.0.1/15',
      modeCfgPool: ['10.96.0.1', '10.99.255.255', 13],
      dhcpPool: ['10.100.0.0/14', '10.100.0.10', '10.103.255.250'],
      queueMax: 25_600,
      serviceMs: 0.01,
      spacingMs: 0.1,
      expectations: ['addressed == 100000', 'readdressed >= 90000'],
    });
  });

  it('storm-10k is storm-1000 sized to 10,000, and sized back to 1,000 it is storm-1000', () => {
    const tenK = load('storm-10k');
    expect(tenK.params['clients']).toBe(10_000);
    expect(sized(tenK)).toEqual(sized(load('storm-1000', { clients: 10_000 })));
    const back = load('storm-10k', { clients: 1000 });
    const storm = load('storm-1000');
    expect([back.topology, back.workload, back.faults, back.expectations]).toEqual([
      storm.topology,
      storm.workload,
      storm.faults,
      storm.expectations,
    ]);
  });

  it('rejects a count out of range with the parameter and the range', () => {
    for (const bad of ['100001', '0', '2.5', 'many']) {
      const r = loadScenario('storm-1000', { params: { clients: bad } });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.problems).toEqual([
        {
          path: '--param clients',
          expected: "an integer from 1 to 100,000 (clients; the lab's limit)",
          found: bad === 'many' ? '"many"' : bad,
        },
      ]);
    }
  });

  it('rejects a scenario of another shape, and a parameter that neither writes paths nor names a rule', () => {
    const doc = libraryDocument('two-enterprises') as { parameters?: unknown };
    doc.parameters = { clients: { default: 5, sizing: 'clients' } };
    const r = loadScenario(doc);
    expect(r.ok ? [] : r.problems.map((p) => [p.path, p.expected])).toEqual([
      ['parameters.clients.default', 'a scenario the clients rule can size (a client group with a count)'],
    ]);
    const neither = libraryDocument('storm-1000') as { parameters: Record<string, unknown> };
    neither.parameters['clients'] = { default: 5 };
    const n = loadScenario(neither);
    expect(n.ok ? [] : n.problems.map((p) => [p.path, p.expected])).toEqual([
      ['parameters.clients', 'paths (where the value is written) or sizing (a rule that derives values from it)'],
    ]);
    const unknown = libraryDocument('storm-1000') as { parameters: Record<string, unknown> };
    unknown.parameters['clients'] = { default: 5, sizing: 'servers' };
    const u = loadScenario(unknown);
    expect(u.ok ? [] : u.problems.map((p) => p.path)).toEqual(['parameters.clients.sizing']);
  });
});
