/**
 * The IKE_SA_INIT response's reading (initiator-core.ts `initReply`) is memoised for the guards that ask in turn, and
 * forgotten by the action that acts on it: a WeakMap entry's value survives V8's young-generation GC whatever its key.
 */
import { describe, expect, it } from 'vitest';
import { initReply, initReplyMemoized } from '../../../models/ike/initiator-core.ts';
import { IkeExchangeType } from '../../../models/wire/ike/index.ts';
import { ikePair, sent } from './pair.ts';

describe('initReply memo', () => {
  it('the action that answers the IKE_SA_INIT response forgets the memo; a guard-only read keeps it', () => {
    const p = ikePair();
    p.initiator.send({ type: 'cmd.connect' });
    const initResponse = sent(p.fromR).find((m) => m.exchangeType === IkeExchangeType.IKE_SA_INIT && m.response);
    expect(initResponse).toBeDefined();
    if (initResponse === undefined) return;
    // Acted on: IKE_AUTH went out, and the memo of its reading is gone.
    expect(sent(p.fromI).map((m) => m.exchangeType)).toContain(IkeExchangeType.IKE_AUTH);
    expect(initReplyMemoized(initResponse)).toBe(false);
    // The memo itself: a read with no action after it keeps the answer, the same object on the next read.
    const context = p.initiator.getSnapshot().context;
    const first = initReply(context, initResponse);
    expect(initReplyMemoized(initResponse)).toBe(true);
    expect(initReply(context, initResponse)).toBe(first);
  });
});
