/**
 * A real strongSwan gateway (charon, in a network namespace the test creates) as the scenario's gateway (gateway
 * `kind: "external"`): the lab's `mode-cfg` client's IKE datagrams leave the simulation through UDP sockets bound to
 * the host side of a veth pair, and charon's answers come back into the simulation byte for byte.
 *
 * With the modelled crypto charon answers IKE_SA_INIT (RFC 7296 §1.2: SA, KE, Nr, NAT detection notifies; the KE
 * data is 32 random bytes, which is a valid X25519 public value, RFC 7748 §5, group 31) and the lab parses the answer
 * and goes on to IKE_AUTH, which charon cannot decrypt and drops. With the lab's real crypto (`crypto: real`) the client
 * connects: an address from charon's pool, and `established` in charon's log.
 *
 * NAT detection (RFC 7296 §2.23): the scenario puts the client at the bridge's address (192.168.77.2, the host side)
 * and the gateway at charon's (192.168.77.1), so the hashes each side computes over what it sends match what the other
 * really receives: charon finds no NAT in the client's notifies, and the client finds itself not behind a NAT. charon
 * 5.9.8's kernel-libipsec (the only IPsec backend here: this kernel has XFRM but no ESP) needs UDP encapsulation, so
 * charon fakes its own NAT_DETECTION_SOURCE_IP ("faking NAT situation to enforce UDP encapsulation"): the client
 * notes the peer as behind a NAT and, since the lab does not model the float to 4500, stays on port 500.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import '../../scenarios/node.ts';
import { closeIkeBridges } from '../../scenarios/external/ike-udp-exchange.ts';
import {
  gatewaysHermetic,
  parseExternalIkeArg,
  setExternalIkeFactory,
  withExternalGateway,
} from '../../scenarios/external-ike.ts';
import { ScenarioError } from '../../scenarios/problems.ts';
import { ikeUdpExchange } from '../../scenarios/external/ike-udp-exchange.ts';
import { loadScenario, loadScenarioOrThrow } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/run.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import { fromHex } from '../../models/wire/bytes.ts';
import { packetCodec } from '../../models/wire/packet.ts';
import { IkeExchangeType, type IkeMessage } from '../../models/wire/ike/index.ts';
import { ExternalIkeGatewayNode, isIkeRequest } from '../../models/nodes/external-ike-gateway-node.ts';
import type { ExternalIkeExchange } from '../../models/nodes/external-ike-exchange.ts';
import { udpPacket } from '../../models/wire/packet.ts';
import { charonUnavailable, DEFAULT_CHARON_OPTIONS, startCharon, type RunningCharon } from '../support/charon.ts';

const CHARON = DEFAULT_CHARON_OPTIONS;

/** One mode-cfg client against one external gateway, at the addresses of the veth pair charon's helper makes. */
function charonScenario(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'charon',
    description: 'One mode-cfg client against a real strongSwan gateway (charon) over UDP.',
    methods: ['mode-cfg'],
    seed: 1,
    durationMs: 5000,
    topology: {
      clients: [{ name: 'client1', address: `${CHARON.hostAddress}/${CHARON.prefixLength}`, gateway: 'gw' }],
      gateways: [
        {
          name: 'gw',
          kind: 'external',
          external: { address: CHARON.gatewayAddress, timeoutMs: 1000 },
          outside: `${CHARON.gatewayAddress}/${CHARON.prefixLength}`,
          inside: '10.1.0.1/24',
        },
      ],
      enterpriseHosts: [{ name: 'host', address: '10.1.0.10/24' }],
      links: [
        { name: 'outside', attach: ['client1', 'gw'], profile: { latencyMs: 1 } },
        { name: 'inside', attach: ['gw', 'host'], profile: { latencyMs: 1 } },
      ],
    },
    workload: { actions: [{ atMs: 0, action: 'connect', nodes: 'client1' }] },
    ...extra,
  };
}

