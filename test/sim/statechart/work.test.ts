/**
 * sim/statechart/work.ts: a work state the logic keeps as a spare between macrosteps (per machine, for the life of the
 * process) must hold nothing of the actor it last served — else a finished run stays reachable through the machine
 * (measured: a 2,000-client storm kept ~26 MB alive after it ended).
 */
import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { compileMachine } from '../../../sim/statechart/compile.ts';
import { Work } from '../../../sim/statechart/work.ts';
import type { XScope } from '../../../sim/statechart/xstate-shapes.ts';

const machine = createMachine({ id: 'm', initial: 'a', context: { n: 1 }, states: { a: {} } });

function scopeOf(id: string): XScope {
  return {
    self: { id } as never,
    id,
    sessionId: `x:${id}`,
    system: {} as never,
    defer: () => undefined,
    actionExecutor: () => undefined,
    stopChild: () => undefined,
    emit: () => undefined,
  };
}

describe('Work.clear', () => {
  it('lets go of the actor scope, the context and the configuration, and start() takes a new scope', () => {
    const cm = compileMachine(machine);
    const first = scopeOf('first');
    const context = { n: 7 };
    const start = {
      context,
      children: {},
      _nodes: [cm.machine.root],
      status: 'active' as const,
      output: undefined,
      error: undefined,
      historyValue: {},
    };
    const w = new Work(cm, first, () => undefined as never, start);
    expect(w.scope).toBe(first);
    expect(w.context).toBe(context);

    w.clear();
    expect(w.scope).not.toBe(first);
    expect(w.scope.self).toBeUndefined();
    expect(w.context).not.toBe(context);
    expect(w._nodes).toHaveLength(0);
    expect(() => w.scope.defer(() => undefined)).toThrow('a spare work state was used before start()');

    const second = scopeOf('second');
    w.start(second, start);
    expect(w.scope).toBe(second);
  });
});
