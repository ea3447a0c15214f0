/**
 * The IKE SA responder's handlers (one per client IKE SA at the gateway). RFC 7296 §2.1: the responder never
 * retransmits; it keeps its last response and re-sends exactly it when the request repeats. A repeat that arrives
 * while the request is still being worked on (waiting for an address) follows `ResponderPolicy.busyRepeat`.
 */
import type { RandomStream } from '../contract.ts';
import { IkeExchangeType, notifyPayload, type IkeMessage, type IkePayload } from '../wire/ike/index.ts';
import type { AddressAnswer, ChildAnswer } from './hooks.ts';
import type { IkePeerConfig, ResponderPolicy } from './config.ts';
import { addressing, ikeMessage } from './messages.ts';
import { randomEspSpi, randomIkeSpi, type ChildSa, type IkeSaKeys } from './sa.ts';
import { retransmitWaitsMs } from './retransmit.ts';
import { note, type IkeEmitted, type Step, type TimerSpec } from './steps.ts';
import * as childCreate from './tasks/child-create.ts';
import * as childDelete from './tasks/child-delete.ts';
import * as childRekey from './tasks/child-rekey.ts';
import type { AssignedConfig } from './tasks/ike-config.ts';
import * as ikeAuth from './tasks/ike-auth.ts';
import * as ikeDelete from './tasks/ike-delete.ts';
import * as ikeInit from './tasks/ike-init.ts';
import * as ikeRekey from './tasks/ike-rekey.ts';
import * as invalidSpi from './tasks/invalid-spi.ts';
import * as liveness from './tasks/liveness.ts';

export interface ResponderInput {
  readonly cfg: IkePeerConfig;
  readonly policy: ResponderPolicy;
  /** The key name the gateway holds for an identity (undefined: unknown peer). */
  readonly pskFor: (identity: string) => string | undefined;
  readonly rng: RandomStream;
  /** The IKE_SA_INIT request and what ike-init's processR accepted. */
  readonly initRequest: IkeMessage;
  readonly accepted: {
    readonly suite: IkeSaKeys['suite'];
    readonly dhGroup: number;
    readonly nonceI: Uint8Array;
    readonly proposalNumber: number;
  };
  /** The provider answers CREATE_CHILD_SA too (`AddressProvider.childRequest`): ask it and wait. */
  readonly providerChildren?: boolean;
  /** Does the gateway hold another IKE SA authenticated as this identity (`ResponderPolicy.uniqueIds` = keep)? */
  readonly hasOtherSa?: (peerId: string) => boolean;
}

export interface ResponderContext extends ResponderInput {
  readonly keys: IkeSaKeys;
  readonly nextExpect: number;
  readonly lastResponse: IkeMessage | undefined;
  readonly peerId: string;
  /** The request the provider is working on (an IKE_AUTH round or a CREATE_CHILD_SA). */
  readonly waitingRequest: IkeMessage | undefined;
  /** CREATE_CHILD_SA being answered: the Child SA it rekeys (our outbound SPI), if any. */
  readonly waitingRekeyOf: number | undefined;
  /** The IKE_AUTH request that carried SAi2/TSi/TSr (the first, draft-ietf §3), answered in the last round. */
  readonly authChildRequest: IkeMessage | undefined;
  /** IKE_AUTH rounds answered so far. */
  readonly round: number;
  /** `ack-later`: a repeat arrived while busy; the response goes out once when ready (it is sent anyway). */
  readonly repeatWhileBusy: number;
  /** Live Child SAs, newest first (a rekeyed one stays until the peer deletes it, RFC 7296 §2.8). */
  readonly children: readonly ChildSa[];
  readonly config: AssignedConfig | undefined;
  readonly newKeys: IkeSaKeys | undefined;
  /** Our own requests (liveness, RFC 7296 §2.4): next message ID and the outstanding one. */
  readonly ownNextId: number;
  readonly ownPending: { readonly message: IkeMessage; readonly sendIndex: number } | undefined;
  /** Child SA rekeys answered TEMPORARY_FAILURE so far (`ResponderPolicy.rekeyBusyTimes`). */
  readonly busyAnswered: number;
  /** Unprotected INVALID_IKE_SPI answers to our outstanding request (RFC 7296 §2.21.4, see `ownInvalidSpi`). */
  readonly ownInvalidSpiHints: number;
}

