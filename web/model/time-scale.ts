/**
 * The ladder's vertical axis: simulated time drawn proportionally inside bursts of activity, with every idle gap
 * longer than `gapUsMax` squeezed to `breakPx` (and marked as a break), so a connect that retransmits for minutes still
 * fits on one screen while the milliseconds between a request and its response stay readable.
 */

export interface ScaleBreak {
  readonly startUs: number;
  readonly endUs: number;
  /** Pixel span of the break on the axis. */
  readonly startPx: number;
  readonly endPx: number;
}

export interface Segment {
  readonly startUs: number;
  readonly endUs: number;
  readonly startPx: number;
  readonly endPx: number;
}

export interface CompressedScale {
  readonly pxPerUs: number;
  /** Proportional stretches (what ticks are drawn on). */
  readonly segments: readonly Segment[];
  readonly breaks: readonly ScaleBreak[];
  readonly startUs: number;
  readonly endUs: number;
  readonly heightPx: number;
  toPx(atUs: number): number;
  toUs(px: number): number;
}

export interface ScaleOptions {
  readonly pxPerUs: number;
  /** Idle gaps longer than this are compressed. */
  readonly gapUsMax: number;
  readonly breakPx: number;
  /**
   * Consecutive distinct instants are drawn at least this far apart (default 0), so a relay's request and the
   * server's answer 0.5 ms later stay in order on screen; longer gaps stay proportional.
   */
  readonly minGapPx?: number;
  /** When given, `minGapPx` applies only to gaps ending at one of these instants (e.g. packet sends). */
  readonly keyTimesUs?: ReadonlySet<number>;
  /** Space above the first instant. */
  readonly topPx?: number;
  /** Space below the last instant. */
  readonly bottomPx?: number;
}

interface Anchor {
  readonly us: number;
  readonly px: number;
}

/** Builds the scale over `timesUs` (any order, duplicates allowed). */
export function compressedScale(timesUs: readonly number[], options: ScaleOptions): CompressedScale {
  const { pxPerUs, gapUsMax, breakPx } = options;
  const topPx = options.topPx ?? 0;
  const sorted = [...new Set(timesUs)].sort((a, b) => a - b);
  if (sorted.length === 0) sorted.push(0);
  const first = sorted[0] as number;
  // Anchors: piecewise-linear map. Inside a segment slope = pxPerUs; across a break the slope is whatever fits breakPx.
  const anchors: Anchor[] = [{ us: first, px: topPx }];
  const segments: Segment[] = [];
  const breaks: ScaleBreak[] = [];
  let segStartUs = first;
  let segStartPx = topPx;
  let px = topPx;
  let prev = first;
  for (let i = 1; i < sorted.length; i++) {
    const t = sorted[i] as number;
    const gap = t - prev;
    if (gap > gapUsMax) {
      segments.push({ startUs: segStartUs, endUs: prev, startPx: segStartPx, endPx: px });
      if ((anchors[anchors.length - 1] as Anchor).us !== prev) anchors.push({ us: prev, px });
      breaks.push({ startUs: prev, endUs: t, startPx: px, endPx: px + breakPx });
      px += breakPx;
      anchors.push({ us: t, px });
      segStartUs = t;
      segStartPx = px;
    } else {
      const stretch = options.keyTimesUs === undefined || options.keyTimesUs.has(t) ? (options.minGapPx ?? 0) : 0;
      px += Math.max(gap * pxPerUs, stretch);
      anchors.push({ us: t, px });
    }
    prev = t;
  }
  segments.push({ startUs: segStartUs, endUs: prev, startPx: segStartPx, endPx: px });
  if ((anchors[anchors.length - 1] as Anchor).us !== prev) anchors.push({ us: prev, px });
  const last = prev;
  const heightPx = px + (options.bottomPx ?? 0);

  const toPx = (atUs: number): number => {
    if (atUs <= first) return topPx + (atUs - first) * pxPerUs;
    if (atUs >= last) return px + (atUs - last) * pxPerUs;
    let lo = 0;
    let hi = anchors.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((anchors[mid] as Anchor).us <= atUs) lo = mid;
      else hi = mid;
    }
    const a = anchors[lo] as Anchor;
    const b = anchors[hi] as Anchor;
    return b.us === a.us ? a.px : a.px + ((atUs - a.us) * (b.px - a.px)) / (b.us - a.us);
  };
  const toUs = (y: number): number => {
    if (y <= topPx) return first + (y - topPx) / pxPerUs;
    if (y >= px) return last + (y - px) / pxPerUs;
    let lo = 0;
    let hi = anchors.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((anchors[mid] as Anchor).px <= y) lo = mid;
      else hi = mid;
    }
    const a = anchors[lo] as Anchor;
    const b = anchors[hi] as Anchor;
    return b.px === a.px ? a.us : a.us + ((y - a.px) * (b.us - a.us)) / (b.px - a.px);
  };
  return { pxPerUs, segments, breaks, startUs: first, endUs: last, heightPx, toPx, toUs };
}

/**
 * Chooses the density: the median gap between consecutive sends (ignoring idle gaps over `idleUs`) gets `rowPx`, the
 * scale is kept within [minPxPerUs, maxPxPerUs], and gaps longer than `breakAfterPx` of drawing become breaks.
 */
export function autoScaleOptions(
  sendTimesUs: readonly number[],
  opts: {
    rowPx?: number;
    idleUs?: number;
    breakAfterPx?: number;
    breakPx?: number;
    minGapPx?: number;
    minPxPerUs?: number;
    maxPxPerUs?: number;
  } = {},
): ScaleOptions {
  const rowPx = opts.rowPx ?? 40;
  const idleUs = opts.idleUs ?? 500_000;
  const sorted = [...sendTimesUs].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const g = (sorted[i] as number) - (sorted[i - 1] as number);
    if (g > 0 && g <= idleUs) gaps.push(g);
  }
  gaps.sort((a, b) => a - b);
  const typical = gaps.length > 0 ? (gaps[Math.floor(gaps.length / 2)] as number) : 10_000;
  const pxPerUs = Math.min(opts.maxPxPerUs ?? 0.01, Math.max(opts.minPxPerUs ?? 0.00002, rowPx / typical));
  const breakAfterPx = opts.breakAfterPx ?? 160;
  return {
    pxPerUs,
    gapUsMax: breakAfterPx / pxPerUs,
    breakPx: opts.breakPx ?? 36,
    minGapPx: opts.minGapPx ?? 16,
    topPx: 30,
    bottomPx: 40,
  };
}

/** `1.234 s`, `12.5 ms`, `800 µs`: a compact label for an axis tick or a duration. */
export function formatDuration(us: number): string {
  const abs = Math.abs(us);
  if (abs >= 1_000_000) return `${trim(us / 1_000_000)} s`;
  if (abs >= 1_000) return `${trim(us / 1_000)} ms`;
  return `${Math.round(us)} µs`;
}

function trim(v: number): string {
  return String(Number(v.toFixed(3)));
}
