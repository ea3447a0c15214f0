/**
 * Model-based test of the DHCP proxy session machine (mode-cfg-dhcp, strongSwan's dhcp plugin modelled:
 * models/methods/dhcp-proxy/session-machine.ts): `xstate/graph` explores it with what its RFC 2131 client emits
 * (DISCOVER, REQUEST, a renewal REQUEST with ciaddr, a DECLINE; bound, renewed, expired, NAK, gave up), the server's
 * replies arriving at giaddr, the IKE side (IKE SA deleted with or without DHCPRELEASE, the answer abandoned) and the
 * lease guard; each generated path is driven through a real actor beside a real DHCP client actor. At each step
 * every datagram sent is encoded and parsed by the DHCP codec and must be the one the step asks for, relayed the way
 * dhcp_socket.c does (68→67, giaddr = the inside address, RFC 2131 §4.1; RELEASE unicast to the server, §4.4.6), and
 * the IKE_AUTH answer must be given exactly once: CP(CFG_REPLY) with the bound address (RFC 7296 §2.19) or
 * INTERNAL_ADDRESS_FAILURE. Three configurations (no renewal, renewal at T1, no lease guard) share one coverage count.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import type { VirtualClock } from '../../../../models/contract.ts';
import { strongSwanIdentity } from '../../../../models/dhcp/client-identity.ts';
import { dhcpClientMachine, type DhcpLeaseInfo } from '../../../../models/dhcp/client-machine.ts';
import {
  buildDecline,
  buildDiscover,
  buildRequestRenewing,
  buildRequestSelecting,
  type ClientMessageBase,
} from '../../../../models/dhcp/client-messages.ts';
import { messageTypeOf } from '../../../../models/dhcp/options.ts';
import {
  proxySessionMachine,
  type ProxySessionEvent,
  type ProxySessionInput,
  type ProxySettings,
} from '../../../../models/methods/dhcp-proxy/session-machine.ts';
import type { AddressAnswer, ProviderHost, UdpDatagram } from '../../../../models/methods/method.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../../../models/wire/dhcp/codec.ts';
import { DhcpMessageType } from '../../../../models/wire/dhcp/types.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../../support/machine-coverage.ts';
import { replyTo, TYPE_NAMES } from '../../dhcp/client-harness.ts';
import { TestClock } from '../../dhcp/test-clock.ts';
import { testRng } from '../../dhcp/test-rng.ts';

type Snap = SnapshotFrom<typeof proxySessionMachine>;
type Labelled = ProxySessionEvent & { readonly label: string };

const IKE_SA = 'sa-0001';
const PEER = 'client1@example.com';
const INSIDE = '10.1.0.1';
const SERVER = '10.1.0.2';
const LEASED = '10.99.1.10';
const IDENTITY = strongSwanIdentity(PEER, true);

const SETTINGS: ProxySettings = {
  serverAddress: SERVER,
  retry: 'strongswan',
  renewal: 'none',
  option82: false,
  clientId: true,
  clientIdForm: 'raw',
  linkSelection: false,
  leaseGuard: true,
};

interface Config {
  readonly name: string;
  readonly settings: ProxySettings;
}

const CONFIGS: readonly Config[] = [
  { name: "strongSwan's plugin (no renewal)", settings: SETTINGS },
  { name: 'renewal at T1', settings: { ...SETTINGS, renewal: 'renew-at-t1' } },
  { name: 'no lease guard', settings: { ...SETTINGS, leaseGuard: false } },
];

const BASE: ClientMessageBase = {
  identity: IDENTITY,
  xid: 0x500,
  secs: 0,
  broadcastFlag: false,
  parameterRequestList: [],
};
const DISCOVER = buildDiscover(BASE, null);
const REQUEST = buildRequestSelecting(BASE, LEASED, SERVER);
const RENEWAL = buildRequestRenewing({ ...BASE, xid: 0x501 }, LEASED);
const DECLINE = buildDecline(BASE, LEASED, SERVER);

/** A 100 s lease from now (T1 50 s, T2 87.5 s). */
function lease(nowUs: number): DhcpLeaseInfo {
  return {
    address: LEASED,
    mask: '255.255.255.0',
    router: null,
    dns: ['10.1.0.53'],
    leaseSecs: 100,
    serverId: SERVER,
    t1Secs: 50,
    t2Secs: 87.5,
    expiresAtUs: nowUs + 100_000_000,
  };
}

