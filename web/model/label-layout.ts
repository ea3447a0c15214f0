/**
 * Arrow labels that do not overlap: packets close in time give nearly parallel arrows whose labels, drawn along them,
 * would sit on top of each other. Labels are placed greedily in send order; each tries the middle of its arrow with the
 * whole summary, then shorter text nearer either end, and is left out (its full text stays on hover) when every spot
 * collides with a label already placed. Spots that keep the label's `keep` head whole come before any that cut it. A label is modelled as a thick segment along its arrow: two labels collide
 * when their segments come closer than the text height.
 */

export interface LabelInput {
  /** The arrow from lifeline to lifeline (a drop is drawn shorter; its label still follows the full direction). */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Where the shaft is drawn to, when shorter (a drop); default (x2, y2). */
  readonly sx2?: number;
  readonly sy2?: number;
  readonly text: string;
  /**
   * The head the label must keep whole if any spot allows it (what distinguishes the message, web/model/
   * teaching-label.ts): spots where it fits whole are tried first, shorter ones only after all of them collide.
   */
  readonly keep?: string;
}

export interface LabelPlacement {
  /** Text to draw ('' = left out). */
  readonly text: string;
  /** Label centre, already lifted above the shaft. */
  readonly x: number;
  readonly y: number;
  /** Rotation (degrees), kept upright. */
  readonly angle: number;
  readonly elided: boolean;
}

export interface LabelOptions {
  readonly charPx?: number;
  /** Text height: labels closer than this collide. */
  readonly heightPx?: number;
  /** Gap between the shaft and the near edge of the text. */
  readonly liftPx?: number;
  /** Free space kept at each end of the arrow. */
  readonly marginPx?: number;
}

interface Seg {
  readonly ax: number;
  readonly ay: number;
  readonly bx: number;
  readonly by: number;
  readonly minY: number;
  readonly maxY: number;
}

function pointSegDist2(px: number, py: number, s: Seg): number {
  const dx = s.bx - s.ax;
  const dy = s.by - s.ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - s.ax) * dx + (py - s.ay) * dy) / len2));
  const qx = s.ax + t * dx - px;
  const qy = s.ay + t * dy - py;
  return qx * qx + qy * qy;
}

function cross(ox: number, oy: number, ax: number, ay: number, bx: number, by: number): number {
  return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);
}

/** Squared distance between two segments (0 when they cross). */
export function segmentDistance2(p: Seg, q: Seg): number {
  const d1 = cross(p.ax, p.ay, p.bx, p.by, q.ax, q.ay);
  const d2 = cross(p.ax, p.ay, p.bx, p.by, q.bx, q.by);
  const d3 = cross(q.ax, q.ay, q.bx, q.by, p.ax, p.ay);
  const d4 = cross(q.ax, q.ay, q.bx, q.by, p.bx, p.by);
  if (d1 * d2 < 0 && d3 * d4 < 0) return 0;
  return Math.min(
    pointSegDist2(p.ax, p.ay, q),
    pointSegDist2(p.bx, p.by, q),
    pointSegDist2(q.ax, q.ay, p),
    pointSegDist2(q.bx, q.by, p),
  );
}

function elide(text: string, chars: number): string {
  if (text.length <= chars) return text;
  return chars <= 1 ? '' : `${text.slice(0, chars - 1)}…`;
}

/** Where a label may go: side of the shaft, share of the usable length, and anchoring along the arrow. */
const CANDIDATES: readonly { readonly side: 1 | -1; readonly share: number; readonly at: 'mid' | 'start' | 'end' }[] = [
  { side: 1, share: 1, at: 'mid' },
  { side: -1, share: 1, at: 'mid' },
  { side: 1, share: 0.7, at: 'start' },
  { side: 1, share: 0.7, at: 'end' },
  { side: -1, share: 0.7, at: 'start' },
  { side: -1, share: 0.7, at: 'end' },
  { side: 1, share: 0.45, at: 'start' },
  { side: 1, share: 0.45, at: 'end' },
  { side: -1, share: 0.45, at: 'start' },
  { side: -1, share: 0.45, at: 'end' },
];

function segOf(ax: number, ay: number, bx: number, by: number): Seg {
  return { ax, ay, bx, by, minY: Math.min(ay, by), maxY: Math.max(ay, by) };
}

interface Spot {
  readonly placement: LabelPlacement;
  readonly seg: Seg;
}

/**
 * Places every label (inputs in drawing order, usually by send time). Obstacles: the labels placed so far and every
 * other arrow's shaft; a label tries above its shaft, then below, then shorter nearer either end.
 *
 * Labels with a `keep` head are placed in two rounds: first every label as its head alone, so no label's tail can
 * take the room another label's head needs; then each label grows back towards its whole text where that still fits
 * beside every other label as placed.
 */
