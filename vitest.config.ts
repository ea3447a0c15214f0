import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests print their seed; a failing run is replayed with FC_SEED=<seed>.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