type Ctx = ResponderContext;
type S = Step<Ctx>;
const ADDRESS_TIMER = 'timer.addressTimeout';
const LIVENESS_TIMER = 'timer.gwLiveness';
const OWN_RETRANSMIT = 'timer.ownRetransmit';
const HALF_OPEN_TIMER = 'timer.halfOpen';

export function initialContext(input: ResponderInput): Ctx {
  const keys: IkeSaKeys = {
    spiI: input.initRequest.spiI,
    spiR: randomIkeSpi(input.rng),
    suite: input.accepted.suite,
    dhGroup: input.accepted.dhGroup,
    nonceI: input.accepted.nonceI,
    nonceR: new Uint8Array(0),
  };
  return {
    ...input,
    keys,
    nextExpect: 0,
    lastResponse: undefined,
    peerId: '',
    waitingRequest: undefined,
    waitingRekeyOf: undefined,
    authChildRequest: undefined,
    round: 0,
    repeatWhileBusy: 0,
    children: [],
    config: undefined,
    newKeys: undefined,
    ownNextId: 0,
    ownPending: undefined,
    busyAnswered: 0,
    ownInvalidSpiHints: 0,
  };
}

function respond(
  ctx: Ctx,
  req: IkeMessage,
  payloads: readonly IkePayload[],
  extra: Partial<Ctx> = {},
  keys = ctx.keys,
): S {
  const message = ikeMessage(addressing(keys, false), req.exchangeType, req.messageId, true, payloads);
  return {
    ctx: { ...extra, lastResponse: message, nextExpect: req.messageId + 1 },
    emits: [{ type: 'net.send', message }],
  };
}

function withEmits(s: S, before: readonly IkeEmitted[], after: readonly IkeEmitted[] = []): S {
  return { ...s, emits: [...before, ...(s.emits ?? []), ...after] };
}

/** The half-open timer (strongSwan's half_open_timeout): armed while we wait for the peer's next IKE_AUTH. */
function halfOpenTimers(ctx: Ctx): TimerSpec[] {
  const ms = ctx.policy.halfOpenTimeoutMs ?? 0;
  return ms > 0 ? [{ id: HALF_OPEN_TIMER, event: HALF_OPEN_TIMER, delayMs: ms }] : [];
}

/** IKE_SA_INIT response (RFC 7296 §1.2). */
export function start(ctx: Ctx): S {
  const { payloads, nonceR } = ikeInit.buildR(ctx.accepted, ctx.rng);
  const keys = { ...ctx.keys, nonceR };
  return {
    ...respond({ ...ctx, keys }, ctx.initRequest, payloads, { keys }, keys),
    timers: halfOpenTimers(ctx),
    go: 'initDone',
  };
}

/**
 * No (further) IKE_AUTH request came within `halfOpenTimeoutMs`: the half-open IKE SA is removed (a peer that
 * vanished, or spoofed IKE_SA_INITs). RFC 7296 §2.4 lets a node forget an IKE SA at any time; it never reached
 * `established`, so nothing is sent. A late IKE_AUTH retransmission then draws INVALID_IKE_SPI (§2.21.4).
 */
export function halfOpenTimeout(ctx: Ctx): S {
  return closed({
    emits: [
      note('ike.halfOpenTimeout', { peer: ctx.peerId, round: ctx.round }),
      { type: 'ike.closed', reason: 'half-open-timeout' },
    ],
    go: 'closed',
  });
}

/** A response to one of our own requests (liveness). */
function ownResponse(ctx: Ctx, m: IkeMessage): S {
  const p = ctx.ownPending;
  if (p !== undefined && invalidSpi.matches(m, ctx.keys.spiI, ctx.keys.spiR, p.message.messageId))
    return ownInvalidSpi(ctx, m, p.message);
  if (p === undefined || m.messageId !== p.message.messageId)
    return { emits: [note('ike.ignored', { messageId: m.messageId, why: 'not our outstanding request' })] };
  return { ctx: { ownPending: undefined, ownInvalidSpiHints: 0 }, cancel: [OWN_RETRANSMIT] };
}

