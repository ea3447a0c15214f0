/**
 * The trace: one typed event per thing that happened. The trace is the only output of a run (metrics, the web view,
 * pcap export and tests read it). Every event has `type` and `atUs`.
 *
 * Levels: `full` keeps everything; `packets` keeps send/deliver/drop/duplicate/malformed/fault; `none` keeps nothing
 * (metrics only). Producers check `recorder.packets` / `recorder.full` before building an event object, so level
 * `none` allocates no events on the hot path. The digest covers the events kept at the chosen level.
 */
import { createTextHasher, type TextHasher } from './trace-hash.ts';
import { CanonicalLineBytes } from './trace-line-bytes.ts';
import { canonicalJsonLine } from './trace-jsonl.ts';

export type TraceLevel = 'full' | 'packets' | 'none';

export type DropReason =
  'loss' | 'burst-loss' | 'partition' | 'link-down' | 'mtu' | 'queue-full' | 'targeted' | 'node-down' | 'no-route';

export const DROP_REASONS: readonly DropReason[] = [
  'loss',
  'burst-loss',
  'partition',
  'link-down',
  'mtu',
  'queue-full',
  'targeted',
  'node-down',
  'no-route',
];

/** A node sent a packet (after encoding). `bytes` is lowercase hex of the whole IPv4 datagram. */
export interface SendEvent {
  readonly type: 'send';
  readonly atUs: number;
  readonly node: string;
  readonly iface: string;
  readonly packetId: number;
  readonly length: number;
  readonly summary: string;
  readonly bytes: string;
}

/** A packet (or duplicate) reached a node's interface; decoding follows (a `malformed` event if it fails). */
export interface DeliverEvent {
  readonly type: 'deliver';
  readonly atUs: number;
  /** Receiving node and interface. */
  readonly node: string;
  readonly iface: string;
  readonly link: string;
  /** Direction `<from node>→<to node>`. */
  readonly dir: string;
  readonly packetId: number;
  /** Virtual time of the original send, so a viewer can draw the arrow. */
  readonly sentAtUs: number;
  readonly summary: string;
  /** Present (true) when the reordering step delayed this packet. */
  readonly reordered?: true;
}

export interface DropEvent {
  readonly type: 'drop';
  readonly atUs: number;
  readonly reason: DropReason;
  readonly packetId: number;
  /** The sending node, or for `node-down` at delivery the receiving node. */
  readonly node: string;
  /** Absent for `no-route` and for a send from a crashed node. */
  readonly link?: string;
  readonly dir?: string;
  readonly summary: string;
  /** Extra one-line detail, e.g. `1600 > mtu 1500`, the targeted fault's id. */
  readonly detail?: string;
}

export interface DuplicateEvent {
  readonly type: 'duplicate';
  readonly atUs: number;
  readonly node: string;
  readonly link: string;
  readonly dir: string;
  /** The copy's own id. */
  readonly packetId: number;
  readonly originalId: number;
  readonly summary: string;
}

/** A host timer (`setTimerUs`) fired. */
export interface TimerEvent {
  readonly type: 'timer';
  readonly atUs: number;
  readonly node: string;
  readonly name: string;
}

export interface StateEvent {
  readonly type: 'state';
  readonly atUs: number;
  readonly node: string;
  readonly machine: string;
  readonly from: string;
  readonly to: string;
}

export interface FaultEvent {
  readonly type: 'fault';
  readonly atUs: number;
  /** The fault's type, e.g. `link.down`, `node.crash`, `drop.nth`. */
  readonly fault: string;
  /** Its id (given, or `<type>#<index>`). */
  readonly id: string;
  /** One line saying what it targets, e.g. `link p0`, `nodes [a] | [b]`. */
  readonly detail: string;
}

export interface MalformedEvent {
  readonly type: 'malformed';
  readonly atUs: number;
  readonly node: string;
  readonly iface: string;
  /** `send`: the node's encoder threw; `receive`: the decoder rejected the bytes. */
  readonly direction: 'send' | 'receive';
  readonly reason: string;
  /** Receive only: the decoder's error location. */
  readonly field?: string;
  readonly offset?: number;
  /** Receive only. */
  readonly packetId?: number;
  readonly bytes?: string;
}

