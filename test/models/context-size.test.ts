/**
 * Every machine's context stays under 20 properties. xstate copies a context with `Object.assign({}, context, update)`
 * on every assign, and V8 turns an object built that way into a dictionary once it passes ~19 properties: each copy
 * then costs ~4 µs instead of ~0.2 µs and every read of the context is a hash lookup (measured: the IKE initiator's 28
 * flat fields cost a 1,000-client storm ~1 s of CPU). The test runs `basic` with every method and looks at the
 * contexts xstate copies.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScenario } from '../../scenarios/run.ts';
import { METHOD_IDS } from '../../scenarios/method-registry.ts';

const MAX_CONTEXT_PROPERTIES = 19;

describe('machine contexts', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(METHOD_IDS)('%s: no context xstate copies has more than 19 properties', (method) => {
    const assign = Object.assign;
    const sizes = new Map<string, number>();
    vi.spyOn(Object, 'assign').mockImplementation((target: object, ...sources: unknown[]) => {
      // xstate's resolveAssign: Object.assign({}, snapshot.context, partialUpdate).
      const [context, update] = sources;
      if (
        sources.length === 2 &&
        Object.keys(target).length === 0 &&
        typeof context === 'object' &&
        context &&
        update
      ) {
        const keys = Object.keys(context);
        sizes.set(keys.slice(0, 4).join(','), keys.length);
      }
      return assign(target, ...sources);
    });
    // On xstate's interpreter, whose copies are the Object.assign above (the fast runtime copies by spread, the same
    // shape rule, and runs the very same machines with the same contexts).
    runScenario('basic', { method, keepTrace: false, runtime: 'xstate' });
    vi.restoreAllMocks();
    expect(sizes.size, 'contexts were seen').toBeGreaterThan(2);
    const tooBig = [...sizes].filter(([, n]) => n > MAX_CONTEXT_PROPERTIES);
    expect(tooBig).toEqual([]);
  });
});
