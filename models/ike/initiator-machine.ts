/**
 * The IKE SA initiator (client side) as a statechart, read as RFC 7296:
 *
 *   idle ──cmd.connect──▶ initSent ──IKE_SA_INIT ok──▶ authSent ──authenticated──▶ authReceived ──▶ established
 *   initSent: COOKIE (§2.6) and INVALID_KE_PAYLOAD (§1.2) retry in place; NO_PROPOSAL_CHOSEN & co close.
 *   authSent: AUTHENTICATION_FAILED closes; INVALID_IKE_SPI is checked (§2.21.4); a disconnect waits for the answer.
 *   authReceived (transient): the method's outcome — another IKE_AUTH round (draft-ietf-ipsec-dhcp-over-ike-00 §3),
 *     now or held (`authHeld`: the method sends it when its DHCP client retransmits, §3 "normal DHCP retransmission
 *     policies"; no request is outstanding, so nothing retransmits; bounded by the method's `maxWaitMs`), no address /
 *     no Child SA (delete the IKE SA, §1.4.1), or up.
 *   established (parallel): `window` — the request window (§2.3, window 1): ready ⇄ busy, the queue in the context,
 *     `childReceived` reads a CREATE_CHILD_SA answer; `peer` — the gateway's requests (§1.4: liveness, deletes);
 *     `ikeRekey` and `liveness` — the IKE SA's timers (§2.8, §2.4).
 *   deleting: our Delete is outstanding; the peer's requests are still answered (§1.4.1). closed: final.
 *
 * Retransmission (§2.1) is an `after` with the named delay `retransmitWait` (strongSwan's schedule, retransmit.ts)
 * and the `triesLeft` guard; giving up closes as `dead-peer` (§2.4). The Child SA rekey timers, one per slot, are
 * delayed raises of `timer.childRekey` with the id `timer.childRekey:<slot>`. Inputs: `cmd.connect`,
 * `cmd.disconnect`, `net.recv`, `cmd.child`, `cmd.childRekeyAt`, `cmd.childDelete`; outputs: emitted `net.send` and
 * `ike.*` events (emitted.ts). Guards and actions are named; their bodies are the pure helpers of initiator-core.ts.
 */
import { assertEvent, emit, enqueueActions as xstateEnqueueActions, setup, assign } from 'xstate';
import type { IkeMessage, IkePayload } from '../wire/ike/index.ts';
import { note, type IkeEmitted } from './emitted.ts';
import type { ChildRequest } from './hooks.ts';
import * as core from './initiator-core.ts';
import {
  MAIN_SLOT,
  childRekeyTimerId,
  endedWindow,
  initialContext,
  requestWindow,
  type InitiatorContext,
  type InitiatorInput,
  type QueueItem,
} from './initiator-context.ts';
import { retransmitWaitsMs } from './retransmit.ts';
import { unhandledNote } from './unhandled.ts';

export type { InitiatorInput } from './initiator-context.ts';

export type InitiatorEvent =
  | { readonly type: 'cmd.connect' }
  | { readonly type: 'cmd.disconnect' }
  | { readonly type: 'net.recv'; readonly message: IkeMessage }
  /** Internal (a delayed raise): a Child SA's rekey is due; `slot` absent = the IKE_AUTH child. */
  | { readonly type: 'timer.childRekey'; readonly slot?: string }
  /** Method requests (ClientMethodContext): a new Child SA or a rekey, a rekey time, a delete. */
  | { readonly type: 'cmd.child'; readonly request: ChildRequest }
  | { readonly type: 'cmd.childRekeyAt'; readonly slot: string; readonly delayMs: number }
  | { readonly type: 'cmd.childDelete'; readonly slot: string }
  /** The method's held IKE_AUTH round goes now with these payloads (ClientMethodContext.continueAuth). */
  | { readonly type: 'cmd.authRound'; readonly payloads: readonly IkePayload[] };

type Ctx = InitiatorContext;
type Args = { readonly context: Ctx; readonly event: InitiatorEvent };

/** The minimal effect surface the composite actions use (xstate's `enqueue` provides it). */
interface Effects {
  assign(update: Partial<Ctx>): void;
  emit(e: IkeEmitted): void;
  cancel(id: string): void;
  raise(e: InitiatorEvent, options: { id: string; delay: number }): void;
}

/** What xstate's `enqueue` offers the composite actions (a subset: the rest is not used here). */
interface Enqueue extends Omit<Effects, 'assign'> {
  assign(update: Partial<Ctx>): void;
}

