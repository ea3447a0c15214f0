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

  it('an IKE_AUTH repeat between rounds gets the cached round-1 answer, byte for byte; round 2 is answered (dhcp-over-ike-wg 1404450307)', () => {
    const file = fixture('ike-half-open-answer-lost');
    expect(runChecked(file, { method: 'dhcp-over-ike-wg' }).violations).toEqual([]);
    const { trace } = runScenario(file, { method: 'dhcp-over-ike-wg', keepTrace: true });
    const sent = gwResponses(trace, '0c8030e17ce1b857', 'IKE_AUTH response');
    expect(sent.map((e) => `${e.atUs} ${e.summary}`)).toEqual([
      '5000 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      '24163000 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      '47491000 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      // Until issue 14 the gateway's 30 s half-open timeout closed the SA between the rounds and round 2 drew
      // INVALID_IKE_SPI (§2.21.4); it now waits up to RFC 2131's longest retransmission (AUTH_ROUND_WAIT_MS, 65 s)
      // between IKE_AUTH rounds, so the DHCP round 2 is answered on the same SA.
      '47495000 IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}',
    ]);
    expect(sent[2]?.bytes).toBe(sent[0]?.bytes);
  });
});
