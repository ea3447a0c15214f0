/**
 * The lab built for one browser test file into a directory of its own (`test-results/dist-<name>`): vitest runs the
 * browser test files in parallel, and two builds into one `dist/` would empty it under each other's server.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.ts';
import { serveStatic } from './static-server.ts';

export async function buildSite(name: string): Promise<string> {
  const out = `test-results/dist-${name}`;
  rmSync(out, { recursive: true, force: true });
  // vite's root is web/ (vite.config.ts): the output path is relative to it.
  await promisify(execFile)('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', `../${out}`, '--emptyOutDir']);
  return out;
}

/** Screenshots of the browser tests. */
export const SHOTS = 'test-results/web';

export interface BuiltLab {
  /** Opens the lab on `hash` (at a viewport size when given) and waits until it has drawn its first run. */
  open(hash: string, viewport?: { readonly width: number; readonly height: number }): Promise<Page>;
  /** Uncaught errors of every page opened so far. */
  readonly pageErrors: string[];
}

/**
 * The set-up a browser test file shares: the lab built into its own directory, served, and a fresh Chromium for the
 * file (registered as the file's beforeAll/afterAll).
 */
export function builtLab(name: string): BuiltLab {
  let server: { url: string; close(): Promise<void> } | undefined;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await serveStatic(await buildSite(name));
    chromium = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });
  return {
    pageErrors,
    open: async (hash, viewport) => {
      if (chromium === undefined || server === undefined) throw new Error('the lab is not built yet');
      const page = await chromium.context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      if (viewport) await page.setViewportSize(viewport);
      await page.goto(`${server.url}${hash}`);
      await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
      return page;
    },
  };
}
