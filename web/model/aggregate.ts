/**
 * The aggregate view of a large run (issue 16 item 6): instead of one lifeline per client, time series over the run
 * in fixed buckets, computed from the trace alone (no DOM), in the worker that ran it (web/worker/lab-worker.ts):
 * - clients addressed so far (distinct clients whose primary tunnel was configured with an address: the same
 *   `client.configured` notes the metrics' `addressed` and the CLI's progress line count) and clients holding an
 *   inner address at the end of the bucket (`address.assigned` / `address.released` notes, a client crash);
 * - the DHCP server queue depth: the largest `dhcp.queue` length noted in the bucket (a server notes the length when
 *   a message had to wait, models/nodes/dhcp-server-node.ts, so 0 means nothing waited; the run's `dhcpQueuePeak` is
 *   the maximum of this series);
 * - retransmissions sent in the bucket: IKE messages sent again byte for byte by the same node (RFC 7296 §2.1: a
 *   retransmission is the same message, same Message ID), DHCP messages with the same summary (xid included, RFC 2131
 *   §4.1) sent again by the same node, plain or in ESP;
 * - per client machine (`ike`, `dhcp`, `connection`…), how many clients are in each top-level state at the end of the
 *   bucket, from the trace's `state` events.
 * Integer arithmetic only: the same trace gives the same series.
 */
import type { TraceEvent } from '../../sim/trace.ts';
import { DHCP_IN_ESP, DHCP_SUMMARY, IKE_SUMMARY } from '../../scenarios/metrics/conventions.ts';
import { ikeSpiiHex } from '../../scenarios/metrics/message-key.ts';

/** Above this many clients the lab shows the aggregate view (and runs in the worker) instead of every lifeline. */
export const AGGREGATE_CLIENTS_MIN = 51;

/** Buckets per run: enough for a smooth line at ladder width, few enough to post and draw in one frame. */
export const BUCKETS_DEFAULT = 240;

export interface MachineStateSeries {
  /** The client machine's traced name (`ike`, `dhcp`, `connection`, `connection@gw2`…). */
  readonly machine: string;
  /** Top-level states in first-seen order. */
  readonly states: readonly string[];
  /** counts[s][b]: clients in `states[s]` at the end of bucket b. */
  readonly counts: readonly (readonly number[])[];
}

export interface AggregateSeries {
  readonly bucketUs: number;
  /** Buckets cover [0, buckets × bucketUs) ⊇ [0, durationUs]. */
  readonly buckets: number;
  readonly durationUs: number;
  readonly clients: number;
  readonly addressed: readonly number[];
  readonly holding: readonly number[];
  readonly dhcpQueue: readonly number[];
  readonly retransmits: { readonly ike: readonly number[]; readonly dhcp: readonly number[] };
  readonly machines: readonly MachineStateSeries[];
}

/** The client's first tunnel (models/nodes/client-node.ts PRIMARY_TUNNEL), as scenarios/metrics/collect.ts reads it. */
const PRIMARY = 'primary';

/** `established.window.ready` → `established`: parallel regions would multiply the series past reading. */
export function topState(state: string): string {
  const dot = state.indexOf('.');
  return dot < 0 ? state : state.slice(0, dot);
}

/** The bucket width for a run: ⌈durationUs / buckets⌉, at least 1 µs. */
export function bucketWidthUs(durationUs: number, buckets = BUCKETS_DEFAULT): number {
  return Math.max(1, Math.ceil(Math.max(1, durationUs) / buckets));
}

/**
 * Streams trace events (in trace order) into bucketed series: `add` is O(1) per event (amortised over the buckets it
 * closes); `finish` closes the buckets after the last event.
 */
export class Aggregator {
  private readonly isClient: Set<string>;
  private readonly bucketUs: number;
  private readonly buckets: number;
  private bucket = 0;
  private readonly addressedSet = new Set<string>();
  private readonly holdingSet = new Set<string>();
  private readonly out: {
    addressed: number[];
    holding: number[];
    dhcpQueue: number[];
    ike: number[];
    dhcp: number[];
  };
  /** node → machine → top-level state. */
  private readonly current = new Map<string, Map<string, string>>();
  /** machine → state → clients in it now. */
  private readonly counts = new Map<string, Map<string, number>>();
  /** machine → state → per-bucket counts. */
  private readonly series = new Map<string, Map<string, number[]>>();
  private readonly lastIke = new Map<string, string>();
  private readonly seenDhcp = new Set<string>();

  constructor(
    clients: readonly string[],
    private readonly durationUs: number,
    buckets = BUCKETS_DEFAULT,
  ) {
    this.isClient = new Set(clients);
    this.bucketUs = bucketWidthUs(durationUs, buckets);
    this.buckets = Math.max(1, Math.ceil((Math.max(1, durationUs) + 1) / this.bucketUs));
    const zeros = (): number[] => new Array<number>(this.buckets).fill(0);
    this.out = { addressed: zeros(), holding: zeros(), dhcpQueue: zeros(), ike: zeros(), dhcp: zeros() };
  }

  /** Closes buckets up to (not including) `index`: each closed bucket records the levels at its end. */
  private closeTo(index: number): void {
    const last = Math.min(index, this.buckets);
    for (; this.bucket < last; this.bucket++) this.snapshot(this.bucket);
  }

