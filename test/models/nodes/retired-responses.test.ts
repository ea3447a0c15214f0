/**
 * A response lost just before its IKE SA ends (RFC 7296 §2.1): the repeated request reaches a gateway that no longer
 * has the IKE SA, and must still get the byte-identical response the first one got, not a new INVALID_IKE_SPI
 * (§2.21.4). Fixed-seed vopr regressions (`ike.cachedResponse`), shrunk to the smallest scenario that shows them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../sim/index.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';

const fixture = (name: string): object =>
  JSON.parse(readFileSync(new URL(`./vopr/${name}.json`, import.meta.url), 'utf8')) as object;

type Send = Extract<TraceEvent, { type: 'send' }>;

/** The gateway's sends of one SA's response with message ID `messageId` (summary prefix), in order. */
function gwResponses(trace: readonly TraceEvent[], spiI: string, summary: string): Send[] {
  return trace.filter(
    (e): e is Send =>
      e.type === 'send' && e.node === 'gw' && e.summary.startsWith(summary) && e.bytes.slice(56, 72) === spiI,
  );
}

function notesAt(trace: readonly TraceEvent[], text: string): string[] {
  return trace
    .filter((e) => e.type === 'note' && e.text === text && e.node === 'gw')
    .map((e) => `${e.atUs} ${JSON.stringify((e as { data?: unknown }).data)}`);
}

describe('the gateway answers a repeat on an IKE SA it has closed from its cache (RFC 7296 §2.1)', () => {
  it('a retransmitted Delete after the SA is deleted gets the same empty INFORMATIONAL response (dhcp-over-ike 1884182222)', () => {
    const file = fixture('ike-delete-answer-lost');
    expect(runChecked(file, { method: 'dhcp-over-ike' }).violations).toEqual([]);
    const { trace } = runScenario(file, { method: 'dhcp-over-ike', keepTrace: true });
    const sent = gwResponses(trace, '24f96b13b68bfccc', 'INFORMATIONAL response #2');
    expect(sent.map((e) => `${e.atUs} ${e.summary}`)).toEqual([
      '71653000 INFORMATIONAL response #2 SK{}',
      '113643000 INFORMATIONAL response #2 SK{}',
    ]);
    expect(sent[1]?.bytes).toBe(sent[0]?.bytes);
    expect(notesAt(trace, 'ike.unknownSpi')).toEqual([]);
    expect(notesAt(trace, 'ike.cachedResponse').filter((l) => l.includes('"retired":true'))).toEqual([
      '113643000 {"messageId":2,"spiI":"24f96b13b68bfccc","retired":true}',
    ]);
  });

  it('an IKE_AUTH repeat after the half-open timeout gets the cached round-1 answer; round 2 draws INVALID_IKE_SPI (dhcp-over-ike-wg 1404450307)', () => {
    const file = fixture('ike-half-open-answer-lost');
    expect(runChecked(file, { method: 'dhcp-over-ike-wg' }).violations).toEqual([]);
    const { trace } = runScenario(file, { method: 'dhcp-over-ike-wg', keepTrace: true });
    const sent = gwResponses(trace, '0c8030e17ce1b857', 'IKE_AUTH response');
    expect(sent.map((e) => `${e.atUs} ${e.summary}`)).toEqual([
      '5000 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      '24163000 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      '47491000 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      // A new request on the closed SA (the DHCP round 2): the SA is gone (§2.21.4), the client reconnects.
      '47493000 IKE_AUTH response #2 N(INVALID_IKE_SPI)',
      '47495000 IKE_AUTH response #2 N(INVALID_IKE_SPI)',
    ]);
    expect(sent[2]?.bytes).toBe(sent[0]?.bytes);
  });
});
