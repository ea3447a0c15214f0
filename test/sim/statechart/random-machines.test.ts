/**
 * Property: random statecharts (nested compound and parallel states, final states with onDone, targets anywhere by
 * `#id`, reenter, guards on context and `stateIn`, always loops, raise immediate and delayed with cancel, emit,
 * assign, enqueueActions, after) driven by random event/clock sequences log the same on xstate and on the fast
 * runtime, event by event (support/pair.ts). A machine is drawn from a seed (its structure does not shrink); the
 * steps shrink to a short sequence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, cancel, createMachine, emit, enqueueActions, raise, stateIn, type AnyStateMachine } from 'xstate';
import { canRunFast } from '../../../sim/statechart/index.ts';
import { note, runBoth, type Step } from './support/pair.ts';

const EVENTS = ['A', 'B', 'C'] as const;

class Lcg {
  constructor(private s: number) {}
  next(n: number): number {
    this.s = (Math.imul(this.s, 1103515245) + 12345) >>> 0;
    return (this.s >>> 8) % n;
  }
  chance(pct: number): boolean {
    return this.next(100) < pct;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next(xs.length)] as T;
  }
}

interface Ctx {
  n: number;
  s?: string;
  kept?: Ctx;
}
type Cfg = Record<string, unknown>;

/**
 * Builds a random machine config from `seed` (ids s0..sK; `#sK` targets). `heldContexts` adds the actions the
 * interpreter's copy-on-write context must respect: assigns that call no user code (written in place when no user
 * code has seen the context), an assign keeping the context it got, an emitted event carrying it, and an enqueued
 * action logging the context its `enqueueActions` callback got, after the assigns enqueued before it.
 */
