/**
 * Large runs in a real browser (issue 16 item 6): Debian's Chromium (headless) on the built site. storm-1000 with a
 * shorter run (its `durationMs`, `crashMs` and `restartMs` parameters: 1,000 clients connect over 10 s, the gateway
 * crashes at 10 s and restarts at 11 s) runs in the worker with a progress bar while the page keeps answering, reaches
 * its aggregate view with the CLI's digest, and draws only the picked clients as lifelines; Cancel stops a run; the
 * worker's digest of `basic` equals the CLI's and the main-thread runner's. Behaviour only: how long the page's
 * longest task is, is a figure of `npm run bench -- web`, not an assertion.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { STORM_SHORT_HASH, STORM_SHORT_PARAMS } from './support/storm-short.ts';
import { buildSite } from './support/built-site.ts';
import { serveStatic } from './support/static-server.ts';
import type { LargeRunProbe } from '../../web/worker/large-run.ts';

const run = promisify(execFile);
const SHOTS = 'test-results/web';
let server: { url: string; close(): Promise<void> };
let chromium: { context: BrowserContext; close(): Promise<void> };
let cliBasic: string;
let cliStorm: string;
let cliStormAddressed: number;
const pageErrors: string[] = [];

interface CliRun {
  readonly traceSha256: string;
  readonly metrics: { readonly addressed: number };
}

/** `dhcpike run … --json`; exit 1 (an expectation failed) still prints the JSON. */
async function cliRun(args: string[]): Promise<CliRun> {
  const out = await run('node', ['bin/dhcpike.js', 'run', ...args, '--json', '--quiet'], {
    maxBuffer: 64 << 20,
  }).catch((e: { stdout?: string }) => {
    if (typeof e.stdout === 'string' && e.stdout.startsWith('{')) return { stdout: e.stdout };
    throw e;
  });
  return JSON.parse(out.stdout) as CliRun;
}

async function open(hash: string): Promise<Page> {
  const page = await chromium.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(`${server.url}${hash}`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 20_000 });
  return page;
}