function events(s: Snap): Labelled[] {
  const state = String(s.value);
  if (state === 'failed' || state === 'released' || state === 'closed') return [];
  const c = s.context;
  const out: Labelled[] = [
    { type: 'dhcp.send', message: DISCOVER, destination: 'broadcast', label: 'sendDiscover' },
    { type: 'dhcp.send', message: REQUEST, destination: 'broadcast', label: 'sendRequest' },
    { type: 'dhcp.send', message: DECLINE, destination: 'broadcast', label: 'sendDecline' },
    { type: 'dhcp.bound', ...lease(0), label: 'bound' },
    { type: 'dhcp.nak', state: 'REQUESTING', withdrawn: null, label: 'nak' },
    { type: 'dhcp.gaveUp', state: 'SELECTING', tries: 5, label: 'gaveUp' },
    {
      type: 'proxy.recv',
      // To the DHCP client's own exchange (its xid), as the server answers it.
      message: replyTo({ ...DISCOVER, xid: c.dhcp.getSnapshot().context.xid >>> 0 }, DhcpMessageType.OFFER, {
        yiaddr: LEASED,
        serverId: SERVER,
      }),
      label: 'recvOffer',
    },
    { type: 'proxy.release', label: 'release' },
    { type: 'proxy.drop', label: 'drop' },
    { type: 'proxy.abandon', label: 'abandon' },
  ];
  if (c.lease !== null) {
    out.push(
      { type: 'dhcp.send', message: RENEWAL, destination: { unicast: SERVER }, label: 'sendRenewal' },
      { type: 'dhcp.renewed', ...lease(0), label: 'renewed' },
      { type: 'dhcp.expired', address: LEASED, label: 'expired' },
    );
  }
  if (c.guard !== null && state !== 'expiring') out.push({ type: 'timer.leaseGuard', label: 'timer.leaseGuard' });
  return out;
}

function vertex(s: Snap): string {
  const c = s.context;
  return [
    String(s.value),
    c.lease === null ? '-' : 'L',
    c.answer === null ? 'answered' : 'waiting',
    c.guard === null ? '-' : 'G',
    c.dhcpStopped ? 'stopped' : 'running',
  ].join('|');
}

/** The message each sending step must put on the wire, and where to. */
const SENT_BY: Readonly<Record<string, { readonly type: string; readonly dst: string }>> = {
  sendDiscover: { type: 'DISCOVER', dst: SERVER },
  sendRequest: { type: 'REQUEST', dst: SERVER },
  sendRenewal: { type: 'REQUEST', dst: SERVER },
  sendDecline: { type: 'DECLINE', dst: SERVER },
  release: { type: 'RELEASE', dst: SERVER },
};

function stubHost(clock: TestClock, sent: UdpDatagram[]): ProviderHost {
  return {
    nowUs: () => clock.nowUs(),
    traceNote: () => undefined,
    setTimerUs: () => () => undefined,
    clock: clock as unknown as VirtualClock,
    rng: () => testRng(1),
    traceState: () => undefined,
    traceMachine: () => ({ current: () => 'none' }),
    insideAddress: INSIDE,
    outsideAddress: '198.51.100.1',
    sendUdp: (d) => sent.push({ src: INSIDE, ...d }),
    sendToPeer: () => false,
  };
}

function input(config: Config, clock: TestClock, sent: UdpDatagram[], answers: AddressAnswer[]): ProxySessionInput {
  const dhcp = createActor(dhcpClientMachine, {
    clock,
    input: { identity: IDENTITY, rng: testRng(5), nowUs: () => clock.nowUs() },
  });
  return {
    ikeSaId: IKE_SA,
    peerId: PEER,
    host: stubHost(clock, sent),
    settings: config.settings,
    identity: IDENTITY,
    dhcp,
    answer: (a) => answers.push(a),
  };
}

