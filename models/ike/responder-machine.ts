/**
 * The IKE SA responder (one per client IKE SA at the gateway) as an xstate machine: start → initDone →
 * waitingAddress ⇄ authRound → established ⇄ waitingChild → closed. While waiting for the provider it never
 * blocks: it sits in `waitingAddress` (an IKE_AUTH round) or `waitingChild` (a CREATE_CHILD_SA) until the answer or
 * `timer.addressTimeout` (INTERNAL_ADDRESS_FAILURE). Its own liveness requests (`timer.gwLiveness`) run beside.
 */
import { enqueueActions, setup } from 'xstate';
import type { AddressAnswer, ChildAnswer } from '../methods/method.ts';
import type { IkeMessage } from '../wire/ike/index.ts';
import { applyStep, type EnqueueLike } from './apply-step.ts';
import * as core from './responder-core.ts';
import type { ResponderContext, ResponderInput } from './responder-core.ts';
import type { IkeEmitted, Step } from './steps.ts';

export type ResponderEvent =
  | { readonly type: 'ike.start' }
  | { readonly type: 'net.recv'; readonly message: IkeMessage }
  | { readonly type: 'provider.answer'; readonly answer: AddressAnswer }
  | { readonly type: 'provider.childAnswer'; readonly answer: ChildAnswer }
  | { readonly type: 'timer.addressTimeout' | 'timer.gwLiveness' | 'timer.ownRetransmit' }
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
  },
  states: {
    start: { on: { 'ike.start': { actions: run((c) => core.start(c)) }, 'go.initDone': 'initDone' } },
    initDone: { on: { 'net.recv': { actions: run((c, e) => core.authRequest(c, msg(e))) } } },
    waitingAddress: {
      on: {
        'net.recv': { actions: run((c, e) => core.busyRequest(c, msg(e))) },
        'provider.answer': { actions: run((c, e) => core.addressAnswer(c, (e as { answer: AddressAnswer }).answer)) },
        'timer.addressTimeout': { actions: run((c) => core.addressTimeout(c)) },
      },
    },
    /** Between IKE_AUTH rounds (draft-ietf-ipsec-dhcp-over-ike-00 §3). */
    authRound: { on: { 'net.recv': { actions: run((c, e) => core.nextAuthRound(c, msg(e))) } } },
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
