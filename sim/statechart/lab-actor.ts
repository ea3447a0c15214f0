/**
 * The lab's own actor: xstate 5.33's `Actor` (raise-*.cjs.js) with the same observable semantics, built lean for the
 * tens of thousands of actors a storm keeps alive. It runs any actor logic (the fast interpreter's machines, a
 * `fromTransition` provider, xstate's own machine logic for a child the interpreter does not compile).
 *
 * Kept exactly as xstate does it: the mailbox (an event sent while one is processed waits for it, in order; `stop`
 * drops what waits and queues `xstate.stop`), deferred effects run in order after the snapshot is set, observers
 * notified of active and done snapshots (not of a stopped one), done and error handling (stop procedure, completion,
 * `xstate.done.actor.<id>` / `xstate.error.actor.<id>` to the parent), emitted events to `on` listeners (those of the
 * type, then `*`, as registered when the emit starts), unhandled errors thrown outside the caller's stack.
 *
 * What makes it lean: one small system per root (lab-system.ts) instead of xstate's ~1.9 KB of closures; the mailbox
 * inlined in three fields; a lone observer or listener kept as it is, two or more in an array of their exact length
 * (a `Set` costs ~150 bytes, an array of one 56); the deferred list created on first use; methods on the prototype
 * instead of bound functions and closures per actor; the input handed to the logic's initial snapshot, not kept; the
 * sessionId's string made when first read (a storm never reads most); what few actors have (a parent, a `src`, a
 * `systemId`, a done event, a scope of closures) in one side object (`ActorRare`). For the fast interpreter's logic
 * the actor is its own scope (the interpreter and xstate's built-in actions call the scope's members as methods);
 * any other logic gets a scope of closures as xstate builds it (xstate's callback logic destructures `emit`).
 *
 * Differences, none observable by the lab: `send` is a method, not bound per actor (nothing detaches it);
 * inspection and devTools are refused; `options` is not kept (xstate keeps it, input included, for the actor's life);
 * `clock` and `logger` are the system's (a spawned child gets no clock of its own in xstate either); the actor has
 * the scope's members (`self`, `defer`, `emit`, `stopChild`, `actionExecutor`) as methods too, and `id`, `sessionId`,
 * `_parent`, `src`, `systemId`, `_syncSnapshot`, `_doneEvent`, `_actorScope` as getters (own keys differ, values not).
 */
import { LabSystem, xstateDefaultClock, xstateDefaultLogger, type LabClock, type LabLogger } from './lab-system.ts';

/** xstate's `ProcessingStatus`. */
const NOT_STARTED = 0;
const RUNNING = 1;
const STOPPED = 2;

export interface LabEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The part of a snapshot the actor reads (every xstate snapshot has these). */
export interface LabSnapshot {
  readonly status: string;
  readonly output?: unknown;
  readonly error?: unknown;
}

/** xstate's `ActorLogic` as the actor calls it. */
export interface LabActorLogic {
  transition(snapshot: unknown, event: LabEvent, scope: LabActorScope): unknown;
  getInitialSnapshot(scope: LabActorScope, input: unknown): unknown;
  start?(snapshot: unknown, scope: LabActorScope): void;
  getPersistedSnapshot?(snapshot: unknown, options?: unknown): unknown;
  restoreSnapshot?(snapshot: unknown, scope: LabActorScope): unknown;
  readonly fastRuntime?: true;
}

/** An action handed to the scope's `actionExecutor` (xstate's `ExecutableActionObject`). */
export interface LabExecutableAction {
  readonly type: string;
  readonly info: unknown;
  readonly params: unknown;
  readonly exec: ((info: never, params: never) => void) | undefined;
}

/**
 * A deferred effect as a call `fn(actor, a, b)` (the fast interpreter's built-ins: no closure per effect). A thunk
 * deferred by `defer` is the call `runThunk(actor, thunk)`.
 */
export type DeferredCall = (actor: LabActor, a: unknown, b: unknown) => void;

function runThunk(_actor: LabActor, thunk: unknown): void {
  (thunk as () => void)();
}

/**
 * Empty arrays for the deferred effects beyond the first (`LabActor.deferredRest`), shared by every actor: an actor
 * takes one when a second effect waits and hands it back, emptied (its slots cleared, its length kept so the next
 * user writes in place), when they have run. Actors nest (an effect may run another actor's macrostep), so a stack.
 */
