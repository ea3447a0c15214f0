/**
 * The lab at a projector's and a phone's size (issue 16), in Debian's Chromium: every lifeline of `basic` on screen at
 * 1024×768, the ladder first on a phone, labels led by the payload that tells the methods apart and never written
 * over each other, the panels as a drawer that a packet click opens, presentation mode, keyboard-only inspection, and
 * Back returning to the previous run. Screenshots: test-results/web/.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { runScenario } from '../../scenarios/browser.ts';
import { builtLab, SHOTS } from './support/built-site.ts';

const lab = builtLab('layout');

afterAll(() => {
  expect(lab.pageErrors).toEqual([]);
});

async function open(hash: string, width: number, height: number): Promise<Page> {
  const page = await lab.open(hash, { width, height });
  // The ladder is redrawn to its width on the first animation frame after layout.
  await page.waitForTimeout(150);
  return page;
}

interface Box {
  readonly text: string;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Screen boxes of the drawn (non-empty) arrow labels. */
const labelBoxes = (page: Page): Promise<Box[]> =>
  page.$$eval('#ladder text.label', (ts) =>
    ts
      .filter((t) => (t.textContent ?? '') !== '')
      .map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent ?? '', left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      }),
  );

/** Rotated text's bounding boxes are generous; two labels overlap when their boxes share more than a sliver. */
function overlapping(boxes: readonly Box[]): [string, string][] {
  const out: [string, string][] = [];
  boxes.forEach((a, i) =>
    boxes.slice(i + 1).forEach((b) => {
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      const share =
        (w * h) / Math.min((a.right - a.left) * (a.bottom - a.top), (b.right - b.left) * (b.bottom - b.top));
      if (w > 0 && h > 0 && share > 0.5) out.push([a.text, b.text]);
    }),
  );
  return out;
}

describe('the lab on a projector and on a phone', () => {
  it('1024×768: every lifeline of basic on screen, the panels a closed drawer that a packet click opens', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1', 1024, 768);
    const heads = await page.$$eval('#ladder .node-head rect', (rs) => rs.map((r) => r.getBoundingClientRect().right));
    expect(heads).toHaveLength(4);
    for (const right of heads) expect(right).toBeLessThanOrEqual(1024);
    expect(await page.locator('aside.side').isVisible()).toBe(false);
    expect(overlapping(await labelBoxes(page))).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/layout-1024x768.png` });
    await page.locator('#ladder g.arrow').nth(2).locator('.hitline').click({ force: true });
    expect(await page.locator('aside.side').isVisible()).toBe(true);
    expect(await page.locator('#inspector .summary').innerText()).toMatch(/^IKE_AUTH request #1/);
    await page.screenshot({ path: `${SHOTS}/layout-1024x768-drawer.png` });
    await page.close();
  });

  it('390×844 (a phone): the ladder first at the full width, the panels below it, no sideways scroll', async () => {
    const page = await open('#s=basic&m=mode-cfg&seed=1', 390, 844);
    const ladder = await page.locator('#ladder').boundingBox();
    const side = await page.locator('aside.side').boundingBox();
    expect(ladder?.width).toBe(390);
    expect(side).not.toBeNull();
    expect(side?.y ?? 0).toBeGreaterThanOrEqual((ladder?.y ?? 0) + (ladder?.height ?? 0));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.screenshot({ path: `${SHOTS}/layout-390x844.png` });
    await page.close();
  });

  it('each method’s IKE_AUTH label leads with its distinguishing payload, shown whole', async () => {
    const expected: Record<string, string> = {
      'dhcp-over-ike': 'IKE_AUTH ▸ DHCP(DISCOVER)',
      'dhcp-over-ike-wg': 'IKE_AUTH ▸ DHCP(DISCOVER)',
      'mode-cfg': 'IKE_AUTH ▸ CP(CFG_REQUEST)',
      'mode-cfg-dhcp': 'IKE_AUTH ▸ CP(CFG_REQUEST)',
      // RFC 3456's IKE_AUTH carries nothing of its own: the DHCP SA is an ordinary Child SA.
      'dhcp-over-ipsec': 'IKE_AUTH ▸ IDi',
    };
    for (const [method, head] of Object.entries(expected)) {
      const page = await open(`#s=basic&m=${method}&seed=1`, 1024, 768);
      const label = await page
        .locator('#ladder g.arrow', { has: page.locator('title', { hasText: 'IKE_AUTH request #1' }) })
        .first()
        .locator('text.label')
        .textContent();
      expect(label?.startsWith(head), `${method}: ${label ?? ''}`).toBe(true);
      await page.close();
    }
  });

  it('keyboard only: Tab reaches a packet, ↓ moves to the next, Enter opens the inspector on it', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1', 1280, 720);
    let onArrow = false;
    for (let i = 0; i < 80 && !onArrow; i++) {
      await page.keyboard.press('Tab');
      onArrow = await page.evaluate(() => document.activeElement?.classList.contains('arrow') === true);
    }
    expect(onArrow).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    expect(focused).toContain('IKE_AUTH request #1');
    await page.keyboard.press('Enter');
    expect(await page.locator('#inspector .summary').innerText()).toMatch(/^IKE_AUTH request #1/);
    expect(await page.locator('#ladder svg.ladder-body').getAttribute('aria-label')).toMatch(
      /^ladder diagram: \d+ packets$/,
    );
    await page.close();
  });

  it('presentation mode: one lane, no panels, larger type', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1&cmp=mode-cfg@1', 1280, 720);
    expect(await page.locator('#ladder .lane-head').count()).toBe(2);
    const before = await page
      .locator('#ladder text.label')
      .first()
      .evaluate((t) => getComputedStyle(t).fontSize);
    await page.locator('#present').click();
    await page.waitForTimeout(150);
    expect(await page.locator('#ladder .lane-head').count()).toBe(1);
    expect(await page.locator('aside.side').isVisible()).toBe(false);
    const after = await page
      .locator('#ladder text.label')
      .first()
      .evaluate((t) => getComputedStyle(t).fontSize);
    expect(parseFloat(after)).toBeGreaterThan(parseFloat(before));
    await page.screenshot({ path: `${SHOTS}/layout-present-1280x720.png` });
    await page.close();
  });

  it('Back returns to the previous run; the replay command is the CLI’s', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1', 1440, 900);
    const first = await page.locator('#sha').innerText();
    expect(await page.locator('#replay').textContent()).toBe('npx dhcpike run basic --method dhcp-over-ike --seed 1');
    await page.selectOption('#method', 'mode-cfg');
    await page.waitForFunction((b) => document.getElementById('sha')?.textContent !== b, first);
    expect(await page.locator('#replay').textContent()).toBe('npx dhcpike run basic --method mode-cfg --seed 1');
    await page.goBack();
    await page.waitForFunction((b) => document.getElementById('sha')?.textContent === b, first);
    expect(await page.locator('#method').inputValue()).toBe('dhcp-over-ike');
    await page.close();
  });
});

