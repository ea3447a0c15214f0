/**
 * The prebuilt CLI bundle (issue 15, scripts/build-cli.mjs): built into a temp dir, it answers `--help` and
 * `run basic --json` as the TypeScript sources do (same traceSha256), its sweep and vopr start the bundle's own workers, and a
 * bundle whose inputs changed since the build is not run (bin/dhcpike.js falls back to tsx).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_FLAGS } from '../../bin/node-flags.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dhcpike-bundle-'));

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], env: Record<string, string> = {}): Ran {
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DHCPIKE_BUNDLE_DIR: dir, DHCPIKE_BUNDLE_DEBUG: '1', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dhcpike = (args: readonly string[], env: Record<string, string> = {}): Ran =>
  node(['bin/dhcpike.js', ...args], env);

const digestOf = (r: Ran): unknown => (JSON.parse(r.stdout) as { traceSha256: unknown }).traceSha256;

const RUN = ['run', 'basic', '--method', 'dhcp-over-ike', '--seed', '3', '--json'];

describe('dhcpike from the prebuilt bundle', () => {
  let help: Ran;
  beforeAll(() => {
    const built = node(['scripts/build-cli.mjs', dir]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    help = dhcpike(['--help']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records every input with its mtime, the entries and the build script among them', () => {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
      format: string;
      inputs: [string, number][];
    };
    expect(meta.format).toBe('dhcpike-cli-bundle/1');
    const names = meta.inputs.map(([p]) => p);
    for (const source of ['cli/main.ts', 'scenarios/sweep-worker.ts', 'scenarios/sweep.ts', 'scripts/build-cli.mjs'])
      expect(names.some((p) => p.endsWith(`/${source}`))).toBe(true);
    expect(meta.inputs.every(([, mtimeMs]) => Number.isFinite(mtimeMs) && mtimeMs > 0)).toBe(true);
  });

  it('prints the help from the bundle', () => {
    expect(help.status).toBe(0);
    expect(help.stderr).toBe(`dhcpike: bundle ${join(dir, 'dhcpike.mjs')}\n`);
    expect(help.stdout).toContain('usage: dhcpike COMMAND [options]');
  });

  it('runs basic to the same digest as the TypeScript sources through tsx', () => {
    const bundled = dhcpike(RUN);
    const sources = dhcpike(RUN, { DHCPIKE_NO_BUNDLE: '1' });
    // `run` is re-executed with the heap flags (bin/node-flags.js); the debug line names them.
    const flags = `; node ${HEAP_FLAGS.join(' ')}\n`;
    expect(bundled.stderr).toBe(`dhcpike: bundle ${join(dir, 'dhcpike.mjs')}${flags}`);
    expect(sources.stderr).toBe(`dhcpike: tsx (DHCPIKE_NO_BUNDLE=1)${flags}`);
    expect([bundled.status, sources.status]).toEqual([0, 0]);
    expect(digestOf(bundled)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(bundled)).toBe(digestOf(sources));
    expect(bundled.stdout).toBe(sources.stdout);
  });

  it("sweeps in the bundle's own worker, to the same digest", () => {
    // A marker in front of the bundled worker shows which entry the sweep starts (the tsx one prints nothing).
    renameSync(join(dir, 'sweep-worker.mjs'), join(dir, 'sweep-worker-real.mjs'));
    writeFileSync(
      join(dir, 'sweep-worker.mjs'),
      "process.stderr.write('bundled worker\\n');\nawait import('./sweep-worker-real.mjs');\n",
    );
    const out = join(dir, 'sweep.jsonl');
    const swept = dhcpike([
      'sweep',
      'basic',
      '--seeds',
      '3',
      '--methods',
      'dhcp-over-ike',
      '--workers',
      '1',
      '--out',
      out,
    ]);
    expect(swept.status).toBe(0);
    expect(swept.stderr).toBe(`dhcpike: bundle ${join(dir, 'dhcpike.mjs')}\nbundled worker\n`);
    const record = JSON.parse(readFileSync(out, 'utf8').trim()) as { traceSha256: unknown };
    expect(record.traceSha256).toBe(digestOf(dhcpike(RUN)));
  });

  it("a vopr campaign runs in the bundle's own workers, with the sources' outcomes", () => {
    renameSync(join(dir, 'vopr-worker.mjs'), join(dir, 'vopr-worker-real.mjs'));
    writeFileSync(
      join(dir, 'vopr-worker.mjs'),
      "process.stderr.write('bundled vopr worker\\n');\nawait import('./vopr-worker-real.mjs');\n",
    );
    const args = ['vopr', '--method', 'mode-cfg', '--schedules', '2', '--seed', '11', '--workers', '1', '--json'];
    const bundled = dhcpike(args);
    const sources = dhcpike(args, { DHCPIKE_NO_BUNDLE: '1' });
    expect([bundled.status, sources.status]).toEqual([0, 0]);
    expect(bundled.stderr).toContain('bundled vopr worker\n');
    expect(sources.stderr).not.toContain('bundled vopr worker');
    const outcomes = (r: Ran): unknown => {
      const j = JSON.parse(r.stdout) as { perMethod: unknown };
      return j.perMethod;
    };
    expect(outcomes(bundled)).toEqual(outcomes(sources));
  });

  it('falls back to tsx when an input changed since the build', () => {
    const path = join(dir, 'meta.json');
    const meta = JSON.parse(readFileSync(path, 'utf8')) as { inputs: [string, number][] };
    const main = meta.inputs.find(([p]) => p.endsWith('/cli/main.ts')) as [string, number];
    main[1] -= 1000;
    writeFileSync(path, JSON.stringify(meta));
    const stale = dhcpike(['--help']);
    expect(stale.stderr).toBe(`dhcpike: tsx (bundle stale: ${main[0]} changed since the build)\n`);
    expect(stale.status).toBe(0);
    expect(stale.stdout).toBe(help.stdout);
  });
});
