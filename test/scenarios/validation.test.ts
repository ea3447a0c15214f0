import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import type { CliIo } from '../../cli/command.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { ScenarioError } from '../../scenarios/problems.ts';
import { runScenario } from '../../scenarios/run.ts';
import '../../scenarios/node.ts';

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty: false };
}

const DIR = 'test/scenarios/malformed';

/** Each malformed file, and the problems it must be rejected with (every one, exactly). */
const CASES: readonly (readonly [string, readonly { path: string; expected: string; found: string }[]])[] = [
  ['wrong-types', [{ path: 'durationMs', expected: 'number', found: '"5000"' }]],
  [
    'unknown-method',
    [
      {
        path: 'methods[1]',
        expected: 'one of "dhcp-over-ike"|"dhcp-over-ike-wg"|"mode-cfg"|"mode-cfg-dhcp"|"dhcp-over-ipsec"',
        found: '"dhcp-over-carrier-pigeon"',
      },
    ],
  ],
  [
    'unknown-field',
    [{ path: 'topology.gateways[0].colour', expected: 'no such field (unknown fields are errors)', found: '"blue"' }],
  ],
  ['negative-latency', [{ path: 'topology.links[0].profile.latencyMs', expected: 'number to be >=0', found: '-5' }]],
  ['loss-above-one', [{ path: 'topology.links[0].profile.lossRatio', expected: 'number to be <=1', found: '1.5' }]],
  [
    'dangling-node',
    [
      {
        path: 'topology.links[1].attach[2]',
        expected: 'a node or client group name (client1, gw, dhcp, host)',
        found: '"hots"',
      },
    ],
  ],
  [
    'duplicate-node',
    [
      {
        path: 'topology.enterpriseHosts[1].name',
        expected: 'a unique node name (already used at topology.dhcpServers[0].name)',
        found: '"dhcp"',
      },
    ],
  ],
  [
    'bad-ipv4',
    [
      {
        path: 'topology.clients[0].address',
        expected: 'an IPv4 address with prefix length a.b.c.d/len',
        found: '"198.51.100.300/24"',
      },
    ],
  ],
  ['bad-fault-time', [{ path: 'faults[0].atMs', expected: 'a time ≤ durationMs (5000)', found: '9000' }]],
  [
    'external-without-where',
    [
      {
        path: 'topology.dhcpServers[0].external',
        expected: 'where the real server is ({"address": "127.0.0.1"}) for kind external',
        found: 'nothing',
      },
    ],
  ],
  [
    'external-bad-port',
    [{ path: 'topology.dhcpServers[0].external.port', expected: 'number to be <=65535', found: '70000' }],
  ],
  [
    'unknown-option',
    [
      {
        path: 'options.warpDrive',
        expected: 'a known option (retransmit, busyRepeat, cpRequired, addressTimeoutMs, rekeyBusy, poolReuseDelayMs)',
        found: 'true',
      },
    ],
  ],
];

describe('malformed scenarios are rejected before anything runs', () => {
  it.each(CASES)('%s: the library lists the problem by field path', (name, problems) => {
    const r = loadScenario(`${DIR}/${name}.json`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Options depend on the registered methods' descriptors: compare the path exactly, the known list by prefix.
    expect(r.problems.map((p) => p.path)).toEqual(problems.map((p) => p.path));
    r.problems.forEach((p, i) => {
      const want = problems[i];
      if (name === 'unknown-option') expect(p.expected.startsWith('a known option (retransmit, ')).toBe(true);
      else expect(p).toEqual(want);
      expect(p.found).toBe(want?.found);
    });
    expect(() => runScenario(`${DIR}/${name}.json`, { method: 'mode-cfg' })).toThrow(ScenarioError);
  });

  it.each(CASES)('%s: dhcpike run exits 2 naming the field path', async (name, problems) => {
    const t = io();
    expect(await main(['run', `${DIR}/${name}.json`, '--method', 'mode-cfg'], t)).toBe(2);
    expect(t.lines).toEqual([]);
    expect(t.errors[0]).toBe(`run: ${DIR}/${name}.json: ${problems.length} problem(s):`);
    expect(t.errors[1]?.startsWith(`  ${problems[0]?.path}: expected `)).toBe(true);
  });

  it('an unknown --option and a bad --option value are input errors (exit 2)', async () => {
    const t = io();
    expect(await main(['run', 'basic', '--method', 'mode-cfg', '--option', 'warpDrive=1'], t)).toBe(2);
    expect(t.errors[1]?.startsWith('  --option warpDrive: expected a known option (retransmit, ')).toBe(true);
    const u = io();
    expect(await main(['run', 'basic', '--method', 'mode-cfg', '--option', 'retransmit=sometimes'], u)).toBe(2);
    expect(u.errors[1]).toBe('  --option retransmit: expected one of "strongswan", "doubling", found "sometimes"');
  });

  it('every problem is listed, not only the first', () => {
    const r = loadScenario({
      name: 'two-problems',
      description: 'x',
      methods: ['mode-cfg'],
      durationMs: -1,
      topology: { clients: [], gateways: [], links: [] },
      workload: { actions: [] },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual([
      'durationMs',
      'topology.clients',
      'topology.gateways',
      'topology.links',
    ]);
  });

  it('expectation conditions and tunnel-aimed actions are checked against the scenario', () => {
    const doc = JSON.parse(readFileSync('scenarios/library/two-enterprises.json', 'utf8')) as {
      workload: { actions: { gateway?: string }[] };
      expectations: Record<string, unknown>[];
    };
    (doc.workload.actions[1] as { gateway?: string }).gateway = 'gw-c';
    doc.expectations.push(
      { kind: 'metric', path: 'misdirected', op: '>' },
      { kind: 'metric', path: 'misdirected', op: '==', value: 0, options: { warpDrive: true } },
      { kind: 'metric', path: 'misdirected', op: '==', value: 0, options: { dhcpSaTeardown: 'never' } },
    );
    const r = loadScenario(doc);
    expect(r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.expected}`)).toEqual([
      'expectations[6].value: op and value together',
      "workload.actions[1].gateway: one of client1's gateways (gw, gw-b)",
      'expectations[7].options.warpDrive: a known option',
      'expectations[8].options.dhcpSaTeardown: one of "after-tunnel", "at-lifetime", "keep"',
    ]);
  });
});
