/**
 * Model-based test of the IKE initiator statechart (models/ike/initiator-machine.ts): `xstate/graph` explores it with
 * a scripted responder — every answer built from the snapshot with the responder's task functions (IKE_SA_INIT,
 * COOKIE §2.6, INVALID_KE_PAYLOAD §1.2, IKE_AUTH with AUTH/CP/SA, AUTHENTICATION_FAILED, CREATE_CHILD_SA,
 * TEMPORARY_FAILURE §2.25, IKE rekey §2.18, INFORMATIONAL, INVALID_IKE_SPI §2.21.4), the gateway's own requests
 * (liveness, Delete), the method's commands and the timers. Every generated path is then driven through a REAL actor
 * on a test clock (timers fire from the clock: a timer the machine did not arm fails the step), rebuilding each
 * answer from the actor's own snapshot; everything it sends is encoded and decoded by the codecs and checked against
 * what the step must cause. Coverage of every state and transition is required.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { DEFAULT_LIFETIMES, peerConfig, type IkeLifetimes, type IkePeerConfig } from '../../../models/ike/config.ts';
import type { IkeEmitted } from '../../../models/ike/emitted.ts';
import type { IkeClientHooks } from '../../../models/ike/hooks.ts';
import { initiatorMachine, type InitiatorEvent, type InitiatorInput } from '../../../models/ike/initiator-machine.ts';
import { addressing, ikeMessage } from '../../../models/ike/messages.ts';
import type { RetransmitPolicy } from '../../../models/ike/retransmit.ts';
import * as childCreate from '../../../models/ike/tasks/child-create.ts';
import * as childDelete from '../../../models/ike/tasks/child-delete.ts';
import * as ikeAuth from '../../../models/ike/tasks/ike-auth.ts';
import * as ikeConfig from '../../../models/ike/tasks/ike-config.ts';
import * as ikeDelete from '../../../models/ike/tasks/ike-delete.ts';
import * as ikeInit from '../../../models/ike/tasks/ike-init.ts';
import * as ikeRekey from '../../../models/ike/tasks/ike-rekey.ts';
import * as invalidSpi from '../../../models/ike/tasks/invalid-spi.ts';
import { ikeOf, ikePacket, packetCodec } from '../../../models/nodes/lab-packet.ts';
import {
  IkeExchangeType,
  IkeNotifyType,
  findNotify,
  findPayload,
  notifyPayload,
  type IkeMessage,
  type IkePayload,
} from '../../../models/wire/ike/index.ts';
import { createRng } from '../../../sim/rng.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../support/machine-coverage.ts';

type Snap = SnapshotFrom<typeof initiatorMachine>;
type Labelled = InitiatorEvent & { readonly label: string };

const RESPONDER_SPI = 'a1a2a3a4a5a6a7a8';
const NEW_RESPONDER_SPI = 'b1b2b3b4b5b6b7b8';
const RESPONDER_CHILD_SPI = 0x0c0c0c0c;
const ASSIGNED = { address: '10.99.0.7', prefixLength: 24, dns: [] };
/** One retransmission 700 ms after the first send, give-up 700 ms later: a short schedule keeps the graph small. */
const RETRANSMIT: RetransmitPolicy = { name: 'test', initialTimeoutMs: 700, factorNum: 1, factorDen: 1, tries: 1 };
const LIFETIMES: IkeLifetimes = { childRekeyMs: 100_000, ikeRekeyMs: 200_000, livenessMs: 50_000, jitterMs: 0 };
const REKEY_AT_MS = 90_000;
/** The bound of a held IKE_AUTH round (draft-ietf-ipsec-dhcp-over-ike-00 §3 pacing by the method). */
const HOLD_MS = 3_000;

/**
 * A method whose answers are read from the response: CP ⇒ configured, no CP ⇒ another round (held when the response
 * has the status notify CHILDLESS_IKEV2_SUPPORTED, the test's stand-in for "nothing to carry yet"), no address ⇒ failed.
 */
