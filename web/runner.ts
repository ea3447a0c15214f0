/**
 * The one seam between the browser lab and the protocol code: everything the UI shows comes from a `LabRunner`.
 * The lead swaps the implementation by changing the single re-export at the bottom (today: the temporary demo runner
 * in web/demo/runner.ts; later: scenarios/ + models/methods/).
 */
import type { FaultSpec } from '../sim/faults.ts';
import type { LinkProfile } from '../sim/link-profile.ts';
import type { RunMetrics } from '../sim/metrics.ts';
import type { TraceEvent } from '../sim/trace.ts';

export interface LinkInfo {
  readonly name: string;
  /** Node names at the ends (p2p) or attached (segment). */
  readonly nodes: readonly string[];
  readonly profile: LinkProfile;
}

export interface ScenarioInfo {
  readonly id: string;
  readonly title: string;
  readonly methods: readonly string[];
  readonly defaultMethod: string;
  readonly links: readonly LinkInfo[];
}

/** User changes applied on top of a scenario, re-run from the same seed. */
export interface RunOverrides {
  /** Merged over each named link's profile (both directions). */
  readonly links?: Readonly<Record<string, LinkProfile>>;
  /** Appended to the scenario's faults (e.g. `drop.nth` from "drop this packet"). */
  readonly faults?: readonly FaultSpec[];
}

export interface RunRequest {
  readonly scenario: string;
  readonly method: string;
  readonly seed: number;
  readonly overrides?: RunOverrides;
}

export interface NodeInfo {
  readonly name: string;
  readonly role: string;
}

export interface LabRun {
  readonly request: RunRequest;
  readonly trace: readonly TraceEvent[];
  readonly traceSha256: string;
  readonly metrics: RunMetrics;
  /** Lifeline order, left to right. */
  readonly nodes: readonly NodeInfo[];
  /** The methods this scenario can run (for the method picker and Compare). */
  readonly methods: readonly string[];
}

export interface LabRunner {
  listScenarios(): readonly ScenarioInfo[];
  run(request: RunRequest): LabRun;
}

export { demoRunner as labRunner } from './demo/runner.ts';
