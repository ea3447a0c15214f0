/** `--crypto` on compare and sweep: the same as `--option crypto=…` (cli/commands/args.ts applyCryptoArg). */
import { mkdtempSync, readFileSync } from 'node:fs';
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

interface Compared {
  readonly results: readonly { method: string; traceSha256: string; metrics: unknown }[];
}

async function compareJson(extra: readonly string[]): Promise<Compared> {
  const t = io();
  expect(await main(['compare', 'basic', '--methods', 'mode-cfg,dhcp-over-ike', '--json', ...extra], t)).toBe(0);
  return JSON.parse(t.lines.join('\n')) as Compared;
}

describe('--crypto on compare and sweep', () => {
  it('compare --crypto real: other bytes, the same metrics; the same as --option crypto=real', async () => {
    const modelled = await compareJson([]);
    const real = await compareJson(['--crypto', 'real']);
    const viaOption = await compareJson(['--option', 'crypto=real']);
    expect(real.results.map((r) => r.metrics)).toEqual(modelled.results.map((r) => r.metrics));
    expect(real.results.map((r) => r.traceSha256)).not.toEqual(modelled.results.map((r) => r.traceSha256));
    expect(viaOption.results.map((r) => r.traceSha256)).toEqual(real.results.map((r) => r.traceSha256));
  });

  it('a value other than modelled|real, or one contradicting --option crypto, is a usage error (exit 2)', async () => {
    const bogus = io();
    expect(await main(['compare', 'basic', '--crypto', 'bogus'], bogus)).toBe(2);
    expect(bogus.errors.join('\n')).toContain("--crypto: expected modelled or real, found 'bogus'");
    const contradicting = io();
    expect(
      await main(['sweep', 'basic', '--seeds', '1', '--crypto', 'real', '--option', 'crypto=modelled'], contradicting),
    ).toBe(2);
    expect(contradicting.errors.join('\n')).toContain('--crypto real contradicts --option crypto=modelled');
  });

  it('sweep --crypto real runs with real crypto: the same record as the option gives, another digest than modelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhcpike-crypto-'));
    const args = ['sweep', 'basic', '--seeds', '1', '--methods', 'mode-cfg', '--workers', '0', '--quiet'];
    const digest = async (extra: readonly string[], name: string): Promise<unknown> => {
      const out = join(dir, name);
      expect(await main([...args, ...extra, '--out', out], io())).toBe(0);
      return (JSON.parse(readFileSync(out, 'utf8').trim()) as { traceSha256: unknown }).traceSha256;
    };
    const real = await digest(['--crypto', 'real'], 'real.jsonl');
    expect(await digest(['--option', 'crypto=real'], 'option.jsonl')).toBe(real);
    expect(await digest([], 'modelled.jsonl')).not.toBe(real);
  });
});
