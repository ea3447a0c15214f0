/**
 * Model-based test of the DHCP carrier statechart (dhcp-carrier/carrier-machine.ts, both DHCP-over-IKE drafts):
 * `xstate/graph` explores the machine with everything its world can do — the IKE initiator's hook events (IKE_AUTH
 * request/response with DHCP payloads, IKE SA up, CREATE_CHILD_SA rekey and response, close) and what its DHCP client
 * reports (sends, bound/renewed, NAK, expiry, its state) — and each generated path is then driven through a real actor
 * whose DHCP client is a silent stand-in (the test plays it). At every step each DHCP message the machine hands to IKE
 * (in an answer's payloads or a CREATE_CHILD_SA it asks for) goes through the DHCP codec and must be the message its
 * DHCP client last sent: the glue carries, it never invents. Six configurations (seed/WG × `dhcpIkeNakRestart`, WG
 * renewal off, WG `dhcpIkeWgRecarry` both ways, IKE down) share one coverage count, which must reach every state and
 * transition.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { ipsecTunnelIdentity } from '../../../../models/dhcp/client-identity.ts';
import type { DhcpClientEmitted, DhcpLeaseInfo } from '../../../../models/dhcp/client-machine.ts';
import { messageTypeOf } from '../../../../models/dhcp/options.ts';
import {
  dhcpCarrierMachine,
  NO_REKEY,
  type CarrierEmitted,
  type CarrierEvent,
  type CarrierInput,
  type CarrierVariant,
} from '../../../../models/methods/dhcp-carrier/carrier-machine.ts';
import { carrierPolicy, type CarrierPolicy } from '../../../../models/methods/dhcp-carrier/policies.ts';
import type { ChildExchangeInfo, ClientMethodContext } from '../../../../models/methods/method.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../../../models/wire/dhcp/codec.ts';
import { DhcpMessageType, type DhcpMessage, type DhcpMessageTypeCode } from '../../../../models/wire/dhcp/types.ts';
import type { IkePayload } from '../../../../models/wire/ike/index.ts';
import { tsFullRange } from '../../../../models/wire/ike/index.ts';
import { bareClientMessage, throughCodec } from '../../../support/dhcp-messages.ts';
import { silentDhcpClient, stubMethodContext } from '../../../support/method-context-stub.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../../support/machine-coverage.ts';
import { replyTo } from '../../dhcp/client-harness.ts';
import { TestClock } from '../../dhcp/test-clock.ts';

type Snap = SnapshotFrom<typeof dhcpCarrierMachine>;
type Labelled = CarrierEvent & { readonly label: string };

const IDENTITY = ipsecTunnelIdentity({ outerAddress: '198.51.100.11', octet: 0 });
const ADDRESS = '10.99.1.10';

const clientMessage = (type: DhcpMessageTypeCode, xid: number, ciaddr?: string): DhcpMessage =>
  bareClientMessage(IDENTITY, type, xid, ciaddr);

const wire = throughCodec;

const DISCOVER = wire(clientMessage(DhcpMessageType.DISCOVER, 0x1001));
const REQUEST = wire(clientMessage(DhcpMessageType.REQUEST, 0x1002));
const RENEW = wire(clientMessage(DhcpMessageType.REQUEST, 0x1003, ADDRESS));
const OFFER = wire(replyTo(DISCOVER, DhcpMessageType.OFFER, { yiaddr: ADDRESS }));
const ACK = wire(replyTo(REQUEST, DhcpMessageType.ACK, { yiaddr: ADDRESS, leaseSecs: 3600 }));
const NAK = wire(replyTo(REQUEST, DhcpMessageType.NAK));

const LEASE: DhcpLeaseInfo = {
  address: ADDRESS,
  mask: '255.255.255.0',
  router: null,
  dns: ['192.0.2.53'],
  leaseSecs: 3600,
  serverId: '192.0.2.1',
  t1Secs: 1800,
  t2Secs: 3150,
  expiresAtUs: 3_600_000_000,
};

const info = (slot: string, rekey: boolean): ChildExchangeInfo => ({
  slot,
  rekey,
  selectors: { tsi: [tsFullRange()], tsr: [tsFullRange()] },
  byMethod: !rekey,
});

const sent = (label: string, message: DhcpMessage): Labelled => ({
  type: 'dhcp.send',
  message,
  destination: 'broadcast',
  label,
});
const dhcpEvent = (label: string, e: DhcpClientEmitted): Labelled => ({ ...e, label });

/** Everything the world can do, by label (the slot is the configuration's). */
function eventsFor(slot: string): Readonly<Record<string, Labelled>> {
  return {
    authRequest: { type: 'ike.authRequest', label: 'authRequest' },
    authOffer: { type: 'ike.authResponse', messages: [OFFER], errors: [], label: 'authOffer' },
    authAck: { type: 'ike.authResponse', messages: [ACK], errors: [], label: 'authAck' },
    authEmpty: { type: 'ike.authResponse', messages: [], errors: [], label: 'authEmpty' },
    authError: {
      type: 'ike.authResponse',
      messages: [],
      errors: ['INTERNAL_ADDRESS_FAILURE'],
      label: 'authError',
    },
    upConfigured: {
      type: 'ike.up',
      config: { address: ADDRESS, prefixLength: 24, dns: [] },
      label: 'upConfigured',
    },
    upLater: { type: 'ike.up', config: undefined, label: 'upLater' },
    rekeyOurs: { type: 'ike.childRequest', info: info(slot, true), label: 'rekeyOurs' },
    rekeyOther: { type: 'ike.childRequest', info: info('other', true), label: 'rekeyOther' },
    childAck: { type: 'ike.childResponse', info: info(slot, false), messages: [ACK], errors: [], label: 'childAck' },
    childNak: { type: 'ike.childResponse', info: info(slot, true), messages: [NAK], errors: [], label: 'childNak' },
    childOffer: {
      type: 'ike.childResponse',
      info: info(slot, false),
      messages: [OFFER],
      errors: [],
      label: 'childOffer',
    },
    childEmptyOk: {
      type: 'ike.childResponse',
      info: info(slot, true),
      messages: [],
      errors: [],
      label: 'childEmptyOk',
    },
    childFailedNew: {
      type: 'ike.childResponse',
      info: info(slot, false),
      messages: [],
      errors: ['INTERNAL_ADDRESS_FAILURE'],
      label: 'childFailedNew',
    },
    childFailedRekey: {
      type: 'ike.childResponse',
      info: info(slot, true),
      messages: [],
      errors: ['TEMPORARY_FAILURE'],
      label: 'childFailedRekey',
    },
    otherOk: { type: 'ike.childResponse', info: info('other', false), messages: [], errors: [], label: 'otherOk' },
    otherFailed: {
      type: 'ike.childResponse',
      info: info('other', false),
      messages: [],
      errors: ['TS_UNACCEPTABLE'],
      label: 'otherFailed',
    },
    closed: { type: 'ike.closed', label: 'closed' },
    settle: { type: 'carrier.settle', label: 'settle' },
    sendDiscover: sent('sendDiscover', DISCOVER),
    sendRequest: sent('sendRequest', REQUEST),
    sendRenew: sent('sendRenew', RENEW),
    bound: dhcpEvent('bound', { type: 'dhcp.bound', ...LEASE }),
    renewed: dhcpEvent('renewed', { type: 'dhcp.renewed', ...LEASE }),
    nak: dhcpEvent('nak', { type: 'dhcp.nak', state: 'RENEWING', withdrawn: ADDRESS }),
    expired: dhcpEvent('expired', { type: 'dhcp.expired', address: ADDRESS }),
    ...Object.fromEntries(
      ['SELECTING', 'REQUESTING', 'REBOOTING', 'BOUND', 'RENEWING', 'REBINDING'].map((s) => [
        `state:${s}`,
        { type: 'dhcp.state', state: s, label: `state:${s}` } satisfies Labelled,
      ]),
    ),
  };
}

