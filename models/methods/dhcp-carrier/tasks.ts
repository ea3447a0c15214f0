/**
 * The IKE initiator's hooks (`ClientMethodTasks`) over the carrier machine: each hook sends its event and
 * `carrier.settle`, then reads the machine's `answer` (the machine decides; nothing here does).
 */
import type { IkeMessage } from '../../wire/ike/index.ts';
import { dhcpMessagesIn } from '../gateway-relay/messages.ts';
import type {
  ChildExchangeInfo,
  ClientAuthOutcome,
  ClientChildOutcome,
  ClientMethodContext,
  ClientMethodTasks,
} from '../method.ts';
import {
  CARRIER_MACHINE,
  dhcpCarrierMachine,
  type CarrierAnswer,
  type CarrierEvent,
  type CarrierVariant,
} from './carrier-machine.ts';
import { carrierIdentity, type CarrierClientOptions } from './options.ts';
import { labActor } from '../../../sim/statechart/runtime-choice.ts';

const SETTLE: CarrierEvent = { type: 'carrier.settle' };
const CLOSED: CarrierEvent = { type: 'ike.closed' };
const AUTH_REQUEST: CarrierEvent = { type: 'ike.authRequest' };

export function carrierTasks(
  ctx: ClientMethodContext,
  options: CarrierClientOptions,
  variant: CarrierVariant,
  slot: string,
): ClientMethodTasks {
  const actor = labActor(dhcpCarrierMachine, {
    clock: ctx.clock,
    input: {
      ctx,
      variant,
      slot,
      policy: options.policy,
      identity: carrierIdentity(options, ctx.outerAddress),
      clientName: options.clientName ?? ctx.outerAddress,
      rememberedAddress: options.rememberedAddress ?? null,
    },
  });
  actor.on('method.requestChild', (e) => ctx.requestChild(e.request));
  actor.on('method.scheduleRekey', (e) => ctx.scheduleChildRekey(e.slot, e.delayMs));
  actor.on('method.deleteChild', (e) => ctx.deleteChild(e.slot));
  actor.on('method.continueAuth', (e) => ctx.continueAuth(e.payloads));
  ctx.traceMachine(actor, CARRIER_MACHINE);
  actor.start();
  const ask = (e: CarrierEvent): CarrierAnswer => {
    actor.send(e);
    actor.send(SETTLE);
    return actor.getSnapshot().context.answer;
  };
  const auth = (a: CarrierAnswer): ClientAuthOutcome =>
    a.kind === 'auth' ? a.outcome : { kind: 'failed', notify: 'INTERNAL_ADDRESS_FAILURE' };
  const child = (a: CarrierAnswer, errors: readonly string[]): ClientChildOutcome =>
    a.kind === 'child' ? a.outcome : { kind: 'reject', reason: errors[0] ?? 'no DHCPACK' };
  return {
    childInAuth: variant === 'wg',
    authPayloadsAfterChild: variant === 'wg' && options.policy.wgPayloadOrder === 'draft',
    authRequestPayloads() {
      const a = ask(AUTH_REQUEST);
      return a.kind === 'payloads' ? [...a.payloads] : [];
    },
    processAuthResponse: (resp: IkeMessage, errors: readonly string[]) =>
      auth(ask({ type: 'ike.authResponse', messages: dhcpMessagesIn(resp), errors })),
    onIkeUp: (config) => actor.send({ type: 'ike.up', config }),
    childRequestPayloads(info: ChildExchangeInfo) {
      const a = ask({ type: 'ike.childRequest', info });
      return a.kind === 'payloads' ? a.payloads : [];
    },
    processChildResponse: (info, resp, errors) =>
      child(ask({ type: 'ike.childResponse', info, messages: dhcpMessagesIn(resp), errors }), errors),
    onIkeClosed: () => actor.send(CLOSED),
    stop: () => actor.stop(),
  };
}
