/**
 * The browser-safe entry of scenarios/: everything the web lab needs to load, build, run and compare library scenarios
 * and evaluate the draft's claims, synchronously, with no `node:` import anywhere in its import graph
 * (test/scenarios/browser-entry.test.ts walks the graph to keep it so). File paths and worker threads live in
 * scenarios/node.ts and scenarios/sweep.ts, which this module never imports.
 */
export { LIBRARY_DOCUMENTS } from './library/index.ts';
export { CLAIM_DOCUMENTS } from './claims/index.ts';
export {
  loadScenario,
  loadScenarioOrThrow,
  libraryNames,
  libraryDocument,
  scenarioJsonSchema,
  fullScenarioSchema,
  type Scenario,
  type LoadResult,
  type LoadOptions,
} from './load.ts';
export { buildRun, NotModelledError, type BuiltRun, type BuildOptions, type RunRoles } from './build.ts';
export {
  runScenario,
  scenarioLabel,
  type ScenarioRunResult,
  type RunScenarioOptions,
  type RunScenarioMetrics,
} from './run.ts';
export { compare, compareTable, COMPARE_ROWS, type CompareOptions, type CompareResult } from './compare.ts';
export { runJob, compareRecords, paramsKey, type SweepJob, type SweepRecord } from './sweep-core.ts';
export { evaluateClaims, evaluateClaim, loadClaims, type Claim, type ClaimResult, type Verdict } from './claims.ts';
export { computeMetrics, MetricsCollector, type ScenarioMetrics, type ClientMetrics } from './metrics/collect.ts';
export { stat, nearestRank, medianInterval, type Stat } from './metrics/stats.ts';
export { machineSize, type MachineSize } from './metrics/machine-size.ts';
export { clientComplexity, METHOD_CLIENT_MACHINES, type ClientComplexity } from './metrics/method-client.ts';
export { MACHINES, machineEntry, type MachineEntry } from './metrics/machine-registry.ts';
export { checkExpectations, ladderLines, metricAt, type ExpectationResult } from './expectations.ts';
export { ScenarioError, formatProblem, type Problem } from './problems.ts';
export {
  METHOD_IDS,
  isMethodId,
  isRegistered,
  registeredMethods,
  allPolicies,
  policyByName,
  MethodNotRegisteredError,
  type MethodId,
} from './method-registry.ts';
export type { PolicyDescriptor, PolicyValue } from '../models/methods/policy.ts';
export type { TraceEvent } from '../sim/trace.ts';
