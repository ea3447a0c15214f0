/**
 * "What if exactly this message is lost?": a drop armed by a fault that hits the n-th packet offered to matching link
 * directions, or the first packets whose one-line summary matches a pattern. Counting starts when the fault takes
 * effect and covers original packets offered to a matching direction (a broadcast on a segment is one offer per
 * receiver). A packet claimed by a targeted drop is dropped at the loss step with reason `targeted`; if an earlier
 * step (partition, link down, MTU) drops it first, the targeted drop is still spent.
 */

export interface TargetedDropFilter {
  /** Link name; absent = any link. */
  readonly link?: string;
  /** Sending node; absent = any. */
  readonly from?: string;
  /** Receiving node; absent = any. */
  readonly to?: string;
}

export class TargetedDrop {
  private seen = 0;
  private remaining: number;
  private readonly regex: RegExp | undefined;

  constructor(
    readonly id: string,
    private readonly filter: TargetedDropFilter,
    /** 1-based index of the packet to drop, or undefined for pattern mode. */
    private readonly nth: number | undefined,
    /** Substring, or RegExp source when `isRegex`. */
    private readonly pattern: string | undefined,
    isRegex: boolean,
    count: number,
  ) {
    this.regex = pattern !== undefined && isRegex ? new RegExp(pattern) : undefined;
    this.remaining = count;
  }

  get spent(): boolean {
    return this.remaining <= 0;
  }

  /** Offers one packet; true when this drop claims it. */
  claims(link: string, from: string, to: string, summary: string): boolean {
    if (this.remaining <= 0) return false;
    const f = this.filter;
    if ((f.link !== undefined && f.link !== link) || (f.from !== undefined && f.from !== from)) return false;
    if (f.to !== undefined && f.to !== to) return false;
    if (this.nth !== undefined) {
      this.seen++;
      if (this.seen !== this.nth) return false;
    } else if (this.regex !== undefined) {
      if (!this.regex.test(summary)) return false;
    } else if (!summary.includes(this.pattern as string)) {
      return false;
    }
    this.remaining--;
    return true;
  }
}
