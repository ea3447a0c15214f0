/** `dhcpike run --runtime fast|xstate`: the machines' interpreter (sim/statechart/runtime-choice.ts). */
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import type { CliIo } from '../../../cli/command.ts';

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty: false };
}

async function runJson(extra: readonly string[]): Promise<{ traceSha256: string; metrics: unknown }> {
  const t = io();
  expect(await main(['run', 'gateway-restart', '--method', 'dhcp-over-ike', '--json', ...extra], t)).toBe(0);
  return JSON.parse(t.lines.join('\n')) as { traceSha256: string; metrics: unknown };
}

describe('--runtime on run', () => {
  it('fast (the default) and xstate give the same digest and metrics', async () => {
    const byDefault = await runJson([]);
    const fast = await runJson(['--runtime', 'fast']);
    const xstate = await runJson(['--runtime', 'xstate']);
    expect(byDefault.traceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fast.traceSha256).toBe(byDefault.traceSha256);
    expect(xstate.traceSha256).toBe(fast.traceSha256);
    expect(xstate.metrics).toEqual(fast.metrics);
  });

  it('another value is a usage error (exit 2) naming what was expected', async () => {
    const t = io();
    expect(await main(['run', 'basic', '--runtime', 'quick'], t)).toBe(2);
    expect(t.errors.join('\n')).toContain("--runtime: expected fast or xstate, found 'quick'");
  });
});
