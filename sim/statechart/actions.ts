/**
 * Action resolution as xstate 5.33 does it (`resolveAndExecuteActionsWithContext`): custom actions go to the actor's
 * `actionExecutor` (run at once while the actor runs, deferred before it starts); assign, spawnChild and stopChild are
 * resolved here on the work state (xstate would clone its snapshot for each); on a lab actor raise, sendTo, emit and
 * cancel are resolved and executed natively (effects.ts); the other built-ins resolve with xstate's own `resolve` on
 * the work state, and their effect is xstate's own `execute`.
 */
import { createActor } from 'xstate';
import {
  EXECUTE_STOP,
  READ_ONLY_RESOLVES,
  RESOLVE_ASSIGN,
  RESOLVE_ENQUEUE,
  RESOLVE_SPAWN,
  RESOLVE_STOP,
  STOP_CHILD_TYPE,
} from './builtins.ts';
import { collectEnqueued, EnqueuedBuiltin, enqueuedCount, releaseEnqueued } from './enqueue.ts';
import { isNativeEffect, resolveEffect, type DeferScope } from './effects.ts';
import { createLabLogicActor, LabActor, type LabActorLogic, type LabActorOptions } from './lab-actor.ts';
import type {
  XActionArgs,
  XActionFunction,
  XActionRef,
  XActorRef,
  XEvent,
  XMachine,
  XResolveExtra,
  XScope,
} from './xstate-shapes.ts';
import type { Work } from './work.ts';
import { EMPTY_RECORD } from './snapshot.ts';

function actionTypeOf(action: XActionRef): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') return action.name || '(anonymous)';
  return action.type;
}

/** xstate's `resolveReferencedActor`. */
function resolveReferencedActor(machine: XMachine, src: string): unknown {
  const match = /^xstate\.invoke\.(\d+)\.(.*)/.exec(src);
  if (!match) return machine.implementations.actors[src];
  const node = machine.getStateNodeById(match[2] as string);
  const invokeConfig = (node.config as { invoke?: unknown }).invoke;
  const def = (Array.isArray(invokeConfig) ? invokeConfig[Number(match[1])] : invokeConfig) as { src: unknown };
  return def.src;
}

interface SpawnOptions {
  readonly id?: string;
  readonly systemId?: string;
  readonly input?: unknown;
  readonly syncSnapshot?: boolean;
}

/**
 * A child of `scope`'s actor. `w` gives the machine and `logicFor` (the same for every use of a reused work state);
 * the scope is passed apart, as a kept spawner may run after the work state serves another actor.
 */
function createChild(
  w: Work,
  scope: XScope,
  logic: unknown,
  opts: { id: unknown; src: unknown; syncSnapshot: unknown; systemId: unknown; input: unknown },
): XActorRef {
  const options = {
    id: opts.id,
    src: opts.src,
    parent: scope.self,
    syncSnapshot: opts.syncSnapshot,
    systemId: opts.systemId,
    input: opts.input,
  };
  const childLogic = w.logicFor(logic);
  // A lab actor's children are lab actors, in its system; under xstate's own `Actor` (the fast logic handed to
  // `createActor`), xstate's. The child's logic is whatever the machine names (a machine, a transition actor...).
  if (options.parent instanceof LabActor)
    return createLabLogicActor(childLogic as LabActorLogic, options as LabActorOptions) as unknown as XActorRef;
  return createActor(childLogic as never, options as never) as unknown as XActorRef;
}

/** xstate's `createSpawner` (the `spawn` of an `assign`): the child exists at once and starts when deferred. */
function createSpawner(
  w: Work,
  scope: XScope,
  context: Record<string, unknown>,
  event: XEvent,
  spawned: Record<string, XActorRef>,
): (src: unknown, options?: SpawnOptions) => XActorRef {
  const spawn = (src: unknown, options?: SpawnOptions): XActorRef => {
    if (typeof src === 'string') {
      const logic = resolveReferencedActor(w.machine, src);
      if (!logic) throw new Error(`Actor logic '${src}' not implemented in machine '${w.machine.id}'`);
      const input = options?.input;
      const ref = createChild(w, scope, logic, {
        id: options?.id,
        syncSnapshot: options?.syncSnapshot,
        input:
          typeof input === 'function'
            ? (input as (a: unknown) => unknown)({ context, event, self: scope.self })
            : input,
        src,
        systemId: options?.systemId,
      });
      spawned[ref.id] = ref;
      return ref;
    }
    return createChild(w, scope, src, {
      id: options?.id,
      syncSnapshot: options?.syncSnapshot,
      input: options?.input,
      src,
      systemId: options?.systemId,
    });
  };
  return (src, options) => {
    const ref = spawn(src, options);
    spawned[ref.id] = ref;
    scope.defer(() => {
      if (ref._processingStatus === 2) return; // ProcessingStatus.Stopped
      ref.start();
    });
    return ref;
  };
}

