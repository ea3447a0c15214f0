/**
 * The shapes of xstate 5.33's resolved machine objects this interpreter reads (`StateMachine`, `StateNode`, the
 * formatted transitions, built-in action and guard objects, the actor scope). xstate's public types are generic over
 * the machine's types and say nothing of the resolved internals (`order`, `transitions`, `resolve`); these structural
 * views name only what is read, so the engine stays generic (no protocol knowledge) and free of `any`.
 */

/** An event as xstate sees it. */
export interface XEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** An action as written in a config: a name, `{ type, params }`, an inline function or a built-in action object. */
export type XActionRef = string | XActionObject | XActionFunction;
export interface XActionObject {
  readonly type: string;
  readonly params?: unknown;
}
/** A custom action function, or a built-in one (has `resolve`; its options are properties of the function). */
export interface XActionFunction {
  (args: unknown, params: unknown): unknown;
  readonly type?: string;
  readonly resolve?: XResolve;
  readonly retryResolve?: (scope: XScope, snapshot: unknown, params: unknown) => void;
  readonly execute?: (scope: XScope, params: unknown) => void;
  readonly [key: string]: unknown;
}
export type XResolve = (
  scope: XScope,
  snapshot: unknown,
  args: XActionArgs,
  params: unknown,
  action: XActionFunction,
  extra: XResolveExtra,
) => readonly [unknown, unknown, readonly XActionRef[] | undefined];

export interface XResolveExtra {
  readonly internalQueue: XEvent[];
  readonly deferredActorIds: readonly string[] | undefined;
}

export interface XActionArgs {
  readonly context: Record<string, unknown>;
  readonly event: XEvent;
  readonly self: XActorRef;
  readonly system: XSystem;
}

/** A guard as written: a name, `{ type, params }`, an inline predicate or a built-in (`and`, `not`, `stateIn`...). */
export type XGuardRef = string | XGuardObject | XGuardFunction;
export interface XGuardObject {
  readonly type: string;
  readonly params?: unknown;
}
export interface XGuardFunction {
  (args: unknown, params: unknown): boolean;
  readonly check?: (...args: never[]) => boolean;
  readonly guards?: readonly XGuardRef[];
  readonly stateValue?: unknown;
}

/** `StateNode.transitions` entries, `.always`, `.after`, `.initial` (formatTransition's output). */
export interface XTransition {
  readonly source: XStateNode;
  readonly target: readonly XStateNode[] | undefined;
  readonly reenter: boolean;
  readonly guard?: XGuardRef;
  readonly actions: readonly XActionRef[];
  readonly eventType: string | null;
}

export interface XInvokeDef {
  readonly id: string;
  readonly src: string;
  readonly systemId?: string;
  readonly input?: unknown;
  readonly onDone?: unknown;
  readonly onError?: unknown;
  readonly onSnapshot?: unknown;
}

export interface XStateNode {
  readonly id: string;
  readonly key: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  readonly order: number;
  readonly parent: XStateNode | undefined;
  readonly states: Readonly<Record<string, XStateNode>>;
  readonly entry: readonly XActionRef[];
  readonly exit: readonly XActionRef[];
  readonly invoke: readonly XInvokeDef[];
  readonly transitions: ReadonlyMap<string, readonly XTransition[]>;
  readonly always: readonly XTransition[] | undefined;
  readonly initial: XTransition;
  readonly output: unknown;
  readonly tags: readonly string[];
  readonly meta: unknown;
  readonly config: { readonly route?: unknown; readonly after?: unknown };
  readonly machine: XMachine;
}

export interface XImplementations {
  readonly actions: Readonly<Record<string, XActionFunction | XActionObject | undefined>>;
  readonly guards: Readonly<Record<string, XGuardRef | undefined>>;
  readonly actors: Readonly<Record<string, unknown>>;
  readonly delays: Readonly<Record<string, unknown>>;
}

export interface XMachine {
  readonly id: string;
  readonly root: XStateNode;
  readonly idMap: ReadonlyMap<string, XStateNode>;
  readonly implementations: XImplementations;
  readonly options: { readonly maxIterations?: number };
  readonly config: { readonly context?: unknown };
  getStateNodeById(id: string): XStateNode;
  getPersistedSnapshot(snapshot: unknown, options?: unknown): unknown;
  restoreSnapshot(snapshot: unknown, scope: XScope): unknown;
}

/** An actor reference as xstate's actions use it (`_send` is what `system._relay` calls). */
export interface XActorRef {
  readonly id: string;
  readonly sessionId: string;
  readonly _parent?: XActorRef;
  readonly _processingStatus?: number;
  getSnapshot(): unknown;
  start(): unknown;
  _send(event: XEvent): void;
}

export interface XSystem {
  readonly scheduler: unknown;
  _relay(source: XActorRef | undefined, target: XActorRef, event: XEvent): void;
  _unregister(ref: XActorRef): void;
}

/** The `actorScope` an xstate `Actor` hands its logic. */
export interface XScope {
  readonly self: XActorRef;
  readonly id: string;
  readonly sessionId: string;
  readonly system: XSystem;
  defer(fn: () => void): void;
  actionExecutor(action: XExecutableAction): void;
  /**
   * The lab actor's scope only (lab-actor.ts): `actionExecutor` for `fn(a, b)` without building the action object
   * and its bound function (now while the actor runs, deferred before it starts).
   */
  run?(fn: (a: never, b: never) => void, a: unknown, b: unknown): void;
  /**
   * The lab actor's scope only: what `run` of a built-in's execute that defers one effect does, with the effect as a
   * call `call(actor, a, b)` (effects.ts) instead of a closure.
   */
  deferCall?(call: (actor: never, a: unknown, b: unknown) => void, a: unknown, b: unknown): void;
  stopChild(child: XActorRef): void;
  emit(event: XEvent): void;
}

export interface XExecutableAction {
  readonly type: string;
  readonly info: XActionArgs;
  readonly params: unknown;
  readonly exec: ((info: XActionArgs, params: unknown) => void) | undefined;
}

export type XStateValue = string | { readonly [key: string]: XStateValue };

/** A machine snapshot as xstate builds it (`createMachineSnapshot`): the same own properties, in the same order. */
export interface XMachineSnapshot {
  status: 'active' | 'done' | 'error' | 'stopped';
  output: unknown;
  error: unknown;
  machine: XMachine;
  context: Record<string, unknown>;
  _nodes: readonly XStateNode[];
  value: XStateValue;
  tags: Set<string>;
  children: Record<string, XActorRef | undefined>;
  historyValue: Record<string, unknown>;
  matches: (this: XMachineSnapshot, value: unknown) => boolean;
  hasTag: (this: XMachineSnapshot, tag: string) => boolean;
  can: (this: XMachineSnapshot, event: XEvent) => boolean;
  getMeta: (this: XMachineSnapshot) => Record<string, unknown>;
  toJSON: (this: XMachineSnapshot) => unknown;
}
