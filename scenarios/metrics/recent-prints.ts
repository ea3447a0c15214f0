/**
 * The fingerprints of the DHCP messages every (sender, transaction) sent recently, for retransmission counting (a
 * DHCP client keeps its xid for one exchange and sends the same message again when no answer comes, RFC 2131 §4.1).
 * The same answers as `RecentKeys<number[]>` keyed by a `node|xid` string holding the list of fingerprints sent under
 * that key, without a string, a Map entry or an array per transaction: the key is numbers (a node index, the xid's
 * digit count and value), and each fingerprint of a key is a row of int32s in one typed array, in a hash table by key.
 * A storm holds one or two transactions per client for minutes of virtual time: ~40 bytes each instead of ~300.
 *
 * Forgetting follows RecentKeys' two generations exactly: a key touched (looked up) in generation g is held while the
 * current generation is g or g + 1; every row of a key is touched with it, so a key's rows are forgotten together when
 * a generation ends.
 */

const NODE = 0;
const KEY_A = 1;
const KEY_B = 2;
const LENGTH = 3; // the fingerprint (message-key.ts `fingerprint`): length, a, b
const PRINT_A = 4;
const PRINT_B = 5;
const TOUCHED_GEN = 6;
/** The next row of the bucket's chain, −1 at its end; on the free list, the next free row. */
const NEXT = 7;
/** 1 on the first row of a key (the key's count in `size`), else 0. */
const FIRST = 8;
const COLUMNS = 9;
const NONE = -1;

export class RecentPrints {
  /** Bucket → the first row of its chain (NONE: empty): a power-of-two table at least twice the rows in use. */
  private heads = new Int32Array(128).fill(NONE);
  private rows = new Int32Array(COLUMNS * 64);
  private rowsUsed = 0;
  private freeRow = NONE;
  private gen = 0;
  private generationEndUs: number;
  private keys = 0;

  constructor(readonly generationUs: number) {
    this.generationEndUs = generationUs;
  }

  /** Advances the clock to `atUs` (non-decreasing); a generation that ended drops the keys not touched since. */
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

  /**
   * Touches the key (`node`, `keyA`, `keyB`) and records fingerprint (`length`, `a`, `b`) under it; true when the key
   * already held that fingerprint (the message was sent before).
   */
  sentBefore(node: number, keyA: number, keyB: number, length: number, a: number, b: number): boolean {
    const slot = this.slotOf(node, keyA, keyB);
    const rows = this.rows;
    let held = false;
    let again = false;
    for (let r = this.heads[slot] as number; r !== NONE; r = rows[r * COLUMNS + NEXT] as number) {
      const at = r * COLUMNS;
      if (rows[at + NODE] !== node || rows[at + KEY_A] !== keyA || rows[at + KEY_B] !== keyB) continue;
      // Every row in the table is of a key still held (advance forgets the others at once): touch them all.
      held = true;
      rows[at + TOUCHED_GEN] = this.gen;
      if (rows[at + LENGTH] === length && rows[at + PRINT_A] === a && rows[at + PRINT_B] === b) again = true;
    }
    if (again) return true;
    const r = this.newRow();
    const at = r * COLUMNS;
    const fresh = this.rows;
    fresh[at + NODE] = node;
    fresh[at + KEY_A] = keyA;
    fresh[at + KEY_B] = keyB;
    fresh[at + LENGTH] = length;
    fresh[at + PRINT_A] = a;
    fresh[at + PRINT_B] = b;
    fresh[at + TOUCHED_GEN] = this.gen;
    fresh[at + FIRST] = held ? 0 : 1;
    if (!held) this.keys++;
    let into = slot;
    if (this.heads.length < this.rowsUsed * 2) {
      this.grow();
      into = this.slotOf(node, keyA, keyB);
    }
    fresh[at + NEXT] = this.heads[into] as number;
    this.heads[into] = r;
    return false;
  }

  private slotOf(node: number, keyA: number, keyB: number): number {
    const h = Math.imul(keyB ^ Math.imul(node, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(keyA, 0xc2b2ae35);
    return (h ^ (h >>> 15)) & (this.heads.length - 1);
  }

  /** Doubles the table until it is twice the rows in use and rehashes every chain. */
  private grow(): void {
    const old = this.heads;
    let size = old.length;
    while (size < this.rowsUsed * 2) size *= 2;
    this.heads = new Int32Array(size).fill(NONE);
    const rows = this.rows;
    for (let s = 0; s < old.length; s++) {
      for (let r = old[s] as number; r !== NONE;) {
        const at = r * COLUMNS;
        const next = rows[at + NEXT] as number;
        const slot = this.slotOf(rows[at + NODE] as number, rows[at + KEY_A] as number, rows[at + KEY_B] as number);
        rows[at + NEXT] = this.heads[slot] as number;
        this.heads[slot] = r;
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