/**
 * The argument of an assignment (`context`, `event`, `spawn`, `self`, `system`). xstate builds a new spawner per
 * assign; here `spawn` is built when an assignment first reads it (most never do). Building one hands the context to
 * user code (`Work.expose`).
 */
class AssignArgs {
  readonly context: Record<string, unknown>;
  readonly self: XActorRef;
  readonly system: XActionArgs['system'];
  spawned: Record<string, XActorRef> | undefined = undefined;
  private spawner: ((src: unknown, options?: SpawnOptions) => XActorRef) | undefined = undefined;
  /** The actor's scope, kept apart from the work state (reused after the macrostep; see `createChild`). */
  private readonly scope: XScope;
  constructor(
    private readonly w: Work,
    readonly event: XEvent,
  ) {
    this.context = w.expose();
    const scope = w.scope;
    this.scope = scope;
    this.self = scope.self;
    this.system = scope.system;
  }
  get spawn(): (src: unknown, options?: SpawnOptions) => XActorRef {
    if (this.spawner === undefined) {
      this.spawned = {};
      this.spawner = createSpawner(this.w, this.scope, this.context, this.event, this.spawned);
    }
    return this.spawner;
  }
}

/** The args object xstate hands an action (`actionArgs`): a fresh one per action, as the action may keep it. */
function argsOf(w: Work, event: XEvent, context: Record<string, unknown>): XActionArgs {
  return { context, event, self: w.scope.self, system: w.scope.system };
}

/**
 * xstate's `resolveAssign`: the next context is `Object.assign({}, context, partial)`, a new object per assign. Here
 * an assign that calls no user code writes into a context this macrostep made and no user code has seen
 * (`Work.contextWritable`): nothing outside the work state can tell the two apart. Any other assign copies, as
 * xstate does, and the copy is writable until user code receives it.
 */
function resolveAssign(w: Work, event: XEvent, params: unknown, assignment: unknown): void {
  if (!w.context)
    throw new Error('Cannot assign to undefined `context`. Ensure that `context` is defined in the machine config.');
  let args: AssignArgs | undefined;
  if (typeof assignment === 'function') {
    args = new AssignArgs(w, event);
    const partial = (assignment as (a: unknown, p: unknown) => Record<string, unknown>)(args, params);
    // As xstate does: a spread of the partial would differ where Object.assign sets (an own `__proto__` key sets the
    // copy's prototype). The cost is the copy of the context (V8 copies key by key once a copy site has seen more
    // than four shapes, as this one has in any run: ~12 ns per key), so a machine's context size is its assign cost.
    w.context = Object.assign({}, w.context, partial);
  } else {
    // A property map: its values go straight into the next context, in key order (a function value sees the context
    // as it was, through `args`, as in xstate, where the partial is computed before it is merged).
    const map = assignment as Record<string, unknown>;
    let next = w.context;
    if (!w.contextWritable || hasFunctionValue(map)) next = { ...w.context };
    // `for…in` over own keys visits Object.keys's keys in its order without building the array (one per assign).
    for (const key in map) {
      if (!Object.hasOwn(map, key)) continue;
      const p = map[key];
      let value = p;
      if (typeof p === 'function') {
        args ??= new AssignArgs(w, event);
        value = (p as (a: unknown, q: unknown) => unknown)(args, params);
      }
      // xstate's partial is a plain object: a `__proto__` key sets its prototype and is never merged.
      if (key !== '__proto__') next[key] = value;
    }
    w.context = next;
  }
  w.contextWritable = true;
  const spawned = args?.spawned;
  if (spawned !== undefined && Object.keys(spawned).length) w.children = { ...w.children, ...spawned };
  w.version++;
}

function hasFunctionValue(map: Record<string, unknown>): boolean {
  for (const key in map) if (Object.hasOwn(map, key) && typeof map[key] === 'function') return true;
  return false;
}

