/** The engine's public API. */
export {
  Scheduler,
  type ScheduledEvent,
  type EventRecord,
  type RunResult,
  type RunOptions,
  type StopReason,
} from './scheduler.ts';
export { createVirtualClock, msToUs } from './virtual-clock.ts';
export { Rng, createRng, ppmFromRatio, fmix32 } from './rng.ts';
export {
  compileProfile,
  gilbertElliottPpm,
  serialisationUs,
  QUEUE_PACKETS_MAX_DEFAULT,
  MTU_BYTES_DEFAULT,
  type LinkProfile,
  type CompiledProfile,
} from './link-profile.ts';
export {
  directionKey,
  type Endpoint,
  type LinkSpec,
  type PointToPointLinkSpec,
  type SegmentSpec,
} from './link-spec.ts';
export { Network, type Attachment, type NodeState, type LinkRuntime } from './network.ts';
export { Channel } from './channel.ts';
export { TargetedDrop, type TargetedDropFilter } from './targeted-drop.ts';
export { faultDetail, faultId, type FaultSpec, type FaultType } from './faults.ts';
export type * from './faults.ts';
export { SimHost, type HostContext, type HostCounters } from './host.ts';
export {
  TraceRecorder,
  DROP_REASONS,
  type TraceLevel,
  type TraceEvent,
  type TraceEventType,
  type DropReason,
  type SendEvent,
  type DeliverEvent,
  type DropEvent,
  type DuplicateEvent,
  type TimerEvent,
  type StateEvent,
  type FaultEvent,
  type MalformedEvent,
  type NoteEvent,
  type CommandEvent,
  type TraceRecorderOptions,
} from './trace.ts';
export { canonicalJsonLine, toJsonl, parseJsonl, KEY_ORDER } from './trace-jsonl.ts';
export {
  Sha256,
  sha256Hex,
  toHex,
  traceSha256,
  createTextHasher,
  setTextHasherFactory,
  type TextHasher,
} from './trace-hash.ts';
export { collectMetrics, type RunMetrics, type LinkDirectionMetrics } from './metrics.ts';
export {
  Simulation,
  type AnySimNode,
  type CommandSpec,
  type SimulationInput,
  type SimulationOptions,
} from './simulation.ts';
export { runScenario, type RunInput, type RunOutput, type RunHooks, type RunProgress } from './run.ts';
