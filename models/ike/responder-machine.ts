/**
 * The IKE SA responder (one per client IKE SA at the gateway) as a statechart a student can read against RFC 7296:
 *
 *   start ─ike.start→ initDone ─IKE_AUTH ok→ waitingAddress ─answer→ established ─Delete→ closed
 *                        ▲                     │  ▲ (invokes the provider ask)
 *                        └── authRound ◄─more──┘  └──IKE_AUTH── authRound (draft-ietf-ipsec-dhcp-over-ike-00 §3)
 *
 * `established` runs two regions: `peer` (the peer's requests; `waitingChild` while the provider answers a
 * CREATE_CHILD_SA) and `own` (our liveness request, RFC 7296 §2.4, retransmitted by `after` until the tries run out).
 * While the provider works the responder never blocks: `waitingAddress` / `waitingChild` invoke an ask actor
 * (provider-ask.ts) and answer INTERNAL_ADDRESS_FAILURE / TEMPORARY_FAILURE after `addressTimeout`, telling the
 * provider to abandon. The `halfOpen` delay removes a half-open SA (initDone, authRound); `cmd.delete` (the gateway
 * replacing the SA) closes it from any state. Every state screens requests through the window of RFC 7296 §2.1–2.3
 * (cached response, already processing, out of window) first. What is sent is computed in responder-core.ts; the
 * states and transitions are all here. Unhandled events are traced (unhandled.ts).
 */
import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import type { IkeMessage } from '../wire/ike/index.ts';
import type { AddressAnswer, ChildAnswer } from './hooks.ts';
import { addressAsk, childAsk } from './provider-ask.ts';
import * as core from './responder-core.ts';
import type { EstablishedKind, Out, ResponderContext, ResponderInput } from './responder-core.ts';
import type { IkeEmitted } from './emitted.ts';
import { unhandledNote } from './unhandled.ts';

export type ResponderEvent =
  /** The IKE_SA_INIT request the gateway made this SA for (handed over once, not kept: see `ResponderInput`). */
  | { readonly type: 'ike.start'; readonly request: IkeMessage }
  | { readonly type: 'net.recv'; readonly message: IkeMessage }
  /** Our liveness interval (a delayed raise with an id, re-armed each time: a steady rhythm, RFC 7296 §2.4). */
  | { readonly type: 'timer.gwLiveness' }
  /** The gateway deletes this IKE SA (replaced by another of the same identity), with or without a Delete to it. */
  | { readonly type: 'cmd.delete'; readonly notifyPeer: boolean; readonly reason: string };

type Ctx = ResponderContext;
const LIVENESS_TIMER = 'timer.gwLiveness';

const recv = (event: ResponderEvent): IkeMessage | undefined => (event.type === 'net.recv' ? event.message : undefined);

/** How the provider's address answer is read (the `onDone` guards get it as params: done events are not in TEvent). */
type AnswerKind = 'refused' | 'more' | 'given';
const answerKind = (a: AddressAnswer): AnswerKind => (!a.ok ? 'refused' : a.more === true ? 'more' : 'given');