const spareTriples: unknown[][] = [];
const MAX_SPARE_TRIPLES = 64;

/** The system an actor lives in: a lab system, or (for an xstate child of a lab actor) the same methods. */
export type LabActorSystem = LabSystem;

/** xstate's `ActorScope`. */
export interface LabActorScope {
  readonly self: LabActor;
  readonly id: string;
  readonly sessionId: string;
  readonly logger: LabLogger;
  readonly system: LabActorSystem;
  defer(fn: () => void): void;
  emit(event: LabEvent): void;
  stopChild(child: ChildRef): void;
  actionExecutor(action: LabExecutableAction): void;
}

/** A child as `stopChild` sees it (a lab actor or an xstate actor living in a lab system). */
export interface ChildRef {
  readonly id: string;
  readonly _parent?: unknown;
  _stop(): unknown;
}

export interface LabActorOptions {
  readonly clock?: LabClock;
  readonly logger?: LabLogger;
  readonly parent?: LabActor;
  readonly id?: string;
  readonly systemId?: string;
  readonly input?: unknown;
  readonly snapshot?: unknown;
  readonly state?: unknown;
  readonly src?: unknown;
  readonly syncSnapshot?: boolean;
  readonly inspect?: unknown;
  readonly devTools?: unknown;
}

type Handler = (value: unknown) => void;

/** Which handler of its observers an actor calls (`walkObservers`). */
const NEXT = 0;
const COMPLETE = 1;
const ERROR = 2;
type Which = typeof NEXT | typeof COMPLETE | typeof ERROR;

/** An observer as xstate's `toObserver` makes it: the handlers read at subscribe time, called on their object. */
class LabObserver {
  constructor(
    readonly target: object | undefined,
    readonly next: Handler | undefined,
    readonly error: Handler | undefined,
    readonly complete: (() => void) | undefined,
  ) {}
}

interface ObserverLike {
  readonly next?: Handler;
  readonly error?: Handler;
  readonly complete?: () => void;
}

function toObserver(
  nextOrObserver: Handler | ObserverLike | undefined,
  error: Handler | undefined,
  complete: (() => void) | undefined,
): LabObserver {
  if (typeof nextOrObserver === 'object' && nextOrObserver !== null)
    return new LabObserver(nextOrObserver, nextOrObserver.next, nextOrObserver.error, nextOrObserver.complete);
  return new LabObserver(undefined, nextOrObserver, error, complete);
}

class ObserverSubscription {
  constructor(
    private readonly actor: LabActor,
    private readonly observer: LabObserver,
  ) {}
  unsubscribe(): void {
    this.actor._unsubscribe(this.observer);
  }
}

interface Listener {
  readonly type: string;
  readonly fn: (event: LabEvent) => void;
}

class ListenerSubscription {
  constructor(
    private readonly actor: LabActor,
    private readonly listener: Listener,
  ) {}
  unsubscribe(): void {
    this.actor._off(this.listener);
  }
}

/** `list` without `item` (a new array of its exact length; `list` itself when `item` is not in it). */
function without<T>(list: readonly T[], item: T): readonly T[] {
  const i = list.indexOf(item);
  if (i < 0) return list;
  const out = new Array<T>(list.length - 1);
  for (let j = 0, k = 0; j < list.length; j++) if (j !== i) out[k++] = list[j] as T;
  return out;
}

/** `list` and then `item` (a new array of its exact length). */
function and<T>(list: readonly T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  const out = new Array<T>(list.length + 1);
  for (let j = 0; j < list.length; j++) out[j] = list[j] as T;
  out[list.length] = item;
  return out;
}

interface MailboxNode {
  value: LabEvent | undefined;
  next: MailboxNode | null;
}

/**
 * Mailbox nodes that were processed, for the next enqueue of any actor (a storm enqueues one per machine event; a node
 * is referenced by its actor's mailbox only, and only until `flush` has processed it). Emptied: a spare holds no
 * event. A stack, shared by every actor (nested flushes of other actors take and return their own).
 */
const spareNodes: MailboxNode[] = [];
const MAX_SPARE_NODES = 64;

