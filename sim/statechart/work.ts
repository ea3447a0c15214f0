/**
 * The working state of one macrostep of the fast interpreter (interpreter.ts): context, children, configuration,
 * status, and a version bumped wherever xstate would clone its snapshot. It doubles as the snapshot view xstate's
 * read-only built-ins and guards read.
 */
import { matchesState } from 'xstate';
import { type CompiledMachine, type CompiledNode, type CompiledTransition } from './compile.ts';
import { valueAndTags } from './snapshot.ts';
import type { XActionFunction, XActorRef, XEvent, XMachine, XScope, XStateNode } from './xstate-shapes.ts';

/** How a spawned or invoked child's logic is chosen (the fast runtime wraps machines it can run). */
export type LogicFor = (logic: unknown) => unknown;

export type Status = 'active' | 'done' | 'error' | 'stopped';
/** A sendTo to re-resolve after an entered state's actions: xstate's `retryResolve` and the params it mutates. */
export type Retry = readonly [NonNullable<XActionFunction['retryResolve']>, unknown];

/** What a macrostep starts from: a snapshot's parts (a snapshot itself is one). */
export interface WorkStart {
  readonly context: Record<string, unknown>;
  readonly children: Record<string, XActorRef | undefined>;
  readonly _nodes: readonly XStateNode[];
  readonly status: Status;
  readonly output: unknown;
  readonly error: unknown;
  readonly historyValue: Record<string, unknown>;
}

const EMPTY_CONTEXT: Record<string, never> = Object.freeze({});
const NO_NODES: readonly XStateNode[] = Object.freeze([]);

function usedAfterRelease(): never {
  throw new Error('statechart: a spare work state was used before start()');
}

/**
 * The scope a spare work state holds: no actor. A spare outlives the run that last used it (spares are kept per
 * machine, and machines live as long as the process), so keeping the last actor's scope would keep that actor's
 * system, clock and whole simulation alive after the run (a sweep worker would carry its previous run).
 */
const RELEASED_SCOPE: XScope = Object.freeze({
  self: undefined as never,
  id: '',
  sessionId: '',
  system: undefined as never,
  defer: usedAfterRelease,
  actionExecutor: usedAfterRelease,
  stopChild: usedAfterRelease,
  emit: usedAfterRelease,
});

/**
 * The working state of one macrostep. It doubles as the snapshot view xstate's read-only built-ins and guards get
 * (`machine`, `context`, `children`, `_nodes`, `value`, `matches`): `_nodes` and `value` are the configuration as of
 * the last finished microstep, as in xstate, where the snapshot's nodes change only when a microstep ends.
 */
export class Work {
  readonly machine: XMachine;
  // Declared with placeholders (one shape for every work state, in this order); `load` sets them from the start.
  context: Record<string, unknown> = EMPTY_CONTEXT;
  children: Record<string, XActorRef | undefined> = EMPTY_CONTEXT;
  _nodes: readonly XStateNode[] = NO_NODES;
  status: Status = 'active';
  output: unknown = undefined;
  error: unknown = undefined;
  historyValue: Record<string, unknown> = EMPTY_CONTEXT;
  /** Bumped wherever xstate would clone its snapshot (assign, spawn, stop, done, a new configuration). */
  version = 0;
  /**
   * May an assign write into `context` instead of copying it (xstate copies on every assign)? Only while `context` is
   * an object an assign of this macrostep made (never the snapshot's: a caller may hold that) and no user code has
   * received it since (`expose`): a guard, assigner, params or input function, custom action, `enqueueActions`
   * callback or built-in expression may keep what it got (a closure, an emitted event, a child's input, a deferred
   * action's args, the new context itself as `previous: context`), and what it kept must keep its values.
   */
  contextWritable = false;
  /** sendTo actions to re-resolve after an entered state's actions (`resolveActions`; empty between calls). */
  retries: Retry[] | undefined = undefined;
  /**
   * The resolve options xstate's read-only built-ins read (`extra.internalQueue`, `extra.deferredActorIds`): the work
   * state is passed as that object, set per `resolveActions`, so no options object is built per call.
   */
  internalQueue: XEvent[] | undefined = undefined;
  deferredActorIds: readonly string[] | undefined = undefined;
  /** Transition selection's result as it is collected (select.ts): how many, the first, all when more than one. */
  selectedCount = 0;
  selectedFirst: CompiledTransition | undefined = undefined;
  selectedMore: CompiledTransition[] | undefined = undefined;
  /** The internal queue of a macrostep the logic's `transition` runs (empty between uses). */
  readonly queue: XEvent[] = [];
  /** The configuration `cachedValue` and `cachedTags` are of (the snapshot's own value at first). */
  private valueNodes: readonly XStateNode[] | undefined = undefined;
  private cachedValue: unknown = undefined;
  private cachedTags: Set<string> | undefined = undefined;

