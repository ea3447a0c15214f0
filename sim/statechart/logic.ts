/**
 * The fast runtime as xstate actor logic: `fastMachineLogic(machine)` has the `transition`, `getInitialSnapshot`,
 * `start`, `getPersistedSnapshot` and `restoreSnapshot` of the machine's own logic (StateMachine-*.cjs.js), run by
 * the interpreter. The lab actor (lab-actor.ts) runs it for runtime 'fast'; xstate's own `Actor` runs it unchanged
 * too (mailbox, deferred effects, the system's scheduler and relay, observers, emitted events and error reporting are
 * the actor's). Spawned and invoked machines run fast as well when they compile, and on xstate's own logic otherwise
 * (then they behave as xstate, only slower).
 */
import { StateMachine, assign } from 'xstate';
import { compileMachine, UnsupportedMachineError, type CompiledTransition } from './compile.ts';
import { resolveActions } from './actions.ts';
import { macrostep, microstep } from './interpreter.ts';
import { Work, type WorkStart } from './work.ts';
import { EMPTY_RECORD, makeSnapshot, valueAndTags } from './snapshot.ts';
import type { XActionRef, XEvent, XMachine, XMachineSnapshot, XScope, XStateNode } from './xstate-shapes.ts';

/** The actor logic of the fast runtime for one machine (run by a lab actor, or by xstate's `Actor`). */
export interface FastMachineLogic {
  readonly machine: XMachine;
  /** Marks the logic as the fast runtime's (tests and the factory check it). */
  readonly fastRuntime: true;
  readonly config: unknown;
  readonly implementations: XMachine['implementations'];
  transition(snapshot: unknown, event: XEvent, scope: XScope): XMachineSnapshot;
  getInitialSnapshot(scope: XScope, input: unknown): XMachineSnapshot;
  start(snapshot: XMachineSnapshot): void;
  getPersistedSnapshot(snapshot: unknown, options?: unknown): unknown;
  restoreSnapshot(snapshot: unknown, scope: XScope): unknown;
}

const logics = new WeakMap<object, FastMachineLogic>();

/** Spare work states kept per machine (more are needed only while macrosteps of the machine nest). */
const MAX_SPARE_WORK = 4;

/** Machine events the fast runtime has processed in this process (one per `transition`): benchmarks read it. */
let eventsProcessed = 0;

/** How many machine events the fast runtime has processed so far in this process (a benchmark's counter). */
export function machineEventsProcessed(): number {
  return eventsProcessed;
}

/** A child's logic: a machine the fast runtime compiles runs fast; anything else as it is. */
export function logicForChild(logic: unknown): unknown {
  if (!(logic instanceof StateMachine)) return logic;
  try {
    return fastMachineLogic(logic);
  } catch (err) {
    // A child machine the interpreter does not run runs on xstate's logic: the same behaviour, only slower.
    if (err instanceof UnsupportedMachineError) return logic;
    throw err;
  }
}

/** The fast logic of `machine` (cached); throws `UnsupportedMachineError` when the machine does not compile. */
export function fastMachineLogic(machine: object): FastMachineLogic {
  const cached = logics.get(machine);
  if (cached !== undefined) return cached;
  const cm = compileMachine(machine);
  const m = cm.machine;
  const contextConfig = m.config.context;
  // xstate's `_getPreInitialState`: a context factory runs as an assign (so it may spawn), with the init event (a
  // list of that one action, as resolveActions takes it: one list per machine, nothing writes it).
  const contextAssign =
    typeof contextConfig === 'function'
      ? [
          assign((args: { spawn: unknown; event: XEvent; self: unknown }) =>
            (contextConfig as (a: unknown) => Record<string, unknown>)({
              spawn: args.spawn,
              input: args.event['input'],
              self: args.self,
            }),
          ) as unknown as XActionRef,
        ]
      : undefined;

  const spareWork: Work[] = [];
  // The initial configuration (the root alone) and the initial transition as lists: nothing writes either (a
  // configuration array is never written once it is one: microstep builds the next in a scratch array).
  const rootNodes: readonly XStateNode[] = [cm.root.node];
  const initialTransitions: readonly CompiledTransition[] = [cm.initial];
  const logic: FastMachineLogic = {
    machine: m,
    fastRuntime: true,
    config: (machine as { config: unknown }).config,
    implementations: m.implementations,
    transition(snapshot, event, scope) {
      eventsProcessed += 1;
      const s = snapshot as XMachineSnapshot;
      // A spare work state of this machine (Work.start), else a new one; a macrostep nested in this one (an action
      // runs another actor of the machine) takes another. One that throws is dropped.
      let w = spareWork.pop();
      if (w === undefined) w = new Work(cm, scope, logicForChild, s);
      else w.start(scope, s);
      w.seedValue(s._nodes, s.value, s.tags);
      macrostep(w, event, w.queue);
      // xstate hands back the very snapshot when nothing was cloned (a targetless transition without assign).
      const next = w.version === 0 ? s : makeSnapshot(cm, w);
      w.clear();
      if (spareWork.length < MAX_SPARE_WORK) spareWork.push(w);
      return next;
    },
    getInitialSnapshot(scope, input) {
      const initEvent: XEvent = { type: 'xstate.init', input };
      const bare =
        typeof contextConfig !== 'function' && contextConfig ? (contextConfig as Record<string, unknown>) : {};
      const start: WorkStart = {
        context: bare,
        children: EMPTY_RECORD,
        _nodes: rootNodes,
        status: 'active',
        output: undefined,
        error: undefined,
        historyValue: EMPTY_RECORD,
      };
      // A spare work state, as `transition` takes one (an actor is made per exchange in a storm: a work state and its
      // queue per actor were garbage at once); handed back unless the initial macrostep threw.
      let w = spareWork.pop();
      if (w === undefined) w = new Work(cm, scope, logicForChild, start);
      else w.start(scope, start);
      const queue = w.queue;
      let errorContext = w.context;
      let errorChildren = w.children;
      try {
        if (contextAssign !== undefined) resolveActions(w, initEvent, contextAssign, queue, undefined);
        errorContext = w.expose();
        errorChildren = w.children;
        microstep(w, initialTransitions, initEvent, true, queue);
        macrostep(w, initEvent, queue);
        const snapshot = makeSnapshot(cm, w);
        w.clear();
        if (spareWork.length < MAX_SPARE_WORK) spareWork.push(w);
        return snapshot;
      } catch (error) {
        const vt = valueAndTags(cm, [cm.root.node]);
        return makeSnapshot(cm, {
          status: 'error',
          output: undefined,
          error,
          context: errorContext,
          _nodes: vt.nodes,
          value: vt.value,
          tags: vt.tags,
          children: errorChildren,
          historyValue: EMPTY_RECORD,
        });
      }
    },
    start(snapshot) {
      for (const child of Object.values(snapshot.children)) {
        if (child === undefined) continue;
        if ((child.getSnapshot() as { status?: string }).status === 'active') child.start();
      }
    },
    getPersistedSnapshot(snapshot, options) {
      return m.getPersistedSnapshot(snapshot, options);
    },
    restoreSnapshot(snapshot, scope) {
      return m.restoreSnapshot(snapshot, scope);
    },
  };
  logics.set(machine, logic);
  return logic;
}
