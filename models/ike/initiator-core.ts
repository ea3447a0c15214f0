/**
 * The IKE SA initiator's handlers (the client side): one function per (state, event), built from the task functions.
 * RFC 7296 §2.1–2.3: window 1, one request outstanding; only we retransmit our requests (bit-identical: the same
 * message value is re-emitted); a response whose ID is not the outstanding one is ignored and noted.
 */
import type { RandomStream } from '../contract.ts';
import { IkeExchangeType, type IkeMessage, type IkePayload } from '../wire/ike/index.ts';
import type { ChildExchangeInfo, ChildRequest, ChildSelectors, IkeClientHooks } from './hooks.ts';
import type { IkePeerConfig } from './config.ts';
import { addressing, errorNotifies, ikeMessage } from './messages.ts';
import { retransmitWaitsMs } from './retransmit.ts';
import { randomEspSpi, randomIkeSpi, ZERO_SPI, type ClientChild, type IkeSaKeys } from './sa.ts';
import { jittered, note, type IkeEmitted, type Step, type TimerSpec } from './steps.ts';
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

export type ExchangeKind =
  | 'ike-init'
  | 'ike-auth'
  | 'child-create'
  | 'child-rekey'
  | 'child-delete'
  | 'child-delete-old'
  | 'ike-rekey'
  | 'ike-delete-old'
  | 'liveness'
  | 'ike-delete';

/** An exchange waiting for the window (RFC 7296 §2.3: window 1 here). */
export type QueueItem =
  | {
      readonly kind: 'child-rekey';
      readonly slot: string;
      readonly byMethod: boolean;
      readonly payloads?: readonly IkePayload[];
    }
  | {
      readonly kind: 'child-create';
      readonly slot: string;
      readonly selectors: ChildSelectors;
      readonly payloads: readonly IkePayload[];
    }
  | { readonly kind: 'child-delete'; readonly slot: string }
  | { readonly kind: 'ike-rekey' | 'liveness' | 'ike-delete' };

export interface Pending {
  readonly kind: ExchangeKind;
  readonly message: IkeMessage;
  /** Index of the last send (0 = first). */
  readonly sendIndex: number;
  /** Child exchanges: what the method hooks are told. */
  readonly info?: ChildExchangeInfo;
  /** The new Child SA's inbound SPI (create/rekey) or the deleted one's (delete). */
  readonly spiIn?: number;
  /** The Child SA being rekeyed. */
  readonly old?: ClientChild;
}

export interface InitiatorInput {
  readonly cfg: IkePeerConfig;
  readonly method: IkeClientHooks;
  /** IDr to send, if any (RFC 7296 §1.2 "[IDr]"). */
  readonly peerIdentity?: string;
  readonly rng: RandomStream;
}

export interface InitiatorContext extends InitiatorInput {
  readonly keys: IkeSaKeys | undefined;
  readonly spiI: string;
  readonly nonceI: Uint8Array;
  readonly dhGroup: number;
  readonly nextId: number;
  readonly pending: Pending | undefined;
  /** Live Child SAs, one per slot (a rekeyed one leaves this list when its replacement arrives). */
  readonly children: readonly ClientChild[];
  /** Next slot age (`ClientChild.seq`). */
  readonly slotSeq: number;
  /** Slots whose rekey timer may be armed (cancelled on close). */
  readonly timerSlots: readonly string[];
  /** The IKE_AUTH child's inbound SPI. */
  readonly childSpiIn: number;
  /** IKE_AUTH rounds answered so far (draft-ietf-ipsec-dhcp-over-ike-00 §3). */
  readonly authRound: number;
  readonly config: AssignedConfig | undefined;
  /** Exchanges waiting for the window (rekeys or liveness due while another exchange is outstanding). */
  readonly queue: readonly QueueItem[];
  readonly newKeys: IkeSaKeys | undefined;
  readonly closeReason: string;
  /** Next request ID we expect from the gateway, and our cached response (RFC 7296 §2.1). */
  readonly peerNextId: number;
  readonly lastResponse: IkeMessage | undefined;
  /** Unprotected INVALID_IKE_SPI answers to the outstanding request since it was sent (RFC 7296 §2.21.4). */
  readonly invalidSpiHints: number;
  /** `cmd.disconnect` arrived while IKE_AUTH was outstanding: delete the IKE SA as soon as the response is in. */
  readonly disconnectAfterAuth: boolean;
}