export interface NoteEvent {
  readonly type: 'note';
  readonly atUs: number;
  readonly node: string;
  readonly text: string;
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}

/** A workload command handed to a node. */
export interface CommandEvent {
  readonly type: 'command';
  readonly atUs: number;
  readonly node: string;
  readonly command: string;
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

export type TraceEvent =
  | SendEvent
  | DeliverEvent
  | DropEvent
  | DuplicateEvent
  | TimerEvent
  | StateEvent
  | FaultEvent
  | MalformedEvent
  | NoteEvent
  | CommandEvent;

export type TraceEventType = TraceEvent['type'];

/**
 * The summary of the packet a `send` event is about, made only when asked (sim/host.ts): handed to an `onEvent`
 * consumer that summarises for itself (`TraceRecorder.letOnEventSummarize`), while the event's own `summary` is `''`.
 * Valid only during the `onEvent` call of that send.
 */
export interface SentSummarySource {
  sentSummary(): string;
}

export interface TraceRecorderOptions {
  readonly level: TraceLevel;
  /** Keep event objects in `events` (default true). False: only hash and forward them. */
  readonly keepEvents?: boolean;
  /** Called with every kept event's canonical JSON line (no trailing newline), e.g. to stream a file. */
  readonly onLine?: (line: string) => void;
  /**
   * Called with every kept event, e.g. to compute metrics while the run streams instead of keeping the events. For a
   * `send` event `packet` is the datagram itself (the bytes the event's `bytes` spells in hex).
   */
  readonly onEvent?: (event: TraceEvent, packet?: Uint8Array, summary?: SentSummarySource) => void;
  /**
   * The `onEvent` consumer reads a send's datagram from its `packet` argument, never from the event's hex. When nothing
   * else reads the text either (events not kept, no digest, no `onLine`), send events then carry `bytes: ''` and the
   * hex of every packet is never built (`packetHex` is false). Default false.
   */
  readonly onEventTakesPacket?: boolean;
  /**
   * Compute the SHA-256 digest (default true). False: events are neither hashed nor (without `onLine`) turned into
   * canonical JSON — a run that only wants metrics (the storm bench, `dhcpike run --no-digest`) skips that cost, and
   * `digestHexOrNull()` returns null. What is recorded and forwarded is the same either way.
   */
  readonly digest?: boolean;
}

/** Canonical lines are hashed in batches of about this many UTF-8 bytes (one hash call per batch). */
const HASH_BATCH_BYTES = 1 << 16;
const UTF8_DECODER = new TextDecoder();

export class TraceRecorder {
  readonly level: TraceLevel;
  /** True when packet events are kept (levels `full` and `packets`). Check before building an event. */
  readonly packets: boolean;
  /** True when every event is kept (level `full`). Check before building an event. */
  readonly full: boolean;
  /**
   * True when a send event's `bytes` must hold the packet's hex: someone keeps or serialises the events, or the
   * `onEvent` consumer reads the hex (sim/host.ts writes `''` otherwise; see `onEventTakesPacket`). The digest alone
   * does not need it: it hashes the digits written from the datagram straight into its byte batch.
   */
  readonly packetHex: boolean;
  /**
   * True when packet events (send, deliver, drop, duplicate) must carry their packet's summary: someone keeps, hashes
   * or serialises them, or the `onEvent` consumer reads it. False when the only consumer summarises what it needs
   * itself (`letOnEventSummarize`): the events carry `summary: ''` and no summary is made unless asked.
   */
  get summaries(): boolean {
    return this.summariesValue;
  }
  readonly events: TraceEvent[] = [];
  private readonly keepEvents: boolean;
  private summariesValue: boolean;
  private readonly onLine: ((line: string) => void) | undefined;
  private readonly onEvent: ((event: TraceEvent, packet?: Uint8Array, summary?: SentSummarySource) => void) | undefined;
  private readonly hash: TextHasher | undefined;
  /** UTF-8 of the canonical lines (each with its `\n`) not yet fed to the hash. */
  private readonly batch = new CanonicalLineBytes();
  private digestValue: string | undefined;
  private closed = false;
  private countValue = 0;

