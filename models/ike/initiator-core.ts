/**
 * The IKE initiator's pure helpers: what each request carries and what a response or a peer's request says. They
 * build messages and context updates from the task functions; the statechart (initiator-machine.ts) decides the
 * states. RFC 7296 §2.1–2.3: window 1, one request outstanding; only we retransmit our requests (bit-identical: the
 * same message value is re-emitted); a response whose ID is not the outstanding one is ignored and noted.
 */
import { IkeExchangeType, findPayload, type IkeMessage, type IkePayload } from '../wire/ike/index.ts';
import { modelledIkeCrypto, type IkeCrypto } from './ike-crypto.ts';
import type { ChildExchangeInfo, ChildRequest } from './hooks.ts';
import { jittered, note, type IkeEmitted } from './emitted.ts';
import {
  MAIN_SLOT,
  childRekeyTimerId,
  type AuthReply,
  type ChildReply,
  type ExchangeKind,
  type InitExchange,
  type InitiatorContext,
  type Pending,
  type QueueItem,
  type RequestWindow,
  NO_QUEUE,
  endedWindow,
  requestWindow,
} from './initiator-context.ts';
import { addressing, errorNotifies, ikeMessage, saMessage } from './messages.ts';
import { natDetectionResult } from './nat-detection.ts';
import {
  NO_NONCE,
  randomEspSpi,
  randomIkeSpi,
  withoutInitNonces,
  ZERO_SPI,
  type ClientChild,
  type IkeSaKeys,
} from './sa.ts';
import * as childCreate from './tasks/child-create.ts';
import * as childDelete from './tasks/child-delete.ts';
import * as childRekey from './tasks/child-rekey.ts';
import * as ikeAuth from './tasks/ike-auth.ts';
import * as ikeDelete from './tasks/ike-delete.ts';
import * as ikeInit from './tasks/ike-init.ts';
import * as ikeRekey from './tasks/ike-rekey.ts';
import * as invalidSpi from './tasks/invalid-spi.ts';
import * as liveness from './tasks/liveness.ts';
import { fitted } from '../wire/fitted.ts';
import type { IkePeerConfig } from './config.ts';
import type { AssignedConfig } from './tasks/ike-config.ts';

type Ctx = InitiatorContext;

function cryptoOf(ctx: Ctx): IkeCrypto {
  return ctx.input.crypto ?? modelledIkeCrypto;
}

/** A request to send and the context it leaves (the outstanding request, the next message ID). */
export interface Outgoing {
  readonly update: Partial<Ctx>;
  readonly message: IkeMessage;
}

/** strongSwan retries IKE_SA_INIT at most this often for COOKIE / INVALID_KE (ike_init.c MAX_RETRIES). */
export const MAX_COOKIE_RETRIES = 5;

/** The Child SA fields of a `Pending` (absent for the IKE SA's own exchanges). */
interface PendingChild {
  readonly info?: ChildExchangeInfo;
  readonly spiIn?: number;
  readonly old?: ClientChild;
}

const NO_CHILD: PendingChild = Object.freeze({});

/**
 * A new request on the SA: next message ID; the retransmission schedule restarts (RFC 7296 §2.1). The caller builds
 * the context update as one object literal of its own fields plus the window the request leaves (`sentWindow`): a
 * spread of an `extra` object of varying shape cost ~4 µs per request in a storm (V8's generic object clone), a literal
 * of fixed shape a few ns. `pending` has all its fields, so every one has the same shape.
 */
function request(
  ctx: Ctx,
  kind: ExchangeKind,
  exchangeType: number,
  payloads: readonly IkePayload[],
  keys = ctx.keys,
  child: PendingChild = NO_CHILD,
  /** SPIi before the IKE SA has keys (IKE_SA_INIT): a new one, or the context's. */
  spiI = ctx.init.spiI,
): Pending {
  const id = exchangeType === IkeExchangeType.IKE_SA_INIT ? 0 : ctx.window.nextId;
  // The SA's addressing read straight from the keys (before IKE_SA_INIT's answer: SPIr zero, unprotected).
  const message =
    keys === undefined
      ? saMessage(spiI, ZERO_SPI, true, undefined, exchangeType, id, false, payloads)
      : saMessage(keys.spiI, keys.spiR, true, keys.suite, exchangeType, id, false, payloads);
  return { kind, message, sendIndex: 0, info: child.info, spiIn: child.spiIn, old: child.old };
}