function testMethod(childInAuth: boolean): IkeClientHooks {
  return {
    childInAuth,
    authRequestPayloads: () => [ikeConfig.buildI()],
    processAuthResponse: (resp, errors) => {
      if (errors.includes('INTERNAL_ADDRESS_FAILURE')) return { kind: 'failed', notify: 'INTERNAL_ADDRESS_FAILURE' };
      if (findNotify(resp, 'CHILDLESS_IKEV2_SUPPORTED') !== undefined) return { kind: 'hold', maxWaitMs: HOLD_MS };
      const config = ikeConfig.processI(resp);
      return config === undefined ? { kind: 'more', payloads: [ikeConfig.buildI()] } : { kind: 'configured', config };
    },
    // The method does not want a Child SA in slot `unwanted` (RFC 7296 §1.4.1: it is deleted at once).
    processChildResponse: (info, _resp, errors) =>
      info.slot === 'unwanted'
        ? { kind: 'reject', reason: 'not wanted' }
        : errors.length > 0
          ? { kind: 'reject', reason: errors[0] ?? '' }
          : { kind: 'accept' },
  };
}

interface Variant {
  readonly name: string;
  readonly childInAuth: boolean;
  readonly lifetimes: IkeLifetimes;
}

const VARIANTS: readonly Variant[] = [
  { name: 'Child SA in IKE_AUTH, rekey and liveness timers on', childInAuth: true, lifetimes: LIFETIMES },
  { name: 'childless IKE_AUTH (RFC 6023), no lifetimes', childInAuth: false, lifetimes: DEFAULT_LIFETIMES },
];

function cfgOf(v: Variant): IkePeerConfig {
  return peerConfig({
    identity: 'client@example.com',
    pskName: 'psk-client',
    dhGroups: [31, 19],
    retransmit: RETRANSMIT,
    lifetimes: v.lifetimes,
  });
}

function inputOf(v: Variant, seed: number): InitiatorInput {
  return { cfg: cfgOf(v), method: testMethod(v.childInAuth), peerIdentity: 'gw.example.com', rng: createRng(seed) };
}

// ---------------------------------------------------------------------------------------------------------------
// The scripted responder: answers built from the initiator's snapshot with the task functions.

const responderRng = createRng(99);

function answer(s: Snap, payloads: readonly IkePayload[], protect = true): IkeMessage {
  const p = s.context.window.pending?.message;
  if (p === undefined) throw new Error('no outstanding request');
  const keys = s.context.keys;
  if (protect && keys !== undefined)
    return ikeMessage(addressing(keys, false), p.exchangeType, p.messageId, true, payloads);
  return { ...p, initiator: false, response: true, spiR: keys?.spiR ?? p.spiR, payloads };
}

function initOk(s: Snap): IkeMessage {
  const { payloads } = ikeInit.buildR(
    { suite: 'aes128gcm16', dhGroup: s.context.init.dhGroup, proposalNumber: 1 },
    responderRng,
  );
  const p = s.context.window.pending?.message;
  if (p === undefined) throw new Error('no IKE_SA_INIT outstanding');
  return { ...p, spiR: RESPONDER_SPI, initiator: false, response: true, payloads };
}

/** Some IKE_SA_INIT response for no request of ours (a stray on the network). */
function initOkTemplate(): IkeMessage {
  return ikeMessage(
    { spiI: '0102030405060708', spiR: RESPONDER_SPI, originalInitiator: false, suite: undefined },
    IkeExchangeType.IKE_SA_INIT,
    0,
    true,
    [],
  );
}

function authAnswer(s: Snap, rest: readonly IkePayload[], psk = s.context.input.cfg.pskName): IkeMessage {
  const keys = s.context.keys;
  if (keys === undefined) throw new Error('no keys');
  return answer(s, ikeAuth.buildR('gw.example.com', psk, keys, rest));
}

function childPayloads(s: Snap): IkePayload[] {
  return childCreate.buildR(
    { suite: 'aes128gcm16', spiOut: RESPONDER_CHILD_SPI, ...childCreate.defaultChildSelectors() },
    RESPONDER_CHILD_SPI + (s.context.window.nextId % 256),
  );
}