const atUs = (page: Page): Promise<number> =>
  page.evaluate(() => Number(document.getElementById('large-progress')?.dataset.atUs ?? '0'));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const params = Object.entries(STORM_SHORT_PARAMS).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
  const [site, basic, storm] = await Promise.all([
    buildSite('large-run'),
    cliRun(['basic', '--method', 'dhcp-over-ike', '--seed', '1']),
    cliRun(['storm-1000', '--method', 'dhcp-over-ike', '--seed', '1', ...params]),
  ]);
  cliBasic = basic.traceSha256;
  cliStorm = storm.traceSha256;
  cliStormAddressed = storm.metrics.addressed;
  server = await serveStatic(site);
  chromium = await launchChromium();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('large runs in the worker', () => {
  it('storm-1000 (short): progress while the page answers, then the aggregate view with the CLI digest', async () => {
    const page = await open(STORM_SHORT_HASH);
    // The run goes on in the worker: the progress bar moves and the page answers evaluate() meanwhile.
    await page.waitForFunction(() => Number(document.getElementById('large-progress')?.dataset.atUs ?? '0') > 0, null, {
      timeout: 60_000,
    });
    const first = await atUs(page);
    expect(await page.evaluate(() => document.body.dataset.largeRun)).toBe('running');
    expect(await page.locator('#run-cancel').isEnabled()).toBe(true);
    await page.waitForFunction((t) => Number(document.getElementById('large-progress')?.dataset.atUs) > t, first, {
      timeout: 60_000,
    });
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    await page.waitForSelector('body[data-large-run=done]', { timeout: 120_000 });

    expect(await page.locator('#sha').innerText()).toBe(cliStorm);
    expect(await page.locator('#aggregate').isVisible()).toBe(true);
    expect(await page.locator('#aggregate figure.agg-chart').evaluateAll((f) => f.map((x) => x.dataset.chart))).toEqual(
      ['addressed', 'queue', 'retransmits', 'states'],
    );
    // The headline figures are the CLI's; the state chart has one area per state of the machine shown.
    expect(await page.locator('#aggregate .agg-addressed.agg-line').count()).toBe(1);
    expect(await page.locator('#aggregate path.agg-state').count()).toBeGreaterThan(1);
    expect(cliStormAddressed).toBeGreaterThan(900);
    expect(await page.locator('#aggregate .agg-summary').innerText()).toContain(`addressed ${cliStormAddressed} `);
    // The ladder draws the first three clients and the gateway, not 1,003 lifelines.
    const heads = (): Promise<string[]> => page.locator('#ladder .lane-head .node-head text').allTextContents();
    expect(await heads()).toEqual(['client1', 'client2', 'client3', 'gw']);
    expect(await page.locator('#ladder g.arrow').count()).toBeGreaterThan(10);
    await page.screenshot({ path: `${SHOTS}/large-storm-aggregate.png` });

    // A click on a chart moves the player's cursor there (the middle of the 20 s axis: about 10 s).
    const chart = page.locator('#aggregate figure[data-chart="addressed"] svg');
    const box = await chart.boundingBox();
    if (!box) throw new Error('no chart box');
    await chart.click({ position: { x: box.width * ((40 + (340 - 40 - 16) / 2) / 340), y: box.height / 2 } });
    const secs = Number((await page.locator('#time').innerText()).replace(/ s$/, ''));
    expect(secs).toBeGreaterThan(9);
    expect(secs).toBeLessThan(11);

    // Export: the whole trace from the worker (not the three clients the page holds), hashing to the digest.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-jsonl').click()]);
    const jsonl = readFileSync((await download.path()) as string);
    expect(createHash('sha256').update(jsonl).digest('hex')).toBe(cliStorm);
    expect(jsonl.toString('utf8').split('\n').length - 1).toBeGreaterThan(50_000);

    // The picker: another client in, one out, none.
    await page.locator('#agg-pick-input').fill('client500');
    await page.locator('#agg-pick-add').click();
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('#ladder .lane-head .node-head text')).some(
        (t) => t.textContent === 'client500',
      ),
    );
    expect(await heads()).toEqual(['client1', 'client2', 'client3', 'client500', 'gw']);
    await page.locator('.agg-chip[data-client="client2"] button').click();
    await page.waitForFunction(() => document.querySelectorAll('.agg-chip').length === 3);
    expect(await heads()).toEqual(['client1', 'client3', 'client500', 'gw']);
    await page.locator('#agg-pick-none').click();
    await page.waitForFunction(() => document.querySelectorAll('.agg-chip').length === 0);
    expect(await page.locator('#ladder g.arrow').count()).toBe(0);
    // The digest is the whole run's whatever is drawn.
    expect(await page.locator('#sha').innerText()).toBe(cliStorm);
    await page.close();
  });

  it('Cancel stops a run: the progress stands still and no aggregate is drawn', async () => {
    // The full 240 s storm: far longer than the test waits. A compare lane is not run for a large run, and said so.
    const page = await open('#s=storm-1000&m=mode-cfg&seed=1&cmp=dhcp-over-ike@1');
    expect(await page.locator('#large-progress .progress-title').innerText()).toContain(
      'compare lanes are not run for large runs: 1 left out',
    );
    await page.waitForFunction(() => Number(document.getElementById('large-progress')?.dataset.atUs ?? '0') > 0, null, {
      timeout: 60_000,
    });
    await page.locator('#run-cancel').click();
    await page.waitForSelector('body[data-large-run=cancelled]');
    const stoppedAt = await atUs(page);
    expect(await page.locator('#run-progress-text').innerText()).toMatch(/^cancelled at \d+\.\d s of 240\.0 s/);
    expect(await page.evaluate(() => (window as unknown as { __labLarge: LargeRunProbe }).__labLarge.busy())).toBe(
      false,
    );
    expect(await page.locator('#run-cancel').isDisabled()).toBe(true);
    // Nothing arrives from the terminated worker.
    await page.waitForTimeout(1_500);
    expect(await atUs(page)).toBe(stoppedAt);
    expect(await page.evaluate(() => document.body.dataset.largeRun)).toBe('cancelled');
    expect(await page.locator('#aggregate').isHidden()).toBe(true);
    expect(await page.locator('#sha').innerText()).toBe('');
    await page.screenshot({ path: `${SHOTS}/large-cancelled.png` });
    await page.close();
  });

  it('basic in the worker has the CLI digest and the main-thread runner digest', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    const mainThread = await page.locator('#sha').innerText();
    const worker = await page.evaluate(() =>
      (window as unknown as { __labLarge: LargeRunProbe }).__labLarge.workerDigest({
        scenario: 'basic',
        method: 'dhcp-over-ike',
        seed: 1,
      }),
    );
    expect(mainThread).toBe(cliBasic);
    expect(worker.traceSha256).toBe(cliBasic);
    expect(worker.traceEvents).toBeGreaterThan(20);
    // A small run stays on the main thread, without the large-run views.
    expect(await page.locator('#aggregate').isHidden()).toBe(true);
    expect(await page.locator('#large-progress').isHidden()).toBe(true);
    await page.close();
  });

  it('raised no page error or CSP violation', () => {
    expect(pageErrors).toEqual([]);
  });
});