/** The window once `p` is sent: the next ID after it, `p` outstanding, no hints yet; `queue` what still waits. */
function sentWindow(p: Pending, queue: readonly QueueItem[]): RequestWindow {
  return requestWindow(p.message.messageId + 1, p, 0, queue);
}

/** The request `p` with the context it leaves when nothing else changes. */
function requestOnly(ctx: Ctx, p: Pending): Outgoing {
  return { update: { window: sentWindow(p, ctx.window.queue) }, message: p.message };
}

/** IKE_SA_INIT (RFC 7296 §1.2): a fresh SPIi, our KE of the preferred group and a nonce. */
export function initRequest(ctx: Ctx): Outgoing {
  const spiI = randomIkeSpi(ctx.input.rng);
  const { payloads, nonceI, ke } = ikeInit.buildI(ctx.input.cfg, ctx.input.rng, ctx.init.dhGroup, cryptoOf(ctx));
  const init = { ...ctx.init, spiI, nonceI, ke };
  const all = [...payloads, ...initNotifies(ctx, spiI)];
  // The new SPIi passed beside the context, not in a copy of it.
  const p = request(ctx, 'ike-init', IkeExchangeType.IKE_SA_INIT, all, ctx.keys, NO_CHILD, spiI);
  return { update: { init, window: sentWindow(p, ctx.window.queue) }, message: p.message };
}

/** NAT-D over this request's SPIs and ends (SPIr zero, RFC 7296 §2.23); CHILDLESS_IKEV2_SUPPORTED if childless. */
function initNotifies(ctx: Ctx, spiI: string): IkePayload[] {
  return ikeInit.initNotifies(spiI, ZERO_SPI, ctx.input.endpoints?.(), {
    natDetection: ctx.input.cfg.natDetection,
    childless: !ctx.input.method.childInAuth,
  });
}

/** RFC 7296 §1.2: IKE_SA_INIT again with a KE of the group the responder named in INVALID_KE_PAYLOAD. */
export function initRetry(ctx: Ctx, dhGroup: number): Outgoing {
  const { payloads, nonceI, ke } = ikeInit.buildI(ctx.input.cfg, ctx.input.rng, dhGroup, cryptoOf(ctx));
  const all = [...payloads, ...initNotifies(ctx, ctx.init.spiI)];
  const p = request(ctx, 'ike-init', IkeExchangeType.IKE_SA_INIT, all);
  return {
    update: { init: { ...ctx.init, nonceI, dhGroup, ke }, window: sentWindow(p, ctx.window.queue) },
    message: p.message,
  };
}

/**
 * What an accepted IKE_SA_INIT response says beyond the SA (traced, not acted on): NAT-D that does not match the
 * packet's ends (RFC 7296 §2.23; the lab has no NAT, so the float to UDP 4500 is not modelled), and a responder that
 * did not answer CHILDLESS_IKEV2_SUPPORTED to a childless initiator (RFC 6023 §3).
 */
export function initResponseNotes(ctx: Ctx, m: IkeMessage): IkeEmitted[] {
  const out: IkeEmitted[] = [];
  const ends = ctx.input.endpoints?.();
  const nat = ends === undefined ? undefined : natDetectionResult(m, ends);
  if (nat !== undefined && (nat.peerBehindNat || nat.selfBehindNat)) out.push(note('ike.natDetected', { ...nat }));
  if (!ctx.input.method.childInAuth && !ikeInit.saysChildless(m)) out.push(note('ike.childlessUnsupported'));
  return out;
}

/** RFC 7296 §2.6: the same IKE_SA_INIT with N(COOKIE) first. */
export function cookieRetry(ctx: Ctx, cookie: Uint8Array): Outgoing {
  const previous = ctx.window.pending?.message.payloads ?? [];
  const p = request(ctx, 'ike-init', IkeExchangeType.IKE_SA_INIT, ikeInit.withCookie(previous, cookie));
  return {
    update: {
      init: { ...ctx.init, cookieRetries: ctx.init.cookieRetries + 1 },
      window: sentWindow(p, ctx.window.queue),
    },
    message: p.message,
  };
}

/**
 * Is `m` the response to our outstanding request? After IKE_SA_INIT a response must name both SPIs of the SA and be
 * protected (RFC 7296 §3.14): an unprotected one (e.g. a forged or misdirected notify) is never taken for the answer.
 */
