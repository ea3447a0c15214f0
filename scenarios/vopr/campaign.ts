/**
 * The fault-schedule campaign (TigerBeetle's VOPR, for IPsec address assignment): schedule i of a campaign with seed S
 * has its own seed `scheduleSeed(S, i)`; from it fast-check draws the schedule and the simulation takes it as its seed,
 * so one number replays one whole faulty run. Methods take turns (schedule i runs method i mod n). A schedule whose run
 * breaks an invariant is shrunk by fast-check, holding on to the invariant that failed first, to a minimal scenario
 * file; the campaign reports it with the command that replays it.
 */
import fc from 'fast-check';
import { fmix32 } from '../../sim/rng.ts';
import type { INVARIANT_IDS } from '../invariants/catalog.ts';
import { quietPeriodUs } from '../invariants/context.ts';
import type { Violation } from '../invariants/checker.ts';
import { loadScenarioOrThrow } from '../load.ts';
import type { MethodId } from '../method-registry.ts';
import { DEFAULT_BOUNDS, scheduleArb, type ScheduleBounds } from './arbitraries.ts';
import { runInWorkerPool } from '../worker-pool.ts';
import { runChecked, type CheckedRunOptions } from './run-checked.ts';
import { overlayScenario, scheduleScenario, type Schedule } from './schedule.ts';

type InvariantId = (typeof INVARIANT_IDS)[number];

/**
 * Schedule i's seed: schedule 0 has the campaign seed itself (so `--seed S` alone replays schedule S), the others a
 * mix of the campaign seed and the index; all non-negative 31-bit integers.
 */
