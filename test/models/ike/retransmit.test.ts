import { describe, expect, it } from 'vitest';
import {
  DOUBLING_RETRANSMIT,
  STRONGSWAN_RETRANSMIT,
  retransmitTimelineMs,
  retransmitWaitsMs,
} from '../../../models/ike/retransmit.ts';

describe('retransmission schedules (RFC 7296 §2.1)', () => {
  it("strongSwan's defaults: 4 s × 1.8^(n−1), 5 tries, give-up at 165.06 s", () => {
    expect(retransmitWaitsMs(STRONGSWAN_RETRANSMIT)).toEqual([4000, 7200, 12960, 23328, 41990, 75582]);
    expect(retransmitTimelineMs(STRONGSWAN_RETRANSMIT)).toEqual({
      sendsMs: [0, 4000, 11200, 24160, 47488, 89478],
      giveUpMs: 165060,
    });
  });
  it('1 s doubling, 6 tries', () => {
    expect(retransmitTimelineMs(DOUBLING_RETRANSMIT)).toEqual({
      sendsMs: [0, 1000, 3000, 7000, 15000, 31000, 63000],
      giveUpMs: 127000,
    });
  });
});
