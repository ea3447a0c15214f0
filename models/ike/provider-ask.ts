/**
 * The responder's questions to the gateway's provider actor, as invoked actors: each sends one request with itself as
 * `replyTo` (hooks.ts, the provider protocol) and finishes with the answer as its output, so the responder's waiting
 * state reads `onDone` (the answer) / `onError`, and leaving that state (the address timeout, a delete) stops the ask.
 */
import { assign, sendTo, setup } from 'xstate';
import type {
  AddressAnswer,
  AddressRequest,
  ChildAnswer,
  ChildProviderRequest,
  ProviderRef,
  ProviderReply,
} from './hooks.ts';

export interface AddressAskInput {
  readonly provider: ProviderRef;
  readonly req: AddressRequest;
}

/** Asks for the address of one IKE_AUTH round (RFC 7296 §2.19; draft-ietf-ipsec-dhcp-over-ike-00 §3). */
export const addressAsk = setup({
  types: {
    input: {} as AddressAskInput,
    context: {} as { readonly input: AddressAskInput; readonly answer: AddressAnswer | undefined },
    events: {} as ProviderReply,
    output: {} as AddressAnswer,
  },
  actions: {
    ask: sendTo(
      ({ context }) => context.input.provider,
      ({ context, self }) => ({ type: 'provider.address' as const, req: context.input.req, replyTo: self }),
    ),
    keep: assign({ answer: ({ event }) => (event.type === 'provider.answer' ? event.answer : undefined) }),
  },
}).createMachine({
  id: 'ask-address',
  context: ({ input }) => ({ input, answer: undefined }),
  initial: 'asking',
  states: {
    asking: { entry: 'ask', on: { 'provider.answer': { target: 'answered', actions: 'keep' } } },
    answered: { type: 'final' },
  },
  // The provider's answer; only a stopped ask (the responder left the state) ends without one.
  output: ({ context }) => context.answer ?? { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' },
});

export interface ChildAskInput {
  readonly provider: ProviderRef;
  readonly req: ChildProviderRequest;
}

/** Asks about one CREATE_CHILD_SA (draft-richardson §2: the DHCP(ACK) rides in its response). */
export const childAsk = setup({
  types: {
    input: {} as ChildAskInput,
    context: {} as { readonly input: ChildAskInput; readonly answer: ChildAnswer | undefined },
    events: {} as ProviderReply,
    output: {} as ChildAnswer,
  },
  actions: {
    ask: sendTo(
      ({ context }) => context.input.provider,
      ({ context, self }) => ({ type: 'provider.child' as const, req: context.input.req, replyTo: self }),
    ),
    keep: assign({ answer: ({ event }) => (event.type === 'provider.childAnswer' ? event.answer : undefined) }),
  },
}).createMachine({
  id: 'ask-child',
  context: ({ input }) => ({ input, answer: undefined }),
  initial: 'asking',
  states: {
    asking: { entry: 'ask', on: { 'provider.childAnswer': { target: 'answered', actions: 'keep' } } },
    answered: { type: 'final' },
  },
  output: ({ context }) => context.answer ?? { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' },
});
