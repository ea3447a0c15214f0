/**
 * The State panel in a real browser (Debian's Chromium, headless, as test/web/lab.browser.test.ts launches it): the
 * lab built into its own directory, a client's machine selected, a screenshot taken, and the diagram checked against
 * the machine's definition — one box per state, the active configuration highlighted, the last transition marked,
 * the steps listed beside it with the events that cause them. Screenshots: test-results/web/.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/browser.ts';
import { definitionFor } from '../../web/model/machine-defs.ts';
import { edgeFor, layoutMachine } from '../../web/model/machine-layout.ts';
import { builtLab, SHOTS } from './support/built-site.ts';

const lab = builtLab('state-panel');
const pageErrors = lab.pageErrors;
const open = (hash: string): ReturnType<typeof lab.open> => lab.open(hash);

describe('State panel: the machines drawn from their definitions', () => {
  it("selects client1's DHCP client: one box per state, BOUND active, the last step's arrow animated", async () => {
    // dhcp-over-ipsec: the client runs the RFC 2131 client over the DHCP SA (RFC 3456 §3.1); at 1.022 s it is BOUND.
    const page = await open('#s=basic&m=dhcp-over-ipsec&seed=1&t=1022000');
    const chip = page.locator('#states .machine-chip[data-node="client1"][data-machine="dhcp"]');
    await chip.click();
    expect(await chip.getAttribute('aria-pressed')).toBe('true');
    const machine = page.locator('#states .machine[data-node="client1"][data-machine="dhcp"]');
    await machine.locator('svg.chart').waitFor();
    await machine.scrollIntoViewIfNeeded();
    await page.locator('#states').screenshot({ path: `${SHOTS}/state-panel-dhcp.png` });

    const def = definitionFor('dhcp', 'client · DHCP over IPsec');
    expect(def?.id).toBe('dhcpClient');
    const boxes = await machine.locator('svg.chart g.state').evaluateAll((gs) =>
      gs.map((g) => ({
        state: g.getAttribute('data-state'),
        label: g.querySelector('text')?.textContent,
        active: g.classList.contains('active'),
        w: Number(g.querySelector('rect')?.getAttribute('width')),
      })),
    );
    // One box per state of the definition, each labelled with its name and drawn with a size.
    expect(boxes.map((b) => b.state).sort()).toEqual(def?.states.map((s) => s.path).sort());
    expect(boxes.every((b) => b.label === b.state && b.w > 0)).toBe(true);
    expect(boxes.filter((b) => b.active).map((b) => b.state)).toEqual(['BOUND']);
    // The active box is painted differently from the others (the highlight is visible, not only a class).
    const fills = await machine
      .locator('svg.chart g.state rect')
      .evaluateAll((rs) => rs.map((r) => getComputedStyle(r).fill));
    expect(new Set(fills).size).toBeGreaterThan(1);
    // Every arrow of the definition is drawn: one per (from, to) pair, labelled `event [guard]`.
    const layout = layoutMachine(def as NonNullable<typeof def>);
    const edges = await machine.locator('svg.chart g.edge').evaluateAll((gs) =>
      gs.map((g) => ({
        id: g.getAttribute('data-edge'),
        last: g.classList.contains('last'),
        title: g.querySelector('title')?.textContent ?? '',
      })),
    );
    expect(edges.map((e) => e.id).sort()).toEqual(layout.edges.map((e) => e.id).sort());
    expect(edges.find((e) => e.id === 'REQUESTING→BOUND')?.title).toContain('dhcp.recv [isAck]');
    // The step into BOUND is the last one: its arrow is the animated one, and the step list ends with it.
    const trace = runScenario('basic', { method: 'dhcp-over-ipsec', seed: 1 }).trace;
    const steps = trace.filter(
      (e) => e.type === 'state' && e.node === 'client1' && e.machine === 'dhcp' && e.atUs <= 1_022_000,
    );
    const lastStep = steps.at(-1) as { from: string; to: string };
    expect(lastStep.to).toBe('BOUND');
    const lastEdge = edgeFor(layout.edges, lastStep.from, lastStep.to);
    expect(edges.filter((e) => e.last).map((e) => e.id)).toEqual([lastEdge?.id]);
    const animation = await machine
      .locator('svg.chart g.edge.last path')
      .evaluate((p) => getComputedStyle(p).animationName);
    expect(animation).toBe('chart-flow');
    const items = await machine.locator('ol.history li').allInnerTexts();
    expect(items.length).toBe(steps.length);
    expect(items.at(-1)).toContain(`${lastStep.from} → BOUND on ${lastEdge?.labels.join(' / ')}`);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("the IKE initiator's compound state holds its children and is highlighted with its active child", async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1&t=1022000');
    await page.locator('#states .machine-chip[data-node="client1"][data-machine="ike"]').click();
    const machine = page.locator('#states .machine[data-node="client1"][data-machine="ike"]');
    await machine.locator('svg.chart').waitFor();
    await page.locator('#states').screenshot({ path: `${SHOTS}/state-panel-ike.png` });
    const def = definitionFor('ike', 'client · IKE initiator');
    const count = await machine.locator('svg.chart g.state').count();
    expect(count).toBe(def?.states.length);
    const active = await machine
      .locator('svg.chart g.state.active')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    // The trace says `established.window.ready` (a parallel state is traced by its first region, the request window).
    expect(active.sort()).toEqual(['established', 'established.window', 'established.window.ready']);
    // A child box lies inside its parent's box.
    const rect = async (s: string): Promise<{ x: number; y: number; width: number; height: number }> =>
      (await machine.locator(`svg.chart g.state[data-state="${s}"] > rect`).boundingBox()) as never;
    const parent = await rect('established');
    const child = await rect('established.window.ready');
    expect(child.x).toBeGreaterThanOrEqual(parent.x);
    expect(child.y).toBeGreaterThanOrEqual(parent.y);
    expect(child.x + child.width).toBeLessThanOrEqual(parent.x + parent.width + 0.5);
    expect(child.y + child.height).toBeLessThanOrEqual(parent.y + parent.height + 0.5);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
