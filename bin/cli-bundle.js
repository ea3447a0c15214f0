// Is the prebuilt CLI bundle (`npm run build:cli`, scripts/build-cli.mjs) there and built from the sources as they
// are now? meta.json lists every input with its mtime at build time; one stat per input (~380, a few ms) tells.
// Plain JS with no imports beyond node:fs/url, so bin/dhcpike.js can ask before it decides to load tsx.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const META_FORMAT = 'dhcpike-cli-bundle/1';
const OUTPUTS = ['dhcpike.mjs', 'sweep-worker.mjs'];

/** The bundle's directory: DHCPIKE_BUNDLE_DIR (tests build into a temp dir), else dist-cli/ of this checkout. */
export function bundleDirUrl(env = process.env) {
  const dir = env.DHCPIKE_BUNDLE_DIR;
  return dir ? pathToFileURL(`${resolve(dir)}/`) : new URL('../dist-cli/', import.meta.url);
}

/**
 * `{ use: true, dirUrl }` when the bundle may run; else `{ use: false, reason }`: DHCPIKE_NO_BUNDLE=1, not built, an
 * unreadable or foreign meta.json, or an input changed, moved or deleted since the build (its mtime differs).
 */
export function bundleChoice(env = process.env) {
  const dirUrl = bundleDirUrl(env);
  if (env.DHCPIKE_NO_BUNDLE === '1') return { use: false, reason: 'DHCPIKE_NO_BUNDLE=1' };
  let meta;
  try {
    meta = JSON.parse(readFileSync(new URL('meta.json', dirUrl), 'utf8'));
  } catch {
    return { use: false, reason: `no bundle in ${fileURLToPath(dirUrl)} (npm run build:cli)` };
  }
  if (meta?.format !== META_FORMAT || !Array.isArray(meta.inputs))
    return { use: false, reason: `${fileURLToPath(dirUrl)}meta.json is not ${META_FORMAT}` };
  for (const out of OUTPUTS) {
    try {
      statSync(new URL(out, dirUrl));
    } catch {
      return { use: false, reason: `${out} missing from the bundle` };
    }
  }
  for (const [path, mtimeMs] of meta.inputs) {
    let now;
    try {
      now = statSync(new URL(path, dirUrl)).mtimeMs;
    } catch {
      return { use: false, reason: `bundle stale: ${path} is gone` };
    }
    if (now !== mtimeMs) return { use: false, reason: `bundle stale: ${path} changed since the build` };
  }
  return { use: true, dirUrl };
}
