/**
 * The gateway's control plane as actors: the gateway machine creates and owns one IKE responder per client IKE SA
 * (actor id `ike:<SPIi>#<n>`, deterministic: the initiator's SPI and a per-gateway counter, never random; each an
 * actor system of its own, see `spawnResponder`) and talks to one provider actor (provider-actor.ts) for the method;
 * the responders ask the provider by events, and tell the gateway what happened (their emitted events arrive here as
 * `sa.emitted`, or go straight out when they are only a packet or a note and the gateway is idle). The gateway keeps the SA table (by both SPIs,
 * RFC 7296 §3.1), one IKE SA per identity (uniqueIds / INITIAL_CONTACT, §2.4), the cached responses of ended SAs
 * (§2.1) and INVALID_IKE_SPI answers to unknown SPIs (§2.21.4); `down` after a crash until the restart.
 *
 * The SimNode adapter (gateway-node.ts) decodes packets and forwards events: requests for a known SA go straight to its
 * responder (so the responder's events reach an idle gateway at once, in the order they happen); everything else comes
 * here as `gw.ike`. The ESP data path stays in the adapter and reads the SA table from this machine's context.
 */
import type { IkeCrypto } from '../../ike/ike-crypto.ts';
import { IKE_PORT } from '../../wire/packet.ts';
import { assertEvent, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { RandomStream, VirtualClock } from '../../contract.ts';
import type { IkePeerConfig, ResponderPolicy } from '../../ike/config.ts';
import { ikeMessage } from '../../ike/messages.ts';
import { INVALID_SPI_REPLIES_PER_SEC, ReplyLimit } from '../../ike/reply-limit.ts';
import { responderMachine, responderPhase } from '../../ike/responder-machine.ts';
import type { ResponderInput } from '../../ike/responder-core.ts';
import type { IkeEndpoint } from '../../ike/nat-detection.ts';
import { RetiredResponses, retiredKeepUs } from '../../ike/retired-responses.ts';
import type { IkeEmitted } from '../../ike/emitted.ts';
import * as ikeInit from '../../ike/tasks/ike-init.ts';
import * as invalidSpi from '../../ike/tasks/invalid-spi.ts';
import type { NoteData } from '../../methods/method.ts';
import { IkeExchangeType, type IkeMessage, type IkeTrafficSelector } from '../../wire/ike/index.ts';
import type { providerActor } from './provider-actor.ts';
import { SaTable, type SaRecord as TableRecord, type SentResponse } from './sa-table.ts';
import { labActor } from '../../../sim/statechart/runtime-choice.ts';

export type ResponderRef = ActorRefFrom<typeof responderMachine>;
export type SaRecord = TableRecord<ResponderRef>;

/** What the gateway machine does to the outside world (the SimNode adapter implements it). */
export interface GatewayPorts {
  nowUs(): number;
  traceNote(text: string, data: NoteData): void;
  traceState(machine: string, from: string, to: string): void;
  sendIke(dst: string, message: IkeMessage): void;
  /** Sends a response and returns it as sent, for a repeat of its request (RFC 7296 §2.1). */
  sendResponse(dst: string, message: IkeMessage): SentResponse;
  /** Sends a kept response again, byte for byte. */
  resend(dst: string, response: SentResponse): void;
  /** Runs `fire` once the current event is over (a host timer, `gateway.reap`). */
  afterThisEvent(fire: () => void): void;
  /** A Child SA's inbound state (ESP sequence, anti-replay) is gone. */
  forgetEsp(spiIn: number): void;
  /** The crash: the data plane's volatile state is gone too. */
  clearDataPlane(): void;
}

export interface GatewayInput {
  readonly ike: IkePeerConfig;
  readonly policy: ResponderPolicy;
  readonly psks: Readonly<Record<string, string>>;
  readonly rng: RandomStream;
  /** Virtual time for the responders' timers (each responder is an actor system of its own, see `spawnResponder`). */
  readonly clock: VirtualClock;
  readonly provider: ActorRefFrom<typeof providerActor>;
  readonly providerChildren: boolean;
  /** Our outside address: the local end of every IKE packet (NAT detection, RFC 7296 §2.23). */
  readonly outsideAddress?: string;
  /** KE, keys, AUTH for every responder (models/ike/ike-crypto.ts). */
  readonly crypto?: IkeCrypto;
  readonly ports: GatewayPorts;
}

export interface GatewayContext extends GatewayInput {
  /** The SA table and its indexes (sa-table.ts). */
  readonly table: SaTable<ResponderRef>;
  /** The responders' lookups into `psks` and `table` (peerLookups). */
  readonly lookups: PeerLookups;
  readonly retired: RetiredResponses<SentResponse>;
  readonly invalidSpiReplies: ReplyLimit;
  /** Responders created so far (the actor id's counter). */
  readonly spawned: number;
  /** How deep this machine is in handling events (see `toGateway`); not machine state, never traced. */
  readonly handling: { depth: number };
  /** What every responder's input shares (see `SharedInputs`). */
  readonly shared: SharedInputs;
}

/**
 * Parts of the responders' inputs that are the same for many IKE SAs, made once per gateway: our end of the IKE
 * packets, and what IKE_SA_INIT accepted (one per proposal the peers choose). A responder keeps its input for its
 * life; an object of each per IKE SA was ~90 bytes per idle SA of a storm.
 */
interface SharedInputs {
  readonly local: IkeEndpoint | undefined;
  readonly accepted: Map<string, ResponderInput['accepted']>;
}

function sharedAccepted(shared: SharedInputs, a: ResponderInput['accepted']): ResponderInput['accepted'] {
  const key = `${a.suite}/${a.dhGroup}/${a.proposalNumber}`;
  let kept = shared.accepted.get(key);
  if (kept === undefined) {
    kept = { suite: a.suite, dhGroup: a.dhGroup, proposalNumber: a.proposalNumber };
    shared.accepted.set(key, kept);
  }
  return kept;
}

export type GatewayEvent =
  /** An IKE message for no live SA of ours (a new IKE_SA_INIT, a retired or unknown SA). */
  | { readonly type: 'gw.ike'; readonly src: string; readonly message: IkeMessage }
  /** Something a responder emitted. */
  | { readonly type: 'sa.emitted'; readonly rec: SaRecord; readonly emitted: IkeEmitted }
  /** A responder that closed is stopped once the event that closed it is over. */
  | { readonly type: 'gw.reap'; readonly actor: ResponderRef }
  | { readonly type: 'gw.crash' }
  | { readonly type: 'gw.restart' };

const ZERO_SPI = '0000000000000000';
/** Close reasons after which the peer no longer uses the SA's address: it deleted the SA, or said it forgot it. */
const PEER_DROPPED: ReadonlySet<string> = new Set(['deleted', 'initial-contact']);

type Ctx = GatewayContext;
type Emitted = IkeEmitted['type'];

/**
 * Hands the gateway machine an event, counting the handling depth. Every way in goes through here (the adapter, the
 * responders' emitted events, the reap timer), so `handling.depth === 0` means the machine is idle: an event sent now
 * would be handled at once, before anything else happens.
 */
export function toGateway(
  gateway: { send(e: GatewayEvent): void },
  handling: { depth: number },
  e: GatewayEvent,
): void {
  handling.depth += 1;
  try {
    gateway.send(e);
  } finally {
    handling.depth -= 1;
  }
}

/**
 * A responder's packet goes out to its peer; a response is kept as sent, for the responder's repeats (`net.resend`)
 * and the retired-SA cache (RFC 7296 §2.1).
 */
function sendFor(ports: GatewayPorts, rec: SaRecord, message: IkeMessage): void {
  if (message.response) rec.lastResponse = ports.sendResponse(rec.peerAddress, message);
  else ports.sendIke(rec.peerAddress, message);
}

/** The responder answers a repeat of its last request: the response it sent, again (RFC 7296 §2.1). */
function resendFor(ports: GatewayPorts, rec: SaRecord, messageId: number): void {
  const kept = rec.lastResponse;
  if (kept !== undefined && kept.messageId === messageId) ports.resend(rec.peerAddress, kept);
}

/**
 * The gateway's watch on a responder: its phases as `ike:<SPIi>` state traces (its xstate id stays out of the trace),
 * and what it emits. Made here rather than inside the spawning action: closures made there would keep that action's
 * scope (the IKE_SA_INIT request among it) for the SA's life. It keeps the gateway's ports and handling depth, not
 * its context: xstate makes a new context object at every assign, and each SA would keep the one of its spawning.
 */
function watchResponder(
  ports: GatewayPorts,
  handling: GatewayContext['handling'],
  self: { send(e: GatewayEvent): void },
  actor: ResponderRef,
  rec: SaRecord,
): void {
  const machine = `ike:${rec.id}`;
  actor.subscribe((snapshot) => {
    const now = responderPhase(snapshot.value);
    if (now === rec.phase) return;
    ports.traceState(machine, rec.phase, now);
    rec.phase = now;
  });
  // A packet or a note the responder emits while this machine is idle goes straight out: handled here it would go
  // out at once all the same (the `send` and `note` actions), only at the cost of a macrostep each. While this machine
  // is handling an event it waits its turn as `sa.emitted`, as everything else does.
  actor.on('*', (emitted) => {
    if (handling.depth === 0 && emitted.type === 'net.send') sendFor(ports, rec, emitted.message);
    else if (handling.depth === 0 && emitted.type === 'net.resend') resendFor(ports, rec, emitted.messageId);
    else if (handling.depth === 0 && emitted.type === 'ike.note') ports.traceNote(emitted.text, emitted.data);
    else toGateway(self, handling, { type: 'sa.emitted', rec, emitted });
  });
}

const isInitRequest = (m: IkeMessage): boolean =>
  m.exchangeType === IkeExchangeType.IKE_SA_INIT && !m.response && m.messageId === 0;
const ikeOf = (e: GatewayEvent): IkeMessage | undefined => (e.type === 'gw.ike' ? e.message : undefined);

const isExactly = (ts: IkeTrafficSelector, address: string): boolean =>
  ts.kind === 'ipv4Range' && ts.startAddress === address && ts.endAddress === address;

/** The responders' lookups into the gateway's state (`ResponderInput.pskFor`, `hasOtherSa`). */
interface PeerLookups {
  pskFor(peer: string): string | undefined;
  hasOtherSa(peerId: string): boolean;
}

/**
 * One pair of lookups per gateway, made with its table and shared by every responder: a pair of closures per IKE SA
 * would be kept for the SA's life, a few hundred bytes per idle client of a storm.
 */
function peerLookups(psks: Readonly<Record<string, string>>, table: SaTable<ResponderRef>): PeerLookups {
  return {
    pskFor(peer) {
      return psks[peer];
    },
    /** Whether any live IKE SA is authenticated as `peerId` (uniqueIds keep asks it per IKE_AUTH). */
    hasOtherSa(peerId) {
      return peerId !== '' && table.ofPeer(peerId).length > 0;
    },
  };
}

/**
 * Records the address the provider gave an IKE SA; another live IKE SA holding the same address is an overlap
 * (a DHCP lease that ran out under a tunnel and went to someone else: `address.overlap {address, a, b}`).
 */
export function noteAddress(ctx: Ctx, rec: SaRecord, address: string | undefined): void {
  if (address === undefined || address === rec.address) return;
  ctx.table.setAddress(rec, address);
  for (const other of ctx.table.holding(address)) {
    // The same identity holding it twice is one peer reconnecting (uniqueIds: no), not two peers sharing it.
    if (other === rec || other.address !== address || other.peerId === rec.peerId) continue;
    ctx.ports.traceNote('address.overlap', { address, a: other.peerId, b: rec.peerId });
  }
}

export const gatewayMachine = setup({
  types: {
    context: {} as Ctx,
    input: {} as GatewayInput,
    events: {} as GatewayEvent,
  },
  guards: {
    /** A request on an IKE SA that ended here (retired-responses.ts); never an IKE_SA_INIT request. */
    isRetired: ({ context, event }) => {
      const m = ikeOf(event);
      return m !== undefined && !isInitRequest(m) && context.retired.answer(m, context.ports.nowUs()) !== undefined;
    },
    /** Only an IKE_SA_INIT request (message ID 0) creates an SA (RFC 7296 §1.2); anything else is for an unknown SA. */
    isNotInitRequest: ({ event }) => {
      const m = ikeOf(event);
      return m !== undefined && !isInitRequest(m);
    },
    initRejected: ({ context, event }) => {
      const m = ikeOf(event);
      return m !== undefined && !ikeInit.processR(context.ike, m).ok;
    },
    emittedIs: ({ event }, params: { type: Emitted }) =>
      event.type === 'sa.emitted' && event.emitted.type === params.type,
  },
  actions: {
    /** RFC 7296 §2.1: the repeat of an ended SA's last request gets its cached response, byte for byte. */
    answerRetired: ({ context, event }) => {
      assertEvent(event, 'gw.ike');
      const m = event.message;
      const r = context.retired.answer(m, context.ports.nowUs());
      if (r === undefined) return;
      if (r.kind === 'resend') {
        context.ports.traceNote('ike.cachedResponse', { messageId: m.messageId, spiI: m.spiI, retired: true });
        context.ports.resend(event.src, r.message);
      } else {
        context.ports.traceNote('ike.ignored', {
          messageId: m.messageId,
          spiI: m.spiI,
          why: `retired at #${r.cachedMessageId}`,
        });
      }
    },
    /**
     * A message for an IKE SA we do not know (e.g. we restarted and lost it). RFC 7296 §2.21.4: a response is only
     * audited; a request is answered, rate-limited, by an unprotected INVALID_IKE_SPI with its SPIs and Message ID.
     */
    unknownSpi: ({ context, event }) => {
      assertEvent(event, 'gw.ike');
      const m = event.message;
      const resp = invalidSpi.buildResponse(m, false);
      const reply = resp !== undefined && context.invalidSpiReplies.allow(context.ports.nowUs());
      const answer = resp === undefined ? 'none (response)' : reply ? 'INVALID_IKE_SPI' : 'none (rate limit)';
      context.ports.traceNote('ike.unknownSpi', { spiI: m.spiI, messageId: m.messageId, answer });
      if (resp !== undefined && reply) context.ports.sendIke(event.src, resp);
    },
    /** RFC 7296 §2.6/§1.2: answer without creating state (SPIr zero). */
    rejectInit: ({ context, event }) => {
      assertEvent(event, 'gw.ike');
      const m = event.message;
      const r = ikeInit.processR(context.ike, m);
      if (r.ok) return;
      context.ports.traceNote('ike.initRejected', { reason: r.reason });
      const resp = ikeMessage(
        { spiI: m.spiI, spiR: ZERO_SPI, originalInitiator: false, suite: undefined },
        IkeExchangeType.IKE_SA_INIT,
        0,
        true,
        r.payloads,
      );
      context.ports.sendIke(event.src, resp);
    },
    /**
     * A new IKE SA: its responder, created with a deterministic id, answers the IKE_SA_INIT. Each responder is an
     * actor system of its own, owned by this machine (the SA table holds it; `reap` and `crash` stop it) rather than
     * an xstate child: xstate copies a parent's children object on every spawn and stop and scans the whole system's
     * timers when any actor in it stops, which made a storm of N clients cost O(N²) in the gateway alone.
     */
    spawnResponder: enqueueActions(({ context, event, enqueue, self }) => {
      assertEvent(event, 'gw.ike');
      const m = event.message;
      const accepted = ikeInit.processR(context.ike, m);
      if (!accepted.ok) return;
      const id = `ike:${m.spiI}#${context.spawned}`;
      enqueue.assign({ spawned: context.spawned + 1 });
      let actor: ResponderRef | undefined;
      const { lookups, shared } = context;
      const src = event.src;
      const spiI = m.spiI;
      // In an assign, as xstate's own spawn is: the actor exists before the IKE_SA_INIT is handed to it below. The
      // request itself goes with the start event, not in the input: the actor keeps its input for its whole life.
      enqueue.assign(() => {
        actor = labActor(responderMachine, {
          id,
          clock: context.clock,
          input: {
            cfg: context.ike,
            policy: context.policy,
            pskFor: lookups.pskFor,
            rng: context.rng,
            ikeSaId: spiI,
            // Not the accepted nonce: the IKE_SA_INIT request brings it (`ike.start`), the input is kept for life.
            accepted: sharedAccepted(shared, accepted),
            provider: context.provider,
            providerChildren: context.providerChildren,
            hasOtherSa: lookups.hasOtherSa,
            ...(context.crypto === undefined ? {} : { crypto: context.crypto }),
            ...(shared.local === undefined
              ? {}
              : { endpoints: { local: shared.local, remote: { address: src, port: IKE_PORT } } }),
          },
        });
        watchResponder(context.ports, context.handling, self, actor, context.table.add(spiI, actor, src));
        actor.start();
        return {};
      });
      // The IKE_SA_INIT response (RFC 7296 §1.2).
      enqueue.sendTo(() => actor as ResponderRef, { type: 'ike.start', request: m });
    }),
    send: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type === 'net.send') sendFor(context.ports, rec, emitted.message);
    },
    resend: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type === 'net.resend') resendFor(context.ports, rec, emitted.messageId);
    },
    /**
     * One IKE SA per identity. INITIAL_CONTACT (RFC 7296 §2.4: "the recipient MAY use this information to delete any
     * other IKE SAs it has to the same authenticated identity without waiting for a timeout") deletes the others
     * silently, whatever the policy (the peer says it forgot them); otherwise `uniqueIds: replace` deletes them with a
     * Delete (strongSwan's uniqueids=yes), `no` keeps them, `keep` was enforced by the responder (it refused the new
     * one). Deleting goes through `remove`, so the provider releases their addresses before the new SA asks for one.
     */
    authenticated: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.authenticated') return;
      context.table.setPeer(rec, emitted.peerId);
      const policy = context.policy.uniqueIds ?? 'replace';
      if (!emitted.initialContact && policy !== 'replace') return;
      const reason = emitted.initialContact ? 'initial-contact' : 'replaced';
      if (rec.peerId === '') return;
      for (const old of context.table.ofPeer(rec.peerId)) {
        if (old === rec) continue;
        context.ports.traceNote('gateway.saReplaced', { peer: rec.peerId, old: old.id, by: rec.id, reason });
        enqueue.sendTo(old.actor, { type: 'cmd.delete', notifyPeer: !emitted.initialContact, reason });
      }
    }),
    up: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.up') return;
      context.ports.traceNote('gateway.saUp', { peer: rec.peerId, ikeSa: rec.id });
      if (emitted.child !== undefined) context.table.setChildren(rec, [emitted.child]);
    },
    /** The old Child SA stays until its delete (RFC 7296 §2.8); new traffic goes out on the new one. */
    child: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type === 'ike.child') context.table.setChildren(rec, [emitted.child, ...rec.children]);
    },
    childDeleted: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.childDeleted') return;
      context.table.setChildren(
        rec,
        rec.children.filter((c) => !emitted.spisIn.includes(c.spiIn)),
      );
      for (const spi of emitted.spisIn) context.ports.forgetEsp(spi);
      context.ports.traceNote('gateway.routePruned', { peer: rec.peerId, spis: emitted.spisIn.join(',') });
      // The last Child SA narrowed to the SA's address is gone (e.g. RFC 3456's tunnel SA after a lost lease): the
      // address is no longer this peer's, so a later holder is no overlap with it (issue 14 item 2).
      const address = rec.address;
      if (address !== undefined && !rec.children.some((c) => c.tsi.some((ts) => isExactly(ts, address))))
        context.table.clearAddress(rec);
    },
    /** The old IKE SA's Delete was just answered (RFC 7296 §2.18); a repeat of it must get that answer again. */
    rekeyed: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.rekeyed') return;
      context.retired.retire(rec.lastResponse, context.ports.nowUs());
      rec.lastResponse = undefined;
      context.table.moveSpi(rec, emitted.oldSpiI, emitted.keys.spiI);
    },
    /** The SA is gone: its address back to the provider, its responder stopped once this event is over. */
    closed: enqueueActions(({ context, event, enqueue, self }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.closed') return;
      context.ports.traceNote('gateway.saClosed', { peer: rec.peerId, ikeSa: rec.id, reason: emitted.reason });
      context.retired.retire(rec.lastResponse, context.ports.nowUs());
      if (rec.peerId !== '')
        enqueue.sendTo(context.provider, {
          type: 'provider.release',
          ikeSaId: rec.id,
          peerId: rec.peerId,
          peerMayHold: !PEER_DROPPED.has(emitted.reason),
        });
      context.table.remove(rec);
      const actor = rec.actor;
      context.ports.afterThisEvent(() => toGateway(self, context.handling, { type: 'gw.reap', actor }));
    }),
    note: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      if (event.emitted.type === 'ike.note') context.ports.traceNote(event.emitted.text, event.emitted.data);
    },
    reap: ({ event }) => {
      assertEvent(event, 'gw.reap');
      event.actor.stop();
    },
    /** Volatile state is lost: every responder (stopped newest first), the SA table, cached responses, the provider's state. */
    crash: enqueueActions(({ context, enqueue }) => {
      const recs = [...context.table.records.values()];
      enqueue(() => {
        for (let i = recs.length - 1; i >= 0; i -= 1) recs[i]?.actor.stop();
      });
      context.table.clear();
      context.retired.clear();
      context.ports.clearDataPlane();
      enqueue.sendTo(context.provider, { type: 'provider.reset' });
    }),
  },
}).createMachine({
  id: 'gateway',
  context: ({ input }) => {
    const table = new SaTable<ResponderRef>();
    return {
      ...input,
      table,
      lookups: peerLookups(input.psks, table),
      retired: new RetiredResponses<SentResponse>(retiredKeepUs(input.ike.retransmit)),
      invalidSpiReplies: new ReplyLimit(INVALID_SPI_REPLIES_PER_SEC, 1_000_000),
      spawned: 0,
      handling: { depth: 0 },
      shared: {
        local: input.outsideAddress === undefined ? undefined : { address: input.outsideAddress, port: IKE_PORT },
        accepted: new Map(),
      },
    };
  },
  initial: 'up',
  on: {
    'sa.emitted': [
      { guard: { type: 'emittedIs', params: { type: 'net.send' } }, actions: 'send' },
      { guard: { type: 'emittedIs', params: { type: 'net.resend' } }, actions: 'resend' },
      { guard: { type: 'emittedIs', params: { type: 'ike.note' } }, actions: 'note' },
      { guard: { type: 'emittedIs', params: { type: 'ike.authenticated' } }, actions: 'authenticated' },
      { guard: { type: 'emittedIs', params: { type: 'ike.up' } }, actions: 'up' },
      { guard: { type: 'emittedIs', params: { type: 'ike.child' } }, actions: 'child' },
      { guard: { type: 'emittedIs', params: { type: 'ike.childDeleted' } }, actions: 'childDeleted' },
      { guard: { type: 'emittedIs', params: { type: 'ike.rekeyed' } }, actions: 'rekeyed' },
      { guard: { type: 'emittedIs', params: { type: 'ike.closed' } }, actions: 'closed' },
    ],
    'gw.reap': { actions: 'reap' },
  },
  states: {
    up: {
      on: {
        'gw.ike': [
          { guard: 'isRetired', actions: 'answerRetired' },
          { guard: 'isNotInitRequest', actions: 'unknownSpi' },
          { guard: 'initRejected', actions: 'rejectInit' },
          { actions: 'spawnResponder' },
        ],
        'gw.crash': { target: 'down', actions: 'crash' },
      },
    },
    /** Crashed: nothing is received until the restart (the adapter drops packets too). */
    down: { on: { 'gw.restart': 'up' } },
  },
});
