/**
 * Model-based test of the responder's two ask machines (provider-ask.ts) from their definitions: `xstate/graph`
 * explores each with the provider's possible replies, and every generated path runs through a real actor asking a
 * real (recording) provider actor. At each step: entering `asking` sends exactly one request to the provider, with the
 * request the responder gave and the ask itself as `replyTo` (hooks.ts, the provider protocol); the reply of the
 * other kind is not an answer (still asking); an answer finishes the ask with that answer as its output, which the
 * responder reads in `onDone`. Coverage of every state and transition is required.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromTransition, type AnyActorLogic, type SnapshotFrom } from 'xstate';
import type {
  AddressAnswer,
  AddressRequest,
  ChildAnswer,
  ChildProviderRequest,
  ProviderEvent,
  ProviderReply,
} from '../../../models/ike/hooks.ts';
import { ikeMessage } from '../../../models/ike/messages.ts';
import { addressAsk, childAsk } from '../../../models/ike/provider-ask.ts';
import { IkeExchangeType } from '../../../models/wire/ike/index.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../support/machine-coverage.ts';

type Labelled = ProviderReply & { readonly label: string };

const request = ikeMessage(
  { spiI: '1111000011110000', spiR: '2222000022220000', originalInitiator: true, suite: undefined },
  IkeExchangeType.IKE_AUTH,
  1,
  false,
  [],
);
const ADDRESS_REQ: AddressRequest = { ikeSaId: '1111000011110000', peerId: 'c@example.com', request, round: 0 };
const CHILD_REQ: ChildProviderRequest = { ...ADDRESS_REQ, rekeyOf: undefined, config: undefined };
const GIVEN: AddressAnswer = {
  ok: true,
  config: { address: '10.99.0.7', prefixLength: 24, dns: [] },
  replyPayloads: [],
};
const REFUSED: AddressAnswer = { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' };
const CHILD_OK: ChildAnswer = { ok: true, tsiAddress: '10.99.0.7' };
const CHILD_BUSY: ChildAnswer = { ok: false, notify: 'TEMPORARY_FAILURE' };

const REPLIES: Readonly<Record<string, Labelled>> = {
  given: { type: 'provider.answer', answer: GIVEN, label: 'given' },
  refused: { type: 'provider.answer', answer: REFUSED, label: 'refused' },
  childOk: { type: 'provider.childAnswer', answer: CHILD_OK, label: 'childOk' },
  childBusy: { type: 'provider.childAnswer', answer: CHILD_BUSY, label: 'childBusy' },
};

/** A provider actor that records what it is asked and never answers by itself. */
function recordingProvider(): { ref: ReturnType<typeof createActor<AnyActorLogic>>; asked: ProviderEvent[] } {
  const asked: ProviderEvent[] = [];
  const ref = createActor(fromTransition((s: null, e: ProviderEvent) => (asked.push(e), s), null));
  ref.start();
  return { ref, asked };
}

interface Case {
  readonly name: string;
  readonly logic: typeof addressAsk | typeof childAsk;
  readonly requestType: ProviderEvent['type'];
  readonly req: AddressRequest | ChildProviderRequest;
  readonly answerType: ProviderReply['type'];
}

const CASES: readonly Case[] = [
  {
    name: 'ask-address',
    logic: addressAsk,
    requestType: 'provider.address',
    req: ADDRESS_REQ,
    answerType: 'provider.answer',
  },
  {
    name: 'ask-child',
    logic: childAsk,
    requestType: 'provider.child',
    req: CHILD_REQ,
    answerType: 'provider.childAnswer',
  },
];

describe('the responder’s ask machines: generated paths through real actors', () => {
  for (const c of CASES) {
    it(`${c.name}: one request to the provider, the answer of its kind as the output`, () => {
      const cov = new TransitionCoverage(c.logic);
      const events = (s: SnapshotFrom<typeof c.logic>): Labelled[] =>
        s.status === 'active' ? Object.values(REPLIES) : [];
      const probe = recordingProvider();
      const paths = edgePaths(c.logic as AnyActorLogic, {
        input: { provider: probe.ref, req: c.req },
        events: events as (s: unknown) => Labelled[],
        serializeState: (s) => `${String((s as SnapshotFrom<typeof c.logic>).value)}`,
        serializeEvent: (e) => (e as Labelled).label,
      });
      expect(paths.length).toBe(4);
      for (const path of paths) {
        const provider = recordingProvider();
        const actor = createActor(c.logic as AnyActorLogic, {
          input: { provider: provider.ref, req: c.req },
          inspect: cov.inspect,
        });
        actor.start();
        expect(provider.asked.map((e) => e.type)).toEqual([c.requestType]);
        const asked = provider.asked[0];
        expect(asked && 'req' in asked ? asked.req : undefined).toBe(c.req);
        expect(asked && 'replyTo' in asked ? asked.replyTo : undefined).toBe(actor);
        for (const step of path.events) {
          const reply = REPLIES[(step as Labelled).label] as Labelled;
          actor.send(reply);
          const snap = actor.getSnapshot();
          if (reply.type === c.answerType) {
            expect(snap.status, path.edge).toBe('done');
            expect(snap.output, path.edge).toBe(reply.answer);
          } else {
            expect(snap.status, `${path.edge}: the other kind of reply is no answer`).toBe('active');
          }
        }
        expect(provider.asked.length, 'asked once').toBe(1);
        actor.stop();
      }
      expectFullCoverage(cov);
    });
  }
});
