/**
 * Model-based test of the relay session machine (one per IKE SA, models/methods/gateway-relay/session-machine.ts):
 * `xstate/graph` explores it with the peer's requests (DISCOVER, REQUEST, a renewal, the same request again, one
 * carrying a forged option 82), the servers' replies (OFFER from one or two servers, ACK with a finite or infinite
 * lease, NAK), the IKE side (answered, abandoned, SA deleted with or without the peer still holding the address) and
 * every timer; each generated path is driven through a real actor. At each step every datagram the session sends is
 * encoded and parsed by the DHCP codec and must be what its new state sends (seed §3: the peer's request, relayed
 * with giaddr and option 82, to every server; RFC 2131 §4.4.6 RELEASE when the SA goes), and every answer handed to
 * the IKE responder must carry replies that answer the request (RFC 2131 §4.3). Five configurations (seed, WG with two
 * servers, the non-default policies, a newer SA holding the address, a newer SA asking for the same client) share one
 * coverage count, which must reach every state and every transition.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import type { VirtualClock } from '../../../../models/contract.ts';
import { ipsecTunnelIdentity } from '../../../../models/dhcp/client-identity.ts';
import {
  buildDiscover,
  buildRequestRenewing,
  buildRequestSelecting,
  type ClientMessageBase,
} from '../../../../models/dhcp/client-messages.ts';
import { messageTypeOf, readRelayAgentInfoText } from './support.ts';
import { DEFAULT_RELAY_POLICY, type RelayPolicy } from '../../../../models/methods/gateway-relay/policies.ts';
import type { RelayConfig, RelayMode, RelayOutcome } from '../../../../models/methods/gateway-relay/relay-agent.ts';
import {
  relayedFor,
  relaySessionMachine,
  type RelayDirectory,
  type RelaySessionEvent,
  type RelaySessionInput,
} from '../../../../models/methods/gateway-relay/session-machine.ts';
import type { ProviderHost, UdpDatagram } from '../../../../models/methods/method.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../../../models/wire/dhcp/codec.ts';
import { DhcpMessageType, type DhcpMessage } from '../../../../models/wire/dhcp/types.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../../support/machine-coverage.ts';
import { replyTo, TYPE_NAMES } from '../../dhcp/client-harness.ts';
import { TestClock } from '../../dhcp/test-clock.ts';
import { testRng } from '../../dhcp/test-rng.ts';

type Snap = SnapshotFrom<typeof relaySessionMachine>;
type Labelled = RelaySessionEvent & { readonly label: string };

const IKE_SA = 'sa-0001';
const PEER = 'client1@example.com';
const INSIDE = '10.1.0.1';
const S1 = '10.1.0.2';
const S2 = '10.1.0.3';
const LEASED = '10.99.1.10';
const AFTER_RELEASE = 'xstate.after.releaseAfterExchange.relaySession.releasing';

interface Config {
  readonly name: string;
  readonly servers: readonly string[];
  readonly mode: RelayMode;
  readonly policy: RelayPolicy;
  /** The directory's answers: another SA holding the address, another SA of the peer asking for the client. */
  readonly holder?: string;
  readonly asker?: string;
  /** The event labels this configuration explores (default all): each configuration adds what only it can reach. */
  readonly only?: readonly string[];
}

const SEED: RelayMode = { collect: 'first', deadline: 'retries' };
const WG: RelayMode = { collect: 'window', deadline: 'collect' };

