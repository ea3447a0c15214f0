/**
 * The packets the metrics collector may still see delivered or dropped: sender, size and send time by packet id. Ids
 * are handed out in send order (sim/simulation.ts), so the packets sit in a queue indexed by `id − first id` — three
 * parallel arrays, no object and no Map entry per packet — and forgetting the old ones is popping the front. An id that
 * arrives out of order (a trace put together by hand) goes to a Map beside the queue, so lookups answer as a Map of
 * every packet would.
 */
/** `S`: what the sender is kept as (its name by default; the metrics collector keeps its record of the node). */
export class SentPackets<S = string> {
  /** Id of the packet at `head`. */
  private firstId = 0;
  /** Index of the oldest slot still held. */
  private head = 0;
  /** Per slot; `undefined` sender: no packet with that id was sent (ids of duplicates and unsent packets). */
  private senders: (S | undefined)[] = [];
  private lengths: number[] = [];
  private sentAtUs: number[] = [];
  private held = 0;
  private readonly outOfOrder = new Map<number, { node: S; length: number; atUs: number }>();

  /** Packets held. */
  get size(): number {
    return this.held + this.outOfOrder.size;
  }

  add(id: number, node: S, length: number, atUs: number): void {
    if (this.held === 0 && this.outOfOrder.size === 0) this.reset(id);
    else if (id < this.firstId + this.senders.length - this.head) {
      this.outOfOrder.set(id, { node, length, atUs });
      return;
    }
    // Gaps (ids of duplicates and of packets never sent: a handful) hold no sender.
    while (this.firstId + this.senders.length - this.head < id) {
      this.senders.push(undefined);
      this.lengths.push(0);
      this.sentAtUs.push(0);
    }
    this.senders.push(node);
    this.lengths.push(length);
    this.sentAtUs.push(atUs);
    this.held++;
  }

  /** The sender of packet `id`, if held. */
  senderOf(id: number): S | undefined {
    const i = this.slot(id);
    return i < 0 ? this.outOfOrder.get(id)?.node : this.senders[i];
  }

  /** The size of packet `id` in bytes, if held. */
  lengthOf(id: number): number | undefined {
    const i = this.slot(id);
    if (i < 0) return this.outOfOrder.get(id)?.length;
    return this.senders[i] === undefined ? undefined : this.lengths[i];
  }

  /**
   * Forgets, oldest first, the packets sent before `cutUs`, stopping at the first one sent at or after it (what a Map
   * walked in insertion order would forget).
   */
  forgetSentBefore(cutUs: number): void {
    for (const [id, p] of this.outOfOrder) if (p.atUs < cutUs) this.outOfOrder.delete(id);
    const senders = this.senders;
    while (this.head < senders.length) {
      if (senders[this.head] !== undefined) {
        if ((this.sentAtUs[this.head] as number) >= cutUs) break;
        this.held--;
      }
      this.head++;
      this.firstId++;
    }
    if (this.held === 0) this.reset(this.firstId);
    else if (this.head >= 1024 && this.head * 2 >= senders.length) this.compact();
  }

  private slot(id: number): number {
    const i = this.head + (id - this.firstId);
    return id < this.firstId || i >= this.senders.length ? -1 : i;
  }

  private reset(firstId: number): void {
    this.firstId = firstId;
    this.head = 0;
    this.senders = [];
    this.lengths = [];
    this.sentAtUs = [];
    this.held = 0;
  }

  /** Drops the forgotten front slots, so the arrays hold about what is in reach. */
  private compact(): void {
    this.senders = this.senders.slice(this.head);
    this.lengths = this.lengths.slice(this.head);
    this.sentAtUs = this.sentAtUs.slice(this.head);
    this.head = 0;
  }
}