/**
 * Effects whose context changes are merged into one assign, enqueued after the action's other effects. xstate rebuilds
 * the whole snapshot (state value, tags) for every assign, and the composite actions assign two or three times; the
 * events they emit, raise and cancel are fixed objects that do not read the context, and no one outside sees the
 * context before the transition ends, so the merged assign leaves the same snapshot. One object per action run, no
 * closures.
 */
class MergedAssign implements Effects {
  private update: Partial<Ctx> | undefined;

  constructor(private readonly q: Enqueue) {}

  assign(update: Partial<Ctx>): void {
    this.update = this.update === undefined ? update : { ...this.update, ...update };
  }
  emit(e: IkeEmitted): void {
    this.q.emit(e);
  }
  cancel(id: string): void {
    this.q.cancel(id);
  }
  raise(e: InitiatorEvent, options: { id: string; delay: number }): void {
    this.q.raise(e, options);
  }
  flush(): void {
    if (this.update !== undefined) this.q.assign(this.update);
  }
}

/** xstate's `enqueueActions` with the context changes of one run merged (see `MergedAssign`). */
function enqueueActions<P = undefined>(
  body: (args: { readonly context: Ctx; readonly event: InitiatorEvent; readonly enqueue: Effects }, params: P) => void,
) {
  return xstateEnqueueActions<Ctx, InitiatorEvent, P, InitiatorEvent, never, never, never, never, IkeEmitted>(
    ({ context, event, enqueue }, params) => {
      const fx = new MergedAssign(enqueue);
      body({ context, event, enqueue: fx }, params);
      fx.flush();
    },
  );
}

/** The message of a `net.recv` (guards run per event: a type check that narrows, no allocation as in assertEvent). */
function received(event: InitiatorEvent): IkeMessage {
  if (event.type !== 'net.recv') throw new Error(`ike-i: expected net.recv, got ${event.type}`);
  return event.message;
}

/** Sends a request: the context it leaves, then the packet. */
function send(fx: Effects, out: core.Outgoing): void {
  fx.assign(out.update);
  fx.emit({ type: 'net.send', message: out.message });
}

/**
 * The window is free: the next queued exchange goes out (RFC 7296 §2.3). False when nothing started (a request is
 * outstanding or nothing is queued): then the queue was left as it is.
 */
function startNext(fx: Effects, ctx: Ctx, queue: readonly QueueItem[] = ctx.window.queue): boolean {
  const s = core.startNext(ctx, queue);
  if (s === undefined) return false;
  fx.assign(s.update);
  if (s.cancelTimer !== undefined) fx.cancel(s.cancelTimer);
  if (s.message !== undefined) fx.emit({ type: 'net.send', message: s.message });
  return true;
}

/** The IKE SA is gone: its Child SA rekey timers are cancelled and the node is told why. */
function close(fx: Effects, ctx: Ctx, reason: string): void {
  const w = ctx.window;
  fx.assign({ window: requestWindow(w.nextId, undefined, w.invalidSpiHints, w.queue), closeReason: reason });
  for (const slot of ctx.timerSlots) fx.cancel(childRekeyTimerId(slot));
  fx.emit({ type: 'ike.closed', reason });
}

function armChildRekey(fx: Effects, slot: string, delayMs: number): void {
  const id = childRekeyTimerId(slot);
  fx.cancel(id);
  fx.raise({ type: 'timer.childRekey', slot }, { id, delay: delayMs });
}

function want(fx: Effects, ctx: Ctx, item: QueueItem): void {
  const w = ctx.window;
  const queue = core.enqueue(w.queue, item);
  // The new queue is passed beside the context, not in a copy of it (one object of ~20 fields per request wanted).
  // When a request starts, its update carries the queue it leaves: no second assign to merge.
  if (!startNext(fx, ctx, queue)) fx.assign({ window: requestWindow(w.nextId, w.pending, w.invalidSpiHints, queue) });
}

const isResponse = ({ event }: Args): boolean => received(event).response;
const matches = ({ context, event }: Args): boolean => core.matchResponse(context, received(event));
const pendingKind = (context: Ctx): string | undefined => context.window.pending?.kind;

