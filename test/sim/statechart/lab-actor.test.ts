/**
 * The lab actor (sim/statechart/lab-actor.ts) against xstate's own `Actor`: each test drives the same logic through
 * both (xstate's `createActor`; the lab actor with the fast interpreter for machines, with the logic as it is
 * otherwise), logs what can be observed (processing order, snapshots to observers, emitted events, clock calls, child
 * starts and stops), requires the two logs to be equal, and states the order xstate 5.33's `Actor` gives.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  assign,
  cancel,
  createActor,
  createMachine,
  emit,
  fromTransition,
  raise,
  sendParent,
  sendTo,
  setup,
  StateMachine,
  type AnyActorRef,
} from 'xstate';
import { createMachineActor } from '../../../sim/statechart/actor.ts';
import { createLabLogicActor, LabActor, type LabActorLogic } from '../../../sim/statechart/lab-actor.ts';
import { loggingClock, normalizeId, sanitize } from './support/observe.ts';
import { OrderedClock } from './support/pair.ts';

type Log = unknown[][];
type Make = (logic: unknown, options?: Record<string, unknown>) => AnyActorRef;

const xstateActor: Make = (logic, options) => createActor(logic as never, options as never) as unknown as AnyActorRef;
const labActor: Make = (logic, options) =>
  (logic instanceof StateMachine
    ? createMachineActor(logic, options as never)
    : createLabLogicActor(logic as LabActorLogic, options as never)) as unknown as AnyActorRef;

/** Runs `scenario` on xstate's actor and on the lab actor; the logs must be equal. Returns xstate's. */
function both(scenario: (make: Make, log: Log, clock: OrderedClock) => void): Log {
  const run = (make: Make): Log => {
    const log: Log = [];
    scenario(make, log, new OrderedClock());
    return log;
  };
  const reference = run(xstateActor);
  const lab = run(labActor);
  expect(reference.length).toBeGreaterThan(0);
  expect(lab).toEqual(reference);
  return reference;
}

const kinds = (log: Log, kind: string): unknown[] => log.filter((e) => e[0] === kind).map((e) => e[1]);