/**
 * xstate throws an unhandled error in a fresh macrotask, outside the stack that hit it; the lab may not touch the
 * host's timers, so a microtask does it (also after the synchronous run that hit it, also outside its stack).
 */
function reportUnhandledError(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}

/** The deferral of a deferral (`LabActor.deferCall` before the start): its own function, so no closure otherwise. */
function deferLater(actor: LabActor, call: DeferredCall, a: unknown, b: unknown): void {
  actor._defer(() => actor._deferCall(call, a, b));
}

/** `fn(a, b)` deferred (`_run` before the start): its own function, so `_run` allocates no context. */
function deferRun(actor: LabActor, fn: (a: unknown, b: unknown) => void, a: unknown, b: unknown): void {
  actor._defer(() => fn(a, b));
}

/** xstate's scope of closures, for logic that may detach its functions. */
function closureScope(actor: LabActor): LabActorScope {
  return {
    self: actor,
    id: actor.id,
    sessionId: actor.sessionId,
    logger: actor.system._logger,
    system: actor.system,
    defer: (fn) => actor._defer(fn),
    emit: (event) => actor._emit(event),
    stopChild: (child) => actor._stopChild(child),
    actionExecutor: (action) => actor._execute(action),
  };
}

const symbolObservable: symbol | string = (Symbol as { readonly observable?: symbol }).observable ?? '@@observable';

/**
 * What few actors have, out of the actor object (a storm keeps tens of thousands of actors, most of them roots with
 * none of it): made by the constructor when one of them is given, so an actor without them pays one field.
 */
class ActorRare {
  /** xstate's scope of closures (logic other than the fast interpreter's; the fast one's scope is the actor). */
  scope: LabActorScope | undefined = undefined;
  parent: LabActor | undefined = undefined;
  syncSnapshot: boolean | undefined = undefined;
  systemId: string | undefined = undefined;
  /** The `src` given (undefined: the logic). */
  src: unknown = undefined;
  doneEvent: LabEvent | undefined = undefined;
}

/** Where the deferred effects beyond the first keep their read and write positions (`LabActor.deferredRest`). */
const HEAD = 0;
const TAIL = 1;
const FIRST_TRIPLE = 2;

export class LabActor implements LabActorScope {
  /** The current internal state. */
  _snapshot: LabSnapshot;
  /** The sessionId's number until the sessionId is first read, then the sessionId (most are never read). */
  private session: number | string;
  /** The id given (undefined: the sessionId). A field, not in `rare`: roots given an id need nothing else there. */
  private givenId: string | undefined;
  readonly system: LabActorSystem;
  private rare: ActorRare | undefined = undefined;
  _processingStatus: number = NOT_STARTED;
  /**
   * The observers in subscription order (xstate's `Set`): none, one, or an array. Notifying walks this very array by
   * index, so an observer subscribed meanwhile is notified in the same round (a `Set` iterator reaches entries added
   * during the walk): while a walk runs (`notifying` > 0) a lone observer first becomes an array of it, a
   * subscription is appended in place and an unsubscribed observer's slot is emptied (a `Set` iterator skips entries
   * deleted before it reaches them); between walks both build a new array, or none for one observer.
   */
  private observers: LabObserver | (LabObserver | undefined)[] | undefined = undefined;
  private notifying = 0;
  /**
   * The `on` listeners in registration order, none, one, or an array never changed in place: an emit walks what it
   * found at its start.
   */
  private listeners: Listener | readonly Listener[] | undefined = undefined;
  /**
   * The deferred effects (xstate's `_deferred` list), in order, as calls `fn(this, a, b)`: the first in three fields,
   * the others as flat triples in an array taken from `spareTriples` when a second one waits, read from its slot
   * `HEAD` to its slot `TAIL` and handed back empty when drained (most macrosteps defer none or one: no array, no
   * closure per effect).
   */
  private deferredFn: DeferredCall | undefined = undefined;
  private deferredA: unknown = undefined;
  private deferredB: unknown = undefined;
  private deferredRest: unknown[] | undefined = undefined;
  // The mailbox (xstate's `Mailbox`): the event being processed, the last queued, whether it runs.
  private mbCurrent: MailboxNode | null = null;
  private mbLast: MailboxNode | null = null;
  private mbActive = false;