export function matchResponse(ctx: Ctx, m: IkeMessage): boolean {
  const p = ctx.window.pending;
  if (!m.response || p === undefined || m.messageId !== p.message.messageId || m.spiI !== p.message.spiI) return false;
  if (p.message.exchangeType === IkeExchangeType.IKE_SA_INIT) return true;
  return m.spiR === p.message.spiR && m.payloads.some((q) => q.kind === 'SK');
}

export function ignoredNote(m: IkeMessage, why: string): IkeEmitted {
  return note('ike.ignored', { messageId: m.messageId, response: m.response, why });
}

/** What an IKE_SA_INIT response says: go on, retry (COOKIE §2.6, INVALID_KE_PAYLOAD §1.2), or fail. */
export type InitReply = { readonly kind: 'cookie'; readonly cookie: Uint8Array } | ikeInit.InitProcessI;

export function initReply(ctx: Ctx, m: IkeMessage): InitReply {
  // The machine asks up to four times per response (three guards in order, then the action): the answer is kept with
  // the message. A pure function's memo over immutable inputs (the message, the configuration, the retries so far);
  // weak, so nothing outlives the message (a module-level last answer kept a whole earlier run's objects alive).
  const cfg = ctx.input.cfg;
  const retries = ctx.init.cookieRetries;
  const last = initReplies.get(m);
  if (last !== undefined && last.cfg === cfg && last.retries === retries) return last.reply;
  const reply = readInitReply(cfg, retries, m);
  initReplies.set(m, { cfg, retries, reply });
  return reply;
}

/**
 * `initReply` for the action that acts on it, the memo's last reader: the entry goes. V8's young-generation GC keeps
 * a WeakMap's values alive whatever their keys (only a full GC resolves ephemerons), so an entry left for the message
 * to die carried its reply (nonce, KE data, proposal) through every scavenge into the old generation.
 */
export function takeInitReply(ctx: Ctx, m: IkeMessage): InitReply {
  const reply = initReply(ctx, m);
  initReplies.delete(m);
  return reply;
}

/** Whether `initReply` holds an answer for `m` (tests: the acting action forgets it). */
export function initReplyMemoized(m: IkeMessage): boolean {
  return initReplies.has(m);
}

const initReplies = new WeakMap<
  IkeMessage,
  { readonly cfg: IkePeerConfig; readonly retries: number; readonly reply: InitReply }
>();

function readInitReply(cfg: IkePeerConfig, cookieRetries: number, m: IkeMessage): InitReply {
  const cookie = ikeInit.cookieOf(m);
  if (cookie !== undefined) {
    return cookieRetries < MAX_COOKIE_RETRIES ? { kind: 'cookie', cookie } : { kind: 'fail', notify: 'COOKIE' };
  }
  return ikeInit.processI(cfg, m);
}

/** The first IKE_AUTH request (RFC 7296 §1.2), after an IKE_SA_INIT response `r` accepted. */
export function authRequest(
  ctx: Ctx,
  m: IkeMessage,
  r: Extract<ikeInit.InitProcessI, { readonly kind: 'ok' }>,
): Outgoing {
  const negotiated: IkeSaKeys = {
    spiI: ctx.init.spiI,
    spiR: m.spiR,
    suite: r.suite,
    dhGroup: r.dhGroup,
    nonceI: ctx.init.nonceI,
    nonceR: r.nonceR,
  };
  // RFC 7296 §2.14: the IKE SA's keys from our KE's private half and the responder's KEr; AUTH signs our request.
  const sentInit = ctx.window.pending?.message ?? m;
  const keys = cryptoOf(ctx).establish(negotiated, 'initiator', ctx.init.ke, findPayload(m, 'KE')?.data, sentInit, m);
  const childSpiIn = randomEspSpi(ctx.input.rng);
  // draft-ietf-ipsec-dhcp-over-ike-00 §3: wildcard selectors unless the method names others.
  const sel = ctx.input.method.authChildSelectors?.() ?? childCreate.defaultChildSelectors();
  const childPayloads = ctx.input.method.childInAuth
    ? childCreate.buildI(ctx.input.cfg, { spiIn: childSpiIn, ...sel })
    : [];
  const payloads = ikeAuth.buildI(
    ctx.input.cfg.identity,
    ctx.input.peerIdentity,
    ctx.input.cfg.pskName,
    keys,
    ctx.input.method.authRequestPayloads(),
    childPayloads,
    // Each initiator machine is one fresh connection: its IKE SA is the only one to this gateway (RFC 7296 §2.4).
    ctx.input.cfg.initialContact,
    ctx.input.method.authPayloadsAfterChild === true,
    cryptoOf(ctx),
  );
  const p = request(ctx, 'ike-auth', IkeExchangeType.IKE_AUTH, payloads, keys);
  return {
    update: {
      keys,
      auth: { ...ctx.auth, childSpiIn },
      // The KE's private half has keyed the IKE SA: it need not stay for the SA's life (a new IKE_SA_INIT draws anew).
      init: withoutKe(ctx.init),
      window: sentWindow(p, ctx.window.queue),
    },
    message: p.message,
  };
}

