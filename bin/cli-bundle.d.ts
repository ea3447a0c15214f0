// Types of bin/cli-bundle.js for the TypeScript that asks the same question (bench/sweep.bench.ts, tests).
export type BundleChoice =
  { readonly use: true; readonly dirUrl: URL } | { readonly use: false; readonly reason: string };
export function bundleDirUrl(env?: NodeJS.ProcessEnv): URL;
export function bundleChoice(env?: NodeJS.ProcessEnv): BundleChoice;
