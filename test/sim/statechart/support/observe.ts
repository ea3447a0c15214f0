/**
 * Per-actor observation for differential tests: every snapshot an actor publishes (state value, status, context,
 * output, error, children ids), every event it emits, and every call it makes on its clock (delay, cancel), in one
 * ordered log per actor. Contexts are compared modulo actor references (an actor becomes `{ actor: id }`) and
 * functions (`'fn'`); cycles are cut.
 */
import type { AnyActorRef } from 'xstate';

export type Entry = readonly unknown[];

function isActorRef(v: object): v is AnyActorRef {
  return 'sessionId' in v && 'send' in v && 'getSnapshot' in v;
}

/** xstate's generated ids (`x:<n>`) count across the process: two runs compare them as `x`. */
export function normalizeId(id: string): string {
  return /^x:\d+$/.test(id) ? 'x' : id;
}

/** An object of a class (not a plain object, array, map, set or bytes): a port, a store, a node. */
function isInstance(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto !== Object.prototype && proto !== null && !Array.isArray(value);
}

/**
 * A comparable copy of `value`: actor refs by id, functions as 'fn', cycles cut, depth bounded. An object of a class is
 * copied one level (its own fields); a class object inside it is named, not walked: contexts hold ports to their node,
 * and walking a port would walk the whole simulation.
 */
export function sanitize(value: unknown, seen: Set<object> = new Set(), depth = 0, inInstance = false): unknown {
  if (typeof value === 'function') return 'fn';
  if (value === null || typeof value !== 'object') return value;
  if (isActorRef(value)) return { actor: normalizeId(value.id) };
  if (seen.has(value) || depth > 12) return '[seen]';
  const instance = !(value instanceof Map || value instanceof Set || value instanceof Uint8Array) && isInstance(value);
  if (instance && inInstance) return { instance: (value as { constructor?: { name?: string } }).constructor?.name };
  const nested = inInstance || instance;
  seen.add(value);
  try {
    if (value instanceof Uint8Array) return Array.from(value);
    if (Array.isArray(value)) return value.map((v) => sanitize(v, seen, depth + 1, nested));
    if (value instanceof Map)
      return {
        map: [...value].map(([k, v]) => [sanitize(k, seen, depth + 1, nested), sanitize(v, seen, depth + 1, nested)]),
      };
    if (value instanceof Set) return { set: [...value].map((v) => sanitize(v, seen, depth + 1, nested)) };
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value))
      out[k] = sanitize((value as Record<string, unknown>)[k], seen, depth + 1, nested);
    return out;
  } finally {
    seen.delete(value);
  }
}

interface ClockLike {
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The log of one actor, filled by `observe`. */
export interface ActorLog {
  readonly id: string;
  readonly entries: Entry[];
}

/** A clock that logs each call into `log` and numbers timers per actor (ids differ between runs). */
export function loggingClock(clock: ClockLike, entries: Entry[]): ClockLike {
  const ids = new Map<unknown, number>();
  let n = 0;
  return {
    setTimeout(fn, ms) {
      const id = clock.setTimeout(fn, ms);
      n += 1;
      ids.set(id, n);
      entries.push(['setTimeout', n, ms]);
      return id;
    },
    clearTimeout(id) {
      entries.push(['clearTimeout', ids.get(id) ?? 'unknown']);
      clock.clearTimeout(id);
    },
  };
}

interface SnapshotLike {
  readonly status?: unknown;
  readonly value?: unknown;
  readonly context?: unknown;
  readonly output?: unknown;
  readonly error?: unknown;
  readonly children?: Record<string, unknown>;
}

export function snapshotEntry(s: SnapshotLike, withContext: boolean): Entry {
  return [
    'snapshot',
    s.status,
    sanitize(s.value),
    withContext ? sanitize(s.context) : null,
    sanitize(s.output),
    s.error instanceof Error ? s.error.message : sanitize(s.error),
    s.children === undefined ? null : Object.keys(s.children).map(normalizeId),
  ];
}

/** Records `actor`'s snapshots and emitted events into `entries`. */
export function observe(actor: AnyActorRef, entries: Entry[], withContext: boolean): void {
  actor.subscribe({
    next: (s: SnapshotLike) => entries.push(snapshotEntry(s, withContext)),
    error: (err: unknown) => entries.push(['error', err instanceof Error ? err.message : String(err)]),
    complete: () => entries.push(['complete']),
  });
  actor.on('*', (e: unknown) => entries.push(['emitted', sanitize(e)]));
}