const base = setup({
  types: {
    context: {} as Ctx,
    input: {} as ResponderInput,
    events: {} as ResponderEvent,
    emitted: {} as IkeEmitted,
    children: {} as { address: 'addressProvider'; child: 'childProvider' },
  },
  actors: { addressProvider: addressAsk, childProvider: childAsk },
  delays: {
    halfOpen: ({ context }) => core.halfOpenMs(context),
    addressTimeout: ({ context }) => context.input.policy.addressTimeoutMs,
    livenessInterval: ({ context }) => core.livenessEveryMs(context),
    ownRetransmitWait: ({ context }) => core.ownRetransmitWaitMs(context),
  },
  guards: {
    isResponse: ({ event }) => recv(event)?.response === true,
    isCachedRepeat: ({ context, event }) => {
      const m = recv(event);
      return m !== undefined && core.isCachedRepeat(context, m);
    },
    isOutOfWindow: ({ context, event }) => {
      const m = recv(event);
      return m !== undefined && !core.isNextRequest(context, m);
    },
    halfOpenOn: ({ context }) => core.halfOpenMs(context) > 0,
    authIs: ({ context, event }, params: { verdict: core.AuthVerdict }) => {
      const m = recv(event);
      return m !== undefined && core.authVerdict(context, m) === params.verdict;
    },
    isIkeDelete: ({ event }) => {
      const m = recv(event);
      return m !== undefined && core.isIkeDelete(m);
    },
    isNotIkeAuth: ({ event }) => {
      const m = recv(event);
      return m !== undefined && !core.isIkeAuth(m);
    },
    answerIs: (_, params: { answer: AddressAnswer; kind: AnswerKind }) => answerKind(params.answer) === params.kind,
    kindIs: ({ context, event }, params: { kind: EstablishedKind }) => {
      const m = recv(event);
      return m !== undefined && core.establishedKind(context, m) === params.kind;
    },
    isOwnInvalidSpiFirst: ({ context, event }) => {
      const m = recv(event);
      return m !== undefined && core.isOwnInvalidSpi(context, m) && context.own.invalidSpiHints === 0;
    },
    isOwnInvalidSpiAgain: ({ context, event }) => {
      const m = recv(event);
      return m !== undefined && core.isOwnInvalidSpi(context, m);
    },
    isOwnResponse: ({ context, event }) => {
      const m = recv(event);
      return m !== undefined && core.isOwnResponse(context, m);
    },
    ownTriesLeft: ({ context }) => core.ownTriesLeft(context),
  },
});

/**
 * The message of a `net.recv` (every request runs an `onMessage` action: a type check that narrows, without the array
 * and closure xstate's assertEvent makes per call).
 */
function received(event: ResponderEvent): IkeMessage {
  if (event.type !== 'net.recv') throw new Error(`ike-r: expected net.recv, got ${event.type}`);
  return event.message;
}

/** An action applying what `f` computes from the received message (responder-core.ts). */
function onMessage(f: (c: Ctx, m: IkeMessage) => Out) {
  return base.enqueueActions(({ context, event, enqueue }) => {
    const out = f(context, received(event));
    if (out.ctx !== undefined) enqueue.assign(out.ctx);
    for (const e of out.emits) enqueue.emit(e);
  });
}
/**
 * As `onContext`, for the actions that read the provider's answer: the done event's output, as params (done events
 * are not in the machine's TEvent). The answer is not kept in the context: the response built from it goes out, and
 * its node keeps its bytes for a repeat (`net.resend`, RFC 7296 §2.1); an idle SA keeping the answer (a parsed DHCP
 * message and its payloads) would hold its content for the SA's life.
 */
function onAnswer<A>(f: (c: Ctx, answer: A) => Out) {
  type P = { readonly answer: A };
  return enqueueActions<Ctx, ResponderEvent, P, ResponderEvent, never, never, never, never, IkeEmitted>(
    ({ context, enqueue }, params) => {
      const out = f(context, params.answer);
      if (out.ctx !== undefined) enqueue.assign(out.ctx);
      for (const e of out.emits) enqueue.emit(e);
    },
  );
}
/** An action applying what `f` computes from the context alone. */
function onContext(f: (c: Ctx) => Out) {
  return base.enqueueActions(({ context, enqueue }) => {
    const out = f(context);
    if (out.ctx !== undefined) enqueue.assign(out.ctx);
    for (const e of out.emits) enqueue.emit(e);
  });
}

