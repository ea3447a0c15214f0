import { describe, expect, it } from 'vitest';
import { replayCommand } from './fast-check.ts';

describe('property-test replay', () => {
  it('replay command names this test (exactly)', () => {
    expect(replayCommand({ seed: -42, counterexamplePath: '1:0:3' })).toBe(
      "FC_SEED=-42 FC_PATH='1:0:3' npx vitest run 'test/setup/fast-check.test.ts'" +
        " -t 'property-test replay replay command names this test \\(exactly\\)'",
    );
    expect(replayCommand({ seed: 7, counterexamplePath: null })).toBe(
      "FC_SEED=7 npx vitest run 'test/setup/fast-check.test.ts'" +
        " -t 'property-test replay replay command names this test \\(exactly\\)'",
    );
  });
});
