/**
 * The IKE SA responder (one per client IKE SA at the gateway) as an xstate machine: start → initDone →
 * waitingAddress ⇄ authRound → established ⇄ waitingChild → closed. While waiting for the provider it never
 * blocks: it sits in `waitingAddress` (an IKE_AUTH round) or `waitingChild` (a CREATE_CHILD_SA) until the answer or
 * `timer.addressTimeout` (INTERNAL_ADDRESS_FAILURE). Its own liveness requests (`timer.gwLiveness`) run beside.
 * While it waits for the peer's next IKE_AUTH (initDone, authRound) `timer.halfOpen` removes a half-open SA;
 * `cmd.delete` (the gateway replacing it) closes it from any state; unhandled events are traced (unhandled.ts).
 */
import { emit, enqueueActions, setup } from 'xstate';
import type { AddressAnswer, ChildAnswer } from './hooks.ts';
import type { IkeMessage } from '../wire/ike/index.ts';
import { applyStep, type EnqueueLike } from './apply-step.ts';
import * as core from './responder-core.ts';
import type { ResponderContext, ResponderInput } from './responder-core.ts';
import type { IkeEmitted, Step } from './steps.ts';
import { unhandledNote } from './unhandled.ts';

export type ResponderEvent =
  | { readonly type: 'ike.start' }
  | { readonly type: 'net.recv'; readonly message: IkeMessage }
  | { readonly type: 'provider.answer'; readonly answer: AddressAnswer }
  | { readonly type: 'provider.childAnswer'; readonly answer: ChildAnswer }
  | { readonly type: 'timer.addressTimeout' | 'timer.gwLiveness' | 'timer.ownRetransmit' | 'timer.halfOpen' }
  /** The gateway deletes this IKE SA (replaced by another of the same identity), with or without a Delete to it. */
  | { readonly type: 'cmd.delete'; readonly notifyPeer: boolean; readonly reason: string }
  | { readonly type: `go.${string}` };

type Ctx = ResponderContext;
type Handler = (c: Ctx, e: ResponderEvent) => Step<Ctx>;
const run = (h: Handler) => ({ type: 'run' as const, params: { h } });
const msg = (e: ResponderEvent): IkeMessage => (e as { message: IkeMessage }).message;

export const responderMachine = setup({
  types: { context: {} as Ctx, input: {} as ResponderInput, events: {} as ResponderEvent, emitted: {} as IkeEmitted },
  actions: {
    run: enqueueActions(({ context, event, enqueue }, params: { h: Handler }) => {
      applyStep(enqueue as unknown as EnqueueLike<Ctx>, params.h(context, event));
    }),
    unhandled: emit(({ event, self }) => unhandledNote('ike-r', self.getSnapshot().value, event.type)),
  },
}).createMachine({
  id: 'ike-r',
  context: ({ input }) => core.initialContext(input),
  initial: 'start',
  on: {
    'go.closed': '.closed',
    'go.established': '.established',
    'go.authRound': '.authRound',
    'go.waitingAddress': '.waitingAddress',
    'go.waitingChild': '.waitingChild',
    'timer.gwLiveness': { actions: run((c) => core.livenessTimer(c)) },
    'timer.ownRetransmit': { actions: run((c) => core.ownRetransmit(c)) },
    'cmd.delete': {
      actions: run((c, e) => {
        const d = e as { notifyPeer: boolean; reason: string };
        return core.deleteNow(c, d.notifyPeer, d.reason);
      }),
    },
    '*': { actions: 'unhandled' },
  },
  states: {
    start: { on: { 'ike.start': { actions: run((c) => core.start(c)) }, 'go.initDone': 'initDone' } },
    initDone: {
      on: {
        'net.recv': { actions: run((c, e) => core.authRequest(c, msg(e))) },
        'timer.halfOpen': { actions: run((c) => core.halfOpenTimeout(c)) },
      },
    },
    waitingAddress: {
      on: {
        'net.recv': { actions: run((c, e) => core.busyRequest(c, msg(e))) },
        'provider.answer': { actions: run((c, e) => core.addressAnswer(c, (e as { answer: AddressAnswer }).answer)) },
        'timer.addressTimeout': { actions: run((c) => core.addressTimeout(c)) },
      },
    },
    /** Between IKE_AUTH rounds (draft-ietf-ipsec-dhcp-over-ike-00 §3). */
    authRound: {
      on: {
        'net.recv': { actions: run((c, e) => core.nextAuthRound(c, msg(e))) },
        'timer.halfOpen': { actions: run((c) => core.halfOpenTimeout(c)) },
      },
    },
    established: { on: { 'net.recv': { actions: run((c, e) => core.establishedRequest(c, msg(e))) } } },
    /** A CREATE_CHILD_SA waits for the provider (draft-richardson §2: the DHCP(ACK) rides in the response). */
    waitingChild: {
      on: {
        'net.recv': { actions: run((c, e) => core.busyRequest(c, msg(e))) },
        'provider.childAnswer': {
          actions: run((c, e) => core.childAnswer(c, (e as { answer: ChildAnswer }).answer)),
        },
        'timer.addressTimeout': { actions: run((c) => core.childTimeout(c)) },
      },
    },
    closed: { type: 'final' },
  },
});
