/**
 * The browser lab in a real browser: Debian's Chromium (headless) on the built site (`vite build`, served statically on
 * 127.0.0.1), against the real scenarios/ runner. Fails — never skips — when Chromium is missing. The CLI's own output
 * (`dhcpike run|compare|claims|sweep --json`) is the reference the page must equal. Screenshots: test-results/web/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { COMPARE_ROWS, libraryDocument, metricAt, runScenario, METHOD_IDS } from '../../scenarios/browser.ts';
import { buildLane, narrowLane } from '../../web/model/ladder-model.ts';
import { definitionFor } from '../../web/model/machine-defs.ts';
import { launchChromium } from './support/browser.ts';
import { openFiveLanes, playFromStart, rekeyLongDocument } from './support/five-lanes.ts';
import { buildSite } from './support/built-site.ts';
import { serveStatic } from './support/static-server.ts';

const run = promisify(execFile);
const SHOTS = 'test-results/web';
const SWEEP_FILE = `${SHOTS}/sweep-sample.jsonl`;
let server: { url: string; close(): Promise<void> };
let chromium: { context: BrowserContext; close(): Promise<void> };
const cspViolations: string[] = [];

interface CliCompare {
  scenario: string;
  seed: number;
  results: { method: string; traceSha256: string; metrics: object }[];
}
let cliRun: { traceSha256: string };
let cliCompare: CliCompare;
let cliClaims: string;

async function open(hash = ''): Promise<Page> {
  const page = await chromium.context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to|unsafe-eval/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => cspViolations.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}${hash}`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
  return page;
}

/** Navigates an open page to another run through the URL (the hashchange path) and waits for its digest. */
async function goTo(page: Page, hash: string): Promise<void> {
  const before = await page.locator('#sha').innerText();
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForFunction((b) => document.getElementById('sha')?.textContent !== b, before);
}