function authOk(s: Snap): IkeMessage {
  return authAnswer(s, [ikeConfig.buildR(ASSIGNED), ...(s.context.input.method.childInAuth ? childPayloads(s) : [])]);
}

/** A request from the gateway on the IKE SA (RFC 7296 §1.4): the next message ID it owes us. */
function peerRequest(s: Snap, payloads: readonly IkePayload[]): IkeMessage {
  const keys = s.context.keys;
  if (keys === undefined) throw new Error('no keys');
  return ikeMessage(addressing(keys, false), IkeExchangeType.INFORMATIONAL, s.context.peer.nextId, false, payloads);
}

const recv = (label: string, message: IkeMessage): Labelled => ({ type: 'net.recv', message, label });
const notify = (n: Parameters<typeof notifyPayload>[0]): IkePayload => notifyPayload(n);

/** Every event the test knows, by label; each built from the snapshot it is sent in. */
const EVENTS: Readonly<Record<string, (s: Snap) => Labelled>> = {
  connect: () => ({ type: 'cmd.connect', label: 'connect' }),
  disconnect: () => ({ type: 'cmd.disconnect', label: 'disconnect' }),
  'child.new': () => ({ type: 'cmd.child', request: { slot: 'extra' }, label: 'child.new' }),
  'child.unwanted': () => ({ type: 'cmd.child', request: { slot: 'unwanted' }, label: 'child.unwanted' }),
  'child.delete': () => ({ type: 'cmd.childDelete', slot: 'extra', label: 'child.delete' }),
  'child.rekeyAt': () => ({ type: 'cmd.childRekeyAt', slot: 'main', delayMs: REKEY_AT_MS, label: 'child.rekeyAt' }),
  'init.ok': (s) => recv('init.ok', initOk(s)),
  'init.cookie': (s) =>
    recv(
      'init.cookie',
      answer(s, [notify({ notify: 'other', notifyType: IkeNotifyType.COOKIE, data: new Uint8Array([1, 2, 3, 4]) })]),
    ),
  'init.invalidKe': (s) => recv('init.invalidKe', answer(s, [notify({ notify: 'INVALID_KE_PAYLOAD', dhGroup: 19 })])),
  'init.badKe': (s) => recv('init.badKe', answer(s, [notify({ notify: 'INVALID_KE_PAYLOAD', dhGroup: 14 })])),
  'init.noProposal': (s) => recv('init.noProposal', answer(s, [notify({ notify: 'NO_PROPOSAL_CHOSEN' })])),
  stray: (s) => {
    const p = s.context.window.pending?.message;
    const base = p ?? (s.context.keys === undefined ? initOkTemplate() : peerRequest(s, []));
    return recv('stray', { ...base, response: true, messageId: base.messageId + 40 });
  },
  'auth.ok': (s) => recv('auth.ok', authOk(s)),
  'auth.more': (s) => recv('auth.more', authAnswer(s, [])),
  'auth.hold': (s) => recv('auth.hold', authAnswer(s, [notify({ notify: 'CHILDLESS_IKEV2_SUPPORTED' })])),
  'auth.continue': () => ({ type: 'cmd.authRound', payloads: [ikeConfig.buildI()], label: 'auth.continue' }),
  'auth.noAddress': (s) => recv('auth.noAddress', authAnswer(s, [notify({ notify: 'INTERNAL_ADDRESS_FAILURE' })])),
  'auth.childFail': (s) =>
    recv('auth.childFail', authAnswer(s, [ikeConfig.buildR(ASSIGNED), notify({ notify: 'TS_UNACCEPTABLE' })])),
  'auth.failed': (s) => recv('auth.failed', answer(s, ikeAuth.failureR())),
  'auth.badAuth': (s) => recv('auth.badAuth', authAnswer(s, [ikeConfig.buildR(ASSIGNED)], 'another-psk')),
  invalidSpi: (s) => {
    const p = s.context.window.pending?.message;
    if (p === undefined) throw new Error('no outstanding request');
    const hint = invalidSpi.buildResponse(p, false);
    if (hint === undefined) throw new Error('no hint for a response');
    return recv('invalidSpi', hint);
  },
  'child.ok': (s) => recv('child.ok', answer(s, childPayloads(s))),
  'child.busy': (s) => recv('child.busy', answer(s, [notify({ notify: 'TEMPORARY_FAILURE' })])),
  'child.noProposal': (s) => recv('child.noProposal', answer(s, [notify({ notify: 'NO_PROPOSAL_CHOSEN' })])),
  'info.ok': (s) => recv('info.ok', answer(s, [])),
  'ikeRekey.ok': (s) => {
    const keys = s.context.keys;
    if (keys === undefined) throw new Error('no keys');
    const r = ikeRekey.buildR(keys.suite, keys.dhGroup, NEW_RESPONDER_SPI, responderRng);
    return recv('ikeRekey.ok', answer(s, r.payloads));
  },
  'ikeRekey.refused': (s) => recv('ikeRekey.refused', answer(s, [notify({ notify: 'NO_PROPOSAL_CHOSEN' })])),
  'peer.liveness': (s) => recv('peer.liveness', peerRequest(s, [])),
  'peer.deleteIke': (s) => recv('peer.deleteIke', peerRequest(s, ikeDelete.buildI())),
  'peer.deleteChild': (s) =>
    recv('peer.deleteChild', peerRequest(s, childDelete.buildI(s.context.children[0]?.spiOut ?? 0))),
  // The timers: in the graph, the event the timer delivers; on the real actor, the clock fires it.
  'timer.retransmit': (s) => timerEvent('timer.retransmit', `xstate.after.retransmitWait.${retransmitStateId(s)}`),
  'timer.liveness': () =>
    timerEvent('timer.liveness', 'xstate.after.livenessInterval.ike-i.established.liveness.armed'),
  'timer.ikeRekey': () => timerEvent('timer.ikeRekey', 'xstate.after.ikeRekeyDelay.ike-i.established.ikeRekey.armed'),
  'timer.childRekey': () => ({ type: 'timer.childRekey', slot: 'main', label: 'timer.childRekey' }),
  'timer.authHold': () => timerEvent('timer.authHold', 'xstate.after.authHoldMax.ike-i.authHeld'),
};

