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
 * inlined in three fields; observers, listeners and the deferred list created on first use; methods on the prototype
 * instead of bound functions and closures per actor. For the fast interpreter's logic the actor scope is a one-field
 * object whose methods reach the actor (the interpreter and xstate's built-in actions call them as methods); any
 * other logic gets a scope of closures as xstate builds it (xstate's callback logic destructures `emit`).
 *
 * Differences, none observable by the lab: `send` is a method, not bound per actor (nothing detaches it);
 * inspection and devTools are refused; `options` is not kept (only `input`, for the init event); `clock` and
 * `logger` are the system's (a spawned child gets no clock of its own in xstate either).
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
    this.actor._observers?.delete(this.observer);
  }
}

interface Listener {
  readonly type: string;
  readonly fn: (event: LabEvent) => void;
}

class ListenerSubscription {
  constructor(
    private readonly list: Listener[],
    private readonly listener: Listener,
  ) {}
  unsubscribe(): void {
    const i = this.list.indexOf(this.listener);
    if (i >= 0) this.list.splice(i, 1);
  }
}

interface MailboxNode {
  readonly value: LabEvent;
  next: MailboxNode | null;
}

/**
 * xstate throws an unhandled error in a fresh macrotask, outside the stack that hit it; the lab may not touch the
 * host's timers, so a microtask does it (also after the synchronous run that hit it, also outside its stack).
 */
function reportUnhandledError(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}

/**
 * The fast interpreter's scope: the actor and its system (read by every action, so kept rather than reached through
 * the actor), its methods reach the actor.
 */
class LabScope implements LabActorScope {
  readonly system: LabActorSystem;
  constructor(readonly self: LabActor) {
    this.system = self.system;
  }
  get id(): string {
    return this.self.id;
  }
  get sessionId(): string {
    return this.self.sessionId;
  }
  get logger(): LabLogger {
    return this.self.system._logger;
  }
  defer(fn: () => void): void {
    this.self._defer(fn);
  }
  emit(event: LabEvent): void {
    this.self._emit(event);
  }
  stopChild(child: ChildRef): void {
    this.self._stopChild(child);
  }
  actionExecutor(action: LabExecutableAction): void {
    this.self._execute(action);
  }
  /** `actionExecutor` for `fn(a, b)` without the action object (the fast interpreter's actions). */
  run(fn: (a: never, b: never) => void, a: unknown, b: unknown): void {
    this.self._run(fn as (a: unknown, b: unknown) => void, a, b);
  }
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

export class LabActor {
  /** The current internal state. */
  _snapshot: LabSnapshot;
  readonly id: string;
  readonly sessionId: string;
  readonly system: LabActorSystem;
  readonly _parent: LabActor | undefined;
  readonly _syncSnapshot: boolean | undefined;
  readonly systemId: string | undefined;
  readonly src: unknown;
  _processingStatus: number = NOT_STARTED;
  _doneEvent: LabEvent | undefined = undefined;
  readonly _actorScope: LabActorScope;
  _observers: Set<LabObserver> | undefined = undefined;
  private listeners: Listener[] | undefined = undefined;
  private deferred: (() => void)[] | undefined = undefined;
  private readonly input: unknown;
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
    this.sessionId = this.system._bookId();
    this.id = options?.id ?? this.sessionId;
    this._parent = parent;
    this._syncSnapshot = options?.syncSnapshot;
    this.src = options?.src ?? logic;
    this.input = options?.input;
    this._actorScope = logic.fastRuntime === true ? new LabScope(this) : closureScope(this);
    const systemId = options?.systemId;
    this.systemId = systemId;
    if (systemId) this.system._set(systemId, this);
    this._snapshot = this.initialSnapshot(options?.snapshot ?? options?.state);
    if (systemId && this._snapshot.status !== 'active') this.system._unregister(this);
  }

  private initialSnapshot(persisted: unknown): LabSnapshot {
    try {
      const logic = this.logic;
      if (persisted)
        return (logic.restoreSnapshot ? logic.restoreSnapshot(persisted, this._actorScope) : persisted) as LabSnapshot;
      return logic.getInitialSnapshot(this._actorScope, this.input) as LabSnapshot;
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
      const d = this.deferred;
      if (d === undefined) break;
      const fn = d.shift();
      if (fn === undefined) {
        this.deferred = undefined;
        break;
      }
      try {
        fn();
      } catch (err) {
        // Only initial actions deferred before the start can throw here (xstate's comment); the rest is dropped.
        d.length = 0;
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
        const doneEvent: LabEvent = {
          type: `xstate.done.actor.${this.id}`,
          output: this._snapshot.output,
          actorId: this.id,
        };
        this._doneEvent = doneEvent;
        if (this._parent) this.system._relay(this, this._parent, doneEvent);
        break;
      }
      case 'error':
        this._error(this._snapshot.error);
        break;
    }
  }

