/** The one xstate action that applies a handler's Step (see steps.ts). */
import { enqueueActions, type AnyEventObject, type EventObject } from 'xstate';
import type { Step } from './steps.ts';

export interface EnqueueLike<C> {
  assign(update: Partial<C>): void;
  emit(e: EventObject): void;
  cancel(id: string): void;
  raise(e: AnyEventObject, options?: { id: string; delay: number }): void;
}

export function applyStep<C>(enqueue: EnqueueLike<C>, step: Step<C>): void {
  if (step.ctx !== undefined) enqueue.assign(step.ctx);
  for (const id of step.cancel ?? []) enqueue.cancel(id);
  for (const t of step.timers ?? []) enqueue.raise({ ...t.data, type: t.event }, { id: t.id, delay: t.delayMs });
  for (const e of step.emits ?? []) enqueue.emit(e);
  if (step.go !== undefined) enqueue.raise({ type: `go.${step.go}` });
}

export { enqueueActions };
