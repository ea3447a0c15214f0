/**
 * Model-based test of the IKE responder statechart (models/ike/responder-machine.ts). `xstate/graph` explores the
 * definition with a scripted initiator — requests built by the initiator's task functions (IKE_AUTH with the right AUTH
 * for the SA's nonces, CREATE_CHILD_SA, rekeys, Deletes, liveness) and passed through the codecs — and a scripted
 * provider (the ask actors' answers: refused, another round, an address; child answers; errors), plus the timers
 * (`after` delays) and the gateway's `cmd.delete`. Every generated path is then driven through a REAL actor: the
 * provider's answers go through a stub provider actor (the invoked ask sends `provider.address`, the stub replies), the
 * requests are rebuilt from the live actor's own keys, and at each step what the responder sends is encoded and decoded
 * again and checked against RFC 7296: responses answer the request's message ID (§2.2), a repeat of the last request
 * gets the cached response byte for byte (§2.1), an out-of-window request gets nothing, failures carry their notify.
 * Coverage of every state and transition is required (three configurations together).
 */
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock, type AnyEventObject, type SnapshotFrom } from 'xstate';
import { DEFAULT_RESPONDER_POLICY, peerConfig, type ResponderPolicy } from '../../../models/ike/config.ts';
import type { AddressAnswer, ChildAnswer } from '../../../models/ike/hooks.ts';
import { addressing, ikeMessage } from '../../../models/ike/messages.ts';
import { responderMachine } from '../../../models/ike/responder-machine.ts';
import type { ResponderInput } from '../../../models/ike/responder-core.ts';
import type { RetransmitPolicy } from '../../../models/ike/retransmit.ts';
import type { IkeEmitted } from '../../../models/ike/emitted.ts';
import * as childCreate from '../../../models/ike/tasks/child-create.ts';
import * as childDelete from '../../../models/ike/tasks/child-delete.ts';
import * as childRekey from '../../../models/ike/tasks/child-rekey.ts';
import * as ikeAuth from '../../../models/ike/tasks/ike-auth.ts';
import * as ikeConfig from '../../../models/ike/tasks/ike-config.ts';
import * as ikeDelete from '../../../models/ike/tasks/ike-delete.ts';
import * as ikeInit from '../../../models/ike/tasks/ike-init.ts';
import * as ikeRekey from '../../../models/ike/tasks/ike-rekey.ts';
import * as invalidSpi from '../../../models/ike/tasks/invalid-spi.ts';
import { ikeOf, ikePacket, packetCodec } from '../../../models/nodes/lab-packet.ts';
import {
  IkeExchangeType,
  findNotify,
  tsRange,
  type IkeMessage,
  type IkePayload,
} from '../../../models/wire/ike/index.ts';
import { createRng } from '../../../sim/rng.ts';
import { stubProvider } from '../../support/provider-stub.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../support/machine-coverage.ts';

type Snap = SnapshotFrom<typeof responderMachine>;
type Ctx = Snap['context'];
type Labelled = AnyEventObject & { readonly label: string };

const CLIENT = 'client1@example.com';
const GW = 'gw.example.com';
const ASSIGNED = { address: '10.99.0.7', prefixLength: 24, dns: [] };
/** One retransmission then give-up: the own region's `waiting → waiting` and `waiting → closed` both in reach. */
const SHORT_RETRANSMIT: RetransmitPolicy = {
  name: 'test',
  initialTimeoutMs: 1000,
  factorNum: 2,
  factorDen: 1,
  tries: 1,
};
const cfgI = peerConfig({ identity: CLIENT, pskName: 'psk-client1' });
const cfgR = peerConfig({ identity: GW, pskName: 'unused', retransmit: SHORT_RETRANSMIT });
const FULL = [tsRange('0.0.0.0', '255.255.255.255')];

/** Through the codecs and back: what crosses the network is bytes (lab-packet.ts). */
function wire(m: IkeMessage): IkeMessage {
  const r = packetCodec.decode(packetCodec.encode(ikePacket('192.0.2.10', '192.0.2.1', m)));
  const back = r.ok ? ikeOf(r.value) : undefined;
  if (back === undefined) throw new Error('not an IKE message after the codecs');
  return back;
}