const CONFIGS: readonly Config[] = [
  { name: 'seed, one server', servers: [S1], mode: SEED, policy: DEFAULT_RELAY_POLICY },
  {
    name: 'WG, two servers, collect window',
    servers: [S1, S2],
    mode: WG,
    policy: DEFAULT_RELAY_POLICY,
    only: ['discover', 'request', 'repeat', 'offer', 'offer2', 'ack', 'timer.collectWindow', 'timer.serverRetry'],
  },
  {
    name: 'keep on delete, late replies dropped, no lease guard, duplicates forwarded',
    servers: [S1],
    mode: SEED,
    policy: {
      ...DEFAULT_RELAY_POLICY,
      onSaDelete: 'keep',
      lateReplies: 'drop',
      leaseGuard: false,
      duplicate: 'forward',
    },
  },
  {
    name: 'a newer SA holds the address',
    servers: [S1],
    mode: SEED,
    policy: DEFAULT_RELAY_POLICY,
    holder: 'sa-0002',
    only: ['request', 'ack', 'release'],
  },
  {
    name: 'a newer SA asks for the client',
    servers: [S1],
    mode: SEED,
    policy: DEFAULT_RELAY_POLICY,
    asker: 'sa-0003',
    only: ['request', 'ack', 'release'],
  },
];

const BASE: ClientMessageBase = {
  identity: ipsecTunnelIdentity({ outerAddress: '198.51.100.11', octet: 0 }),
  xid: 0,
  secs: 0,
  broadcastFlag: false,
  parameterRequestList: [],
};
const DISCOVER = buildDiscover({ ...BASE, xid: 0x100 }, null);
const REQUEST = buildRequestSelecting({ ...BASE, xid: 0x200 }, LEASED, S1);
const RENEW = buildRequestRenewing({ ...BASE, xid: 0x300 }, LEASED);
const FORGED: DhcpMessage = {
  ...DISCOVER,
  xid: 0x400,
  options: [
    ...DISCOVER.options,
    { kind: 'relayAgentInfo', subOptions: [{ kind: 'circuitId', data: new Uint8Array([1]) }] },
  ],
};

/** Every answer the responder got, in order (checked after each step). */
const answers: RelayOutcome[] = [];
const answer = (o: RelayOutcome): void => {
  answers.push(o);
};

function relayConfig(config: Config): RelayConfig {
  return { servers: config.servers, gatewayName: 'gw', policy: config.policy };
}

function request(config: Config, label: string, message: DhcpMessage, mode: RelayMode): Labelled {
  return {
    relayed: relayedFor(relayConfig(config), INSIDE, IKE_SA, PEER, message),
    type: 'relay.request',
    message,
    messageType: messageTypeOf(message) ?? 0,
    mode,
    canary: undefined,
    scoped: false,
    answer,
    label,
  };
}

/** The requests this test sends, by xid (the session keeps only the last one's xid, type and identity fields). */
const SENT_BY_XID: ReadonlyMap<number, DhcpMessage> = new Map(
  [DISCOVER, REQUEST, RENEW, FORGED].map((m) => [m.xid, m]),
);

/** The request the session saw last (the open transaction's), as this test sent it. */
function lastSent(s: Snap): DhcpMessage | null {
  const last = s.context.lastRequest;
  return last === null ? null : (SENT_BY_XID.get(last.xid) ?? null);
}

/** The request a server reply answers: the open transaction's, else the last one relayed (a late reply). */
function asked(s: Snap): DhcpMessage | null {
  return s.context.txn?.message ?? lastSent(s);
}

function reply(label: string, s: Snap, type: 2 | 5 | 6, server: string, leaseSecs = 100): Labelled | null {
  const m = asked(s);
  if (m === null) return null;
  const message = replyTo(m, type, { yiaddr: LEASED, leaseSecs, serverId: server });
  return { type: 'relay.reply', message, server, label };
}

const plain = (type: 'relay.abandon' | 'timer.serverRetry' | 'timer.collectWindow' | 'timer.leaseGuard'): Labelled =>
  ({ type, label: type }) as Labelled;

