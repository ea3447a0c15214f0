import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  applyHeapGrowingFor,
  FLAGS_ENV,
  HEAP_FLAGS,
  HEAP_GROWING_PERCENT,
  heapGrowingPercentFor,
  reexecFlags,
} from '../../bin/node-flags.js';

const BIN = fileURLToPath(new URL('../../bin/dhcpike.js', import.meta.url));

describe('reexecFlags', () => {
  it('re-executes the commands that run scenarios with the heap flags', () => {
    for (const command of ['run', 'compare', 'claims', 'replay'])
      expect(reexecFlags([command, 'storm-1000'], [], {})).toEqual(HEAP_FLAGS);
    expect(HEAP_FLAGS.some((f) => f.startsWith('--max-semi-space-size='))).toBe(true);
  });

  it('runs in this process for light commands, help, no command, and in the re-executed child', () => {
    expect(reexecFlags(['scenarios'], [], {})).toBeNull();
    expect(reexecFlags(['sweep', 'storm-1000'], [], {})).toBeNull();
    expect(reexecFlags([], [], {})).toBeNull();
    expect(reexecFlags(['run', '--help'], [], {})).toBeNull();
    expect(reexecFlags(['run', 'storm-1000'], [], { [FLAGS_ENV]: 'applied' })).toBeNull();
    expect(reexecFlags(['run', 'storm-1000'], [], { [FLAGS_ENV]: '0' })).toBeNull();
  });

  it("leaves Node's own young-generation or heap-growing flag alone", () => {
    expect(reexecFlags(['run', 'x'], ['--max-semi-space-size=8'], {})).toBeNull();
    expect(reexecFlags(['run', 'x'], ['--heap_growing_percent=30'], {})).toBeNull();
    expect(reexecFlags(['run', 'x'], [], { NODE_OPTIONS: '--max-semi-space-size=16' })).toBeNull();
    expect(reexecFlags(['run', 'x'], ['--max-old-space-size=2048'], {})).toEqual(HEAP_FLAGS);
  });
});

describe('heapGrowingPercentFor', () => {
  it('keeps the flag up to 25,000 clients, then shrinks it as 1 / clients down to 20', () => {
    expect(heapGrowingPercentFor(1000)).toBe(HEAP_GROWING_PERCENT);
    expect(heapGrowingPercentFor(25_000)).toBe(100);
    expect(heapGrowingPercentFor(30_000)).toBe(83);
    expect(heapGrowingPercentFor(40_000)).toBe(62);
    expect(heapGrowingPercentFor(50_000)).toBe(50);
    expect(heapGrowingPercentFor(100_000)).toBe(25);
    expect(heapGrowingPercentFor(1_000_000)).toBe(20);
    expect(heapGrowingPercentFor(Number.NaN)).toBe(100);
  });

  it('is applied only in a process started with the heap flags given here', () => {
    expect(applyHeapGrowingFor(100_000, [])).toBeNull();
    expect(applyHeapGrowingFor(100_000, ['--heap-growing-percent=30'])).toBeNull();
    // Setting the default factor for a small run changes nothing V8 would not do under the flags anyway.
    expect(applyHeapGrowingFor(1000, HEAP_FLAGS)).toBe(100);
  });
});

describe('bin/dhcpike.js re-executed', () => {
  it('passes the arguments, the output and the exit status through the child', () => {
    // A scenario that does not exist: exit 2 with the loader's message, from the child (the parent prints nothing).
    const r = spawnSync(process.execPath, [BIN, 'run', 'no-such-scenario-xyz', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, [FLAGS_ENV]: '' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-scenario-xyz');
    expect(r.stdout).toBe('');
  });

  it('starts the child with the heap flags (DHCPIKE_BUNDLE_DEBUG=1 names them)', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', 'no-such-scenario-xyz'], {
      encoding: 'utf8',
      env: { ...process.env, [FLAGS_ENV]: '', DHCPIKE_BUNDLE_DEBUG: '1' },
    });
    for (const flag of HEAP_FLAGS) expect(r.stderr).toContain(flag);
  });

  it('runs a light command in the first process, with no heap flags', () => {
    const r = spawnSync(process.execPath, [BIN, 'scenarios'], {
      encoding: 'utf8',
      env: { ...process.env, [FLAGS_ENV]: '', DHCPIKE_BUNDLE_DEBUG: '1' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('--max-semi-space-size');
  });
});
