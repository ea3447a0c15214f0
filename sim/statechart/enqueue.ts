/**
 * xstate's `enqueueActions` resolution (log-*.cjs.js `resolveEnqueueActions`) without building a fresh `enqueue`
 * function and its eight helpers per call: one shared `enqueue` pushes into the list being collected (collection is
 * synchronous, so a stack of one saved list suffices). The helpers build the same xstate action objects.
 */
import { assign, cancel, emit, raise, sendParent, sendTo, spawnChild, stopChild } from 'xstate';
import type { XActionRef, XEvent, XGuardRef } from './xstate-shapes.ts';

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
    assign: into(assign),
    cancel: into(cancel),
    raise: into(raise),
    sendTo: into(sendTo),
    sendParent: into(sendParent),
    spawnChild: into(spawnChild),
    stopChild: into(stopChild),
    emit: into(emit),
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
