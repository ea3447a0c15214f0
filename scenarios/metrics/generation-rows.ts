/**
 * The store under the retransmission tables (ike-last-messages.ts, recent-prints.ts): rows of int32s in one typed
 * array, each under a key of three int32s, chained in a power-of-two hash table, and forgotten by generations of
 * virtual time exactly as RecentKeys forgets: a row touched in generation g is held while the current generation is
 * g or g + 1; the rest are dropped when a generation ends (one walk per generation, minutes of virtual time). A storm
 * holds tens of thousands of keys for minutes: a row is 36 bytes where a string key, a Map entry and an object or
 * array per key were ~100–300. Rows of forgotten keys are reused. Keys whose hash collides are chained and compared
 * whole, so a collision never merges two keys.
 *
 * A row: the key (KEY_0..KEY_2), a message fingerprint (message-key.ts: LENGTH, PRINT_A, PRINT_B), the generation it
 * was last touched in, the chain link, and FIRST: 1 on the first row of its key, so `size` counts keys even where a
 * key holds several rows (recent-prints.ts keeps one row per fingerprint sent under a key).
 */

export const KEY_0 = 0;
export const KEY_1 = 1;
export const KEY_2 = 2;
export const LENGTH = 3;
export const PRINT_A = 4;
export const PRINT_B = 5;
export const TOUCHED_GEN = 6;
/** The next row of the bucket's chain, NONE at its end; on the free list, the next free row. */
export const NEXT = 7;
const FIRST = 8;
export const COLUMNS = 9;
export const NONE = -1;

/** Bits of the bucket hash: 30 keeps it a small integer on every platform. */
export const BUCKET_BITS_DEFAULT = 30;

export class GenerationRows {
  /** Bucket → the first row of its chain (NONE: empty): at least twice the rows in use, so a lookup is an index. */
  private heads = new Int32Array(128).fill(NONE);
  /** The rows, COLUMNS int32s each; re-read after `add` (it may grow into a new array). */
  rows = new Int32Array(COLUMNS * 64);
  /** Rows ever used (the free list reuses the rows of forgotten keys first). */
  private rowsUsed = 0;
  private freeRow = NONE;
  /** The current generation. */
  gen = 0;
  private generationEndUs: number;
  private keys = 0;
  private readonly bucketMask: number;

  /** `bucketBits` below the default only to make collisions common (tests of the chains). */
  constructor(
    readonly generationUs: number,
    bucketBits = BUCKET_BITS_DEFAULT,
  ) {
    this.generationEndUs = generationUs;
    this.bucketMask = (1 << bucketBits) - 1;
  }

  /** Advances the clock to `atUs` (non-decreasing); a generation that ended drops the rows not touched since. */
  advance(atUs: number): void {
    if (atUs < this.generationEndUs) return;
    const passed = Math.floor((atUs - this.generationEndUs) / this.generationUs) + 1;
    this.generationEndUs += passed * this.generationUs;
    this.gen += passed;
    this.forgetStale();
  }

  /** Keys held (those touched in this generation or the one before). */
  get size(): number {
    return this.keys;
  }

  /** The first row of the chain the key would be in (walk it with NEXT; compare the key with `isKey`). */
  chainOf(k0: number, k1: number, k2: number): number {
    return this.heads[this.slotOf(k0, k1, k2)] as number;
  }

  /** Is row `r` under the key (`k0`, `k1`, `k2`)? */
  isKey(r: number, k0: number, k1: number, k2: number): boolean {
    const at = r * COLUMNS;
    const rows = this.rows;
    return rows[at + KEY_0] === k0 && rows[at + KEY_1] === k1 && rows[at + KEY_2] === k2;
  }

  /** Sets row `r`'s fingerprint and touches it in this generation. */
  write(r: number, length: number, a: number, b: number): void {
    const at = r * COLUMNS;
    const rows = this.rows;
    rows[at + LENGTH] = length;
    rows[at + PRINT_A] = a;
    rows[at + PRINT_B] = b;
    rows[at + TOUCHED_GEN] = this.gen;
  }

  /** A new row under the key with the fingerprint, touched now; `first` when the key held no row before. */
  add(k0: number, k1: number, k2: number, length: number, a: number, b: number, first: boolean): void {
    const r = this.newRow();
    const rows = this.rows;
    const at = r * COLUMNS;
    rows[at + KEY_0] = k0;
    rows[at + KEY_1] = k1;
    rows[at + KEY_2] = k2;
    rows[at + FIRST] = first ? 1 : 0;
    this.write(r, length, a, b);
    if (first) this.keys++;
    // The table grows with the rows (a rehash per doubling) before the new row is linked in.
    if (this.heads.length < this.rowsUsed * 2) this.grow();
    const slot = this.slotOf(k0, k1, k2);
    rows[at + NEXT] = this.heads[slot] as number;
    this.heads[slot] = r;
  }

  private slotOf(k0: number, k1: number, k2: number): number {
    const h = Math.imul(k2 ^ Math.imul(k0, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(k1, 0xc2b2ae35);
    return (h ^ (h >>> 15)) & this.bucketMask & (this.heads.length - 1);
  }

  /** Doubles the table until it is twice the rows in use and rehashes every chain. */
  private grow(): void {
    const old = this.heads;
    let size = old.length;
    while (size < this.rowsUsed * 2) size *= 2;
    const heads = new Int32Array(size).fill(NONE);
    this.heads = heads;
    const rows = this.rows;
    for (let s = 0; s < old.length; s++) {
      for (let r = old[s] as number; r !== NONE;) {
        const at = r * COLUMNS;
        const next = rows[at + NEXT] as number;
        const slot = this.slotOf(rows[at + KEY_0] as number, rows[at + KEY_1] as number, rows[at + KEY_2] as number);
        rows[at + NEXT] = heads[slot] as number;
        heads[slot] = r;
        r = next;
      }
    }
  }

  private newRow(): number {
    if (this.freeRow !== NONE) {
      const r = this.freeRow;
      this.freeRow = this.rows[r * COLUMNS + NEXT] as number;
      return r;
    }
    if ((this.rowsUsed + 1) * COLUMNS > this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    return this.rowsUsed++;
  }

  /** Unlinks every row not touched in this generation or the one before and puts it on the free list. */
  private forgetStale(): void {
    const oldest = this.gen - 1;
    const rows = this.rows;
    const heads = this.heads;
    for (let s = 0; s < heads.length; s++) {
      const head = heads[s] as number;
      if (head === NONE) continue;
      let first = NONE;
      let last = NONE;
      for (let r = head; r !== NONE;) {
        const at = r * COLUMNS;
        const next = rows[at + NEXT] as number;
        if ((rows[at + TOUCHED_GEN] as number) < oldest) {
          if (rows[at + FIRST] === 1) this.keys--;
          rows[at + NEXT] = this.freeRow;
          this.freeRow = r;
        } else {
          if (last === NONE) first = r;
          else rows[last * COLUMNS + NEXT] = r;
          last = r;
        }
        r = next;
      }
      if (last !== NONE) rows[last * COLUMNS + NEXT] = NONE;
      heads[s] = first;
    }
  }
}