/** The client's IKE_SA_INIT request (ike-init's buildI) and what the gateway accepted of it. */
function initExchange(): { initRequest: IkeMessage; accepted: ResponderInput['accepted'] } {
  const { payloads } = ikeInit.buildI(cfgI, createRng(11), 31);
  const spiI = '1111222233334444';
  const initRequest = wire(
    ikeMessage(
      { spiI, spiR: '0000000000000000', originalInitiator: true, suite: undefined },
      IkeExchangeType.IKE_SA_INIT,
      0,
      false,
      payloads,
    ),
  );
  const accepted = ikeInit.processR(cfgR, initRequest);
  if (!accepted.ok) throw new Error(accepted.reason);
  return { initRequest, accepted };
}
/** The IKE_SA_INIT every responder here is made for (the gateway hands it over with `ike.start`). */
const INIT = initExchange();

// ---------------------------------------------------------------------------------------------------------------
// The scripted initiator: requests built from the responder's current keys (so AUTH verifies)

function request(ctx: Ctx, exchange: number, messageId: number, payloads: readonly IkePayload[]): IkeMessage {
  return wire(ikeMessage(addressing(ctx.keys, true), exchange, messageId, false, payloads));
}

const childParams = { spiIn: 0x0a0b0c0d, tsi: FULL, tsr: FULL };
const rng = createRng(5);

function authPayloads(ctx: Ctx, opts: { psk?: string; child: boolean }): IkePayload[] {
  const child = opts.child ? childCreate.buildI(cfgI, childParams) : [];
  return ikeAuth.buildI(CLIENT, GW, opts.psk ?? 'psk-client1', ctx.keys, [ikeConfig.buildI()], child);
}

const pending = (ctx: Ctx): IkeMessage | undefined => ctx.own.pending?.message;