  constructor(
    readonly logic: LabActorLogic,
    options?: LabActorOptions,
  ) {
    if (options?.inspect !== undefined) throw new Error('lab actor: the inspect option is not supported');
    if (options?.devTools) throw new Error('lab actor: the devTools option is not supported');
    const parent = options?.parent;
    if (parent !== undefined && !(parent instanceof LabActor))
      throw new Error('lab actor: a parent must be a lab actor');
    this.system =
      parent !== undefined
        ? parent.system
        : new LabSystem(options?.clock ?? xstateDefaultClock(), options?.logger ?? xstateDefaultLogger());
    this.session = this.system._bookNumber();
    this.givenId = options?.id;
    const systemId = options?.systemId;
    if (options !== undefined) {
      const src = options.src ?? undefined;
      if (
        parent !== undefined ||
        options.syncSnapshot !== undefined ||
        systemId !== undefined ||
        (src !== undefined && src !== logic)
      ) {
        const rare = new ActorRare();
        rare.parent = parent;
        rare.syncSnapshot = options.syncSnapshot;
        rare.systemId = systemId;
        if (src !== logic) rare.src = src;
        this.rare = rare;
      }
    }
    if (logic.fastRuntime !== true) (this.rare ??= new ActorRare()).scope = closureScope(this);
    if (systemId) this.system._set(systemId, this);
    this._snapshot = this.initialSnapshot(options?.snapshot ?? options?.state, options?.input);
    if (systemId && this._snapshot.status !== 'active') this.system._unregister(this);
  }

  get sessionId(): string {
    let s = this.session;
    if (typeof s === 'number') {
      s = `x:${s}`;
      this.session = s;
    }
    return s;
  }

  get id(): string {
    return this.givenId ?? this.sessionId;
  }

  get _parent(): LabActor | undefined {
    return this.rare?.parent;
  }

  get _syncSnapshot(): boolean | undefined {
    return this.rare?.syncSnapshot;
  }

  get systemId(): string | undefined {
    return this.rare?.systemId;
  }

  get src(): unknown {
    return this.rare?.src ?? this.logic;
  }

  get _doneEvent(): LabEvent | undefined {
    return this.rare?.doneEvent;
  }

  /** xstate's actor scope: the fast interpreter's is the actor itself (its scope methods below), any other closures. */
  get _actorScope(): LabActorScope {
    return this.rare?.scope ?? this;
  }

  private initialSnapshot(persisted: unknown, input: unknown): LabSnapshot {
    try {
      const logic = this.logic;
      if (persisted)
        return (logic.restoreSnapshot ? logic.restoreSnapshot(persisted, this._actorScope) : persisted) as LabSnapshot;
      return logic.getInitialSnapshot(this._actorScope, input) as LabSnapshot;
    } catch (err) {
      return { status: 'error', output: undefined, error: err };
    }
  }

  get ref(): this {
    return this;
  }

  get clock(): LabClock {
    return this.system._clock;
  }

  get logger(): LabLogger {
    return this.system._logger;
  }

  /** Sets the snapshot, runs the deferred effects, notifies observers (xstate's `Actor.update`). */
  private update(snapshot: LabSnapshot): void {
    this._snapshot = snapshot;
    // Re-read the list each round: an effect may defer more (run in this loop, in order).
    for (;;) {
      let fn = this.deferredFn;
      let a: unknown;
      let b: unknown;
      if (fn !== undefined) {
        a = this.deferredA;
        b = this.deferredB;
        this.deferredFn = undefined;
        this.deferredA = undefined;
        this.deferredB = undefined;
      } else {
        const rest = this.deferredRest;
        if (rest === undefined) break;
        const i = rest[HEAD] as number;
        fn = rest[i] as DeferredCall;
        a = rest[i + 1];
        b = rest[i + 2];
        rest[i] = rest[i + 1] = rest[i + 2] = undefined;
        if (i + 3 >= (rest[TAIL] as number)) {
          this.deferredRest = undefined;
          if (spareTriples.length < MAX_SPARE_TRIPLES) spareTriples.push(rest);
        } else rest[HEAD] = i + 3;
      }
      try {
        fn(this, a, b);
      } catch (err) {
        // Only initial actions deferred before the start can throw here (xstate's comment); the rest is dropped.
        this.deferredFn = undefined;
        this.deferredA = undefined;
        this.deferredB = undefined;
        this.dropDeferred();
        this._snapshot = { ...snapshot, status: 'error', error: err };
      }
    }
    switch (this._snapshot.status) {
      case 'active':
        this.notify(snapshot);
        break;
      case 'done': {
        // Observers see the done snapshot as a value, then complete.
        this.notify(snapshot);
        this._stopProcedure();
        this._complete();
        const id = this.id;
        const doneEvent: LabEvent = {
          type: `xstate.done.actor.${id}`,
          output: this._snapshot.output,
          actorId: id,
        };
        (this.rare ??= new ActorRare()).doneEvent = doneEvent;
        const parent = this._parent;
        if (parent) this.system._relay(this, parent, doneEvent);
        break;
      }
      case 'error':
        this._error(this._snapshot.error);
        break;
    }
  }

