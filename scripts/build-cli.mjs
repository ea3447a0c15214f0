#!/usr/bin/env node
// `npm run build:cli [-- OUTDIR] [--external-deps]`: bundles the CLI and the sweep worker with esbuild so a start
// skips tsx's TypeScript compilation (issue 15). Writes OUTDIR (default dist-cli/) with dhcpike.mjs,
// sweep-worker.mjs, their source maps and meta.json: every input file with its mtime, which bin/dhcpike.js compares
// with a stat of each input at start so a stale bundle never runs.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry points: output name (without .mjs) → source. */
export const ENTRIES = {
  dhcpike: 'cli/main.ts',
  'sweep-worker': 'scenarios/sweep-worker.ts',
  'vopr-worker': 'scenarios/vopr/worker.ts',
};

/** The first line of meta.json's format; bin/dhcpike.js refuses any other. */
export const META_FORMAT = 'dhcpike-cli-bundle/1';

/**
 * Sources that find files next to themselves (`new URL('./library/', import.meta.url)`: the scenario library, the
 * claims, the vopr worker) must keep doing so from inside the bundle: each `import.meta.url` of a project file becomes
 * that file's own URL, computed relative to the bundle so the checkout can move with its dist-cli/.
 */
function sourceUrlPlugin(outdir) {
  return {
    name: 'dhcpike-source-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const text = await readFile(args.path, 'utf8');
        if (args.path.includes(`${sep}node_modules${sep}`) || !text.includes('import.meta.url'))
          return { contents: text, loader: 'ts' };
        const rel = relative(outdir, args.path).split(sep).join('/');
        return {
          contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
          loader: 'ts',
        };
      });
    },
  };
}

/**
 * Builds the bundle into `outdir`. `externalDeps` keeps the npm packages as imports from node_modules (the bundle
 * must then sit inside the checkout); by default they are bundled: `dhcpike --help`
 * started in 469 ms (median of 5) bundled, 613 ms external, 1927 ms through tsx on the 2-core lab machine (issue 15).
 */
export async function buildCli({ outdir = resolve(ROOT, 'dist-cli'), externalDeps = false } = {}) {
  mkdirSync(outdir, { recursive: true });
  // No meta.json while the outputs are rewritten: a CLI starting meanwhile runs the sources, not a half-written file.
  rmSync(resolve(outdir, 'meta.json'), { force: true });
  const startedMs = Date.now();
  const workerFromSweepSource = relative(resolve(ROOT, 'scenarios'), resolve(outdir, 'sweep-worker.mjs'))
    .split(sep)
    .join('/');
  const workerFromVoprSource = relative(resolve(ROOT, 'scenarios', 'vopr'), resolve(outdir, 'vopr-worker.mjs'))
    .split(sep)
    .join('/');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([out, src]) => [out, resolve(ROOT, src)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    packages: externalDeps ? 'external' : undefined,
    // scenarios/sweep.ts and scenarios/vopr/campaign.ts start their bundled sibling workers instead of the tsx ones
    // (their import.meta.url is their source's).
    define: {
      DHCPIKE_BUNDLED_SWEEP_WORKER: JSON.stringify(workerFromSweepSource),
      DHCPIKE_BUNDLED_VOPR_WORKER: JSON.stringify(workerFromVoprSource),
    },
    plugins: [sourceUrlPlugin(outdir)],
  });
  // This script and tsconfig.json (esbuild reads its compiler options) are inputs too: a change to how the bundle is
  // made makes it stale.
  const inputs = [
    ...Object.keys(result.metafile.inputs).map((p) => resolve(ROOT, p)),
    fileURLToPath(import.meta.url),
    resolve(ROOT, 'tsconfig.json'),
  ]
    .filter((p, i, all) => all.indexOf(p) === i)
    .sort();
  const stamped = inputs.map((p) => [p, statSync(p).mtimeMs]);
  // A file saved while esbuild read it would be recorded with its new mtime but bundled with its old text.
  const moved = stamped.find(([, mtimeMs]) => mtimeMs >= startedMs - 1);
  if (moved) throw new Error(`${relative(ROOT, moved[0])} changed during the build; run it again`);
  const meta = {
    format: META_FORMAT,
    externalDeps,
    // Paths relative to the bundle, like the source maps, so only the checkout's own layout matters.
    inputs: stamped.map(([p, mtimeMs]) => [relative(outdir, p).split(sep).join('/'), mtimeMs]),
  };
  writeFileSync(resolve(outdir, 'meta.json'), `${JSON.stringify(meta)}\n`);
  return { outdir, inputs: inputs.length };
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  const started = performance.now();
  const r = await buildCli({
    outdir: dir === undefined ? undefined : resolve(dir),
    externalDeps: args.includes('--external-deps'),
  });
  const ms = Math.round(performance.now() - started);
  console.log(`built ${relative(process.cwd(), r.outdir) || '.'}/ from ${r.inputs} inputs in ${ms} ms`);
}