/** The IKE messages a node sent, decoded from the trace's bytes with the lab's codec. */
function ikeSentBy(trace: readonly TraceEvent[], node: string): IkeMessage[] {
  const out: IkeMessage[] = [];
  for (const e of trace) {
    if (e.type !== 'send' || e.node !== node) continue;
    const p = packetCodec.decode(fromHex(e.bytes));
    if (p.ok && p.value.payload.kind === 'udp' && p.value.payload.app.kind === 'ike')
      out.push(p.value.payload.app.message);
  }
  return out;
}

const unavailable = charonUnavailable();

describe.skipIf(unavailable !== undefined)(
  `a real strongSwan gateway (charon) for the lab's mode-cfg client${unavailable ? ` — not here: ${unavailable}` : ''}`,
  () => {
    let charon: RunningCharon | undefined;
    afterEach(async () => {
      await charon?.stop();
      charon = undefined;
      // The bridge's sockets were bound to the veth address that just went away: the next run binds afresh.
      await closeIkeBridges();
    });

    it('charon answers IKE_SA_INIT; the lab parses its SA, KE and Nonce and goes on to IKE_AUTH', async () => {
      charon = await startCharon();
      const r = runScenario(loadScenarioOrThrow(charonScenario()), { method: 'mode-cfg' });
      const log = charon.log();

      expect(r.hermetic).toBe(false);
      const notes = r.trace.filter((e) => e.type === 'note' && e.node === 'gw');
      expect(notes[0]).toMatchObject({
        text: 'ike.external',
        data: { gateway: `${CHARON.gatewayAddress}:500`, from: CHARON.hostAddress, hermetic: false },
      });
      expect(r.trace.filter((e) => e.type === 'note' && e.text === 'ike.external.error')).toEqual([]);

      // charon's answer, as the gateway node sent it into the simulation: one proposal of what the lab offered
      // (AES-GCM-16 128, PRF HMAC-SHA2-256, group 31), its X25519 public value and its nonce (RFC 7296 §1.2).
      const fromCharon = ikeSentBy(r.trace, 'gw');
      const initResponse = fromCharon.find((m) => m.exchangeType === IkeExchangeType.IKE_SA_INIT && m.response);
      expect(initResponse, log).toBeDefined();
      const payloads = initResponse?.payloads ?? [];
      expect(payloads.map((p) => p.kind).slice(0, 3)).toEqual(['SA', 'KE', 'Nonce']);
      const sa = payloads.find((p) => p.kind === 'SA');
      expect(sa?.kind === 'SA' ? sa.proposals.length : 0).toBe(1);
      const ke = payloads.find((p) => p.kind === 'KE');
      expect(ke?.kind === 'KE' ? [ke.dhGroup, ke.data.length] : []).toEqual([31, 32]);
      const nonce = payloads.find((p) => p.kind === 'Nonce');
      expect(nonce?.kind === 'Nonce' ? nonce.data.length : 0).toBeGreaterThanOrEqual(16);
      const natD = payloads.filter((p) => p.kind === 'N' && 'notify' in p && p.notify.startsWith('NAT_DETECTION'));
      expect(natD.length).toBe(2);
      // The client's own hash matched what charon saw (the addresses were chosen so); charon's source hash is faked.
      const nat = r.trace.filter((e) => e.type === 'note' && e.node === 'client1' && e.text === 'ike.natDetected');
      expect(nat.map((e) => (e.type === 'note' ? e.data : undefined))).toEqual([
        { peerBehindNat: true, selfBehindNat: false },
      ]);
      expect(charon.log()).not.toMatch(/remote host is behind NAT|local host is behind NAT/);
      expect(await charon.logged(/faking NAT situation to enforce UDP encapsulation/), log).toBe(true);

      // The client received it without a malformed event and moved on to IKE_AUTH (the next exchange, message 1).
      expect(r.trace.filter((e) => e.type === 'malformed')).toEqual([]);
      const delivered = r.trace.filter(
        (e) => e.type === 'deliver' && e.node === 'client1' && e.summary.startsWith('IKE_SA_INIT response'),
      );
      expect(delivered.length).toBeGreaterThan(0);
      const fromClient = ikeSentBy(r.trace, 'client1');
      expect(fromClient.some((m) => m.exchangeType === IkeExchangeType.IKE_AUTH && m.messageId === 1)).toBe(true);
      // The client speaks on 500 all along (the float to 4500 of RFC 7296 §2.23 is not modelled).
      const clientSends = r.trace.filter((e) => e.type === 'send' && e.node === 'client1');
      for (const e of clientSends) {
        const p = packetCodec.decode(fromHex(e.type === 'send' ? e.bytes : ''));
        expect(p.ok && p.value.payload.kind === 'udp' ? p.value.payload.dstPort : 0).toBe(500);
      }

      // charon's side: it parsed the request, chose the proposal and answered.
      expect(await charon.logged(/parsed IKE_SA_INIT request 0 \[ SA KE No /), log).toBe(true);
      expect(await charon.logged(/selected proposal: IKE:AES_GCM_16_128\/PRF_HMAC_SHA2_256\/CURVE_25519/), log).toBe(
        true,
      );
      expect(await charon.logged(/generating IKE_SA_INIT response 0 \[ SA KE No /), log).toBe(true);
      // Today's modelled SK payload is no AES-GCM ciphertext: charon cannot verify it and sends nothing back.
      expect(await charon.logged(/IKE_AUTH request with message ID 1 processing failed/), log).toBe(true);
      expect(fromCharon.filter((m) => m.exchangeType === IkeExchangeType.IKE_AUTH)).toEqual([]);
      expect(r.trace.filter((e) => e.type === 'note' && e.text === 'ike.external.noReply').length).toBeGreaterThan(0);
    });

    // ---- The full connect, with the lab's real crypto (models/ike/real-ike-crypto.ts). ----
    it("with real crypto the client connects: an address from charon's pool, and charon logs the IKE SA established", async () => {
      charon = await startCharon();
      const r = runScenario(loadScenarioOrThrow(charonScenario({ options: { crypto: 'real' } })), {
        method: 'mode-cfg',
      });
      const notes = r.trace
        .filter((e) => (e.type === 'note' || e.type === 'state') && e.node === 'client1')
        .map((e) => JSON.stringify(e).slice(0, 300))
        .join('\n');
      expect(r.metrics.addressed, notes).toBe(1);
      const bound = r.trace.find((e) => e.type === 'note' && e.node === 'client1' && e.text === 'address.assigned');
      const address = bound?.type === 'note' ? String(bound.data?.['address'] ?? '') : '';
      expect(address, JSON.stringify(bound)).toMatch(/^10\.40\.0\.\d+$/);
      expect(await charon.established(), charon.log()).toBe(true);
    });
  },
);

afterAll(async () => {
  await closeIkeBridges();
});

describe('the external gateway kind without charon', () => {
  it('an IKE request is told from a response, on 500 and after the non-ESP marker on 4500 (RFC 3948 §2.2)', () => {
    const header = (flags: number): Uint8Array => {
      const b = new Uint8Array(28);
      b[19] = flags;
      return b;
    };
    expect(isIkeRequest(500, header(0x08))).toBe(true);
    expect(isIkeRequest(500, header(0x20))).toBe(false);
    expect(isIkeRequest(4500, Uint8Array.of(0, 0, 0, 0, ...header(0x08)))).toBe(true);
    expect(isIkeRequest(4500, Uint8Array.of(0, 0, 0, 0, ...header(0x28)))).toBe(false);
    // ESP (a non-zero SPI) and a NAT keepalive get no answer.
    expect(isIkeRequest(4500, Uint8Array.of(0, 0, 0, 1, ...header(0x08)))).toBe(false);
    expect(isIkeRequest(4500, Uint8Array.of(0xff))).toBe(false);
  });

  it('what the gateway answers enters the simulation byte for byte, with the ports swapped back', () => {
    const answer = Uint8Array.of(1, 2, 3, 4, 5);
    const seen: { bytes: number[]; clientPort: number; gatewayPort: number; expectReply: boolean }[] = [];
    const exchange: ExternalIkeExchange = {
      endpoint: '192.0.2.1:500',
      localAddress: '192.0.2.2',
      exchange: (d, expectReply) => {
        seen.push({ bytes: [...d.bytes], clientPort: d.clientPort, gatewayPort: d.gatewayPort, expectReply });
        return { kind: 'datagrams', datagrams: [{ clientPort: 4500, gatewayPort: 4500, bytes: answer }] };
      },
    };
    const node = new ExternalIkeGatewayNode({
      name: 'gw',
      outside: { address: '192.0.2.1', prefixLength: 24 },
      inside: { address: '10.1.0.1', prefixLength: 24 },
      exchange,
      summaryCodec: packetCodec,
    });
    const sent: Uint8Array[] = [];
    const notes: string[] = [];
    node.start({
      traceNote: (text: string) => notes.push(text),
      send: (_iface: string, p: Parameters<typeof node.codec.encode>[0]) => sent.push(node.codec.encode(p)),
    } as never);
    const request = Uint8Array.of(0, 0, 0, 0, ...new Uint8Array(28));
    const inbound = node.codec.decode(
      node.codec.encode(
        udpPacket({
          src: '192.0.2.2',
          dst: '192.0.2.1',
          srcPort: 4500,
          dstPort: 4500,
          app: { kind: 'raw', data: request },
        }),
      ),
    );
    expect(inbound.ok).toBe(true);
    if (inbound.ok) node.receive('outside', inbound.value);
    expect(seen).toEqual([{ bytes: [...request], clientPort: 4500, gatewayPort: 4500, expectReply: true }]);
    expect(sent.length).toBe(1);
    const back = node.codec.decode(sent[0] ?? new Uint8Array(0));
    expect(back.ok && back.value.payload.kind === 'udp' ? back.value.payload : undefined).toMatchObject({
      srcPort: 4500,
      dstPort: 4500,
      app: { kind: 'raw', data: answer },
    });
    expect(back.ok ? [back.value.ip.src, back.value.ip.dst] : []).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(notes).toEqual(['ike.external']);
  });

  it('where no bridge is installed (the browser), a scenario with an external gateway is rejected by field path', () => {
    const doc = charonScenario();
    expect(loadScenario(doc).ok).toBe(true);
    setExternalIkeFactory(undefined);
    try {
      const r = loadScenario(doc);
      expect(r.ok ? [] : r.problems).toEqual([
        {
          path: 'topology.gateways[0].kind',
          expected: '"lab" here: a real IKE gateway is reached from Node only (npx dhcpike run)',
          found: '"external"',
        },
      ]);
    } finally {
      setExternalIkeFactory((spec, localAddress) => ikeUdpExchange({ ...spec, localAddress }));
    }
  });

  it('--gateway-external ADDRESS[:PORT] gives the spec with its defaults, or names the flag', () => {
    expect(parseExternalIkeArg('192.168.77.1')).toEqual({
      address: '192.168.77.1',
      port: 500,
      natTPort: 4500,
      timeoutMs: 2000,
      settleMs: 50,
    });
    expect(parseExternalIkeArg('192.168.77.1:1500').port).toBe(1500);
    expect(() => parseExternalIkeArg('gateway')).toThrow(ScenarioError);
    const paths = ((): string[] => {
      try {
        parseExternalIkeArg('192.168.77.1:0');
        return [];
      } catch (e) {
        return e instanceof ScenarioError ? e.problems.map((p) => p.path) : ['not a ScenarioError'];
      }
    })();
    expect(paths).toEqual(['--gateway-external']);
    const basic = loadScenarioOrThrow('basic');
    const external = withExternalGateway(basic, parseExternalIkeArg('192.168.77.1'));
    expect([gatewaysHermetic(basic), gatewaysHermetic(external)]).toEqual([true, false]);
    expect(external.topology.gateways.map((g) => g.kind)).toEqual(['external']);
  });

  it('a bad external block is rejected with its field path', () => {
    const doc = charonScenario();
    const topology = doc['topology'] as { gateways: Record<string, unknown>[] };
    topology.gateways[0] = { ...topology.gateways[0], external: { address: '192.168.77', timeoutMs: 0 } };
    const r = loadScenario(doc);
    expect(r.ok ? [] : r.problems.map((p) => p.path).sort()).toEqual([
      'topology.gateways[0].external.address',
      'topology.gateways[0].external.timeoutMs',
    ]);
    const noExternal = charonScenario();
    const t2 = noExternal['topology'] as { gateways: Record<string, unknown>[] };
    const { external: _external, ...rest } = t2.gateways[0] ?? {};
    t2.gateways[0] = rest;
    const r2 = loadScenario(noExternal);
    expect(r2.ok ? [] : r2.problems.map((p) => p.path)).toEqual(['topology.gateways[0].external']);
  });
});

/**
 * A stand-in gateway on loopback, in its own thread (the bridge blocks this one while it waits): it answers a datagram
 * starting with 1 with two datagrams (an answer in two parts), one starting with 3 with nothing now and one datagram
 * 50 ms later (sent on its own, like a DPD request), and ignores the rest.
 */
const FAKE_GATEWAY = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  const reply = (b) => sock.send(Uint8Array.from(b), rinfo.port, rinfo.address);
  if (msg[0] === 1) { reply([10]); reply([11]); }
  if (msg[0] === 3) setTimeout(() => reply([30]), 50);
});
sock.bind(workerData.port, workerData.address, () => parentPort.postMessage('ready'));
`;

describe.skipIf(process.getuid?.() !== 0)('the UDP bridge on loopback (binds port 500: root)', () => {
  it('delivers an answer in two datagrams, what the gateway sent on its own since, and times out on silence', async () => {
    const fake = new Worker(FAKE_GATEWAY, { eval: true, workerData: { address: '127.0.0.6', port: 1500 } });
    try {
      await new Promise((resolve) => fake.once('message', resolve));
      const bridge = ikeUdpExchange({
        address: '127.0.0.6',
        port: 1500,
        natTPort: 14500,
        localAddress: '127.0.0.5',
        timeoutMs: 300,
        settleMs: 50,
      });
      const send = (b: number, expectReply = true) =>
        bridge.exchange({ clientPort: 500, gatewayPort: 500, bytes: Uint8Array.of(b) }, expectReply);
      const bytesOf = (o: ReturnType<typeof send>): number[][] =>
        o.kind === 'datagrams' ? o.datagrams.map((d) => [...d.bytes]) : [[-1]];
      expect(send(1)).toEqual({
        kind: 'datagrams',
        datagrams: [
          { clientPort: 500, gatewayPort: 500, bytes: Uint8Array.of(10) },
          { clientPort: 500, gatewayPort: 500, bytes: Uint8Array.of(11) },
        ],
      });
      // Silence: an empty answer once the wall-clock timeout has passed (a loss in the simulation).
      expect(bytesOf(send(2))).toEqual([]);
      // A message that gets no answer is only sent; the gateway's own datagram 50 ms later waits in the queue ...
      expect(bytesOf(send(3, false))).toEqual([]);
      await new Promise((r) => setTimeout(r, 250));
      // ... and comes with the next exchange, before that exchange's answer.
      expect(bytesOf(send(1))).toEqual([[30], [10], [11]]);
    } finally {
      await fake.terminate();
      await closeIkeBridges();
    }
  });
});
