/** The response cache that outlives its IKE SA (RFC 7296 §2.1): resend, ignore, forget. */
import { describe, expect, it } from 'vitest';
import { ikeMessage } from '../../../models/ike/messages.ts';
import { DOUBLING_RETRANSMIT, STRONGSWAN_RETRANSMIT } from '../../../models/ike/retransmit.ts';
import { RetiredResponses, retiredKeepUs } from '../../../models/ike/retired-responses.ts';
import { IkeExchangeType } from '../../../models/wire/ike/index.ts';

const sa = { spiI: '1111111111111111', spiR: '2222222222222222', originalInitiator: true, suite: undefined };
const other = { ...sa, spiR: '3333333333333333' };
const msg = (a: typeof sa, messageId: number, response: boolean) =>
  ikeMessage(a, IkeExchangeType.INFORMATIONAL, messageId, response, []);

describe('RetiredResponses', () => {
  it('re-sends the very same response object to a repeat of the last request, until it expires', () => {
    const store = new RetiredResponses(1_000);
    const last = msg(sa, 4, true);
    store.retire(last, 10_000);
    const r = store.answer(msg(sa, 4, false), 10_999);
    expect(r?.kind).toBe('resend');
    expect(r?.kind === 'resend' ? r.message : undefined).toBe(last);
    expect(store.answer(msg(sa, 4, false), 11_000)).toBeUndefined();
  });

  it('ignores an older request, leaves a newer one, another SA and any response to the caller', () => {
    const store = new RetiredResponses(1_000);
    store.retire(msg(sa, 4, true), 0);
    expect(store.answer(msg(sa, 3, false), 1)).toEqual({ kind: 'ignore', cachedMessageId: 4 });
    expect(store.answer(msg(sa, 5, false), 1)).toBeUndefined();
    expect(store.answer(msg(other, 4, false), 1)).toBeUndefined();
    expect(store.answer(msg(sa, 4, true), 1)).toBeUndefined();
  });

  it('keeps nothing for an SA that never answered, and forgets everything on clear', () => {
    const store = new RetiredResponses(1_000);
    store.retire(undefined, 0);
    store.retire(msg(other, 0, false), 0);
    expect(store.answer(msg(other, 0, false), 1)).toBeUndefined();
    store.retire(msg(sa, 1, true), 0);
    store.clear();
    expect(store.answer(msg(sa, 1, false), 1)).toBeUndefined();
  });

  it('keeps a response several minutes, never less than the retransmission schedule', () => {
    expect(retiredKeepUs(STRONGSWAN_RETRANSMIT)).toBe(300_000_000);
    expect(retiredKeepUs({ ...DOUBLING_RETRANSMIT, tries: 9 })).toBe(1_023_000_000);
  });
});
