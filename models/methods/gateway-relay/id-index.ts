/**
 * An index from a key to the ids filed under it, in filing order, for the relay's per-SA indexes (one entry per
 * client of a storm). Nearly every key holds one id, so a lone id is kept as itself and a Set made only for a second:
 * a Set per key would cost ~150 bytes per idle client and index.
 */
export type IdIndex = Map<string, string | Set<string>>;

export function fileId(index: IdIndex, key: string, id: string): void {
  const held = index.get(key);
  if (held === undefined) index.set(key, id);
  else if (typeof held === 'string') {
    if (held !== id) index.set(key, new Set([held, id]));
  } else held.add(id);
}

/** Unfiles `id` from `key`; a key left with no id goes. */
export function unfileId(index: IdIndex, key: string, id: string): void {
  const held = index.get(key);
  if (held === undefined) return;
  if (typeof held === 'string') {
    if (held === id) index.delete(key);
    return;
  }
  held.delete(id);
  if (held.size === 0) index.delete(key);
}

const NONE: readonly string[] = [];

/** The ids filed under `key`, in filing order. */
export function idsOf(index: IdIndex, key: string): Iterable<string> {
  const held = index.get(key);
  return held === undefined ? NONE : typeof held === 'string' ? [held] : held;
}