/** xstate's delayed event for an `after` transition (what the clock delivers), for the graph traversal only. */
function timerEvent(label: string, type: string): Labelled {
  return { type, label } as unknown as Labelled;
}

function retransmitStateId(s: Snap): string {
  if (s.matches({ established: { window: 'busy' } })) return 'ike-i.established.window.busy';
  return `ike-i.${String(s.value)}`;
}

const TIMER_DELAY_MS: Readonly<Record<string, (d: number) => boolean>> = {
  'timer.retransmit': (d) => d === RETRANSMIT.initialTimeoutMs,
  'timer.liveness': (d) => d === LIFETIMES.livenessMs,
  'timer.ikeRekey': (d) => d === LIFETIMES.ikeRekeyMs,
  'timer.authHold': (d) => d === HOLD_MS,
};

/**
 * The labels possible in a snapshot (what a responder, the method, the user and the timers can do there). Events
 * that leave the state as it is (a stray, the peer's liveness check, an unhandled command) are offered only in calm
 * vertices (nothing queued) and a new Child SA only once: that keeps the graph small while every
 * transition stays reachable.
 */
function labels(s: Snap): string[] {
  if (s.status !== 'active') return [];
  const c = s.context;
  const p = c.window.pending;
  if (s.matches('idle'))
    return c.window.queue.length === 0 ? ['connect', 'disconnect', 'child.new', 'stray'] : ['connect'];
  // After a retransmission or an INVALID_IKE_SPI hint the same transitions apply as before it: only what differs
  // there is offered (the give-up, the hint confirmed).
  if (p !== undefined && (p.sendIndex > 0 || c.window.invalidSpiHints > 0))
    return c.window.invalidSpiHints > 0 ? ['timer.retransmit', 'invalidSpi'] : ['timer.retransmit'];
  // While (or after) an IKE SA rekey the window's transitions are those of any other exchange: only its answers.
  if (s.matches({ established: { ikeRekey: 'due' } })) {
    if (p === undefined) return ['disconnect'];
    return p.kind === 'ike-rekey' ? ['ikeRekey.ok', 'ikeRekey.refused', 'timer.retransmit'] : ['info.ok', 'stray'];
  }
  const calm = c.window.queue.length === 0;
  const out = ['disconnect'];
  if (calm) out.push('connect', 'stray'); // connect: not in `idle`, unhandled and traced (unhandled.ts)
  if (p !== undefined) out.push('timer.retransmit');
  const fresh = calm && !c.children.some((x) => x.slot === 'extra') && p?.kind !== 'child-create';
  if (s.matches('initSent')) {
    out.push('init.ok', 'init.cookie', 'init.invalidKe', 'init.badKe', 'init.noProposal');
    if (c.window.queue.length === 0) out.push('child.new');
  }
  if (s.matches('authSent')) {
    out.push('auth.ok', 'auth.more', 'auth.hold', 'auth.noAddress', 'auth.failed', 'auth.badAuth', 'invalidSpi');
    if (c.input.method.childInAuth) out.push('auth.childFail');
    if (c.window.queue.length === 0) out.push('child.new');
  }
  if (s.matches('authHeld')) {
    out.push('auth.continue', 'timer.authHold');
    if (c.window.queue.length === 0) out.push('child.new');
  }
  const established = s.matches('established');
  if ((established || s.matches('deleting')) && calm) out.push('peer.liveness');
  if (established || s.matches('deleting')) out.push('peer.deleteIke');
  if (established) {
    if (fresh) out.push('child.new', 'child.unwanted');
    if (calm && c.children.some((x) => x.slot === 'extra')) out.push('child.delete');
    if (c.children.length > 0 && calm) out.push('peer.deleteChild');
    if (calm) out.push('child.rekeyAt');
    if (c.timerSlots.length > 0 && c.window.queue.length === 0) out.push('timer.childRekey');
    if (s.matches({ established: { liveness: 'armed' } })) out.push('timer.liveness');
    if (s.matches({ established: { ikeRekey: 'armed' } })) out.push('timer.ikeRekey');
  }
  if (s.matches('deleting')) {
    out.push('info.ok', 'invalidSpi');
    if (calm) out.push('child.new', 'child.delete', 'child.rekeyAt');
  }
  if (s.matches({ established: { window: 'busy' } }) && p !== undefined) {
    out.push('invalidSpi');
    if (p.kind === 'child-create' || p.kind === 'child-rekey') out.push('child.ok', 'child.busy', 'child.noProposal');
    else if (p.kind === 'ike-rekey') out.push('ikeRekey.ok', 'ikeRekey.refused');
    else out.push('info.ok');
  }
  return out;
}

