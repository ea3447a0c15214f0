import { describe, expect, it } from 'vitest';
import { layoutLabels, segmentDistance2 } from '../../web/model/label-layout.ts';

const seg = (ax: number, ay: number, bx: number, by: number) => ({
  ax,
  ay,
  bx,
  by,
  minY: Math.min(ay, by),
  maxY: Math.max(ay, by),
});

describe('label layout', () => {
  it('measures segment distances', () => {
    expect(segmentDistance2(seg(0, 0, 10, 0), seg(0, 3, 10, 3))).toBe(9);
    expect(segmentDistance2(seg(0, 0, 10, 10), seg(0, 10, 10, 0))).toBe(0);
    expect(segmentDistance2(seg(0, 0, 1, 0), seg(4, 4, 5, 4))).toBe(25);
  });

  it('keeps a lone label whole, above its arrow, in the middle', () => {
    const [p] = layoutLabels([{ x1: 0, y1: 0, x2: 250, y2: 0, text: 'IKE_SA_INIT request #0' }], { charPx: 6 });
    expect(p).toMatchObject({ text: 'IKE_SA_INIT request #0', elided: false, angle: 0, x: 125 });
    expect(p && p.y < 0).toBe(true);
  });

  it('moves, shortens or leaves out labels of packets close in time so no two overlap', () => {
    // Ten parallel arrows 4 px apart: at most a few labels fit; every other one is elided or left out.
    const inputs = Array.from({ length: 10 }, (_x, i) => ({
      x1: 0,
      y1: i * 4,
      x2: 250,
      y2: i * 4 + 30,
      text: `packet number ${i} with a long summary`,
    }));
    const out = layoutLabels(inputs, { charPx: 6, heightPx: 11 });
    const shown = out.filter((p) => p.text !== '');
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(10);
    for (let i = 0; i < shown.length; i++)
      for (let j = i + 1; j < shown.length; j++) {
        const a = shown[i] as (typeof shown)[number];
        const b = shown[j] as (typeof shown)[number];
        const half = (p: typeof a): number => (p.text.length * 6) / 2;
        // Same angle: overlapping boxes would have centres closer than a line height across, and overlap along.
        const along = Math.abs(a.x - b.x) < half(a) + half(b);
        const across = Math.abs(a.y - b.y - (a.x - b.x) * (30 / 250)) * Math.cos(Math.atan(30 / 250));
        expect(along && across < 10.9).toBe(false);
      }
    expect(out.every((p, i) => p.text === '' || inputs[i]?.text.startsWith(p.text.replace(/…$/, '')))).toBe(true);
  });
});
