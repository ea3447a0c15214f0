/**
 * The IKE initiator's hooks (`ClientMethodTasks`) over the carrier machine: each hook sends its event and
 * `carrier.settle`, then reads the machine's `answer` (the machine decides; nothing here does).
 */
import { createActor, type Actor } from 'xstate';
import type { IkeMessage, IkePayload } from '../../wire/ike/index.ts';
import type { AssignedConfig } from '../../ike/tasks/ike-config.ts';
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

const SETTLE: CarrierEvent = { type: 'carrier.settle' };
const CLOSED: CarrierEvent = { type: 'ike.closed' };
const AUTH_REQUEST: CarrierEvent = { type: 'ike.authRequest' };

export function carrierTasks(
  ctx: ClientMethodContext,
  options: CarrierClientOptions,
  variant: CarrierVariant,
  slot: string,
): ClientMethodTasks {
  const actor = createActor(dhcpCarrierMachine, {
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
  return new CarrierTasks(actor, variant === 'wg', variant === 'wg' && options.policy.wgPayloadOrder === 'draft');
}

type CarrierActor = Actor<typeof dhcpCarrierMachine>;

/** The hooks as one object per client, operations on the prototype (not a closure per hook per client). */
class CarrierTasks implements ClientMethodTasks {
  constructor(
    private readonly actor: CarrierActor,
    readonly childInAuth: boolean,
    readonly authPayloadsAfterChild: boolean,
  ) {}

  private ask(e: CarrierEvent): CarrierAnswer {
    this.actor.send(e);
    this.actor.send(SETTLE);
    return this.actor.getSnapshot().context.answer;
  }

  authRequestPayloads(): IkePayload[] {
    const a = this.ask(AUTH_REQUEST);
    return a.kind === 'payloads' ? [...a.payloads] : [];
  }

  processAuthResponse(resp: IkeMessage, errors: readonly string[]): ClientAuthOutcome {
    const a = this.ask({ type: 'ike.authResponse', messages: dhcpMessagesIn(resp), errors });
    return a.kind === 'auth' ? a.outcome : { kind: 'failed', notify: 'INTERNAL_ADDRESS_FAILURE' };
  }

  onIkeUp(config: AssignedConfig | undefined): void {
    this.actor.send({ type: 'ike.up', config });
  }

  childRequestPayloads(info: ChildExchangeInfo): readonly IkePayload[] {
    const a = this.ask({ type: 'ike.childRequest', info });
    return a.kind === 'payloads' ? a.payloads : [];
  }

  processChildResponse(info: ChildExchangeInfo, resp: IkeMessage, errors: readonly string[]): ClientChildOutcome {
    const a = this.ask({ type: 'ike.childResponse', info, messages: dhcpMessagesIn(resp), errors });
    return a.kind === 'child' ? a.outcome : { kind: 'reject', reason: errors[0] ?? 'no DHCPACK' };
  }

  onIkeClosed(): void {
    this.actor.send(CLOSED);
  }

  stop(): void {
    this.actor.stop();
  }
}
