import { describe, expect, it } from 'vitest';
import { createRng } from '../../../sim/rng.ts';
import { NO_NONCE, randomNonce, withoutInitNonces, type IkeSaKeys } from '../../../models/ike/sa.ts';

describe('IKE SA data', () => {
  it('an established SA keeps its keys but not its IKE_SA_INIT nonces', () => {
    const rng = createRng(7);
    const keys: IkeSaKeys = {
      spiI: '1111222233334444',
      spiR: '5555666677778888',
      suite: 'aes128gcm16',
      dhGroup: 31,
      nonceI: randomNonce(rng),
      nonceR: randomNonce(rng),
    };
    const kept = withoutInitNonces(keys);
    expect(kept).toMatchObject({ spiI: keys.spiI, spiR: keys.spiR, suite: 'aes128gcm16', dhGroup: 31 });
    expect(kept.nonceI).toBe(NO_NONCE);
    expect(kept.nonceR).toBe(NO_NONCE);
    expect(NO_NONCE.length).toBe(0);
    expect(keys.nonceI.length).toBe(32);
  });
});
