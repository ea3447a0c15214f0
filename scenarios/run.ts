/**
 * The scenario-level run: load (or take) a scenario, build it for one method and seed, run the engine at trace level
 * `full`, compute the metrics from the trace and check the expectations.
 */
import { runScenario as runEngine, type RunProgress } from '../sim/run.ts';
import type { RunResult } from '../sim/scheduler.ts';
import type { SentSummarySource, TraceEvent } from '../sim/trace.ts';
import type { PolicyValue } from '../models/methods/policy.ts';
import { buildRun, type RunRoles } from './build.ts';
import { checkExpectations, type ExpectationResult } from './expectations.ts';
import { isHermetic } from './external-dhcp.ts';
import { gatewaysHermetic } from './external-ike.ts';
import { loadScenarioOrThrow, type Scenario } from './load.ts';
import type { MethodId } from './method-registry.ts';
import { MetricsCollector, type ScenarioMetrics } from './metrics/collect.ts';
import { clientComplexity } from './metrics/method-client.ts';
import { packetHorizonUs } from './metrics/packet-horizon.ts';
import { withStatechartRuntime } from '../sim/statechart/runtime-choice.ts';
import type { StatechartRuntime } from '../sim/statechart/index.ts';

export interface RunScenarioMetrics extends ScenarioMetrics {
  /** The machines the method's client runs (scenarios/metrics/method-client.ts has the per-machine sizes, the
   * mirrored states and why a figure is missing); null while one of them has no definition. Numbers only, so a
   * sweep record stays small. */
  readonly clientMachineSize: {
    readonly states: number | null;
    readonly transitions: number | null;
    /** The machine names counted (traced names). */
    readonly machines: readonly string[];
    /** Without the RFC 2131 client machine (`dhcp`): what is left to write when an OS DHCP client can be reused. */
    readonly withoutDhcp: { readonly states: number | null; readonly transitions: number | null };
    /** IKE-side states that mirror DHCP states (seed draft §4 "represented twice", dhcp-mirror.ts). */
    readonly mirrored: number | null;
  };
  /** The method's own code in code lines (scenarios/metrics/code-lines.ts): client (with the RFC 2131 client when it
   * runs one) and without it; the gateway's. */
  readonly clientCode: { readonly lines: number; readonly withoutDhcp: { readonly lines: number } };
  readonly gatewayCode: { readonly lines: number };
  readonly durationUs: number;
}

export interface RunScenarioOptions {
  readonly method?: MethodId;
  readonly seed?: number;
  /** Policy values (`--option`). */
  readonly options?: Readonly<Record<string, PolicyValue>>;
  /** Scenario parameters (`--param`). */
  readonly params?: Readonly<Record<string, PolicyValue>>;
  /** Return the trace events (default true). */
  readonly keepTrace?: boolean;
  /** Each canonical JSONL line of the trace, as it is recorded. */
  readonly onTraceLine?: (line: string) => void;
  /** Bound on simulator events (default sim/scheduler.ts's); `stop` says whether the run reached it. */
  readonly eventsMax?: number;
  /**
   * Compute the trace digest (default true). False: the run records and forwards every event to the metrics as usual
   * but neither writes canonical JSON (unless `onTraceLine` asks for it) nor hashes; `traceSha256` is null. The
   * metrics and expectations are the same as with the digest. For benchmarks and very large runs.
   */
  readonly digest?: boolean;
  /** Called every `everyEvents` simulator events (sim/run.ts RunHooks); returning false stops the run (`stopped`). */
  readonly progress?: {
    readonly everyEvents: number;
    readonly onProgress: (progress: ScenarioProgress) => boolean | void;
  };
  /**
   * The interpreter of the machines (default: the process's, `fast`). Both give the same trace event for event
   * (test/sim/statechart/); `xstate` runs them on xstate's own interpreter, as a cross-check.
   */
  readonly runtime?: StatechartRuntime;
  /** Called once the run is built, before it starts: with the run's clients (the CLI sizes the heap's growth by it). */
  readonly beforeRun?: (roles: RunRoles) => void;
}

/** Where a run stands (virtual time, events) and how many of its clients hold an address so far. */
export interface ScenarioProgress extends RunProgress {
  readonly addressed: number;
  readonly clients: number;
}

export interface ScenarioRunResult {
  readonly scenario: string;
  readonly method: MethodId;
  readonly seed: number;
  readonly options: Readonly<Record<string, PolicyValue>>;
  readonly params: Readonly<Record<string, PolicyValue>>;
  readonly traceSha256: string;
  readonly metrics: RunScenarioMetrics;
  readonly expectations: readonly ExpectationResult[];
  /** All expectations met. */
  readonly ok: boolean;
  /** False when a DHCP server or a gateway is a real one (`kind: "external"`): the digest then depends on it. */
  readonly hermetic: boolean;
  readonly trace: readonly TraceEvent[];
  readonly roles: RunRoles;
  /** How the engine loop ended: `time` normally, `eventsMax` when the event bound cut the run short, `stopped` when
   * the progress hook stopped it. */
  readonly stop: RunResult;
}