/** What the world may do in each kind of snapshot: hooks while no call is open; the DHCP client's reports in one. */
function possible(s: Snap): readonly string[] {
  const call = s.value.call;
  if (call !== 'free') {
    const reading = typeof call === 'object' ? call.reading : '';
    // The DHCP client answers the call (what it sends depends on what it was given), then the hook settles.
    const replies: Record<string, readonly string[]> = {
      start: ['sendDiscover', 'sendRequest'],
      auth: ['sendRequest', 'bound', 'sendDiscover'],
      rediscover: ['sendDiscover'],
      renewal: ['sendRenew'],
      child: ['bound', 'renewed', 'nak', 'sendDiscover', 'sendRequest'],
      rediscoverChild: ['sendDiscover'],
    };
    return s.context.got.sent === undefined && s.context.got.lease === undefined && s.context.got.nak === undefined
      ? [...(replies[reading] ?? []), 'settle']
      : ['settle'];
  }
  const phase = s.value.phase;
  // The hooks the IKE initiator can call in each phase (a response only while its exchange can be outstanding).
  const byPhase: Readonly<Record<string, readonly string[]>> = {
    idle: [],
    authorizing: ['authOffer', 'authAck', 'authEmpty', 'authError'],
    awaitingUp: ['upConfigured', 'upLater'],
    requesting: ['childAck', 'childOffer', 'childNak', 'childFailedNew', 'childEmptyOk', 'otherOk', 'otherFailed'],
    bound: ['upConfigured', 'upLater', 'rekeyOurs', 'rekeyOther', 'childAck', 'childFailedRekey', 'childEmptyOk'],
    renewing: ['rekeyOurs', 'childAck', 'childNak', 'childFailedRekey'],
    halted: ['childAck', 'childFailedNew'],
    down: ['childFailedNew', 'rekeyOurs'],
  };
  const hooks = ['authRequest', 'closed', ...(byPhase[String(phase)] ?? [])];
  // The DHCP client on its own: its state after a step (the ones that matter in this phase), T1's renewal, expiry.
  const states: Readonly<Record<string, readonly string[]>> = {
    authorizing: ['REQUESTING'],
    requesting: ['REQUESTING'],
    bound: ['BOUND', 'RENEWING'],
  };
  if (s.context.dhcp !== undefined) {
    for (const st of states[phase] ?? []) if (st !== s.context.dhcpState) hooks.push(`state:${st}`);
    if (phase === 'bound' || phase === 'renewing' || phase === 'halted' || phase === 'requesting')
      hooks.push('sendRenew');
    if (s.context.rekeyAtUs !== NO_REKEY) hooks.push('expired');
    // WG `rfc2131`: the DHCP client's own RFC 2131 §4.1 retransmission between (or during) IKE_AUTH rounds.
    if (phase === 'authorizing') hooks.push('sendDiscover');
  }
  return hooks;
}

