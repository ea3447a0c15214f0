/**
 * WCAG 2.1 AA contrast (1.4.3: at least 4.5:1 for normal text) of the lab's secondary text on its white surfaces:
 * axis times, byte offsets, field ranges, labels of packets still to come, idle-gap notes, timeline times. The
 * colours are read from web/style.css, so a lighter grey there fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CSS = readFileSync('web/style.css', 'utf8');

/** The value of `property` in the first rule whose selector list is exactly `selector`; var(--x) resolved. */
function colourOf(selector: string, property: 'color' | 'fill'): string {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rule = new RegExp(`(^|\\n)${escaped} \\{([^}]*)\\}`).exec(CSS);
  const value = rule?.[2] && new RegExp(`(^|\\s)${property}: ([^;]+);`).exec(rule[2])?.[2];
  if (!value) throw new Error(`no ${property} for ${selector} in web/style.css`);
  const v = /^var\((--[a-z-]+)\)$/.exec(value.trim());
  if (!v) return value.trim();
  const root = new RegExp(`${v[1]}: (#[0-9a-fA-F]{6});`).exec(CSS);
  if (!root?.[1]) throw new Error(`no ${v[1]} in :root`);
  return root[1];
}

function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = c.map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (lin[0] ?? 0) + 0.7152 * (lin[1] ?? 0) + 0.0722 * (lin[2] ?? 0);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('secondary text on white meets WCAG AA (4.5:1)', () => {
  const cases: [string, 'color' | 'fill'][] = [
    ['.tick text', 'fill'],
    ['.field .range', 'color'],
    ['.hex .offset', 'color'],
    ['.arrow.future .label', 'fill'],
    ['.break text', 'fill'],
    ['ol.timeline .at', 'color'],
    ['.hint', 'color'],
  ];
  for (const [selector, property] of cases)
    it(selector, () => {
      const fg = colourOf(selector, property);
      expect(contrast(fg, '#ffffff'), `${selector} ${fg}`).toBeGreaterThanOrEqual(4.5);
    });
});
