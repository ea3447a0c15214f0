/**
 * The host binding: the only place protocol nodes meet the network. One `SimHost` per node implements `NodeHost`.
 * Outgoing packets are encoded with the node's codec (an encoder that throws is traced `malformed`/send and the packet
 * dropped, never a crash), traced `send` and submitted. Incoming bytes are decoded (a rejection is traced
 * `malformed`/receive with the decoder's field, offset and reason, and dropped) and handed to `node.receive`.
 *
 * Timers armed through the host (`setTimerUs`, the xstate `clock`) belong to the node's current life: after a crash
 * they never fire, even if the node restarted meanwhile.
 */
import type { NodeHost, RandomStream, SimNode, VirtualClock } from '../models/contract.ts';
import { ipv4ToU32, u32ToIpv4 } from '../models/wire/ipv4-address.ts';
import { attachmentOf, type Attachment, type Network, type NodeState } from './network.ts';
import type { Rng } from './rng.ts';
import type { Scheduler } from './scheduler.ts';
import { toHex } from './trace-hash.ts';
import type { SentSummarySource, TraceRecorder } from './trace.ts';
import { createVirtualClock, type TimerLife } from './virtual-clock.ts';

export interface HostContext {
  readonly scheduler: Scheduler;
  readonly trace: TraceRecorder;
  readonly rng: Rng;
  readonly network: Network;
  allocatePacketId(): number;
  /** True when summaries must be computed even at level `none` (a `drop.match` fault is configured). */
  readonly summariesAlways: boolean;
  /** Host-level counters shared by all hosts. */
  readonly counters: HostCounters;
}

export interface HostCounters {
  packetsSent: number;
  bytesSent: number;
  malformedSend: number;
  malformedReceive: number;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A timer armed through `setTimerUs`: the scheduler's argument for `fireHostTimer` (no closure per timer). */
interface HostTimer {
  readonly host: SimHost<unknown>;
  readonly epoch: number;
  readonly name: string;
  readonly fire: () => void;
}

function fireHostTimer(t: HostTimer): void {
  t.host.fireTimer(t);
}

export class SimHost<P> implements NodeHost<P>, TimerLife, SentSummarySource {
  readonly nodeName: string;
  readonly clock: VirtualClock;
  /** The packet being sent, while its send event is recorded without a summary (`sentSummary` makes it). */
  private sending: P | undefined = undefined;

  constructor(
    private readonly ctx: HostContext,
    readonly node: SimNode<P>,
    readonly state: NodeState,
  ) {
    this.nodeName = node.name;
    this.clock = createVirtualClock(ctx.scheduler, this);
  }

  nowUs(): number {
    return this.ctx.scheduler.nowUs;
  }

  rng(label: string): RandomStream {
    return this.ctx.rng.fork(`node:${this.nodeName}:${label}`);
  }

  send(interfaceName: string, packet: P): void {
    const ctx = this.ctx;
    const att = attachmentOf(this.state, interfaceName);
    let bytes: Uint8Array;
    let summary = '';
    // Read per send: the recorder may be told after the hosts are made that its consumer summarises for itself.
    const needSummary = ctx.trace.summaries || ctx.summariesAlways;
    try {
      bytes = this.node.codec.encode(packet);
      if (needSummary) summary = this.node.codec.summarize(packet);
    } catch (error) {
      ctx.counters.malformedSend++;
      if (ctx.trace.packets) {
        ctx.trace.record({
          type: 'malformed',
          atUs: ctx.scheduler.nowUs,
          node: this.nodeName,
          iface: interfaceName,
          direction: 'send',
          reason: errorText(error),
        });
      }
      return;
    }
    const packetId = ctx.allocatePacketId();
    if (!this.state.up) {
      ctx.network.dropUnrouted(this.nodeName, packetId, summary, 'sender is down', 'node-down');
      return;
    }
    ctx.counters.packetsSent++;
    ctx.counters.bytesSent += bytes.length;
    const trace = ctx.trace;
    if (trace.packets) {
      // Without a summary the consumer may ask for it while the event is recorded (sim/trace.ts SentSummarySource).
      if (!needSummary) this.sending = packet;
      try {
        trace.record(
          {
            type: 'send',
            atUs: ctx.scheduler.nowUs,
            node: this.nodeName,
            iface: interfaceName,
            packetId,
            length: bytes.length,
            summary,
            // Nobody reads the text when the only consumer takes the datagram itself (sim/trace.ts packetHex).
            bytes: trace.packetHex ? toHex(bytes) : '',
          },
          bytes,
          needSummary ? undefined : this,
        );
      } finally {
        this.sending = undefined;
      }
    }
    if (att === undefined) {
      ctx.network.dropUnrouted(this.nodeName, packetId, summary, `no interface ${interfaceName}`);
      return;
    }
    ctx.network.submit(att, bytes, packetId, summary);
  }

