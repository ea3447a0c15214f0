/**
 * The whole lab on the fast runtime: every `createActor(machine)` the models make (ike initiator/responder, gateway,
 * client, DHCP client/server, carrier, relay session, rfc3456 client, dhcp-proxy session, provider asks via invoke,
 * spawned initiators) is switched to the fast interpreter by mocking xstate's `createActor` in this file only (the
 * models are not wired). Every actor of both runs is observed (support/observe.ts): after every event its state
 * value, status, context, output, children; every emitted event; every clock call (delay, cancel), in order. The
 * fast run's per-actor logs, its full trace and its digest must equal the xstate run's.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type * as XState from 'xstate';
import type { MethodId } from '../../../scenarios/method-registry.ts';
import type { ActorLog, Entry } from './support/observe.ts';

const flag = vi.hoisted(() => ({
  fast: false,
  fastActors: 0,
  wrap: undefined as ((machine: object) => unknown) | undefined,
  logs: [] as { id: string; kind: string; entries: unknown[][] }[],
  observe: undefined as ((actor: unknown, entries: unknown[][]) => void) | undefined,
  clock: undefined as ((clock: unknown, entries: unknown[][]) => unknown) | undefined,
}));

vi.mock('xstate', async (importOriginal) => {
  const orig = await importOriginal<typeof XState>();
  return {
    ...orig,
    createActor: (logic: unknown, options: { id?: string; clock?: unknown; parent?: unknown } | undefined) => {
      // Children (spawned, invoked) are created by xstate's own createActor in the xstate run, by the fast
      // runtime through this one: only root actors are switched and observed (children show in their parents).
      if (options?.parent !== undefined) return orig.createActor(logic as never, options as never);
      const isMachine = logic instanceof orig.StateMachine;
      const entries: unknown[][] = [];
      const opts =
        options?.clock !== undefined && flag.clock !== undefined
          ? { ...options, clock: flag.clock(options.clock, entries) }
          : options;
      const useFast = flag.fast && flag.wrap !== undefined && isMachine;
      if (useFast) flag.fastActors += 1;
      const actor = orig.createActor((useFast ? flag.wrap?.(logic) : logic) as never, opts as never);
      flag.logs.push({ id: actor.id, kind: isMachine ? (logic as { id: string }).id : 'logic', entries });
      flag.observe?.(actor, entries);
      return actor;
    },
  };
});

const observeMod = await import('./support/observe.ts');
flag.wrap = (await import('../../../sim/statechart/logic.ts')).fastMachineLogic;
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
  flag.fast = fast;
  flag.logs = [];
  flag.observe = (actor, entries) =>
    observeMod.observe(actor as Parameters<typeof observeMod.observe>[0], entries as Entry[], withContext);
  try {
    const r = runScenario(scenario, { method, ...(seed === undefined ? {} : { seed }) });
    return {
      trace: r.trace,
      traceSha256: r.traceSha256,
      logs: flag.logs.map((l) => ({ id: `${l.kind}:${l.id.replace(/^x:\d+$/, 'x')}`, entries: l.entries })),
    };
  } finally {
    flag.fast = false;
    flag.observe = undefined;
  }
}

function compare(scenario: string, method: MethodId, seed: number | undefined, withContext: boolean): void {
  const slow = runOnce(scenario, method, false, seed, withContext);
  flag.fastActors = 0;
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
