/**
 * Model-based test of the RFC 3456 client statechart (rfc3456/client-machine.ts): `xstate/graph` explores the machine
 * with what its world can do — Child SAs installed (the DHCP SA `main`/`dhcp`, tunnel SAs, rekeys), CREATE_CHILD_SA
 * answers (granted, refused, for a lease since lost), DHCP replies through an SA, the IKE SA closing, the DHCP client's
 * reports (sends, bound, renewed, NAK, expiry, give-up) and the machine's own timers — and each generated path is
 * driven through a real actor whose DHCP client is played by the test. At every step: each datagram the machine sends
 * is UDP 68 → 67 with a DHCP message that survives the codec and is covered by a Child SA (never in the clear, RFC 3456
 * §3); each tunnel SA it asks for has TSi = the leased address (§3.1 e); each DHCP SA it asks for has the §4.1
 * selectors; each delete names a DHCP SA or tunnel SA slot. Four configurations (`dhcpSaTeardown` × what SAs the world
 * holds × IKE up/down) share one coverage count, which must reach every state and transition.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import type { DhcpClientEmitted, DhcpLeaseInfo } from '../../../../models/dhcp/client-machine.ts';
import type {
  ChildExchangeInfo,
  ClientChildView,
  ClientMethodContext,
  UdpDatagram,
} from '../../../../models/methods/method.ts';
import { rfc3456Identity } from '../../../../models/methods/rfc3456/client.ts';
import {
  DHCP_SLOT,
  isTunnelSlot,
  MAIN_SLOT,
  rfc3456ClientMachine,
  type Rfc3456ClientOptions,
  type Rfc3456Emitted,
  type Rfc3456Event,
  type Rfc3456Input,
} from '../../../../models/methods/rfc3456/client-machine.ts';
import {
  childCovers,
  DHCP_SA_SELECTORS,
  DHCP_SA_TSI,
  DHCP_SA_TSR,
} from '../../../../models/methods/rfc3456/selectors.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../../../models/wire/dhcp/codec.ts';
import { DhcpMessageType, type DhcpMessage, type DhcpMessageTypeCode } from '../../../../models/wire/dhcp/types.ts';
import { tsForAddress, tsFullRange, tsRange } from '../../../../models/wire/ike/index.ts';
import { bareClientMessage, throughCodec } from '../../../support/dhcp-messages.ts';
import { silentDhcpClient, stubMethodContext } from '../../../support/method-context-stub.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../../support/machine-coverage.ts';
import { replyTo } from '../../dhcp/client-harness.ts';
import { TestClock } from '../../dhcp/test-clock.ts';

type Snap = SnapshotFrom<typeof rfc3456ClientMachine>;
type Labelled = Rfc3456Event & { readonly label: string };

const IDENTITY = rfc3456Identity('198.51.100.11', 0);
const ADDRESS = '10.1.99.10';
const SERVER = '10.1.0.53';

const clientMessage = (type: DhcpMessageTypeCode, xid: number, ciaddr?: string): DhcpMessage =>
  bareClientMessage(IDENTITY, type, xid, ciaddr);

const wire = throughCodec;

const DISCOVER = wire(clientMessage(DhcpMessageType.DISCOVER, 0x2001));
const RENEW = wire(clientMessage(DhcpMessageType.REQUEST, 0x2002, ADDRESS));
const OFFER = wire(replyTo(DISCOVER, DhcpMessageType.OFFER, { yiaddr: ADDRESS }));

const LEASE: DhcpLeaseInfo = {
  address: ADDRESS,
  mask: '255.255.255.0',
  router: null,
  dns: [],
  leaseSecs: 3600,
  serverId: SERVER,
  t1Secs: 1800,
  t2Secs: 3150,
  expiresAtUs: 3_600_000_000,
};

const info = (slot: string, rekey: boolean, tsiAddress?: string): ChildExchangeInfo => ({
  slot,
  rekey,
  selectors: { tsi: [tsiAddress === undefined ? tsFullRange() : tsForAddress(tsiAddress)], tsr: [tsFullRange()] },
  byMethod: true,
});

const dhcpEvent = (label: string, e: DhcpClientEmitted): Labelled => ({ ...e, label });

const EVENTS: Readonly<Record<string, Labelled>> = {
  dhcpSaMain: { type: 'ike.child', slot: MAIN_SLOT, rekey: false, label: 'dhcpSaMain' },
  dhcpSaNew: { type: 'ike.child', slot: DHCP_SLOT, rekey: false, label: 'dhcpSaNew' },
  dhcpSaRekeyed: { type: 'ike.child', slot: MAIN_SLOT, rekey: true, label: 'dhcpSaRekeyed' },
  tunnelSa: { type: 'ike.child', slot: 'tunnel', rekey: false, label: 'tunnelSa' },
  tunnelGranted: {
    type: 'ike.childResponse',
    info: info('tunnel', false, ADDRESS),
    errors: [],
    label: 'tunnelGranted',
  },
  tunnelRekeyGranted: {
    type: 'ike.childResponse',
    info: info('tunnel', true, ADDRESS),
    errors: [],
    label: 'tunnelRekeyGranted',
  },
  tunnelRefused: {
    type: 'ike.childResponse',
    info: info('tunnel', false, ADDRESS),
    errors: ['TS_UNACCEPTABLE'],
    label: 'tunnelRefused',
  },
  dhcpSaGranted: { type: 'ike.childResponse', info: info(DHCP_SLOT, false), errors: [], label: 'dhcpSaGranted' },
  dhcpSaRefused: {
    type: 'ike.childResponse',
    info: info(DHCP_SLOT, false),
    errors: ['TEMPORARY_FAILURE'],
    label: 'dhcpSaRefused',
  },
  offerThroughSa: { type: 'net.udp', message: OFFER, slot: MAIN_SLOT, label: 'offerThroughSa' },
  closed: { type: 'ike.closed', label: 'closed' },
  sendDiscover: { type: 'dhcp.send', message: DISCOVER, destination: 'broadcast', label: 'sendDiscover' },
  sendRenew: { type: 'dhcp.send', message: RENEW, destination: { unicast: SERVER }, label: 'sendRenew' },
  sendRebind: { type: 'dhcp.send', message: RENEW, destination: 'broadcast', label: 'sendRebind' },
  bound: dhcpEvent('bound', { type: 'dhcp.bound', ...LEASE }),
  renewed: dhcpEvent('renewed', { type: 'dhcp.renewed', ...LEASE }),
  expired: dhcpEvent('expired', { type: 'dhcp.expired', address: ADDRESS }),
  nakLost: dhcpEvent('nakLost', { type: 'dhcp.nak', state: 'RENEWING', withdrawn: ADDRESS }),
  nakRequesting: dhcpEvent('nakRequesting', { type: 'dhcp.nak', state: 'REQUESTING', withdrawn: null }),
  gaveUpSelecting: dhcpEvent('gaveUpSelecting', { type: 'dhcp.gaveUp', state: 'SELECTING', tries: 5 }),
  gaveUpRequesting: dhcpEvent('gaveUpRequesting', { type: 'dhcp.gaveUp', state: 'REBINDING', tries: 3 }),
  // The machine's own timers (xstate `after`), fired as the clock would.
  teardownDue: { type: 'xstate.after.teardownDelay.rfc3456.teardown.armed', label: 'teardownDue' } as never,
  restartDue: { type: 'xstate.after.discoverRestart.rfc3456.lease.backoff', label: 'restartDue' } as never,
};

function possible(s: Snap): readonly string[] {
  const v = s.value;
  const out = ['closed'];
  if (v.lease === 'idle') out.push('dhcpSaMain');
  else {
    out.push('sendDiscover', 'offerThroughSa', 'dhcpSaRekeyed');
    if (v.dhcpSa === 'asking') out.push('dhcpSaNew', 'dhcpSaGranted', 'dhcpSaRefused');
    if (v.lease === 'configuring') out.push('bound', 'nakRequesting', 'gaveUpSelecting');
    if (v.lease === 'backoff') out.push('restartDue');
    if (v.lease === 'tunnelAsked') out.push('tunnelSa', 'tunnelGranted', 'tunnelRefused', 'expired');
    if (v.lease === 'tunnelUp') {
      out.push('sendRenew', 'sendRebind', 'renewed', 'expired', 'nakLost', 'gaveUpRequesting', 'tunnelRekeyGranted');
    }
  }
  if (v.teardown === 'armed') out.push('teardownDue');
  return out;
}

function vertex(s: Snap): string {
  const c = s.context;
  return JSON.stringify([
    s.value,
    c.lease === undefined ? '-' : 'L',
    c.dhcpSlot ?? '-',
    c.held === undefined ? '-' : 'H',
    [
      ...new Set(
        c.tunnelSlots.map(
          ({ slot: k, epoch: e }) => `${k === 'tunnel' ? k : 'tunnel.n'}@${e === c.leaseEpoch ? 'now' : 'old'}`,
        ),
      ),
    ]
      .sort()
      .join(','),
    Math.min(c.restarts, 1),
  ]);
}

interface World {
  readonly ikeUp: boolean;
  readonly children: readonly ClientChildView[];
}

interface Config {
  readonly name: string;
  readonly options: Rfc3456ClientOptions;
  readonly world: World;
}

const DHCP_SA: ClientChildView = {
  slot: MAIN_SLOT,
  seq: 0,
  spiIn: 1,
  spiOut: 2,
  tsi: [DHCP_SA_TSI],
  tsr: [DHCP_SA_TSR],
};
const TUNNEL: ClientChildView = {
  slot: 'tunnel',
  seq: 1,
  spiIn: 3,
  spiOut: 4,
  tsi: [tsForAddress(ADDRESS)],
  tsr: [tsFullRange()],
};
/** A tunnel SA whose TSr the gateway narrowed to its protected network (a broadcast is outside it). */
const TUNNEL_NARROW: ClientChildView = { ...TUNNEL, tsr: [tsRange('10.1.0.0', '10.1.255.255')] };
const BASE: Rfc3456ClientOptions = {
  dhcpSaTeardown: 'after-tunnel',
  dhcpSaLifetimeMs: 300_000,
  dhcpSaDeleteDelayMs: 0,
  chaddrOctet: 0,
  dhcpSaSelectors: 'wildcard',
};