/** The slot of the Child SA created by IKE_AUTH. */
export const MAIN_SLOT = 'main';

export function childRekeyTimerId(slot: string): string {
  return `timer.childRekey:${slot}`;
}

type S = Step<InitiatorContext>;
type Ctx = InitiatorContext;

export function initialContext(input: InitiatorInput): Ctx {
  return {
    ...input,
    keys: undefined,
    spiI: ZERO_SPI,
    nonceI: new Uint8Array(0),
    dhGroup: input.cfg.dhGroups[0] ?? 31,
    nextId: 0,
    pending: undefined,
    children: [],
    slotSeq: 0,
    timerSlots: [],
    childSpiIn: 0,
    authRound: 0,
    config: undefined,
    queue: [],
    newKeys: undefined,
    closeReason: '',
    peerNextId: 0,
    lastResponse: undefined,
    invalidSpiHints: 0,
    disconnectAfterAuth: false,
  };
}

const RETRANSMIT = 'retransmit';

/** Sends a new request on the SA: next message ID, arm the retransmission timer (RFC 7296 §2.1). */
function request(
  ctx: Ctx,
  kind: ExchangeKind,
  exchangeType: number,
  payloads: readonly IkePayload[],
  extra: Partial<Ctx> = {},
  keys = ctx.keys,
  pendingExtra: Partial<Pending> = {},
): S {
  const a =
    keys === undefined
      ? { spiI: ctx.spiI, spiR: ZERO_SPI, originalInitiator: true, suite: undefined }
      : addressing(keys, true);
  const id = exchangeType === IkeExchangeType.IKE_SA_INIT ? 0 : ctx.nextId;
  const message = ikeMessage(a, exchangeType, id, false, payloads);
  const waits = retransmitWaitsMs(ctx.cfg.retransmit);
  return {
    ctx: { ...extra, nextId: id + 1, pending: { ...pendingExtra, kind, message, sendIndex: 0 }, invalidSpiHints: 0 },
    emits: [{ type: 'net.send', message }],
    cancel: [RETRANSMIT],
    timers: [{ id: RETRANSMIT, event: 'timer.retransmit', delayMs: waits[0] ?? 0 }],
  };
}

function merge(a: S, b: S): S {
  return {
    ctx: { ...a.ctx, ...b.ctx },
    emits: [...(a.emits ?? []), ...(b.emits ?? [])],
    cancel: [...(a.cancel ?? []), ...(b.cancel ?? [])],
    timers: [...(a.timers ?? []), ...(b.timers ?? [])],
    go: b.go ?? a.go,
  };
}

export function connect(ctx: Ctx): S {
  const spiI = randomIkeSpi(ctx.rng);
  const { payloads, nonceI } = ikeInit.buildI(ctx.cfg, ctx.rng, ctx.dhGroup);
  return {
    ...request({ ...ctx, spiI }, 'ike-init', IkeExchangeType.IKE_SA_INIT, payloads, { spiI, nonceI }),
    go: 'initSent',
  };
}

function allTimers(ctx: Ctx): string[] {
  return [RETRANSMIT, ...ctx.timerSlots.map(childRekeyTimerId), 'timer.ikeRekey', 'timer.liveness'];
}

export function retransmit(ctx: Ctx): S {
  const p = ctx.pending;
  if (p === undefined) return {};
  const waits = retransmitWaitsMs(ctx.cfg.retransmit);
  if (p.sendIndex >= ctx.cfg.retransmit.tries) {
    // RFC 7296 §2.4: no answer after the retransmissions ⇒ the peer is dead; the IKE SA is gone without a Delete.
    return {
      ctx: { pending: undefined, closeReason: 'dead-peer' },
      cancel: allTimers(ctx).filter((t) => t !== RETRANSMIT),
      emits: [
        note('ike.giveUp', { exchange: p.kind, messageId: p.message.messageId }),
        { type: 'ike.closed', reason: 'dead-peer' },
      ],
      go: 'closed',
    };
  }
  const sendIndex = p.sendIndex + 1;
  return {
    ctx: { pending: { ...p, sendIndex } },
    emits: [{ type: 'net.send', message: p.message }],
    timers: [{ id: RETRANSMIT, event: 'timer.retransmit', delayMs: waits[sendIndex] ?? 0 }],
  };
}

