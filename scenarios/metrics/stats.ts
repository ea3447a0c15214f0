/** Integer statistics on µs values: nearest-rank percentiles (no interpolation, no floating point). */

export interface Stat {
  readonly n: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest rank: the smallest value with at least p % of the sample at or below it (rank ⌈p·n/100⌉). */
export function nearestRank(sorted: readonly number[], percent: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('empty sample');
  const rank = Math.max(1, Math.floor((percent * n + 99) / 100));
  return sorted[rank - 1] as number;
}

export function stat(values: readonly number[]): Stat | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    max: sorted[sorted.length - 1] as number,
  };
}

/** C(n, k) as a bigint. */
function binomial(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/**
 * A distribution-free confidence interval for the median from order statistics: the largest l with
 * P(Binomial(n, ½) < l) ≤ 2.5 %, and u = n + 1 − l (1-based ranks) — exact rational arithmetic with bigints. Below
 * n = 6 no pair reaches 95 %; the interval is then [min, max] and `exact` is false.
 */
export function medianInterval(
  values: readonly number[],
): { readonly low: number; readonly high: number; readonly exact: boolean } | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const total = 1n << BigInt(n);
  // cumulative = Σ_{i<l} C(n,i); want 40 · cumulative ≤ total (2.5 %).
  let l = 0;
  let cumulative = 0n;
  while (l < Math.floor(n / 2)) {
    const next = cumulative + binomial(n, l);
    if (next * 40n > total) break;
    cumulative = next;
    l++;
  }
  if (l === 0) return { low: sorted[0] as number, high: sorted[n - 1] as number, exact: false };
  return { low: sorted[l - 1] as number, high: sorted[n - l] as number, exact: true };
}
