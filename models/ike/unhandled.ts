/**
 * The fallback of both IKE machines: an event no state handles is not dropped silently but traced as
 * `machine.unhandled {machine, state, event}`, so a checker can flag events where RFC 7296 expects the node to act.
 * It is the root's wildcard transition (`'*'`): xstate tries the active state and its ancestors first, exact event
 * names before wildcards, so it only fires when nothing else did. Benign drops get explicit handlers instead.
 */
import { note, type IkeEmitted } from './emitted.ts';

/** `established.window.ready` for `{ established: { window: 'ready', … } }` (a parallel state: its first region). */
export function stateLabel(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const [k, v] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', ''];
    const inner = stateLabel(v);
    return inner === '' ? k : `${k}.${inner}`;
  }
  return '';
}

export function unhandledNote(machine: string, stateValue: unknown, eventType: string): IkeEmitted {
  return note('machine.unhandled', { machine, state: stateLabel(stateValue), event: eventType });
}
