/**
 * Arrays a parsed value keeps, sized to their length. V8 gives an array built by `push` room for 16 more elements at
 * its first push (~150 bytes for a one-element list of traffic selectors, options or transforms); a copy has exactly
 * its length. Parsed values live as long as what keeps them — an idle client's SAs, its lease, the responses kept for
 * retransmission (RFC 7296 §2.1) — so a storm of idle clients paid that room for every list of every message kept.
 */
export function fitted<T>(xs: readonly T[]): T[] {
  return xs.length === 0 ? [] : xs.slice();
}