/** A run made with `digest: false`: everything but the digest, which is null. */
export interface NoDigestRunResult extends Omit<ScenarioRunResult, 'traceSha256'> {
  readonly traceSha256: null;
}

/** A scenario's short name: the library name, else its `name`. */
export function scenarioLabel(s: Scenario): string {
  return s.source.startsWith('library:') ? s.source.slice('library:'.length) : s.name;
}

/** Runs one scenario with one method and seed. Throws ScenarioError (bad scenario), MethodNotRegisteredError, NotModelledError. */
export function runScenario(
  scenario: string | object,
  o: RunScenarioOptions & { readonly digest: false },
): NoDigestRunResult;
export function runScenario(
  scenario: string | object,
  o?: RunScenarioOptions & { readonly digest?: true },
): ScenarioRunResult;
export function runScenario(scenario: string | object, o?: RunScenarioOptions): ScenarioRunResult | NoDigestRunResult;
export function runScenario(
  scenario: string | object,
  o: RunScenarioOptions = {},
): ScenarioRunResult | NoDigestRunResult {
  // The runtime is fixed when an actor is created; the run is synchronous, so the whole run is inside the scope.
  return withStatechartRuntime(o.runtime, () => runScenarioNow(scenario, o));
}

function runScenarioNow(scenario: string | object, o: RunScenarioOptions): ScenarioRunResult | NoDigestRunResult {
  const s = loadScenarioOrThrow(scenario, {
    ...(o.params ? { params: o.params } : {}),
    ...(o.options ? { options: o.options } : {}),
  });
  const built = buildRun(s, {
    ...(o.method ? { method: o.method } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  // The metrics are computed while the run streams (the same collector computeMetrics runs over a kept trace). A
  // caller that does not keep the trace (a sweep) never holds the events: a smaller heap, less garbage collection.
  const streaming = o.keepTrace === false && !s.expectations.some((e) => e.kind === 'ladderPrefix');
  const collector = new MetricsCollector(built.roles, { packetHorizonUs: packetHorizonUs(built.input) });
  o.beforeRun?.(built.roles);
  const progress = o.progress;
  const out = runEngine(
    o.eventsMax === undefined ? built.input : { ...built.input, eventsMax: o.eventsMax },
    {
      seed: built.seed,
      traceLevel: 'full',
      keepEvents: !streaming,
      onTraceEvent: (e: TraceEvent, packet?: Uint8Array, summary?: SentSummarySource) =>
        collector.add(e, packet, summary),
      // The collector reads a send's datagram itself: without a digest or a kept trace no packet's hex is built.
      onTraceEventTakesPacket: true,
      // It also reads IKE messages' roles from their bytes and asks for the summaries it needs: without a digest, a
      // kept trace or trace lines, no IKE message is summarised only to be read by it.
      onTraceEventSummarizes: true,
      ...(o.onTraceLine ? { onTraceLine: o.onTraceLine } : {}),
      ...(o.digest === false ? { digest: false } : {}),
    },
    progress && {
      everyEvents: progress.everyEvents,
      onProgress: (p) =>
        progress.onProgress({ ...p, addressed: collector.addressedSoFar, clients: built.roles.clients.length }),
    },
  );
  const base = collector.finish(out.metrics.finalAtUs);
  const cx = clientComplexity(built.method);
  const metrics: RunScenarioMetrics = {
    ...base,
    clientMachineSize: {
      states: cx.states,
      transitions: cx.transitions,
      machines: cx.machines.map((m) => m.name),
      withoutDhcp: cx.withoutDhcp,
      mirrored: cx.mirrored,
    },
    clientCode: { lines: cx.code.client.code, withoutDhcp: { lines: cx.code.own.code } },
    gatewayCode: { lines: cx.code.gateway.code },
    durationUs: out.metrics.finalAtUs,
  };
  const expectations = checkExpectations(s.expectations, built.method, metrics, out.trace, built.options);
  const digest = out.traceSha256;
  const result = {
    scenario: scenarioLabel(s),
    method: built.method,
    seed: built.seed,
    options: s.options,
    params: s.params,
    metrics,
    expectations,
    ok: expectations.every((e) => e.ok),
    hermetic: isHermetic(s) && gatewaysHermetic(s),
    trace: o.keepTrace === false ? [] : out.trace,
    roles: built.roles,
    stop: out.stop,
  };
  return digest === null ? { ...result, traceSha256: null } : { ...result, traceSha256: digest };
}
