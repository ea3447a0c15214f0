/**
 * Issue 14 item 12: the gateway routes tunnel traffic as a router does — IPv4 TTL − 1 each way (RFC 791 §3.2,
 * RFC 1812 §5.3.1) — and every method's gateway agent names the tunnel with one circuit-id format, `ike:<IKE SA id>`.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../models/wire/bytes.ts';
import type { Packet } from '../../../models/wire/packet.ts';
import { packetCodec } from '../../../models/wire/packet.ts';
import { runScenario } from '../../../scenarios/run.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { dhcpSent } from '../methods/dhcp-over-ike-helpers.ts';

/** Packets `node` sent, decoded (ESP payloads stay sealed). */
function sentBy(trace: readonly TraceEvent[], node: string): Packet[] {
  const out: Packet[] = [];
  for (const e of trace) {
    if (e.type !== 'send' || e.node !== node) continue;
    const p = packetCodec.decode(fromHex(e.bytes));
    if (p.ok) out.push(p.value);
  }
  return out;
}

describe('gateway forwarding (issue 14 item 12)', () => {
  it("a client's ping leaves the gateway toward the host with TTL 63 (the client sent 64); the echo host answers with 64", () => {
    const out = runScenario('basic', { method: 'mode-cfg' });
    const toHost = sentBy(out.trace, 'gw').filter((p) => p.ip.dst === '10.1.0.10');
    expect(toHost.length).toBeGreaterThan(0);
    expect(new Set(toHost.map((p) => p.ip.ttl))).toEqual(new Set([63]));
    const fromHost = sentBy(out.trace, 'host').filter((p) => p.ip.src === '10.1.0.10');
    expect(new Set(fromHost.map((p) => p.ip.ttl))).toEqual(new Set([64]));
  });
});

describe('one circuit-id format across methods (issue 14 item 12)', () => {
  const circuitIds = (method: 'dhcp-over-ike' | 'dhcp-over-ike-wg' | 'dhcp-over-ipsec'): string[] => {
    const out = runScenario('basic', { method });
    return dhcpSent(out.trace, 'gw', '10.1.0.2').flatMap((m) =>
      m.options.flatMap((o) =>
        o.kind === 'relayAgentInfo'
          ? o.subOptions.flatMap((s) => (s.kind === 'circuitId' ? [new TextDecoder().decode(s.data)] : []))
          : [],
      ),
    );
  };
  for (const method of ['dhcp-over-ike', 'dhcp-over-ike-wg', 'dhcp-over-ipsec'] as const) {
    it(`${method}: every relayed request names the tunnel as ike:<IKE SA id>`, () => {
      const ids = circuitIds(method);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(/^ike:[0-9a-f]{16}/);
    });
  }
});