describe('DHCP proxy session statechart: generated paths through a real actor (mode-cfg-dhcp)', () => {
  const cov = new TransitionCoverage(proxySessionMachine);
  let pathsRun = 0;

  for (const config of CONFIGS) {
    it(`every edge of the graph, ${config.name}: what is sent and answered fits each step`, () => {
      const traversalClock = new TestClock();
      const paths = edgePaths(proxySessionMachine, {
        input: input(config, traversalClock, [], []),
        events,
        serializeState: vertex,
        serializeEvent: (e) => (e as Labelled).label,
      });
      expect(paths.length).toBeGreaterThan(20);
      for (const path of paths) {
        const clock = new TestClock();
        const sent: UdpDatagram[] = [];
        const answers: AddressAnswer[] = [];
        const guards: string[] = [];
        const i = input(config, clock, sent, answers);
        const actor = createActor(proxySessionMachine, { clock, input: i, inspect: cov.inspect });
        actor.on('proxy.answer', (e) => e.answer(e.result));
        actor.on('proxy.leaseGuard', (e) => guards.push(e.guard.address));
        actor.start();
        i.dhcp.start();
        let answered = 0;
        for (const step of path.events) {
          const before = String(actor.getSnapshot().value);
          const label = (step as Labelled).label;
          const dhcpBefore = String(i.dhcp.getSnapshot().value);
          const running = !actor.getSnapshot().context.dhcpStopped;
          const leasedBefore = actor.getSnapshot().context.lease !== null;
          const e = events(actor.getSnapshot()).find((x) => x.label === label);
          expect(e, `${path.edge}: ${label} is possible in ${before}`).toBeDefined();
          if (e === undefined) continue;
          actor.send(label === 'bound' || label === 'renewed' ? { ...e, ...lease(clock.nowUs()) } : e);
          const after = String(actor.getSnapshot().value);
          const where = `${path.edge}: ${before} --${label}--> ${after}`;
          const wanted = SENT_BY[label];
          const out = sent.splice(0);
          // Each send step puts its message on the wire; a RELEASE goes only for a lease still held (§4.4.6).
          const count = wanted === undefined ? 0 : label === 'release' ? (leasedBefore ? 1 : 0) : 1;
          expect(out.length, where).toBe(count);
          for (const d of out) {
            expect(d.app.kind, where).toBe('dhcp');
            if (d.app.kind !== 'dhcp') continue;
            const bytes = emitDhcpMessage(d.app.message);
            const parsed = parseDhcpMessage(bytes, 0);
            expect(parsed.ok, `${where}: unparsable`).toBe(true);
            if (!parsed.ok) continue;
            expect(TYPE_NAMES[messageTypeOf(parsed.value) ?? 0], where).toBe(wanted?.type);
            // dhcp_socket.c: from the gateway's DHCP client port to the server, giaddr = our inside address.
            expect([d.srcPort, d.dstPort, d.dst, parsed.value.giaddr], where).toEqual([68, 67, wanted?.dst, INSIDE]);
          }
          // The reply reached the DHCP client (its OFFER moves it on from SELECTING).
          if (label === 'recvOffer' && running && dhcpBefore === 'SELECTING')
            expect(String(i.dhcp.getSnapshot().value), where).toBe('REQUESTING');
          answered += answers.length;
          for (const a of answers.splice(0)) {
            if (label === 'bound') expect(a.ok && !a.more && a.config?.address, where).toBe(LEASED);
            else if (label === 'gaveUp') expect(a, where).toEqual({ ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' });
            else expect.unreachable(`${where}: answered on ${label}`);
          }
          expect(answered, `${where}: the IKE_AUTH round is answered at most once`).toBeLessThanOrEqual(1);
          if (after === 'expiring' && before !== 'expiring') expect(guards.at(-1), where).toBe(LEASED);
        }
        actor.stop();
        i.dhcp.stop();
        pathsRun += 1;
      }
    });
  }

  it('the paths took every state and every transition of the definition', () => {
    expect(pathsRun).toBeGreaterThan(60);
    expectFullCoverage(cov);
  });
});
