/**
 * The whole lab on both runtimes: every actor the models make with `labActor` (ike initiator/responder, gateway,
 * client, DHCP client/server, carrier, relay session, rfc3456 client, dhcp-proxy session; provider asks via invoke and
 * spawned initiators run on their parent's runtime) runs on xstate's interpreter (`runtime: 'xstate'`) and on the fast
 * one (`runtime: 'fast'`, the default). xstate's `createActor` is wrapped in this file only, to observe every root
 * actor of both runs (support/observe.ts): after every event its state
 * value, status, context, output, children; every emitted event; every clock call (delay, cancel), in order. The
 * fast run's per-actor logs, its full trace and its digest must equal the xstate run's.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type * as XState from 'xstate';
import type { MethodId } from '../../../scenarios/method-registry.ts';
import type { ActorLog, Entry } from './support/observe.ts';
import type * as LabActorModule from '../../../sim/statechart/lab-actor.ts';
import type { LabActorLogic, LabActorOptions } from '../../../sim/statechart/lab-actor.ts';

const flag = vi.hoisted(() => ({
  fastActors: 0,
  logs: [] as { id: string; kind: string; entries: unknown[][] }[],
  observe: undefined as ((actor: unknown, entries: unknown[][]) => void) | undefined,
  clock: undefined as ((clock: unknown, entries: unknown[][]) => unknown) | undefined,
}));

/** Logs and observes one root actor (`create` builds it with the logging clock when it has a clock). */
function rootActor<A extends { id: string }>(
  logic: unknown,
  options: { id?: string; clock?: unknown; parent?: unknown } | undefined,
  isMachine: boolean,
  create: (opts: unknown) => A,
): A {
  // The models create their actors with labActor: on the fast runtime the logic is the interpreter's wrapper of the
  // machine (sim/statechart/logic.ts), on xstate the machine itself.
  const fastLogic = logic as { fastRuntime?: true; machine?: { id: string } };
  const isFast = fastLogic.fastRuntime === true;
  if (isFast) flag.fastActors += 1;
  const entries: unknown[][] = [];
  const opts =
    options?.clock !== undefined && flag.clock !== undefined
      ? { ...options, clock: flag.clock(options.clock, entries) }
      : options;
  const actor = create(opts);
  const kind = isFast ? (fastLogic.machine?.id ?? '?') : isMachine ? (logic as { id: string }).id : 'logic';
  flag.logs.push({ id: actor.id, kind, entries });
  flag.observe?.(actor, entries);
  return actor;
}

vi.mock('xstate', async (importOriginal) => {
  const orig = await importOriginal<typeof XState>();
  return {
    ...orig,
    createActor: (logic: unknown, options: { id?: string; clock?: unknown; parent?: unknown } | undefined) => {
      // Children (spawned, invoked) show in their parents' snapshots: only root actors are observed.
      if (options?.parent !== undefined) return orig.createActor(logic as never, options as never);
      return rootActor(logic, options, logic instanceof orig.StateMachine, (opts) =>
        orig.createActor(logic as never, opts as never),
      );
    },
  };
});

// The fast runtime's actors are lab actors (sim/statechart/lab-actor.ts): their factory is observed the same way.
vi.mock('../../../sim/statechart/lab-actor.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof LabActorModule>();
  return {
    ...orig,
    createLabLogicActor: (logic: LabActorLogic, options: LabActorOptions | undefined) => {
      if (options?.parent !== undefined) return orig.createLabLogicActor(logic, options);
      return rootActor(logic, options, logic.fastRuntime === true, (opts) =>
        orig.createLabLogicActor(logic, opts as LabActorOptions),
      );
    },
  };
});

const observeMod = await import('./support/observe.ts');
flag.clock = (clock, entries) =>
  observeMod.loggingClock(clock as Parameters<typeof observeMod.loggingClock>[0], entries as Entry[]);
const { runScenario } = await import('../../../scenarios/run.ts');
const { METHOD_IDS } = await import('../../../scenarios/method-registry.ts');

interface Run {
  readonly trace: readonly unknown[];
  readonly traceSha256: string;
  readonly logs: readonly ActorLog[];
}

function runOnce(
  scenario: string,
  method: MethodId,
  fast: boolean,
  seed: number | undefined,
  withContext: boolean,
): Run {
  flag.logs = [];
  flag.observe = (actor, entries) =>
    observeMod.observe(actor as Parameters<typeof observeMod.observe>[0], entries as Entry[], withContext);
  try {
    const r = runScenario(scenario, {
      method,
      runtime: fast ? 'fast' : 'xstate',
      ...(seed === undefined ? {} : { seed }),
    });
    return {
      trace: r.trace,
      traceSha256: r.traceSha256,
      logs: flag.logs.map((l) => ({ id: `${l.kind}:${l.id.replace(/^x:\d+$/, 'x')}`, entries: l.entries })),
    };
  } finally {
    flag.observe = undefined;
  }
}

function compare(scenario: string, method: MethodId, seed: number | undefined, withContext: boolean): void {
  flag.fastActors = 0;
  const slow = runOnce(scenario, method, false, seed, withContext);
  expect(flag.fastActors).toBe(0);
  const fast = runOnce(scenario, method, true, seed, withContext);
  expect(flag.fastActors).toBeGreaterThan(0);
  // The observation is not empty: snapshots and clock calls were logged.
  expect(slow.logs.some((l) => l.entries.some((e) => e[0] === 'snapshot'))).toBe(true);
  expect(slow.logs.some((l) => l.entries.some((e) => e[0] === 'setTimeout'))).toBe(true);
  expect(fast.logs.map((l) => l.id)).toEqual(slow.logs.map((l) => l.id));
  for (let a = 0; a < slow.logs.length; a++) {
    const s = slow.logs[a] as ActorLog;
    const f = fast.logs[a] as ActorLog;
    for (let i = 0; i < Math.max(s.entries.length, f.entries.length); i++)
      expect(f.entries[i], `actor ${s.id}, entry ${i}`).toEqual(s.entries[i]);
  }
  expect(fast.trace.length).toBe(slow.trace.length);
  for (let i = 0; i < slow.trace.length; i++) expect(fast.trace[i], `trace entry ${i}`).toEqual(slow.trace[i]);
  expect(fast.traceSha256).toBe(slow.traceSha256);
}

const SCENARIOS = ['basic', 'drop-offer', 'lossy', 'rekey-renewal', 'gateway-restart', 'pool-exhaustion'];

describe('scenarios run identically on the fast statechart runtime, actor by actor', () => {
  for (const scenario of SCENARIOS)
    for (const method of METHOD_IDS) it(`${scenario} / ${method}`, () => compare(scenario, method, undefined, true));

  it('any scenario, method and seed (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCENARIOS, 'bursty', 'slow-dhcp', 'dhcp-stall', 'two-enterprises', 'wildcard-hazard'),
        fc.constantFrom(...METHOD_IDS),
        fc.integer({ min: 1, max: 10_000 }),
        (scenario, method, seed) => compare(scenario, method, seed, false),
      ),
      { numRuns: 12, seed: 20261204 },
    );
  });
});