  private notify(snapshot: LabSnapshot): void {
    if (this.observers === undefined) return;
    this.walkObservers(NEXT, snapshot);
    // After the last walk, the emptied slots go (and an array of one becomes its observer).
    if (this.notifying > 0) return;
    const observers = this.observers;
    if (!Array.isArray(observers)) return;
    if (observers.length > 1 && !observers.includes(undefined)) return;
    const live = observers.filter((o) => o !== undefined);
    this.observers = live.length > 1 ? live : live[0];
  }

  /**
   * Calls every observer's `next`, `complete` or `error` handler (`which`), with `value` for `next` and `error`, in
   * subscription order, reporting what a handler throws; true when an observer has no such handler. The walk goes by
   * index over the observers' array itself: see `observers` for what a (un)subscription meanwhile does.
   */
  private walkObservers(which: Which, value: unknown): boolean {
    const current = this.observers;
    if (current === undefined) return false;
    let missing = false;
    this.notifying++;
    try {
      let list: readonly (LabObserver | undefined)[];
      let from = 0;
      if (!Array.isArray(current)) {
        missing = callObserver(current as LabObserver, which, value);
        // A (un)subscription during the call made the lone observer the array's first slot: walk on from the next.
        const now = this.observers;
        if (now === current || !Array.isArray(now)) return missing;
        list = now;
        from = 1;
      } else list = current;
      for (let i = from; i < list.length; i++) {
        const o = list[i];
        if (o !== undefined && callObserver(o, which, value)) missing = true;
      }
    } finally {
      this.notifying--;
    }
    return missing;
  }

  _unsubscribe(observer: LabObserver): void {
    const observers = this.observers;
    if (observers === undefined) return;
    if (!Array.isArray(observers)) {
      // A walk may be at it: its slot is emptied (see `observers`).
      if (observers === observer) this.observers = this.notifying > 0 ? [undefined] : undefined;
      return;
    }
    const i = observers.indexOf(observer);
    if (i < 0) return;
    if (this.notifying > 0) observers[i] = undefined;
    else {
      const rest = without(observers, observer);
      this.observers = rest.length > 1 ? (rest as (LabObserver | undefined)[]) : rest[0];
    }
  }