function events(config: Config): (s: Snap) => Labelled[] {
  return (s) => {
    const c = s.context;
    const state = String(s.value);
    if (state === 'released' || state === 'closed') return [];
    // The delayed transition's event (fired by the clock in the real actor).
    if (state === 'releasing') return [{ type: AFTER_RELEASE, label: 'after' } as unknown as Labelled];
    const out: (Labelled | null)[] = [
      request(config, 'discover', DISCOVER, config.mode),
      { type: 'relay.release', peerMayHold: false, label: 'release' },
      { type: 'relay.release', peerMayHold: true, label: 'releaseMayHold' },
    ];
    // A new request replacing an open transaction is taken with `discover`; the others start from a closed one.
    if (c.txn === null)
      out.push(request(config, 'request', REQUEST, config.mode), request(config, 'forged', FORGED, config.mode));
    if (c.lease !== null && c.txn === null) out.push(request(config, 'renew', RENEW, config.mode));
    if (c.txn !== null) {
      out.push(request(config, 'repeat', lastSent(s) ?? DISCOVER, c.txn.mode));
      out.push(plain('relay.abandon'), plain('timer.serverRetry'));
      if (c.txn.mode.deadline === 'collect' && c.answer !== null) out.push(plain('timer.collectWindow'));
    }
    if (c.guard !== null && !c.lapsing) out.push(plain('timer.leaseGuard'));
    const m = asked(s);
    if (m !== null) {
      const discovering = messageTypeOf(m) === DhcpMessageType.DISCOVER;
      if (discovering) {
        out.push(reply('offer', s, DhcpMessageType.OFFER, S1));
        if (config.servers.length > 1) out.push(reply('offer2', s, DhcpMessageType.OFFER, S2));
      } else {
        out.push(reply('ack', s, DhcpMessageType.ACK, S1));
        if (c.lease === null) out.push(reply('ackForever', s, DhcpMessageType.ACK, S1, 0xffffffff));
        out.push(reply('nak', s, DhcpMessageType.NAK, S1));
      }
    }
    return out.filter((e): e is Labelled => e !== null && (config.only?.includes(e.label) ?? true));
  };
}

/** The graph's vertex: the phase and what decides the next step (never xids or times; `shown` only matters in `offered`). */
function vertex(s: Snap): string {
  const c = s.context;
  const txn =
    c.txn === null
      ? '-'
      : [c.txn.type, Math.min(c.txn.tries, 6), c.answer === null ? 'answered' : 'waiting', c.txn.replies.length].join(
          ':',
        );
  return [
    String(s.value),
    txn,
    c.lease === null ? '-' : 'L',
    Math.min(c.late.length, 1),
    c.guard === null ? '-' : 'G',
    c.lapsing ? 'lapsing' : '',
    c.lastRequest === null ? '-' : c.lastRequest.type,
  ].join('|');
}

/** What a session may send on the step that lands it in `state`. */
const SENDS: Readonly<Record<string, readonly string[]>> = {
  discovering: ['DISCOVER'],
  requesting: ['REQUEST'],
  renewing: ['REQUEST'],
  released: ['RELEASE'],
  expiring: ['DISCOVER', 'REQUEST'],
};

function harness(config: Config, clock: TestClock, host: ProviderHost): RelaySessionInput {
  const directory: RelayDirectory = {
    holderOf: () => config.holder,
    askingFor: () => config.asker,
    txnOpened: () => undefined,
    leaseChanged: () => undefined,
  };
  return {
    ikeSaId: IKE_SA,
    peerId: PEER,
    shared: { host, config: relayConfig(config), rng: testRng(3), directory },
  };
}

function stubHost(clock: TestClock, sent: UdpDatagram[], closed: string[]): ProviderHost {
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
    closeIkeSa: (ikeSaId, reason) => closed.push(`${ikeSaId} ${reason}`),
  };
}

