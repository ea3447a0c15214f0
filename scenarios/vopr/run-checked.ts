/**
 * One run with the invariant checker online: build the scenario for a method and seed, run the engine at trace level
 * `full` without keeping events, feed every event to the checker and stop at the first violation (with the event that
 * broke it), then judge liveness at the end. An exception out of a node or the engine is itself a violation
 * (`node.noException`); `deterministic: true` runs the same input a second time and compares the digests
 * (`run.deterministic`).
 */
import { Simulation } from '../../sim/simulation.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import type { PolicyValue } from '../../models/methods/policy.ts';
import { buildRun, type BuildOptions } from '../build.ts';
import { invariantContext, type InvariantContext } from '../invariants/context.ts';
import { InvariantChecker, type Violation } from '../invariants/checker.ts';
import { loadScenarioOrThrow, type Scenario } from '../load.ts';
import type { MethodId } from '../method-registry.ts';

export interface CheckedRunOptions {
  readonly method?: MethodId;
  readonly seed?: number;
  readonly options?: Readonly<Record<string, PolicyValue>>;
  /** Stop at the first violation (default true). */
  readonly stopAtFirst?: boolean;
  /** Run twice and compare digests (costs a second run). */
  readonly deterministic?: boolean;
  /** Test-only: a deliberately broken build (see BuildOptions.injectBug). */
  readonly injectBug?: BuildOptions['injectBug'];
  /** Bound on engine events (a run that exceeds it is reported, not hung). */
  readonly eventsMax?: number;
}

export interface CheckedRun {
  readonly method: MethodId;
  readonly seed: number;
  readonly violations: readonly Violation[];
  readonly traceSha256: string;
  readonly finalAtUs: number;
  readonly eventsRun: number;
  readonly context: InvariantContext;
  /** Holdings past the server lease within the method's structural bound (mode-cfg-dhcp; context.leaseGraceUs). */
  readonly structuralLeaseOverruns: number;
  /** Lease thefts the method structurally cannot refuse (an adversary sharing a victim's address). */
  readonly structuralTheft: number;
  /** Adversarial actions performed, by kind. */
  readonly attacksTried: Readonly<Record<string, number>>;
}

const EVENTS_MAX = 20_000_000;

function once(
  s: Scenario,
  o: CheckedRunOptions,
  onEvent?: (e: TraceEvent, checker: InvariantChecker, sim: Simulation) => void,
): CheckedRun {
  const built = buildRun(s, {
    ...(o.method ? { method: o.method } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.injectBug ? { injectBug: o.injectBug } : {}),
  });
  const context = invariantContext(s, built);
  const checker = new InvariantChecker(context);
  const stopAtFirst = o.stopAtFirst ?? true;
  let sim: Simulation | undefined;
  const durationUs = Math.round(s.durationMs * 1000);
  let finalAtUs: number;
  let eventsRun = 0;
  let digest = '';
  try {
    sim = new Simulation(built.input, {
      seed: built.seed,
      traceLevel: 'full',
      keepEvents: false,
      onTraceEvent: (e) => {
        const found = checker.add(e);
        onEvent?.(e, checker, sim as Simulation);
        if (found.length > 0 && stopAtFirst) sim?.scheduler.stop();
      },
    });
    const r = sim.runUntil(durationUs, { eventsMax: o.eventsMax ?? EVENTS_MAX });
    eventsRun = r.eventsRun;
    finalAtUs = sim.nowUs;
    if (r.reason === 'eventsMax')
      checker.violations.push({
        invariant: 'node.noException',
        atUs: finalAtUs,
        detail: `the run spent its event budget (${o.eventsMax ?? EVENTS_MAX}) at ${finalAtUs} µs: a livelock`,
      });
    digest = sim.traceSha256();
  } catch (err) {
    finalAtUs = sim?.nowUs ?? 0;
    checker.violations.push({
      invariant: 'node.noException',
      atUs: finalAtUs,
      detail: `exception: ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err)}`,
    });
  }
  const stoppedEarly = checker.violations.length > 0 && stopAtFirst;
  const violations = stoppedEarly ? checker.violations : checker.finish(finalAtUs);
  return {
    method: built.method,
    seed: built.seed,
    violations,
    traceSha256: digest,
    finalAtUs,
    eventsRun,
    context,
    structuralLeaseOverruns: checker.structuralLeaseOverruns,
    structuralTheft: checker.structuralTheft,
    attacksTried: Object.fromEntries(checker.attacksTried),
  };
}

/** Runs a scenario (name, path, document or loaded) with the checker online. */
export function runChecked(scenario: string | object, o: CheckedRunOptions = {}): CheckedRun {
  const s = loadScenarioOrThrow(scenario, o.options ? { options: o.options } : {});
  const first = once(s, o);
  if (o.deterministic !== true || first.violations.length > 0) return first;
  const second = once(s, o);
  if (second.traceSha256 === first.traceSha256) return first;
  return {
    ...first,
    violations: [
      {
        invariant: 'run.deterministic',
        atUs: first.finalAtUs,
        detail: `two runs of the same scenario and seed gave ${first.traceSha256.slice(0, 16)}… and ${second.traceSha256.slice(0, 16)}…`,
      },
    ],
  };
}