/**
 * Is `m` the response to our outstanding request? If not, the step notes and ignores it. After IKE_SA_INIT a
 * response must name both SPIs of the SA and be protected (RFC 7296 §3.14): an unprotected one (e.g. a forged or
 * misdirected notify) is never taken for the answer.
 */
export function matchResponse(ctx: Ctx, m: IkeMessage): boolean {
  const p = ctx.pending;
  if (!m.response || p === undefined || m.messageId !== p.message.messageId || m.spiI !== p.message.spiI) return false;
  if (p.message.exchangeType === IkeExchangeType.IKE_SA_INIT) return true;
  return m.spiR === p.message.spiR && m.payloads.some((q) => q.kind === 'SK');
}

function ignored(m: IkeMessage, why: string): S {
  return { emits: [note('ike.ignored', { messageId: m.messageId, response: m.response, why })] };
}

function done(): S {
  return { ctx: { pending: undefined, invalidSpiHints: 0 }, cancel: [RETRANSMIT] };
}

function fail(ctx: Ctx, reason: string): S {
  return {
    ctx: { pending: undefined, closeReason: reason },
    cancel: allTimers(ctx),
    emits: [{ type: 'ike.closed', reason }],
    go: 'closed',
  };
}

export function initResponse(ctx: Ctx, m: IkeMessage): S {
  if (!matchResponse(ctx, m)) return ignored(m, 'not the outstanding request');
  const r = ikeInit.processI(ctx.cfg, m);
  if (r.kind === 'retry') {
    // RFC 7296 §1.2: retry with a KE of the group the responder named.
    const { payloads, nonceI } = ikeInit.buildI(ctx.cfg, ctx.rng, r.dhGroup);
    return merge(merge(done(), { emits: [note('ike.invalidKe', { group: r.dhGroup })] }), {
      ...request(ctx, 'ike-init', IkeExchangeType.IKE_SA_INIT, payloads, { nonceI, dhGroup: r.dhGroup }),
      go: 'initSent',
    });
  }
  if (r.kind === 'fail') return merge(done(), fail(ctx, r.notify));
  const keys: IkeSaKeys = {
    spiI: ctx.spiI,
    spiR: m.spiR,
    suite: r.suite,
    dhGroup: r.dhGroup,
    nonceI: ctx.nonceI,
    nonceR: r.nonceR,
  };
  const childSpiIn = randomEspSpi(ctx.rng);
  // draft-ietf-ipsec-dhcp-over-ike-00 §3: wildcard selectors unless the method names others.
  const sel = ctx.method.authChildSelectors?.() ?? childCreate.defaultChildSelectors();
  const childPayloads = ctx.method.childInAuth ? childCreate.buildI(ctx.cfg, { spiIn: childSpiIn, ...sel }) : [];
  const payloads = ikeAuth.buildI(
    ctx.cfg.identity,
    ctx.peerIdentity,
    ctx.cfg.pskName,
    keys,
    ctx.method.authRequestPayloads(),
    childPayloads,
    // Each initiator machine is one fresh connection: its IKE SA is the only one to this gateway (RFC 7296 §2.4).
    ctx.cfg.initialContact,
  );
  return merge(done(), {
    ...request({ ...ctx, keys }, 'ike-auth', IkeExchangeType.IKE_AUTH, payloads, { keys, childSpiIn }, keys),
    go: 'authSent',
  });
}

function childRekeyTimer(ctx: Ctx, slot: string): TimerSpec {
  const lt = ctx.cfg.lifetimes;
  return {
    id: childRekeyTimerId(slot),
    event: 'timer.childRekey',
    data: { slot },
    delayMs: jittered(lt.childRekeyMs, lt.jitterMs, (n) => ctx.rng.intBelow(n)),
  };
}