export function randomMachine(seed: number, heldContexts = false): AnyStateMachine {
  const r = new Lcg(seed);
  const ids: string[] = [];
  let next = 0;
  const action = (depth = 0): unknown => {
    const tag = `a${r.next(1000)}`;
    if (heldContexts && r.chance(40)) return heldAction(tag, depth);
    switch (r.next(depth > 0 ? 7 : 8)) {
      case 0:
        return assign({ n: ({ context }: { context: Ctx }) => context.n + 1 });
      case 1:
        return raise({ type: r.pick(EVENTS) });
      case 2:
        return raise({ type: r.pick(EVENTS) }, { id: `d${r.next(3)}`, delay: 10 * (1 + r.next(5)) });
      case 3:
        return cancel(`d${r.next(3)}`);
      case 4:
        return emit(({ context }: { context: Ctx }) => ({ type: `out.${tag}`, n: context.n }));
      case 5:
      case 6:
        return ({ context, event }: { context: Ctx; event: { type: string } }) => note(tag, context.n, event.type);
      default: {
        const inner = [action(1), action(1)];
        return enqueueActions(({ enqueue, check }) => {
          for (const a of inner) enqueue(a as never);
          if (check(({ context }) => (context as Ctx).n % 2 === 0))
            enqueue.assign({ n: ({ context }: { context: unknown }) => (context as Ctx).n + 3 });
        });
      }
    }
  };
  const heldAction = (tag: string, depth: number): unknown => {
    switch (r.next(depth > 0 ? 3 : 4)) {
      case 0:
        return assign({ s: tag });
      case 1:
        return assign(({ context }: { context: Ctx }) => ({ kept: context }));
      case 2:
        return emit(({ context }: { context: Ctx }) => ({ type: `held.${tag}`, ctx: context }));
      default: {
        const inner = action(1);
        return enqueueActions(({ context, enqueue }) => {
          enqueue.assign({ s: `${tag}.1` });
          enqueue(inner as never);
          enqueue.assign({ s: `${tag}.2` });
          enqueue(() => note(tag, (context as Ctx).s, (context as Ctx).n));
        });
      }
    }
  };
  const actions = (): unknown[] => Array.from({ length: r.next(3) }, () => action());
  const guard = (): unknown => {
    switch (r.next(5)) {
      case 0:
        return ({ context }: { context: Ctx }) => context.n % 2 === 0;
      case 1:
        return ({ context }: { context: Ctx }) => context.n % 3 !== 0;
      case 2:
        return ids.length > 0 ? stateIn(`#${r.pick(ids)}`) : undefined;
      default:
        return undefined;
    }
  };
  const pending: { cfg: Cfg; make: () => void }[] = [];
  const transition = (): Cfg => {
    const t: Cfg = { actions: actions() };
    if (r.chance(70)) pending.push({ cfg: t, make: () => (t['target'] = `#${r.pick(ids)}`) });
    if (r.chance(25)) t['reenter'] = true;
    const g = guard();
    if (g !== undefined) t['guard'] = g;
    return t;
  };
  const state = (depth: number): Cfg => {
    const id = `s${next++}`;
    ids.push(id);
    const cfg: Cfg = { id, entry: actions(), exit: actions() };
    const kind =
      depth >= 3
        ? r.pick(['atomic', 'atomic', 'final'])
        : r.pick(['atomic', 'compound', 'compound', 'parallel', 'final']);
    if (kind === 'final') return { ...cfg, type: 'final' };
    if (kind !== 'atomic') {
      const states: Record<string, Cfg> = {};
      const count = 1 + r.next(3);
      for (let i = 0; i < count; i++) states[`k${i}`] = state(depth + 1);
      cfg['states'] = states;
      if (kind === 'parallel') cfg['type'] = 'parallel';
      else cfg['initial'] = 'k0';
      if (r.chance(40)) cfg['onDone'] = transition();
    }
    const on: Record<string, unknown> = {};
    for (const e of EVENTS) if (r.chance(50)) on[e] = r.chance(30) ? [transition(), transition()] : transition();
    cfg['on'] = on;
    if (r.chance(20)) {
      // An always transition that ends: it needs n below a bound and increments it.
      const bound = 2 + r.next(6);
      cfg['always'] = {
        guard: ({ context }: { context: Ctx }) => context.n < bound,
        actions: [assign({ n: ({ context }: { context: Ctx }) => context.n + 1 }), ...actions()],
        ...(r.chance(50) ? { target: undefined } : {}),
      };
    }
    if (r.chance(25)) cfg['after'] = { [10 * (1 + r.next(6))]: transition() };
    return cfg;
  };
  const context: Ctx = heldContexts ? { n: 0, s: '' } : { n: 0 };
  const root: Cfg = { id: 'root', context, initial: 'k0', states: {} as Record<string, Cfg> };
  const count = 2 + r.next(3);
  for (let i = 0; i < count; i++) (root['states'] as Record<string, Cfg>)[`k${i}`] = state(1);
  for (const p of pending) p.make();
  root['output'] = ({ context }: { context: Ctx }) => ({ n: context.n });
  root['options'] = { maxIterations: 300 };
  return createMachine(root as never);
}

const steps = fc.array(
  fc.oneof(
    fc.constantFrom(...EVENTS).map((type): Step => ({ send: { type } })),
    fc.constantFrom(10, 20, 30, 70).map((advanceMs): Step => ({ advanceMs })),
  ),
  { maxLength: 25 },
);

describe('random statecharts: the fast runtime logs as xstate does', () => {
  it('every random machine compiles', () => {
    for (let seed = 1; seed <= 200; seed++) expect(canRunFast(randomMachine(seed))).toBe(true);
  });

  it('same log, event by event (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), steps, (seed, s) => {
        const m = randomMachine(seed);
        const r = runBoth(m, s);
        expect(r.fast).toEqual(r.xstate);
      }),
      { numRuns: 600, seed: 4242 },
    );
  });

  it('contexts held by actions, events and assigns keep their values (copy-on-write; fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), steps, (seed, s) => {
        const m = randomMachine(seed, true);
        const r = runBoth(m, s);
        expect(r.fast).toEqual(r.xstate);
      }),
      { numRuns: 300, seed: 1717 },
    );
  });
});
