/**
 * Which addresses of one contiguous range are in some state, as a bitset with a hint at the lowest word that may hold
 * a set bit: `lowest()` is O(1) amortised for the allocation pattern of a pool (addresses taken low to high, freed
 * anywhere), where a scan of the range per DISCOVER made a 10,000-client storm quadratic.
 */
export class AddressBits {
  private readonly words: Uint32Array;
  /** No set bit below this word. */
  private hint: number;

  constructor(
    private readonly start: number,
    private readonly size: number,
  ) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.hint = this.words.length;
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0;
  }

  set(index: number, on: boolean): void {
    const w = index >>> 5;
    const bit = 1 << (index & 31);
    const word = this.words[w] ?? 0;
    if (on) {
      this.words[w] = word | bit;
      if (w < this.hint) this.hint = w;
    } else {
      this.words[w] = word & ~bit;
    }
  }

  /** Fills every bit (a range whose addresses all start free). */
  fill(): void {
    this.words.fill(0xffffffff);
    const tail = this.size & 31;
    if (tail !== 0) this.words[this.words.length - 1] = (1 << tail) - 1;
    this.hint = 0;
  }

  /** The lowest set index as an address (u32), or null. */
  lowest(): number | null {
    for (let w = this.hint; w < this.words.length; w += 1) {
      const word = this.words[w] ?? 0;
      if (word === 0) continue;
      this.hint = w;
      // Index of the lowest set bit: 31 − clz32(word & −word).
      return this.start + w * 32 + (31 - Math.clz32(word & -word));
    }
    this.hint = this.words.length;
    return null;
  }
}