function ikeRekeyTimer(ctx: Ctx): TimerSpec {
  const lt = ctx.cfg.lifetimes;
  return {
    id: 'timer.ikeRekey',
    event: 'timer.ikeRekey',
    delayMs: jittered(lt.ikeRekeyMs, lt.jitterMs, (n) => ctx.rng.intBelow(n)),
  };
}

function lifetimeTimers(ctx: Ctx, slots: readonly string[]): TimerSpec[] {
  const lt = ctx.cfg.lifetimes;
  const out: TimerSpec[] = [];
  if (lt.childRekeyMs > 0) for (const slot of slots) out.push(childRekeyTimer(ctx, slot));
  if (lt.ikeRekeyMs > 0) out.push(ikeRekeyTimer(ctx));
  if (lt.livenessMs > 0) out.push({ id: 'timer.liveness', event: 'timer.liveness', delayMs: lt.livenessMs });
  return out;
}

function deleteIkeAfterFailure(ctx: Ctx, reason: string): S {
  return {
    ...request(ctx, 'ike-delete', IkeExchangeType.INFORMATIONAL, ikeDelete.buildI(), { closeReason: reason }),
    go: 'deleting',
  };
}

export function authResponse(ctx: Ctx, m: IkeMessage): S {
  if (!matchResponse(ctx, m) || ctx.keys === undefined) return ignored(m, 'not the outstanding request');
  const keys = ctx.keys;
  const errors = errorNotifies(m);
  if (errors.includes('AUTHENTICATION_FAILED')) return merge(done(), fail(ctx, 'AUTHENTICATION_FAILED'));
  // Only the first IKE_AUTH response carries AUTH; later rounds carry the method's payloads (draft-ietf §3).
  if (ctx.authRound === 0 && !ikeAuth.processI(m, ctx.cfg.pskName, keys))
    return merge(done(), fail(ctx, 'AUTHENTICATION_FAILED'));
  // The user disconnected while IKE_AUTH was outstanding. The peer authenticated, so the IKE SA exists (RFC 7296
  // §1.2) and is deleted the only way RFC 7296 allows, by a Delete inside it (§1.4.1); the tunnel never comes up.
  if (ctx.disconnectAfterAuth) return merge(done(), deleteIkeAfterFailure(ctx, 'disconnect'));
  const outcome = ctx.method.processAuthResponse(m, errors);
  if (outcome.kind === 'more') {
    const round = ctx.authRound + 1;
    return merge(done(), {
      ...request(ctx, 'ike-auth', IkeExchangeType.IKE_AUTH, outcome.payloads, { authRound: round }),
      go: 'authSent',
    });
  }
  // RFC 7296 §1.2/§2.19: the IKE SA is up but no Child SA / address; a client without an address has no use for
  // it and deletes it (what strongSwan does when a requested virtual IP is missing).
  if (outcome.kind === 'failed') return merge(done(), deleteIkeAfterFailure(ctx, outcome.notify));
  const children: ClientChild[] = [];
  if (ctx.method.childInAuth) {
    const r = childCreate.processI(ctx.cfg, m, errors);
    if (!r.ok) return merge(done(), deleteIkeAfterFailure(ctx, r.notify));
    children.push({
      spiIn: ctx.childSpiIn,
      spiOut: r.spiOut,
      suite: r.suite,
      tsi: r.tsi,
      tsr: r.tsr,
      slot: MAIN_SLOT,
      seq: 0,
    });
  }
  const config = outcome.config === undefined || outcome.config.address === '' ? undefined : outcome.config;
  const slots = children.map((c) => c.slot);
  const up: S = {
    ctx: { children, slotSeq: children.length, timerSlots: slots, config },
    emits: [{ type: 'ike.up', keys, config, child: children[0] }],
    timers: lifetimeTimers(ctx, slots),
    go: 'established',
  };
  // Requests the method queued before the IKE SA was up go out now.
  const after = { ...ctx, children, slotSeq: children.length, timerSlots: slots, config };
  return merge(merge(done(), up), next(after, {}));
}