const CONFIGS: readonly Config[] = [
  {
    name: 'after-tunnel, DHCP SA and tunnel SA held',
    options: BASE,
    world: { ikeUp: true, children: [DHCP_SA, TUNNEL] },
  },
  {
    name: 'at-lifetime, no SA covers DHCP',
    options: { ...BASE, dhcpSaTeardown: 'at-lifetime' },
    world: { ikeUp: true, children: [] },
  },
  { name: 'keep, IKE down', options: { ...BASE, dhcpSaTeardown: 'keep' }, world: { ikeUp: false, children: [] } },
  { name: 'after-tunnel, only a narrowed tunnel SA', options: BASE, world: { ikeUp: true, children: [TUNNEL_NARROW] } },
];

/** A silent stand-in for the DHCP client (another kind of actor logic, hence the conversion): the test plays it. */
const machine = rfc3456ClientMachine.provide({ actors: { dhcpClient: silentDhcpClient } });

function fakeContext(
  world: { readonly ikeUp: boolean; readonly children: readonly ClientChildView[] },
  clock: TestClock,
  sent: UdpDatagram[],
  configured: (string | undefined)[],
) {
  return stubMethodContext(clock, () => world.ikeUp, {
    configure: (config) => configured.push(config?.address),
    sendUdp: (d) => {
      sent.push(d);
      return { kind: 'clear' };
    },
    children: () => world.children,
  });
}