  private snapshot(b: number): void {
    this.out.addressed[b] = this.addressedSet.size;
    this.out.holding[b] = this.holdingSet.size;
    for (const [machine, byState] of this.counts) {
      let perState = this.series.get(machine);
      if (!perState) this.series.set(machine, (perState = new Map()));
      for (const [state, n] of byState) {
        let list = perState.get(state);
        if (!list) perState.set(state, (list = new Array<number>(this.buckets).fill(0)));
        list[b] = n;
      }
    }
  }

  add(e: TraceEvent): void {
    const b = Math.min(this.buckets - 1, Math.floor(e.atUs / this.bucketUs));
    if (b > this.bucket) this.closeTo(b);
    switch (e.type) {
      case 'note':
        this.onNote(e, b);
        return;
      case 'send':
        this.onSend(e, b);
        return;
      case 'state':
        if (this.isClient.has(e.node)) this.onState(e.node, e.machine, topState(e.to));
        return;
      case 'fault':
        if (e.fault === 'node.crash') {
          const node = e.detail.replace(/^node /, '');
          if (this.isClient.has(node)) this.holdingSet.delete(node);
        }
        return;
      default:
        return;
    }
  }

  private onNote(e: Extract<TraceEvent, { type: 'note' }>, b: number): void {
    if (e.text === 'dhcp.queue') {
      const length = Number(e.data?.['length'] ?? 0);
      if (length > (this.out.dhcpQueue[b] ?? 0)) this.out.dhcpQueue[b] = length;
      return;
    }
    if (!this.isClient.has(e.node)) return;
    const tunnel = typeof e.data?.['tunnel'] === 'string' ? e.data['tunnel'] : PRIMARY;
    if (tunnel !== PRIMARY) return;
    if (e.text === 'client.configured') {
      const address = String(e.data?.['address'] ?? 'none');
      if (address !== 'none' && address !== '' && address !== '0.0.0.0') this.addressedSet.add(e.node);
    } else if (e.text === 'address.assigned') this.holdingSet.add(e.node);
    else if (e.text === 'address.released') this.holdingSet.delete(e.node);
  }

  private onSend(e: Extract<TraceEvent, { type: 'send' }>, b: number): void {
    if (IKE_SUMMARY.test(e.summary)) {
      // The same bytes again from the same node: RFC 7296 §2.1 retransmits the message unchanged. The last message
      // per (node, IKE SA, request or response) is remembered, as scenarios/metrics/collect.ts does.
      const m = IKE_SUMMARY.exec(e.summary);
      const key = `${e.node}|${ikeSpiiHex(e.bytes)}|${m?.[2] ?? ''}`;
      if (this.lastIke.get(key) === e.bytes) this.out.ike[b] = (this.out.ike[b] ?? 0) + 1;
      this.lastIke.set(key, e.bytes);
      return;
    }
    const inner = DHCP_IN_ESP.exec(e.summary)?.[1] ?? (DHCP_SUMMARY.test(e.summary) ? e.summary : undefined);
    if (inner === undefined) return;
    const key = `${e.node}|${inner}`;
    if (this.seenDhcp.has(key)) this.out.dhcp[b] = (this.out.dhcp[b] ?? 0) + 1;
    else this.seenDhcp.add(key);
  }

  private onState(node: string, machine: string, state: string): void {
    let mine = this.current.get(node);
    if (!mine) this.current.set(node, (mine = new Map()));
    const before = mine.get(machine);
    if (before === state) return;
    let byState = this.counts.get(machine);
    if (!byState) this.counts.set(machine, (byState = new Map()));
    if (before !== undefined) byState.set(before, (byState.get(before) ?? 1) - 1);
    byState.set(state, (byState.get(state) ?? 0) + 1);
    mine.set(machine, state);
  }

  finish(): AggregateSeries {
    this.closeTo(this.buckets);
    const machines = [...this.series]
      .map(([machine, perState]) => ({
        machine,
        states: [...perState.keys()],
        counts: [...perState.values()],
      }))
      .sort((a, b) => MACHINE_ORDER(a.machine) - MACHINE_ORDER(b.machine) || a.machine.localeCompare(b.machine));
    return {
      bucketUs: this.bucketUs,
      buckets: this.buckets,
      durationUs: this.durationUs,
      clients: this.isClient.size,
      addressed: this.out.addressed,
      holding: this.out.holding,
      dhcpQueue: this.out.dhcpQueue,
      retransmits: { ike: this.out.ike, dhcp: this.out.dhcp },
      machines,
    };
  }
}

/** The connection machine first (what a reader follows), then IKE, then the DHCP-side machines. */
function MACHINE_ORDER(machine: string): number {
  const base = machine.split('@')[0] ?? machine;
  const i = ['connection', 'ike', 'dhcp', 'carrier', 'rfc3456'].indexOf(base);
  return i < 0 ? 99 : i;
}

/** The aggregate of a whole trace. */
export function aggregateTrace(
  trace: readonly TraceEvent[],
  clients: readonly string[],
  durationUs: number,
  buckets = BUCKETS_DEFAULT,
): AggregateSeries {
  const a = new Aggregator(clients, durationUs, buckets);
  for (const e of trace) a.add(e);
  return a.finish();
}