/** xstate's `resolveSpawn` (an invoke's `spawnChild`). */
function resolveSpawn(w: Work, event: XEvent, a: XActionFunction): unknown {
  const src = a['src'];
  const id = a['id'];
  const input = a['input'];
  const logic = typeof src === 'string' ? resolveReferencedActor(w.machine, src) : src;
  const resolvedId = typeof id === 'function' ? (id as (x: unknown) => unknown)(argsOf(w, event, w.expose())) : id;
  let ref: XActorRef | undefined;
  let resolvedInput: unknown = undefined;
  if (logic) {
    resolvedInput =
      typeof input === 'function'
        ? (input as (x: unknown) => unknown)({ context: w.expose(), event, self: w.scope.self })
        : input;
    ref = createChild(w, w.scope, logic, {
      id: resolvedId,
      src,
      syncSnapshot: a['syncSnapshot'],
      systemId: a['systemId'],
      input: resolvedInput,
    });
  }
  w.children = { ...w.children, [String(resolvedId)]: ref };
  w.version++;
  return { id, systemId: a['systemId'], actorRef: ref, src, input: resolvedInput };
}

/** `children` without `id`, a new object (xstate's copy), or the shared empty one when none is left. */
function withoutChild(
  children: Record<string, XActorRef | undefined>,
  id: string,
): Record<string, XActorRef | undefined> {
  const kept = Object.entries(children).filter(([key]) => key !== id);
  return kept.length === 0 ? EMPTY_RECORD : Object.fromEntries(kept);
}

/** xstate's `resolveStop`. */
function resolveStop(w: Work, event: XEvent, params: unknown, actorRef: unknown): XActorRef | undefined {
  const refOrString =
    typeof actorRef === 'function'
      ? (actorRef as (a: unknown, p: unknown) => unknown)(argsOf(w, event, w.expose()), params)
      : actorRef;
  const ref = (typeof refOrString === 'string' ? w.children[refOrString] : refOrString) as XActorRef | undefined;
  // xstate copies the children and deletes the key; the copy without it is the same object, left in V8's fast mode.
  if (ref) w.children = withoutChild(w.children, ref.id);
  w.version++;
  return ref;
}

/**
 * Does xstate's `resolve` of this read-only built-in call user code with the action's args (so with the context)?
 * raise and sendTo call `event`, `delay`, `to` when they are functions and look a named `delay` up in the machine's
 * delays (which may be functions); emit calls `event`, cancel `sendId`, log `value` (a function by default).
 */
function builtinCallsUserCode(a: XActionFunction): boolean {
  const delay = a['delay'];
  return (
    typeof a['event'] === 'function' ||
    typeof delay === 'function' ||
    typeof delay === 'string' ||
    typeof a['to'] === 'function' ||
    typeof a['id'] === 'function' ||
    typeof a['sendId'] === 'function' ||
    typeof a['value'] === 'function'
  );
}

