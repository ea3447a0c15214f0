/**
 * A map of a handful of entries (a tunnel's Child SAs by SPI, its method's machines by name) as one flat array
 * `[k0, v0, k1, v1, …]` searched in order. A `Map` costs ~200 B of heap even with one entry (its hash table is
 * allocated for several); a storm keeps several per client for its whole life, each holding one or two entries.
 * Keys compare with `===`; entries iterate in first-insertion order, as a `Map`'s do.
 */
export class FewMap<K, V> {
  private kv: (K | V)[] = [];

  get size(): number {
    return this.kv.length / 2;
  }

  private indexOf(key: K): number {
    const kv = this.kv;
    for (let i = 0; i < kv.length; i += 2) if (kv[i] === key) return i;
    return -1;
  }

  has(key: K): boolean {
    return this.indexOf(key) >= 0;
  }

  get(key: K): V | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : (this.kv[i + 1] as V);
  }

  /** Sets `key`'s value; a key already present keeps its place (as `Map.set`). */
  set(key: K, value: V): void {
    const i = this.indexOf(key);
    if (i >= 0) this.kv[i + 1] = value;
    // A new array of the exact length: `push` would grow the store to 17 slots (~100 B) for one entry.
    else this.kv = this.kv.length === 0 ? [key, value] : this.kv.concat([key, value]);
  }

  delete(key: K): boolean {
    const i = this.indexOf(key);
    if (i < 0) return false;
    const kv = this.kv;
    this.kv = kv.length === 2 ? [] : kv.slice(0, i).concat(kv.slice(i + 2));
    return true;
  }

  clear(): void {
    if (this.kv.length > 0) this.kv = [];
  }

  /** Calls `f` for each entry in insertion order. */
  forEach(f: (value: V, key: K) => void): void {
    const kv = this.kv;
    for (let i = 0; i < kv.length; i += 2) f(kv[i + 1] as V, kv[i] as K);
  }
}
