/** `dhcpike vopr`: replay one schedule, check a scenario file, report a failure with its replay commands, bad input. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import type { CliIo } from '../../../cli/command.ts';

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty: false };
}

const tmp = mkdtempSync(join(tmpdir(), 'dhcpike-vopr-'));

describe('dhcpike vopr', () => {
  it('--seed alone replays one schedule and prints the per-method table and the per-invariant line', async () => {
    const t = io();
    expect(await main(['vopr', '--method', 'mode-cfg', '--seed', '42', '--clients-max', '4', '--json'], t)).toBe(0);
    const out = JSON.parse(t.lines[0] ?? '{}') as {
      seed: number;
      schedules: number;
      perMethod: {
        method: string;
        schedules: number;
        failed: number;
        structuralLeaseOverruns: number;
        structuralTheft: number;
      }[];
      failures: unknown[];
    };
    expect([out.seed, out.schedules, out.failures]).toEqual([42, 1, []]);
    expect(out.perMethod).toEqual([
      { method: 'mode-cfg', schedules: 1, failed: 0, structuralLeaseOverruns: 0, structuralTheft: 0 },
    ]);
  });

  it('--replay checks a scenario file: demand beyond the pool is excused, a link that never heals is not', async () => {
    type Doc = Record<string, unknown> & {
      topology: { clients: unknown[]; links: { attach: string[] }[]; gateways: { pool: unknown }[] };
    };
    const doc = JSON.parse(readFileSync(join('scenarios', 'library', 'basic.json'), 'utf8')) as Doc;
    doc.topology.clients = [{ name: 'client', count: 2, address: '198.51.100.11/24', gateway: 'gw' }];
    (doc.topology.links[0] as { attach: string[] }).attach = ['client', 'gw'];
    // One address for two clients: client2 cannot be served, and liveness does not ask it to be.
    (doc.topology.gateways[0] as { pool: unknown }).pool = {
      first: '10.99.0.1',
      last: '10.99.0.1',
      prefixLength: 24,
      dns: [],
    };
    doc['workload'] = {
      actions: [{ atMs: 0, action: 'connect', nodes: 'client', spacingMs: 100 }],
      pingIntervalMs: 2000,
    };
    doc['expectations'] = [];
    doc['durationMs'] = 600_000;
    const small = join(tmp, 'small-pool.json');
    writeFileSync(small, JSON.stringify(doc));
    const ok = io();
    expect(await main(['vopr', '--replay', small, '--method', 'mode-cfg'], ok)).toBe(0);
    expect(ok.lines.at(-1)).toBe('no violation');
    // The inside link goes down at 1 s and never comes back: after the quiet period no ping returns.
    doc['faults'] = [{ type: 'link.down', atMs: 1000, link: 'inside' }];
    const cut = join(tmp, 'inside-cut.json');
    writeFileSync(cut, JSON.stringify(doc));
    const t = io();
    expect(await main(['vopr', '--replay', cut, '--method', 'mode-cfg'], t)).toBe(1);
    expect(
      t.lines.filter((l) =>
        l.startsWith('live.dataFlows at 600000000 µs [client1]: client1 (10.99.0.1) got no echo reply'),
      ),
    ).toHaveLength(1);
    expect(t.lines.at(-1)).toMatch(/^\d+ violation\(s\)$/);
  });

  it('bad input exits 2 with the flag and what it expects', async () => {
    for (const args of [
      ['--seed', '-1'],
      ['--seed', '1.5'],
      ['--seed', '99999999999'],
      ['--schedules', '0'],
      ['--schedules', '2000000'],
      ['--method', 'nope'],
      ['--clients-max', '500'],
    ]) {
      const t = io();
      expect(await main(['vopr', ...args], t)).toBe(2);
      expect(t.errors.join('\n')).toMatch(/^vopr: /);
    }
    expect(readdirSync(tmp).sort()).toEqual(['inside-cut.json', 'small-pool.json']);
  });
});
