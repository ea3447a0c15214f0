/**
 * The corners of raise, cancel, emit and sendTo that effects.ts resolves natively on a lab actor: each machine runs
 * on xstate and on the fast runtime (support/pair.ts), the two logs (snapshots, emitted events, clock calls, custom
 * actions, errors) must be equal, and the part the test is about is stated as read off xstate 5.33.
 */
import { describe, expect, it } from 'vitest';
import {
  assign,
  cancel,
  createMachine,
  emit,
  enqueueActions,
  raise,
  sendParent,
  sendTo,
  setup,
  stopChild,
} from 'xstate';
import type { AnyActorRef } from 'xstate';
import type { Entry } from './support/observe.ts';
import { note, runBoth, type Step } from './support/pair.ts';

function both(machine: Parameters<typeof runBoth>[0], steps: Step[]): Entry[] {
  const r = runBoth(machine, steps);
  expect(r.fast).toEqual(r.xstate);
  return r.xstate;
}

/** The clock calls, custom actions, emitted events and errors of a log, in order (snapshots left out). */
function effects(entries: readonly Entry[]): Entry[] {
  return entries.filter((e) => e[0] !== 'snapshot' && e[0] !== 'send' && e[0] !== 'advance' && e[0] !== 'final');
}

const child = createMachine({
  on: {
    PING: { actions: ({ event }) => note('child got', event.type, event['n']) },
    // A sender's generated id (`x:<n>`, counted across the process) as `x`.
    '*': { actions: ({ event }) => note('child got', event.type.replace(/x:\d+$/, 'x')) },
  },
});

