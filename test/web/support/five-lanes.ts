/**
 * The five-lane run used both by the browser test (that it plays) and by `npm run bench -- web` (how fast): the
 * library's rekey-renewal over 320 s, which gives every method about 200 packets, compared side by side.
 */
import type { Page } from 'playwright-core';
import { libraryDocument } from '../../../scenarios/browser.ts';

export interface LabStats {
  firstFrameMs: number;
  frameWorkMs: number[];
  frameGapMs: number[];
}

export function rekeyLongDocument(): { name: string; durationMs: number } {
  const doc = libraryDocument('rekey-renewal') as { name: string; durationMs: number };
  doc.name = 'rekey-long';
  doc.durationMs = 320_000;
  return doc;
}

/** Loads the run as a user's file and opens all five methods as lanes. */
export async function openFiveLanes(page: Page): Promise<void> {
  await page.locator('#load-scenario').setInputFiles({
    name: 'rekey-long.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(rekeyLongDocument())),
  });
  await page.waitForFunction(() => document.getElementById('run-id')?.textContent?.startsWith('rekey-long'));
  await page.locator('#compare-all').click();
  await page.waitForFunction(() => document.querySelectorAll('#ladder .lane-head').length === 5);
}

/** Plays from 0 at ×16 for `playMs` of wall time and returns the frame statistics of just that stretch. */
export async function playFromStart(page: Page, playMs: number): Promise<LabStats> {
  await page.evaluate(() => {
    const s = (window as unknown as { __labStats: LabStats }).__labStats;
    s.frameWorkMs.length = 0;
    s.frameGapMs.length = 0;
  });
  await page.locator('#jump').fill('0');
  await page.locator('#jump').press('Enter');
  await page.selectOption('#speed', '16');
  await page.locator('#play').click();
  await page.waitForTimeout(playMs);
  await page.locator('#play').click();
  return page.evaluate(() => (window as unknown as { __labStats: LabStats }).__labStats);
}
