/**
 * A real DHCP server behind the simulated gateway (DHCP server `kind: "external"`): Kea on loopback, configured like
 * the scenario's own server, answers the gateway's exact relayed bytes while virtual time stands still. Every
 * DHCP-based method runs `basic` and `rekey-renewal` against it: every client is addressed, renewals are ACKed, and
 * the lab's own server, given the same configuration, answers with the same yiaddr and the same options 1, 3, 6, 51,
 * 54, 58, 59 (RFC 2132 §3.3, §3.5, §3.8, §9.2, §9.7, §9.11, §9.12).
 */
import { afterEach, describe, expect, it } from 'vitest';
import '../../scenarios/node.ts';
import { udpExchange } from '../../scenarios/external/udp-exchange.ts';
import { parseExternalDhcpArg, setExternalDhcpFactory, withExternalDhcp } from '../../scenarios/external-dhcp.ts';
import { LIBRARY_DOCUMENTS } from '../../scenarios/library/index.ts';
import { loadScenario, loadScenarioOrThrow } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/run.ts';
import type { MethodId } from '../../scenarios/method-registry.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import { ExternalDhcpServerNode } from '../../models/nodes/external-dhcp-server-node.ts';
import type { ExternalDhcpExchange } from '../../models/nodes/external-dhcp-exchange.ts';
import { buildDhcpMessage, dhcpAllOptions, dhcpMessageTypeOf } from '../../models/wire/dhcp/message.ts';
import { dhcpOptionCode, dhcpOptionLength, emitDhcpOptionInto } from '../../models/wire/dhcp/options.ts';
import { DhcpMessageType, type DhcpMessage } from '../../models/wire/dhcp/types.ts';
import { fromHex, toHex } from '../../models/wire/bytes.ts';
import { packetCodec, udpPacket } from '../../models/wire/packet.ts';
import { keaConfigFor, startKea, type RunningKea } from '../support/kea.ts';

const COMPARED_OPTIONS = [1, 3, 6, 51, 54, 58, 59] as const;

/** The DHCPACKs the server node sent (its replies to the relay), decoded from the trace's bytes. */
function acksFrom(trace: readonly TraceEvent[], server: string): DhcpMessage[] {
  const out: DhcpMessage[] = [];
  for (const e of trace) {
    if (e.type !== 'send' || e.node !== server) continue;
    const p = packetCodec.decode(fromHex(e.bytes));
    if (!p.ok || p.value.payload.kind !== 'udp' || p.value.payload.app.kind !== 'dhcp') continue;
    const m = p.value.payload.app.message;
    if (dhcpMessageTypeOf(m) === DhcpMessageType.ACK) out.push(m);
  }
  return out;
}

/** An option's wire bytes (code, length, data) as the codec writes them, or null when the message has none. */
function optionHex(m: DhcpMessage | undefined, code: number): string | null {
  const o = m === undefined ? undefined : dhcpAllOptions(m).find((x) => dhcpOptionCode(x) === code);
  if (o === undefined) return null;
  const bytes = new Uint8Array(dhcpOptionLength(o));
  emitDhcpOptionInto(o, bytes, 0);
  return toHex(bytes);
}

/** yiaddr and the compared options of an ACK (absent options as null), for a side-by-side equality. */
function answerOf(m: DhcpMessage | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = { yiaddr: m?.yiaddr ?? null };
  for (const code of COMPARED_OPTIONS) out[`option${code}`] = optionHex(m, code);
  return out;
}

/** Methods whose gateway relays with option 82 (RFC 3046) by default. */
const RELAYS_WITH_82: readonly MethodId[] = ['dhcp-over-ike', 'dhcp-over-ike-wg', 'dhcp-over-ipsec'];

interface Case {
  readonly scenario: string;
  readonly method: MethodId;
  readonly options?: Readonly<Record<string, string>>;
  /** Renewals the run must see ACKed (rekey-renewal: 200 s of 60 s leases). */
  readonly renewalsMin: number;
}

const CASES: readonly Case[] = [
  ...(['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg-dhcp', 'dhcp-over-ipsec'] as const).map((method) => ({
    scenario: 'basic',
    method,
    renewalsMin: 0,
  })),
  ...(['dhcp-over-ike', 'dhcp-over-ike-wg', 'dhcp-over-ipsec'] as const).map((method) => ({
    scenario: 'rekey-renewal',
    method,
    renewalsMin: 3,
  })),
  // strongSwan's plugin never renews (dhcpRenewal none); the lab's alternative renews at T1.
  { scenario: 'rekey-renewal', method: 'mode-cfg-dhcp', options: { dhcpRenewal: 'renew-at-t1' }, renewalsMin: 3 },
];