function queueKey(item: QueueItem): string {
  return item.kind === 'child-rekey' ? `${item.kind}:${item.slot}` : item.kind;
}

/** Starts an exchange now, or queues it while another is outstanding (window 1). */
export function want(ctx: Ctx, item: QueueItem, busy: boolean): S {
  if (busy) {
    const dedupe = item.kind !== 'child-create' && item.kind !== 'child-delete';
    if (dedupe && ctx.queue.some((q) => queueKey(q) === queueKey(item))) return {};
    return { ctx: { queue: [...ctx.queue, item] } };
  }
  return start(ctx, item);
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

/** Before the IKE SA is up, method requests wait in the queue. */
export function queueEarly(ctx: Ctx, item: QueueItem): S {
  return { ctx: { queue: [...ctx.queue, item] } };
}

function start(ctx: Ctx, item: QueueItem): S {
  const keys = ctx.keys;
  if (keys === undefined) return {};
  switch (item.kind) {
    case 'child-rekey': {
      const old = ctx.children.find((c) => c.slot === item.slot);
      if (old === undefined) return next(ctx, {});
      const spiIn = randomEspSpi(ctx.rng);
      const info: ChildExchangeInfo = {
        slot: item.slot,
        rekey: true,
        selectors: { tsi: old.tsi, tsr: old.tsr },
        byMethod: item.byMethod,
      };
      const extra = item.payloads ?? ctx.method.childRequestPayloads?.(info) ?? [];
      const payloads = childRekey.buildI(ctx.cfg, ctx.rng, old.spiIn, { spiIn, tsi: old.tsi, tsr: old.tsr }, extra);
      return {
        ...request(ctx, 'child-rekey', IkeExchangeType.CREATE_CHILD_SA, payloads, {}, keys, { info, spiIn, old }),
        go: 'busy',
      };
    }
    case 'child-create': {
      const spiIn = randomEspSpi(ctx.rng);
      const info: ChildExchangeInfo = { slot: item.slot, rekey: false, selectors: item.selectors, byMethod: true };
      const payloads = childCreate.buildCreateI(ctx.cfg, ctx.rng, { spiIn, ...item.selectors }, item.payloads);
      return {
        ...request(ctx, 'child-create', IkeExchangeType.CREATE_CHILD_SA, payloads, {}, keys, { info, spiIn }),
        go: 'busy',
      };
    }
    case 'child-delete': {
      const child = ctx.children.find((c) => c.slot === item.slot);
      if (child === undefined) return next(ctx, {});
      // RFC 7296 §1.4.1: we stop sending on it now; its inbound side lives until the response.
      return {
        ...request(
          ctx,
          'child-delete',
          IkeExchangeType.INFORMATIONAL,
          childDelete.buildI(child.spiIn),
          { children: ctx.children.filter((c) => c !== child) },
          keys,
          { spiIn: child.spiIn },
        ),
        cancel: [RETRANSMIT, childRekeyTimerId(child.slot)],
        go: 'busy',
      };
    }
    case 'ike-rekey': {
      const spiI = randomIkeSpi(ctx.rng);
      const { payloads, nonceI } = ikeRekey.buildI(keys, spiI, ctx.rng);
      return {
        ...request(ctx, 'ike-rekey', IkeExchangeType.CREATE_CHILD_SA, payloads, { newKeys: { ...keys, spiI, nonceI } }),
        go: 'busy',
      };
    }
    case 'liveness':
      return { ...request(ctx, 'liveness', IkeExchangeType.INFORMATIONAL, liveness.buildI()), go: 'busy' };
    case 'ike-delete':
      return {
        ...request(ctx, 'ike-delete', IkeExchangeType.INFORMATIONAL, ikeDelete.buildI(), { closeReason: 'disconnect' }),
        go: 'deleting',
      };
  }
}

function next(ctx: Ctx, after: Partial<Ctx>): S {
  const merged = { ...ctx, ...after, pending: undefined };
  const [head, ...rest] = merged.queue;
  if (head === undefined) return { ctx: after, go: 'ready' };
  return merge({ ctx: { ...after, queue: rest } }, start({ ...merged, queue: rest }, head));
}

function childResponse(ctx: Ctx, m: IkeMessage, p: Pending, errors: readonly string[]): S {
  const d = done();
  const info = p.info;
  const spiIn = p.spiIn;
  if (info === undefined || spiIn === undefined) return merge(d, next(ctx, {}));
  const old = p.old;
  const stillThere = old === undefined || ctx.children.includes(old);
  if (info.rekey && (errors.includes('TEMPORARY_FAILURE') || !stillThere)) {
    // RFC 7296 §2.25: retry later (strongSwan: a few seconds, randomised). The method is told; its outcome is moot.
    ctx.method.processChildResponse?.(info, m, errors);
    const delayMs = 2000 + ctx.rng.intBelow(3001);
    return merge(merge(d, next(ctx, {})), {
      emits: [note('ike.rekeyRetry', { slot: info.slot, delayMs })],
      cancel: [childRekeyTimerId(info.slot)],
      timers: [{ id: childRekeyTimerId(info.slot), event: 'timer.childRekey', data: { slot: info.slot }, delayMs }],
    });
  }
  const r = childCreate.processI(ctx.cfg, m, errors);
  const outcome =
    ctx.method.processChildResponse?.(info, m, errors) ??
    (r.ok ? { kind: 'accept' as const } : { kind: 'reject' as const, reason: r.notify });
  if (!r.ok) {
    const text = info.rekey ? 'ike.rekeyFailed' : 'ike.childFailed';
    return merge(d, merge(next(ctx, {}), { emits: [note(text, { slot: info.slot, notify: r.notify })] }));
  }
  if (outcome.kind === 'reject') {
    // The responder created it; we will not use it (RFC 7296 §1.4.1).
    // The note goes before the request's own emits (its send), not in place of them.
    const del = request(
      ctx,
      'child-delete-old',
      IkeExchangeType.INFORMATIONAL,
      childDelete.buildI(spiIn),
      {},
      ctx.keys,
      {
        spiIn,
      },
    );
    return merge(d, {
      ...del,
      emits: [note('ike.childRejected', { slot: info.slot, reason: outcome.reason }), ...(del.emits ?? [])],
      go: 'busy',
    });
  }
  const child: ClientChild = {
    spiIn,
    spiOut: r.spiOut,
    suite: r.suite,
    tsi: r.tsi,
    tsr: r.tsr,
    slot: info.slot,
    seq: old?.seq ?? ctx.slotSeq,
  };
  const children = old === undefined ? [...ctx.children, child] : ctx.children.map((c) => (c === old ? child : c));
  const configured: S =
    outcome.config === undefined
      ? {}
      : { ctx: { config: outcome.config }, emits: [{ type: 'ike.configured', config: outcome.config }] };
  const base: S = merge(configured, {
    ctx: {
      children,
      slotSeq: old === undefined ? ctx.slotSeq + 1 : ctx.slotSeq,
      timerSlots: ctx.timerSlots.includes(info.slot) ? ctx.timerSlots : [...ctx.timerSlots, info.slot],
    },
    emits: [{ type: 'ike.child', child, replaces: old }],
    cancel: ctx.cfg.lifetimes.childRekeyMs > 0 ? [childRekeyTimerId(info.slot)] : [],
    timers: ctx.cfg.lifetimes.childRekeyMs > 0 ? [childRekeyTimer(ctx, info.slot)] : [],
  });
  const after = { ...ctx, ...base.ctx };
  if (old === undefined) return merge(d, merge(base, next(after, base.ctx ?? {})));
  // RFC 7296 §2.8: the rekey initiator deletes the old Child SA.
  const del = request(
    after,
    'child-delete-old',
    IkeExchangeType.INFORMATIONAL,
    childDelete.buildI(old.spiIn),
    {},
    ctx.keys,
    {
      spiIn: old.spiIn,
    },
  );
  return merge(d, merge(base, { ...del, go: 'busy' }));
}

export function exchangeResponse(ctx: Ctx, m: IkeMessage): S {
  if (!matchResponse(ctx, m) || ctx.pending === undefined || ctx.keys === undefined)
    return ignored(m, 'not the outstanding request');
  const keys = ctx.keys;
  const p = ctx.pending;
  const d = done();
  const errors = errorNotifies(m);
  switch (p.kind) {
    case 'child-rekey':
    case 'child-create':
      return childResponse(ctx, m, p, errors);
    case 'child-delete':
    case 'child-delete-old':
      return merge(
        merge(d, { emits: [{ type: 'ike.childDeleted', spisIn: p.spiIn === undefined ? [] : [p.spiIn] }] }),
        next(ctx, {}),
      );
    case 'ike-rekey': {
      const r = ikeRekey.processI(m);
      const nk = ctx.newKeys;
      if (r === undefined || nk === undefined) return merge(d, next(ctx, { newKeys: undefined }));
      const newKeys: IkeSaKeys = { ...nk, spiR: r.spiR, nonceR: r.nonceR };
      return merge(d, {
        ...request(ctx, 'ike-delete-old', IkeExchangeType.INFORMATIONAL, ikeDelete.buildI(), { newKeys }),
        go: 'busy',
      });
    }
    case 'ike-delete-old': {
      const nk = ctx.newKeys;
      if (nk === undefined) return merge(d, next(ctx, {}));
      return merge(
        merge(d, next(ctx, { keys: nk, newKeys: undefined, nextId: 0, peerNextId: 0, lastResponse: undefined })),
        {
          emits: [{ type: 'ike.rekeyed', oldSpiI: keys.spiI, keys: nk }],
          timers: ctx.cfg.lifetimes.ikeRekeyMs > 0 ? [ikeRekeyTimer(ctx)] : [],
        },
      );
    }
    case 'liveness':
      return merge(d, next(ctx, {}));
    default:
      return d;
  }
}

/** The delete we sent was answered (or the IKE_AUTH failure path finished). */
export function deleteResponse(ctx: Ctx, m: IkeMessage): S {
  if (!matchResponse(ctx, m)) return ignored(m, 'not the outstanding request');
  return merge(done(), fail(ctx, ctx.closeReason || 'disconnect'));
}

export function livenessTimer(ctx: Ctx, busy: boolean): S {
  const rearm: TimerSpec = { id: 'timer.liveness', event: 'timer.liveness', delayMs: ctx.cfg.lifetimes.livenessMs };
  // An exchange in flight already tests liveness.
  if (busy) return { timers: [rearm] };
  return merge(start(ctx, { kind: 'liveness' }), { timers: [rearm] });
}

/** The method (re)arms the rekey of a slot (draft-richardson §2: no later than the DHCP T1). */
export function scheduleRekey(ctx: Ctx, slot: string, delayMs: number): S {
  const id = childRekeyTimerId(slot);
  return {
    ctx: { timerSlots: ctx.timerSlots.includes(slot) ? ctx.timerSlots : [...ctx.timerSlots, slot] },
    cancel: [id],
    timers: [{ id, event: 'timer.childRekey', data: { slot }, delayMs }],
    emits: [note('ike.rekeyScheduled', { slot, delayMs })],
  };
}

/**
 * A request from the gateway (INFORMATIONAL: liveness or delete), RFC 7296 §1.4, §2.4. `closeReason`: why we close
 * when it deletes the IKE SA (in `deleting`, a Delete collision ends our own delete, §1.4.1).
 */
export function peerRequest(ctx: Ctx, m: IkeMessage, closeReason = 'deleted-by-peer'): S {
  const keys = ctx.keys;
  if (keys === undefined) return ignored(m, 'no IKE SA');
  const nk = ctx.newKeys;
  if (nk !== undefined && m.spiI === nk.spiI) return ignored(m, 'for the new IKE SA of a rekey not yet finished');
  if (m.spiI !== keys.spiI || m.spiR !== keys.spiR) {
    // Not this IKE SA (e.g. an older one the gateway still keeps): RFC 7296 §2.21.4, answer outside any IKE SA.
    const resp = invalidSpi.buildResponse(m, true);
    return {
      emits: [
        note('ike.unknownSpi', { spiI: m.spiI, messageId: m.messageId }),
        ...(resp === undefined ? [] : [{ type: 'net.send' as const, message: resp }]),
      ],
    };
  }
  if (m.messageId === ctx.peerNextId - 1 && ctx.lastResponse !== undefined)
    return { emits: [{ type: 'net.send', message: ctx.lastResponse }] };
  if (m.messageId !== ctx.peerNextId) return ignored(m, `expected request #${ctx.peerNextId}`);
  if (m.exchangeType !== IkeExchangeType.INFORMATIONAL) return ignored(m, 'only INFORMATIONAL requests are handled');
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
  const base: S = {
    ctx: {
      peerNextId: m.messageId + 1,
      lastResponse: resp,
      children: ctx.children.filter((c) => !mine.includes(c)),
    },
    emits: [
      { type: 'net.send', message: resp },
      ...(mine.length > 0 ? [{ type: 'ike.childDeleted' as const, spisIn: mine.map((c) => c.spiIn) }] : []),
    ],
    cancel: mine.map((c) => childRekeyTimerId(c.slot)),
  };
  if (deleteIke) return merge(base, fail(ctx, closeReason));
  return base;
}

/** `cmd.disconnect` before any IKE SA exists (idle, initSent): nothing to delete at the peer, just close. */
export function closeNow(ctx: Ctx): S {
  return fail(ctx, 'disconnect');
}

/**
 * `cmd.disconnect` while IKE_AUTH is outstanding: RFC 7296 §2.3 (window 1) allows no INFORMATIONAL before the
 * response, and the peer may already have created the IKE SA, so we remember it and delete once the response is in.
 */
export function disconnectAfterAuth(ctx: Ctx): S {
  if (ctx.disconnectAfterAuth) return {};
  return { ctx: { disconnectAfterAuth: true }, emits: [note('ike.disconnectPending', { exchange: 'ike-auth' })] };
}

/** Does `m` look like the peer's INVALID_IKE_SPI answer to our outstanding request (RFC 7296 §2.21.4)? */
export function isInvalidSpiHint(ctx: Ctx, m: IkeMessage): boolean {
  const keys = ctx.keys;
  return keys !== undefined && invalidSpi.matches(m, keys.spiI, keys.spiR, ctx.pending?.message.messageId);
}

/**
 * An unprotected INVALID_IKE_SPI naming our SA and our outstanding request: the gateway says it forgot the IKE SA
 * (it restarted). RFC 7296 §2.21.4 forbids acting on it alone (it could be forged) and asks for a liveness check, so
 * the first one only makes us re-send the outstanding request at once (that request is the check: a gateway that
 * still has the SA answers it, protected). If the check draws INVALID_IKE_SPI again, before any protected answer,
 * the IKE SA is dead: closed as `peer-lost` (the node withdraws the address and reconnects) — without waiting out
 * the retransmission schedule (165 s with strongSwan's). One extra send per request bounds the rate (§2.4: "MUST
 * limit the rate at which they take actions based on unprotected messages"). While deleting, it ends the delete.
 */
export function invalidSpiHint(ctx: Ctx, m: IkeMessage, deleting: boolean): S {
  const p = ctx.pending;
  if (p === undefined) return ignored(m, 'not the outstanding request');
  if (deleting) return merge(done(), fail(ctx, ctx.closeReason || 'disconnect'));
  if (ctx.invalidSpiHints === 0) {
    return {
      ctx: { invalidSpiHints: 1 },
      emits: [
        note('ike.invalidSpi', { messageId: m.messageId, check: 'resend' }),
        { type: 'net.send', message: p.message },
      ],
    };
  }
  return merge(
    { emits: [note('ike.invalidSpi', { messageId: m.messageId, check: 'confirmed' })] },
    merge(done(), fail(ctx, 'peer-lost')),
  );
}

export function disconnect(ctx: Ctx, busy: boolean): S {
  return merge(busy ? done() : {}, {
    ...start({ ...ctx }, { kind: 'ike-delete' }),
    cancel: allTimers(ctx),
  });
}

export type { IkeEmitted };