export const responderMachine = base
  .extend({
    actions: {
      respondInit: base.enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'ike.start');
        const out = core.initResponse(context, event.request);
        if (out.ctx !== undefined) enqueue.assign(out.ctx);
        for (const e of out.emits) enqueue.emit(e);
      }),
      halfOpenTimeout: onContext(core.halfOpenTimeout),
      deleteNow: base.enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'cmd.delete');
        const out = core.deleteNow(context, event.notifyPeer, event.reason);
        if (out.ctx !== undefined) enqueue.assign(out.ctx);
        for (const e of out.emits) enqueue.emit(e);
      }),
      resendCached: onMessage(core.cachedResponse),
      ignoreOutOfWindow: onMessage(core.outOfWindow),
      alreadyProcessing: onMessage(core.alreadyProcessing),
      ignoreResponse: onMessage((_c, m) => core.notOurRequest(m)),
      notIkeAuth: onMessage((_c, m) => core.notIkeAuth(m)),
      authFailed: onMessage(core.authFailed),
      duplicateRejected: onMessage(core.duplicateRejected),
      authenticated: onMessage(core.authenticated),
      nextRound: onMessage(core.nextRound),
      peerDeleted: onMessage(core.peerDeleted),
      invalidSyntax: onMessage(core.invalidSyntax),
      addressRefused: onAnswer<AddressAnswer>(core.addressRefused),
      addressMore: onAnswer<AddressAnswer>(core.addressMore),
      addressGiven: onAnswer<AddressAnswer>(core.addressGiven),
      addressFailed: onContext((c) => core.addressRefused(c, { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' })),
      addressTimeoutNote: onContext(core.addressTimeoutNote),
      addressTimeoutReply: onContext(core.addressTimeoutReply),
      /** The provider may stop working for this IKE SA (`AddressProvider.abandon`). */
      abandonProvider: base.sendTo(
        ({ context }) => context.input.provider,
        ({ context }) => ({ type: 'provider.abandon' as const, ikeSaId: context.input.ikeSaId }),
      ),
      ikeRekeyed: onMessage(core.ikeRekeyed),
      childBusy: onMessage(core.childBusy),
      childAsk: base.enqueueActions(({ event, enqueue }) => {
        assertEvent(event, 'net.recv');
        enqueue.assign(core.childAsk(event.message));
      }),
      childNow: onMessage(core.childNow),
      childAnswered: onAnswer<ChildAnswer>(core.childAnswered),
      childTimeoutNote: onContext(core.childTimeoutNote),
      childTimeoutReply: onContext(core.childTimeoutReply),
      rekeyedDelete: onMessage(core.rekeyedDelete),
      childDeleted: onMessage(core.childDeleted),
      livenessAnswer: onMessage(core.livenessAnswer),
      armLiveness: base.enqueueActions(({ context, enqueue }) => {
        if (core.livenessEveryMs(context) > 0)
          enqueue.raise({ type: 'timer.gwLiveness' }, { id: LIVENESS_TIMER, delay: 'livenessInterval' });
      }),
      cancelLiveness: base.enqueueActions(({ enqueue }) => enqueue.cancel(LIVENESS_TIMER)),
      sendLiveness: onContext(core.livenessRequest),
      ownRetransmit: onContext(core.ownRetransmit),
      ownGiveUp: onContext(core.ownGiveUp),
      ownAnswered: assign({ own: ({ context }) => core.ownAnswered(context) }),
      ownInvalidSpiResend: onMessage(core.ownInvalidSpiResend),
      ownInvalidSpiConfirmed: onMessage(core.ownInvalidSpiConfirmed),
      unhandled: base.emit(({ event, self }) => unhandledNote('ike-r', self.getSnapshot().value, event.type)),
    },
  })
  .createMachine({
    id: 'ike-r',
    context: ({ input }) => core.initialContext(input),
    initial: 'start',
    on: {
      'cmd.delete': { target: '.closed', actions: 'deleteNow' },
      '*': { actions: 'unhandled' },
    },
    states: {
      start: { on: { 'ike.start': { target: 'initDone', actions: 'respondInit' } } },
      /** IKE_SA_INIT answered; the peer's IKE_AUTH is due (half-open until it comes). */
      initDone: {
        after: { halfOpen: { guard: 'halfOpenOn', target: 'closed', actions: 'halfOpenTimeout' } },
        on: {
          'net.recv': [
            { guard: 'isResponse', actions: 'ignoreResponse' },
            { guard: 'isCachedRepeat', actions: 'resendCached' },
            { guard: 'isOutOfWindow', actions: 'ignoreOutOfWindow' },
            { guard: { type: 'authIs', params: { verdict: 'notAuth' } }, actions: 'notIkeAuth' },
            { guard: { type: 'authIs', params: { verdict: 'failed' } }, target: 'closed', actions: 'authFailed' },
            {
              guard: { type: 'authIs', params: { verdict: 'duplicate' } },
              target: 'closed',
              actions: 'duplicateRejected',
            },
            { target: 'waitingAddress', actions: 'authenticated' },
          ],
        },
      },
      /** The provider works on this IKE_AUTH round; a repeat of it follows `busyRepeat`. */
      waitingAddress: {
        invoke: {
          id: 'address',
          src: 'addressProvider',
          input: ({ context }) => ({ provider: context.input.provider, req: core.addressRequest(context) }),
          onDone: [
            {
              guard: { type: 'answerIs', params: ({ event }) => ({ answer: event.output, kind: 'refused' as const }) },
              target: 'established',
              actions: { type: 'addressRefused', params: ({ event }) => ({ answer: event.output }) },
            },
            {
              guard: { type: 'answerIs', params: ({ event }) => ({ answer: event.output, kind: 'more' as const }) },
              target: 'authRound',
              actions: { type: 'addressMore', params: ({ event }) => ({ answer: event.output }) },
            },
            {
              target: 'established',
              actions: { type: 'addressGiven', params: ({ event }) => ({ answer: event.output }) },
            },
          ],
          onError: { target: 'established', actions: 'addressFailed' },
        },
        after: {
          addressTimeout: {
            target: 'established',
            actions: ['addressTimeoutNote', 'abandonProvider', 'addressTimeoutReply'],
          },
        },
        on: {
          'net.recv': [
            { guard: 'isResponse', actions: 'ignoreResponse' },
            { guard: 'isCachedRepeat', actions: 'resendCached' },
            { guard: 'isOutOfWindow', actions: 'ignoreOutOfWindow' },
            { actions: 'alreadyProcessing' },
          ],
        },
      },
      /** Between IKE_AUTH rounds (draft-ietf-ipsec-dhcp-over-ike-00 §3): the peer may also delete the SA. */
      authRound: {
        after: { halfOpen: { guard: 'halfOpenOn', target: 'closed', actions: 'halfOpenTimeout' } },
        on: {
          'net.recv': [
            { guard: 'isResponse', actions: 'ignoreResponse' },
            { guard: 'isCachedRepeat', actions: 'resendCached' },
            { guard: 'isOutOfWindow', actions: 'ignoreOutOfWindow' },
            { guard: 'isIkeDelete', target: 'closed', actions: 'peerDeleted' },
            { guard: 'isNotIkeAuth', actions: 'invalidSyntax' },
            { target: 'waitingAddress', actions: 'nextRound' },
          ],
        },
      },
      established: {
        type: 'parallel',
        entry: 'armLiveness',
        exit: 'cancelLiveness',
        states: {
          /** The peer's requests (RFC 7296 §1.3–1.4). */
          peer: {
            initial: 'idle',
            states: {
              idle: {
                on: {
                  'net.recv': [
                    { guard: 'isResponse' }, // ours: the `own` region reads it
                    { guard: 'isCachedRepeat', actions: 'resendCached' },
                    { guard: 'isOutOfWindow', actions: 'ignoreOutOfWindow' },
                    { guard: { type: 'kindIs', params: { kind: 'ikeRekey' } }, actions: 'ikeRekeyed' },
                    { guard: { type: 'kindIs', params: { kind: 'childBusy' } }, actions: 'childBusy' },
                    {
                      guard: { type: 'kindIs', params: { kind: 'childAsk' } },
                      target: 'waitingChild',
                      actions: 'childAsk',
                    },
                    { guard: { type: 'kindIs', params: { kind: 'child' } }, actions: 'childNow' },
                    { guard: { type: 'kindIs', params: { kind: 'invalidSyntax' } }, actions: 'invalidSyntax' },
                    {
                      // The rekeyed IKE SA goes on with fresh message IDs both ways: our outstanding request is void.
                      guard: { type: 'kindIs', params: { kind: 'rekeyedDelete' } },
                      target: ['#ike-r.established.peer.idle', '#ike-r.established.own.idle'],
                      actions: 'rekeyedDelete',
                    },
                    {
                      guard: { type: 'kindIs', params: { kind: 'delete' } },
                      target: '#ike-r.closed',
                      actions: 'peerDeleted',
                    },
                    { guard: { type: 'kindIs', params: { kind: 'childDelete' } }, actions: 'childDeleted' },
                    { actions: 'livenessAnswer' },
                  ],
                },
              },
              /** A CREATE_CHILD_SA waits for the provider (draft-richardson §2: the DHCP(ACK) rides in the response). */
              waitingChild: {
                invoke: {
                  id: 'child',
                  src: 'childProvider',
                  input: ({ context }) => ({ provider: context.input.provider, req: core.childRequest(context) }),
                  onDone: {
                    target: 'idle',
                    actions: { type: 'childAnswered', params: ({ event }) => ({ answer: event.output }) },
                  },
                  onError: { target: 'idle', actions: 'childTimeoutReply' },
                },
                after: {
                  addressTimeout: {
                    target: 'idle',
                    actions: ['childTimeoutNote', 'abandonProvider', 'childTimeoutReply'],
                  },
                },
                on: {
                  'net.recv': [
                    { guard: 'isResponse' },
                    { guard: 'isCachedRepeat', actions: 'resendCached' },
                    { guard: 'isOutOfWindow', actions: 'ignoreOutOfWindow' },
                    { actions: 'alreadyProcessing' },
                  ],
                },
              },
            },
          },
          /** Our own requests: liveness (RFC 7296 §2.4), one at a time (window 1, §2.3). */
          own: {
            initial: 'idle',
            states: {
              idle: {
                on: {
                  'timer.gwLiveness': { target: 'waiting', actions: ['sendLiveness', 'armLiveness'] },
                  'net.recv': { guard: 'isResponse', actions: 'ignoreResponse' },
                },
              },
              waiting: {
                after: {
                  ownRetransmitWait: [
                    { guard: 'ownTriesLeft', target: 'waiting', reenter: true, actions: 'ownRetransmit' },
                    { target: '#ike-r.closed', actions: 'ownGiveUp' },
                  ],
                },
                on: {
                  // The previous check is still out: skip this one, keep the rhythm.
                  'timer.gwLiveness': { actions: 'armLiveness' },
                  'net.recv': [
                    { guard: 'isOwnInvalidSpiFirst', actions: 'ownInvalidSpiResend' },
                    { guard: 'isOwnInvalidSpiAgain', target: '#ike-r.closed', actions: 'ownInvalidSpiConfirmed' },
                    { guard: 'isOwnResponse', target: 'idle', actions: 'ownAnswered' },
                    { guard: 'isResponse', actions: 'ignoreResponse' },
                  ],
                },
              },
            },
          },
        },
      },
      closed: { type: 'final' },
    },
  });

/**
 * The responder's phase as the `ike:<SPI>` state trace shows it: the top-level state, and `waitingChild` while the
 * peer region waits for the provider (the `own` region's liveness exchanges are traced as notes and packets instead).
 */
export function responderPhase(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'established' in value) {
    const regions = value.established;
    const peer = regions !== null && typeof regions === 'object' && 'peer' in regions ? regions.peer : undefined;
    return peer === 'waitingChild' ? 'waitingChild' : 'established';
  }
  return '';
}