  constructor(options: TraceRecorderOptions) {
    this.level = options.level;
    this.packets = options.level !== 'none';
    this.full = options.level === 'full';
    this.keepEvents = options.keepEvents ?? true;
    this.onLine = options.onLine;
    this.onEvent = options.onEvent;
    this.hash = options.digest === false ? undefined : createTextHasher();
    this.packetHex =
      this.keepEvents ||
      this.onLine !== undefined ||
      (this.onEvent !== undefined && options.onEventTakesPacket !== true);
    this.summariesValue = this.packets;
  }

  /**
   * The `onEvent` consumer summarises the packets it needs itself: a send hands it a `SentSummarySource`, and when
   * nothing else reads the events (not kept, no digest, no `onLine`) packet events carry `summary: ''` and the host
   * makes a packet's summary only when that consumer asks (the metrics collector of a streaming run without a digest
   * reads IKE messages' roles from their bytes and summarises the rest). Call before anything is recorded.
   */
  letOnEventSummarize(): void {
    if (this.countValue > 0) throw new Error('trace: letOnEventSummarize after events were recorded');
    if (this.onEvent !== undefined && !this.keepEvents && this.onLine === undefined && this.hash === undefined)
      this.summariesValue = false;
  }

  /** True when the recorder computes the digest (the `digest` option). */
  get digesting(): boolean {
    return this.hash !== undefined;
  }

  /** Number of events recorded. */
  get count(): number {
    return this.countValue;
  }

  /**
   * Records an event; the caller has checked the level. A `send` passes its datagram as `packet` (see `onEvent`) and,
   * when its event carries no summary (`summaries` is false), where to get it.
   */
  record(event: TraceEvent, packet?: Uint8Array, summary?: SentSummarySource): void {
    if (this.closed) throw new Error('trace: record after digest');
    const hash = this.hash;
    if (this.onLine !== undefined) {
      const line = canonicalJsonLine(event);
      if (hash !== undefined) {
        this.batch.writeText(line);
        this.batch.writeText('\n');
      }
      this.onLine(line);
    } else if (hash !== undefined) {
      // No one wants the line as text: its UTF-8 is written straight into the batch. A send whose hex nobody else
      // wanted carries `bytes: ''`; its digits go from the datagram into the batch.
      const hexOf =
        event.type === 'send' && event.bytes === '' && packet !== undefined && packet.length > 0 ? packet : undefined;
      this.batch.writeEvent(event, hexOf);
    }
    // The digest is of the concatenated lines, so batching them changes nothing but the number of hash calls.
    if (hash !== undefined && this.batch.length >= HASH_BATCH_BYTES) this.flushBatch(hash);
    this.countValue++;
    if (this.keepEvents) this.events.push(event);
    if (this.onEvent) this.onEvent(event, packet, summary);
  }

  /** SHA-256 of the canonical JSONL of the recorded events; closes the recorder. Throws when `digest` was false. */
  digestHex(): string {
    const digest = this.digestHexOrNull();
    if (digest === null) throw new Error('trace: no digest (the recorder was created with digest: false)');
    return digest;
  }

  /** The digest, or null when the recorder was created with `digest: false`; closes the recorder. */
  digestHexOrNull(): string | null {
    this.closed = true;
    const hash = this.hash;
    if (hash === undefined) return null;
    if (this.digestValue === undefined) {
      this.flushBatch(hash);
      this.digestValue = hash.digestHex();
    }
    return this.digestValue;
  }

  private flushBatch(hash: TextHasher): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    if (hash.updateBytes !== undefined) hash.updateBytes(batch.bytes());
    else hash.update(UTF8_DECODER.decode(batch.bytes()));
    batch.clear();
  }
}
