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

export class Channel {
  /** `<from node>→<to node>`. */
  readonly dir: string;
  readonly lossStream: Rng;
  readonly duplicateStream: Rng;
  readonly jitterStream: Rng;
  readonly reorderStream: Rng;
  profile: CompiledProfile;
  /** Gilbert-Elliott: in the Bad state? Starts Good. */
  burstBad = false;

  // Transmit queue (only with a bandwidth): departure time and size of each packet waiting or being sent.
  busyUntilUs = 0;
  queuePackets = 0;
  queueBytes = 0;
  private queueEndUs: number[] = [];
  private queueSize: number[] = [];
  private queueHead = 0;

  // Counters (metrics).
  offered = 0;
  bytesOffered = 0;
  delivered = 0;
  bytesDelivered = 0;
  duplicated = 0;
  reordered = 0;
  readonly dropped: Record<DropReason, number>;

  constructor(
    readonly link: LinkRuntime,
    readonly from: Attachment,
    readonly to: Attachment,
    profile: CompiledProfile,
    root: Rng,
  ) {
    this.dir = directionKey(from.node.name, to.node.name);
    this.profile = profile;
    const prefix = `link:${link.name}:${this.dir}:`;
    this.lossStream = root.fork(prefix + 'loss');
    this.duplicateStream = root.fork(prefix + 'duplicate');
    this.jitterStream = root.fork(prefix + 'jitter');
    this.reorderStream = root.fork(prefix + 'reorder');
    const dropped = {} as Record<DropReason, number>;
    for (const r of DROP_REASONS) dropped[r] = 0;
    this.dropped = dropped;
  }

  setProfile(profile: CompiledProfile): void {
    if (!profile.burst) this.burstBad = false;
    this.profile = profile;
  }

  /** Forgets packets whose transmission ended at or before `nowUs`. */
  purgeQueue(nowUs: number): void {
    const ends = this.queueEndUs;
    let head = this.queueHead;
    while (head < ends.length && (ends[head] as number) <= nowUs) {
      this.queuePackets--;
      this.queueBytes -= this.queueSize[head] as number;
      head++;
    }
    if (head > 1024 && head * 2 > ends.length) {
      this.queueEndUs = ends.slice(head);
      this.queueSize = this.queueSize.slice(head);
      head = 0;
    } else if (head === ends.length) {
      ends.length = 0;
      this.queueSize.length = 0;
      head = 0;
    }
    this.queueHead = head;
  }

  pushQueue(endUs: number, bytes: number): void {
    this.queueEndUs.push(endUs);
    this.queueSize.push(bytes);
    this.queuePackets++;
    this.queueBytes += bytes;
  }
}
