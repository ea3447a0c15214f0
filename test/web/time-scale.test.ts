import { describe, expect, it } from 'vitest';
import { autoScaleOptions, compressedScale, formatDuration } from '../../web/model/time-scale.ts';

describe('compressedScale', () => {
  const s = compressedScale([0, 1_000, 3_000, 100_000_000, 100_001_000], {
    pxPerUs: 0.01,
    gapUsMax: 10_000,
    breakPx: 40,
    topPx: 5,
  });

  it('is proportional inside a burst and squeezes an idle gap into one break', () => {
    expect(s.toPx(0)).toBe(5);
    expect(s.toPx(1_000)).toBe(15);
    expect(s.toPx(3_000)).toBe(35);
    expect(s.breaks).toEqual([{ startUs: 3_000, endUs: 100_000_000, startPx: 35, endPx: 75 }]);
    expect(s.toPx(100_000_000)).toBe(75);
    expect(s.toPx(100_001_000)).toBe(85);
    expect(s.heightPx).toBe(85);
    expect(s.segments).toEqual([
      { startUs: 0, endUs: 3_000, startPx: 5, endPx: 35 },
      { startUs: 100_000_000, endUs: 100_001_000, startPx: 75, endPx: 85 },
    ]);
  });

  it('inverts toPx with toUs', () => {
    for (const us of [0, 500, 2_000, 3_000, 50_001_500, 100_000_500]) expect(s.toUs(s.toPx(us))).toBeCloseTo(us, 6);
  });

  it('keeps close instants apart by minGapPx, in order', () => {
    const m = compressedScale([0, 10, 20, 5_000], { pxPerUs: 0.0125, gapUsMax: 1e9, breakPx: 0, minGapPx: 16 });
    expect([0, 10, 20, 5_000].map(m.toPx)).toEqual([0, 16, 32, 94.25]);
  });

  it('puts a 127 s give-up on one screen', () => {
    const times = [0, 1e6, 3e6, 7e6, 15e6, 31e6, 63e6, 127e6].flatMap((t) => [t, t + 20_000]);
    const sc = compressedScale(times, autoScaleOptions(times));
    expect(sc.heightPx).toBeLessThan(1_000);
    expect(sc.breaks.length).toBe(7);
  });
});

describe('formatDuration', () => {
  it('picks a unit', () => {
    expect([formatDuration(1_500_000), formatDuration(12_500), formatDuration(800)]).toEqual([
      '1.5 s',
      '12.5 ms',
      '800 µs',
    ]);
  });
});

describe('compressedScale key times', () => {
  it('stretches only gaps that end at a key instant', () => {
    const m = compressedScale([0, 10, 20], {
      pxPerUs: 0.0125,
      gapUsMax: 1e9,
      breakPx: 0,
      minGapPx: 16,
      keyTimesUs: new Set([20]),
    });
    expect([0, 10, 20].map(m.toPx)).toEqual([0, 0.125, 16.125]);
  });
});
