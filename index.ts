/**
 * dhcpike-lab as a library: load and validate scenarios, run them, compare methods, sweep seeds × parameters, and
 * evaluate the seed draft's claims. (The engine's own `runScenario(RunInput)` stays internal to sim/; this
 * `runScenario` takes a scenario.)
 */
// Node entry: installs the scenario file reader (paths work here; scenarios/browser.ts is the browser-safe entry).
export { LIBRARY_DIR, CLAIMS_DIR, readScenarioFile } from './scenarios/node.ts';
export {
  loadScenario,
  loadScenarioOrThrow,
  libraryNames,
  libraryDocument,
  scenarioJsonSchema,
  type Scenario,
  type LoadResult,
  type LoadOptions,
} from './scenarios/load.ts';
export {
  runScenario,
  type ScenarioRunResult,
  type NoDigestRunResult,
  type ScenarioProgress,
  type RunScenarioOptions,
  type RunScenarioMetrics,
} from './scenarios/run.ts';
export { compare, compareTable, COMPARE_ROWS, type CompareOptions, type CompareResult } from './scenarios/compare.ts';
export {
  sweep,
  summarize,
  mergeRecords,
  type SweepOptions,
  type SweepResult,
  type SweepRecord,
  type SweepSummaryRow,
} from './scenarios/sweep.ts';
export {
  evaluateClaims,
  evaluateClaim,
  loadClaims,
  type Claim,
  type ClaimResult,
  type Verdict,
} from './scenarios/claims.ts';
export { buildRun, NotModelledError, type BuiltRun, type BuildOptions, type RunRoles } from './scenarios/build.ts';
export {
  computeMetrics,
  MetricsCollector,
  type ScenarioMetrics,
  type ClientMetrics,
} from './scenarios/metrics/collect.ts';
export { ladderLines, type ExpectationResult } from './scenarios/expectations.ts';
export { ScenarioError, formatProblem, type Problem } from './scenarios/problems.ts';
export { METHOD_IDS, registeredMethods, MethodNotRegisteredError, type MethodId } from './scenarios/method-registry.ts';
export { checkInvariants, InvariantChecker, formatViolation, type Violation } from './scenarios/invariants/checker.ts';
export { INVARIANTS, INVARIANT_IDS, type InvariantId, type InvariantSpec } from './scenarios/invariants/catalog.ts';
export { invariantContext, quietPeriodUs, type InvariantContext } from './scenarios/invariants/context.ts';
export { runChecked, type CheckedRun, type CheckedRunOptions } from './scenarios/vopr/run-checked.ts';
export {
  runCampaign,
  runCampaignParallel,
  runScheduleJob,
  scheduleDocument,
  scheduleSeed,
  replayCommand,
  type CampaignOptions,
  type ScheduleOutcome,
} from './scenarios/vopr/campaign.ts';
export { scheduleArb, DEFAULT_BOUNDS, type ScheduleBounds } from './scenarios/vopr/arbitraries.ts';
export type { PolicyDescriptor, PolicyValue } from './models/methods/policy.ts';
export type { TraceEvent } from './sim/trace.ts';