function events(s: Snap): Labelled[] {
  return labels(s).map((l) => (EVENTS[l] as (s: Snap) => Labelled)(s));
}

function vertex(s: Snap): string {
  const c = s.context;
  const p =
    c.window.pending === undefined
      ? '-'
      : `${c.window.pending.kind}:${c.window.pending.info?.slot ?? ''}:${c.window.pending.sendIndex}`;
  const slots = c.children.map((x) => x.slot).join('+');
  // Only what a guard reads in the state: COOKIE retries in initSent, the IKE_AUTH round and a pending disconnect
  // in authSent (the rest of the context is bookkeeping that never decides a transition).
  const init = s.matches('initSent') ? `c${c.init.cookieRetries}` : '';
  const auth = s.matches('authSent') ? `r${Math.min(c.auth.round, 1)}${c.auth.disconnectAfter ? 'd' : ''}` : '';
  return [
    JSON.stringify(s.value),
    p,
    `q${c.window.queue.length}`,
    slots,
    `h${c.window.invalidSpiHints}`,
    init,
    auth,
    c.newKeys === undefined ? '' : 'nk',
  ].join('|');
}

// ---------------------------------------------------------------------------------------------------------------
// The real actor: a clock whose timers are fired one by one, and the codecs.

class TimerClock {
  private nowMsValue = 0;
  private seq = 0;
  readonly pending = new Map<number, { readonly atMs: number; readonly delayMs: number; readonly fn: () => void }>();
  now(): number {
    return this.nowMsValue;
  }
  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): number {
    const id = this.seq++;
    this.pending.set(id, { atMs: this.nowMsValue + timeoutMs, delayMs: timeoutMs, fn });
    return id;
  }
  clearTimeout(id: unknown): void {
    if (typeof id === 'number') this.pending.delete(id);
  }
  /** Fires the earliest armed timer whose delay says it is `label`'s; false when the machine armed none. */
  fire(label: string): boolean {
    const isIt = TIMER_DELAY_MS[label];
    let best: [number, { atMs: number; fn: () => void }] | undefined;
    for (const [id, t] of this.pending)
      if (isIt?.(t.delayMs) === true && (best === undefined || t.atMs < best[1].atMs)) best = [id, t];
    if (best === undefined) return false;
    this.pending.delete(best[0]);
    this.nowMsValue = Math.max(this.nowMsValue, best[1].atMs);
    best[1].fn();
    return true;
  }
}