function vertex(s: Snap): string {
  const c = s.context;
  return JSON.stringify([
    s.value,
    c.dhcp === undefined ? '-' : c.dhcpState,
    c.halted,
    c.lastSent === undefined ? '-' : messageTypeOf(c.lastSent),
    c.rekeyAtUs === NO_REKEY ? '-' : 'L',
    c.got.sent === undefined ? '-' : messageTypeOf(c.got.sent),
    c.got.lease === undefined ? '-' : 'L',
    c.got.nak === undefined ? '-' : 'N',
    c.authHold,
  ]);
}

interface World {
  readonly ikeUp: boolean;
  readonly slotInstalled: boolean;
}

interface Config {
  readonly name: string;
  readonly variant: CarrierVariant;
  readonly slot: string;
  readonly policy: Partial<CarrierPolicy>;
  readonly world: World;
  readonly remembered?: string;
}

const CONFIGS: readonly Config[] = [
  { name: 'seed, reconnect', variant: 'seed', slot: 'tunnel', policy: {}, world: { ikeUp: true, slotInstalled: true } },
  {
    name: 'seed, child-discover, every-rekey',
    variant: 'seed',
    slot: 'tunnel',
    policy: { nakRestart: 'child-discover', resendMax: 1, renewRecarry: 'every-rekey' },
    world: { ikeUp: true, slotInstalled: true },
  },
  {
    name: 'seed, stay-down, IKE down',
    variant: 'seed',
    slot: 'tunnel',
    policy: { nakRestart: 'stay-down', resendMax: 0 },
    world: { ikeUp: false, slotInstalled: false },
  },
  {
    name: 'WG, remembered address',
    variant: 'wg',
    slot: 'main',
    policy: { resendMax: 1 },
    world: { ikeUp: true, slotInstalled: true },
    remembered: ADDRESS,
  },
  {
    name: 'WG, collect-window re-carry',
    variant: 'wg',
    slot: 'main',
    policy: { resendMax: 1, wgRecarry: 'collect-window' },
    world: { ikeUp: false, slotInstalled: false },
  },
  {
    name: 'WG, no renewal, no remembering',
    variant: 'wg',
    slot: 'main',
    policy: { wgRenew: 'none', rememberAddress: false, resendMax: 0 },
    world: { ikeUp: true, slotInstalled: false },
  },
];

/**
 * A silent stand-in for the DHCP client: the test plays its reports. It is another kind of actor logic than the
 * machine it replaces (it has no state and emits nothing), hence the conversion.
 */

const machine = dhcpCarrierMachine.provide({ actors: { dhcpClient: silentDhcpClient } });

interface Recorder {
  readonly configured: (string | undefined)[];
  readonly reconnects: string[];
}

function fakeContext(world: World, clock: TestClock, rec: Recorder, slot: string): ClientMethodContext {
  return stubMethodContext(clock, () => world.ikeUp, {
    reconnect: (reason) => rec.reconnects.push(reason),
    configure: (config) => rec.configured.push(config?.address),
    children: () =>
      world.slotInstalled ? [{ slot, seq: 0, spiIn: 1, spiOut: 2, tsi: [tsFullRange()], tsr: [tsFullRange()] }] : [],
  });
}

