/**
 * The contract between the engine (sim/) and the protocol nodes (models/). The engine reaches protocol code only
 * through `SimNode`; a node reaches the world only through the `NodeHost` the engine gives it. Both are defined here,
 * below sim/, because imports point one way: sim → models → models/wire.
 */
import type { DecodeError, ParseResult } from './wire/result.ts';

/** A seeded stream of 32-bit integers. Integer arithmetic only, so Node and the browser draw the same values. */
export interface RandomStream {
  /** Uniform in [0, 2^32). */
  nextU32(): number;
  /** Uniform in [0, n) for 1 ≤ n ≤ 2^32, without modulo bias. */
  intBelow(n: number): number;
  /** Uniform in [lo, hi], both inclusive. */
  intBetween(lo: number, hi: number): number;
  /** True with probability ppm / 1,000,000. */
  chancePpm(ppm: number): boolean;
  /** An independent stream for a sub-purpose; adding other forks never changes this one's draws. */
  fork(label: string): RandomStream;
}

/** xstate's `Clock` (milliseconds), run on the simulator's virtual time. Pass to `createActor(machine, { clock })`. */
export interface VirtualClock {
  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface InterfaceConfig {
  /** Interface name, unique within the node, e.g. `eth0`, `outside`, `inside`. */
  readonly name: string;
  /** Dotted quad, or `0.0.0.0` for an interface that has no address yet (a DHCP client). */
  readonly address: string;
  readonly prefixLength: number;
}

/** How a node turns its packet values into bytes and back. The host binding calls it on every send and receive. */
export interface PacketCodec<P> {
  decode(bytes: Uint8Array): ParseResult<P>;
  encode(packet: P): Uint8Array;
  /** One line in the notation of the RFC diagrams, e.g. `IKE_AUTH request #1 SK{IDi, AUTH, DHCP(DISCOVER)}`. */
  summarize(packet: P): string;
}

/** What a node may do to the world. Everything it does is traced by the engine. */
export interface NodeHost<P> {
  readonly nodeName: string;
  /** Virtual time in integer microseconds. */
  nowUs(): number;
  /** xstate clock for this node's actors (child actors inherit it). */
  readonly clock: VirtualClock;
  /** The node's stream for one purpose, forked from the root as `node:<name>:<label>`. */
  rng(label: string): RandomStream;
  /** Encode, trace and submit a packet on one of the node's interfaces. */
  send(interfaceName: string, packet: P): void;
  /** A plain timer on virtual time (for code that is not an xstate machine). Returns a cancel function. */
  setTimerUs(delayUs: number, name: string, fire: () => void): () => void;
  /** A machine of this node moved from one state to another. */
  traceState(machine: string, from: string, to: string): void;
  /** Anything else worth a line in the trace (a policy decision, a spoofed packet dropped, …). */
  traceNote(text: string, data?: Readonly<Record<string, string | number | boolean>>): void;
  /** The node's interface address changed (a DHCP client bound, an address withdrawn). */
  setInterfaceAddress(interfaceName: string, address: string, prefixLength: number): void;
}

/** A protocol node as the engine sees it. */
export interface SimNode<P> {
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
  readonly codec: PacketCodec<P>;
  /** Called once before the run starts; the node keeps the host. */
  start(host: NodeHost<P>): void;
  /** A packet that parsed; bytes that did not parse never reach the node (the host traces them as malformed). */
  receive(interfaceName: string, packet: P): void;
  /** A command from the workload (`cmd.connect`, `cmd.disconnect`, …). Unknown commands are traced and ignored. */
  command?(command: NodeCommand): void;
  /** The node loses its volatile state; it receives nothing until `restart`. */
  crash(): void;
  restart(): void;
  /** Current state of each machine, keyed by machine name, e.g. `{ ike: 'authSent', dhcp: 'REQUESTING' }`. */
  states(): Readonly<Record<string, string>>;
}

export interface NodeCommand {
  /** Namespaced, e.g. `cmd.connect`. */
  readonly type: string;
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

export type { DecodeError };