export const initiatorMachine = setup({
  types: {
    context: {} as Ctx,
    input: {} as InitiatorInput,
    events: {} as InitiatorEvent,
    emitted: {} as IkeEmitted,
  },
  delays: {
    /** RFC 7296 §2.1: the wait after the outstanding request's last send (strongSwan's schedule). */
    retransmitWait: ({ context }) =>
      retransmitWaitsMs(context.input.cfg.retransmit)[context.window.pending?.sendIndex ?? 0] ?? 0,
    ikeRekeyDelay: ({ context }) => context.ikeRekeyDelayMs,
    livenessInterval: ({ context }) => context.input.cfg.lifetimes.livenessMs,
    /** The longest a held IKE_AUTH round may wait for the method (its `hold` answer's bound). */
    authHoldMax: ({ context }) => core.authHoldMaxMs(context),
  },
  guards: {
    isResponse,
    isRequest: (a) => !isResponse(a),
    /** Anything but the answer to our outstanding request (RFC 7296 §2.1, §3.14). */
    isNotTheAnswer: (a) => !matches(a),
    /** A response that is not the answer (a request goes to the `peer` region). */
    isStrayResponse: (a) => isResponse(a) && !matches(a),
    triesLeft: ({ context }) => (context.window.pending?.sendIndex ?? 0) < context.input.cfg.retransmit.tries,
    requestOutstanding: ({ context }) => context.window.pending !== undefined,
    noRequestOutstanding: ({ context }) => context.window.pending === undefined,
    isCookie: ({ context, event }) => core.initReply(context, received(event)).kind === 'cookie',
    isInvalidKe: ({ context, event }) => core.initReply(context, received(event)).kind === 'retry',
    initFailed: ({ context, event }) => core.initReply(context, received(event)).kind === 'fail',
    isInvalidSpiHint: ({ context, event }) => core.isInvalidSpiHint(context, received(event)),
    isFirstInvalidSpiHint: ({ context, event }) =>
      context.window.invalidSpiHints === 0 && core.isInvalidSpiHint(context, received(event)),
    authFailed: ({ context, event }) => core.authFailed(context, received(event)),
    disconnectPending: ({ context }) => context.auth.disconnectAfter,
    authMore: ({ context }) => context.auth.reply?.outcome.kind === 'more',
    authHold: ({ context }) => context.auth.reply?.outcome.kind === 'hold',
    /** The method has no address (RFC 7296 §1.2/§2.19), or the IKE_AUTH Child SA failed. */
    authUnusable: ({ context }) =>
      context.auth.reply?.outcome.kind === 'failed' || context.auth.reply?.child?.ok === false,
    answersChildExchange: (a) =>
      matches(a) && (pendingKind(a.context) === 'child-create' || pendingKind(a.context) === 'child-rekey'),
    answersChildDelete: (a) =>
      matches(a) && (pendingKind(a.context) === 'child-delete' || pendingKind(a.context) === 'child-delete-old'),
    answersIkeRekey: (a) =>
      matches(a) &&
      pendingKind(a.context) === 'ike-rekey' &&
      core.rekeyedKeys(a.context, received(a.event)) !== undefined,
    /** RFC 7296 §2.18: the old IKE SA's Delete was answered; the new IKE SA takes over. */
    answersOldIkeDelete: (a) =>
      matches(a) && pendingKind(a.context) === 'ike-delete-old' && a.context.newKeys !== undefined,
    childRekeyRetry: ({ context }) => context.childReply?.retry === true,
    childNotNegotiated: ({ context }) => context.childReply?.result.ok === false,
    childRejected: ({ context }) => context.childReply?.outcome.kind === 'reject',
    childReplacesOld: ({ context }) => context.childReply?.old !== undefined,
    peerDeletesIke: ({ context, event }) => core.peerDeletesIke(context, received(event)),
    ikeRekeyOn: ({ context }) => context.input.cfg.lifetimes.ikeRekeyMs > 0,
    livenessOn: ({ context }) => context.input.cfg.lifetimes.livenessMs > 0,
  },
  actions: {
    unhandled: emit(({ event, self }) => unhandledNote('ike-i', self.getSnapshot().value, event.type)),
    noteIgnored: emit(({ event }) => core.ignoredNote(received(event), 'not the outstanding request')),
    noteNoSa: emit(({ event }) => core.ignoredNote(received(event), 'no IKE SA')),
    /** RFC 7296 §2.1: the exchange is over; the retransmission timer goes with the state that armed it. */
    endExchange: assign({ window: ({ context }) => endedWindow(context.window) }),
    queueEarly: assign({
      window: ({ context, event }) => {
        assertEvent(event, 'cmd.child');
        const w = context.window;
        return requestWindow(w.nextId, w.pending, w.invalidSpiHints, [
          ...w.queue,
          core.childItem(context, event.request),
        ]);
      },
    }),
    sendInit: enqueueActions(({ context, enqueue }) => send(enqueue, core.initRequest(context))),
    retryWithCookie: enqueueActions(({ context, event, enqueue }) => {
      const r = core.takeInitReply(context, received(event));
      if (r.kind === 'cookie') send(enqueue, core.cookieRetry(context, r.cookie));
    }),
    retryWithGroup: enqueueActions(({ context, event, enqueue }) => {
      const r = core.takeInitReply(context, received(event));
      if (r.kind !== 'retry') return;
      enqueue.emit(note('ike.invalidKe', { group: r.dhGroup }));
      send(enqueue, core.initRetry(context, r.dhGroup));
    }),
    closeInitFailed: enqueueActions(({ context, event, enqueue }) => {
      const r = core.takeInitReply(context, received(event));
      close(enqueue, context, r.kind === 'fail' ? r.notify : 'NO_PROPOSAL_CHOSEN');
    }),
    sendAuth: enqueueActions(({ context, event, enqueue }) => {
      const m = received(event);
      const r = core.takeInitReply(context, m);
      if (r.kind !== 'ok') return;
      for (const n of core.initResponseNotes(context, m)) enqueue.emit(n);
      send(enqueue, core.authRequest(context, m, r));
    }),
    retransmit: enqueueActions(({ context, enqueue }) => {
      const w = context.window;
      const p = w.pending;
      if (p === undefined) return;
      enqueue.assign({
        window: requestWindow(w.nextId, { ...p, sendIndex: p.sendIndex + 1 }, w.invalidSpiHints, w.queue),
      });
      enqueue.emit({ type: 'net.send', message: p.message });
    }),
    /** RFC 7296 §2.4: no answer after the retransmissions ⇒ the peer is dead; the IKE SA is gone without a Delete. */
    giveUp: enqueueActions(({ context, enqueue }) => {
      const p = context.window.pending;
      if (p !== undefined) enqueue.emit(note('ike.giveUp', { exchange: p.kind, messageId: p.message.messageId }));
      close(enqueue, context, 'dead-peer');
    }),
    close: enqueueActions(({ context, enqueue }, params: { readonly reason: string }) =>
      close(enqueue, context, params.reason),
    ),
    /** Our Delete was answered (or overtaken by the peer's, or the peer forgot the SA): closed as we meant to. */
    closeAsMeant: enqueueActions(({ context, enqueue }) =>
      close(enqueue, context, context.closeReason || 'disconnect'),
    ),
    /**
     * RFC 7296 §2.21.4: an unprotected INVALID_IKE_SPI about our outstanding request is only a hint; the request is
     * re-sent at once as the liveness check (a gateway that still has the SA answers it, protected).
     */
    resendOutstanding: enqueueActions(({ context, event, enqueue }) => {
      const w = context.window;
      const p = w.pending;
      if (p === undefined) return;
      enqueue.assign({ window: requestWindow(w.nextId, p, 1, w.queue) });
      enqueue.emit(note('ike.invalidSpi', { messageId: received(event).messageId, check: 'resend' }));
      enqueue.emit({ type: 'net.send', message: p.message });
    }),
    /** The check drew INVALID_IKE_SPI again: the gateway lost the IKE SA (it restarted). */
    confirmPeerLost: enqueueActions(({ context, event, enqueue }) => {
      enqueue.emit(note('ike.invalidSpi', { messageId: received(event).messageId, check: 'confirmed' }));
      close(enqueue, context, 'peer-lost');
    }),
    /**
     * `cmd.disconnect` while IKE_AUTH is outstanding: RFC 7296 §2.3 (window 1) allows no INFORMATIONAL before the
     * response, and the peer may already have created the IKE SA, so we delete it once the response is in.
     */
    rememberDisconnect: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ auth: { ...context.auth, disconnectAfter: true } });
      enqueue.emit(note('ike.disconnectPending', { exchange: 'ike-auth' }));
    }),
    readAuthResponse: assign({
      auth: ({ context, event }) => ({ ...context.auth, reply: core.readAuthReply(context, received(event)) }),
    }),
    sendNextAuthRound: enqueueActions(({ context, enqueue }) => send(enqueue, core.nextAuthRound(context))),
    noteAuthHold: emit(({ context }) =>
      note('ike.authHold', { round: context.auth.round + 1, maxWaitMs: core.authHoldMaxMs(context) }),
    ),
    /** The held round goes with the method's payloads (a new message ID: a new request, not a retransmission). */
    sendHeldAuthRound: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'cmd.authRound');
      send(enqueue, core.nextAuthRound(context, event.payloads));
    }),
    noteAuthHoldExpired: emit(({ context }) =>
      note('ike.authHoldExpired', { round: context.auth.round + 1, maxWaitMs: core.authHoldMaxMs(context) }),
    ),
    /** A disconnect while a round is held: no request is outstanding, so the Delete goes at once (§1.4.1). */
    disconnectHeld: enqueueActions(({ context, enqueue }) =>
      send(enqueue, core.ikeDeleteRequest(context, 'disconnect')),
    ),
    /**
     * The IKE SA authenticated but is of no use (no address, no Child SA; or the user disconnected meanwhile): it
     * exists (RFC 7296 §1.2) and is deleted the only way RFC 7296 allows, by a Delete inside it (§1.4.1).
     */
    deleteIkeSa: enqueueActions(({ context, enqueue }) =>
      send(enqueue, core.ikeDeleteRequest(context, core.authDeleteReason(context))),
    ),
    /** The user disconnects an established IKE SA: Delete(IKE) (RFC 7296 §1.4.1); its timers stop. */
    disconnect: enqueueActions(({ context, enqueue }) => {
      for (const slot of context.timerSlots) enqueue.cancel(childRekeyTimerId(slot));
      send(enqueue, core.ikeDeleteRequest(context, 'disconnect'));
    }),
    /** Up: the Child SA rekey timers and the IKE rekey wait are drawn, the node told, queued requests go out. */
    ikeUp: enqueueActions(({ context, enqueue }) => {
      const up = core.upState(context);
      enqueue.assign(up);
      // The delays read the configuration and the random stream only: drawn on `context`, in the same order.
      const lt = context.input.cfg.lifetimes;
      if (lt.childRekeyMs > 0)
        for (const slot of up.timerSlots) armChildRekey(enqueue, slot, core.childRekeyDelayMs(context));
      if (lt.ikeRekeyMs > 0) enqueue.assign({ ikeRekeyDelayMs: core.ikeRekeyDelayMs(context) });
      const keys = context.keys;
      if (keys !== undefined) enqueue.emit({ type: 'ike.up', keys, config: up.config, child: up.children[0] });
      // Requests the method queued early go out on the SA as it is now; a copy of the context only when there are.
      if (context.window.queue.length > 0)
        startNext(enqueue, { ...context, ...up, window: endedWindow(context.window) });
    }),
    startNext: enqueueActions(({ context, enqueue }) => startNext(enqueue, context)),
    wantChild: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'cmd.child');
      want(enqueue, context, core.childItem(context, event.request));
    }),
    wantChildDelete: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'cmd.childDelete');
      want(enqueue, context, { kind: 'child-delete', slot: event.slot });
    }),
    wantChildRekey: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'timer.childRekey');
      want(enqueue, context, { kind: 'child-rekey', slot: event.slot ?? MAIN_SLOT, byMethod: false });
    }),
    wantIkeRekey: enqueueActions(({ context, enqueue }) => want(enqueue, context, { kind: 'ike-rekey' })),
    /** RFC 7296 §2.4: an empty INFORMATIONAL when nothing else is in flight (an exchange in flight tests liveness). */
    checkLiveness: enqueueActions(({ context, enqueue }) => want(enqueue, context, { kind: 'liveness' })),
    drawIkeRekeyDelay: assign({ ikeRekeyDelayMs: ({ context }) => core.ikeRekeyDelayMs(context) }),
    /**
     * The method (re)arms the rekey of a slot (draft-richardson §2: no later than the DHCP T1), never later than the
     * configured Child SA lifetime (RFC 7296 §2.8: the lifetime is local policy; issue 14 item 3): a DHCP timer may
     * bring the rekey forward, not postpone it. The method arms when a Child SA is installed, so the cap counts from it.
     */
    scheduleChildRekey: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'cmd.childRekeyAt');
      const { slot } = event;
      const lifetimeMs = context.input.cfg.lifetimes.childRekeyMs;
      const delayMs = lifetimeMs > 0 ? Math.min(event.delayMs, lifetimeMs) : event.delayMs;
      if (!context.timerSlots.includes(slot))
        enqueue.assign({ timerSlots: core.withTimerSlot(context.timerSlots, slot) });
      armChildRekey(enqueue, slot, delayMs);
      enqueue.emit(note('ike.rekeyScheduled', { slot, delayMs }));
    }),
    readChildResponse: assign({ childReply: ({ context, event }) => core.readChildReply(context, received(event)) }),
    /** RFC 7296 §2.25: retry the rekey later (strongSwan: a few seconds, randomised). */
    retryRekeyLater: enqueueActions(({ context, enqueue }) => {
      const reply = context.childReply;
      if (reply === undefined) return;
      const delayMs = 2000 + context.input.rng.intBelow(3001);
      armChildRekey(enqueue, reply.info.slot, delayMs);
      const window = endedWindow(context.window);
      const after: Ctx = { ...context, window, childReply: undefined };
      enqueue.assign({ window, childReply: undefined });
      startNext(enqueue, after);
      enqueue.emit(note('ike.rekeyRetry', { slot: reply.info.slot, delayMs }));
    }),
    childFailed: enqueueActions(({ context, enqueue }) => {
      const reply = context.childReply;
      const window = endedWindow(context.window);
      const after: Ctx = { ...context, window, childReply: undefined };
      enqueue.assign({ window, childReply: undefined });
      startNext(enqueue, after);
      if (reply !== undefined && !reply.result.ok)
        enqueue.emit(
          note(reply.info.rekey ? 'ike.rekeyFailed' : 'ike.childFailed', {
            slot: reply.info.slot,
            notify: reply.result.notify,
          }),
        );
    }),
    /** The responder created it; we will not use it (RFC 7296 §1.4.1). */
    deleteRejectedChild: enqueueActions(({ context, enqueue }) => {
      const reply = context.childReply;
      if (reply === undefined) return;
      const reason = reply.outcome.kind === 'reject' ? reply.outcome.reason : '';
      enqueue.emit(note('ike.childRejected', { slot: reply.info.slot, reason }));
      send(enqueue, core.childDeleteRequest({ ...context, childReply: undefined }, reply.spiIn));
      enqueue.assign({ childReply: undefined });
    }),
    /** The Child SA is installed (its rekey timer armed); the method's new address, if any, first. */
    installChild: enqueueActions(({ context, enqueue }) => {
      const reply = context.childReply;
      const inst = core.installChild(context);
      if (reply === undefined || inst === undefined) return;
      enqueue.assign(inst.update);
      if (context.input.cfg.lifetimes.childRekeyMs > 0)
        armChildRekey(enqueue, reply.info.slot, core.childRekeyDelayMs(context));
      const config = reply.outcome.kind === 'accept' ? reply.outcome.config : undefined;
      if (config !== undefined) enqueue.emit({ type: 'ike.configured', config });
      enqueue.emit({ type: 'ike.child', child: inst.child, replaces: reply.old });
    }),
    /** The exchange is over: its reply (the response's selectors, nonces, the method's outcome) need not stay. */
    forgetChildReply: assign({ childReply: undefined }),
    /** RFC 7296 §2.8: the rekey initiator deletes the old Child SA. */
    deleteReplacedChild: enqueueActions(({ context, enqueue }) => {
      const old = context.childReply?.old;
      enqueue.assign({ childReply: undefined });
      if (old !== undefined) send(enqueue, core.childDeleteRequest(context, old.spiIn));
    }),
    emitChildDeleted: emit(({ context }) => ({
      type: 'ike.childDeleted' as const,
      spisIn: context.window.pending?.spiIn === undefined ? [] : [context.window.pending.spiIn],
    })),
    /** RFC 7296 §2.18: the new IKE SA exists; the old one is deleted inside itself. */
    deleteOldIke: enqueueActions(({ context, event, enqueue }) => {
      const nk = core.rekeyedKeys(context, received(event));
      if (nk !== undefined) send(enqueue, core.oldIkeDeleteRequest(context, nk));
    }),
    ikeRekeyFailed: assign({ newKeys: undefined }),
    /** The old IKE SA is gone: message IDs restart on the new one (RFC 7296 §2.18); queued requests go out on it. */
    switchToNewIke: enqueueActions(({ context, enqueue }) => {
      const nk = context.newKeys;
      const old = context.keys;
      if (nk === undefined || old === undefined) return;
      const w = context.window;
      const update = {
        keys: nk,
        newKeys: undefined,
        window: requestWindow(0, w.pending, w.invalidSpiHints, w.queue),
        peer: { nextId: 0, lastResponse: undefined },
      };
      enqueue.assign(update);
      startNext(enqueue, { ...context, ...update });
      enqueue.emit({ type: 'ike.rekeyed', oldSpiI: old.spiI, keys: nk });
    }),
    /** A request from the gateway (INFORMATIONAL: liveness or delete), RFC 7296 §1.4, §2.4. */
    answerPeer: enqueueActions(({ context, event, enqueue }) => {
      const a = core.peerAnswer(context, received(event));
      if (a.update !== undefined) enqueue.assign(a.update);
      for (const slot of a.cancelSlots) enqueue.cancel(childRekeyTimerId(slot));
      for (const e of a.emits) enqueue.emit(e);
    }),
  },
}).createMachine({
  id: 'ike-i',
  context: ({ input }) => initialContext(input),
  initial: 'idle',
  on: {
    // RFC-irrelevant leftovers are traced, not dropped silently (unhandled.ts).
    '*': { actions: 'unhandled' },
  },
  states: {
    idle: {
      on: {
        'cmd.connect': { target: 'initSent', actions: 'sendInit' },
        'cmd.disconnect': { target: 'closed', actions: { type: 'close', params: { reason: 'disconnect' } } },
        'cmd.child': { actions: 'queueEarly' },
        'net.recv': { actions: 'noteNoSa' },
      },
    },
    initSent: {
      after: {
        retransmitWait: [
          { guard: 'triesLeft', target: 'initSent', reenter: true, actions: 'retransmit' },
          { target: 'closed', actions: 'giveUp' },
        ],
      },
      on: {
        'net.recv': [
          { guard: 'isNotTheAnswer', actions: 'noteIgnored' },
          { guard: 'isCookie', target: 'initSent', reenter: true, actions: 'retryWithCookie' },
          { guard: 'isInvalidKe', target: 'initSent', reenter: true, actions: 'retryWithGroup' },
          { guard: 'initFailed', target: 'closed', actions: 'closeInitFailed' },
          { target: 'authSent', actions: 'sendAuth' },
        ],
        'cmd.disconnect': { target: 'closed', actions: { type: 'close', params: { reason: 'disconnect' } } },
        'cmd.child': { actions: 'queueEarly' },
      },
    },
    authSent: {
      after: {
        retransmitWait: [
          { guard: 'triesLeft', target: 'authSent', reenter: true, actions: 'retransmit' },
          { target: 'closed', actions: 'giveUp' },
        ],
      },
      on: {
        'net.recv': [
          { guard: 'isFirstInvalidSpiHint', actions: 'resendOutstanding' },
          { guard: 'isInvalidSpiHint', target: 'closed', actions: 'confirmPeerLost' },
          { guard: 'isNotTheAnswer', actions: 'noteIgnored' },
          {
            guard: 'authFailed',
            target: 'closed',
            actions: { type: 'close', params: { reason: 'AUTHENTICATION_FAILED' } },
          },
          { guard: 'disconnectPending', target: 'deleting', actions: ['endExchange', 'deleteIkeSa'] },
          { target: 'authReceived', actions: ['endExchange', 'readAuthResponse'] },
        ],
        'cmd.disconnect': [{ guard: 'disconnectPending' }, { actions: 'rememberDisconnect' }],
        'cmd.child': { actions: 'queueEarly' },
      },
    },
    authReceived: {
      always: [
        { guard: 'authMore', target: 'authSent', actions: 'sendNextAuthRound' },
        { guard: 'authHold', target: 'authHeld', actions: 'noteAuthHold' },
        // RFC 7296 §1.2/§2.19: the IKE SA is up but no Child SA / address; a client without an address has no use
        // for it and deletes it (what strongSwan does when a requested virtual IP is missing).
        { guard: 'authUnusable', target: 'deleting', actions: 'deleteIkeSa' },
        { target: 'established', actions: 'ikeUp' },
      ],
    },
    /**
     * Between IKE_AUTH rounds, the next one held by the method (draft-ietf-ipsec-dhcp-over-ike-00 §3). No request is
     * outstanding, so there is no retransmission timer (RFC 7296 §2.1); the method's bound ends the wait.
     */
    authHeld: {
      after: { authHoldMax: { target: 'deleting', actions: ['noteAuthHoldExpired', 'deleteIkeSa'] } },
      on: {
        'cmd.authRound': { target: 'authSent', actions: 'sendHeldAuthRound' },
        'cmd.disconnect': { target: 'deleting', actions: 'disconnectHeld' },
        'net.recv': { actions: 'noteIgnored' },
        'cmd.child': { actions: 'queueEarly' },
      },
    },
    established: {
      type: 'parallel',
      on: {
        'cmd.disconnect': { target: 'deleting', actions: 'disconnect' },
        'cmd.childRekeyAt': { actions: 'scheduleChildRekey' },
      },
      states: {
        window: {
          initial: 'ready',
          on: {
            'cmd.child': { actions: 'wantChild' },
            'cmd.childDelete': { actions: 'wantChildDelete' },
            'timer.childRekey': { actions: 'wantChildRekey' },
          },
          states: {
            ready: {
              always: { guard: 'requestOutstanding', target: 'busy' },
              on: { 'net.recv': { guard: 'isResponse', actions: 'noteIgnored' } },
            },
            busy: {
              after: {
                retransmitWait: [
                  { guard: 'triesLeft', target: 'busy', reenter: true, actions: 'retransmit' },
                  { target: '#ike-i.closed', actions: 'giveUp' },
                ],
              },
              on: {
                'net.recv': [
                  { guard: 'isFirstInvalidSpiHint', actions: 'resendOutstanding' },
                  { guard: 'isInvalidSpiHint', target: '#ike-i.closed', actions: 'confirmPeerLost' },
                  { guard: 'isStrayResponse', actions: 'noteIgnored' },
                  { guard: 'answersChildExchange', target: 'childReceived', actions: 'readChildResponse' },
                  {
                    guard: 'answersChildDelete',
                    target: 'ready',
                    actions: ['emitChildDeleted', 'endExchange', 'startNext'],
                  },
                  { guard: 'answersIkeRekey', target: 'busy', reenter: true, actions: 'deleteOldIke' },
                  { guard: 'answersOldIkeDelete', target: 'ready', actions: ['endExchange', 'switchToNewIke'] },
                  // Liveness answered, or an IKE rekey the responder refused (no new keys: retried at no time).
                  { guard: 'isResponse', target: 'ready', actions: ['endExchange', 'ikeRekeyFailed', 'startNext'] },
                ],
              },
            },
            childReceived: {
              always: [
                { guard: 'childRekeyRetry', target: 'ready', actions: 'retryRekeyLater' },
                { guard: 'childNotNegotiated', target: 'ready', actions: 'childFailed' },
                { guard: 'childRejected', target: 'busy', actions: 'deleteRejectedChild' },
                { guard: 'childReplacesOld', target: 'busy', actions: ['installChild', 'deleteReplacedChild'] },
                { target: 'ready', actions: ['installChild', 'forgetChildReply', 'startNext'] },
              ],
            },
          },
        },
        peer: {
          initial: 'serving',
          states: {
            serving: {
              on: {
                'net.recv': [
                  {
                    guard: 'peerDeletesIke',
                    target: '#ike-i.closed',
                    actions: ['answerPeer', { type: 'close', params: { reason: 'deleted-by-peer' } }],
                  },
                  { guard: 'isRequest', actions: 'answerPeer' },
                ],
              },
            },
          },
        },
        ikeRekey: {
          initial: 'off',
          states: {
            off: { always: { guard: 'ikeRekeyOn', target: 'armed' } },
            armed: { after: { ikeRekeyDelay: { target: 'due', actions: 'wantIkeRekey' } } },
            due: {
              on: { 'net.recv': { guard: 'answersOldIkeDelete', target: 'armed', actions: 'drawIkeRekeyDelay' } },
            },
          },
        },
        liveness: {
          initial: 'off',
          states: {
            off: { always: { guard: 'livenessOn', target: 'armed' } },
            armed: {
              after: {
                livenessInterval: [
                  { guard: 'noRequestOutstanding', target: 'armed', reenter: true, actions: 'checkLiveness' },
                  { target: 'armed', reenter: true },
                ],
              },
            },
          },
        },
      },
    },
    deleting: {
      after: {
        retransmitWait: [
          { guard: 'triesLeft', target: 'deleting', reenter: true, actions: 'retransmit' },
          { target: 'closed', actions: 'giveUp' },
        ],
      },
      on: {
        'net.recv': [
          { guard: 'isInvalidSpiHint', target: 'closed', actions: 'closeAsMeant' },
          { guard: 'isStrayResponse', actions: 'noteIgnored' },
          { guard: 'isResponse', target: 'closed', actions: 'closeAsMeant' },
          // A Delete collision (RFC 7296 §1.4.1): answered, and our own delete is over.
          { guard: 'peerDeletesIke', target: 'closed', actions: ['answerPeer', 'closeAsMeant'] },
          // The IKE SA lives until our Delete is answered: the peer's requests are still answered (§1.4.1).
          { actions: 'answerPeer' },
        ],
        // Already deleting: the disconnect is under way.
        'cmd.disconnect': {},
        // No new exchange on an IKE SA being deleted (RFC 7296 §1.4.1): the method's Child SA requests lapse with it,
        // and it hears of the close (onIkeClosed) instead of an answer.
        'cmd.child': {},
        'cmd.childRekeyAt': {},
        'cmd.childDelete': {},
      },
    },
    closed: { type: 'final' },
  },
});