  /**
   * SentSummarySource: the summary of the packet whose send event is being recorded without one, made now by the
   * node's codec (which encoded it without throwing; a summariser that throws gives the text of its error, never a
   * crash in the middle of the trace).
   */
  sentSummary(): string {
    const packet = this.sending;
    if (packet === undefined) throw new Error(`node ${this.nodeName}: sentSummary outside a send`);
    try {
      return this.node.codec.summarize(packet);
    } catch (error) {
      return `summary failed: ${errorText(error)}`;
    }
  }

  /** Called by the network when bytes arrive on one of this node's interfaces. */
  receiveBytes(att: Attachment, bytes: Uint8Array, packetId: number): void {
    let result;
    try {
      result = this.node.codec.decode(bytes);
    } catch (error) {
      result = {
        ok: false,
        error: { field: 'decode', offset: 0, reason: `decoder threw: ${errorText(error)}` },
      } as const;
    }
    if (!result.ok) {
      const ctx = this.ctx;
      ctx.counters.malformedReceive++;
      if (ctx.trace.packets) {
        ctx.trace.record({
          type: 'malformed',
          atUs: ctx.scheduler.nowUs,
          node: this.nodeName,
          iface: att.iface,
          direction: 'receive',
          reason: result.error.reason,
          field: result.error.field,
          offset: result.error.offset,
          packetId,
          bytes: toHex(bytes),
        });
      }
      return;
    }
    this.node.receive(att.iface, result.value);
  }

  setTimerUs(delayUs: number, name: string, fire: () => void): () => void {
    const scheduler = this.ctx.scheduler;
    const timer: HostTimer = { host: this as SimHost<unknown>, epoch: this.state.epoch, name, fire };
    const event = scheduler.after(delayUs, fireHostTimer, timer);
    return () => {
      scheduler.cancel(event);
    };
  }

  /** @internal A `setTimerUs` timer is due: it fires (traced) unless the node crashed since it was armed. */
  fireTimer(t: HostTimer): void {
    if (!this.alive(t.epoch)) return;
    const ctx = this.ctx;
    if (ctx.trace.full)
      ctx.trace.record({ type: 'timer', atUs: ctx.scheduler.nowUs, node: this.nodeName, name: t.name });
    t.fire();
  }

  traceState(machine: string, from: string, to: string): void {
    const trace = this.ctx.trace;
    if (trace.full) {
      trace.record({ type: 'state', atUs: this.ctx.scheduler.nowUs, node: this.nodeName, machine, from, to });
    }
  }

  traceNote(text: string, data?: Readonly<Record<string, string | number | boolean>>): void {
    const trace = this.ctx.trace;
    if (trace.full) {
      trace.record({ type: 'note', atUs: this.ctx.scheduler.nowUs, node: this.nodeName, text, data });
    }
  }

  setInterfaceAddress(interfaceName: string, address: string, prefixLength: number): void {
    const att = attachmentOf(this.state, interfaceName);
    if (att === undefined) throw new Error(`node ${this.nodeName}: no interface ${interfaceName}`);
    this.ctx.network.setAddress(att, ipv4ToU32(address), prefixLength);
    this.traceNote('iface.address', { iface: interfaceName, address: u32ToIpv4(att.address), prefixLength });
  }

  /** TimerLife: the node's crash epoch. */
  lifeToken(): number {
    return this.state.epoch;
  }

  /** TimerLife: a timer armed in `epoch` fires only if the node is up and has not crashed since. */
  alive(epoch: number): boolean {
    return this.state.up && this.state.epoch === epoch;
  }
}