  private notify(snapshot: LabSnapshot): void {
    const observers = this._observers;
    if (observers === undefined) return;
    for (const o of observers) {
      try {
        o.next?.call(o.target, snapshot);
      } catch (err) {
        reportUnhandledError(err);
      }
    }
  }

  subscribe(
    nextOrObserver?: Handler | ObserverLike,
    errorListener?: Handler,
    completeListener?: () => void,
  ): { unsubscribe(): void } {
    const observer = toObserver(nextOrObserver, errorListener, completeListener);
    if (this._processingStatus !== STOPPED) (this._observers ??= new Set()).add(observer);
    else if (this._snapshot.status === 'done') {
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
    const list = (this.listeners ??= []);
    const listener: Listener = { type, fn: handler };
    list.push(listener);
    return new ListenerSubscription(list, listener);
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
    this.system._register(this.sessionId, this);
    if (this.systemId) this.system._set(this.systemId, this);
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
    const node: MailboxNode = { value: event, next: null };
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
      this.process(consumed.value);
      this.mbCurrent = consumed.next;
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
    const observers = this._observers;
    if (observers !== undefined) {
      for (const o of observers) {
        try {
          o.complete?.call(o.target);
        } catch (err) {
          reportUnhandledError(err);
        }
      }
      observers.clear();
      this._observers = undefined;
    }
    this.listeners = undefined;
  }

  private reportError(err: unknown): void {
    const observers = this._observers;
    if (observers === undefined || observers.size === 0) {
      if (!this._parent) reportUnhandledError(err);
      this.listeners = undefined;
      return;
    }
    let report = false;
    for (const o of observers) {
      const onError = o.error;
      report ||= !onError;
      try {
        onError?.call(o.target, err);
      } catch (err2) {
        reportUnhandledError(err2);
      }
    }
    observers.clear();
    this._observers = undefined;
    this.listeners = undefined;
    if (report) reportUnhandledError(err);
  }

  private _error(err: unknown): void {
    this._stopProcedure();
    this.reportError(err);
    if (this._parent)
      this.system._relay(this, this._parent, { type: `xstate.error.actor.${this.id}`, error: err, actorId: this.id });
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

  // The scope's methods (xstate's scope closures), called by LabScope and closureScope.

  _defer(fn: () => void): void {
    (this.deferred ??= []).push(fn);
  }

  /** Runs an action now while the actor runs; before it starts, after the first snapshot is set. */
  _execute(action: LabExecutableAction): void {
    if (this._processingStatus === RUNNING) {
      const exec = action.exec as ((info: unknown, params: unknown) => void) | undefined;
      if (exec) exec(action.info, action.params);
      return;
    }
    this._defer(() => {
      const exec = action.exec as ((info: unknown, params: unknown) => void) | undefined;
      if (exec) exec(action.info, action.params);
    });
  }

  /** `fn(a, b)` now while the actor runs; before it starts, after the first snapshot is set (as `_execute`). */
  _run(fn: (a: unknown, b: unknown) => void, a: unknown, b: unknown): void {
    if (this._processingStatus === RUNNING) fn(a, b);
    else this._defer(() => fn(a, b));
  }

  _stopChild(child: ChildRef): void {
    if (child._parent !== this)
      throw new Error(`Cannot stop child actor ${child.id} of ${this.id} because it is not a child`);
    child._stop();
  }

  _emit(event: LabEvent): void {
    const list = this.listeners;
    if (list === undefined) return;
    // The listeners of the type then the wildcard ones, as registered now (a handler may add or remove some).
    let matched: ((event: LabEvent) => void)[] | undefined;
    for (const l of list) if (l.type === event.type) (matched ??= []).push(l.fn);
    for (const l of list) if (l.type === '*') (matched ??= []).push(l.fn);
    if (matched === undefined) return;
    for (const handler of matched) {
      try {
        handler(event);
      } catch (err) {
        reportUnhandledError(err);
      }
    }
  }
}

/** A lab actor for `logic` (the factory the fast runtime creates every actor with, root or child). */
export function createLabLogicActor(logic: LabActorLogic, options?: LabActorOptions): LabActor {
  return new LabActor(logic, options);
}
