/**
 * The IKE initiator's hooks (`ClientMethodTasks`) over the carrier machine: each hook sends its event and
 * `carrier.settle`, then reads the machine's `answer` (the machine decides; nothing here does).
 */
import type { Actor } from 'xstate';
import type { IkeMessage, IkePayload } from '../../wire/ike/index.ts';
import { dhcpMessagesIn } from '../gateway-relay/messages.ts';
import type {
  AssignedConfig,
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
  type CarrierEmitted,
  type CarrierEvent,
  type CarrierVariant,
} from './carrier-machine.ts';
import { LazyStream } from './lazy-stream.ts';
import { carrierIdentity, type CarrierClientOptions } from './options.ts';
import { labActor } from '../../../sim/statechart/runtime-choice.ts';

const SETTLE: CarrierEvent = { type: 'carrier.settle' };
const CLOSED: CarrierEvent = { type: 'ike.closed' };
const AUTH_REQUEST: CarrierEvent = { type: 'ike.authRequest' };

type CarrierActor = Actor<typeof dhcpCarrierMachine>;

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
      rng: ctx.rng('dhcp'),
      // Forked on its first draw (lazy-stream.ts): most carriers never draw jitter.
      jitterRng: new LazyStream(ctx, 'dhcp-jitter'),
    },
  });
  // One listener function for the four emitted requests of every carrier (each names its context).
  actor.on('*', toContext);
  ctx.traceMachine(actor, CARRIER_MACHINE);
  actor.start();
  return new CarrierTasks(actor, variant === 'wg', variant === 'wg' && options.policy.wgPayloadOrder === 'draft');
}

/**
 * The hooks as one object whose methods sit on the prototype: the tasks live as long as the client, and seven
 * closures over the actor (plus their shared scope) were ~450 B per client; an instance is its three fields.
 */
class CarrierTasks implements ClientMethodTasks {
  constructor(
    private readonly actor: CarrierActor,
    readonly childInAuth: boolean,
    readonly authPayloadsAfterChild: boolean,
  ) {}

  authRequestPayloads(): IkePayload[] {
    const a = ask(this.actor, AUTH_REQUEST);
    return a.kind === 'payloads' ? [...a.payloads] : [];
  }

  processAuthResponse(resp: IkeMessage, errors: readonly string[]): ClientAuthOutcome {
    return authOutcome(ask(this.actor, { type: 'ike.authResponse', messages: dhcpMessagesIn(resp), errors }));
  }

  onIkeUp(config: AssignedConfig | undefined): void {
    this.actor.send({ type: 'ike.up', config });
  }

  childRequestPayloads(info: ChildExchangeInfo): readonly IkePayload[] {
    const a = ask(this.actor, { type: 'ike.childRequest', info });
    return a.kind === 'payloads' ? a.payloads : [];
  }

  processChildResponse(info: ChildExchangeInfo, resp: IkeMessage, errors: readonly string[]): ClientChildOutcome {
    return childOutcome(
      ask(this.actor, { type: 'ike.childResponse', info, messages: dhcpMessagesIn(resp), errors }),
      errors,
    );
  }

  onIkeClosed(): void {
    this.actor.send(CLOSED);
  }

  stop(): void {
    this.actor.stop();
  }
}

/** What the machine asks of the IKE side (CarrierEmitted), done through the method context. */
function toContext(e: CarrierEmitted): void {
  switch (e.type) {
    case 'method.requestChild':
      e.ctx.requestChild(e.request);
      return;
    case 'method.scheduleRekey':
      e.ctx.scheduleChildRekey(e.slot, e.delayMs);
      return;
    case 'method.deleteChild':
      e.ctx.deleteChild(e.slot);
      return;
    case 'method.continueAuth':
      e.ctx.continueAuth(e.payloads);
      return;
  }
}

/** A hook's event, then `carrier.settle`; the machine's `answer`. */
function ask(actor: CarrierActor, e: CarrierEvent): CarrierAnswer {
  actor.send(e);
  actor.send(SETTLE);
  return actor.getSnapshot().context.answer;
}

function authOutcome(a: CarrierAnswer): ClientAuthOutcome {
  return a.kind === 'configured' || a.kind === 'failed' || a.kind === 'more' || a.kind === 'hold'
    ? a
    : { kind: 'failed', notify: 'INTERNAL_ADDRESS_FAILURE' };
}

function childOutcome(a: CarrierAnswer, errors: readonly string[]): ClientChildOutcome {
  return a.kind === 'accept' || a.kind === 'reject' ? a : { kind: 'reject', reason: errors[0] ?? 'no DHCPACK' };
}
