/**
 * xstate's `enqueueActions` resolution (log-*.cjs.js `resolveEnqueueActions`) without building a fresh `enqueue`
 * function and its eight helpers per call: one shared `enqueue` pushes into the list being collected (collection is
 * synchronous, so a stack of one saved list suffices). The helpers for sendTo, sendParent, spawnChild and stopChild
 * build xstate's own action objects; those for assign, raise, emit and cancel (the ones the lab's machines enqueue on
 * every event) build an `EnqueuedBuiltin` record instead of xstate's action function.
 */
import { sendParent, sendTo, spawnChild, stopChild } from 'xstate';
import {
  EXECUTE_CANCEL,
  EXECUTE_EMIT,
  EXECUTE_RAISE,
  RESOLVE_ASSIGN,
  RESOLVE_CANCEL,
  RESOLVE_EMIT,
  RESOLVE_RAISE,
} from './builtins.ts';
import type { XActionRef, XEvent, XGuardRef, XResolve, XScope } from './xstate-shapes.ts';

/**
 * An assign, raise, emit or cancel enqueued by a callback: the properties xstate's creator sets on the action function
 * it builds (`type`, the options, `resolve`, `execute`), which are all the interpreter and xstate's `resolve` and
 * `execute` read, as one record (one shape for the four). It is resolved exactly as the xstate action would be.
 */
export class EnqueuedBuiltin {
  constructor(
    readonly type: string,
    readonly resolve: XResolve,
    readonly execute: ((scope: XScope, params: unknown) => void) | undefined,
    readonly assignment: unknown,
    readonly event: unknown,
    readonly id: unknown,
    readonly delay: unknown,
    readonly sendId: unknown,
  ) {}
}

interface RaiseOptions {
  readonly id?: unknown;
  readonly delay?: unknown;
}

let collecting: unknown[] = [];

// The helpers forward their arguments to xstate's creators untouched; their parameter types are the creators' own.
type Creator = (...args: never[]) => unknown;
const into =
  (create: Creator) =>
  (...args: unknown[]): void => {
    collecting.push((create as (...a: unknown[]) => unknown)(...args));
  };

const enqueue = Object.assign(
  (action: unknown): void => {
    collecting.push(action);
  },
  {
    assign: (assignment: unknown): void => {
      collecting.push(
        new EnqueuedBuiltin(
          'xstate.assign',
          RESOLVE_ASSIGN,
          undefined,
          assignment,
          undefined,
          undefined,
          undefined,
          undefined,
        ),
      );
    },
    cancel: (sendId: unknown): void => {
      collecting.push(
        new EnqueuedBuiltin(
          'xstate.cancel',
          RESOLVE_CANCEL,
          EXECUTE_CANCEL,
          undefined,
          undefined,
          undefined,
          undefined,
          sendId,
        ),
      );
    },
    raise: (event: unknown, options?: RaiseOptions): void => {
      collecting.push(
        new EnqueuedBuiltin(
          'xstate.raise',
          RESOLVE_RAISE,
          EXECUTE_RAISE,
          undefined,
          event,
          options?.id,
          options?.delay,
          undefined,
        ),
      );
    },
    sendTo: into(sendTo),
    sendParent: into(sendParent),
    spawnChild: into(spawnChild),
    stopChild: into(stopChild),
    emit: (event: unknown): void => {
      collecting.push(
        new EnqueuedBuiltin(
          'xstate.emit',
          RESOLVE_EMIT,
          EXECUTE_EMIT,
          undefined,
          event,
          undefined,
          undefined,
          undefined,
        ),
      );
    },
  },
);

export interface EnqueueArgs {
  readonly context: unknown;
  readonly event: XEvent;
  readonly self: unknown;
  readonly system: unknown;
  readonly check: (guard: XGuardRef) => boolean;
}

/** Runs `collect` and returns the actions it enqueued, in order. */
export function collectEnqueued(collect: unknown, args: EnqueueArgs, params: unknown): readonly XActionRef[] {
  const actions: unknown[] = [];
  const saved = collecting;
  collecting = actions;
  try {
    (collect as (a: unknown, p: unknown) => void)(
      {
        context: args.context,
        event: args.event,
        enqueue,
        check: args.check,
        self: args.self,
        system: args.system,
      },
      params,
    );
  } finally {
    collecting = saved;
  }
  return actions as XActionRef[];
}