/** What crosses the network: the message encoded and decoded by the codecs (must come back equal). */
function throughCodecs(m: IkeMessage): IkeMessage {
  const decoded = packetCodec.decode(packetCodec.encode(ikePacket('198.51.100.11', '198.51.100.1', m)));
  expect(decoded.ok).toBe(true);
  const back = decoded.ok ? ikeOf(decoded.value) : undefined;
  expect(back).toEqual(m);
  if (back === undefined) throw new Error('not an IKE packet');
  return back;
}

const notes = (out: readonly IkeEmitted[], text: string) =>
  out.flatMap((e) => (e.type === 'ike.note' && e.text === text ? [e.data] : []));
const sends = (out: readonly IkeEmitted[]): IkeMessage[] =>
  out.flatMap((e) => (e.type === 'net.send' ? [throughCodecs(e.message)] : []));
const closedReason = (out: readonly IkeEmitted[]): string | undefined =>
  out.flatMap((e) => (e.type === 'ike.closed' ? [e.reason] : []))[0];

/** What the step must have caused (RFC 7296), from the snapshots around it and what was emitted. */
function checkStep(label: string, before: Snap, after: Snap, out: readonly IkeEmitted[], where: string): void {
  const sent = sends(out);
  for (const m of sent) expect(m.initiator, `${where}: we are the original initiator (§3.1 flag I)`).toBe(true);
  const p = before.context.window.pending;
  const closed = closedReason(out);
  if (after.status === 'done') expect(closed, `${where}: the node hears why the IKE SA ended`).toBeDefined();
  switch (label) {
    case 'connect':
      if (before.matches('idle')) {
        expect(
          sent.map((m) => m.exchangeType),
          where,
        ).toEqual([IkeExchangeType.IKE_SA_INIT]);
        expect(sent[0]?.messageId, where).toBe(0);
      } else expect(notes(out, 'machine.unhandled'), where).toHaveLength(1);
      return;
    case 'timer.retransmit':
      if (after.status === 'done') {
        expect(closed, where).toBe('dead-peer');
        expect(notes(out, 'ike.giveUp'), where).toHaveLength(1);
      } else expect(sent, `${where}: §2.1 the very same request again`).toEqual(p === undefined ? [] : [p.message]);
      return;
    case 'init.ok':
      expect(
        sent.map((m) => [m.exchangeType, m.messageId]),
        where,
      ).toEqual([[IkeExchangeType.IKE_AUTH, 1]]);
      expect(sent[0] && findPayload(sent[0], 'AUTH'), `${where}: AUTH inside SK`).toBeDefined();
      return;
    case 'init.cookie':
      if (after.status === 'done') expect(closed, where).toBe('COOKIE');
      else {
        const first = sent[0]?.payloads[0];
        expect(
          first?.kind === 'N' && first.notify === 'other' && first.notifyType,
          `${where}: §2.6 N(COOKIE) first`,
        ).toBe(IkeNotifyType.COOKIE);
        expect(sent[0]?.payloads.slice(1), `${where}: the rest unchanged`).toEqual(
          p?.message.payloads.filter(
            (x) => !(x.kind === 'N' && x.notify === 'other' && x.notifyType === IkeNotifyType.COOKIE),
          ),
        );
      }
      return;
    case 'init.invalidKe':
      expect(notes(out, 'ike.invalidKe'), where).toEqual([{ group: 19 }]);
      expect(sent[0] && findPayload(sent[0], 'KE')?.dhGroup, `${where}: §1.2 KE of the named group`).toBe(19);
      return;
    case 'init.badKe':
      return expect(closed, where).toBe('INVALID_KE_PAYLOAD');
    case 'init.noProposal':
      return expect(closed, where).toBe('NO_PROPOSAL_CHOSEN');
    case 'auth.failed':
      return expect(closed, where).toBe('AUTHENTICATION_FAILED');
    case 'auth.badAuth':
      // Only the first IKE_AUTH response carries AUTH (draft-ietf-ipsec-dhcp-over-ike-00 §3).
      if (before.context.auth.round === 0) expect(closed, where).toBe('AUTHENTICATION_FAILED');
      return;
    case 'auth.ok':
      if (before.context.auth.disconnectAfter)
        expect(ikeDeleteSent(sent), `${where}: §1.4.1 deleted inside`).toBe(true);
      else
        expect(
          out.filter((e) => e.type === 'ike.up'),
          where,
        ).toHaveLength(1);
      return;
    case 'auth.more':
      if (!before.context.auth.disconnectAfter)
        expect(
          sent.map((m) => [m.exchangeType, m.messageId]),
          `${where}: the next IKE_AUTH round`,
        ).toEqual([[IkeExchangeType.IKE_AUTH, (p?.message.messageId ?? 0) + 1]]);
      return;
    case 'auth.hold':
      if (!before.context.auth.disconnectAfter) {
        expect(sent, `${where}: a held round sends nothing (no request, no retransmission)`).toEqual([]);
        expect(notes(out, 'ike.authHold'), where).toEqual([
          { round: before.context.auth.round + 1, maxWaitMs: HOLD_MS },
        ]);
      }
      return;
    case 'auth.continue':
      expect(
        sent.map((m) => [m.exchangeType, m.messageId]),
        `${where}: the held round is a new request (next message ID), not a retransmission`,
      ).toEqual([[IkeExchangeType.IKE_AUTH, before.context.window.nextId]]);
      return;
    case 'timer.authHold':
      expect(notes(out, 'ike.authHoldExpired'), where).toHaveLength(1);
      return expect(ikeDeleteSent(sent), `${where}: no round within the bound: deleted inside (§1.4.1)`).toBe(true);
    case 'auth.noAddress':
    case 'auth.childFail':
      return expect(ikeDeleteSent(sent), `${where}: an IKE SA of no use is deleted (§1.4.1)`).toBe(true);
    case 'invalidSpi':
      if (after.status === 'done')
        expect(closed, where).toBe(before.matches('deleting') ? before.context.closeReason : 'peer-lost');
      else expect(sent, `${where}: §2.21.4 the check is the same request`).toEqual(p === undefined ? [] : [p.message]);
      return;
    case 'stray':
      expect(sent, `${where}: a stray response is not answered`).toEqual([]);
      expect(notes(out, 'ike.ignored'), where).toHaveLength(1);
      return;
    case 'disconnect':
      if (before.matches('established') || before.matches('authHeld'))
        expect(ikeDeleteSent(sent), `${where}: Delete(IKE)`).toBe(true);
      else if (before.matches('idle') || before.matches('initSent')) expect(closed, where).toBe('disconnect');
      else expect(sent, `${where}: window 1 — nothing more while a request is outstanding`).toEqual([]);
      return;
    case 'peer.liveness':
    case 'peer.deleteIke':
    case 'peer.deleteChild':
      expect(
        sent.filter((m) => m.response).map((m) => m.messageId),
        `${where}: §2.2 answered with its ID`,
      ).toEqual([before.context.peer.nextId]);
      if (label === 'peer.deleteIke') expect(after.status, where).toBe('done');
      if (label === 'peer.deleteChild')
        expect(
          out.filter((e) => e.type === 'ike.childDeleted'),
          `${where}: the node drops it`,
        ).toHaveLength(1);
      return;
    case 'ikeRekey.ok':
      expect(
        sent.map((m) => [m.exchangeType, m.spiI]),
        `${where}: §2.18 the old SA deleted inside itself`,
      ).toEqual([[IkeExchangeType.INFORMATIONAL, before.context.keys?.spiI]]);
      return;
    case 'child.ok': {
      // A rekey whose Child SA the peer deleted meanwhile is not installed: retried (RFC 7296 §2.25).
      const gone = p?.old !== undefined && !before.context.children.includes(p.old);
      const wanted = p?.info !== undefined && p.info.slot !== 'unwanted' && !gone;
      expect(
        out.filter((e) => e.type === 'ike.child'),
        `${where}: installed iff wanted`,
      ).toHaveLength(wanted ? 1 : 0);
      if (gone) expect(notes(out, 'ike.rekeyRetry'), where).toHaveLength(1);
      if (p?.info?.slot === 'unwanted') expect(notes(out, 'ike.childRejected'), where).toHaveLength(1);
      return;
    }
    case 'info.ok':
      if (p?.kind === 'ike-delete-old')
        expect(
          out.filter((e) => e.type === 'ike.rekeyed'),
          `${where}: the new IKE SA takes over`,
        ).toHaveLength(1);
      if (p?.kind === 'child-delete' || p?.kind === 'child-delete-old')
        expect(
          out.filter((e) => e.type === 'ike.childDeleted'),
          where,
        ).toHaveLength(1);
      return;
    default:
      return;
  }
}