describe('a real DHCP server (Kea) behind the simulated gateway', () => {
  let kea: RunningKea | undefined;
  afterEach(async () => {
    await kea?.stop();
    kea = undefined;
  });

  for (const c of CASES) {
    const label = `${c.scenario} / ${c.method}${c.options ? ` ${JSON.stringify(c.options)}` : ''}`;
    it(`${label}: every client addressed, renewals ACKed, the same answers as the lab's server`, async () => {
      const asWritten = loadScenarioOrThrow(c.scenario, c.options ? { options: c.options } : {});
      // A fresh Kea per run: its leases start empty, as the lab's server's do.
      kea = await startKea(keaConfigFor(asWritten));
      const external = runScenario(withExternalDhcp(asWritten, parseExternalDhcpArg('127.0.0.1')), {
        method: c.method,
      });
      const lab = runScenario(asWritten, { method: c.method });
      const server = asWritten.topology.dhcpServers[0]?.name ?? '';

      expect(external.hermetic).toBe(false);
      expect(lab.hermetic).toBe(true);
      expect(external.trace.filter((e) => e.type === 'note' && e.text.startsWith('dhcp.external.'))).toEqual([]);
      expect(external.metrics.addressed).toBe(external.metrics.clients);
      expect(external.expectations.filter((e) => !e.ok)).toEqual([]);
      expect(external.metrics.renewals.done).toBeGreaterThanOrEqual(c.renewalsMin);
      expect(external.metrics.renewals.done).toBe(lab.metrics.renewals.done);

      const keaAcks = acksFrom(external.trace, server);
      const labAcks = acksFrom(lab.trace, server);
      expect(keaAcks.length).toBeGreaterThan(c.renewalsMin);
      expect(keaAcks.length).toBe(labAcks.length);
      const first = answerOf(keaAcks[0]);
      expect(first).toEqual(answerOf(labAcks[0]));
      // The scenario's pool gives a lease time and DNS servers, and the server names itself (option 54).
      expect([first['option51'], first['option6'], first['option54']]).not.toContain(null);
      // RFC 3046 §2.2: the server echoes the relay agent information option the relay added; the lab's does too.
      expect(optionHex(keaAcks[0], 82)).toBe(optionHex(labAcks[0], 82));
      if (RELAYS_WITH_82.includes(c.method)) expect(optionHex(keaAcks[0], 82)).not.toBeNull();
      // Kea logged the allocations it made for the lab's relayed messages.
      expect(await kea.logged('DHCP4_LEASE_ALLOC'), kea.log()).toBe(true);
    });
  }

  it('a server that does not answer: the message is lost after the wall-clock timeout, the run goes on', () => {
    const s = loadScenarioOrThrow('basic');
    // Nothing listens on port 6767: every DISCOVER is a loss; the client keeps trying within virtual time.
    const r = runScenario(
      withExternalDhcp(s, { ...parseExternalDhcpArg('127.0.0.1:6767'), timeoutMs: 50, relayPort: 6768 }),
      { method: 'dhcp-over-ike' },
    );
    expect(r.metrics.addressed).toBe(0);
    expect(r.trace.filter((e) => e.type === 'note' && e.text === 'dhcp.external.noReply').length).toBeGreaterThan(0);
  });

  it('where no bridge is installed (the browser), a scenario with a real server is rejected by field path', () => {
    const doc = JSON.parse(JSON.stringify(LIBRARY_DOCUMENTS['basic'])) as {
      topology: { dhcpServers: Record<string, unknown>[] };
    };
    doc.topology.dhcpServers[0] = {
      ...doc.topology.dhcpServers[0],
      kind: 'external',
      external: { address: '127.0.0.1' },
    };
    expect(loadScenario(doc).ok).toBe(true);
    setExternalDhcpFactory(undefined);
    try {
      const r = loadScenario(doc);
      expect(r.ok ? [] : r.problems).toEqual([
        {
          path: 'topology.dhcpServers[0].kind',
          expected: '"lab" here: a real DHCP server is reached from Node only (npx dhcpike run)',
          found: '"external"',
        },
      ]);
    } finally {
      setExternalDhcpFactory((spec) => udpExchange(spec));
    }
  });

  it('a reply that does not parse is traced as malformed and dropped', () => {
    const broken: ExternalDhcpExchange = {
      endpoint: 'test',
      exchange: () => ({ kind: 'reply', bytes: Uint8Array.of(9, 9, 9) }),
    };
    const notes: string[] = [];
    const node = new ExternalDhcpServerNode({
      name: 'dhcp',
      interface: { name: 'eth0', address: '10.1.0.2', prefixLength: 24 },
      exchange: broken,
    });
    const sent: unknown[] = [];
    node.start({
      traceNote: (text: string) => notes.push(text),
      send: (_iface: string, p: unknown) => sent.push(p),
      nowUs: () => 0,
    } as never);
    const discover = packetCodec.decode(
      packetCodec.encode(
        udpPacket({
          src: '10.1.0.1',
          dst: '10.1.0.2',
          srcPort: 67,
          dstPort: 67,
          app: {
            kind: 'dhcp',
            message: buildDhcpMessage({
              type: 'DISCOVER',
              xid: 7,
              hardwareAddress: Uint8Array.of(2, 0, 0, 0, 0, 1),
              fields: { giaddr: '10.1.0.1' },
            }),
          },
        }),
      ),
    );
    expect(discover.ok).toBe(true);
    if (discover.ok) node.receive('eth0', discover.value);
    expect(notes).toEqual(['dhcp.external', 'dhcp.external.malformed']);
    expect(sent).toEqual([]);
  });
});
