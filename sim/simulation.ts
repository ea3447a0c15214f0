/**
 * A run under construction or in progress: scheduler, root stream, trace, network and one host per node. Tests step
 * it manually; `runScenario` (run.ts) drives it to the end.
 */
import type { NodeCommand, SimNode } from '../models/contract.ts';
import { faultDetail, faultId, type FaultSpec } from './faults.ts';
import { SimHost, type HostCounters } from './host.ts';
import type { LinkSpec } from './link-spec.ts';
import { collectMetrics, type RunMetrics } from './metrics.ts';
import { Network, type NodeState } from './network.ts';
import { createRng, type Rng } from './rng.ts';
import { Scheduler, type RunOptions, type RunResult } from './scheduler.ts';
import { TargetedDrop } from './targeted-drop.ts';
import { TraceRecorder, type TraceEvent, type TraceLevel } from './trace.ts';

/** A node of any packet type. `SimNode`'s members are methods, so `SimNode<MyPacket>` is assignable to it. */
export type AnySimNode = SimNode<unknown>;

export interface CommandSpec {
  readonly atUs: number;
  /** Node name. */
  readonly node: string;
  readonly command: NodeCommand;
}

export interface SimulationInput {
  readonly nodes: readonly AnySimNode[];
  readonly links: readonly LinkSpec[];
  readonly faults?: readonly FaultSpec[];
  readonly commands?: readonly CommandSpec[];
}

export interface SimulationOptions {
  /** Root seed: a non-negative safe integer. */
  readonly seed: number;
  /** Default `full`. */
  readonly traceLevel?: TraceLevel;
  /** Keep event objects (default true); false streams them to the hash, `onTraceLine` and `onTraceEvent` only. */
  readonly keepEvents?: boolean;
  readonly onTraceLine?: (line: string) => void;
  /** Every kept event; a `send` comes with its datagram as `packet` (sim/trace.ts `onEvent`). */
  readonly onTraceEvent?: (event: TraceEvent, packet?: Uint8Array) => void;
  /** `onTraceEvent` reads a send's datagram from `packet`, not from its hex (sim/trace.ts `onEventTakesPacket`). */
  readonly onTraceEventTakesPacket?: boolean;
  /** Compute the trace digest (default true); false: `traceSha256OrNull()` is null (sim/trace.ts `digest`). */
  readonly digest?: boolean;
}

export class Simulation {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly trace: TraceRecorder;
  readonly network: Network;
  /**
   * The hosts by their node's `index` (the order nodes were given): a delivery finds its host by the node it reached,
   * a name goes through the network's map of nodes (no second map by name: ~50 bytes per node of a storm).
   */
  private readonly hosts: SimHost<unknown>[] = [];
  private readonly counters: HostCounters = { packetsSent: 0, bytesSent: 0, malformedSend: 0, malformedReceive: 0 };
  private packetIdLast = 0;
  private started = false;

  constructor(
    private readonly input: SimulationInput,
    options: SimulationOptions,
  ) {
    this.rng = createRng(options.seed);
    this.trace = new TraceRecorder({
      level: options.traceLevel ?? 'full',
      keepEvents: options.keepEvents,
      onLine: options.onTraceLine,
      onEvent: options.onTraceEvent,
      onEventTakesPacket: options.onTraceEventTakesPacket,
      digest: options.digest,
    });
    this.network = new Network({
      scheduler: this.scheduler,
      trace: this.trace,
      rng: this.rng,
      allocatePacketId: () => ++this.packetIdLast,
      deliver: (to, bytes, packetId) => this.hosts[to.node.index]?.receiveBytes(to, bytes, packetId),
    });
    const hostContext = {
      scheduler: this.scheduler,
      trace: this.trace,
      rng: this.rng,
      network: this.network,
      allocatePacketId: () => ++this.packetIdLast,
      summariesAlways: (input.faults ?? []).some((f) => f.type === 'drop.match'),
      counters: this.counters,
    };
    for (const node of input.nodes) {
      const state = this.network.addNode(node.name, node.interfaces);
      const host = new SimHost(hostContext, node, state);
      this.hosts[state.index] = host;
    }
    for (const link of input.links) this.network.addLink(link);
    for (const c of input.commands ?? []) this.requireNode(c.node);
  }

