/**
 * The IKE SA initiator (client side) as an xstate machine. States: idle → initSent → authSent → established
 * {ready, busy} → deleting → closed. Inputs: `cmd.connect`, `cmd.disconnect`, `net.recv`, `timer.*`; outputs:
 * emitted `net.send` and `ike.*` events. Timers are delayed raises with explicit ids on the injected clock.
 */
import { emit, enqueueActions, setup } from 'xstate';
import type { ChildRequest } from './hooks.ts';
import type { IkeMessage } from '../wire/ike/index.ts';
import { applyStep, type EnqueueLike } from './apply-step.ts';
import * as core from './initiator-core.ts';
import type { InitiatorContext, InitiatorInput } from './initiator-core.ts';
import type { IkeEmitted, Step } from './steps.ts';
import { unhandledNote } from './unhandled.ts';

export type InitiatorEvent =
  | { readonly type: 'cmd.connect' }
  | { readonly type: 'cmd.disconnect' }
  | { readonly type: 'net.recv'; readonly message: IkeMessage }
  | { readonly type: 'timer.retransmit' | 'timer.ikeRekey' | 'timer.liveness' }
  /** A Child SA's rekey is due; `slot` absent = the IKE_AUTH child. */
  | { readonly type: 'timer.childRekey'; readonly slot?: string }
  /** Method requests (ClientMethodContext): a new Child SA or a rekey, a rekey time, a delete. */
  | { readonly type: 'cmd.child'; readonly request: ChildRequest }
  | { readonly type: 'cmd.childRekeyAt'; readonly slot: string; readonly delayMs: number }
  | { readonly type: 'cmd.childDelete'; readonly slot: string }
  | { readonly type: `go.${string}` };

type Ctx = InitiatorContext;

type Handler = (c: Ctx, e: InitiatorEvent) => Step<Ctx>;
/** The single action: run a handler and apply its step. */
const run = (h: Handler) => ({ type: 'run' as const, params: { h } });

const msg = (e: InitiatorEvent): IkeMessage => (e as { message: IkeMessage }).message;
const isResponse = ({ event }: { event: InitiatorEvent }): boolean => msg(event).response;
/** An unprotected INVALID_IKE_SPI about our SA and outstanding request (RFC 7296 §2.21.4). */
const isInvalidSpi = ({ context, event }: { context: Ctx; event: InitiatorEvent }): boolean =>
  core.isInvalidSpiHint(context, msg(event));
const invalidSpiHint = (deleting: boolean) => ({
  guard: isInvalidSpi,
  actions: run((c, e) => core.invalidSpiHint(c, msg(e), deleting)),
});
const slotOf = (e: InitiatorEvent): string => (e as { slot?: string }).slot ?? core.MAIN_SLOT;
const childReq = (e: InitiatorEvent): ChildRequest => (e as { request: ChildRequest }).request;
const rekeyAt = (e: InitiatorEvent): number => (e as { delayMs: number }).delayMs;

/** Handlers shared by `ready` (busy = false) and `busy` (busy = true). */
function establishedOn(busy: boolean) {
  return {
    'net.recv': [
      invalidSpiHint(false),
      { guard: isResponse, actions: run((c, e) => core.exchangeResponse(c, msg(e))) },
      { actions: run((c, e) => core.peerRequest(c, msg(e))) },
    ],
    'timer.childRekey': {
      actions: run((c, e) => core.want(c, { kind: 'child-rekey', slot: slotOf(e), byMethod: false }, busy)),
    },
    'timer.ikeRekey': { actions: run((c) => core.want(c, { kind: 'ike-rekey' }, busy)) },
    'timer.liveness': { actions: run((c) => core.livenessTimer(c, busy)) },
    'cmd.disconnect': { actions: run((c) => core.disconnect(c, busy)) },
    'cmd.child': { actions: run((c, e) => core.want(c, core.childItem(c, childReq(e)), busy)) },
    'cmd.childDelete': { actions: run((c, e) => core.want(c, { kind: 'child-delete', slot: slotOf(e) }, busy)) },
  };
}

/** Before the IKE SA is up, method requests wait in the queue. */
const early = { 'cmd.child': { actions: run((c, e) => core.queueEarly(c, core.childItem(c, childReq(e)))) } };

export const initiatorMachine = setup({
  types: {
    context: {} as Ctx,
    input: {} as InitiatorInput,
    events: {} as InitiatorEvent,
    emitted: {} as IkeEmitted,
  },
  actions: {
    run: enqueueActions(({ context, event, enqueue }, params: { h: Handler }) => {
      applyStep(enqueue as unknown as EnqueueLike<Ctx>, params.h(context, event));
    }),
    unhandled: emit(({ event, self }) => unhandledNote('ike-i', self.getSnapshot().value, event.type)),
  },
}).createMachine({
  id: 'ike-i',
  context: ({ input }) => core.initialContext(input),
  initial: 'idle',
  on: {
    'timer.retransmit': { actions: run((c) => core.retransmit(c)) },
    'go.closed': '.closed',
    '*': { actions: 'unhandled' },
  },
  states: {
    idle: {
      on: {
        'cmd.connect': { actions: run((c) => core.connect(c)) },
        'cmd.disconnect': { actions: run((c) => core.closeNow(c)) },
        'go.initSent': 'initSent',
        ...early,
      },
    },
    initSent: {
      on: {
        'net.recv': { actions: run((c, e) => core.initResponse(c, msg(e))) },
        'go.initSent': { target: 'initSent', reenter: true },
        'go.authSent': 'authSent',
        ...early,
        'cmd.disconnect': { actions: run((c) => core.closeNow(c)) },
      },
    },
    authSent: {
      on: {
        'net.recv': [invalidSpiHint(false), { actions: run((c, e) => core.authResponse(c, msg(e))) }],
        'cmd.disconnect': { actions: run((c) => core.disconnectAfterAuth(c)) },
        'go.authSent': { target: 'authSent', reenter: true },
        'go.established': 'established',
        'go.ready': 'established.ready',
        'go.busy': 'established.busy',
        'go.deleting': 'deleting',
        ...early,
      },
    },
    established: {
      initial: 'ready',
      on: {
        'go.ready': '.ready',
        'go.busy': '.busy',
        'go.deleting': 'deleting',
        'cmd.childRekeyAt': { actions: run((c, e) => core.scheduleRekey(c, slotOf(e), rekeyAt(e))) },
      },
      states: {
        ready: { on: establishedOn(false) },
        busy: { on: establishedOn(true) },
      },
    },
    deleting: {
      on: {
        'net.recv': [
          invalidSpiHint(true),
          { guard: isResponse, actions: run((c, e) => core.deleteResponse(c, msg(e))) },
          // The IKE SA lives until our Delete is answered: the peer's requests are still answered (RFC 7296 §1.4.1).
          { actions: run((c, e) => core.peerRequest(c, msg(e), c.closeReason || 'disconnect')) },
        ],
        // Already deleting: the disconnect is under way.
        'cmd.disconnect': { actions: run(() => ({})) },
        // No new exchange on an IKE SA being deleted (RFC 7296 §1.4.1): the method's Child SA requests lapse with it,
        // and it hears of the close (onIkeClosed) instead of an answer.
        'cmd.child': { actions: run(() => ({})) },
        'cmd.childRekeyAt': { actions: run(() => ({})) },
        'cmd.childDelete': { actions: run(() => ({})) },
      },
    },
    closed: { type: 'final' },
  },
});
