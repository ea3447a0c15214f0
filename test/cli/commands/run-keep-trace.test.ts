/** `dhcpike run` keeps the trace's events only when something printed or written after the run needs them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../../cli/command.ts';
import type * as RunModule from '../../../scenarios/run.ts';
import type { RunScenarioOptions } from '../../../scenarios/run.ts';

const calls: RunScenarioOptions[] = [];

vi.mock('../../../scenarios/run.ts', async (importOriginal) => {
  const original = await importOriginal<typeof RunModule>();
  return {
    ...original,
    runScenario: (scenario: string | object, o: RunScenarioOptions = {}) => {
      calls.push(o);
      return original.runScenario(scenario, o);
    },
  };
});

const { main } = await import('../../../cli/main.ts');

const quiet: CliIo = { out: () => undefined, err: () => undefined, isTty: false };
const tmp = mkdtempSync(join(tmpdir(), 'dhcpike-keep-trace-'));

describe('run --keepTrace', () => {
  it('is false for the summary, --json and --trace (streamed); true for --ladder, --pcap and --keys', async () => {
    const cases: [string[], boolean][] = [
      [[], false],
      [['--json'], false],
      [['--trace', join(tmp, 't.jsonl')], false],
      [['--ladder'], true],
      [['--pcap', join(tmp, 't.pcap')], true],
      [['--crypto', 'real', '--keys', join(tmp, 't.keys')], true],
    ];
    for (const [flags, keep] of cases) {
      calls.length = 0;
      expect(await main(['run', 'basic', '--method', 'mode-cfg', ...flags], quiet)).toBe(0);
      expect(calls.map((c) => [c.keepTrace, c.eventsMax])).toEqual([[keep, 50_000_000]]);
    }
  });
});
