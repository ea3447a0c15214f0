/** `dhcpike run`: the event and heap caps (exit 2, one line), --no-digest, and the progress line on a terminal. */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/command.ts';
import { main } from '../../../cli/main.ts';
import { progressLine, RunWatch } from '../../../cli/commands/run-watch.ts';

function io(errIsTty = false): CliIo & { lines: string[]; errors: string[]; raw: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const raw: string[] = [];
  return {
    lines,
    errors,
    raw,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    isTty: false,
    errIsTty,
    errWrite: (t) => raw.push(t),
  };
}

/** 100 clients over 240 s: thousands of simulator events, so the watch runs (every 2,000 events). */
const SMALL_STORM = ['run', 'storm-1000', '--method', 'mode-cfg', '--param', 'clients=100'];

describe('run caps', () => {
  it('--max-heap-mb stops a run whose heap is past the cap, with exit 2 and where it stood', async () => {
    const x = io();
    expect(await main([...SMALL_STORM, '--max-heap-mb', '1'], x)).toBe(2);
    expect(x.lines).toEqual([]);
    expect(x.errors).toHaveLength(1);
    expect(x.errors[0]).toMatch(
      /^run: --max-heap-mb 1: the run was stopped with \d+ MB of heap after 2000 simulator events, at virtual time \d+\.\d{3} ms \(\d+\/100 clients addressed\); raise --max-heap-mb \(and node --max-old-space-size\) or shrink the scenario$/,
    );
    expect((await main([...SMALL_STORM, '--max-heap-mb', '0'], io())).valueOf()).toBe(2);
  });

  it('--max-events stops a run that needs more events, with exit 2', async () => {
    const x = io();
    expect(await main([...SMALL_STORM, '--max-events', '3000'], x)).toBe(2);
    expect(x.errors).toEqual([
      expect.stringMatching(
        /^run: --max-events 3000: the run was stopped after 3000 simulator events, at virtual time \d+\.\d{3} ms; raise --max-events or shrink the scenario$/,
      ),
    ]);
  });

  it('a run under both caps is the same run: the digest of the uncapped run', async () => {
    const capped = io();
    const plain = io();
    expect(await main([...SMALL_STORM, '--json', '--max-heap-mb', '100000', '--max-events', '10000000'], capped)).toBe(
      0,
    );
    expect(await main([...SMALL_STORM, '--json'], plain)).toBe(0);
    expect(capped.lines).toEqual(plain.lines);
  });
});

describe('run --no-digest', () => {
  it('prints the same metrics, traceSha256 null and says why; the summary says so too', async () => {
    const a = io();
    const b = io();
    expect(await main(['run', 'basic', '--method', 'mode-cfg', '--json'], a)).toBe(0);
    expect(await main(['run', 'basic', '--method', 'mode-cfg', '--json', '--no-digest'], b)).toBe(0);
    const withDigest = JSON.parse(a.lines[0] ?? '{}') as Record<string, unknown>;
    const without = JSON.parse(b.lines[0] ?? '{}') as Record<string, unknown>;
    expect(without['traceSha256']).toBeNull();
    expect(without['digest']).toBe('not computed (--no-digest)');
    expect(without['metrics']).toEqual(withDigest['metrics']);
    const text = io();
    expect(await main(['run', 'basic', '--method', 'mode-cfg', '--no-digest'], text)).toBe(0);
    expect(text.lines[1]).toBe('trace sha256 not computed (--no-digest)');
  });

  it('writes no failure record when expectations fail, and says how to get one', async () => {
    const x = io();
    const short = ['--param', 'durationMs=5000', '--param', 'crashMs=4000', '--param', 'restartMs=4500'];
    expect(await main([...SMALL_STORM, ...short, '--no-digest'], x)).toBe(1);
    expect(x.errors).toEqual([
      'run: expectations failed; run again without --no-digest for a replayable failure record',
    ]);
  });
});

describe('the progress line', () => {
  it('is drawn on a stderr terminal, not with --quiet, not without a terminal; stdout is the same', async () => {
    const tty = io(true);
    const quiet = io(true);
    const pipe = io(false);
    expect(await main(SMALL_STORM, tty)).toBe(0);
    expect(await main([...SMALL_STORM, '--quiet'], quiet)).toBe(0);
    expect(await main(SMALL_STORM, pipe)).toBe(0);
    expect(tty.raw.length).toBeGreaterThan(0);
    expect(tty.raw[0]?.startsWith('\r\x1b[K')).toBe(true);
    expect(tty.raw[0]?.slice(4)).toMatch(
      /^virtual \d+\.\d{3} s {2}2,000 events \(\d[\d,]*\/s\) {2}addressed \d+\/100 {2}heap \d+ MB$/,
    );
    // The line is cleared before the results are printed.
    expect(tty.raw.at(-1)).toBe('\r\x1b[K');
    expect([quiet.raw, pipe.raw, tty.errors, quiet.errors, pipe.errors]).toEqual([[], [], [], [], []]);
    expect(tty.lines).toEqual(pipe.lines);
    expect(quiet.lines).toEqual(pipe.lines);
  });

  it('formats virtual time, events per wall second, addressed clients and the heap', () => {
    expect(progressLine({ atUs: 12_345_678, eventsRun: 1_234_567, addressed: 950, clients: 1000 }, 2000, 312)).toBe(
      'virtual 12.346 s  1,234,567 events (617,284/s)  addressed 950/1,000  heap 312 MB',
    );
  });

  it('redraws at most every 500 ms of wall time and stops past the heap cap', () => {
    const x = io(true);
    let nowMs = 0;
    let heapMb = 10;
    const watch = new RunWatch(x, { progress: true, maxHeapMb: 100, nowMs: () => nowMs, heapMb: () => heapMb });
    const p = { atUs: 1, eventsRun: 2000, addressed: 0, clients: 1 };
    expect([watch.onProgress(p), watch.onProgress(p)]).toEqual([true, true]);
    nowMs = 499;
    watch.onProgress(p);
    nowMs = 500;
    watch.onProgress(p);
    expect(x.raw).toHaveLength(2);
    heapMb = 101;
    expect(watch.onProgress(p)).toBe(false);
    expect(watch.heapStop).toEqual({ heapMb: 101, progress: p });
    expect(x.raw.at(-1)).toBe('\r\x1b[K');
  });
});