function withoutKe(init: InitExchange): InitExchange {
  return { spiI: init.spiI, nonceI: init.nonceI, dhGroup: init.dhGroup, cookieRetries: init.cookieRetries };
}

/** AUTHENTICATION_FAILED, or (first round) an AUTH payload that does not verify (RFC 7296 §2.15). */
export function authFailed(ctx: Ctx, m: IkeMessage): boolean {
  if (errorNotifies(m).includes('AUTHENTICATION_FAILED')) return true;
  // Only the first IKE_AUTH response carries AUTH; later rounds carry the method's payloads (draft-ietf §3).
  return (
    ctx.auth.round === 0 &&
    (ctx.keys === undefined || !ikeAuth.processI(m, ctx.input.cfg.pskName, ctx.keys, cryptoOf(ctx)))
  );
}

/** Reads an authenticated IKE_AUTH response: the method's outcome (its hook is called here, once) and the child. */
export function readAuthReply(ctx: Ctx, m: IkeMessage): AuthReply {
  const errors = errorNotifies(m);
  const outcome = ctx.input.method.processAuthResponse(m, errors);
  const child =
    outcome.kind === 'configured' && ctx.input.method.childInAuth
      ? childCreate.processI(ctx.input.cfg, m, errors)
      : undefined;
  return { outcome, child };
}

/** What the context holds once the IKE SA is up (`upState`): one object of fixed shape. */
export interface UpState {
  readonly keys: IkeSaKeys | undefined;
  readonly init: InitExchange;
  readonly children: readonly ClientChild[];
  readonly slotSeq: number;
  readonly timerSlots: readonly string[];
  readonly config: AssignedConfig | undefined;
  readonly auth: Ctx['auth'];
}

/** The IKE SA is up: the IKE_AUTH Child SA (if any) and the inner address the method got. */
export function upState(ctx: Ctx): UpState {
  const reply = ctx.auth.reply;
  const children: ClientChild[] = [];
  if (reply?.child?.ok === true) {
    const r = reply.child;
    const child: ClientChild = {
      spiIn: ctx.auth.childSpiIn,
      spiOut: r.spiOut,
      suite: r.suite,
      tsi: r.tsi,
      tsr: r.tsr,
      slot: MAIN_SLOT,
      seq: 0,
    };
    children.push(child);
    // RFC 7296 §2.17: the IKE_AUTH Child SA's KEYMAT uses the IKE_SA_INIT nonces.
    const keys = ctx.keys;
    if (keys !== undefined)
      cryptoOf(ctx).childKeys(keys, child, keys.nonceI, keys.nonceR, 'initiator', ctx.input.endpoints?.());
  }
  const c = reply?.outcome.kind === 'configured' ? reply.outcome.config : undefined;
  const config = c === undefined || c.address === '' ? undefined : c;
  // The IKE_SA_INIT nonces have keyed the SA, signed AUTH and keyed its Child SA (RFC 7296 §2.14–2.17): they need
  // not stay for the SA's life (`init` keeps its SPI and group; a new IKE_SA_INIT draws a new nonce).
  return {
    keys: ctx.keys === undefined ? undefined : withoutInitNonces(ctx.keys),
    init: { ...ctx.init, nonceI: NO_NONCE },
    children: fitted(children),
    slotSeq: children.length,
    timerSlots: children.reduce((slots, x) => withTimerSlot(slots, x.slot), NO_SLOTS),
    config,
    // IKE_AUTH is over: what it kept (rounds, the Child SA's SPI, a pending disconnect) is read in no later state.
    auth: AUTH_OVER,
  };
}

/**
 * The slots of an IKE SA whose only Child SA is in the main slot: one shared list (lists of slots are never changed in
 * place, `concat` makes a new one), not a list per idle client.
 */
const MAIN_SLOTS: readonly string[] = Object.freeze([MAIN_SLOT]);

