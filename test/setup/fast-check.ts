/**
 * Every property test in the suite: on failure print the seed, the counterexample path and the command that
 * replays exactly that case (DEVELOPERS.md non-negotiable 4). `FC_SEED` and `FC_PATH` replay it.
 */
import { relative } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';

const seed = process.env['FC_SEED'];
const path = process.env['FC_PATH'];

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * `-t` takes a pattern over the names joined by spaces (`expect.getState()` joins them with ` > `): escape it, and
 * drop the ` (with seed=…)` that @fast-check/vitest appends to the name.
 */
function namePattern(testName: string): string {
  return testName
    .replace(/ \(with seed=-?\d+\)$/, '')
    .split(' > ')
    .join(' ')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function replayCommand(details: { seed: number; counterexamplePath: string | null }): string {
  const state = expect.getState();
  const file = state.testPath === undefined ? '' : ` ${shellQuote(relative(process.cwd(), state.testPath))}`;
  const name = state.currentTestName === undefined ? '' : ` -t ${shellQuote(namePattern(state.currentTestName))}`;
  const replayPath = details.counterexamplePath === null ? '' : ` FC_PATH=${shellQuote(details.counterexamplePath)}`;
  return `FC_SEED=${details.seed}${replayPath} npx vitest run${file}${name}`;
}

fc.configureGlobal({
  ...(seed !== undefined ? { seed: Number(seed) } : {}),
  ...(path !== undefined ? { path } : {}),
  reporter(details) {
    if (!details.failed) return;
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\nreplay: ${replayCommand(details)}`);
  },
});