const timeText = (page: Page): Promise<string> => page.locator('#time').innerText();
const dhcpike = (args: string[]): Promise<{ stdout: string }> =>
  run('node', ['bin/dhcpike.js', ...args], { maxBuffer: 64 << 20 }).catch((e: { stdout?: string }) => {
    // `compare`/`claims` exit 1 when an expectation or claim fails; their JSON is still the reference.
    if (typeof e.stdout === 'string' && e.stdout.startsWith('{')) return { stdout: e.stdout };
    throw e;
  });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const [site, runOut, compareOut, claimsOut] = await Promise.all([
    buildSite('lab'),
    dhcpike(['run', 'basic', '--method', 'dhcp-over-ike', '--seed', '1', '--json']),
    dhcpike(['compare', 'basic', '--json']),
    dhcpike(['claims', '--json']),
    dhcpike([
      'sweep',
      'lossy',
      '--seeds',
      '1..3',
      '--param',
      'loss=0.05,0.1,0.2',
      '--methods',
      'mode-cfg,dhcp-over-ike',
      '--out',
      SWEEP_FILE,
    ]),
  ]);
  cliRun = JSON.parse(runOut.stdout) as { traceSha256: string };
  cliCompare = JSON.parse(compareOut.stdout) as CliCompare;
  cliClaims = claimsOut.stdout;
  server = await serveStatic(site);
  chromium = await launchChromium();
}, 90_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('browser lab on the real runner', () => {
  it('opens on basic / dhcp-over-ike: arrows in trace order, the CLI digest, machines from their definitions', async () => {
    const page = await open();
    expect(await page.evaluate(() => location.hash)).toBe('#s=basic&m=dhcp-over-ike&seed=1&t=1022000');
    const node = runScenario('basic', { method: 'dhcp-over-ike', seed: 1 });
    const summaries = await page.$$eval('#ladder g.arrow title', (ts) =>
      ts.map((t) => (t.textContent ?? '').split('\n')[1]),
    );
    expect(summaries).toEqual(node.trace.flatMap((e) => (e.type === 'send' ? [e.summary] : [])));
    expect(summaries.slice(0, 3)).toEqual([
      'IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      'IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      'IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}',
    ]);
    expect(await page.locator('#sha').innerText()).toBe(cliRun.traceSha256);
    expect(await page.locator('#run-id').innerText()).toBe('basic · dhcp-over-ike · seed 1');
    expect(await page.locator('#ladder .lane-head .node-head text').allTextContents()).toEqual([
      'client1',
      'gw',
      'dhcp',
      'host',
    ]);
    expect(await page.locator('g.bracket').count()).toBe(3);
    // State panel: client1's initiator (chosen by its chip) drawn from its xstate definition, one box per state, the
    // active configuration at the cursor (the end) highlighted; test/web/state-panel.browser.test.ts checks the rest.
    await page.locator('#states .machine-chip[data-node="client1"][data-machine="ike"]').click();
    const ike = page.locator('#states .machine[data-node="client1"][data-machine="ike"]');
    await ike.locator('svg.chart').waitFor();
    // (Boxes are drawn outer first, so compare as sets.)
    expect(
      (
        await ike.locator('svg.chart g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state') ?? ''))
      ).sort(),
    ).toEqual(
      definitionFor('ike', 'client')
        ?.states.map((s) => s.path)
        .sort(),
    );
    expect(
      (
        await ike.locator('svg.chart g.state.active').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')))
      ).sort(),
      // The trace names a parallel state by its first region (the request window).
    ).toEqual(['established', 'established.window', 'established.window.ready']);
    const dhcpChip = page.locator('#states .machine-chip[data-node="client1"][data-machine="dhcp"] .chip-state');
    expect(await dhcpChip.innerText()).toBe('BOUND');
    const connectionChip = page.locator(
      '#states .machine-chip[data-node="client1"][data-machine="connection"] .chip-state',
    );
    expect(await connectionChip.innerText()).toBe('connected.steady');
    // The gateway runs its own machine (up ⇄ down) and one responder per IKE SA, each drawn from its definition.
    await page.locator('#states .machine-chip[data-node="gw"][data-machine="gateway"]').click();
    expect((await page.locator('#states .machine[data-node="gw"] .def').innerText()).trim()).toBe('(gateway)');
    await page.locator('#states .machine-chip[data-node="gw"][data-machine^="ike:"]').first().click();
    expect((await page.locator('#states .machine[data-node="gw"] .def').innerText()).trim()).toBe('(ike-r)');
    // Labels are laid out without overlaps (test/web/label-layout.test.ts): some shortened, none missing here.
    const labels = await page.$$eval('#ladder text.label', (ts) => ts.map((t) => t.textContent ?? ''));
    expect(labels.filter((t) => t !== '').length).toBe(14);
    await page.screenshot({ path: `${SHOTS}/default.png` });
    // The first frame is recorded (its time is a figure of `npm run bench -- web`, never asserted here).
    const firstFrameMs = await page.evaluate(
      () => (window as unknown as { __labStats: { firstFrameMs: number } }).__labStats.firstFrameMs,
    );
    expect(firstFrameMs).toBeGreaterThan(0);
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('shows the traceSha256 `dhcpike run|compare` prints for basic with each of the five methods', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    expect(cliCompare.results.map((r) => r.method)).toEqual([...METHOD_IDS]);
    const shown: Record<string, string> = { 'dhcp-over-ike': await page.locator('#sha').innerText() };
    for (const m of METHOD_IDS.slice(1)) {
      await goTo(page, `#s=basic&m=${m}&seed=1`);
      expect(await page.locator('#run-id').innerText()).toBe(`basic · ${m} · seed 1`);
      shown[m] = await page.locator('#sha').innerText();
    }
    expect(shown).toEqual(Object.fromEntries(cliCompare.results.map((r) => [r.method, r.traceSha256])));
    expect(shown['dhcp-over-ike']).toBe(cliRun.traceSha256);
    // An option from the URL goes through the same loader: same digest as the library call.
    await goTo(page, '#s=basic&m=mode-cfg&seed=7&o=retransmit:doubling');
    expect(await page.locator('#sha').innerText()).toBe(
      runScenario('basic', { method: 'mode-cfg', seed: 7, options: { retransmit: 'doubling' } }).traceSha256,
    );
    await page.close();
  });

  it('steps and plays: time moves with → / ← / space', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1&t=0');
    expect(await timeText(page)).toBe('0.000000 s');
    await page.keyboard.press('ArrowRight');
    expect(await timeText(page)).toBe('0.010000 s');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    expect(await timeText(page)).toBe('0.010000 s');
    await page.keyboard.press(' ');
    await page.waitForFunction(() => document.getElementById('time')?.textContent !== '0.010000 s');
    await page.waitForTimeout(300);
    await page.keyboard.press(' ');
    const t = Number((await timeText(page)).split(' ')[0]);
    expect(t).toBeGreaterThan(0.01);
    expect(await page.locator('g.arrow.past').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('real crypto in the browser: the Node digest, the inspector decrypts with the run keys, the .keys export', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1&o=crypto:real');
    const node = runScenario('basic', { method: 'dhcp-over-ike', seed: 1, options: { crypto: 'real' } });
    // The @noble crypto computes in Chromium the bytes Node computes (non-negotiable 1).
    expect(await page.locator('#sha').innerText()).toBe(node.traceSha256);
    const send = node.trace.find((e) => e.type === 'send' && e.summary.startsWith('IKE_AUTH request #1'));
    const note = node.trace.find((e) => e.type === 'note' && e.text === 'relay.forward');
    const xid = Number((note as unknown as { data: { xid: number } }).data.xid);
    const packetId = (send as { packetId: number }).packetId;
    await page.locator(`g.arrow[data-packet="${packetId}"] .hitline`).click({ force: true });
    const fields = page.locator('#inspector .fields');
    const row = (label: string) => fields.locator('.field', { has: page.locator(`> .label:text-is("${label}")`) });
    expect(await row('DHCP message (inside IKE)').first().locator('> .value').innerText()).toBe('DHCPDISCOVER');
    expect(await row('xid').first().locator('> .value').innerText()).toBe(`0x${xid.toString(16).padStart(8, '0')}`);
    // Hovering lights the bytes on the wire, which are ciphertext: not the xid in clear.
    await row('xid').first().hover();
    const lit = (await page.$$eval('#inspector .byte.lit', (b) => b.map((x) => x.textContent).join(''))) ?? '';
    const start = Number(await row('xid').first().getAttribute('data-start'));
    expect(lit).toBe((send as { bytes: string }).bytes.slice(start * 2, start * 2 + 8));
    expect(lit).not.toBe(xid.toString(16).padStart(8, '0'));
    // The keys Wireshark opens the capture with, beside the pcap.
    expect(await page.locator('#export-keys').isVisible()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-keys').click()]);
    const keys = readFileSync((await download.path()) as string, 'utf8');
    expect(keys).toMatch(/^[0-9a-f]{16},[0-9a-f]{16},/m);
    expect(keys).toMatch(/^"IPv4",/m);
    await page.close();
  });

  it('a modelled run offers no .keys export', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    expect(await page.locator('#export-keys').isVisible()).toBe(false);
    await page.close();
  });

  it('inspects the IKE_AUTH request: the DHCPDISCOVER inside, its fields, and hovering lights the right bytes', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    const node = runScenario('basic', { method: 'dhcp-over-ike', seed: 1 });
    const send = node.trace.find((e) => e.type === 'send' && e.summary.startsWith('IKE_AUTH request #1'));
    // The gateway's relay note carries the xid it forwarded (independent of the inspector's parsing).
    const note = node.trace.find((e) => e.type === 'note' && e.text === 'relay.forward');
    const xid = Number((note as unknown as { data: { xid: number } }).data.xid);
    expect(send?.type).toBe('send');
    const packetId = (send as { packetId: number }).packetId;
    await page.locator(`g.arrow[data-packet="${packetId}"] .hitline`).click({ force: true });
    expect(await page.locator('#inspector .summary').innerText()).toBe(
      'IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}',
    );
    const fields = page.locator('#inspector .fields');
    const row = (label: string) => fields.locator('.field', { has: page.locator(`> .label:text-is("${label}")`) });
    const value = async (label: string): Promise<string> => row(label).first().locator('> .value').innerText();
    for (const label of ['IPv4', 'UDP', 'IKE Header', 'SK payload', 'DHCP payload', 'DHCP message (inside IKE)'])
      expect(await row(label).count()).toBe(1);
    expect(await value('DHCP message (inside IKE)')).toBe('DHCPDISCOVER');
    expect(await value('53 DHCP Message Type')).toBe('1 (DHCPDISCOVER)');
    expect(await value('xid')).toBe(`0x${xid.toString(16).padStart(8, '0')}`);
    // draft-ietf-ipsec-dhcp-over-ike-00 §4: htype 31 (IPsec tunnel).
    expect(await value('htype')).toBe('31 (IPsec tunnel)');
    expect(await value('op')).toBe('1 (BOOTREQUEST)');
    expect(await value('chaddr')).toMatch(/^[0-9a-f]+$/);
    const lit = async (label: string): Promise<{ hex: string; start: number; end: number }> => {
      await row(label).first().hover();
      const r = row(label).first();
      return {
        hex: (await page.$$eval('#inspector .byte.lit', (b) => b.map((x) => x.textContent).join(''))) ?? '',
        start: Number(await r.getAttribute('data-start')),
        end: Number(await r.getAttribute('data-end')),
      };
    };
    const bytes = (send as { bytes: string }).bytes;
    const x = await lit('xid');
    expect(x.hex).toBe(xid.toString(16).padStart(8, '0'));
    expect(x.end - x.start).toBe(4);
    expect(bytes.slice(x.start * 2, x.end * 2)).toBe(x.hex);
    const h = await lit('htype');
    expect(h).toMatchObject({ hex: '1f', end: h.start + 1 });
    // The tree opens on the innermost layer: the DHCP message's fields show, the IKE header's are folded until asked.
    expect(await row('DHCP message (inside IKE)').first().getAttribute('aria-expanded')).toBe('true');
    expect(await row('IKE Header').first().getAttribute('aria-expanded')).toBe('false');
    // The layers passed through fold their own fields into one row: the DHCP message is near the top.
    expect(await fields.locator('.field.folded > .label').first().innerText()).toMatch(/^\d+ fields of IPv4$/);
    expect(await row('Time to Live').first().isVisible()).toBe(false);
    await row('IKE Header').first().locator('.twisty').click();
    expect(await row('IKE Header').first().getAttribute('aria-expanded')).toBe('true');
    const mid = await lit('Message ID');
    expect(mid.hex).toBe('00000001');
    await row('xid').first().hover();
    // What the message is for, with its source; the bytes have an ASCII column lit with them.
    expect(await page.locator('#inspector .message-note').innerText()).toContain(
      'draft-richardson-ipsec-dhcp-over-ike-00 §2',
    );
    expect(await page.locator('#inspector .char.lit').count()).toBe(4);
    await page.screenshot({ path: `${SHOTS}/inspector.png` });
    await page.close();
  });

  it('"drop this packet" on the IKE_AUTH request shows the drop and the retransmission 4 s later', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    const authArrow = page.locator('g.arrow', { has: page.locator('title', { hasText: 'IKE_AUTH request #1' }) });
    await authArrow.first().locator('.hitline').click({ force: true });
    await page.locator('#inspector .drop-btn').click();
    await page.waitForFunction(() => location.hash.includes('drop='));
    expect(await page.evaluate(() => location.hash)).toContain('drop=outside%3Aclient1%3Agw%3A2');
    const titles = await page.$$eval('g.arrow', (gs) =>
      gs.map((g) => ({ cls: g.getAttribute('class') ?? '', title: g.querySelector('title')?.textContent ?? '' })),
    );
    const auth = titles.filter((t) => t.title.includes('IKE_AUTH request #1'));
    // The cursor was at the end, so it stays at the (new) end: every arrow drawn as past.
    expect(auth.map((a) => [a.title.split(' ')[0], a.cls])).toEqual([
      ['0.020000', 'arrow dropped past'],
      ['4.020000', 'arrow retransmit past'],
    ]);
    expect(auth[1]?.title).toContain('(retransmission)');
    expect(await page.$$eval('g.arrow.dropped .drop-reason', (d) => d.map((x) => x.textContent))).toEqual(['targeted']);
    const node = runScenario(
      (() => {
        const d = libraryDocument('basic') as { faults?: unknown[] };
        d.faults = [{ type: 'drop.nth', atMs: 0, id: 'ui-drop-1', link: 'outside', from: 'client1', to: 'gw', n: 2 }];
        return d;
      })(),
      { method: 'dhcp-over-ike', seed: 1 },
    );
    expect(await page.locator('#sha').innerText()).toBe(node.traceSha256);
    await page.locator('g.arrow.retransmit').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/dropped.png` });
    await page.close();
  });

  it('compares all five methods side by side with the metrics `dhcpike compare basic --json` prints', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    await page.locator('#compare-all').click();
    await page.waitForFunction(() => document.querySelectorAll('#ladder .lane-head').length === 5);
    expect(await page.locator('#ladder .lane-title').allTextContents()).toEqual(METHOD_IDS.map((m) => `${m} · seed 1`));
    // Cells show ms and method names; the exact figures and ids are in data-value / data-method / data-metric.
    const table = await page.$$eval('#metrics-table tr', (rows) =>
      rows.map((r, k) =>
        Array.from(r.children, (c, i) =>
          k === 0
            ? (c.getAttribute('data-method') ?? c.textContent ?? '')
            : i === 0
              ? (r.getAttribute('data-metric') ?? '')
              : (c.getAttribute('data-value') ?? c.textContent ?? ''),
        ),
      ),
    );
    expect(await page.locator('#metrics-table tr[data-metric="timeToAddressUs.median"] td').first().innerText()).toBe(
      'time to address (median)',
    );
    expect(await page.locator('#metrics-table th[data-method="mode-cfg"]').innerText()).toBe('▲ mode-cfg (local pool)');
    const header = table[0] as string[];
    expect(header.slice(1)).toEqual([...METHOD_IDS]);
    const rows = table.slice(1).filter((r) => r[0] !== 'traceSha256');
    expect(rows.map((r) => r[0])).toEqual(COMPARE_ROWS.map((r) => r.path));
    for (const r of rows) {
      const path = r[0] as string;
      header.slice(1).forEach((method, i) => {
        const cli = cliCompare.results.find((x) => x.method === method);
        const v = metricAt(cli?.metrics as Parameters<typeof metricAt>[0], path);
        expect(`${method} ${path} ${r[i + 1]}`).toBe(
          `${method} ${path} ${v === undefined || v === null ? '' : String(v)}`,
        );
      });
    }
    // Played together on one axis: one cursor across every lane.
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('g.cursor-line').count()).toBe(1);
    await page.locator('#ladder').evaluate((e) => (e.scrollTop = 0));
    await page.screenshot({ path: `${SHOTS}/compare.png` });
    await page.close();
  });

  it('charts a sweep file: time to address against loss per method with intervals, and CDFs', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    await page.locator('#load-sweep').setInputFiles({
      name: 'sweep.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: readFileSync(SWEEP_FILE),
    });
    await page.waitForSelector('#sweeps svg.band-chart');
    expect(await page.locator('#sweeps .pick-metric').inputValue()).toBe('timeToAddressUs.median');
    expect(await page.locator('#sweeps .pick-parameter').inputValue()).toBe('loss');
    const series = await page.$$eval('#sweeps .band-chart g.series', (gs) =>
      gs.map((g) => [
        g.getAttribute('data-method'),
        g.querySelectorAll('.point').length,
        g.querySelectorAll('path.band').length,
      ]),
    );
    expect(series).toEqual([
      ['dhcp-over-ike', 3, 1],
      ['mode-cfg', 3, 1],
    ]);
    const cdfs = await page.$$eval('#sweeps .cdf-chart path.cdf', (ps) =>
      ps.map((p) => `${p.getAttribute('data-method')} ${p.getAttribute('data-x')} ${p.getAttribute('data-n')}`),
    );
    expect(cdfs.sort()).toEqual(
      ['dhcp-over-ike', 'mode-cfg'].flatMap((m) => ['0.05', '0.1', '0.2'].map((x) => `${m} ${x} 3`)).sort(),
    );
    await page.locator('#sweeps-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/sweeps.png` });
    await page.close();
  });

  it('lists the claims of `dhcpike claims --json`; a claim opens its experiment in the ladder', async () => {
    const page = await open('#s=basic&m=dhcp-over-ike&seed=1');
    await page.locator('#load-claims').setInputFiles({
      name: 'claims.json',
      mimeType: 'application/json',
      buffer: Buffer.from(cliClaims),
    });
    await page.waitForSelector('#claims .claim');
    const report = JSON.parse(cliClaims) as { claims: { id: string; verdict: string }[] };
    expect(await page.locator('#claims .claim').count()).toBe(report.claims.length);
    const claim = page.locator('#claims .claim[data-claim="s3-interacts-with-enterprise-dhcp"]');
    expect(await claim.locator('.verdict').innerText()).toBe(
      report.claims.find((c) => c.id === 's3-interacts-with-enterprise-dhcp')?.verdict,
    );
    // A claim on the clients lists per method the machines counted and their sizes.
    expect(
      await page.locator('#claims .claim[data-claim="s4-client-complexity"] .claim-client').allInnerTexts(),
    ).toEqual([
      expect.stringMatching(/^dhcp-over-ike: ike \d+\/\d+ \+ dhcp /),
      expect.stringMatching(/^dhcp-over-ipsec: /),
    ]);
    await page.locator('#claims-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/claims.png` });
    await claim.locator('a.open-experiment').first().click();
    await page.waitForFunction(() => document.getElementById('run-id')?.textContent?.startsWith('rekey-renewal'));
    expect(await page.locator('#run-id').innerText()).toBe('rekey-renewal · dhcp-over-ike · seed 1');
    expect(await page.locator('#sha').innerText()).toBe(
      runScenario('rekey-renewal', { method: 'dhcp-over-ike' }).traceSha256,
    );
    expect(await page.locator('g.arrow').count()).toBeGreaterThan(50);
    await page.close();
  });

  it('rejects a bad scenario file with the field paths of the schema; runs a good one', async () => {
    const page = await open();
    const bad = libraryDocument('basic') as {
      topology: { links: { profile: Record<string, unknown> }[] };
      methods: string[];
    };
    (bad.topology.links[0] as { profile: Record<string, unknown> }).profile['latencyMs'] = -5;
    bad.methods = ['dhcp-over-carrier-pigeon'];
    await page.locator('#load-scenario').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(bad)),
    });
    await page.waitForSelector('#errors:not([hidden])');
    const text = await page.locator('#errors').innerText();
    expect(text).toContain('bad.json: not a valid scenario (scenarios/ schema)');
    expect(text).toMatch(/methods\[0\]: expected .*dhcp-over-ike/);
    expect(text).toMatch(/topology\.links\[0\]\.profile\.latencyMs: expected .*>=0/);
    expect(await page.locator('#run-id').innerText()).toBe('basic · dhcp-over-ike · seed 1');
    await page.screenshot({ path: `${SHOTS}/bad-file.png` });
    const good = libraryDocument('basic') as { name: string; topology: { links: { profile: object }[] } };
    good.name = 'basic-slow';
    (good.topology.links[0] as { profile: object }).profile = { latencyMs: 50 };
    await page.locator('#load-scenario').setInputFiles({
      name: 'good.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(good)),
    });
    await page.waitForFunction(() => document.getElementById('run-id')?.textContent?.startsWith('basic-slow'));
    expect(await page.locator('#errors').isHidden()).toBe(true);
    expect(await page.locator('#sha').innerText()).toBe(
      runScenario(good, { method: 'dhcp-over-ike', seed: 1 }).traceSha256,
    );
    await page.locator('#load-trace').setInputFiles({
      name: 'bad.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(
        '{"type":"timer","atUs":0,"node":"a","name":"t"}\n{"type":"timer","atUs":-1,"node":"a","name":"t"}\n',
      ),
    });
    await page.waitForSelector('#errors:not([hidden])');
    expect(await page.locator('#errors').innerText()).toContain(
      'line 2: $.atUs: expected a non-negative integer, got -1',
    );
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('plays five lanes of ~200 packets each (rekey over 320 s) together', async () => {
    const doc = rekeyLongDocument();
    // Compare mode draws compact lanes: the clients and the gateway (and the arrows between them).
    const arrows = METHOD_IDS.map((m) => {
      const r = runScenario(doc, { method: m });
      return narrowLane(buildLane(r.trace), new Set([...r.roles.clients, ...r.roles.gateways])).arrows.length;
    });
    // 134–162 client↔gateway arrows per lane (a 30 s gateway liveness check adds ten INFORMATIONAL pairs, RFC 7296
    // §2.4); the relayed DHCP and the data to the host are left out of compact lanes.
    expect(
      arrows.filter((n) => n < 120 || n > 180),
      'lanes with too few or too many arrows',
    ).toEqual([]);
    const page = await open();
    await openFiveLanes(page);
    expect(await page.locator('g.arrow').count()).toBe(arrows.reduce((a, b) => a + b, 0));
    const s = await playFromStart(page, 2_000);
    // Playing animates frame after frame; how fast is `npm run bench -- web`'s figure, not an assertion.
    expect(s.frameWorkMs.length).toBeGreaterThan(10);
    await page.screenshot({ path: `${SHOTS}/compare-5-lanes-200.png` });
    await page.close();
  });
});
