/** ClientPins (gateway-relay/pinning.ts): the names an SA owns are indexed per SA, so dropping one SA frees exactly those. */
import { describe, expect, it } from 'vitest';
import { ClientPins, type ClientKeys } from '../../../models/methods/gateway-relay/pinning.ts';

const ALICE: ClientKeys = { hardware: '1:020000000001', clientId: '1:aa' };
const BOB: ClientKeys = { hardware: '1:020000000002', clientId: undefined };

describe('client pins', () => {
  it('a reconnect of the same identity takes the pins over; dropping the old SA leaves them with the new one', () => {
    const pins = new ClientPins('first-come');
    expect(pins.claim('old', 'alice', ALICE)).toEqual({ ok: true, scoped: false });
    expect(pins.claim('new', 'alice', ALICE)).toEqual({ ok: true, scoped: false });
    pins.drop('old');
    // Still alice's (through `new`): another identity naming the same client is refused (first-come).
    expect(pins.claim('mallory-sa', 'mallory', ALICE)).toEqual({ ok: false, chaddr: ALICE.hardware });
    pins.drop('new');
    expect(pins.claim('mallory-sa', 'mallory', ALICE)).toEqual({ ok: true, scoped: false });
  });

  it('dropping an SA frees its own names only', () => {
    const pins = new ClientPins('first-come');
    pins.claim('a', 'alice', ALICE);
    pins.claim('b', 'bob', BOB);
    pins.drop('a');
    expect(pins.keysOf('a')).toBeUndefined();
    expect(pins.keysOf('b')).toEqual(BOB);
    expect(pins.claim('m', 'mallory', BOB)).toEqual({ ok: false, chaddr: BOB.hardware });
    expect(pins.claim('m2', 'mallory', ALICE)).toEqual({ ok: true, scoped: false });
  });
});