/** xstate's `resolveAndExecuteActionsWithContext`. */
function resolveAndExecute(w: Work, event: XEvent, actions: readonly XActionRef[], count: number): void {
  const scope = w.scope;
  const impls = w.machine.implementations.actions;
  const deferCall = scope.deferCall;
  for (let i = 0; i < count; i++) {
    const action = actions[i] as XActionRef;
    let resolved: XActionFunction | undefined;
    let params: unknown = undefined;
    if (typeof action === 'function') resolved = action;
    else if (action instanceof EnqueuedBuiltin) {
      // What a callback enqueued most: an assign, resolved at once (a record has no params and no retry).
      if (action.resolve === RESOLVE_ASSIGN) {
        resolveAssign(w, event, undefined, action.assignment);
        continue;
      }
      resolved = action as unknown as XActionFunction;
    } else {
      resolved = impls[typeof action === 'string' ? action : action.type] as XActionFunction | undefined;
      if (typeof action !== 'string' && 'params' in action)
        params =
          typeof action.params === 'function'
            ? (action.params as (a: unknown) => unknown)({ context: w.expose(), event })
            : action.params;
    }
    if (!resolved || !('resolve' in resolved)) {
      // Without an implementation xstate's executor does nothing but inspection, which a lab actor does not have.
      if (scope.run !== undefined && resolved === undefined) continue;
      // A custom action gets the args (it may keep them: a deferred action reads them later).
      const info = argsOf(w, event, w.expose());
      if (scope.run !== undefined) {
        scope.run(resolved as (i: XActionArgs, p: unknown) => void, info, params);
        continue;
      }
      scope.actionExecutor({
        type: actionTypeOf(action),
        info,
        params,
        exec: resolved as ((i: XActionArgs, p: unknown) => void) | undefined,
      });
      continue;
    }
    const resolve = resolved.resolve;
    // raise, cancel, emit, sendTo on a lab actor: resolved and executed natively (effects.ts).
    if (deferCall !== undefined && resolve !== undefined && isNativeEffect(resolve)) {
      resolveEffect(w, event, params, resolved, resolve, scope as DeferScope);
      continue;
    }
    let resolvedParams: unknown = undefined;
    let nested: readonly XActionRef[] | undefined;
    // An enqueueActions callback's list (collectEnqueued): its first `nestedCount` entries, handed back when resolved.
    let nestedCount = -1;
    if (resolve === RESOLVE_ASSIGN) resolveAssign(w, event, params, resolved['assignment']);
    else if (resolve === RESOLVE_SPAWN) resolvedParams = resolveSpawn(w, event, resolved);
    else if (resolve === RESOLVE_STOP) resolvedParams = resolveStop(w, event, params, resolved['actorRef']);
    else if (resolve === RESOLVE_ENQUEUE) {
      nested = collectEnqueued(w, resolved['collect'], event, params);
      nestedCount = enqueuedCount();
    } else if (resolve !== undefined && READ_ONLY_RESOLVES.has(resolve)) {
      const context = builtinCallsUserCode(resolved) ? w.expose() : w.context;
      const r = resolve(scope, w, argsOf(w, event, context), params, resolved, w as XResolveExtra);
      resolvedParams = r[1];
      nested = r[2];
    } else
      throw new Error(
        `fast statechart runtime: machine '${w.machine.id}' ran the built-in action '${String(resolved.type)}', which it does not run`,
      );
    const retry = resolved.retryResolve;
    if (w.deferredActorIds !== undefined && retry !== undefined) (w.retries ??= []).push([retry, resolvedParams]);
    const execute = resolved.execute;
    if (execute !== undefined) {
      const p = resolvedParams;
      // As xstate does: the built-in's own execute, bound to the scope and the resolved params. xstate's executor
      // gets the args as xstate gives them; a built-in's execute does not read them (a lab actor gets none).
      if (scope.run !== undefined) scope.run(execute, scope, p);
      else
        scope.actionExecutor({
          type: String(resolved.type),
          info: argsOf(w, event, w.context),
          params: p,
          exec: execute.bind(null, scope, p),
        });
    }
    if (nested === undefined) continue;
    if (nestedCount < 0) resolveAndExecute(w, event, nested, nested.length);
    else {
      resolveAndExecute(w, event, nested, nestedCount);
      releaseEnqueued(nested, nestedCount);
    }
  }
}

/** xstate's `resolveActionsAndContext` (`deferredActorIds`: the entered state's invoke ids, for sendTo's retry). */
export function resolveActions(
  w: Work,
  event: XEvent,
  actions: readonly XActionRef[],
  internalQueue: XEvent[],
  deferredActorIds: readonly string[] | undefined,
): void {
  if (actions.length === 0) return;
  w.internalQueue = internalQueue;
  w.deferredActorIds = deferredActorIds;
  resolveAndExecute(w, event, actions, actions.length);
  // xstate retries (sendTo to a child invoked by the entered state) only when there are deferred actor ids.
  // The list is empty between calls (a throw ends the work state with it).
  const retries = w.retries;
  if (deferredActorIds === undefined || retries === undefined || retries.length === 0) return;
  for (const [retry, p] of retries) retry(w.scope, w, p);
  retries.length = 0;
}

/** xstate's `stopChildren`: one `stopChild` per child. `keep` false discards the snapshot change, as xstate does. */
export function stopChildren(w: Work, event: XEvent, keep: boolean): void {
  const children = w.children;
  const version = w.version;
  for (const child of Object.values(w.children)) {
    if (child === undefined) continue;
    const ref = resolveStop(w, event, undefined, child);
    if (w.scope.run !== undefined) w.scope.run(EXECUTE_STOP, w.scope, ref);
    else
      w.scope.actionExecutor({
        type: STOP_CHILD_TYPE,
        info: argsOf(w, event, w.context),
        params: ref,
        exec: EXECUTE_STOP.bind(null, w.scope, ref),
      });
  }
  if (!keep) {
    w.children = children;
    w.version = version;
  }
}
