/**
 * A provider actor for tests of the responder alone (the gateway's is models/nodes/gateway/provider-actor.ts): it
 * hands each `provider.address` / `provider.child` to the test's function with a `reply` that answers the asking
 * actor (only while it still listens, as the gateway's does).
 */
import { createActor, fromCallback, type Actor } from 'xstate';
import type {
  AddressAnswer,
  AddressRequest,
  ChildAnswer,
  ChildProviderRequest,
  ProviderEvent,
} from '../../models/ike/hooks.ts';

export interface StubProviderHandlers {
  address(req: AddressRequest, reply: (a: AddressAnswer) => void): void;
  child?(req: ChildProviderRequest, reply: (a: ChildAnswer) => void): void;
  abandon?(ikeSaId: string): void;
}

const stubLogic = fromCallback<ProviderEvent, StubProviderHandlers>(({ input, receive }) => {
  receive((e) => {
    if (e.type === 'provider.abandon') {
      input.abandon?.(e.ikeSaId);
      return;
    }
    const live = (): boolean => e.replyTo.getSnapshot().status === 'active';
    if (e.type === 'provider.address')
      input.address(e.req, (answer) => {
        if (live()) e.replyTo.send({ type: 'provider.answer', answer });
      });
    else
      input.child?.(e.req, (answer) => {
        if (live()) e.replyTo.send({ type: 'provider.childAnswer', answer });
      });
  });
});

export function stubProvider(handlers: StubProviderHandlers): Actor<typeof stubLogic> {
  const actor = createActor(stubLogic, { input: handlers });
  actor.start();
  return actor;
}