function inputFor(config: Config, ctx: ClientMethodContext): CarrierInput {
  return {
    ctx,
    variant: config.variant,
    slot: config.slot,
    policy: { ...carrierPolicy({}), ...config.policy },
    identity: IDENTITY,
    clientName: 'client1',
    rememberedAddress: config.remembered ?? null,
    rng: ctx.rng('dhcp'),
    jitterRng: ctx.rng('dhcp-jitter'),
  };
}

/** The DHCP messages inside IKE payloads, each through the codec. */
function carried(payloads: readonly IkePayload[]): DhcpMessage[] {
  const out: DhcpMessage[] = [];
  for (const p of payloads) {
    if (p.kind !== 'DHCP' || p.packet.kind !== 'dhcpv4') continue;
    const bytes = emitDhcpMessage(p.packet.message);
    const parsed = parseDhcpMessage(bytes, 0);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) out.push(parsed.value);
  }
  return out;
}

describe('DHCP carrier statechart: generated paths through a real actor (seed §2, draft-ietf §3)', () => {
  const cov = new TransitionCoverage(dhcpCarrierMachine);

  for (const config of CONFIGS) {
    it(`every edge of the graph, ${config.name}: what goes into IKE is what the DHCP client sent`, () => {
      const events = eventsFor(config.slot);
      const graphClock = new TestClock();
      const graphCtx = fakeContext(config.world, graphClock, { configured: [], reconnects: [] }, config.slot);
      const paths = edgePaths(machine, {
        input: inputFor(config, graphCtx),
        events: (s) => possible(s).map((l) => events[l] as Labelled),
        serializeState: vertex,
        serializeEvent: (e) => (e as Labelled).label,
        limit: 20_000,
      });
      expect(paths.length).toBeGreaterThan(20);
      for (const path of paths) {
        const clock = new TestClock();
        const rec: Recorder = { configured: [], reconnects: [] };
        const ctx = fakeContext(config.world, clock, rec, config.slot);
        const actor = createActor(machine, { clock, input: inputFor(config, ctx), inspect: cov.inspect });
        const asked: CarrierEmitted[] = [];
        actor.on('*', (e) => asked.push(e));
        actor.start();
        for (const step of path.events) {
          const before = actor.getSnapshot().context;
          const label = (step as Labelled).label;
          actor.send(step);
          const after = actor.getSnapshot();
          const where = `${path.edge} at ${label}`;
          // What the DHCP client sent (before the step, or in it) is the only DHCP the machine may hand to IKE.
          const known = [before.lastSent, after.context.lastSent, before.request].filter(
            (m): m is DhcpMessage => m !== undefined,
          );
          const isKnown = (m: DhcpMessage): boolean =>
            known.some((k) => k.xid === m.xid && messageTypeOf(k) === messageTypeOf(m));
          for (const e of asked.splice(0)) {
            if (e.type === 'method.requestChild') {
              expect(e.request.slot, where).toBe(config.slot);
              const ms = carried(e.request.payloads ?? []);
              expect(ms.length, where).toBe(1);
              expect(ms.every(isKnown), `${where}: carried a message the DHCP client did not send`).toBe(true);
            } else if (e.type === 'method.continueAuth') {
              // WG §3 under `rfc2131`: the held IKE_AUTH round carries the DHCP client's retransmission.
              expect(config.variant, where).toBe('wg');
              const ms = carried(e.payloads);
              expect(ms.length, where).toBe(1);
              expect(ms.every(isKnown), `${where}: a held round carried a message the DHCP client did not send`).toBe(
                true,
              );
            } else {
              expect(e.slot, where).toBe(config.slot);
            }
            if (e.type === 'method.scheduleRekey') expect(e.delayMs, where).toBeGreaterThan(0);
          }
          if (label === 'settle') {
            const a = after.context.answer;
            expect(a.kind, where).not.toBe('none');
            const payloads = a.kind === 'payloads' || a.kind === 'more' ? a.payloads : [];
            expect(carried(payloads).every(isKnown), `${where}: answered with a message not sent`).toBe(true);
            // Seed §2 / WG §3: a configured IKE SA from a lease carries the leased address.
            if ((a.kind === 'configured' || a.kind === 'accept') && a.config !== undefined)
              expect(a.config.address, where).toBe(ADDRESS);
          }
        }
        // RFC 2131 §4.4.5: a lost lease always withdraws the address before anything else is tried.
        if (rec.reconnects.length > 0) expect(rec.configured, path.edge).toContain(undefined);
        actor.stop();
      }
    });
  }

  it('covers every state and transition of the carrier', () => {
    expectFullCoverage(cov);
  });
});