/** `slots` with `slot` (unchanged when it is there already). */
export function withTimerSlot(slots: readonly string[], slot: string): readonly string[] {
  if (slots.includes(slot)) return slots;
  return slots.length === 0 && slot === MAIN_SLOT ? MAIN_SLOTS : slots.concat(slot);
}

/** `auth` once the IKE SA is up: one shared value, not an object per idle client. */
const AUTH_OVER: Ctx['auth'] = Object.freeze({ round: 0, reply: undefined, childSpiIn: 0, disconnectAfter: false });

/** The next IKE_AUTH round with the method's payloads (draft-ietf-ipsec-dhcp-over-ike-00 §3). */
export function nextAuthRound(ctx: Ctx, held?: readonly IkePayload[]): Outgoing {
  const o = ctx.auth.reply?.outcome;
  const payloads = held ?? (o?.kind === 'more' ? o.payloads : []);
  const p = request(ctx, 'ike-auth', IkeExchangeType.IKE_AUTH, payloads);
  return {
    update: {
      auth: { ...ctx.auth, round: ctx.auth.round + 1, reply: undefined },
      window: sentWindow(p, ctx.window.queue),
    },
    message: p.message,
  };
}

/** The bound of a held IKE_AUTH round (the method's `hold` answer), 0 when none is held. */
export function authHoldMaxMs(ctx: Ctx): number {
  const o = ctx.auth.reply?.outcome;
  return o?.kind === 'hold' ? o.maxWaitMs : 0;
}

/** Why an IKE SA that authenticated is deleted at once (no address, no Child SA). */
export function authDeleteReason(ctx: Ctx): string {
  const reply = ctx.auth.reply;
  if (ctx.auth.disconnectAfter) return 'disconnect';
  if (reply?.outcome.kind === 'failed') return reply.outcome.notify;
  if (reply?.outcome.kind === 'hold') return 'auth-hold-timeout';
  if (reply?.child?.ok === false) return reply.child.notify;
  return 'disconnect';
}

/** RFC 7296 §1.4.1: the IKE SA is deleted by an INFORMATIONAL with Delete(IKE) inside it. */
export function ikeDeleteRequest(ctx: Ctx, reason: string): Outgoing {
  const p = request(ctx, 'ike-delete', IkeExchangeType.INFORMATIONAL, ikeDelete.buildI());
  return {
    update: {
      closeReason: reason,
      auth: { ...ctx.auth, reply: undefined },
      window: sentWindow(p, ctx.window.queue),
    },
    message: p.message,
  };
}

/** The Child SA rekey timer's wait (strongSwan: rekey_time − random jitter). */
export function childRekeyDelayMs(ctx: Ctx): number {
  const lt = ctx.input.cfg.lifetimes;
  return jittered(lt.childRekeyMs, lt.jitterMs, (n) => ctx.input.rng.intBelow(n));
}

export function ikeRekeyDelayMs(ctx: Ctx): number {
  const lt = ctx.input.cfg.lifetimes;
  return jittered(lt.ikeRekeyMs, lt.jitterMs, (n) => ctx.input.rng.intBelow(n));
}

function queueKey(item: QueueItem): string {
  return item.kind === 'child-rekey' ? `${item.kind}:${item.slot}` : item.kind;
}

/** The queue with `item` added (a rekey or liveness already waiting is not queued twice). */
export function enqueue(queue: readonly QueueItem[], item: QueueItem): readonly QueueItem[] {
  const dedupe = item.kind !== 'child-create' && item.kind !== 'child-delete';
  if (dedupe && queue.some((q) => queueKey(q) === queueKey(item))) return queue;
  return [...queue, item];
}

/** A method request (`ClientMethodContext.requestChild`): a rekey when the slot holds a Child SA, else a create. */
export function childItem(ctx: Ctx, req: ChildRequest): QueueItem {
  if (ctx.children.some((c) => c.slot === req.slot))
    return { kind: 'child-rekey', slot: req.slot, byMethod: true, payloads: req.payloads ?? [] };
  return {
    kind: 'child-create',
    slot: req.slot,
    selectors: req.selectors ?? childCreate.defaultChildSelectors(),
    payloads: req.payloads ?? [],
  };
}

/** A request started from the queue; `cancelTimer`: a Child SA rekey timer that no longer applies. */
export interface Started {
  readonly update: Partial<Ctx>;
  readonly message: IkeMessage | undefined;
  readonly cancelTimer: string | undefined;
}

