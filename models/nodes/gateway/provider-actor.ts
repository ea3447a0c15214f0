/**
 * The method's gateway side as an actor: it adapts the `AddressProvider` plugin interface (models/methods/method.ts,
 * unchanged) into events. Responders' ask actors send `provider.address` / `provider.child` with a `replyTo` and get
 * `provider.answer` / `provider.childAnswer` back (now or later, as the method answers); `provider.abandon` follows an
 * address timeout. The gateway sends `provider.release` when an IKE SA is gone and `provider.reset` on a crash.
 */
import { fromTransition } from 'xstate';
import type { ProviderEvent, ProviderReplyTo } from '../../ike/hooks.ts';
import type { AddressProvider } from '../../methods/method.ts';

export type GatewayProviderEvent =
  | ProviderEvent
  /** The IKE SA is gone (see `AddressProvider.release`). */
  | {
      readonly type: 'provider.release';
      readonly ikeSaId: string;
      readonly peerId: string;
      readonly peerMayHold: boolean;
    }
  /** The gateway crashed: volatile state is lost. */
  | { readonly type: 'provider.reset' };

export interface ProviderActorInput {
  readonly provider: AddressProvider;
  /**
   * The provider gave `ikeSaId` this address (told before the responder hears the answer, so the gateway can trace
   * `address.overlap` first, as it always did).
   */
  readonly assigned: (ikeSaId: string, address: string | undefined) => void;
}

/** A stopped ask (its responder left the waiting state: timeout, delete) no longer takes answers. */
const listening = (replyTo: ProviderReplyTo): boolean => replyTo.getSnapshot().status === 'active';

/**
 * The actor's logic: it has no state of its own (the plugin keeps it), so it is a transition function that hands each
 * event to the plugin. Not a machine with actions on purpose: the plugin drives its own actors (relay sessions, DHCP
 * proxy) synchronously, which must not happen inside another machine's custom action; the plugin's callbacks answer
 * from outside any transition (now or later), straight to the asking actor.
 */
export const providerActor = fromTransition(
  (input: ProviderActorInput, e: GatewayProviderEvent): ProviderActorInput => {
    const { provider, assigned } = input;
    switch (e.type) {
      case 'provider.address': {
        const { req, replyTo } = e;
        provider.request(req, (answer) => {
          if (!listening(replyTo)) return;
          if (answer.ok && answer.more !== true) assigned(req.ikeSaId, answer.config?.address);
          replyTo.send({ type: 'provider.answer', answer });
        });
        break;
      }
      case 'provider.child': {
        const { req, replyTo } = e;
        // Without `childRequest` the responder never asks (ResponderInput.providerChildren).
        provider.childRequest?.(req, (answer) => {
          if (!listening(replyTo)) return;
          if (answer.ok) assigned(req.ikeSaId, answer.config?.address);
          replyTo.send({ type: 'provider.childAnswer', answer });
        });
        break;
      }
      case 'provider.abandon':
        provider.abandon?.(e.ikeSaId);
        break;
      case 'provider.release':
        provider.release(e.ikeSaId, e.peerId, e.peerMayHold);
        break;
      case 'provider.reset':
        provider.reset();
        break;
    }
    return input;
  },
  ({ input }: { input: ProviderActorInput }) => input,
);