function ikeDeleteSent(sent: readonly IkeMessage[]): boolean {
  return sent.some((m) => m.exchangeType === IkeExchangeType.INFORMATIONAL && ikeDelete.processR(m));
}

describe('IKE initiator statechart: generated paths through a real actor', () => {
  const cov = new TransitionCoverage(initiatorMachine);
  let pathsRun = 0;

  for (const variant of VARIANTS) {
    it(`every edge of the graph, ${variant.name}: what it sends follows from its state`, () => {
      const paths = edgePaths(initiatorMachine, {
        input: inputOf(variant, 1),
        events,
        serializeState: vertex,
        serializeEvent: (e) => (e as Labelled).label,
        limit: 20_000,
      });
      expect(paths.length).toBeGreaterThan(50);
      for (const path of paths) {
        const clock = new TimerClock();
        const actor = createActor(initiatorMachine, { clock, input: inputOf(variant, 7), inspect: cov.inspect });
        const out: IkeEmitted[] = [];
        actor.on('*', (e) => out.push(e));
        actor.start();
        for (const step of path.events) {
          const label = (step as Labelled).label;
          const before = actor.getSnapshot();
          const where = `${path.edge}: ${vertex(before)} --${label}`;
          expect(before.status, where).toBe('active');
          // The `after` timers fire from the clock; `timer.childRekey` (one delayed raise per slot) is sent as raised.
          if (label in TIMER_DELAY_MS) expect(clock.fire(label), `${where}: the machine armed that timer`).toBe(true);
          else actor.send((EVENTS[label] as (s: Snap) => Labelled)(before));
          checkStep(label, before, actor.getSnapshot(), out.splice(0), where);
        }
        actor.stop();
        pathsRun += 1;
      }
    });
  }

  it('the paths took every state and every transition of the definition', () => {
    expect(pathsRun).toBeGreaterThan(100);
    expectFullCoverage(cov);
  });
});