describe('the timeline and the expectations strip', () => {
  it('lists every note of wildcard-hazard, filters them, and moves the cursor to a row', async () => {
    const page = await open('#s=wildcard-hazard&m=dhcp-over-ipsec&seed=1', 1440, 900);
    const node = runScenario('wildcard-hazard', { method: 'dhcp-over-ipsec', seed: 1 });
    const notes = node.trace.filter((e) => e.type === 'note');
    await page.locator('.timeline-filter').fill('kind:note');
    expect(await page.locator('ol.timeline li').count()).toBe(notes.length);
    expect(await page.locator('.timeline-count').innerText()).toContain(`${notes.length} of `);
    // Notes are drawn on the lifelines too.
    expect(await page.locator('#ladder g.mark.note').count()).toBe(notes.length);
    await page.locator('ol.timeline li').nth(3).click();
    const at = notes[3]?.atUs ?? -1;
    expect(await page.locator('#time').innerText()).toBe(`${(at / 1e6).toFixed(6)} s`);
    expect(await page.locator('ol.timeline li.current').getAttribute('id')).toBe('tl-3');
    await page.locator('.timeline-filter').fill('kind:bogus');
    expect(await page.locator('.timeline-problems').innerText()).toContain('kind is one of');
    await page.close();
  });

  it('a failing expectation shows ✗ in the strip, and a click moves the cursor to its deadline', async () => {
    // The IKE_AUTH request dropped: its retransmission 4 s later addresses the client long after 1000 ms.
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1&drop=outside%3Aclient1%3Agw%3A2', 1280, 720);
    const chips = page.locator('#expectations .expectation');
    const failed = page.locator('#expectations .expectation.failed');
    expect(await failed.count()).toBe(1);
    expect(await failed.innerText()).toBe('✗ all clients addressed by 1000 ms');
    expect(await chips.count()).toBeGreaterThan(1);
    await failed.click();
    expect(await page.locator('#time').innerText()).toBe('1.000000 s');
    await page.screenshot({ path: `${SHOTS}/expectations-failed.png` });
    await page.close();
  });
});
