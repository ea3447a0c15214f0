/**
 * The last IKE message of every (sender, IKE SA, request/response) triple sent recently, for retransmission counting
 * (message-key.ts: with window 1 a retransmission repeats that message byte for byte, RFC 7296 §2.1, §2.3). The same
 * answers as `RecentKeys<Fingerprint>` keyed by a `node|SPIi|q/r` string, without a string or an object per packet:
 * the triple is numbers (a node index, the SPI as two 32-bit halves), and a triple's last message is one row of
 * int32s in generation-rows.ts's table, rewritten in place when the triple sends again. Forgetting follows
 * RecentKeys' two generations exactly, so `size` equals RecentKeys' `size` at every step.
 */

import { GenerationRows, LENGTH, NEXT, NONE, PRINT_A, PRINT_B, TOUCHED_GEN, COLUMNS } from './generation-rows.ts';

export class IkeLastMessages {
  /** One row per triple (key: sender index × 2 + 1 for a response, the initiator's SPI as two int32 halves). */
  private readonly table: GenerationRows;
  private readonly nodeIndex = new Map<string, number>();

  /** `bucketBits` below the default only to make collisions common (tests of the chains). */
  constructor(
    readonly generationUs: number,
    bucketBits?: number,
  ) {
    this.table = new GenerationRows(generationUs, bucketBits);
  }

  /** Advances the clock to `atUs` (non-decreasing); a generation that ended drops what was not touched since. */
  advance(atUs: number): void {
    this.table.advance(atUs);
  }

  /** A small number standing for `node` in `repeatsAt` (the same number every time for the same name). */
  nodeIndexOf(node: string): number {
    let index = this.nodeIndex.get(node);
    if (index === undefined) {
      index = this.nodeIndex.size;
      this.nodeIndex.set(node, index);
    }
    return index;
  }

  /**
   * Records that the sender `nodeIndex` (its `nodeIndexOf`, so a caller that keeps the index per node looks no name
   * up) sent an IKE request (`response` false) or response of the SA whose initiator's SPI is `spiHi:spiLo`, with
   * fingerprint (`length`, `a`, `b`); true when it repeats the last message of that triple.
   */
  repeatsAt(
    nodeIndex: number,
    response: boolean,
    spiHi: number,
    spiLo: number,
    length: number,
    a: number,
    b: number,
  ): boolean {
    const nodeRole = nodeIndex * 2 + (response ? 1 : 0);
    const table = this.table;
    const rows = table.rows;
    for (let r = table.chainOf(nodeRole, spiHi, spiLo); r !== NONE; r = rows[r * COLUMNS + NEXT] as number) {
      if (!table.isKey(r, nodeRole, spiHi, spiLo)) continue;
      const at = r * COLUMNS;
      const again =
        (rows[at + TOUCHED_GEN] as number) >= table.gen - 1 &&
        rows[at + LENGTH] === length &&
        rows[at + PRINT_A] === a &&
        rows[at + PRINT_B] === b;
      // The triple's row is rewritten in place: only its last message counts.
      table.write(r, length, a, b);
      return again;
    }
    table.add(nodeRole, spiHi, spiLo, length, a, b, true);
    return false;
  }

  /** Triples held (those that sent in this generation or the one before). */
  get size(): number {
    return this.table.size;
  }
}