/**
 * The client answered our request with an unprotected INVALID_IKE_SPI: it no longer knows this IKE SA (it restarted
 * or reconnected). As on the initiator (initiator-core.ts `invalidSpiHint`, RFC 7296 §2.21.4): the first one makes
 * us re-send the request at once as the liveness check; a second one before any protected answer closes the SA as
 * `peer-lost` (its address is released).
 */
function ownInvalidSpi(ctx: Ctx, m: IkeMessage, request: IkeMessage): S {
  if (ctx.ownInvalidSpiHints === 0)
    return {
      ctx: { ownInvalidSpiHints: 1 },
      emits: [
        note('ike.invalidSpi', { messageId: m.messageId, check: 'resend' }),
        { type: 'net.send', message: request },
      ],
    };
  return closed({
    ctx: { ownPending: undefined },
    emits: [
      note('ike.invalidSpi', { messageId: m.messageId, check: 'confirmed' }),
      { type: 'ike.closed', reason: 'peer-lost' },
    ],
    go: 'closed',
  });
}

/**
 * The gateway deletes this IKE SA on its own (another IKE SA of the same identity replaces it: `uniqueIds`, or
 * INITIAL_CONTACT, RFC 7296 §2.4). `notifyPeer`: send a Delete inside it first (§1.4.1, §2.4 "SHOULD send a Delete
 * payload ... unless the other endpoint is no longer responding"); we do not wait for the answer — the identity's
 * new IKE SA is already being set up and the old one's address must go now. The answer, if any, then arrives for an
 * unknown SPI and, being a response, is not answered (§2.21.4). With our own request outstanding (window 1, §2.3)
 * no Delete can be sent and the SA just goes.
 */
export function deleteNow(ctx: Ctx, notifyPeer: boolean, reason: string): S {
  const send: IkeEmitted[] = [];
  if (notifyPeer && ctx.ownPending === undefined) {
    const message = ikeMessage(
      addressing(ctx.keys, false),
      IkeExchangeType.INFORMATIONAL,
      ctx.ownNextId,
      false,
      ikeDelete.buildI(),
    );
    send.push({ type: 'net.send', message });
  }
  return closed({
    ctx: { ownNextId: ctx.ownNextId + send.length },
    emits: [note('ike.saReplaced', { peer: ctx.peerId, reason }), ...send, { type: 'ike.closed', reason }],
    go: 'closed',
  });
}

/** Window and cache checks common to every state; undefined = a new request to handle. */
export function screen(ctx: Ctx, m: IkeMessage, busy: boolean): S | undefined {
  if (m.response) return ownResponse(ctx, m);
  if (m.messageId === ctx.nextExpect - 1 && ctx.lastResponse !== undefined) {
    // RFC 7296 §2.1: a retransmitted request gets the cached response, byte for byte.
    return {
      emits: [note('ike.cachedResponse', { messageId: m.messageId }), { type: 'net.send', message: ctx.lastResponse }],
    };
  }
  if (m.messageId === ctx.nextExpect && busy) {
    if (ctx.policy.busyRepeat === 'ack-later')
      return {
        ctx: { repeatWhileBusy: ctx.repeatWhileBusy + 1 },
        emits: [note('ike.alreadyProcessing', { messageId: m.messageId, policy: 'ack-later' })],
      };
    return { emits: [note('ike.alreadyProcessing', { messageId: m.messageId, policy: 'ignore' })] };
  }
  if (m.messageId !== ctx.nextExpect)
    return { emits: [note('ike.ignored', { messageId: m.messageId, why: `expected #${ctx.nextExpect}` })] };
  return undefined;
}

function childInRequest(m: IkeMessage): boolean {
  return m.payloads.some((p) => p.kind === 'SK' && p.payloads.some((q) => q.kind === 'SA'));
}