/**
 * `undefined`: the item no longer applies (its Child SA is gone). `queue`: the queue the request leaves, folded into
 * its update (one object per request started, not three).
 */
function start(ctx: Ctx, item: QueueItem, keys: IkeSaKeys, queue: readonly QueueItem[]): Started | undefined {
  switch (item.kind) {
    case 'child-rekey': {
      const old = ctx.children.find((c) => c.slot === item.slot);
      if (old === undefined) return undefined;
      const spiIn = randomEspSpi(ctx.input.rng);
      const info: ChildExchangeInfo = {
        slot: item.slot,
        rekey: true,
        selectors: { tsi: old.tsi, tsr: old.tsr },
        byMethod: item.byMethod,
      };
      const extra = item.payloads ?? ctx.input.method.childRequestPayloads?.(info) ?? [];
      const payloads = childRekey.buildI(
        ctx.input.cfg,
        ctx.input.rng,
        old.spiIn,
        { spiIn, tsi: old.tsi, tsr: old.tsr },
        extra,
      );
      const p = request(ctx, 'child-rekey', IkeExchangeType.CREATE_CHILD_SA, payloads, keys, { info, spiIn, old });
      return withQueue(p, queue, undefined);
    }
    case 'child-create': {
      const spiIn = randomEspSpi(ctx.input.rng);
      const info: ChildExchangeInfo = { slot: item.slot, rekey: false, selectors: item.selectors, byMethod: true };
      const payloads = childCreate.buildCreateI(
        ctx.input.cfg,
        ctx.input.rng,
        { spiIn, ...item.selectors },
        item.payloads,
      );
      const p = request(ctx, 'child-create', IkeExchangeType.CREATE_CHILD_SA, payloads, keys, { info, spiIn });
      return withQueue(p, queue, undefined);
    }
    case 'child-delete': {
      const child = ctx.children.find((c) => c.slot === item.slot);
      if (child === undefined) return undefined;
      // RFC 7296 §1.4.1: we stop sending on it now; its inbound side lives until the response.
      const p = request(ctx, 'child-delete', IkeExchangeType.INFORMATIONAL, childDelete.buildI(child.spiIn), keys, {
        spiIn: child.spiIn,
      });
      return {
        update: { children: ctx.children.filter((c) => c !== child), window: sentWindow(p, queue) },
        message: p.message,
        cancelTimer: childRekeyTimerId(child.slot),
      };
    }
    case 'ike-rekey': {
      const spiI = randomIkeSpi(ctx.input.rng);
      const { payloads, nonceI, ke } = ikeRekey.buildI(keys, spiI, ctx.input.rng, cryptoOf(ctx));
      const p = request(ctx, 'ike-rekey', IkeExchangeType.CREATE_CHILD_SA, payloads);
      return {
        update: { newKeys: { ...keys, spiI, nonceI, pendingKe: ke }, window: sentWindow(p, queue) },
        message: p.message,
        cancelTimer: undefined,
      };
    }
    case 'liveness':
      return withQueue(request(ctx, 'liveness', IkeExchangeType.INFORMATIONAL, liveness.buildI()), queue, undefined);
  }
}

/** A request started from the queue that changes nothing else: the queue it leaves in its update. */
function withQueue(p: Pending, queue: readonly QueueItem[], cancelTimer: string | undefined): Started {
  return { update: { window: sentWindow(p, queue) }, message: p.message, cancelTimer };
}

/**
 * The window is free: the first queued exchange that still applies goes out (RFC 7296 §2.3, window 1). `undefined`
 * when a request is outstanding or nothing is queued. `queued`: the queue as the action leaves it (default the
 * context's).
 */
export function startNext(ctx: Ctx, queued: readonly QueueItem[] = ctx.window.queue): Started | undefined {
  const keys = ctx.keys;
  const w = ctx.window;
  if (w.pending !== undefined || keys === undefined || queued.length === 0) return undefined;
  // An index, not `[head, ...rest]`: one array per item tried became one per request started.
  for (let i = 0; i < queued.length; i++) {
    const rest = i + 1 === queued.length ? NO_QUEUE : queued.slice(i + 1);
    // `start` reads the SA (keys, children, IDs), not the queue: no copy of the context per item.
    const s = start(ctx, queued[i] as QueueItem, keys, rest);
    if (s !== undefined) return s;
  }
  return {
    update: { window: requestWindow(w.nextId, w.pending, w.invalidSpiHints, NO_QUEUE) },
    message: undefined,
    cancelTimer: undefined,
  };
}