  constructor(
    readonly cm: CompiledMachine,
    /** The actor's scope: the one thing besides the state that differs when the work state is reused (`start`). */
    public scope: XScope,
    readonly logicFor: LogicFor,
    init: WorkStart,
  ) {
    this.machine = cm.machine;
    this.load(init);
  }

  /**
   * Starts another macrostep on this work state, for `scope`'s actor from `init` (the logic's `transition` reuses one
   * work state per machine: nothing holds one after its macrostep — user code gets the context, the event, the
   * scope's actor and system, an `enqueueActions` check judges by a `ConfigView`, a spawner keeps the scope — so
   * nothing can tell it from a fresh one).
   */
  start(scope: XScope, init: WorkStart): void {
    this.scope = scope;
    this.load(init);
    this.version = 0;
    this.contextWritable = false;
  }

  /** The state a macrostep starts from (the constructor's and `start`'s). */
  private load(init: WorkStart): void {
    this.context = init.context;
    this.children = init.children;
    this._nodes = init._nodes;
    this.status = init.status;
    this.output = init.output;
    this.error = init.error;
    this.historyValue = init.historyValue;
  }

  /** Drops what the last macrostep left (so a spare work state holds no actor's state). */
  clear(): void {
    this.scope = RELEASED_SCOPE;
    this.context = EMPTY_CONTEXT;
    this.children = EMPTY_CONTEXT;
    this._nodes = NO_NODES;
    this.output = undefined;
    this.error = undefined;
    this.historyValue = EMPTY_CONTEXT;
    this.internalQueue = undefined;
    this.deferredActorIds = undefined;
    // Only when something is left (a throw): `length = 0` drops the backing store, which the next raise would regrow.
    if (this.queue.length !== 0) this.queue.length = 0;
    if (this.retries !== undefined) this.retries.length = 0;
    this.resetSelection();
    this.valueNodes = undefined;
    this.cachedValue = undefined;
    this.cachedTags = undefined;
  }

  /** The context as user code gets it: from now on it may be held, so the next assign copies it. */
  expose(): Record<string, unknown> {
    this.contextWritable = false;
    return this.context;
  }

  /** Derives the value and tags of `_nodes` and makes `_nodes` the configuration's shared array. */
  private refreshValue(): void {
    if (this.valueNodes === this._nodes) return;
    const vt = valueAndTags(this.cm, this._nodes);
    this._nodes = vt.nodes;
    this.valueNodes = vt.nodes;
    this.cachedValue = vt.value;
    this.cachedTags = vt.tags;
  }

  /**
   * Makes the ordered configuration `nodes` (its first `count` entries) the configuration (`_nodes` becomes its shared
   * array, so `nodes` may be a scratch array the caller reuses), its value and tags derived now (as `refreshValue`
   * would on the next read).
   */
  setNodes(nodes: readonly XStateNode[], count: number): void {
    const vt = valueAndTags(this.cm, nodes, count);
    this._nodes = vt.nodes;
    this.valueNodes = vt.nodes;
    this.cachedValue = vt.value;
    this.cachedTags = vt.tags;
  }

  resetSelection(): void {
    this.selectedCount = 0;
    this.selectedFirst = undefined;
    this.selectedMore = undefined;
  }

  /** Seeds the value cache with a snapshot's own value and tags (for the same nodes array). */
  seedValue(nodes: readonly XStateNode[], value: unknown, tags: Set<string>): void {
    this.valueNodes = nodes;
    this.cachedValue = value;
    this.cachedTags = tags;
  }

  /** The state value of `_nodes` (derived again only when the configuration changed). */
  get value(): unknown {
    this.refreshValue();
    return this.cachedValue;
  }

  /** The tags of `_nodes`. */
  get tags(): Set<string> {
    this.refreshValue();
    return this.cachedTags as Set<string>;
  }

  matches(testValue: unknown): boolean {
    return matchesState(testValue as never, this.value as never);
  }
}

export function nodeOf(w: Work, n: XStateNode): CompiledNode {
  return w.cm.nodes[n.order] as CompiledNode;
}