describe('relay session statechart: generated paths through a real actor (seed §3, draft-ietf §3)', () => {
  const cov = new TransitionCoverage(relaySessionMachine);
  let pathsRun = 0;

  for (const config of CONFIGS) {
    it(`every edge of the graph, ${config.name}: what is sent and answered fits each step`, () => {
      const traversalClock = new TestClock();
      const paths = edgePaths(relaySessionMachine, {
        input: harness(config, traversalClock, stubHost(traversalClock, [], [])),
        events: events(config),
        serializeState: vertex,
        serializeEvent: (e) => (e as Labelled).label,
        limit: 20_000,
      });
      expect(paths.length).toBeGreaterThan(config.only === undefined ? 20 : 3);
      for (const path of paths) {
        const clock = new TestClock();
        const sent: UdpDatagram[] = [];
        const closed: string[] = [];
        const actor = createActor(relaySessionMachine, {
          clock,
          input: harness(config, clock, stubHost(clock, sent, closed)),
          inspect: cov.inspect,
        });
        actor.on('relay.answer', (e) => e.answer(e.outcome));
        // The router deletes the IKE SA when the guard fires (lease-guard.ts); here the request is recorded.
        actor.on('relay.leaseGuard', (e) => closed.push(`${e.guard.address} ${e.guard.expiresAtUs}`));
        answers.length = 0;
        actor.start();
        for (const step of path.events) {
          const before = String(actor.getSnapshot().value);
          const label = (step as Labelled).label;
          const requestBefore = asked(actor.getSnapshot());
          let askedType: number | null = requestBefore === null ? null : messageTypeOf(requestBefore);
          if (label === 'after') clock.advance(0);
          else {
            // Rebuilt from the real actor's snapshot (the reply's xid is the real transaction's).
            const e = events(config)(actor.getSnapshot()).find((x) => x.label === label);
            expect(e, `${path.edge}: ${label} is possible in ${before}`).toBeDefined();
            if (e?.type === 'relay.request') askedType = e.messageType;
            if (e !== undefined) actor.send(e);
          }
          const after = String(actor.getSnapshot().value);
          const where = `${path.edge}: ${before} --${label}--> ${after}`;
          for (const d of sent.splice(0)) {
            expect(d.app.kind, where).toBe('dhcp');
            if (d.app.kind !== 'dhcp') continue;
            const bytes = emitDhcpMessage(d.app.message);
            const parsed = parseDhcpMessage(bytes, 0);
            expect(parsed.ok, `${where}: unparsable`).toBe(true);
            if (!parsed.ok) continue;
            const type = TYPE_NAMES[messageTypeOf(parsed.value) ?? 0] ?? '?';
            expect(SENDS[after] ?? [], `${where} sent ${type}`).toContain(type);
            // seed §3: relayed from the inside address, 67→67, giaddr set, option 82 naming the IKE SA (RFC 3046 §3.1).
            expect([d.srcPort, d.dstPort, parsed.value.giaddr], where).toEqual([67, 67, INSIDE]);
            expect(config.servers, where).toContain(d.dst);
            expect(readRelayAgentInfoText(parsed.value, 'circuitId'), where).toBe(`ike:${IKE_SA}`);
          }
          for (const o of answers.splice(0)) {
            if (o.kind !== 'replies') continue;
            expect(o.replies.length, where).toBeGreaterThan(0);
            for (const m of o.replies) {
              const parsed = parseDhcpMessage(emitDhcpMessage(m), 0);
              expect(parsed.ok && parsed.value.op, where).toBe(2);
              const wanted = askedType === DhcpMessageType.DISCOVER ? [2] : [5, 6];
              expect(wanted, where).toContain(messageTypeOf(m));
            }
          }
          // RFC 2131 §4.4.5: the guard fires for the leased address, before the lease (100 s from its request) ends.
          if (after === 'expiring' && before !== 'expiring') {
            const [address, expiresAtUs] = (closed.at(-1) ?? '').split(' ');
            expect(address, where).toBe(LEASED);
            expect(Number(expiresAtUs), where).toBeGreaterThan(clock.nowUs());
          }
        }
        actor.stop();
        pathsRun += 1;
      }
    });
  }

  it('the paths took every state and every transition of the definition', () => {
    expect(pathsRun).toBeGreaterThan(100);
    expectFullCoverage(cov);
  });
});
