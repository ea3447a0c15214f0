/**
 * RFC 3456 §4.1's DHCP SA selectors, both readings (`dhcpSaSelectors`): the "filters" Any to Any UDP 68 ↔ 67
 * (wildcard, default) and the quick-mode IDs read literally, IDci = 0.0.0.0 UDP 68, IDcr = the gateway's own Internet
 * address UDP 67 (literal). Both address the client; only the wildcard catches the home DHCP server's traffic
 * (draft-richardson §4, the wildcard-hazard claim).
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../../models/wire/bytes.ts';
import type { IkeTrafficSelector } from '../../../../models/wire/ike/index.ts';
import { parsePacket } from '../../../../models/wire/packet.ts';
import { runScenario } from '../../../../scenarios/run.ts';
import type { TraceEvent } from '../../../../sim/index.ts';

const text = (ts: readonly IkeTrafficSelector[] | undefined) =>
  (ts ?? []).map((s) =>
    s.kind === 'ipv4Range' ? `${s.startAddress}-${s.endAddress} ${s.ipProtocol}:${s.startPort}-${s.endPort}` : 'raw',
  );

/** TSi and TSr of the gateway's IKE_AUTH response (the DHCP SA), read back from its bytes. */
function dhcpSaSelectors(trace: readonly TraceEvent[]): { tsi: string[]; tsr: string[] } {
  for (const e of trace) {
    if (e.type !== 'send' || e.node !== 'gw') continue;
    const r = parsePacket(fromHex(e.bytes));
    if (!r.ok || r.value.payload.kind !== 'udp' || r.value.payload.app.kind !== 'ike') continue;
    const m = r.value.payload.app.message;
    if (m.exchangeType !== 35) continue;
    const sk = m.payloads.find((p) => p.kind === 'SK');
    const inner = sk?.kind === 'SK' ? sk.payloads : [];
    const tsi = inner.find((p) => p.kind === 'TSi');
    const tsr = inner.find((p) => p.kind === 'TSr');
    return {
      tsi: text(tsi?.kind === 'TSi' ? tsi.selectors : undefined),
      tsr: text(tsr?.kind === 'TSr' ? tsr.selectors : undefined),
    };
  }
  return { tsi: [], tsr: [] };
}

const notes = (trace: readonly TraceEvent[], name: string) =>
  trace.filter((e) => e.type === 'note' && e.text === name).length;

describe('RFC 3456 §4.1 DHCP SA selectors', () => {
  it('wildcard (default): TSi 0.0.0.0/0 UDP 68, TSr 0.0.0.0/0 UDP 67', () => {
    const out = runScenario('basic', { method: 'dhcp-over-ipsec' });
    expect(out.metrics.addressed).toBe(1);
    expect(dhcpSaSelectors(out.trace ?? [])).toEqual({
      tsi: ['0.0.0.0-255.255.255.255 17:68-68'],
      tsr: ['0.0.0.0-255.255.255.255 17:67-67'],
    });
  });

  it('literal: IDci = 0.0.0.0 UDP 68, IDcr = the gateway UDP 67; DHCP still flows both ways', () => {
    const out = runScenario('basic', { method: 'dhcp-over-ipsec', options: { dhcpSaSelectors: 'literal' } });
    expect(out.metrics.addressed).toBe(1);
    expect(out.metrics.failures.total).toBe(0);
    const trace = out.trace ?? [];
    expect(dhcpSaSelectors(trace)).toEqual({
      tsi: ['0.0.0.0-0.0.0.0 17:68-68'],
      tsr: ['198.51.100.1-198.51.100.1 17:67-67'],
    });
    // OFFER and ACK go down the DHCP SA (to 0.0.0.0:68 from the gateway's address), none is left without an SA.
    expect(notes(trace, 'relay.reply')).toBe(2);
    expect(notes(trace, 'relay.noSa')).toBe(0);
  });

  it('wildcard-hazard with the DHCP SA alive at the home renewal: caught under wildcard, not under literal', () => {
    const run = (reading: string) =>
      runScenario('wildcard-hazard', {
        method: 'dhcp-over-ipsec',
        options: { dhcpSaTeardown: 'at-lifetime', dhcpSaSelectors: reading },
      }).metrics;
    const wildcard = run('wildcard');
    const literal = run('literal');
    expect([wildcard.addressed, wildcard.misdirected]).toEqual([1, 4]);
    expect([literal.addressed, literal.misdirected]).toEqual([1, 0]);
  });
});