/** Reads a CREATE_CHILD_SA response (new Child SA or rekey); the method's hook is called here, once. */
export function readChildReply(ctx: Ctx, m: IkeMessage): ChildReply | undefined {
  const p = ctx.window.pending;
  const info = p?.info;
  const spiIn = p?.spiIn;
  if (p === undefined || info === undefined || spiIn === undefined) return undefined;
  const errors = errorNotifies(m);
  const old = p.old;
  const stillThere = old === undefined || ctx.children.includes(old);
  const result = childCreate.processI(ctx.input.cfg, m, errors);
  // RFC 7296 §2.25: retry later (strongSwan: a few seconds, randomised). The method is told; its outcome is moot.
  const retry = info.rekey && (errors.includes('TEMPORARY_FAILURE') || !stillThere);
  const hooked = ctx.input.method.processChildResponse?.(info, m, errors);
  const outcome =
    hooked ?? (result.ok ? { kind: 'accept' as const } : { kind: 'reject' as const, reason: result.notify });
  const none = new Uint8Array(0);
  const nonceI = findPayload(p.message, 'Nonce')?.data ?? none;
  const nonceR = findPayload(m, 'Nonce')?.data ?? none;
  return { info, spiIn, old, retry, result, outcome, nonceI, nonceR };
}

/**
 * The Child SA a reply created (or rekeyed into), and the context that holds it: the exchange is over (no request
 * outstanding, RFC 7296 §2.1). The update is a literal of one of two fixed shapes (with or without a new address).
 */
export function installChild(ctx: Ctx): { readonly child: ClientChild; readonly update: Partial<Ctx> } | undefined {
  const reply = ctx.childReply;
  if (reply === undefined || !reply.result.ok) return undefined;
  const r = reply.result;
  const { info, old } = reply;
  const child: ClientChild = {
    spiIn: reply.spiIn,
    spiOut: r.spiOut,
    suite: r.suite,
    tsi: r.tsi,
    tsr: r.tsr,
    slot: info.slot,
    seq: old?.seq ?? ctx.slotSeq,
  };
  // RFC 7296 §2.17: a CREATE_CHILD_SA Child SA's KEYMAT uses that exchange's nonces.
  if (ctx.keys !== undefined)
    cryptoOf(ctx).childKeys(ctx.keys, child, reply.nonceI, reply.nonceR, 'initiator', ctx.input.endpoints?.());
  // concat and map give arrays sized to fit; a spread after another list grows one (room for 16, kept while idle).
  const children = old === undefined ? ctx.children.concat(child) : ctx.children.map((c) => (c === old ? child : c));
  const config = reply.outcome.kind === 'accept' ? reply.outcome.config : undefined;
  const slotSeq = old === undefined ? ctx.slotSeq + 1 : ctx.slotSeq;
  const timerSlots = withTimerSlot(ctx.timerSlots, info.slot);
  const window = endedWindow(ctx.window);
  return {
    child,
    update:
      config === undefined
        ? { children, slotSeq, timerSlots, window }
        : { config, children, slotSeq, timerSlots, window },
  };
}

/** RFC 7296 §1.4.1 / §2.8: delete a Child SA we will not use (rejected) or the one a rekey replaced. */
export function childDeleteRequest(ctx: Ctx, spiIn: number): Outgoing {
  return requestOnly(
    ctx,
    request(ctx, 'child-delete-old', IkeExchangeType.INFORMATIONAL, childDelete.buildI(spiIn), ctx.keys, { spiIn }),
  );
}

/** The new IKE SA's keys from the IKE rekey response (RFC 7296 §2.18), or undefined. */
export function rekeyedKeys(ctx: Ctx, m: IkeMessage): IkeSaKeys | undefined {
  const r = ikeRekey.processI(m);
  const nk = ctx.newKeys;
  if (r === undefined || nk === undefined || ctx.keys === undefined) return undefined;
  // RFC 7296 §2.18: SKEYSEED from the old SA's SK_d and the new exchange's g^ir and nonces.
  return cryptoOf(ctx).rekey(ctx.keys, { ...nk, spiR: r.spiR, nonceR: r.nonceR }, 'initiator', nk.pendingKe, r.ke);
}