const inputFor = (config: Config, ctx: ClientMethodContext): Rfc3456Input => ({
  ctx,
  options: config.options,
  identity: IDENTITY,
});

describe('RFC 3456 client statechart: generated paths through a real actor (DHCP SA → DHCP → tunnel SA → delete)', () => {
  const cov = new TransitionCoverage(rfc3456ClientMachine);

  for (const config of CONFIGS) {
    it(`every edge of the graph, ${config.name}`, () => {
      const paths = edgePaths(machine, {
        input: inputFor(config, fakeContext(config.world, new TestClock(), [], [])),
        events: (s) => possible(s).map((l) => EVENTS[l] as Labelled),
        serializeState: vertex,
        serializeEvent: (e) => (e as Labelled).label,
        limit: 20_000,
      });
      expect(paths.length).toBeGreaterThan(20);
      for (const path of paths) {
        const clock = new TestClock();
        const sent: UdpDatagram[] = [];
        const configured: (string | undefined)[] = [];
        const ctx = fakeContext(config.world, clock, sent, configured);
        const actor = createActor(machine, { clock, input: inputFor(config, ctx), inspect: cov.inspect });
        const asked: Rfc3456Emitted[] = [];
        actor.on('*', (e) => asked.push(e));
        actor.start();
        for (const step of path.events) {
          const lease = actor.getSnapshot().context.lease;
          actor.send(step);
          const label = (step as Labelled).label;
          const where = `${path.edge} at ${label}`;
          // A held message goes into the DHCP SA this step installed.
          const sas =
            label === 'dhcpSaNew' || label === 'dhcpSaMain'
              ? [...config.world.children, DHCP_SA]
              : config.world.children;
          for (const d of sent.splice(0)) {
            // RFC 3456 §3: never in the clear; §4.1: UDP 68 → 67 with a DHCP message.
            expect([d.srcPort, d.dstPort], where).toEqual([68, 67]);
            expect(childCovers(sas, d), `${where}: a DHCP datagram outside every SA`).toBe(true);
            expect(d.app.kind, where).toBe('dhcp');
            if (d.app.kind === 'dhcp') expect(parseDhcpMessage(emitDhcpMessage(d.app.message), 0).ok, where).toBe(true);
          }
          for (const e of asked.splice(0)) {
            if (e.type === 'method.deleteChild') {
              expect(isTunnelSlot(e.slot) || e.slot === MAIN_SLOT || e.slot === DHCP_SLOT, where).toBe(true);
              continue;
            }
            if (e.request.slot === DHCP_SLOT) {
              expect(e.request.selectors, where).toEqual(DHCP_SA_SELECTORS);
            } else {
              // §3.1 e: the tunnel SA is for the address just leased.
              expect(isTunnelSlot(e.request.slot), where).toBe(true);
              expect(e.request.selectors?.tsi, where).toEqual([tsForAddress(actor.getSnapshot().context.lease ?? '')]);
            }
          }
          for (const address of configured.splice(0)) {
            // RFC 2131 §4.4.5 / §3.1 e: configured with the lease, or withdrawn when it is lost.
            expect(address === undefined ? lease : address, where).toBe(ADDRESS);
          }
        }
        actor.stop();
      }
    });
  }

  it('a DHCP SA brought back for a renewal goes again after the ACK (§3.1 d, §4.4): the SAs change under the machine', () => {
    // The graph's worlds hold fixed SAs; here they follow what the machine asks for, as the IKE side would install them.
    const clock = new TestClock();
    const sent: UdpDatagram[] = [];
    const world = { ikeUp: true, children: [] as ClientChildView[] };
    const ctx = fakeContext(world, clock, sent, []);
    const actor = createActor(machine, { clock, input: inputFor(CONFIGS[0] as Config, ctx), inspect: cov.inspect });
    const deleted: string[] = [];
    actor.on('method.deleteChild', (e) => {
      deleted.push(e.slot);
      world.children = world.children.filter((c) => c.slot !== e.slot);
    });
    actor.start();
    const send = (label: string): void => actor.send(EVENTS[label] as Labelled);
    world.children = [DHCP_SA];
    send('dhcpSaMain');
    send('sendDiscover');
    send('bound');
    world.children = [DHCP_SA, TUNNEL_NARROW];
    send('tunnelSa');
    clock.advance(1); // after-tunnel, 0 ms: the DHCP SA goes
    expect(deleted).toEqual([MAIN_SLOT]);
    send('sendRebind'); // a broadcast outside the narrowed tunnel SA: held, a DHCP SA is asked for
    expect(actor.getSnapshot().value.dhcpSa).toBe('asking');
    world.children = [TUNNEL_NARROW, { ...DHCP_SA, slot: DHCP_SLOT }];
    send('dhcpSaNew');
    expect(sent.map((d) => d.dst)).toEqual(['255.255.255.255', '255.255.255.255']);
    send('renewed');
    expect(actor.getSnapshot().value.teardown).toBe('armed');
    clock.advance(1);
    expect(deleted).toEqual([MAIN_SLOT, DHCP_SLOT]);
    actor.stop();
  });

  it('covers every state and transition of the RFC 3456 client', () => {
    expectFullCoverage(cov);
  });
});
