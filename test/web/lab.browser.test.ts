/**
 * The browser lab in a real browser: Debian's Chromium (headless) on the built site. Fails — never skips — when
 * Chromium is missing. Screenshots go to test-results/web/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { labRunner } from '../../web/runner.ts';
import { buildLane } from '../../web/model/ladder-model.ts';
import { launchChromium } from './support/browser.ts';
import { serveStatic } from './support/static-server.ts';

const SHOTS = 'test-results/web';
let server: { url: string; close(): Promise<void> };
let chromium: { context: BrowserContext; close(): Promise<void> };
const cspViolations: string[] = [];

async function open(hash = ''): Promise<Page> {
  const page = await chromium.context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => cspViolations.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}${hash}`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
  return page;
}

const timeText = (page: Page): Promise<string> => page.locator('#time').innerText();

beforeAll(async () => {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  server = await serveStatic('dist');
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('browser lab', () => {
  it('draws the default run: one arrow per packet, in trace order, with the trace digest Node computes', async () => {
    const page = await open();
    const node = labRunner.run({ scenario: 'demo-basic', method: 'dhcp-over-ike', seed: 1 });
    const summaries = await page.$$eval('#ladder g.arrow title', (ts) =>
      ts.map((t) => (t.textContent ?? '').split('\n')[1]),
    );
    expect(summaries).toEqual(node.trace.flatMap((e) => (e.type === 'send' ? [e.summary] : [])));
    expect(await page.locator('#sha').innerText()).toBe(node.traceSha256);
    expect(await page.locator('g.bracket').count()).toBe(3);
    await page.screenshot({ path: `${SHOTS}/default.png` });
    expect(cspViolations).toEqual([]);
    const firstFrameMs = await page.evaluate(
      () => (window as unknown as { __labStats: { firstFrameMs: number } }).__labStats.firstFrameMs,
    );
    console.log(`[web] first ladder frame ${firstFrameMs.toFixed(0)} ms after navigation start`);
    expect(firstFrameMs).toBeLessThan(1_000);
    await page.close();
  });

  it('steps and plays: time moves with → / ← / space', async () => {
    const page = await open('#s=demo-basic&m=dhcp-over-ike&seed=1&t=0');
    expect(await timeText(page)).toBe('0.000000 s');
    await page.keyboard.press('ArrowRight');
    expect(await timeText(page)).toBe('0.100000 s');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    expect(await timeText(page)).toBe('0.100000 s');
    await page.keyboard.press(' ');
    await page.waitForFunction(() => document.getElementById('time')?.textContent !== '0.100000 s');
    await page.waitForTimeout(400);
    await page.keyboard.press(' ');
    const t = Number((await timeText(page)).split(' ')[0]);
    expect(t).toBeGreaterThan(0.1);
    expect(await page.locator('g.arrow.past').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/playing.png` });
    await page.close();
  });

  it('inspects a packet: decoded layers beside hex, hovering a field lights its bytes', async () => {
    const page = await open('#s=demo-basic&m=dhcp-over-ike&seed=1');
    await page.locator('g.arrow[data-packet="3"] .hitline').click({ force: true });
    const fields = page.locator('#inspector .fields');
    for (const label of [
      'IPv4',
      'UDP',
      'IKE Header',
      'SK payload',
      'DHCP payload',
      'DHCP message (inside IKE)',
      '53 DHCP Message Type',
    ]) {
      await expect(fields.getByText(label, { exact: true }).first().isVisible()).resolves.toBe(true);
    }
    await fields.locator('.field', { hasText: 'Message ID' }).first().hover();
    expect(await page.$$eval('#inspector .byte.lit', (b) => b.map((x) => x.textContent).join(''))).toBe('00000001');
    await page.screenshot({ path: `${SHOTS}/inspector.png` });
    await page.close();
  });

  it('"drop this packet" re-runs from the same seed and shows the drop and the retransmission', async () => {
    const page = await open('#s=demo-basic&m=dhcp-over-ike&seed=1');
    await page.locator('g.arrow[data-packet="1"] .hitline').click({ force: true });
    await page.locator('#inspector .drop-btn').click();
    await page.waitForFunction(() => location.hash.includes('drop='));
    expect(await page.evaluate(() => location.hash)).toContain('drop=wan%3Aclient%3Agw%3A1');
    const dropped = await page.$$eval('g.arrow.dropped .drop-reason', (d) => d.map((x) => x.textContent));
    expect(dropped).toEqual(['targeted']);
    const retx = await page.$$eval('g.arrow.retransmit title', (ts) =>
      ts.map((t) => (t.textContent ?? '').split('\n')[1]),
    );
    expect(retx[0]).toBe('IKE_SA_INIT request #0 SA, KE, Nonce');
    const node = labRunner.run({
      scenario: 'demo-basic',
      method: 'dhcp-over-ike',
      seed: 1,
      overrides: {
        links: {},
        faults: [{ type: 'drop.nth', atUs: 0, id: 'ui-drop-1', link: 'wan', from: 'client', to: 'gw', n: 1 }],
      },
    });
    expect(await page.locator('#sha').innerText()).toBe(node.traceSha256);
    await page.screenshot({ path: `${SHOTS}/dropped.png` });
    await page.close();
  });

  it('rejects a bad trace file with the line and field path', async () => {
    const page = await open();
    await page.locator('#load-trace').setInputFiles({
      name: 'bad.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(
        '{"type":"timer","atUs":0,"node":"a","name":"t"}\n{"type":"timer","atUs":-1,"node":"a","name":"t"}\n',
      ),
    });
    await page.waitForSelector('#errors:not([hidden])');
    const text = await page.locator('#errors').innerText();
    expect(text).toContain('bad.jsonl: not a valid trace');
    expect(text).toContain('line 2: $.atUs: expected a non-negative integer, got -1');
    await page.screenshot({ path: `${SHOTS}/bad-file.png` });
    await page.close();
  });

  it('animates five lanes of ~200 packets without a frame over 50 ms', async () => {
    const hash = '#s=demo-busy&m=dhcp-over-ike&seed=1&cmp=dhcp-over-ike@2,dhcp-over-ike@3,mode-cfg@1,mode-cfg@2&t=0';
    const lanes = [1, 2, 3].map((seed) => labRunner.run({ scenario: 'demo-busy', method: 'dhcp-over-ike', seed }));
    expect(lanes.map((l) => buildLane(l.trace).arrows.length).every((n) => n >= 200)).toBe(true);
    const page = await open(hash);
    expect(await page.locator('g.arrow').count()).toBeGreaterThanOrEqual(1_000);
    await page.selectOption('#speed', '16');
    await page.keyboard.press(' ');
    await page.waitForTimeout(2_000);
    await page.keyboard.press(' ');
    const s = await page.evaluate(
      () => (window as unknown as { __labStats: { frameWorkMs: number[]; frameGapMs: number[] } }).__labStats,
    );
    const maxWork = Math.max(...s.frameWorkMs);
    const maxGap = Math.max(...s.frameGapMs);
    console.log(
      `[web] 5 lanes, ${s.frameWorkMs.length} frames: max frame work ${maxWork.toFixed(1)} ms, max rAF gap ${maxGap.toFixed(1)} ms`,
    );
    expect(s.frameWorkMs.length).toBeGreaterThan(10);
    expect(maxWork).toBeLessThan(50);
    await page.screenshot({ path: `${SHOTS}/compare-5-lanes.png` });
    await page.close();
  });
});