/** RFC 7296 §2.18: after the rekey, the old IKE SA is deleted (inside the old SA). */
export function oldIkeDeleteRequest(ctx: Ctx, newKeys: IkeSaKeys): Outgoing {
  const p = request(ctx, 'ike-delete-old', IkeExchangeType.INFORMATIONAL, ikeDelete.buildI());
  return {
    update: { newKeys, window: sentWindow(p, ctx.window.queue) },
    message: p.message,
  };
}

/** What a request from the gateway gets (RFC 7296 §1.4, §2.4): an answer, notes, Child SAs it deleted. */
export interface PeerAnswer {
  readonly update: Partial<Ctx> | undefined;
  readonly emits: readonly IkeEmitted[];
  /** Child SA rekey timers to cancel (their Child SAs were deleted). */
  readonly cancelSlots: readonly string[];
}

const NO_SLOTS: readonly string[] = [];

export function peerAnswer(ctx: Ctx, m: IkeMessage): PeerAnswer {
  const keys = ctx.keys;
  if (keys === undefined) return { update: undefined, emits: [ignoredNote(m, 'no IKE SA')], cancelSlots: NO_SLOTS };
  const nk = ctx.newKeys;
  if (nk !== undefined && m.spiI === nk.spiI)
    return {
      update: undefined,
      emits: [ignoredNote(m, 'for the new IKE SA of a rekey not yet finished')],
      cancelSlots: NO_SLOTS,
    };
  if (m.spiI !== keys.spiI || m.spiR !== keys.spiR) {
    // Not this IKE SA (e.g. an older one the gateway still keeps): RFC 7296 §2.21.4, answer outside any IKE SA.
    const resp = invalidSpi.buildResponse(m, true);
    return {
      update: undefined,
      emits: [
        note('ike.unknownSpi', { spiI: m.spiI, messageId: m.messageId }),
        ...(resp === undefined ? [] : [{ type: 'net.send' as const, message: resp }]),
      ],
      cancelSlots: NO_SLOTS,
    };
  }
  if (m.messageId === ctx.peer.nextId - 1 && ctx.peer.lastResponse !== undefined)
    return { update: undefined, emits: [{ type: 'net.send', message: ctx.peer.lastResponse }], cancelSlots: NO_SLOTS };
  if (m.messageId !== ctx.peer.nextId)
    return {
      update: undefined,
      emits: [ignoredNote(m, `expected request #${ctx.peer.nextId}`)],
      cancelSlots: NO_SLOTS,
    };
  if (m.exchangeType !== IkeExchangeType.INFORMATIONAL)
    return {
      update: undefined,
      emits: [ignoredNote(m, 'only INFORMATIONAL requests are handled')],
      cancelSlots: NO_SLOTS,
    };
  const deleteIke = ikeDelete.processR(m);
  const childSpis = childDelete.processR(m);
  const mine = ctx.children.filter((c) => childSpis.includes(c.spiOut));
  const resp = ikeMessage(
    addressing(keys, true),
    IkeExchangeType.INFORMATIONAL,
    m.messageId,
    true,
    deleteIke ? ikeDelete.buildR() : childDelete.buildR(mine.map((c) => c.spiIn)),
  );
  return {
    update: {
      peer: { nextId: m.messageId + 1, lastResponse: resp },
      children: ctx.children.filter((c) => !mine.includes(c)),
    },
    emits: [
      { type: 'net.send', message: resp },
      ...(mine.length > 0 ? [{ type: 'ike.childDeleted' as const, spisIn: mine.map((c) => c.spiIn) }] : []),
    ],
    cancelSlots: mine.map((c) => c.slot),
  };
}

/** Is `m` the gateway's next request on this IKE SA, and does it delete the IKE SA (RFC 7296 §1.4.1)? */
export function peerDeletesIke(ctx: Ctx, m: IkeMessage): boolean {
  const keys = ctx.keys;
  if (keys === undefined || m.response) return false;
  if (m.spiI !== keys.spiI || m.spiR !== keys.spiR || m.messageId !== ctx.peer.nextId) return false;
  return m.exchangeType === IkeExchangeType.INFORMATIONAL && ikeDelete.processR(m);
}

/** Does `m` look like the peer's INVALID_IKE_SPI answer to our outstanding request (RFC 7296 §2.21.4)? */
export function isInvalidSpiHint(ctx: Ctx, m: IkeMessage): boolean {
  const keys = ctx.keys;
  return keys !== undefined && invalidSpi.matches(m, keys.spiI, keys.spiR, ctx.window.pending?.message.messageId);
}