describe('raise, cancel, emit, sendTo resolved natively: the same as xstate', () => {
  it('a cancel of an id nothing is scheduled under clears no timer', () => {
    const m = createMachine({ on: { C: { actions: [cancel('nothing'), () => note('after')] } } });
    const e = both(m, [{ send: { type: 'C' } }, { send: { type: 'C' } }]);
    expect(effects(e)).toEqual([
      ['action', 'after'],
      ['action', 'after'],
    ]);
  });

  it('a delayed raise re-armed under its id: cancel then raise keeps one timer; raise then cancel clears the new one', () => {
    const m = createMachine({
      on: {
        ARM: { actions: raise({ type: 'T' }, { id: 't', delay: 10 }) },
        REARM: { actions: [cancel('t'), raise({ type: 'T' }, { id: 't', delay: 20 })] },
        DISARM: { actions: [raise({ type: 'T' }, { id: 't', delay: 30 }), cancel('t')] },
        T: { actions: () => note('T') },
      },
    });
    const e = both(m, [
      { send: { type: 'ARM' } },
      { send: { type: 'REARM' } },
      { advanceMs: 25 },
      { send: { type: 'ARM' } },
      { send: { type: 'DISARM' } },
      { advanceMs: 50 },
    ]);
    expect(effects(e)).toEqual([
      ['setTimeout', 1, 10],
      ['clearTimeout', 1],
      ['setTimeout', 2, 20],
      ['action', 'T'],
      ['setTimeout', 3, 10],
      ['setTimeout', 4, 30],
      ['clearTimeout', 4],
      // The cancel clears the timer now under the id; the one armed before it forgot the id but still fires.
      ['action', 'T'],
    ]);
  });

  it('a delayed raise: event and delay functions get one args object and the params; a named delay is looked up', () => {
    const seen: unknown[] = [];
    const seenArgs: unknown[] = [];
    const m = setup({
      delays: { named: ({ context }: { context: { d: number } }) => context.d * 2 },
      actions: {
        later: raise(
          ((args: { context: { d: number }; event: { type: string } }, p: { k: number }) => {
            seenArgs.push(args);
            seen.push(['event', args.context.d, args.event.type, p.k]);
            return { type: 'LATE', k: p.k };
          }) as never,
          {
            id: 'late',
            delay: ((args: unknown, p: { k: number }) => {
              seen.push(['delay', args === seenArgs.at(-1), p.k]);
              return 5;
            }) as never,
          },
        ),
      },
    }).createMachine({
      context: { d: 4 },
      on: {
        GO: { actions: { type: 'later', params: { k: 7 } } },
        NAMED: { actions: raise({ type: 'LATE', k: 0 }, { delay: 'named' }) },
        MISSING: { actions: [raise({ type: 'NOW' }, { delay: 'missing' as never }), () => note('queued')] },
        NOW: { actions: () => note('NOW') },
        LATE: { actions: ({ event }) => note('LATE', event['k']) },
      },
    });
    const e = both(m, [
      { send: { type: 'GO' } },
      { advanceMs: 5 },
      { send: { type: 'NAMED' } },
      { advanceMs: 8 },
      { send: { type: 'MISSING' } },
    ]);
    // A named delay missing from the machine's delays is no delay: the event is raised at once.
    expect(effects(e)).toEqual([
      ['setTimeout', 1, 5],
      ['action', 'LATE', 7],
      ['setTimeout', 2, 8],
      ['action', 'LATE', 0],
      ['action', 'queued'],
      ['action', 'NOW'],
    ]);
    // Once per runtime: the event function, then the delay function with the same args object.
    expect(seen).toEqual([
      ['event', 4, 'GO', 7],
      ['delay', true, 7],
      ['event', 4, 'GO', 7],
      ['delay', true, 7],
    ]);
  });

  it('raise and sendTo of a string event throw xstate’s errors', () => {
    const m = createMachine({
      on: {
        R: { actions: raise('oops' as never) },
      },
    });
    const e = both(m, [{ send: { type: 'R' } }]);
    expect(e).toContainEqual([
      'error',
      'Only event objects may be used with raise; use raise({ type: "oops" }) instead',
    ]);
    const s = createMachine({ on: { S: { actions: sendTo(({ self }) => self, 'oops' as never) } } });
    const es = both(s, [{ send: { type: 'S' } }]);
    expect(es).toContainEqual([
      'error',
      'Only event objects may be used with sendTo; use sendTo({ type: "oops" }) instead',
    ]);
  });

  it('sendTo a stopped child by id throws xstate’s error; by a kept ref the event is dropped', () => {
    const m = setup({ actors: { child } }).createMachine({
      context: { kept: undefined as AnyActorRef | undefined },
      invoke: { id: 'c', src: 'child' },
      on: {
        PING: { actions: sendTo('c', { type: 'PING', n: 1 }) },
        BYREF: { actions: sendTo(({ context }) => context.kept as AnyActorRef, { type: 'PING', n: 2 }) },
        STOP: {
          actions: [
            assign({
              kept: ({ self }) => (self.getSnapshot() as { children: Record<string, AnyActorRef> }).children['c'],
            }),
            stopChild('c'),
          ],
        },
      },
    });
    const e = both(m, [
      { send: { type: 'PING' } },
      { send: { type: 'STOP' } },
      { send: { type: 'BYREF' } },
      { send: { type: 'PING' } },
    ]);
    expect(effects(e)).toEqual([
      ['action', 'child got', 'PING', 1],
      // BYREF: relayed to the stopped child, which drops it.
      ['error', "Unable to send event to actor 'c' from machine '(machine)'."],
    ]);
  });

  it('sendTo #_parent, #_internal, #_<child>, a child invoked by the entered state (resolved after the entry)', () => {
    const parentOf = createMachine({
      on: {
        HI: { actions: sendParent({ type: 'HELLO' }) },
      },
    });
    const m = setup({ actors: { child, parentOf } }).createMachine({
      initial: 'idle',
      invoke: { id: 'p', src: 'parentOf' },
      states: {
        idle: { on: { GO: 'busy' } },
        busy: {
          // The entry's sendTo names the child the state invokes: it is spawned after the entry actions.
          entry: sendTo('w', { type: 'PING', n: 3 }),
          invoke: { id: 'w', src: 'child' },
          on: {
            SELF: { actions: sendTo('#_internal', { type: 'MINE' }) },
            HASH: { actions: sendTo('#_w', { type: 'PING', n: 4 }) },
            ASK: { actions: sendTo('p', { type: 'HI' }) },
          },
        },
      },
      on: {
        MINE: { actions: () => note('MINE') },
        HELLO: { actions: () => note('HELLO') },
      },
    });
    const e = both(m, [
      { send: { type: 'GO' } },
      { send: { type: 'SELF' } },
      { send: { type: 'HASH' } },
      { send: { type: 'ASK' } },
    ]);
    expect(effects(e)).toEqual([
      ['action', 'child got', 'PING', 3],
      ['action', 'MINE'],
      ['action', 'child got', 'PING', 4],
      ['action', 'HELLO'],
    ]);
  });

  it('sendTo an unknown id throws; an xstate.error event reaches the target as xstate.error.actor.<sender>', () => {
    const m = setup({ actors: { child } }).createMachine({
      id: 'snd',
      invoke: { id: 'c', src: 'child' },
      on: {
        ERR: { actions: sendTo('c', { type: 'xstate.error', data: 'bad' }) },
        NOBODY: { actions: sendTo('nobody', { type: 'X' }) },
      },
    });
    const e = both(m, [{ send: { type: 'ERR' } }, { send: { type: 'NOBODY' } }]);
    expect(effects(e)).toEqual([
      ['action', 'child got', 'xstate.error.actor.x'],
      ['error', "Unable to send event to actor 'nobody' from machine 'snd'."],
    ]);
  });

  it('a delayed sendTo by id, cancelled by its id; another re-armed keeps its timer once', () => {
    const m = setup({ actors: { child } }).createMachine({
      invoke: { id: 'c', src: 'child' },
      on: {
        LATER: { actions: sendTo('c', { type: 'PING', n: 5 }, { id: 's', delay: 10 }) },
        NEVER: { actions: [sendTo('c', { type: 'PING', n: 6 }, { id: 'x', delay: 10 }), cancel('x')] },
      },
    });
    const e = both(m, [{ send: { type: 'LATER' } }, { send: { type: 'NEVER' } }, { advanceMs: 20 }]);
    expect(effects(e)).toEqual([
      ['setTimeout', 1, 10],
      ['setTimeout', 2, 10],
      ['clearTimeout', 2],
      ['action', 'child got', 'PING', 5],
    ]);
  });

  it('effects deferred in one macrostep keep their order (emit, sendTo, raise, cancel), also when enqueued', () => {
    const m = setup({ actors: { child } }).createMachine({
      context: { n: 0 },
      invoke: { id: 'c', src: 'child' },
      on: {
        GO: {
          actions: [
            emit(({ context }) => ({ type: 'one', n: context.n })),
            sendTo('c', { type: 'PING', n: 7 }),
            raise({ type: 'T' }, { id: 't', delay: 3 }),
            emit({ type: 'two' }),
            () => note('custom'),
          ],
        },
        Q: {
          actions: enqueueActions(({ enqueue }) => {
            enqueue.assign({ n: 9 });
            enqueue.cancel('t');
            enqueue.sendTo('c', { type: 'PING', n: 8 });
            enqueue.emit({ type: 'three' });
            enqueue.raise({ type: 'T' }, { id: 't', delay: 4 });
          }),
        },
        T: { actions: () => note('T') },
      },
    });
    const e = both(m, [{ send: { type: 'GO' } }, { send: { type: 'Q' } }, { advanceMs: 5 }]);
    expect(effects(e)).toEqual([
      ['action', 'custom'],
      ['emitted', { type: 'one', n: 0 }],
      ['action', 'child got', 'PING', 7],
      ['setTimeout', 1, 3],
      ['emitted', { type: 'two' }],
      ['clearTimeout', 1],
      ['action', 'child got', 'PING', 8],
      ['emitted', { type: 'three' }],
      ['setTimeout', 2, 4],
      ['action', 'T'],
    ]);
  });

  it('effects of the initial state, deferred before the start, run after it in order', () => {
    const m = setup({ actors: { child } }).createMachine({
      invoke: { id: 'c', src: 'child' },
      entry: [
        raise({ type: 'T' }, { id: 't', delay: 2 }),
        emit({ type: 'hello' }),
        sendTo('c', { type: 'PING', n: 1 }),
        () => note('entry'),
      ],
      on: { T: { actions: () => note('T') } },
    });
    const e = both(m, [{ advanceMs: 3 }]);
    expect(effects(e)).toEqual([
      ['action', 'entry'],
      ['setTimeout', 1, 2],
      ['emitted', { type: 'hello' }],
      ['action', 'child got', 'PING', 1],
      ['action', 'T'],
    ]);
  });
});
