/**
 * The fingerprints of the DHCP messages every (sender, transaction) sent recently, for retransmission counting (a
 * DHCP client keeps its xid for one exchange and sends the same message again when no answer comes, RFC 2131 §4.1).
 * The same answers as `RecentKeys<number[]>` keyed by a `node|xid` string holding the list of fingerprints sent under
 * that key, without a string, a Map entry or an array per transaction: the key is numbers (a node index, the xid's
 * digit count and value), and each fingerprint of a key is a row of int32s in generation-rows.ts's hash table.
 * A storm holds one or two transactions per client for minutes of virtual time: ~40 bytes each instead of ~300.
 *
 * Forgetting follows RecentKeys' two generations exactly: a key touched (looked up) in generation g is held while the
 * current generation is g or g + 1; every row of a key is touched with it, so a key's rows are forgotten together when
 * a generation ends.
 */

import { GenerationRows, LENGTH, NEXT, NONE, PRINT_A, PRINT_B, TOUCHED_GEN, COLUMNS } from './generation-rows.ts';

export class RecentPrints {
  /** One row per fingerprint sent under a key (node, keyA, keyB). */
  private readonly table: GenerationRows;

  constructor(readonly generationUs: number) {
    this.table = new GenerationRows(generationUs);
  }

  /** Advances the clock to `atUs` (non-decreasing); a generation that ended drops the keys not touched since. */
  advance(atUs: number): void {
    this.table.advance(atUs);
  }

  /** Keys held (those touched in this generation or the one before). */
  get size(): number {
    return this.table.size;
  }

  /**
   * Touches the key (`node`, `keyA`, `keyB`) and records fingerprint (`length`, `a`, `b`) under it; true when the key
   * already held that fingerprint (the message was sent before).
   */
  sentBefore(node: number, keyA: number, keyB: number, length: number, a: number, b: number): boolean {
    const table = this.table;
    const rows = table.rows;
    let held = false;
    let again = false;
    for (let r = table.chainOf(node, keyA, keyB); r !== NONE; r = rows[r * COLUMNS + NEXT] as number) {
      if (!table.isKey(r, node, keyA, keyB)) continue;
      // Every row in the table is of a key still held (advance forgets the others at once): touch them all, so a
      // key's rows are forgotten together.
      held = true;
      const at = r * COLUMNS;
      rows[at + TOUCHED_GEN] = table.gen;
      if (rows[at + LENGTH] === length && rows[at + PRINT_A] === a && rows[at + PRINT_B] === b) again = true;
    }
    if (!again) table.add(node, keyA, keyB, length, a, b, !held);
    return again;
  }
}
