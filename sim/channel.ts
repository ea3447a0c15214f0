/**
 * One direction of a link (or one sender→receiver pair of a segment): its compiled profile, its own forked streams
 * per purpose (so more packets on one direction never shift the draws of another: common random numbers), its
 * Gilbert-Elliott state, its transmit queue and its counters.
 */
import type { CompiledProfile } from './link-profile.ts';
import { directionKey } from './link-spec.ts';
import type { Attachment, LinkRuntime } from './network.ts';
import type { Rng } from './rng.ts';
import { DROP_REASONS, type DropReason } from './trace.ts';

const NO_DROPS: Readonly<Record<DropReason, number>> = (() => {
  const zero = {} as Record<DropReason, number>;
  for (const r of DROP_REASONS) zero[r] = 0;
  return Object.freeze(zero);
})();

export class Channel {
  /** `<from node>→<to node>`. */
  readonly dir: string;
  profile: CompiledProfile;
  /** Gilbert-Elliott: in the Bad state? Starts Good. */
  burstBad = false;
  // The streams, forked on first use: a fork depends only on the root's state at creation and the label (rng.ts), so
  // forking late draws exactly what forking here would, and a direction without loss, duplication, jitter or
  // reordering (most of a storm's thousands) holds none.
  private loss: Rng | undefined;
  private duplicate: Rng | undefined;
  private jitter: Rng | undefined;
  private reorder: Rng | undefined;

  // Transmit queue (only with a bandwidth): departure time and size of each packet waiting or being sent; created on
  // the first packet queued.
  busyUntilUs = 0;
  queuePackets = 0;
  queueBytes = 0;
  private queueEndUs: number[] | undefined;
  private queueSize: number[] | undefined;
  private queueHead = 0;

  // Counters (metrics).
  offered = 0;
  bytesOffered = 0;
  delivered = 0;
  bytesDelivered = 0;
  duplicated = 0;
  reordered = 0;
  /** Drops by reason; created on the first drop (most directions of a storm never drop). */
  private drops: Record<DropReason, number> | undefined;

  constructor(
    readonly link: LinkRuntime,
    readonly from: Attachment,
    readonly to: Attachment,
    profile: CompiledProfile,
    private readonly root: Rng,
  ) {
    this.dir = directionKey(from.node.name, to.node.name);
    this.profile = profile;
  }

  /** Drops by reason (all zero until the first drop). */
  get dropped(): Readonly<Record<DropReason, number>> {
    return this.drops ?? NO_DROPS;
  }

  countDrop(reason: DropReason): void {
    if (this.drops === undefined) {
      const drops = {} as Record<DropReason, number>;
      for (const r of DROP_REASONS) drops[r] = 0;
      this.drops = drops;
    }
    this.drops[reason]++;
  }

  private fork(purpose: string): Rng {
    return this.root.fork(`link:${this.link.name}:${this.dir}:${purpose}`);
  }

  get lossStream(): Rng {
    return (this.loss ??= this.fork('loss'));
  }

  get duplicateStream(): Rng {
    return (this.duplicate ??= this.fork('duplicate'));
  }

  get jitterStream(): Rng {
    return (this.jitter ??= this.fork('jitter'));
  }

  get reorderStream(): Rng {
    return (this.reorder ??= this.fork('reorder'));
  }

  setProfile(profile: CompiledProfile): void {
    if (!profile.burst) this.burstBad = false;
    this.profile = profile;
  }

  /** Forgets packets whose transmission ended at or before `nowUs`. */
  purgeQueue(nowUs: number): void {
    const ends = this.queueEndUs;
    const sizes = this.queueSize;
    if (ends === undefined || sizes === undefined) return;
    let head = this.queueHead;
    while (head < ends.length && (ends[head] as number) <= nowUs) {
      this.queuePackets--;
      this.queueBytes -= sizes[head] as number;
      head++;
    }
    if (head > 1024 && head * 2 > ends.length) {
      this.queueEndUs = ends.slice(head);
      this.queueSize = sizes.slice(head);
      head = 0;
    } else if (head === ends.length) {
      ends.length = 0;
      sizes.length = 0;
      head = 0;
    }
    this.queueHead = head;
  }

  pushQueue(endUs: number, bytes: number): void {
    (this.queueEndUs ??= []).push(endUs);
    (this.queueSize ??= []).push(bytes);
    this.queuePackets++;
    this.queueBytes += bytes;
  }
}
