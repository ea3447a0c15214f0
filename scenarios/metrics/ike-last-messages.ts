/**
 * The last IKE message of every (sender, IKE SA, request/response) triple sent recently, for retransmission counting
 * (message-key.ts: with window 1 a retransmission repeats that message byte for byte, RFC 7296 §2.1, §2.3). The same
 * answers as `RecentKeys<Fingerprint>` keyed by a `node|SPIi|q/r` string, without a string or an object per packet:
 * the triple is numbers (a node index, the SPI as two 32-bit halves), the map key a small-integer hash of them, and a
 * message's entry is rewritten in place when its triple sends again. Entries whose hash collides are chained and
 * compared on the whole triple, so a collision never merges two triples.
 *
 * Forgetting follows RecentKeys' two generations exactly: an entry touched in generation g is held while the current
 * generation is g or g + 1; stale entries are dropped when a generation ends (one walk per generation of virtual time,
 * 3 minutes or more), so `size` equals RecentKeys' `size` at every step.
 */

interface Entry {
  /** Sender index × 2 + 1 for a response. */
  readonly nodeRole: number;
  /** The initiator's SPI, bytes 0–3 and 4–7, as int32. */
  readonly spiHi: number;
  readonly spiLo: number;
  /** The last message's fingerprint (message-key.ts `packetFingerprint`). */
  length: number;
  a: number;
  b: number;
  /** The generation in which the triple last sent. */
  touchedGen: number;
  next: Entry | undefined;
}

/** Bits of the bucket hash: 30 keeps it a small integer (the cheapest Map key V8 has) on every platform. */
export const BUCKET_BITS_DEFAULT = 30;

export class IkeLastMessages {
  private readonly buckets = new Map<number, Entry>();
  private readonly nodeIndex = new Map<string, number>();
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
    let index = this.nodeIndex.get(node);
    if (index === undefined) {
      index = this.nodeIndex.size;
      this.nodeIndex.set(node, index);
    }
    const nodeRole = index * 2 + (response ? 1 : 0);
    const h = Math.imul(spiLo ^ Math.imul(nodeRole, 0x9e3779b1), 0x85ebca6b) ^ spiHi;
    const bucket = (h ^ (h >>> 15)) & this.bucketMask;
    const head = this.buckets.get(bucket);
    for (let x = head; x !== undefined; x = x.next) {
      if (x.nodeRole !== nodeRole || x.spiHi !== spiHi || x.spiLo !== spiLo) continue;
      const again = x.touchedGen >= this.gen - 1 && x.length === length && x.a === a && x.b === b;
      x.length = length;
      x.a = a;
      x.b = b;
      x.touchedGen = this.gen;
      return again;
    }
    this.buckets.set(bucket, { nodeRole, spiHi, spiLo, length, a, b, touchedGen: this.gen, next: head });
    this.held++;
    return false;
  }

  /** Triples held (those that sent in this generation or the one before). */
  get size(): number {
    return this.held;
  }

  private forgetStale(): void {
    const oldest = this.gen - 1;
    for (const [bucket, head] of this.buckets) {
      let first: Entry | undefined;
      let last: Entry | undefined;
      for (let x: Entry | undefined = head; x !== undefined; x = x.next) {
        if (x.touchedGen < oldest) {
          this.held--;
          continue;
        }
        if (last === undefined) first = x;
        else last.next = x;
        last = x;
      }
      if (last !== undefined) last.next = undefined;
      if (first === undefined) this.buckets.delete(bucket);
      else if (first !== head) this.buckets.set(bucket, first);
    }
  }
}
