/**
 * The gateway's control plane as an actor system: the gateway machine spawns one IKE responder per client IKE SA
 * (child id `ike:<SPIi>#<n>`, deterministic: the initiator's SPI and a per-gateway counter, never random) and one
 * provider actor (provider-actor.ts) for the method; the responders ask the provider by events, and tell the gateway
 * what happened (their emitted events arrive here as `sa.emitted`). The gateway keeps the SA table (by both SPIs,
 * RFC 7296 §3.1), one IKE SA per identity (uniqueIds / INITIAL_CONTACT, §2.4), the cached responses of ended SAs
 * (§2.1) and INVALID_IKE_SPI answers to unknown SPIs (§2.21.4); `down` after a crash until the restart.
 *
 * The SimNode adapter (gateway-node.ts) decodes packets and forwards events: requests for a known SA go straight to its
 * responder (so the responder's events reach an idle gateway at once, in the order they happen); everything else comes
 * here as `gw.ike`. The ESP data path stays in the adapter and reads the SA table from this machine's context.
 */
import { assertEvent, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { RandomStream } from '../../contract.ts';
import type { IkePeerConfig, ResponderPolicy } from '../../ike/config.ts';
import { ikeMessage } from '../../ike/messages.ts';
import { INVALID_SPI_REPLIES_PER_SEC, ReplyLimit } from '../../ike/reply-limit.ts';
import { responderMachine, responderPhase } from '../../ike/responder-machine.ts';
import { RetiredResponses, retiredKeepUs } from '../../ike/retired-responses.ts';
import type { ChildSa } from '../../ike/sa.ts';
import type { IkeEmitted } from '../../ike/emitted.ts';
import * as ikeInit from '../../ike/tasks/ike-init.ts';
import * as invalidSpi from '../../ike/tasks/invalid-spi.ts';
import type { NoteData } from '../../methods/method.ts';
import { IkeExchangeType, type IkeMessage } from '../../wire/ike/index.ts';
import type { providerActor } from './provider-actor.ts';

export type ResponderRef = ActorRefFrom<typeof responderMachine>;

export interface SaRecord {
  /** Stable id: the SPIi of the first IKE SA (rekeys keep it). */
  readonly id: string;
  readonly actor: ResponderRef;
  readonly peerAddress: string;
  /** The responder's phase as last traced (`ike:<SPI>` state events). */
  phase: string;
  peerId: string;
  /** Newest first; each is a routing entry (TSi) until deleted. */
  children: ChildSa[];
  /** The inner address the provider gave this IKE SA (for `address.overlap`). */
  address?: string;
  /** The responder's last response on its current IKE SA, kept past the SA's end (`retired`, RFC 7296 §2.1). */
  lastResponse?: IkeMessage;
}

/** What the gateway machine does to the outside world (the SimNode adapter implements it). */
export interface GatewayPorts {
  nowUs(): number;
  traceNote(text: string, data: NoteData): void;
  traceState(machine: string, from: string, to: string): void;
  sendIke(dst: string, message: IkeMessage): void;
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
  readonly provider: ActorRefFrom<typeof providerActor>;
  readonly providerChildren: boolean;
  readonly ports: GatewayPorts;
}

export interface GatewayContext extends GatewayInput {
  readonly records: Map<string, SaRecord>;
  readonly bySpiI: Map<string, SaRecord>;
  readonly retired: RetiredResponses;
  readonly invalidSpiReplies: ReplyLimit;
  /** Responders spawned so far (the child id's counter). */
  readonly spawned: number;
}

export type GatewayEvent =
  /** An IKE message for no live SA of ours (a new IKE_SA_INIT, a retired or unknown SA). */
  | { readonly type: 'gw.ike'; readonly src: string; readonly message: IkeMessage }
  /** Something a responder emitted. */
  | { readonly type: 'sa.emitted'; readonly rec: SaRecord; readonly emitted: IkeEmitted }
  /** A responder that closed is stopped once the event that closed it is over. */
  | { readonly type: 'gw.reap'; readonly childId: string }
  | { readonly type: 'gw.crash' }
  | { readonly type: 'gw.restart' };

const ZERO_SPI = '0000000000000000';
/** Close reasons after which the peer no longer uses the SA's address: it deleted the SA, or said it forgot it. */
const PEER_DROPPED: ReadonlySet<string> = new Set(['deleted', 'initial-contact']);

type Ctx = GatewayContext;
type Emitted = IkeEmitted['type'];

const isInitRequest = (m: IkeMessage): boolean =>
  m.exchangeType === IkeExchangeType.IKE_SA_INIT && !m.response && m.messageId === 0;
const ikeOf = (e: GatewayEvent): IkeMessage | undefined => (e.type === 'gw.ike' ? e.message : undefined);

/** Whether any live IKE SA is authenticated as `peerId` (uniqueIds keep asks it per IKE_AUTH: a scan, no array). */
function hasSaOf(ctx: Ctx, peerId: string): boolean {
  if (peerId === '') return false;
  for (const r of ctx.records.values()) if (r.peerId === peerId) return true;
  return false;
}

/**
 * Records the address the provider gave an IKE SA; another live IKE SA holding the same address is an overlap
 * (a DHCP lease that ran out under a tunnel and went to someone else: `address.overlap {address, a, b}`).
 */
export function noteAddress(ctx: Ctx, rec: SaRecord, address: string | undefined): void {
  if (address === undefined || address === rec.address) return;
  rec.address = address;
  for (const other of ctx.records.values()) {
    // The same identity holding it twice is one peer reconnecting (uniqueIds: no), not two peers sharing it.
    if (other === rec || other.address !== address || other.peerId === rec.peerId) continue;
    ctx.ports.traceNote('address.overlap', { address, a: other.peerId, b: rec.peerId });
  }
}

const childIdOf = (rec: SaRecord): string => rec.actor.id;

export const gatewayMachine = setup({
  types: {
    context: {} as Ctx,
    input: {} as GatewayInput,
    events: {} as GatewayEvent,
  },
  actors: { responder: responderMachine },
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
        context.ports.sendIke(event.src, r.message);
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
    /** A new IKE SA: its responder, spawned with a deterministic id, answers the IKE_SA_INIT. */
    spawnResponder: enqueueActions(({ context, event, enqueue, self }) => {
      assertEvent(event, 'gw.ike');
      const m = event.message;
      const accepted = ikeInit.processR(context.ike, m);
      if (!accepted.ok) return;
      const id = `ike:${m.spiI}#${context.spawned}`;
      enqueue.assign({ spawned: context.spawned + 1 });
      let actor: ResponderRef | undefined;
      enqueue.assign(({ spawn }) => {
        actor = spawn('responder', {
          id,
          input: {
            cfg: context.ike,
            policy: context.policy,
            pskFor: (peer: string) => context.psks[peer],
            rng: context.rng,
            initRequest: m,
            accepted,
            provider: context.provider,
            providerChildren: context.providerChildren,
            hasOtherSa: (peerId: string) => hasSaOf(context, peerId),
          },
        });
        const rec: SaRecord = {
          id: m.spiI,
          actor: actor,
          peerAddress: event.src,
          phase: 'none',
          peerId: '',
          children: [],
        };
        context.bySpiI.set(m.spiI, rec);
        context.records.set(rec.id, rec);
        // The responder's phases as `ike:<SPIi>` state traces (its xstate id stays out of the trace).
        const machine = `ike:${m.spiI}`;
        actor.subscribe((snapshot) => {
          const now = responderPhase(snapshot.value);
          if (now === rec.phase) return;
          context.ports.traceState(machine, rec.phase, now);
          rec.phase = now;
        });
        actor.on('*', (emitted) => self.send({ type: 'sa.emitted', rec, emitted }));
        return {};
      });
      // The IKE_SA_INIT response (RFC 7296 §1.2), once the responder has started (spawned actors start after this).
      enqueue.sendTo(() => actor as ResponderRef, { type: 'ike.start' });
    }),
    send: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'net.send') return;
      if (emitted.message.response) rec.lastResponse = emitted.message;
      context.ports.sendIke(rec.peerAddress, emitted.message);
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
      rec.peerId = emitted.peerId;
      const policy = context.policy.uniqueIds ?? 'replace';
      if (!emitted.initialContact && policy !== 'replace') return;
      const reason = emitted.initialContact ? 'initial-contact' : 'replaced';
      // One scan of the SA table per IKE_AUTH, no array built (the table holds every client's SA in a storm).
      for (const old of context.records.values()) {
        if (old === rec || old.peerId !== rec.peerId || rec.peerId === '') continue;
        context.ports.traceNote('gateway.saReplaced', { peer: rec.peerId, old: old.id, by: rec.id, reason });
        enqueue.sendTo(old.actor, { type: 'cmd.delete', notifyPeer: !emitted.initialContact, reason });
      }
    }),
    up: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.up') return;
      context.ports.traceNote('gateway.saUp', { peer: rec.peerId, ikeSa: rec.id });
      if (emitted.child !== undefined) rec.children = [emitted.child];
    },
    /** The old Child SA stays until its delete (RFC 7296 §2.8); new traffic goes out on the new one. */
    child: ({ event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type === 'ike.child') rec.children = [emitted.child, ...rec.children];
    },
    childDeleted: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.childDeleted') return;
      rec.children = rec.children.filter((c) => !emitted.spisIn.includes(c.spiIn));
      for (const spi of emitted.spisIn) context.ports.forgetEsp(spi);
      context.ports.traceNote('gateway.routePruned', { peer: rec.peerId, spis: emitted.spisIn.join(',') });
    },
    /** The old IKE SA's Delete was just answered (RFC 7296 §2.18); a repeat of it must get that answer again. */
    rekeyed: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      const { rec, emitted } = event;
      if (emitted.type !== 'ike.rekeyed') return;
      context.retired.retire(rec.lastResponse, context.ports.nowUs());
      rec.lastResponse = undefined;
      context.bySpiI.set(emitted.keys.spiI, rec);
      context.bySpiI.delete(emitted.oldSpiI);
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
      for (const [spi, r] of context.bySpiI) if (r === rec) context.bySpiI.delete(spi);
      context.records.delete(rec.id);
      const childId = childIdOf(rec);
      context.ports.afterThisEvent(() => self.send({ type: 'gw.reap', childId }));
    }),
    note: ({ context, event }) => {
      assertEvent(event, 'sa.emitted');
      if (event.emitted.type === 'ike.note') context.ports.traceNote(event.emitted.text, event.emitted.data);
    },
    reap: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'gw.reap');
      enqueue.stopChild(event.childId);
    }),
    /**
     * Volatile state is lost: every responder, the SA table, cached responses, the provider's state. The responders are
     * stopped newest first: xstate copies the children object on every stop, and removing the newest key keeps that
     * object in V8's fast mode (oldest first turns it into a dictionary: the crash cost ~1.3 s at 1,000 SAs, not 70 ms).
     */
    crash: enqueueActions(({ context, enqueue }) => {
      const recs = [...context.records.values()];
      for (let i = recs.length - 1; i >= 0; i -= 1) enqueue.stopChild(childIdOf(recs[i] as SaRecord));
      context.records.clear();
      context.bySpiI.clear();
      context.retired.clear();
      context.ports.clearDataPlane();
      enqueue.sendTo(context.provider, { type: 'provider.reset' });
    }),
  },
}).createMachine({
  id: 'gateway',
  context: ({ input }) => ({
    ...input,
    records: new Map(),
    bySpiI: new Map(),
    retired: new RetiredResponses(retiredKeepUs(input.ike.retransmit)),
    invalidSpiReplies: new ReplyLimit(INVALID_SPI_REPLIES_PER_SEC, 1_000_000),
    spawned: 0,
  }),
  initial: 'up',
  on: {
    'sa.emitted': [
      { guard: { type: 'emittedIs', params: { type: 'net.send' } }, actions: 'send' },
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
