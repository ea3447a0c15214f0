/**
 * One list object per distinct TSr (RFC 7296 §3.13) for every Child SA that negotiated it. The protected side of a
 * remote-access Child SA is the same for every peer of a gateway (its protected subnets, or what a method sets), yet
 * each Child SA kept its own copy, on both ends (~130 bytes each, per idle client of a storm). The lists are readonly
 * values, so sharing them changes nothing but memory; the table is bounded, and a list it has no room for is kept as
 * it is.
 */
import type { IkeTrafficSelector } from '../wire/ike/index.ts';

/** Distinct lists kept (a lab has a handful: one or two per gateway). */
const SHARED_LISTS_MAX = 64;

const shared = new Map<string, readonly IkeTrafficSelector[]>();

/** The key of a list of address ranges; undefined for any other selector type (not shared). */
function keyOf(selectors: readonly IkeTrafficSelector[]): string | undefined {
  let key = '';
  for (const s of selectors) {
    if (s.kind !== 'ipv4Range') return undefined;
    key += `${s.ipProtocol}:${s.startPort}-${s.endPort}:${s.startAddress}-${s.endAddress};`;
  }
  return key;
}

/** `selectors`, or the equal list already kept. */
export function sharedSelectors(selectors: readonly IkeTrafficSelector[]): readonly IkeTrafficSelector[] {
  const key = keyOf(selectors);
  if (key === undefined) return selectors;
  const kept = shared.get(key);
  if (kept !== undefined) return kept;
  if (shared.size >= SHARED_LISTS_MAX) return selectors;
  // Frozen: a list shared by many SAs must never change under one of them.
  const list = Object.isFrozen(selectors) ? selectors : Object.freeze(selectors);
  shared.set(key, list);
  return list;
}
