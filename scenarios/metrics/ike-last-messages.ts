/**
 * The last IKE message of every (sender, IKE SA, request/response) triple sent recently, for retransmission counting
 * (message-key.ts: with window 1 a retransmission repeats that message byte for byte, RFC 7296 §2.1, §2.3). The same
 * answers as `RecentKeys<Fingerprint>` keyed by a `node|SPIi|q/r` string, without a string or an object per packet:
 * the triple is numbers (a node index, the SPI as two 32-bit halves), the map key a small-integer hash of them, and a
 * message's entry is a row of int32s in one typed array, rewritten in place when its triple sends again (rows of
 * forgotten triples are reused). Entries whose hash collides are chained and compared on the whole triple, so a
 * collision never merges two triples.
 *
 * Forgetting follows RecentKeys' two generations exactly: an entry touched in generation g is held while the current
 * generation is g or g + 1; stale entries are dropped when a generation ends (one walk per generation of virtual time,
 * 3 minutes or more), so `size` equals RecentKeys' `size` at every step.
 */

/** The int32 columns of an entry's row in `rows` (no object per triple). */
const NODE_ROLE = 0; // sender index × 2 + 1 for a response
const SPI_HI = 1; // the initiator's SPI, bytes 0–3, as int32
const SPI_LO = 2; // … bytes 4–7
const LENGTH = 3; // the last message's fingerprint (message-key.ts `packetFingerprint`): length, a, b
const PRINT_A = 4;
const PRINT_B = 5;
const TOUCHED_GEN = 6; // the generation in which the triple last sent
const NEXT = 7; // the next row of the bucket's chain, −1 at its end; on the free list, the next free row
const COLUMNS = 8;
const NONE = -1;

/** Bits of the bucket hash: 30 keeps it a small integer (the cheapest Map key V8 has) on every platform. */
export const BUCKET_BITS_DEFAULT = 30;

export class IkeLastMessages {
  /** Bucket → the first row of its chain (NONE: empty): a power-of-two table of int32s, at least twice the rows in
   * use, so a lookup is an index, not a Map probe (a storm's table holds tens of thousands of triples). */
  private heads = new Int32Array(128).fill(NONE);
  private readonly nodeIndex = new Map<string, number>();
  /** Rows of COLUMNS int32s; a storm holds tens of thousands of triples for minutes of virtual time, and a row is 32
   * bytes where an object per triple was about 100. */
  private rows = new Int32Array(COLUMNS * 64);
  /** Rows ever used (the free list reuses the rows of forgotten triples first). */
  private rowsUsed = 0;
  private freeRow = NONE;
  private gen = 0;
  private generationEndUs: number;
  private held = 0;

  private readonly bucketMask: number;

  /** `bucketBits` below the default only to make collisions common (tests of the chains). */
  constructor(
    readonly generationUs: number,
    bucketBits = BUCKET_BITS_DEFAULT,
  ) {
    this.generationEndUs = generationUs;
    this.bucketMask = (1 << bucketBits) - 1;
  }

  /** Advances the clock to `atUs` (non-decreasing); a generation that ended drops what was not touched since. */
  advance(atUs: number): void {
    if (atUs < this.generationEndUs) return;
    const passed = Math.floor((atUs - this.generationEndUs) / this.generationUs) + 1;
    this.generationEndUs += passed * this.generationUs;
    this.gen += passed;
    this.forgetStale();
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
   * Records that `node` sent an IKE request (`response` false) or response of the SA whose initiator's SPI is
   * `spiHi:spiLo`, with fingerprint (`length`, `a`, `b`); true when it repeats the last message of that triple.
   */
  repeats(
    node: string,
    response: boolean,
    spiHi: number,
    spiLo: number,
    length: number,
    a: number,
    b: number,
  ): boolean {
    return this.repeatsAt(this.nodeIndexOf(node), response, spiHi, spiLo, length, a, b);
  }

  /** `repeats` with the sender as its `nodeIndexOf` (a caller that keeps the index per node looks no name up). */
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
    const slot = this.slotOf(nodeRole, spiHi, spiLo);
    const head = this.heads[slot] as number;
    const rows = this.rows;
    for (let r = head; r !== NONE; r = rows[r * COLUMNS + NEXT] as number) {
      const at = r * COLUMNS;
      if (rows[at + NODE_ROLE] !== nodeRole || rows[at + SPI_HI] !== spiHi || rows[at + SPI_LO] !== spiLo) continue;
      const again =
        (rows[at + TOUCHED_GEN] as number) >= this.gen - 1 &&
        rows[at + LENGTH] === length &&
        rows[at + PRINT_A] === a &&
        rows[at + PRINT_B] === b;
      rows[at + LENGTH] = length;
      rows[at + PRINT_A] = a;
      rows[at + PRINT_B] = b;
      rows[at + TOUCHED_GEN] = this.gen;
      return again;
    }
    const r = this.newRow();
    const at = r * COLUMNS;
    const fresh = this.rows;
    fresh[at + NODE_ROLE] = nodeRole;
    fresh[at + SPI_HI] = spiHi;
    fresh[at + SPI_LO] = spiLo;
    fresh[at + LENGTH] = length;
    fresh[at + PRINT_A] = a;
    fresh[at + PRINT_B] = b;
    fresh[at + TOUCHED_GEN] = this.gen;
    this.held++;
    let into = slot;
    if (this.heads.length < this.rowsUsed * 2) {
      // The table grows with the rows (a rehash per doubling); the new row's slot is worked out in the new table.
      this.grow();
      into = this.slotOf(nodeRole, spiHi, spiLo);
    }
    fresh[at + NEXT] = this.heads[into] as number;
    this.heads[into] = r;
    return false;
  }

  /** Triples held (those that sent in this generation or the one before). */
  get size(): number {
    return this.held;
  }

  /** The table slot of a triple: its hash cut to the bucket bits, then to the table. */
  private slotOf(nodeRole: number, spiHi: number, spiLo: number): number {
    const h = Math.imul(spiLo ^ Math.imul(nodeRole, 0x9e3779b1), 0x85ebca6b) ^ spiHi;
    return (h ^ (h >>> 15)) & this.bucketMask & (this.heads.length - 1);
  }

  /** The table size for `rows` rows in use: a power of two, at least twice as many. */
  private tableSizeFor(rows: number): number {
    let size = this.heads.length;
    while (size < rows * 2) size *= 2;
    return size;
  }

  /** Doubles the table until it is twice the rows in use and rehashes every chain. */
  private grow(): void {
    const old = this.heads;
    const heads = new Int32Array(this.tableSizeFor(this.rowsUsed)).fill(NONE);
    this.heads = heads;
    const rows = this.rows;
    for (let s = 0; s < old.length; s++) {
      for (let r = old[s] as number; r !== NONE;) {
        const at = r * COLUMNS;
        const next = rows[at + NEXT] as number;
        const slot = this.slotOf(
          rows[at + NODE_ROLE] as number,
          rows[at + SPI_HI] as number,
          rows[at + SPI_LO] as number,
        );
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
          this.held--;
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