function askProvider(ctx: Ctx, m: IkeMessage, extra: Partial<Ctx>, before: readonly IkeEmitted[] = []): S {
  const authChildRequest = ctx.authChildRequest ?? (childInRequest(m) ? m : undefined);
  const peerId = extra.peerId ?? ctx.peerId;
  return {
    ctx: { ...extra, waitingRequest: m, authChildRequest },
    emits: [...before, { type: 'address.request', peerId, request: m, round: ctx.round }],
    cancel: [HALF_OPEN_TIMER],
    timers: [{ id: ADDRESS_TIMER, event: ADDRESS_TIMER, delayMs: ctx.policy.addressTimeoutMs }],
    go: 'waitingAddress',
  };
}

export function authRequest(ctx: Ctx, m: IkeMessage): S {
  const pre = screen(ctx, m, false);
  if (pre !== undefined) return pre;
  if (m.exchangeType !== IkeExchangeType.IKE_AUTH)
    return { emits: [note('ike.ignored', { messageId: m.messageId, why: 'expected IKE_AUTH' })] };
  const r = ikeAuth.processR(m, ctx.keys, ctx.pskFor);
  if (!r.ok) {
    // RFC 7296 §2.21.2: AUTHENTICATION_FAILED in the response; the IKE SA is not created.
    const s = respond(ctx, m, ikeAuth.failureR());
    return { ...closed(withEmits(s, [], [{ type: 'ike.closed', reason: 'AUTHENTICATION_FAILED' }])), go: 'closed' };
  }
  const initialContact = ikeAuth.initialContactOf(m);
  if (ctx.policy.uniqueIds === 'keep' && !initialContact && ctx.hasOtherSa?.(r.peerId) === true) {
    // strongSwan's uniqueids=keep: the identity's existing IKE SA stays, the new one is refused (as AUTH failure).
    const s = respond(ctx, m, ikeAuth.failureR());
    return {
      ...closed(
        withEmits(
          s,
          [note('ike.duplicateRejected', { peer: r.peerId })],
          [{ type: 'ike.closed', reason: 'duplicate-rejected' }],
        ),
      ),
      go: 'closed',
    };
  }
  // The gateway replaces the identity's other IKE SAs on this (uniqueIds, INITIAL_CONTACT) before the address is
  // asked for, so their addresses are back in the pool first.
  return askProvider(ctx, m, { peerId: r.peerId }, [{ type: 'ike.authenticated', peerId: r.peerId, initialContact }]);
}

/** A further IKE_AUTH round (draft-ietf-ipsec-dhcp-over-ike-00 §3): the provider sees each request. */
export function nextAuthRound(ctx: Ctx, m: IkeMessage): S {
  const pre = screen(ctx, m, false);
  if (pre !== undefined) return pre;
  if (m.exchangeType === IkeExchangeType.INFORMATIONAL && ikeDelete.processR(m)) {
    // The first IKE_AUTH round authenticated the peer, so the IKE SA exists and the peer may delete it between rounds
    // (RFC 7296 §1.4.1; draft-ietf-ipsec-dhcp-over-ike-00 §3: a client that gives up on DHCP closes the SA).
    const s = respond(ctx, m, ikeDelete.buildR());
    return { ...closed(withEmits(s, [], [{ type: 'ike.closed', reason: 'deleted' }])), go: 'closed' };
  }
  if (m.exchangeType !== IkeExchangeType.IKE_AUTH)
    return respond(ctx, m, [notifyPayload({ notify: 'INVALID_SYNTAX' })]);
  return askProvider(ctx, m, {});
}

function ackLaterNotes(ctx: Ctx): IkeEmitted[] {
  return ctx.repeatWhileBusy > 0 ? [note('ike.ackLater', { repeats: ctx.repeatWhileBusy })] : [];
}