describe('lab actor: the same observable behaviour as xstate’s Actor', () => {
  it('is the fast runtime’s actor, for machines and for any other logic, with xstate’s ids', () => {
    const machine = createMachine({ initial: 'a', states: { a: {} } });
    const a = labActor(machine);
    const b = labActor(fromTransition((n: number) => n, 0));
    expect(a).toBeInstanceOf(LabActor);
    expect(b).toBeInstanceOf(LabActor);
    expect(a.sessionId).toMatch(/^x:\d+$/);
    expect(a.id).toBe(a.sessionId);
    expect(Number(b.sessionId.slice(2))).toBeGreaterThan(Number(a.sessionId.slice(2)));
    expect(a.system).not.toBe(b.system);
    expect(a.toJSON?.()).toEqual({ xstate$$type: 1, id: a.id });
    expect(labActor(machine, { id: 'named' }).id).toBe('named');
  });

  it('mailbox: events sent while one is processed wait for it, in order (from the logic and from observers)', () => {
    const logic = fromTransition((seen: string[], event: { type: string }, { self }) => {
      if (event.type === 'a') {
        self.send({ type: 'b' });
        self.send({ type: 'c' });
      }
      return [...seen, event.type];
    }, [] as string[]);
    const log = both((make, log) => {
      const actor = make(logic);
      let once = true;
      actor.subscribe((s: { context: string[] }) => {
        log.push(['next', s.context.join(',')]);
        if (once && s.context.includes('b')) {
          once = false;
          actor.send({ type: 'fromObserver' });
          log.push(['sent', 'fromObserver']);
        }
      });
      actor.start();
      actor.send({ type: 'a' });
      actor.send({ type: 'd' });
      log.push(['final', actor.getSnapshot().context.join(',')]);
    });
    expect(kinds(log, 'final')).toEqual(['a,b,c,fromObserver,d']);
    expect(kinds(log, 'next')).toEqual(['', 'a', 'a,b', 'a,b,c', 'a,b,c,fromObserver', 'a,b,c,fromObserver,d']);
  });

  it('mailbox: two actors sending to each other and to themselves while both process, events in xstate’s order', () => {
    // Mailbox nodes are recycled once processed (lab-actor.ts `spareNodes`): one actor's queue grows while the other's
    // nested processing takes and gives back nodes, and the events stay in their order.
    const log = both((make, log) => {
      const logicOf = (name: string) =>
        fromTransition((n: number, event: { type: string; i?: number }) => {
          log.push([name, event.type, event.i ?? -1]);
          const i = event.i ?? 0;
          if (name === 'a' && event.type === 'go') for (let k = 0; k < 3; k++) b.send({ type: 'x', i: k });
          if (name === 'b' && event.type === 'x') {
            a.send({ type: 'y', i });
            b.send({ type: 'z', i });
            if (i < 2) a.send({ type: 'y2', i });
          }
          if (name === 'a' && event.type === 'y' && i < 70) a.send({ type: 'y', i: i + 10 });
          return n + 1;
        }, 0);
      const a = make(logicOf('a'));
      const b = make(logicOf('b'));
      a.start();
      b.start();
      a.send({ type: 'go' });
      a.send({ type: 'go' });
      log.push(['counts', a.getSnapshot().context, b.getSnapshot().context]);
    });
    expect(log.at(-1)).toEqual(['counts', 54, 12]);
  });

  it('deferred effects run in order after the snapshot is set, before observers hear of it', () => {
    const machine = setup({}).createMachine({
      context: { n: 0 },
      initial: 'a',
      states: {
        a: {
          on: {
            GO: {
              target: 'b',
              actions: [assign({ n: 1 }), emit({ type: 'first' }), emit({ type: 'second' })],
            },
          },
        },
        b: { entry: [emit({ type: 'third' }), assign({ n: 2 })] },
      },
    });
    const log = both((make, log) => {
      const actor = make(machine);
      actor.on('*', (e: { type: string }) => {
        const s = actor.getSnapshot();
        log.push(['emitted', e.type, s.value, s.context.n]);
      });
      actor.subscribe((s: { value: unknown }) => log.push(['next', s.value]));
      actor.start();
      actor.send({ type: 'GO' });
    });
    expect(log).toEqual([
      ['next', 'a'],
      ['emitted', 'first', 'b', 2],
      ['emitted', 'second', 'b', 2],
      ['emitted', 'third', 'b', 2],
      ['next', 'b'],
    ]);
  });

  it('observers: functions and observer objects (called on their object), unsubscribe, done then complete', () => {
    const machine = createMachine({
      initial: 'a',
      states: { a: { on: { NEXT: 'b' } }, b: { on: { END: 'done' } }, done: { type: 'final' } },
      output: () => 'out',
    });
    const log = both((make, log) => {
      const actor = make(machine);
      const sub = actor.subscribe((s: { value: unknown }) => log.push(['fn', s.value]));
      const observer = {
        tag: 'obj',
        next(this: { tag: string }, s: { value: unknown; status: string }) {
          log.push([this.tag, s.value, s.status]);
        },
        complete(this: { tag: string }) {
          log.push([`${this.tag}.complete`]);
        },
      };
      actor.subscribe(observer);
      actor.start();
      actor.send({ type: 'NEXT' });
      sub.unsubscribe();
      actor.send({ type: 'END' });
      log.push(['status', actor.getSnapshot().status, actor.getSnapshot().output]);
      // A stopped, done actor completes a late observer at once.
      actor.subscribe({ complete: () => log.push(['late.complete']) });
      actor.send({ type: 'NEXT' });
    });
    expect(log).toEqual([
      ['fn', 'a'],
      ['obj', 'a', 'active'],
      ['fn', 'b'],
      ['obj', 'b', 'active'],
      ['obj', 'done', 'done'],
      ['obj.complete'],
      ['status', 'done', 'out'],
      ['late.complete'],
    ]);
  });

  it('emit / on: the type’s listeners then the wildcard ones, as registered when the emit starts', () => {
    const machine = createMachine({
      on: { PING: { actions: [emit({ type: 'ping' }), emit({ type: 'other' })] } },
    });
    const log = both((make, log) => {
      const actor = make(machine);
      actor.on('*', (e: { type: string }) => log.push(['star', e.type]));
      const first = actor.on('ping', () => {
        log.push(['ping.1']);
        actor.on('ping', () => log.push(['ping.late']));
        second.unsubscribe();
      });
      const second = actor.on('ping', () => log.push(['ping.2']));
      actor.start();
      actor.send({ type: 'PING' });
      first.unsubscribe();
      actor.send({ type: 'PING' });
    });
    expect(log).toEqual([
      ['ping.1'],
      ['ping.2'],
      ['star', 'ping'],
      ['star', 'other'],
      ['ping.late'],
      ['star', 'ping'],
      ['star', 'other'],
    ]);
  });

  it('delayed events, delayed sendTo with ids and cancel run on the injected clock with xstate’s keys', () => {
    const machine = setup({ delays: { long: 500 } }).createMachine({
      initial: 'a',
      states: {
        a: {
          entry: [raise({ type: 'TICK' }, { delay: 100, id: 'tick' }), raise({ type: 'LATE' }, { delay: 'long' })],
          after: { 300: 'b' },
          on: {
            TICK: { actions: sendTo(({ self }) => self, { type: 'ECHO' }, { delay: 50, id: 'echo' }) },
            ECHO: { actions: cancel('tick') },
            STOP_ECHO: { actions: cancel('echo') },
          },
        },
        b: { on: { LATE: 'c' } },
        c: {},
      },
    });
    const log = both((make, log, clock) => {
      const entries: unknown[][] = [];
      const actor = make(machine, { clock: loggingClock(clock, entries) });
      actor.subscribe((s: { value: unknown }) => entries.push(['next', s.value]));
      actor.start();
      const keys = Object.keys(actor.system.getSnapshot()._scheduledEvents).map((k) =>
        k.replace(/^x:\d+\./, 'x.').replace(/^x\.xstate\.lab\.anonymous\.\d+$|^x\.[a-z0-9]{6,}$/, 'x.(anonymous)'),
      );
      log.push(['keys', keys]);
      for (const ms of [100, 50, 150, 200]) {
        clock.advance(ms);
        log.push(['advanced', ms]);
      }
      log.push(...entries);
    });
    expect(kinds(log, 'keys')).toEqual([['x.tick', 'x.(anonymous)', 'x.xstate.after.300.(machine).a']]);
    expect(log.filter((e) => e[0] === 'setTimeout').map((e) => e[2])).toEqual([100, 500, 300, 50]);
    expect(kinds(log, 'next')).toEqual(['a', 'a', 'a', 'b', 'c']);
  });

  it('stopping cancels the actor’s pending timers in scheduling order and completes; later events are ignored', () => {
    const machine = createMachine({
      initial: 'a',
      states: {
        a: {
          entry: [raise({ type: 'X' }, { delay: 10, id: 'one' }), raise({ type: 'Y' }, { delay: 20, id: 'two' })],
          after: { 30: 'b' },
        },
        b: {},
      },
    });
    const log = both((make, log, clock) => {
      const entries: unknown[][] = [];
      const actor = make(machine, { clock: loggingClock(clock, entries) });
      actor.subscribe({
        next: (s: { status: string }) => entries.push(['next', s.status]),
        complete: () => entries.push(['complete']),
      });
      actor.start();
      actor.stop();
      actor.send({ type: 'X' });
      clock.advance(100);
      log.push(...entries, ['status', actor.getSnapshot().status]);
    });
    expect(log).toEqual([
      ['setTimeout', 1, 10],
      ['setTimeout', 2, 20],
      ['setTimeout', 3, 30],
      ['next', 'active'],
      ['clearTimeout', 1],
      ['clearTimeout', 2],
      ['clearTimeout', 3],
      ['complete'],
      ['status', 'stopped'],
    ]);
  });

  it('a delayed event scheduled again under its id without a cancel keeps the id’s place; the first timer forgets it', () => {
    const machine = createMachine({
      initial: 'a',
      states: {
        a: {
          entry: [
            raise({ type: 'X' }, { delay: 10, id: 'one' }),
            raise({ type: 'Y' }, { delay: 20, id: 'two' }),
            raise({ type: 'Z' }, { delay: 30, id: 'one' }),
          ],
          on: { X: { actions: () => undefined }, Y: {}, Z: {} },
        },
      },
    });
    const keysOf = (actor: AnyActorRef): string[] =>
      Object.keys((actor.system as { getSnapshot(): { _scheduledEvents: object } }).getSnapshot()._scheduledEvents).map(
        (k) => k.replace(/^x:\d+\./, 'x.'),
      );
    // Stopped at once: the timers are cleared in key order, `one` (the later timer under it) first.
    const stopped = both((make, log, clock) => {
      const entries: unknown[][] = [];
      const actor = make(machine, { clock: loggingClock(clock, entries) });
      actor.start();
      log.push(['keys', keysOf(actor)]);
      actor.stop();
      log.push(...entries);
    });
    expect(stopped).toEqual([
      ['keys', ['x.one', 'x.two']],
      ['setTimeout', 1, 10],
      ['setTimeout', 2, 20],
      ['setTimeout', 3, 30],
      ['clearTimeout', 3],
      ['clearTimeout', 2],
    ]);
    // The first timer under `one` fires: it forgets the key (so the later timer is no longer cancelled) and relays X.
    const fired = both((make, log, clock) => {
      const entries: unknown[][] = [];
      const actor = make(machine, { clock: loggingClock(clock, entries) });
      actor.subscribe(() => entries.push(['next']));
      actor.start();
      clock.advance(10);
      log.push(['keys', keysOf(actor)]);
      actor.stop();
      clock.advance(100);
      log.push(...entries);
    });
    expect(fired).toEqual([
      ['keys', ['x.two']],
      ['setTimeout', 1, 10],
      ['setTimeout', 2, 20],
      ['setTimeout', 3, 30],
      ['next'],
      ['next'],
      ['clearTimeout', 2],
    ]);
  });

  it('delayed events re-armed, fired, replaced without a cancel, across two actors: the same timers and events', () => {
    // The lab system recycles a delayed event's record once its timer is cleared or has run (lab-system.ts): every
    // timer must still deliver its own event to its own target, a replaced one (scheduled again under its id without a
    // cancel) its own too, and a held system snapshot keeps its records.
    const machine = createMachine({
      context: { n: 0 },
      initial: 'a',
      states: {
        a: {
          entry: raise({ type: 'IDLE' }, { delay: 40, id: 'idle' }),
          on: {
            PING: {
              actions: [
                cancel('idle'),
                raise(({ event }) => ({ type: 'IDLE', from: (event as unknown as { n?: number }).n }), {
                  delay: 40,
                  id: 'idle',
                }),
              ],
            },
            TWICE: {
              actions: [
                raise({ type: 'X', k: 1 } as { type: string }, { delay: 5, id: 'x' }),
                raise({ type: 'X', k: 2 } as { type: string }, { delay: 15, id: 'x' }),
              ],
            },
            X: {
              actions: assign({ n: ({ context, event }) => context.n * 10 + (event as unknown as { k: number }).k }),
            },
            IDLE: {
              actions: assign({
                n: ({ context, event }) => context.n + 100 + ((event as unknown as { from?: number }).from ?? 0),
              }),
            },
          },
        },
      },
    });
    const log = both((make, log, clock) => {
      const entries: unknown[][] = [];
      const one = make(machine, { clock: loggingClock(clock, entries) });
      const two = make(machine, { clock: loggingClock(clock, entries) });
      for (const [name, actor] of [
        ['one', one],
        ['two', two],
      ] as const)
        actor.subscribe((s: { context: { n: number } }) => entries.push(['next', name, s.context.n]));
      one.start();
      two.start();
      for (let i = 1; i <= 4; i++) {
        one.send({ type: 'PING', n: i });
        clock.advance(10);
        two.send({ type: 'PING', n: 10 * i });
        two.send({ type: 'TWICE' });
        clock.advance(10);
      }
      clock.advance(100);
      one.send({ type: 'TWICE' });
      clock.advance(100);
      log.push(...entries, ['contexts', one.getSnapshot().context, two.getSnapshot().context]);
    });
    expect(log.at(-1)).toEqual(['contexts', { n: 10412 }, { n: expect.any(Number) as number }]);
    expect(log.filter((e) => e[0] === 'setTimeout').length).toBeGreaterThan(12);
  });

  it('stop drops the events waiting behind the current one; a stopped actor ignores sends', () => {
    const logic = fromTransition((seen: string[], event: { type: string }, { self }) => {
      if (event.type === 'a') {
        self.send({ type: 'b' });
        (self as unknown as { stop(): void }).stop();
        self.send({ type: 'c' });
      }
      return [...seen, event.type];
    }, [] as string[]);
    const log = both((make, log) => {
      const actor = make(logic);
      actor.subscribe({
        next: (s: { context: string[] }) => log.push(['next', s.context.join(',')]),
        complete: () => log.push(['complete']),
      });
      actor.start();
      actor.send({ type: 'a' });
      actor.send({ type: 'd' });
      log.push(['final', actor.getSnapshot().status, actor.getSnapshot().context.join(',')]);
    });
    // `b` and `c` are dropped; a transition logic sees `xstate.stop` as any event (it stays active), then completes.
    expect(log).toEqual([
      ['next', ''],
      ['next', 'a'],
      ['next', 'a,xstate.stop'],
      ['complete'],
      ['final', 'active', 'a,xstate.stop'],
    ]);
  });

  it('an actor stopped before it starts never runs; a child cannot be stopped directly', () => {
    const child = createMachine({ initial: 'w', states: { w: {} } });
    const parent = setup({ actors: { child } }).createMachine({ invoke: { id: 'kid', src: 'child' } });
    both((make, log) => {
      const early = make(fromTransition((n: number) => n + 1, 0));
      early.stop();
      early.send({ type: 'x' });
      log.push(['early', early.getSnapshot().context]);
      const p = make(parent);
      p.start();
      const kid = p.getSnapshot().children.kid as AnyActorRef;
      expect(() => kid.stop?.()).toThrow('A non-root actor cannot be stopped directly.');
      log.push(['kid', normalizeId(kid.sessionId), kid.system === p.system]);
    });
  });

  it('children: started after the parent’s snapshot is set, in document order; stopped with the parent, in order', () => {
    const child = (name: string) =>
      createMachine({
        initial: 'w',
        states: {
          w: { entry: sendParent({ type: 'HELLO', from: name }), on: { PING: { actions: emit({ type: 'pong' }) } } },
        },
      });
    const parent = setup({
      actors: { one: child('one'), two: child('two'), counter: fromTransition((n: number) => n + 1, 0) },
    }).createMachine({
      context: { hellos: [] as string[] },
      initial: 'a',
      states: {
        a: {
          invoke: [
            { id: 'one', src: 'one' },
            { id: 'two', src: 'two' },
            { id: 'count', src: 'counter' },
          ],
          on: {
            HELLO: { actions: assign({ hellos: ({ context, event }) => [...context.hellos, String(event.from)] }) },
            PING: { actions: [sendTo('one', { type: 'PING' }), sendTo('count', { type: 'x' })] },
            LEAVE: 'b',
          },
        },
        b: {},
      },
    });
    const log = both((make, log) => {
      const actor = make(parent);
      actor.subscribe((s: { value: unknown; context: { hellos: string[] }; children: Record<string, AnyActorRef> }) =>
        log.push(['next', s.value, s.context.hellos.join(','), Object.keys(s.children)]),
      );
      actor.start();
      const kids = actor.getSnapshot().children as Record<string, AnyActorRef>;
      for (const [id, kid] of Object.entries(kids)) {
        kid.subscribe({ complete: () => log.push(['complete', id]) });
        kid.on('*', (e: { type: string }) => log.push(['kidEmitted', id, e.type]));
      }
      actor.send({ type: 'PING' });
      log.push(['count', sanitize((kids.count as AnyActorRef).getSnapshot().context)]);
      actor.send({ type: 'LEAVE' });
      log.push(['kids', Object.values(kids).map((k) => k.getSnapshot().status)]);
    });
    expect(kinds(log, 'complete')).toEqual(['one', 'two', 'count']);
    expect(log.filter((e) => e[0] === 'next').map((e) => e[2])).toEqual(['', 'one', 'one,two', 'one,two', 'one,two']);
    expect(log.filter((e) => e[0] === 'next').map((e) => e[3])).toContainEqual([]);
    expect(kinds(log, 'kids')).toEqual([['stopped', 'stopped', 'active']]);
    expect(kinds(log, 'count')).toEqual([1]);
  });

  it('a failing child: the parent gets xstate.error.actor, its observers the error', () => {
    const child = fromTransition((n: number, e: { type: string }) => {
      if (e.type === 'boom') throw new Error('child broke');
      return n;
    }, 0);
    const parent = setup({ actors: { child } }).createMachine({
      initial: 'a',
      states: {
        a: {
          invoke: { id: 'c', src: 'child', onError: 'failed' },
          on: { POKE: { actions: sendTo('c', { type: 'boom' }) } },
        },
        failed: { type: 'final' },
      },
    });
    const log = both((make, log) => {
      const actor = make(parent);
      actor.subscribe({
        next: (s: { value: unknown; status: string }) => log.push(['next', s.value, s.status]),
        error: (err: unknown) => log.push(['error', String(err)]),
        complete: () => log.push(['complete']),
      });
      actor.start();
      const kid = actor.getSnapshot().children.c as AnyActorRef;
      kid.subscribe({ error: (err: unknown) => log.push(['kid.error', String(err)]) });
      actor.send({ type: 'POKE' });
    });
    expect(log).toEqual([
      ['next', 'a', 'active'],
      // The send is a deferred effect of POKE: the child fails before the parent's observers hear of POKE.
      ['kid.error', 'Error: child broke'],
      ['next', 'a', 'active'],
      ['next', 'failed', 'done'],
      ['complete'],
    ]);
  });

  it('an error goes to every observer’s error handler; it is reported as unhandled only if an observer has none', () => {
    const failing = fromTransition((n: number, e: { type: string }) => {
      if (e.type === 'boom') throw new Error('broke');
      return n;
    }, 0);
    // xstate reports with setTimeout, the lab actor with queueMicrotask (no timer in sim/): either is "reported".
    const reports = (make: Make, handlers: boolean[]): Log => {
      const log: Log = [];
      const report = (): void => void log.push(['reported']);
      const timeout = vi.spyOn(globalThis, 'setTimeout').mockImplementation((() => report()) as never);
      const microtask = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation(report);
      try {
        const actor = make(failing);
        handlers.forEach((has, i) =>
          actor.subscribe(has ? { error: (err: unknown) => log.push([`error${i}`, String(err)]) } : { next: () => {} }),
        );
        actor.start();
        actor.send({ type: 'boom' });
      } finally {
        timeout.mockRestore();
        microtask.mockRestore();
      }
      return log;
    };
    for (const handlers of [
      [true, true],
      [true, false],
      [false, true],
    ]) {
      expect(reports(labActor, handlers)).toEqual(reports(xstateActor, handlers));
    }
    expect(reports(labActor, [true, true])).toEqual([
      ['error0', 'Error: broke'],
      ['error1', 'Error: broke'],
    ]);
    expect(reports(labActor, [false, true])).toEqual([['error1', 'Error: broke'], ['reported']]);
  });

  it('observers are walked as xstate walks its Set: one subscribed meanwhile is notified, one unsubscribed is not', () => {
    const machine = createMachine({
      initial: 'a',
      states: { a: { on: { NEXT: 'b' } }, b: { on: { END: 'done' } }, done: { type: 'final' } },
    });
    const log = both((make, log) => {
      const actor = make(machine);
      let added = false;
      actor.subscribe((s: { value: unknown }) => {
        log.push(['first', s.value]);
        if (s.value === 'b' && !added) {
          added = true;
          // Subscribed while the observers are walked: reached in this very walk, as a Set iterator reaches it.
          actor.subscribe({
            next: (t: { value: unknown }) => log.push(['added', t.value]),
            complete: () => {
              log.push(['added.complete']);
              // Subscribed while `complete` is walked: completed too, then dropped.
              actor.subscribe({ complete: () => log.push(['late.complete']) });
            },
          });
          // Unsubscribed before the walk reaches it: skipped.
          later.unsubscribe();
        }
      });
      const later = actor.subscribe((s: { value: unknown }) => log.push(['later', s.value]));
      const third = actor.subscribe((s: { value: unknown }) => log.push(['third', s.value]));
      actor.start();
      actor.send({ type: 'NEXT' });
      third.unsubscribe();
      actor.send({ type: 'END' });
    });
    expect(log).toEqual([
      ['first', 'a'],
      ['later', 'a'],
      ['third', 'a'],
      ['first', 'b'],
      ['third', 'b'],
      ['added', 'b'],
      ['first', 'done'],
      ['added', 'done'],
      ['added.complete'],
      ['late.complete'],
    ]);
  });

  it('a lone observer: one subscribed during its call is notified in that walk, also after it unsubscribed itself', () => {
    const machine = createMachine({
      initial: 'a',
      states: {
        a: { on: { NEXT: 'b' } },
        b: { on: { NEXT: 'c' } },
        c: { on: { END: 'done' } },
        done: { type: 'final' },
      },
    });
    const log = both((make, log) => {
      const actor = make(machine);
      const lone = actor.subscribe((s: { value: unknown }) => {
        log.push(['lone', s.value]);
        if (s.value === 'b') {
          // The only observer leaves, then another comes, both during the walk: the newcomer is reached in it.
          lone.unsubscribe();
          actor.subscribe((t: { value: unknown }) => {
            log.push(['second', t.value]);
            if (t.value === 'c') {
              // Now alone again: one subscribed during its call is reached too.
              actor.subscribe({
                next: (u: { value: unknown }) => log.push(['third', u.value]),
                complete: () => log.push(['third.complete']),
              });
            }
          });
        }
      });
      actor.start();
      actor.send({ type: 'NEXT' });
      actor.send({ type: 'NEXT' });
      actor.send({ type: 'END' });
    });
    expect(log).toEqual([
      ['lone', 'a'],
      ['lone', 'b'],
      ['second', 'b'],
      ['second', 'c'],
      ['third', 'c'],
      ['second', 'done'],
      ['third', 'done'],
      ['third.complete'],
    ]);
  });

  it('a lone listener unsubscribed by its own call hears no more; a second one added by it hears the next emit', () => {
    const machine = createMachine({ on: { GO: { actions: [emit({ type: 'x' }), emit({ type: 'x' })] } } });
    const log = both((make, log) => {
      const actor = make(machine);
      const first = actor.on('x', () => {
        log.push(['first']);
        first.unsubscribe();
        actor.on('x', () => log.push(['second']));
      });
      actor.start();
      actor.send({ type: 'GO' });
    });
    expect(log).toEqual([['first'], ['second']]);
  });

  it('keeps one observer and one listener without a list, and makes its sessionId string only when read', () => {
    const machine = createMachine({ on: { GO: { actions: emit({ type: 'x' }) } } });
    const actor = labActor(machine) as unknown as LabActor;
    const heard: string[] = [];
    actor.subscribe(() => heard.push('next'));
    actor.on('x', () => heard.push('x'));
    actor.start();
    actor.send({ type: 'GO' });
    expect(heard).toEqual(['next', 'x', 'next']);
    const own = Object.values(actor);
    expect(own.filter((v) => Array.isArray(v))).toEqual([]);
    expect(own.filter((v) => typeof v === 'string')).toEqual([]);
    expect(actor.sessionId).toMatch(/^x:\d+$/);
    expect(Object.values(actor)).toContain(actor.sessionId);
  });

  it('the system keeps delayed events in xstate’s key order through replacing the last key, cancels and appends', () => {
    const machine = createMachine({ on: { '*': { actions: ({ event }: { event: { type: string } }) => event } } });
    const log = both((make, log, clock) => {
      const actor = make(machine, { clock });
      actor.start();
      const scheduler = actor.system.scheduler;
      const keys = (): string[] =>
        Object.keys(
          (actor.system as unknown as { getSnapshot(): { _scheduledEvents: object } }).getSnapshot()._scheduledEvents,
        ).map((k) => k.replace(/^x:\d+\./, ''));
      scheduler.schedule(actor, actor, { type: 'A' }, 10, 'a');
      scheduler.schedule(actor, actor, { type: 'B' }, 20, 'b');
      // The last key scheduled again without a cancel keeps its place; what comes after goes behind it.
      scheduler.schedule(actor, actor, { type: 'B2' }, 30, 'b');
      scheduler.schedule(actor, actor, { type: 'C' }, 40, 'c');
      log.push(['keys', keys()]);
      scheduler.cancel(actor, 'c');
      scheduler.schedule(actor, actor, { type: 'D' }, 50, 'd');
      scheduler.cancel(actor, 'a');
      scheduler.schedule(actor, actor, { type: 'A2' }, 60, 'a');
      log.push(['keys', keys()]);
    });
    expect(log).toEqual([
      ['keys', ['a', 'b', 'c']],
      ['keys', ['b', 'd', 'a']],
    ]);
  });

  it('an emitted event of type * reaches a wildcard listener twice (its type’s listeners are the wildcard ones)', () => {
    const machine = createMachine({ on: { GO: { actions: emit({ type: '*' }) } } });
    const log = both((make, log) => {
      const actor = make(machine);
      actor.on('*', (e: { type: string }) => log.push(['star', e.type]));
      actor.start();
      actor.send({ type: 'GO' });
    });
    expect(log).toEqual([
      ['star', '*'],
      ['star', '*'],
    ]);
  });

  it('keeps no reference to its input once its initial snapshot is made', () => {
    const input = { big: new Uint8Array(16) };
    const machine = createMachine({
      context: ({ input }: { input: { big: Uint8Array } }) => ({ n: input.big.length }),
    });
    const actor = labActor(machine, { input });
    actor.start();
    expect(actor.getSnapshot().context).toEqual({ n: 16 });
    expect(Object.values(actor)).not.toContain(input);
  });

  it('an effect deferred while the deferred effects run waits behind those already waiting', () => {
    // Before the start, the entry actions are deferred; when they run, emit's own execute defers the emit itself,
    // behind the custom action deferred after it.
    const log = both((make, log) => {
      const machine = createMachine({
        entry: [emit({ type: 'a' }), () => log.push(['custom']), emit({ type: 'b' })],
      });
      const actor = make(machine);
      actor.on('*', (e: { type: string }) => log.push(['emitted', e.type]));
      actor.start();
    });
    expect(log).toEqual([['custom'], ['emitted', 'a'], ['emitted', 'b']]);
  });
});