  get nowUs(): number {
    return this.scheduler.nowUs;
  }

  /** The host of a node (to inspect or to call as the node would). */
  host(nodeName: string): SimHost<unknown> {
    const state = this.network.nodes.get(nodeName);
    const host = state === undefined ? undefined : this.hosts[state.index];
    if (!host) throw new Error(`no node named ${nodeName}`);
    return host;
  }

  /** Schedules faults and commands, then starts the nodes in input order. Idempotent; the run methods call it. */
  start(): void {
    if (this.started) return;
    this.started = true;
    (this.input.faults ?? []).forEach((fault, index) => {
      this.scheduler.at(fault.atUs, () => this.applyFault(fault, index));
    });
    for (const c of this.input.commands ?? []) {
      this.scheduler.at(c.atUs, () => this.runCommand(c));
    }
    for (const host of this.hosts) host.node.start(host);
  }

  runUntil(atUs: number, options?: RunOptions): RunResult {
    this.start();
    return this.scheduler.runUntil(atUs, options);
  }

  runUntilIdle(options?: RunOptions): RunResult {
    this.start();
    return this.scheduler.runUntilIdle(options);
  }

  /** Applies a fault now (scheduled faults call this at their `atUs`; tests may call it directly). */
  applyFault(fault: FaultSpec, index = 0): void {
    const id = faultId(fault, index);
    if (this.trace.packets) {
      this.trace.record({ type: 'fault', atUs: this.nowUs, fault: fault.type, id, detail: faultDetail(fault) });
    }
    const net = this.network;
    switch (fault.type) {
      case 'link.down':
      case 'link.up':
        net.setLinkUp(fault.link, fault.type === 'link.up');
        return;
      case 'partition':
        net.addPartition(id, fault.groups);
        return;
      case 'partition.heal':
        net.healPartition(fault.partition);
        return;
      case 'node.crash':
        this.crashNode(fault.node);
        return;
      case 'node.restart':
        this.restartNode(fault.node);
        return;
      case 'link.profile':
        net.changeProfile(fault.link, fault.profile, fault.from, fault.to);
        return;
      case 'drop.nth':
        net.armTargetedDrop(new TargetedDrop(id, fault, fault.n, undefined, false, 1));
        return;
      case 'drop.match':
        net.armTargetedDrop(
          new TargetedDrop(id, fault, undefined, fault.match, fault.regex === true, fault.count ?? 1),
        );
        return;
    }
  }

  private crashNode(name: string): void {
    const state = this.requireNode(name);
    if (!state.up) return;
    state.up = false;
    // A new epoch: packets in flight to the node and its armed timers belong to the old life.
    state.epoch++;
    this.host(name).node.crash();
  }

  private restartNode(name: string): void {
    const state = this.requireNode(name);
    if (state.up) return;
    state.up = true;
    this.host(name).node.restart();
  }

  private runCommand(c: CommandSpec): void {
    const host = this.host(c.node);
    if (this.trace.full) {
      this.trace.record({
        type: 'command',
        atUs: this.nowUs,
        node: c.node,
        command: c.command.type,
        args: c.command.args,
      });
    }
    if (!host.state.up) return;
    if (host.node.command) host.node.command(c.command);
    else host.traceNote('command.ignored', { command: c.command.type });
  }

  private requireNode(name: string): NodeState {
    const state = this.network.nodes.get(name);
    if (!state) throw new Error(`no node named ${name}`);
    return state;
  }

  metrics(): RunMetrics {
    return collectMetrics({
      eventsRun: this.scheduler.eventsRunTotal,
      finalAtUs: this.nowUs,
      channels: this.network.channels,
      droppedUnrouted: this.network.droppedUnrouted,
      counters: this.counters,
      traceEvents: this.trace.count,
    });
  }

  /** Digest of the trace so far, or null when the run was made with `digest: false`; closes the trace. */
  traceSha256OrNull(): string | null {
    return this.trace.digestHexOrNull();
  }

  /** Digest of the trace so far; closes the trace (call at the end). */
  traceSha256(): string {
    return this.trace.digestHex();
  }
}