/** An IKE_AUTH response: the first round carries IDr and AUTH (RFC 7296 §1.2), later rounds only `rest`. */
function authReply(ctx: Ctx, m: IkeMessage, rest: readonly IkePayload[], extra: Partial<Ctx>, go: string): S {
  const payloads =
    ctx.round === 0
      ? ikeAuth.buildR(ctx.cfg.identity, ctx.pskFor(ctx.peerId) ?? ctx.cfg.pskName, ctx.keys, rest)
      : [...rest];
  const base = respond(ctx, m, payloads, { ...extra, waitingRequest: undefined, repeatWhileBusy: 0 });
  // Another IKE_AUTH round is due from the peer: half-open again until it comes.
  const timers = go === 'authRound' ? halfOpenTimers(ctx) : [];
  return { ...withEmits(base, ackLaterNotes(ctx)), cancel: [ADDRESS_TIMER], timers, go };
}

function livenessTimers(ctx: Ctx): TimerSpec[] {
  const every = ctx.policy.livenessMs ?? 0;
  return every > 0 ? [{ id: LIVENESS_TIMER, event: LIVENESS_TIMER, delayMs: every }] : [];
}

function withUp(s: S, ctx: Ctx, config: AssignedConfig | undefined, child: ChildSa | undefined): S {
  return {
    ...withEmits(s, [], [{ type: 'ike.up', keys: ctx.keys, config, child }]),
    timers: [...(s.timers ?? []), ...livenessTimers(ctx)],
  };
}

export function addressAnswer(ctx: Ctx, answer: AddressAnswer): S {
  const m = ctx.waitingRequest;
  if (m === undefined) return {};
  if (!answer.ok) {
    // RFC 7296 §1.2/§3.10.1: the IKE SA is created, the Child SA is not.
    return withUp(
      authReply(ctx, m, [notifyPayload({ notify: answer.notify })], {}, 'established'),
      ctx,
      undefined,
      undefined,
    );
  }
  if (answer.more === true) return authReply(ctx, m, answer.replyPayloads, { round: ctx.round + 1 }, 'authRound');
  const config = answer.config;
  const childReq = ctx.authChildRequest;
  if (childReq === undefined)
    return withUp(authReply(ctx, m, answer.replyPayloads, { config }, 'established'), ctx, config, undefined);
  const r = childCreate.processR(ctx.cfg, ctx.policy.protectedSubnets, childReq, config?.address, answer.tsr);
  if (!r.ok)
    return withUp(
      authReply(ctx, m, [...answer.replyPayloads, childCreate.errorPayload(r.notify)], { config }, 'established'),
      ctx,
      config,
      undefined,
    );
  const spiIn = randomEspSpi(ctx.rng);
  const child: ChildSa = { spiIn, spiOut: r.spiOut, suite: r.suite, tsi: r.tsi, tsr: r.tsr };
  return withUp(
    authReply(
      ctx,
      m,
      [...answer.replyPayloads, ...childCreate.buildR(r, spiIn)],
      { config, children: [child] },
      'established',
    ),
    ctx,
    config,
    child,
  );
}

export function addressTimeout(ctx: Ctx): S {
  const m = ctx.waitingRequest;
  if (m === undefined) return {};
  const s = authReply(ctx, m, [notifyPayload({ notify: 'INTERNAL_ADDRESS_FAILURE' })], {}, 'established');
  return withUp(
    withEmits(s, [note('ike.addressTimeout', { peer: ctx.peerId }), { type: 'address.abandoned' }]),
    ctx,
    undefined,
    undefined,
  );
}

