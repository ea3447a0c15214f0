/**
 * A map that forgets what was not touched for a while of virtual time: two generations, the current one and the one
 * before, swapped every `generationUs`. A key touched at time t is kept at least until t + generationUs and at most
 * until t + 2 × generationUs, so its memory follows what was touched recently, not the whole history of a run.
 * Used by the metrics collector to recognise retransmissions (a resend comes within the sender's retransmission
 * schedule of the previous copy, RFC 7296 §2.1, RFC 2131 §4.1) without keeping every packet it ever saw.
 */
export class RecentKeys<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  private generationEndUs: number;

  constructor(readonly generationUs: number) {
    this.generationEndUs = generationUs;
  }

  /** Advances the clock to `atUs` (non-decreasing), dropping generations that ended. */
  advance(atUs: number): void {
    if (atUs < this.generationEndUs) return;
    // Two or more generations passed: everything is older than one generation.
    this.previous = atUs >= this.generationEndUs + this.generationUs ? new Map() : this.current;
    this.current = new Map();
    const passed = Math.floor((atUs - this.generationEndUs) / this.generationUs) + 1;
    this.generationEndUs += passed * this.generationUs;
  }

  get(key: string): V | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  /** Sets and touches the key (it moves to the current generation). */
  set(key: string, value: V): void {
    this.current.set(key, value);
    this.previous.delete(key);
  }

  /**
   * Sets and touches the key and returns what it held before: `get` then `set` in fewer Map lookups (the collector does
   * this for every IKE message). Values are never undefined, so undefined means "not held".
   */
  replace(key: string, value: V): V | undefined {
    const before = this.current.get(key);
    if (before !== undefined) {
      this.current.set(key, value);
      return before;
    }
    const older = this.previous.get(key);
    if (older !== undefined) this.previous.delete(key);
    this.current.set(key, value);
    return older;
  }

  /** `get`, and a key that is held is touched (moved to the current generation) as `set(key, get(key))` would. */
  touch(key: string): V | undefined {
    const now = this.current.get(key);
    if (now !== undefined) return now;
    const older = this.previous.get(key);
    if (older !== undefined) {
      this.previous.delete(key);
      this.current.set(key, older);
    }
    return older;
  }

  /** Entries held (both generations). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