export function scheduleSeed(campaignSeed: number, index: number): number {
  if (index === 0) return campaignSeed & 0x7fffffff;
  return fmix32((fmix32(campaignSeed >>> 0) ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0) & 0x7fffffff;
}

export interface ScheduleJob {
  readonly index: number;
  readonly seed: number;
  readonly method: MethodId;
  readonly bounds?: ScheduleBounds;
  readonly shrink?: boolean;
  readonly injectBug?: CheckedRunOptions['injectBug'];
  /** Also run the schedule a second time and compare digests. */
  readonly deterministic?: boolean;
  /** A base scenario document the schedule is laid over (overlayScenario); absent: the generated topology. */
  readonly base?: unknown;
  /** `real`: the schedule's scenario runs with real IKE/ESP crypto (its document says `"crypto": "real"`). */
  readonly crypto?: CampaignCrypto;
}

export type CampaignCrypto = 'modelled' | 'real';

export interface ScheduleOutcome {
  readonly index: number;
  readonly seed: number;
  readonly method: MethodId;
  readonly crypto?: CampaignCrypto;
  readonly clients: number;
  readonly faults: number;
  readonly events: number;
  readonly violations: readonly Violation[];
  /** Holdings past the server lease within the method's structural bound (mode-cfg-dhcp), not violations. */
  readonly structuralLeaseOverruns: number;
  /** Lease thefts the method structurally cannot refuse (README "What a method cannot refuse"). */
  readonly structuralTheft: number;
  /** Adversarial actions performed in the schedule, by kind (none succeeded unless a violation says so). */
  readonly attacksTried: Readonly<Record<string, number>>;
  /** When it failed: the smallest schedule fast-check found that breaks the same invariant, as a scenario document. */
  readonly shrunk?: {
    readonly schedule: Schedule;
    readonly scenario: Record<string, unknown>;
    readonly violations: readonly Violation[];
    readonly clients: number;
    readonly faults: number;
  };
}

/** A schedule as a scenario document for one method (quiet period from the schedule's own timers). */
export function scheduleDocument(
  schedule: Schedule,
  method: MethodId,
  seed: number,
  base?: unknown,
  crypto: CampaignCrypto = 'modelled',
): Record<string, unknown> {
  const write = (quietMs: number): Record<string, unknown> => {
    const o = { method, seed, quietMs, name: `vopr-${method}-${seed}` };
    const doc = base === undefined ? scheduleScenario(schedule, o) : overlayScenario(base, schedule, o);
    // Written into the document, so a shrunk schedule replays with the crypto it failed with.
    return crypto === 'real' ? { ...doc, crypto } : doc;
  };
  const draft = loadScenarioOrThrow(write(0));
  const q = quietPeriodUs(draft, draft.options);
  return write(Math.ceil(q.totalUs / 1000));
}

function runSchedule(schedule: Schedule, job: ScheduleJob, deterministic: boolean) {
  const doc = scheduleDocument(schedule, job.method, job.seed, job.base, job.crypto);
  const run = runChecked(doc, {
    method: job.method,
    seed: job.seed,
    deterministic,
    ...(job.injectBug ? { injectBug: job.injectBug } : {}),
  });
  return { doc, run };
}

/** Faults a schedule really applies (those on clients past its count are dropped when written). */
function faultCount(doc: Record<string, unknown>): number {
  return ((doc['faults'] as unknown[] | undefined) ?? []).length;
}

/** Runs one schedule; on a violation, shrinks it (unless `shrink: false`). */
export function runScheduleJob(job: ScheduleJob): ScheduleOutcome {
  const arb = scheduleArb(job.bounds ?? DEFAULT_BOUNDS);
  let first:
    | {
        schedule: Schedule;
        doc: Record<string, unknown>;
        violations: readonly Violation[];
        events: number;
        structural: number;
        theft: number;
        attacks: Readonly<Record<string, number>>;
      }
    | undefined;
  let target: InvariantId | undefined;
  let smallest: { schedule: Schedule; doc: Record<string, unknown>; violations: readonly Violation[] } | undefined;
  const property = fc.property(arb, (schedule) => {
    const { doc, run } = runSchedule(schedule, job, first === undefined && job.deterministic === true);
    if (first === undefined) {
      first = {
        schedule,
        doc,
        violations: run.violations,
        events: run.eventsRun,
        structural: run.structuralLeaseOverruns,
        theft: run.structuralTheft,
        attacks: run.attacksTried,
      };
      target = run.violations[0]?.invariant;
      return target === undefined;
    }
    const same = run.violations.find((v) => v.invariant === target);
    if (same === undefined) return true;
    smallest = { schedule, doc, violations: run.violations };
    return false;
  });
  fc.check(property, { seed: job.seed, numRuns: 1, endOnFailure: job.shrink === false, verbose: 0 });
  if (first === undefined) throw new Error('vopr: fast-check ran no schedule');
  const base = {
    index: job.index,
    seed: job.seed,
    method: job.method,
    ...(job.crypto === 'real' ? { crypto: job.crypto } : {}),
    clients: first.schedule.clients,
    faults: faultCount(first.doc),
    events: first.events,
    violations: first.violations,
    structuralLeaseOverruns: first.structural,
    structuralTheft: first.theft,
    attacksTried: first.attacks,
  };
  if (first.violations.length === 0) return base;
  const best = smallest ?? { schedule: first.schedule, doc: first.doc, violations: first.violations };
  return {
    ...base,
    shrunk: {
      schedule: best.schedule,
      scenario: best.doc,
      violations: best.violations,
      clients: best.schedule.clients,
      faults: best.schedule.faults.length,
    },
  };
}

export interface CampaignOptions {
  readonly methods: readonly MethodId[];
  readonly schedules: number;
  readonly seed: number;
  readonly bounds?: ScheduleBounds;
  readonly shrink?: boolean;
  readonly injectBug?: CheckedRunOptions['injectBug'];
  /** Every n-th schedule also checks determinism (0 = never). Default 10. */
  readonly deterministicEvery?: number;
  /** A base scenario document (see ScheduleJob.base). */
  readonly base?: unknown;
  /** Real IKE/ESP crypto for every schedule (ScheduleJob.crypto). Default modelled. */
  readonly crypto?: CampaignCrypto;
}

/** The jobs of a campaign, in order. */
export function campaignJobs(o: CampaignOptions): ScheduleJob[] {
  const every = o.deterministicEvery ?? 10;
  const jobs: ScheduleJob[] = [];
  for (let index = 0; index < o.schedules; index++) {
    const method = o.methods[index % o.methods.length] as MethodId;
    jobs.push({
      index,
      seed: scheduleSeed(o.seed, index),
      method,
      ...(o.bounds ? { bounds: o.bounds } : {}),
      ...(o.shrink === false ? { shrink: false } : {}),
      ...(o.injectBug ? { injectBug: o.injectBug } : {}),
      ...(o.base === undefined ? {} : { base: o.base }),
      ...(o.crypto === 'real' ? { crypto: o.crypto } : {}),
      ...(every > 0 && index % every === 0 ? { deterministic: true } : {}),
    });
  }
  return jobs;
}

/** Runs a whole campaign in this thread (the CLI spreads the jobs over workers). */
export function runCampaign(o: CampaignOptions, onOutcome?: (r: ScheduleOutcome) => void): ScheduleOutcome[] {
  const out: ScheduleOutcome[] = [];
  for (const job of campaignJobs(o)) {
    const r = runScheduleJob(job);
    out.push(r);
    onOutcome?.(r);
  }
  return out;
}

/** The command that replays one schedule exactly. */
export function replayCommand(r: Pick<ScheduleOutcome, 'method' | 'seed' | 'crypto'>): string {
  return `npx dhcpike vopr --method ${r.method} --seed ${r.seed}${r.crypto === 'real' ? ' --crypto real' : ''}`;
}

/**
 * Set by scripts/build-cli.mjs (an esbuild `define`) in the prebuilt CLI bundle only: the bundled vopr worker's path
 * relative to this source file. Undefined when this module runs from its TypeScript source (tsx, vitest): then each
 * worker registers tsx (worker.mjs).
 */
declare const DHCPIKE_BUNDLED_VOPR_WORKER: string | undefined;

function voprWorkerUrl(): URL {
  return typeof DHCPIKE_BUNDLED_VOPR_WORKER === 'string'
    ? new URL(DHCPIKE_BUNDLED_VOPR_WORKER, import.meta.url)
    : new URL('./worker.mjs', import.meta.url);
}

/** Runs a campaign over `workers` threads (0: in this thread); outcomes come back in completion order. */
export async function runCampaignParallel(
  o: CampaignOptions,
  workers: number,
  onOutcome?: (r: ScheduleOutcome) => void,
): Promise<ScheduleOutcome[]> {
  if (workers <= 0) return runCampaign(o, onOutcome);
  const jobs = campaignJobs(o);
  const out: ScheduleOutcome[] = new Array<ScheduleOutcome>(jobs.length);
  await runInWorkerPool<ScheduleJob, ScheduleOutcome>(
    voprWorkerUrl(),
    jobs,
    workers,
    (index, r) => {
      out[index] = r;
      onOutcome?.(r);
    },
    'vopr worker',
  );
  return out;
}