export function establishedRequest(ctx: Ctx, m: IkeMessage): S {
  const pre = screen(ctx, m, false);
  if (pre !== undefined) return pre;
  if (m.exchangeType === IkeExchangeType.CREATE_CHILD_SA) return createChild(ctx, m);
  if (m.exchangeType !== IkeExchangeType.INFORMATIONAL)
    return respond(ctx, m, [notifyPayload({ notify: 'INVALID_SYNTAX' })]);
  if (ikeDelete.processR(m)) {
    const nk = ctx.newKeys;
    if (nk !== undefined) {
      // The old IKE SA of a rekey is deleted (RFC 7296 §2.18): continue on the new one, message IDs from 0 (ours too).
      const s = respond(ctx, m, ikeDelete.buildR());
      return {
        ...withEmits(s, [], [{ type: 'ike.rekeyed', oldSpiI: ctx.keys.spiI, keys: nk }]),
        ctx: {
          ...s.ctx,
          keys: nk,
          newKeys: undefined,
          nextExpect: 0,
          lastResponse: undefined,
          ownNextId: 0,
          ownPending: undefined,
        },
        cancel: [OWN_RETRANSMIT],
      };
    }
    const s = respond(ctx, m, ikeDelete.buildR());
    return { ...closed(withEmits(s, [], [{ type: 'ike.closed', reason: 'deleted' }])), go: 'closed' };
  }
  const deleted = childDelete.processR(m);
  if (deleted.length > 0) {
    // RFC 7296 §1.4.1: answer with the inbound SPIs of the pairs; the routes of the deleted Child SAs go too.
    const mine = ctx.children.filter((c) => deleted.includes(c.spiOut));
    const s = respond(ctx, m, childDelete.buildR(mine.map((c) => c.spiIn)), {
      children: ctx.children.filter((c) => !mine.includes(c)),
    });
    return mine.length > 0 ? withEmits(s, [], [{ type: 'ike.childDeleted', spisIn: mine.map((c) => c.spiIn) }]) : s;
  }
  return respond(ctx, m, []); // liveness (RFC 7296 §2.4)
}

function closed(s: S): S {
  return { ...s, cancel: [...(s.cancel ?? []), ADDRESS_TIMER, LIVENESS_TIMER, OWN_RETRANSMIT, HALF_OPEN_TIMER] };
}

function rekeyBusy(ctx: Ctx): boolean {
  return ctx.policy.rekeyBusy || ctx.busyAnswered < (ctx.policy.rekeyBusyTimes ?? 0);
}

function createChild(ctx: Ctx, m: IkeMessage): S {
  const ike = ikeRekey.processR(m);
  if (ike !== undefined) {
    const spiR = randomIkeSpi(ctx.rng);
    const { payloads, nonceR } = ikeRekey.buildR(ctx.keys.suite, ctx.keys.dhGroup, spiR, ctx.rng);
    const newKeys: IkeSaKeys = { ...ctx.keys, spiI: ike.spiI, spiR, nonceI: ike.nonceI, nonceR };
    return respond(ctx, m, payloads, { newKeys });
  }
  const old = childRekey.processR(m);
  if (old !== undefined && rekeyBusy(ctx)) {
    // RFC 7296 §2.25: a busy responder (or one rekeying the same SA) answers TEMPORARY_FAILURE.
    const s = respond(ctx, m, childRekey.busyR(), { busyAnswered: ctx.busyAnswered + 1 });
    return withEmits(s, [note('ike.rekeyBusy', { messageId: m.messageId })]);
  }
  if (ctx.providerChildren === true) {
    return {
      ctx: { waitingRequest: m, waitingRekeyOf: old },
      emits: [{ type: 'child.request', peerId: ctx.peerId, request: m, rekeyOf: old, config: ctx.config }],
      timers: [{ id: ADDRESS_TIMER, event: ADDRESS_TIMER, delayMs: ctx.policy.addressTimeoutMs }],
      go: 'waitingChild',
    };
  }
  return childReply(ctx, m, old, { ok: true });
}