/** The scripted provider's answers: in the graph as the ask actor's done event, in the real actor as its reply. */
const ADDRESS_ANSWERS: Readonly<Record<string, AddressAnswer>> = {
  answerRefused: { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' },
  answerMore: { ok: true, more: true, replyPayloads: [] },
  answerGiven: { ok: true, config: ASSIGNED, replyPayloads: [ikeConfig.buildR(ASSIGNED)] },
};
const CHILD_ANSWERS: Readonly<Record<string, ChildAnswer>> = {
  childOk: { ok: true },
  childRefused: { ok: false, notify: 'TEMPORARY_FAILURE' },
};

const BUILD: Readonly<Record<string, (s: Snap) => AnyEventObject>> = {
  start: () => ({ type: 'ike.start', request: INIT.initRequest }),
  auth: (s) => ({
    type: 'net.recv',
    message: request(
      s.context,
      IkeExchangeType.IKE_AUTH,
      s.context.window.nextExpect,
      authPayloads(s.context, { child: true }),
    ),
  }),
  authNoChild: (s) => ({
    type: 'net.recv',
    message: request(
      s.context,
      IkeExchangeType.IKE_AUTH,
      s.context.window.nextExpect,
      authPayloads(s.context, { child: false }),
    ),
  }),
  authBad: (s) => ({
    type: 'net.recv',
    message: request(
      s.context,
      IkeExchangeType.IKE_AUTH,
      s.context.window.nextExpect,
      authPayloads(s.context, { psk: 'wrong', child: true }),
    ),
  }),
  informational: (s) => ({
    type: 'net.recv',
    message: request(s.context, IkeExchangeType.INFORMATIONAL, s.context.window.nextExpect, []),
  }),
  repeat: (s) => ({
    type: 'net.recv',
    message: request(s.context, IkeExchangeType.INFORMATIONAL, s.context.window.nextExpect - 1, []),
  }),
  future: (s) => ({
    type: 'net.recv',
    message: request(s.context, IkeExchangeType.INFORMATIONAL, s.context.window.nextExpect + 3, []),
  }),
  strayResponse: (s) => ({
    type: 'net.recv',
    message: wire(ikeMessage(addressing(s.context.keys, true), IkeExchangeType.INFORMATIONAL, 99, true, [])),
  }),
  ownResponse: (s) => ({
    type: 'net.recv',
    message: wire(
      ikeMessage(
        addressing(s.context.keys, true),
        IkeExchangeType.INFORMATIONAL,
        pending(s.context)?.messageId ?? 0,
        true,
        [],
      ),
    ),
  }),
  invalidSpi: (s) => {
    const p = pending(s.context);
    const m = p === undefined ? undefined : invalidSpi.buildResponse(p, true);
    if (m === undefined) throw new Error('no request outstanding');
    return { type: 'net.recv', message: wire(m) };
  },
  delete: (s) => ({
    type: 'net.recv',
    message: request(s.context, IkeExchangeType.INFORMATIONAL, s.context.window.nextExpect, ikeDelete.buildI()),
  }),
  childCreate: (s) => ({
    type: 'net.recv',
    message: request(
      s.context,
      IkeExchangeType.CREATE_CHILD_SA,
      s.context.window.nextExpect,
      childCreate.buildCreateI(cfgI, rng, childParams),
    ),
  }),
  childRekey: (s) => ({
    type: 'net.recv',
    message: request(
      s.context,
      IkeExchangeType.CREATE_CHILD_SA,
      s.context.window.nextExpect,
      childRekey.buildI(cfgI, rng, s.context.children[0]?.spiOut ?? 1, childParams),
    ),
  }),
  ikeRekey: (s) => ({
    type: 'net.recv',
    message: request(
      s.context,
      IkeExchangeType.CREATE_CHILD_SA,
      s.context.window.nextExpect,
      ikeRekey.buildI(s.context.keys, '5555666677778888', rng).payloads,
    ),
  }),
  childDelete: (s) => ({
    type: 'net.recv',
    message: request(s.context, IkeExchangeType.INFORMATIONAL, s.context.window.nextExpect, [
      childDelete.deletePayload([s.context.children[0]?.spiOut ?? 1]),
    ]),
  }),
  cmdDelete: () => ({ type: 'cmd.delete', notifyPeer: true, reason: 'replaced' }),
  liveness: () => ({ type: 'timer.gwLiveness' }),
  halfOpen: (s) => ({ type: `xstate.after.halfOpen.ike-r.${String(s.value)}` }),
  addressTimeout: (s) => ({
    type:
      typeof s.value === 'string'
        ? 'xstate.after.addressTimeout.ike-r.waitingAddress'
        : 'xstate.after.addressTimeout.ike-r.established.peer.waitingChild',
  }),
  retransmit: () => ({ type: 'xstate.after.ownRetransmitWait.ike-r.established.own.waiting' }),
  answerRefused: () => ({ type: 'xstate.done.actor.address', output: ADDRESS_ANSWERS['answerRefused'] }),
  answerMore: () => ({ type: 'xstate.done.actor.address', output: ADDRESS_ANSWERS['answerMore'] }),
  answerGiven: () => ({ type: 'xstate.done.actor.address', output: ADDRESS_ANSWERS['answerGiven'] }),
  addressError: () => ({ type: 'xstate.error.actor.address', error: 'provider failed' }),
  childOk: () => ({ type: 'xstate.done.actor.child', output: CHILD_ANSWERS['childOk'] }),
  childRefused: () => ({ type: 'xstate.done.actor.child', output: CHILD_ANSWERS['childRefused'] }),
  childError: () => ({ type: 'xstate.error.actor.child', error: 'provider failed' }),
};

function peerState(s: Snap): string {
  return typeof s.value === 'string'
    ? s.value
    : s.matches({ established: { peer: 'waitingChild' } })
      ? 'waitingChild'
      : 'established';
}

function labelsFor(s: Snap): string[] {
  const common = ['cmdDelete', 'strayResponse'];
  switch (peerState(s)) {
    case 'start':
      return ['start', 'cmdDelete'];
    case 'initDone':
      return [...common, 'auth', 'authNoChild', 'authBad', 'informational', 'repeat', 'future', 'halfOpen', 'liveness'];
    case 'waitingAddress':
      return [
        ...common,
        'answerRefused',
        'answerMore',
        'answerGiven',
        'addressError',
        'addressTimeout',
        'repeat',
        'future',
        'informational',
      ];
    case 'authRound':
      return [...common, 'auth', 'delete', 'informational', 'repeat', 'future', 'halfOpen'];
    case 'closed':
      return [];
    default: {
      const peer =
        peerState(s) === 'waitingChild'
          ? ['childOk', 'childRefused', 'childError', 'addressTimeout', 'repeat', 'future', 'informational']
          : [
              'ikeRekey',
              'childCreate',
              'childRekey',
              'auth',
              'delete',
              'childDelete',
              'informational',
              'repeat',
              'future',
            ];
      const own =
        s.context.own.pending !== undefined ? ['ownResponse', 'invalidSpi', 'retransmit', 'liveness'] : ['liveness'];
      return [...common, ...peer, ...own];
    }
  }
}

function events(s: Snap): Labelled[] {
  return labelsFor(s).map((label) => ({ ...(BUILD[label] as (s: Snap) => AnyEventObject)(s), label }));
}

/** The graph vertex: the state and the context that changes what can happen next (bounded, so the graph closes). */
function vertex(s: Snap): string {
  const c = s.context;
  return [
    JSON.stringify(s.value),
    `r${Math.min(c.round, 1)}`,
    c.own.pending === undefined ? 'own-' : `own${c.own.pending.sendIndex}h${c.own.invalidSpiHints}`,
    c.newKeys === undefined ? '' : 'rekeying',
    `ch${Math.min(c.children.length, 1)}`,
    `b${c.busyAnswered}`,
    c.repeatWhileBusy > 0 ? 'rep' : '',
    c.authChildRequest === undefined ? '' : 'acr',
  ].join('|');
}

interface Config {
  readonly name: string;
  readonly policy: Partial<ResponderPolicy>;
  readonly providerChildren: boolean;
  readonly hasOtherSa: boolean;
}

const CONFIGS: readonly Config[] = [
  { name: 'children answered at once', policy: { rekeyBusyTimes: 1 }, providerChildren: false, hasOtherSa: false },
  { name: 'children asked, ack-later', policy: { busyRepeat: 'ack-later' }, providerChildren: true, hasOtherSa: false },
  { name: 'uniqueIds keep, another SA', policy: { uniqueIds: 'keep' }, providerChildren: false, hasOtherSa: true },
];

function inputFor(c: Config, provider: ResponderInput['provider']): ResponderInput {
  const { initRequest, accepted } = INIT;
  return {
    cfg: cfgR,
    policy: {
      ...DEFAULT_RESPONDER_POLICY,
      protectedSubnets: [tsRange('10.1.0.0', '10.1.0.255')],
      livenessMs: 3_600_000,
      ...c.policy,
    },
    pskFor: (id) => (id === CLIENT ? 'psk-client1' : undefined),
    rng: createRng(2),
    ikeSaId: initRequest.spiI,
    accepted,
    provider,
    providerChildren: c.providerChildren,
    hasOtherSa: () => c.hasOtherSa,
  };
}

const notifiesOf = (m: IkeMessage): string[] =>
  ['AUTHENTICATION_FAILED', 'INTERNAL_ADDRESS_FAILURE', 'INVALID_SYNTAX', 'TEMPORARY_FAILURE'].filter(
    (n) => findNotify(m, n as never) !== undefined,
  );

describe('IKE responder statechart: generated paths through real actors', () => {
  const cov = new TransitionCoverage(responderMachine);
  let paths = 0;

  for (const config of CONFIGS) {
    it(`every edge of the graph (${config.name})`, () => {
      const graphProvider = stubProvider({ address: () => undefined, child: () => undefined });
      const generated = edgePaths(responderMachine, {
        input: inputFor(config, graphProvider),
        events: (s) => events(s as Snap) as never[],
        serializeState: (s) => vertex(s as Snap),
        limit: 20_000,
      });
      expect(generated.length).toBeGreaterThan(config.hasOtherSa ? 5 : 50);
      for (const path of generated) {
        drive(config, path.events as readonly Labelled[], path.edge);
        paths += 1;
      }
    });
  }

  it('covers every state and transition', () => {
    expect(paths).toBeGreaterThan(0);
    expectFullCoverage(cov);
  });

  /** One path through a real actor, the events rebuilt from its own snapshot; checks each step's sends. */
  function drive(config: Config, path: readonly Labelled[], edge: string): void {
    let replyAddress: ((a: AddressAnswer) => void) | undefined;
    let replyChild: ((a: ChildAnswer) => void) | undefined;
    const abandoned: string[] = [];
    const provider = stubProvider({
      address: (_req, reply) => (replyAddress = reply),
      child: (_req, reply) => (replyChild = reply),
      abandon: (id) => abandoned.push(id),
    });
    const clock = new SimulatedClock();
    const actor = createActor(responderMachine, { clock, input: inputFor(config, provider), inspect: cov.inspect });
    const out: IkeEmitted[] = [];
    actor.on('*', (e) => out.push(e));
    actor.start();
    /** The last response the responder sent: what its node keeps for a repeat (`net.resend`, RFC 7296 §2.1). */
    let kept: IkeMessage | undefined;
    for (const step of path) {
      const before = actor.getSnapshot();
      const ev = { ...(BUILD[step.label] as (s: Snap) => AnyEventObject)(before), label: step.label };
      const from = out.length;
      const address = ADDRESS_ANSWERS[step.label];
      const child = CHILD_ANSWERS[step.label];
      if (address !== undefined) {
        // The scripted provider answers the ask the responder invoked (provider.address → provider.answer).
        expect(replyAddress, `${edge}: the address was asked for`).toBeDefined();
        replyAddress?.(address);
      } else if (child !== undefined) {
        expect(replyChild, `${edge}: the child was asked for`).toBeDefined();
        replyChild?.(child);
      } else actor.send(ev as never);
      const sent = out.slice(from).flatMap((e) => (e.type === 'net.send' ? [wire(e.message)] : []));
      const resent = out.slice(from).flatMap((e) => (e.type === 'net.resend' ? [e.messageId] : []));
      check(step.label, before, sent, edge);
      checkResent(step.label, before, resent, kept, edge);
      for (const m of sent) if (m.response) kept = m;
      if (ev.type === 'xstate.after.addressTimeout.ike-r.waitingAddress')
        expect(abandoned, `${edge}: the provider is told to abandon`).toContain(before.context.input.ikeSaId);
    }
    actor.stop();
    provider.stop();
  }

  /**
   * RFC 7296 §2.1: only a repeat of the request answered last is answered again, with that response — the one the
   * responder sent last on this IKE SA (`kept`), which its node re-sends byte for byte.
   */
  function checkResent(
    label: string,
    before: Snap,
    resent: readonly number[],
    kept: IkeMessage | undefined,
    edge: string,
  ): void {
    const where = `${edge} (${label}, resent)`;
    const c = before.context;
    if (label !== 'repeat' || c.window.cachedResponseId === undefined) {
      expect(resent, where).toEqual([]);
      return;
    }
    expect(kept?.messageId, where).toBe(c.window.cachedResponseId);
    expect(kept?.spiI, where).toBe(c.keys.spiI);
    expect(resent, where).toEqual([c.window.nextExpect - 1]);
  }

  /** What a step may send (RFC 7296 §2.1–2.2, §2.21). */
  function check(label: string, before: Snap, sent: readonly IkeMessage[], edge: string): void {
    const where = `${edge} (${label})`;
    const c = before.context;
    // Everything the responder sends belongs to this IKE SA (or the one rekeyed into).
    for (const m of sent) expect([c.keys.spiI, c.newKeys?.spiI], where).toContain(m.spiI);
    switch (label) {
      case 'future':
      case 'strayResponse':
      case 'halfOpen':
        expect(sent, where).toEqual([]);
        return;
      case 'repeat':
        // Nothing new: the cached response goes out again as sent (`checkResent`).
        expect(sent, where).toEqual([]);
        return;
      case 'start':
        expect(
          sent.map((m) => [m.exchangeType, m.response, m.messageId]),
          where,
        ).toEqual([[IkeExchangeType.IKE_SA_INIT, true, 0]]);
        return;
      case 'authBad':
        if (typeof before.value === 'string' && before.value === 'initDone') {
          expect(sent.length, where).toBe(1);
          expect(notifiesOf(sent[0] as IkeMessage), where).toEqual(['AUTHENTICATION_FAILED']);
        }
        return;
      case 'answerRefused':
      case 'addressError':
        expect(sent.length, where).toBe(1);
        expect(notifiesOf(sent[0] as IkeMessage), where).toEqual(['INTERNAL_ADDRESS_FAILURE']);
        expect(sent[0]?.messageId, where).toBe(c.waitingRequest?.messageId);
        return;
      case 'addressTimeout':
        expect(sent.length, where).toBe(1);
        expect(sent[0]?.response, where).toBe(true);
        expect(notifiesOf(sent[0] as IkeMessage).length, where).toBe(1);
        return;
      case 'answerGiven':
      case 'answerMore':
        expect(sent.length, where).toBe(1);
        expect(sent[0]?.exchangeType, where).toBe(IkeExchangeType.IKE_AUTH);
        expect(sent[0]?.messageId, where).toBe(c.waitingRequest?.messageId);
        return;
      case 'liveness':
        if (c.own.pending === undefined && before.matches('established')) {
          expect(
            sent.map((m) => [m.exchangeType, m.response, m.messageId]),
            where,
          ).toEqual([[IkeExchangeType.INFORMATIONAL, false, c.own.nextId]]);
        } else expect(sent, where).toEqual([]);
        return;
      case 'retransmit':
        if (c.own.pending !== undefined && c.own.pending.sendIndex < cfgR.retransmit.tries)
          expect(
            sent.map((m) => m.messageId),
            where,
          ).toEqual([c.own.pending.message.messageId]);
        else expect(sent, where).toEqual([]);
        return;
      case 'cmdDelete':
        // A Delete of the IKE SA inside it, unless our own request is outstanding (window 1, §2.3).
        if (c.own.pending !== undefined) expect(sent, where).toEqual([]);
        else
          expect(
            sent.map((m) => [m.exchangeType, m.response]),
            where,
          ).toEqual([[IkeExchangeType.INFORMATIONAL, false]]);
        return;
      default:
        // Requests of the peer: at most one response, to the request's message ID (§2.2).
        for (const m of sent) if (m.response) expect(m.messageId, where).toBeLessThanOrEqual(c.window.nextExpect);
    }
  }
});
