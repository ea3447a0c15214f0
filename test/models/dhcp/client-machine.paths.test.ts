/**
 * Model-based test of the DHCP client statechart (RFC 2131 figure 5) from its definition: `xstate/graph` explores
 * the machine with a scripted server (OFFER, ACK, NAK, an ACK whose lease already ran out, unusable replies) and
 * every timer and command, and each generated path is then driven through a real actor. At each step every
 * DHCP message the client emits is encoded and parsed again by the codecs and must be the one its new state sends
 * (§4.4.1 DISCOVER in SELECTING, REQUEST in REQUESTING/REBOOTING, §4.4.5 unicast REQUEST in RENEWING, broadcast in
 * REBINDING, §4.4.6 RELEASE, §3.1.5 DECLINE). Three configurations (take the first offer; collect offers for a
 * window; INIT-REBOOT with a remembered address) share one coverage count, which must reach every state and
 * every transition.
 */
import { FIVE_TRIES_RETRANSMIT } from '../../../models/dhcp/client-timers.ts';
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { ethernetIdentity } from '../../../models/dhcp/client-identity.ts';
import {
  dhcpClientMachine,
  type DhcpClientEvent,
  type DhcpClientInput,
  type DhcpDestination,
} from '../../../models/dhcp/client-machine.ts';
import { messageTypeOf } from '../../../models/dhcp/options.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../../models/wire/dhcp/codec.ts';
import { DhcpMessageType, type DhcpMessage } from '../../../models/wire/dhcp/types.ts';
import { bareClientMessage } from '../../support/dhcp-messages.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../support/machine-coverage.ts';
import { replyTo, TYPE_NAMES } from './client-harness.ts';
import { TestClock } from './test-clock.ts';
import { testRng } from './test-rng.ts';

type Snap = SnapshotFrom<typeof dhcpClientMachine>;
type Labelled = DhcpClientEvent & { readonly label: string };

const SERVER = '192.0.2.1';

/** The last message the client sent in this exchange, rebuilt from its context: a reply needs its xid and chaddr. */
function requestOf(s: Snap): DhcpMessage {
  return bareClientMessage(s.context.identity, DhcpMessageType.REQUEST, s.context.xid >>> 0, s.context.lease?.address);
}

const recv = (label: string, message: DhcpMessage): Labelled => ({ type: 'dhcp.recv', message, label });
const plain = (type: Exclude<DhcpClientEvent['type'], 'dhcp.recv'>): Labelled => ({ type, label: type });

/** What the scripted server and the clock can do, by label; rebuilt from the snapshot the event is sent in. */
const EVENTS: Readonly<Record<string, (s: Snap) => Labelled>> = {
  offer: (s) => recv('offer', replyTo(requestOf(s), DhcpMessageType.OFFER, { yiaddr: '192.0.2.10' })),
  /** §4.4.1: an OFFER without a server identifier is unusable. */
  offerNoServerId: (s) => {
    const m = replyTo(requestOf(s), DhcpMessageType.OFFER, { yiaddr: '192.0.2.10' });
    return recv('offerNoServerId', { ...m, options: m.options.filter((o) => o.kind !== 'serverId') });
  },
  ack: (s) => recv('ack', replyTo(requestOf(s), DhcpMessageType.ACK, { yiaddr: '192.0.2.10', leaseSecs: 3600 })),
  /** A lease of 0 s counted from the original REQUEST has run out when it arrives (§4.4.1, §4.4.5). */
  staleAck: (s) => recv('staleAck', replyTo(requestOf(s), DhcpMessageType.ACK, { yiaddr: '192.0.2.10', leaseSecs: 0 })),
  nak: (s) => recv('nak', replyTo(requestOf(s), DhcpMessageType.NAK)),
  /** Another client's reply (xid + 1): ignored in every state. */
  foreignAck: (s) => {
    const m = replyTo(requestOf(s), DhcpMessageType.ACK, { yiaddr: '192.0.2.11' });
    return recv('foreignAck', { ...m, xid: (m.xid + 1) >>> 0 });
  },
  'timer.start': () => plain('timer.start'),
  'timer.retransmit': () => plain('timer.retransmit'),
  'timer.offerWindow': () => plain('timer.offerWindow'),
  'timer.t1': () => plain('timer.t1'),
  'timer.t2': () => plain('timer.t2'),
  'timer.expire': () => plain('timer.expire'),
  'cmd.start': () => plain('cmd.start'),
  'cmd.renew': () => plain('cmd.renew'),
  'cmd.conflict': () => plain('cmd.conflict'),
  'cmd.release': () => plain('cmd.release'),
};

/** Which events each state can meet (timers only in the states that arm them, as the real clock would deliver). */
const POSSIBLE: Readonly<Record<string, readonly string[]>> = {
  INIT: ['timer.start', 'cmd.start', 'cmd.release'],
  SELECTING: ['offer', 'offerNoServerId', 'foreignAck', 'timer.retransmit', 'timer.offerWindow', 'cmd.release'],
  REQUESTING: ['ack', 'staleAck', 'nak', 'foreignAck', 'timer.retransmit', 'cmd.release'],
  BOUND: ['timer.t1', 'cmd.renew', 'cmd.conflict', 'cmd.release'],
  RENEWING: ['ack', 'nak', 'timer.retransmit', 'timer.t2', 'cmd.release'],
  REBINDING: ['ack', 'nak', 'timer.retransmit', 'timer.expire', 'cmd.release'],
  REBOOTING: ['ack', 'staleAck', 'nak', 'timer.retransmit', 'cmd.release'],
  RELEASED: ['cmd.start'],
};