/** The CREATE_CHILD_SA response from the provider's answer (or the default one). */
function childReply(ctx: Ctx, m: IkeMessage, rekeyOf: number | undefined, answer: ChildAnswer): S {
  const extra: Partial<Ctx> = { waitingRequest: undefined, waitingRekeyOf: undefined, repeatWhileBusy: 0 };
  if (!answer.ok)
    return respond(ctx, m, [...(answer.replyPayloads ?? []), notifyPayload({ notify: answer.notify })], extra);
  const config = answer.config ?? ctx.config;
  const assigned = answer.tsiAddress === null ? undefined : (answer.tsiAddress ?? config?.address);
  const r = childCreate.processR(ctx.cfg, ctx.policy.protectedSubnets, m, assigned, answer.tsr);
  if (!r.ok) return respond(ctx, m, [childCreate.errorPayload(r.notify)], { ...extra, config });
  const spiIn = randomEspSpi(ctx.rng);
  const child: ChildSa = { spiIn, spiOut: r.spiOut, suite: r.suite, tsi: r.tsi, tsr: r.tsr };
  const replaced = rekeyOf === undefined ? undefined : ctx.children.find((c) => c.spiOut === rekeyOf);
  const s = respond(ctx, m, [...childRekey.buildR(ctx.rng, r, spiIn), ...(answer.replyPayloads ?? [])], {
    ...extra,
    config,
    children: [child, ...ctx.children],
  });
  return withEmits(s, [], [{ type: 'ike.child', child, replaces: replaced }]);
}

export function childAnswer(ctx: Ctx, answer: ChildAnswer): S {
  const m = ctx.waitingRequest;
  if (m === undefined) return {};
  const s = childReply(ctx, m, ctx.waitingRekeyOf, answer);
  return { ...withEmits(s, ackLaterNotes(ctx)), cancel: [ADDRESS_TIMER], go: 'established' };
}

/** No child answer in time: a new Child SA fails (INTERNAL_ADDRESS_FAILURE), a rekey is retried (TEMPORARY_FAILURE). */
export function childTimeout(ctx: Ctx): S {
  const m = ctx.waitingRequest;
  if (m === undefined) return {};
  const notify = ctx.waitingRekeyOf === undefined ? 'INTERNAL_ADDRESS_FAILURE' : 'TEMPORARY_FAILURE';
  const s = childReply(ctx, m, ctx.waitingRekeyOf, { ok: false, notify });
  return {
    ...withEmits(s, [
      note('ike.childTimeout', { peer: ctx.peerId, notify }),
      { type: 'address.abandoned' },
      ...ackLaterNotes(ctx),
    ]),
    go: 'established',
  };
}

export function busyRequest(ctx: Ctx, m: IkeMessage): S {
  return screen(ctx, m, true) ?? {};
}

/** Our liveness check (RFC 7296 §2.4), `ResponderPolicy.livenessMs`: an empty INFORMATIONAL request. */
export function livenessTimer(ctx: Ctx): S {
  const rearm = livenessTimers(ctx);
  if (ctx.ownPending !== undefined) return { timers: rearm };
  const message = ikeMessage(
    addressing(ctx.keys, false),
    IkeExchangeType.INFORMATIONAL,
    ctx.ownNextId,
    false,
    liveness.buildI(),
  );
  const waits = retransmitWaitsMs(ctx.cfg.retransmit);
  return {
    ctx: { ownNextId: ctx.ownNextId + 1, ownPending: { message, sendIndex: 0 }, ownInvalidSpiHints: 0 },
    emits: [{ type: 'net.send', message }],
    timers: [{ id: OWN_RETRANSMIT, event: OWN_RETRANSMIT, delayMs: waits[0] ?? 0 }, ...rearm],
  };
}

/** Our request retransmits like an initiator's (RFC 7296 §2.1); no answer at all ⇒ the client is dead (§2.4). */
export function ownRetransmit(ctx: Ctx): S {
  const p = ctx.ownPending;
  if (p === undefined) return {};
  const waits = retransmitWaitsMs(ctx.cfg.retransmit);
  if (p.sendIndex >= ctx.cfg.retransmit.tries) {
    return closed({
      ctx: { ownPending: undefined },
      emits: [
        note('ike.giveUp', { exchange: 'liveness', messageId: p.message.messageId }),
        { type: 'ike.closed', reason: 'dead-peer' },
      ],
      go: 'closed',
    });
  }
  const sendIndex = p.sendIndex + 1;
  return {
    ctx: { ownPending: { ...p, sendIndex } },
    emits: [{ type: 'net.send', message: p.message }],
    timers: [{ id: OWN_RETRANSMIT, event: OWN_RETRANSMIT, delayMs: waits[sendIndex] ?? 0 }],
  };
}
