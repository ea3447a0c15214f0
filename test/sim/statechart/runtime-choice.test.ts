/** The runtime choice (sim/statechart/runtime-choice.ts): fixed per actor at creation, scoped, restored. */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import {
  labActor,
  setStatechartRuntime,
  statechartRuntime,
  withStatechartRuntime,
} from '../../../sim/statechart/runtime-choice.ts';

const counter = setup({ types: { context: {} as { n: number }, events: {} as { type: 'tick' } } }).createMachine({
  context: { n: 0 },
  on: { tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});

const isFast = (actor: { logic: unknown }): boolean => (actor.logic as { fastRuntime?: boolean }).fastRuntime === true;

describe('statechart runtime choice', () => {
  it('the default is fast; labActor builds on the current choice', () => {
    expect(statechartRuntime()).toBe('fast');
    const fast = labActor(counter).start();
    fast.send({ type: 'tick' });
    expect(isFast(fast)).toBe(true);
    expect(fast.getSnapshot().context.n).toBe(1);
    const slow = withStatechartRuntime('xstate', () => labActor(counter));
    expect(isFast(slow)).toBe(false);
  });

  it('withStatechartRuntime restores the previous choice, also when its body throws', () => {
    expect(() =>
      withStatechartRuntime('xstate', () => {
        expect(statechartRuntime()).toBe('xstate');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(statechartRuntime()).toBe('fast');
    setStatechartRuntime('xstate');
    try {
      expect(withStatechartRuntime(undefined, () => statechartRuntime())).toBe('xstate');
      expect(withStatechartRuntime('fast', () => statechartRuntime())).toBe('fast');
      expect(statechartRuntime()).toBe('xstate');
    } finally {
      setStatechartRuntime('fast');
    }
  });
});