function events(s: Snap): Labelled[] {
  const state = String(s.value);
  const offered = s.context.offers.length > 0;
  return (POSSIBLE[state] ?? [])
    .filter((label) => label !== 'timer.offerWindow' || offered)
    .filter((label) => label !== 'timer.start' || (s.context.initDelayMs ?? 0) > 0)
    .map((label) => (EVENTS[label] as (x: Snap) => Labelled)(s));
}

/** The graph's vertex: the state and the context that changes what happens next (never the xid or times). */
function vertex(s: Snap): string {
  const c = s.context;
  return [
    String(s.value),
    Math.min(c.tries, 6),
    Math.min(c.offers.length, 2),
    c.lease === null ? '-' : 'L',
    c.initDelayMs ?? 'wait',
  ].join('|');
}

/** The messages a client in `state` may emit on the step that lands it there (RFC 2131 §4.4, figure 5). */
const SENDS: Readonly<Record<string, readonly { type: string; to: 'broadcast' | 'server' }[]>> = {
  SELECTING: [{ type: 'DISCOVER', to: 'broadcast' }],
  REQUESTING: [{ type: 'REQUEST', to: 'broadcast' }],
  REBOOTING: [{ type: 'REQUEST', to: 'broadcast' }],
  RENEWING: [{ type: 'REQUEST', to: 'server' }],
  REBINDING: [{ type: 'REQUEST', to: 'broadcast' }],
  INIT: [{ type: 'DECLINE', to: 'broadcast' }],
  RELEASED: [{ type: 'RELEASE', to: 'server' }],
};

function destinationName(d: DhcpDestination): 'broadcast' | 'server' {
  return d === 'broadcast' ? 'broadcast' : d.unicast === SERVER ? 'server' : 'broadcast';
}

interface Config {
  readonly name: string;
  readonly input: Partial<DhcpClientInput>;
}

const CONFIGS: readonly Config[] = [
  { name: 'first offer', input: {} },
  { name: 'offer window', input: { offerWindowMs: 500 } },
  // five-tries: a DISCOVER limit (the default has none, RFC 2131 §4.1), so SELECTING's give-up is reachable.
  {
    name: 'INIT-REBOOT, five-tries',
    input: { rememberedAddress: '192.0.2.10', giveUpRestartMs: 2_000, retransmit: FIVE_TRIES_RETRANSMIT },
  },
];

function inputFor(config: Config, clock: TestClock): DhcpClientInput {
  return {
    identity: ethernetIdentity('02:00:00:00:00:01'),
    rng: testRng(7),
    nowUs: () => clock.nowUs(),
    ...config.input,
  };
}

describe('DHCP client statechart: generated paths through a real actor (RFC 2131 figure 5)', () => {
  const cov = new TransitionCoverage(dhcpClientMachine);
  let pathsRun = 0;

  for (const config of CONFIGS) {
    it(`every edge of the graph, ${config.name}: each emitted message is the one its state sends`, () => {
      const paths = edgePaths(dhcpClientMachine, {
        input: inputFor(config, new TestClock()),
        events,
        serializeState: vertex,
        serializeEvent: (e) => (e as Labelled).label,
      });
      expect(paths.length).toBeGreaterThan(10);
      for (const path of paths) {
        const clock = new TestClock();
        const actor = createActor(dhcpClientMachine, { clock, input: inputFor(config, clock), inspect: cov.inspect });
        const sent: { message: DhcpMessage; destination: DhcpDestination }[] = [];
        actor.on('dhcp.send', (e) => sent.push({ message: e.message, destination: e.destination }));
        const check = (before: string, label: string): void => {
          const after = String(actor.getSnapshot().value);
          const allowed = SENDS[after] ?? [];
          for (const { message, destination } of sent.splice(0)) {
            const bytes = emitDhcpMessage(message);
            const parsed = parseDhcpMessage(bytes, 0);
            expect(parsed.ok, `${path.edge}: ${label} emitted an unparsable message`).toBe(true);
            if (!parsed.ok) continue;
            expect(emitDhcpMessage(parsed.value)).toEqual(bytes);
            const type = TYPE_NAMES[messageTypeOf(parsed.value) ?? 0] ?? '?';
            expect(
              allowed.some((a) => a.type === type && a.to === destinationName(destination)),
              `${path.edge}: ${before} --${label}--> ${after} sent ${type} to ${destinationName(destination)}`,
            ).toBe(true);
          }
        };
        actor.start();
        check('(start)', 'start');
        for (const step of path.events) {
          const before = String(actor.getSnapshot().value);
          const label = (step as Labelled).label;
          // Rebuilt from the real actor's snapshot: its xid, not the traversal's.
          actor.send((EVENTS[label] as (x: Snap) => Labelled)(actor.getSnapshot()));
          check(before, label);
        }
        actor.stop();
        pathsRun += 1;
      }
    });
  }

  it('the paths took every state and every transition of the definition', () => {
    expect(pathsRun).toBeGreaterThan(30);
    expectFullCoverage(cov);
  });
});