export function layoutLabels(inputs: readonly LabelInput[], o: LabelOptions = {}): LabelPlacement[] {
  const charPx = o.charPx ?? 6.3;
  const heightPx = o.heightPx ?? 11;
  const liftPx = o.liftPx ?? 4;
  const marginPx = o.marginPx ?? 8;
  const half = heightPx / 2;
  const shafts = inputs.map((a) => segOf(a.x1, a.y1, a.sx2 ?? a.x2, a.sy2 ?? a.y2));
  const order = inputs.map((_x, i) => i).sort((a, b) => (inputs[a]?.y1 ?? 0) - (inputs[b]?.y1 ?? 0) || a - b);
  const near = (list: readonly (Seg | undefined)[], seg: Seg, pad: number, limit2: number, skip: number): boolean => {
    for (let k = 0; k < list.length; k++) {
      const p = list[k];
      if (k === skip || p === undefined) continue;
      if (p.maxY < seg.minY - pad || p.minY > seg.maxY + pad) continue;
      if (segmentDistance2(p, seg) < limit2) return true;
    }
    return false;
  };
  /** The first spot for `text` (elided to fit) where nothing in `placed` (but label i itself) is in the way. */
  const spotFor = (
    i: number,
    text0: string,
    placed: readonly (Seg | undefined)[],
    minChars: number,
  ): Spot | undefined => {
    const a = inputs[i] as LabelInput;
    const dx = a.x2 - a.x1;
    const dy = a.y2 - a.y1;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    // The normal pointing up the screen: text drawn upright has its top that way.
    let nx = -uy;
    let ny = ux;
    if (ny > 0 || (ny === 0 && nx > 0)) {
      nx = -nx;
      ny = -ny;
    }
    const raw = (Math.atan2(dy, dx) * 180) / Math.PI;
    const angle = Math.abs(raw) > 90 ? raw - 180 * Math.sign(raw) : raw;
    const usable = Math.max(0, len - 2 * marginPx);
    for (const c of CANDIDATES) {
      const text = elide(text0, Math.floor((usable * c.share) / charPx));
      if (text.length < Math.max(4, minChars) && text !== text0) continue;
      if (text.length < 4) continue;
      const w = text.length * charPx;
      const t = c.at === 'mid' ? 0.5 : c.at === 'start' ? (marginPx + w / 2) / len : 1 - (marginPx + w / 2) / len;
      const px = a.x1 + dx * t;
      const py = a.y1 + dy * t;
      // Centre line of the text, half a line off the shaft; the baseline is drawn from it.
      const off = c.side * (liftPx + half);
      const cx = px + nx * off;
      const cy = py + ny * off;
      const seg = segOf(cx - (ux * w) / 2, cy - (uy * w) / 2, cx + (ux * w) / 2, cy + (uy * w) / 2);
      if (near(placed, seg, heightPx, heightPx * heightPx, i)) continue;
      if (near(shafts, seg, half, (half - 0.5) * (half - 0.5), i)) continue;
      // Baseline: 0.35 em below the centre line (the text's "down" is -n).
      const bx = cx - nx * (heightPx * 0.35);
      const by = cy - ny * (heightPx * 0.35);
      return { placement: { text, x: bx, y: by, angle, elided: text !== (inputs[i] as LabelInput).text }, seg };
    }
    return undefined;
  };
  const left = (i: number): LabelPlacement => {
    const a = inputs[i] as LabelInput;
    return { text: '', x: (a.x1 + a.x2) / 2, y: (a.y1 + a.y2) / 2, angle: 0, elided: true };
  };
  const segs = new Array<Seg | undefined>(inputs.length);
  const result = new Array<LabelPlacement>(inputs.length);
  const heads = inputs.some((a) => a.keep !== undefined);
  for (const i of order) {
    const a = inputs[i] as LabelInput;
    const spot = spotFor(i, heads ? (a.keep ?? a.text) : a.text, segs, 0);
    segs[i] = spot?.seg;
    result[i] = spot?.placement ?? left(i);
  }
  if (!heads) return result;
  for (const i of order) {
    const a = inputs[i] as LabelInput;
    const have = result[i] as LabelPlacement;
    if (have.text === a.text) continue;
    // Longer than what it has, or nothing: a label left out in the first round may still find a shorter spot.
    const grown = spotFor(i, a.text, segs, have.text === '' ? 0 : have.text.length + 1);
    if (grown === undefined) continue;
    segs[i] = grown.seg;
    result[i] = grown.placement;
  }
  return result;
}
