/** The IKE machines' safety reactions, message by message (RFC 7296 §1.4.1, §2.4, §2.21.4). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFETIMES } from '../../../models/ike/config.ts';
import * as invalidSpi from '../../../models/ike/tasks/invalid-spi.ts';
import { ikePair, notesOf, sent } from './pair.ts';

const LIVENESS_MS = 60_000;

/** The request window of the initiator's `established` state (ready: nothing outstanding). */
function windowOf(p: ReturnType<typeof ikePair>): string {
  const s = p.initiator.getSnapshot();
  for (const w of ['ready', 'busy'] as const) if (s.matches({ established: { window: w } })) return w;
  return JSON.stringify(s.value);
}

function established() {
  const p = ikePair({}, { lifetimes: { ...DEFAULT_LIFETIMES, livenessMs: LIVENESS_MS } });
  p.initiator.send({ type: 'cmd.connect' });
  expect(windowOf(p)).toBe('ready');
  return p;
}

/** Sends a liveness request that the "network" swallows; returns it. */
function heldLiveness(p: ReturnType<typeof ikePair>) {
  const held: ReturnType<typeof sent> = [];
  p.intercept = (m) => {
    held.push(m);
    return false;
  };
  p.clock.increment(LIVENESS_MS); // the liveness timer (RFC 7296 §2.4) fires
  const req = held[0];
  if (req === undefined) throw new Error('no liveness request');
  return { req, held };
}

describe('initiator: an unprotected INVALID_IKE_SPI (RFC 7296 §2.21.4)', () => {
  it('the first one only re-sends the outstanding request (the check); a protected answer keeps the SA', () => {
    const p = established();
    const { req, held } = heldLiveness(p);
    p.toInitiator(invalidSpi.buildResponse(req, false) ?? req);
    expect(notesOf(p.fromI, 'ike.invalidSpi')).toEqual([{ messageId: req.messageId, check: 'resend' }]);
    // The check is the very same request value, sent again at once.
    expect(held).toEqual([req, req]);
    p.intercept = undefined;
    p.responder()?.send({ type: 'net.recv', message: req });
    expect(windowOf(p)).toBe('ready');
    expect(p.fromI.filter((e) => e.type === 'ike.closed')).toEqual([]);
  });

  it('a second one, before any protected answer, closes the IKE SA as peer-lost', () => {
    const p = established();
    const { req } = heldLiveness(p);
    const hint = invalidSpi.buildResponse(req, false) ?? req;
    p.toInitiator(hint);
    p.toInitiator(hint);
    expect(p.fromI.filter((e) => e.type === 'ike.closed')).toEqual([{ type: 'ike.closed', reason: 'peer-lost' }]);
    expect(p.initiator.getSnapshot().status).toBe('done');
  });

  it('one naming other SPIs or another message ID changes nothing', () => {
    const p = established();
    const { req } = heldLiveness(p);
    p.toInitiator(invalidSpi.buildResponse({ ...req, spiR: '0123456789abcdef' }, false) ?? req);
    p.toInitiator(invalidSpi.buildResponse({ ...req, messageId: req.messageId + 1 }, false) ?? req);
    expect(notesOf(p.fromI, 'ike.invalidSpi')).toEqual([]);
    expect(windowOf(p)).toBe('busy');
  });
});

describe('initiator: deleting', () => {
  it('a Delete from the peer while our own Delete is outstanding is answered and ends the SA (RFC 7296 §1.4.1)', () => {
    const p = established();
    p.intercept = () => false; // our Delete is lost
    p.initiator.send({ type: 'cmd.disconnect' });
    expect(p.initiator.getSnapshot().value).toBe('deleting');
    p.intercept = undefined;
    p.responder()?.send({ type: 'cmd.delete', notifyPeer: true, reason: 'replaced' });
    const answer = sent(p.fromI).at(-1);
    expect(answer?.response).toBe(true);
    expect(p.fromI.filter((e) => e.type === 'ike.closed')).toEqual([{ type: 'ike.closed', reason: 'disconnect' }]);
  });

  it('a request naming an IKE SA the client does not have draws INVALID_IKE_SPI, unprotected', () => {
    const p = established();
    const other = { ...(sent(p.fromR)[1] ?? sent(p.fromR)[0]!), spiI: '1111111111111111', response: false };
    p.toInitiator(other);
    const answer = sent(p.fromI).at(-1);
    expect(answer).toEqual(invalidSpi.buildResponse(other, true));
    expect(notesOf(p.fromI, 'ike.unknownSpi')).toEqual([{ spiI: '1111111111111111', messageId: other.messageId }]);
  });
});

describe('machine.unhandled: the root fallback traces what no state handles', () => {
  it('initiator: a method delete before the IKE SA exists', () => {
    const p = ikePair();
    p.initiator.send({ type: 'cmd.childDelete', slot: 'main' });
    expect(notesOf(p.fromI, 'machine.unhandled')).toEqual([
      { machine: 'ike-i', state: 'idle', event: 'cmd.childDelete' },
    ]);
  });

  it('responder: a liveness timer while it waits for IKE_AUTH', () => {
    // Provider answers no longer reach the responder as events (its invoked ask actor takes them); a stray timer does.
    const p = ikePair();
    p.intercept = (m) => m.exchangeType === 34; // IKE_SA_INIT only: the responder stays in initDone
    p.initiator.send({ type: 'cmd.connect' });
    p.responder()?.send({ type: 'timer.gwLiveness' });
    expect(notesOf(p.fromR, 'machine.unhandled')).toEqual([
      { machine: 'ike-r', state: 'initDone', event: 'timer.gwLiveness' },
    ]);
  });
});

describe('responder: half-open timeout', () => {
  it('initDone without IKE_AUTH for halfOpenTimeoutMs: closed, traced', () => {
    const p = ikePair({ halfOpenTimeoutMs: 30_000 });
    p.intercept = (m) => m.exchangeType === 34;
    p.initiator.send({ type: 'cmd.connect' });
    p.clock.increment(29_999);
    expect(p.responder()?.getSnapshot().value).toBe('initDone');
    p.clock.increment(1);
    expect(notesOf(p.fromR, 'ike.halfOpenTimeout')).toEqual([{ peer: '', round: 0 }]);
    expect(p.fromR.filter((e) => e.type === 'ike.closed')).toEqual([
      { type: 'ike.closed', reason: 'half-open-timeout' },
    ]);
  });
});
