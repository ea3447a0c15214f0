import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Anything that escapes the simulated clock or the seeded streams is forbidden where determinism matters.
const nondeterminism = {
  'no-restricted-globals': [
    'error',
    { name: 'Date', message: 'Use the simulator clock (integer microseconds).' },
    { name: 'setTimeout', message: 'Use scheduler timers or xstate delays on the simulated clock.' },
    { name: 'setInterval', message: 'Use scheduler timers or xstate delays on the simulated clock.' },
    { name: 'performance', message: 'No wall clock in sim/ or models/.' },
    { name: 'crypto', message: 'Use seeded streams from sim/rng.' },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Use a seeded stream: rng.fork(label).' },
    { object: 'Math', property: 'exp', message: 'Transcendental functions may differ between engines.' },
    { object: 'Math', property: 'log', message: 'Transcendental functions may differ between engines.' },
    { object: 'Math', property: 'pow', message: 'Transcendental functions may differ between engines.' },
    { object: 'crypto', property: 'getRandomValues', message: 'Use seeded streams.' },
    { object: 'globalThis', property: 'setTimeout', message: 'Use the simulated clock.' },
  ],
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'xstate',
          importNames: ['fromPromise', 'fromCallback'],
          message: 'Promise and callback actors escape the simulated clock.',
        },
        { name: 'node:crypto', message: 'Only sim/trace-hash.ts may hash; no randomness from crypto.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dist-cli/**', 'out/**', 'test-results/**', '.dhcpike/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['sim/**/*.ts', 'models/**/*.ts'],
    rules: { ...nondeterminism, '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    // The trace digest is a pure function of the trace bytes.
    files: ['sim/trace-hash.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
