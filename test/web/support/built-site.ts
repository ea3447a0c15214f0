/**
 * The lab built for one browser test file into a directory of its own (`test-results/dist-<name>`): vitest runs the
 * browser test files in parallel, and two builds into one `dist/` would empty it under each other's server.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';

export async function buildSite(name: string): Promise<string> {
  const out = `test-results/dist-${name}`;
  rmSync(out, { recursive: true, force: true });
  // vite's root is web/ (vite.config.ts): the output path is relative to it.
  await promisify(execFile)('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', `../${out}`, '--emptyOutDir']);
  return out;
}
