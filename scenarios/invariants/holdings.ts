/**
 * Who holds which inner address, over time: a client "holds" an address from its `address.assigned` note (the ACK /
 * CFG_REPLY took effect) to its `address.released` note (release, expiry, tunnel teardown) or its crash. One tracker
 * serves the invariant checker (`address.unique`) and the `addressOverlaps` metric, so the two can never disagree.
 *
 * Overlap is judged at the end of each instant: a hand-over at one µs (A released, B assigned, in either order) is not
 * an overlap; two different clients holding one address when the instant closes is. The same client holding its own
 * address again (a reconnect, a second tunnel) never overlaps itself. Per event the work is O(holders of that address).
 */

export interface Holding {
  readonly client: string;
  /** `client|tunnel`. */
  readonly key: string;
  readonly address: string;
  readonly fromUs: number;
  /** Creation order: the order `all()` lists current holdings in (a Map lists keys in insertion order). */
  readonly seq: number;
}

/** Two different clients holding one address when an instant closed. */
export interface Overlap {
  readonly address: string;
  readonly a: Holding;
  readonly b: Holding;
  readonly atUs: number;
}

/** What an instant that touched no address closes: one shared empty list. */
const NO_OVERLAPS: readonly Overlap[] = Object.freeze([]);

export class AddressHoldings {
  private readonly byKey = new Map<string, Holding>();
  /** client → its holdings by key, so a crash ends a client's tunnels without walking every holding: the holding
   * itself while the client has one (every client of a storm holds one address; a Map each was ~150 bytes), a Map in
   * the order they were taken once it has several. */
  private readonly byClient = new Map<string, Holding | Map<string, Holding>>();
  private seqNext = 0;
  private readonly byAddress = new Map<string, Holding[]>();
  /** Addresses whose holders changed in the open instant. */
  private readonly touched = new Set<string>();
  /** Holding pairs already counted (`fromUs|key` of both, ordered). */
  private readonly counted = new Set<string>();
  private overlapsValue = 0;
  private overlapUsValue = 0;

  /** `onEnd` hears of every holding that ends (released, replaced or crashed), after it is gone. */
  constructor(private readonly onEnd?: (h: Holding) => void) {}

  /** Pairs of holdings by different clients that intersected in time. */
  get overlaps(): number {
    return this.overlapsValue;
  }

  /** Total µs two clients held one address at once, of pairs that have ended (`openOverlapUs` adds the others). */
  get overlapUs(): number {
    return this.overlapUsValue;
  }

  /** The address a key holds, if any. */
  addressOf(key: string): string | undefined {
    return this.byKey.get(key)?.address;
  }

  holdingOf(key: string): Holding | undefined {
    return this.byKey.get(key);
  }

  holdersOf(address: string): readonly Holding[] {
    return this.byAddress.get(address) ?? [];
  }

  isHeld(address: string): boolean {
    return (this.byAddress.get(address)?.length ?? 0) > 0;
  }

  /** Every current holding (for liveness checks at the end). */
  all(): IterableIterator<Holding> {
    return this.byKey.values();
  }

  /** `key` must be `client|tunnel`; a caller that keeps that string passes it (no string built per note). */
  hold(client: string, tunnel: string, address: string, atUs: number, key = `${client}|${tunnel}`): void {
    if (this.byKey.get(key)?.address === address) return;
    this.unhold(key, atUs);
    const h: Holding = { client, key, address, fromUs: atUs, seq: this.seqNext++ };
    this.byKey.set(key, h);
    const mine = this.byClient.get(client);
    if (mine === undefined) this.byClient.set(client, h);
    else if (mine instanceof Map) mine.set(key, h);
    else
      this.byClient.set(
        client,
        new Map([
          [mine.key, mine],
          [key, h],
        ]),
      );
    const list = this.byAddress.get(address);
    if (list === undefined) this.byAddress.set(address, [h]);
    else list.push(h);
    this.touched.add(address);
  }

  unhold(key: string, atUs: number): void {
    const h = this.byKey.get(key);
    if (h === undefined) return;
    this.byKey.delete(key);
    const mine = this.byClient.get(h.client);
    if (mine === h) this.byClient.delete(h.client);
    else if (mine instanceof Map) {
      mine.delete(key);
      if (mine.size === 1) this.byClient.set(h.client, mine.values().next().value as Holding);
    }
    const list = this.byAddress.get(h.address) ?? [];
    const rest = list.filter((x) => x !== h);
    if (rest.length === 0) this.byAddress.delete(h.address);
    else this.byAddress.set(h.address, rest);
    // A counted pair ends: its shared time is now known.
    for (const other of rest) {
      if (other.client === h.client) continue;
      if (this.counted.has(pairKey(h, other))) this.overlapUsValue += atUs - Math.max(h.fromUs, other.fromUs);
    }
    this.onEnd?.(h);
  }

  /** Every tunnel of a client (a crash), in the order they were taken (as a walk of every holding would meet them). */
  unholdClient(client: string, atUs: number): void {
    const mine = this.byClient.get(client);
    if (mine === undefined) return;
    if (mine instanceof Map) for (const key of [...mine.keys()]) this.unhold(key, atUs);
    else this.unhold(mine.key, atUs);
  }

  /** Closes the instant `atUs`: the overlaps that exist now, each new pair counted once. */
  closeInstant(atUs: number): readonly Overlap[] {
    // The metrics collector closes an instant at every step of virtual time; most touch no address.
    if (this.touched.size === 0) return NO_OVERLAPS;
    const out: Overlap[] = [];
    for (const address of this.touched) {
      const list = this.byAddress.get(address);
      if (list === undefined || list.length < 2) continue;
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i] as Holding;
          const b = list[j] as Holding;
          if (a.client === b.client) continue;
          const k = pairKey(a, b);
          if (this.counted.has(k)) continue;
          this.counted.add(k);
          this.overlapsValue++;
          out.push({ address, a, b, atUs });
        }
    }
    this.touched.clear();
    return out;
  }

  /** The shared time of counted pairs still open at `atUs` (not yet in `overlapUs`). */
  openOverlapUs(atUs: number): number {
    let us = 0;
    for (const list of this.byAddress.values())
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i] as Holding;
          const b = list[j] as Holding;
          if (a.client !== b.client && this.counted.has(pairKey(a, b))) us += atUs - Math.max(a.fromUs, b.fromUs);
        }
    return us;
  }
}

function pairKey(a: Holding, b: Holding): string {
  const x = `${a.fromUs}|${a.key}`;
  const y = `${b.fromUs}|${b.key}`;
  return x < y ? `${x}#${y}` : `${y}#${x}`;
}