  _off(listener: Listener): void {
    const list = this.listeners;
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      if (list === listener) this.listeners = undefined;
      return;
    }
    const rest = without(list as readonly Listener[], listener);
    this.listeners = rest.length > 1 ? rest : rest[0];
  }

  subscribe(
    nextOrObserver?: Handler | ObserverLike,
    errorListener?: Handler,
    completeListener?: () => void,
  ): { unsubscribe(): void } {
    const observer = toObserver(nextOrObserver, errorListener, completeListener);
    if (this._processingStatus !== STOPPED) {
      const observers = this.observers;
      if (observers === undefined) this.observers = observer;
      else if (!Array.isArray(observers)) this.observers = [observers as LabObserver, observer];
      else if (this.notifying > 0) observers.push(observer);
      else this.observers = and(observers, observer);
    } else if (this._snapshot.status === 'done') {
      try {
        observer.complete?.call(observer.target);
      } catch (err) {
        reportUnhandledError(err);
      }
    } else if (this._snapshot.status === 'error') {
      const err = this._snapshot.error;
      if (!observer.error) reportUnhandledError(err);
      else
        try {
          observer.error.call(observer.target, err);
        } catch (err2) {
          reportUnhandledError(err2);
        }
    }
    return new ObserverSubscription(this, observer);
  }

  on(type: string, handler: (event: LabEvent) => void): { unsubscribe(): void } {
    const listener: Listener = { type, fn: handler };
    const list = this.listeners;
    if (list === undefined) this.listeners = listener;
    else if (!Array.isArray(list)) this.listeners = [list as Listener, listener];
    else this.listeners = and(list as readonly Listener[], listener);
    return new ListenerSubscription(this, listener);
  }

  select<T>(
    selector: (snapshot: unknown) => T,
    equalityFn: (a: T, b: T) => boolean = Object.is,
  ): { subscribe(observer: Handler | ObserverLike): { unsubscribe(): void }; get(): T } {
    return {
      subscribe: (observerOrFn) => {
        const observer = toObserver(observerOrFn, undefined, undefined);
        let previous = selector(this.getSnapshot());
        return this.subscribe((snapshot) => {
          const selected = selector(snapshot);
          if (!equalityFn(previous, selected)) {
            previous = selected;
            observer.next?.call(observer.target, selected);
          }
        });
      },
      get: () => selector(this.getSnapshot()),
    };
  }

  /** Starts the actor from its initial state (xstate's `Actor.start`). */
  start(): this {
    if (this._processingStatus === RUNNING) return this;
    if (this._syncSnapshot)
      this.subscribe({
        next: (snapshot: unknown) => {
          if ((snapshot as LabSnapshot).status === 'active')
            this.system._relay(this, this._parent as LabActor, { type: `xstate.snapshot.${this.id}`, snapshot });
        },
        error: () => {},
      });
    // xstate registers the actor by sessionId here (`system._register`), a record it never reads: nothing to do.
    const systemId = this.systemId;
    if (systemId) this.system._set(systemId, this);
    this._processingStatus = RUNNING;
    switch (this._snapshot.status) {
      case 'done':
        // A machine may be done upon initialisation: observers, deferred effects and completion still run.
        this.update(this._snapshot);
        return this;
      case 'error':
        this._error(this._snapshot.error);
        return this;
    }
    if (!this._parent) this.system.start();
    if (this.logic.start) {
      try {
        this.logic.start(this._snapshot, this._actorScope);
      } catch (err) {
        this._snapshot = { ...this._snapshot, status: 'error', error: err };
        this._error(err);
        return this;
      }
    }
    this.update(this._snapshot);
    this.mbActive = true;
    this.flush();
    return this;
  }

  private enqueue(event: LabEvent): void {
    let node = spareNodes.pop();
    if (node === undefined) node = { value: event, next: null };
    else node.value = event;
    if (this.mbCurrent !== null) {
      (this.mbLast as MailboxNode).next = node;
      this.mbLast = node;
      return;
    }
    this.mbCurrent = node;
    this.mbLast = node;
    if (this.mbActive) this.flush();
  }

  private flush(): void {
    while (this.mbCurrent !== null) {
      const consumed = this.mbCurrent;
      this.process(consumed.value as LabEvent);
      const next = consumed.next;
      this.mbCurrent = next;
      // Nothing refers to it now: the mailbox moved past it (or a stop emptied the mailbox and cut it off), and
      // `mbLast`, when it is this node (nothing behind it), is cleared below before anything else runs.
      consumed.value = undefined;
      consumed.next = null;
      if (spareNodes.length < MAX_SPARE_NODES) spareNodes.push(consumed);
    }
    this.mbLast = null;
  }

  /** xstate's `Mailbox.clear`: what waits behind the event being processed is dropped. */
  private clearMailbox(): void {
    if (this.mbCurrent !== null) {
      this.mbCurrent.next = null;
      this.mbLast = this.mbCurrent;
    }
  }

  private process(event: LabEvent): void {
    let next: LabSnapshot;
    try {
      next = this.logic.transition(this._snapshot, event, this._actorScope) as LabSnapshot;
    } catch (err) {
      this._snapshot = { ...this._snapshot, status: 'error', error: err };
      this._error(err);
      return;
    }
    this.update(next);
    if (event.type === 'xstate.stop') {
      this._stopProcedure();
      this._complete();
    }
  }

  _stop(): this {
    if (this._processingStatus === STOPPED) return this;
    this.clearMailbox();
    if (this._processingStatus === NOT_STARTED) {
      this._processingStatus = STOPPED;
      return this;
    }
    this.enqueue({ type: 'xstate.stop' });
    return this;
  }

  /** Stops the actor and unsubscribes its observers (root actors only, as in xstate). */
  stop(): this {
    if (this._parent) throw new Error('A non-root actor cannot be stopped directly.');
    return this._stop();
  }

  private _complete(): void {
    // xstate walks its set, then clears it (observers subscribed by a `complete` are walked, then dropped too).
    if (this.observers !== undefined) {
      this.walkObservers(COMPLETE, undefined);
      this.observers = undefined;
    }
    this.listeners = undefined;
  }

  private reportError(err: unknown): void {
    const observers = this.observers;
    if (observers === undefined || (Array.isArray(observers) && !observers.some((o) => o !== undefined))) {
      if (!this._parent) reportUnhandledError(err);
      this.listeners = undefined;
      return;
    }
    const report = this.walkObservers(ERROR, err);
    this.observers = undefined;
    this.listeners = undefined;
    if (report) reportUnhandledError(err);
  }

  private _error(err: unknown): void {
    this._stopProcedure();
    this.reportError(err);
    const parent = this._parent;
    if (parent) {
      const id = this.id;
      this.system._relay(this, parent, { type: `xstate.error.actor.${id}`, error: err, actorId: id });
    }
  }

  private _stopProcedure(): void {
    if (this._processingStatus !== RUNNING) return;
    this.system.scheduler.cancelAll(this);
    // xstate clears the mailbox and replaces it with a new one, not started: events queued later wait for a start.
    this.clearMailbox();
    this.mbCurrent = null;
    this.mbLast = null;
    this.mbActive = false;
    this._processingStatus = STOPPED;
    this.system._unregister(this);
  }

  _send(event: LabEvent): void {
    if (this._processingStatus === STOPPED) return;
    this.enqueue(event);
  }

  /** Sends an event to the actor (through the system's relay, as xstate does). */
  send(event: LabEvent): void {
    this.system._relay(undefined, this, event);
  }

  toJSON(): { xstate$$type: number; id: string } {
    return { xstate$$type: 1, id: this.id };
  }

  getPersistedSnapshot(options?: unknown): unknown {
    const persist = this.logic.getPersistedSnapshot;
    if (persist === undefined) throw new Error(`lab actor ${this.id}: its logic has no getPersistedSnapshot`);
    return persist.call(this.logic, this._snapshot, options);
  }

  [symbolObservable](): this {
    return this;
  }

  getSnapshot(): LabSnapshot {
    return this._snapshot;
  }

  // The fast interpreter's scope is the actor (no scope object per actor): xstate's scope members, and `run` and
  // `deferCall`. The interpreter and xstate's built-in actions call them as methods.

  get self(): this {
    return this;
  }

  defer(fn: () => void): void {
    this._defer(fn);
  }

  emit(event: LabEvent): void {
    this._emit(event);
  }

  stopChild(child: ChildRef): void {
    this._stopChild(child);
  }

  actionExecutor(action: LabExecutableAction): void {
    this._execute(action);
  }

  /** `actionExecutor` for `fn(a, b)` without the action object (the fast interpreter's actions). */
  run(fn: (a: never, b: never) => void, a: unknown, b: unknown): void {
    this._run(fn as (a: unknown, b: unknown) => void, a, b);
  }

  /**
   * What `run` of a built-in's execute that defers `call(actor, a, b)` does (xstate's executeRaise, executeCancel,
   * executeEmit, executeSendTo): while the actor runs the effect is deferred at once; before it starts, the execute
   * itself is deferred and defers the effect when it runs (so the effect waits behind everything deferred before).
   */
  deferCall(call: DeferredCall, a: unknown, b: unknown): void {
    if (this._processingStatus === RUNNING) this._deferCall(call, a, b);
    else deferLater(this, call, a, b);
  }

  // The scope's methods (xstate's scope closures), called by the scope members above and closureScope.

  _defer(fn: () => void): void {
    this._deferCall(runThunk, fn, undefined);
  }

  /** Drops the deferred effects that wait (the rest's array goes back empty). */
  private dropDeferred(): void {
    const rest = this.deferredRest;
    if (rest === undefined) return;
    rest.fill(undefined, rest[HEAD] as number, rest[TAIL] as number);
    if (spareTriples.length < MAX_SPARE_TRIPLES) spareTriples.push(rest);
    this.deferredRest = undefined;
  }

  /** Defers the effect `fn(this, a, b)`, in order with every other deferred effect. */
  _deferCall(fn: DeferredCall, a: unknown, b: unknown): void {
    // Nothing waits: this one is first. Else it waits behind the others (the first may be running now).
    if (this.deferredFn === undefined && this.deferredRest === undefined) {
      this.deferredFn = fn;
      this.deferredA = a;
      this.deferredB = b;
    } else {
      let rest = this.deferredRest;
      if (rest === undefined) {
        rest = spareTriples.pop() ?? [];
        rest[HEAD] = FIRST_TRIPLE;
        rest[TAIL] = FIRST_TRIPLE;
        this.deferredRest = rest;
      }
      const t = rest[TAIL] as number;
      rest[t] = fn;
      rest[t + 1] = a;
      rest[t + 2] = b;
      rest[TAIL] = t + 3;
    }
  }

  /** Runs an action now while the actor runs; before it starts, after the first snapshot is set. */
  _execute(action: LabExecutableAction): void {
    const exec = action.exec as ((info: unknown, params: unknown) => void) | undefined;
    if (this._processingStatus === RUNNING) {
      if (exec) exec(action.info, action.params);
      return;
    }
    // The action's exec as it is when the effect runs (xstate reads it then).
    this._deferCall(runAction, action, undefined);
  }

  /** `fn(a, b)` now while the actor runs; before it starts, after the first snapshot is set (as `_execute`). */
  _run(fn: (a: unknown, b: unknown) => void, a: unknown, b: unknown): void {
    if (this._processingStatus === RUNNING) fn(a, b);
    else deferRun(this, fn, a, b);
  }

  _stopChild(child: ChildRef): void {
    if (child._parent !== this)
      throw new Error(`Cannot stop child actor ${child.id} of ${this.id} because it is not a child`);
    child._stop();
  }

  _emit(event: LabEvent): void {
    const list = this.listeners;
    if (list === undefined) return;
    const type = event.type;
    if (!Array.isArray(list)) {
      // An event of type '*' reaches a wildcard listener twice, as in xstate (its type's set is the wildcard set).
      const l = list as Listener;
      if (l.type === type) callListener(l.fn, event);
      if (l.type === '*') callListener(l.fn, event);
      return;
    }
    // The listeners of the type then the wildcard ones, as registered now: a handler that adds or removes some
    // replaces `this.listeners`, not `list`.
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as Listener;
      if (l.type === type) callListener(l.fn, event);
    }
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as Listener;
      if (l.type === '*') callListener(l.fn, event);
    }
  }
}

/** Calls `o`'s handler `which` (with `value` for next and error), reporting what it throws; true when it has none. */
function callObserver(o: LabObserver, which: Which, value: unknown): boolean {
  try {
    if (which === COMPLETE) {
      if (o.complete === undefined) return true;
      o.complete.call(o.target);
    } else {
      const handler = which === NEXT ? o.next : o.error;
      if (handler === undefined) return true;
      handler.call(o.target, value);
    }
  } catch (err) {
    reportUnhandledError(err);
  }
  return false;
}

function runAction(_actor: LabActor, action: unknown): void {
  const a = action as LabExecutableAction;
  const exec = a.exec as ((info: unknown, params: unknown) => void) | undefined;
  if (exec) exec(a.info, a.params);
}

function callListener(fn: (event: LabEvent) => void, event: LabEvent): void {
  try {
    fn(event);
  } catch (err) {
    reportUnhandledError(err);
  }
}

/** A lab actor for `logic` (the factory the fast runtime creates every actor with, root or child). */
export function createLabLogicActor(logic: LabActorLogic, options?: LabActorOptions): LabActor {
  return new LabActor(logic, options);
}
