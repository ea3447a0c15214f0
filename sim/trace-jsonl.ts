/**
 * Canonical JSON Lines for trace events. Key order is fixed: the keys of `KEY_ORDER` first in that order, then any
 * other key in code-unit order; nested objects (`data`, `args`) have their keys sorted. Absent (undefined) keys are
 * omitted. Numbers in events are integers, whose JSON text is the same in every engine.
 */
import type { TraceEvent } from './trace.ts';

export const KEY_ORDER: readonly string[] = [
  'atUs',
  'type',
  'node',
  'iface',
  'link',
  'dir',
  'packetId',
  'originalId',
  'sentAtUs',
  'reason',
  'direction',
  'machine',
  'from',
  'to',
  'name',
  'fault',
  'id',
  'command',
  'text',
  'field',
  'offset',
  'length',
  'reordered',
  'summary',
  'detail',
  'args',
  'data',
  'bytes',
];
const KNOWN = new Set(KEY_ORDER);

type Json = string | number | boolean | null | undefined | readonly Json[] | { readonly [key: string]: Json };

/** A nested value (`data`, `args`) or any non-string, non-number value as canonical JSON. */
export function value(v: Json): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : value(x))).join(',')}]`;
  const obj = v as { readonly [key: string]: Json };
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = obj[k];
    if (x === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${value(x)}`;
    first = false;
  }
  return out + '}';
}

const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

/** Canonical order: known keys by rank, then unknown keys by code unit. Insertion sort: events have ~10 keys. */
function canonicalKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    const rk = RANK.get(k);
    let j = i - 1;
    for (; j >= 0; j--) {
      const other = keys[j] as string;
      const ro = RANK.get(other);
      const before = rk !== undefined ? ro === undefined || rk < ro : ro === undefined && k < other;
      if (!before) break;
      keys[j + 1] = other;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/**
 * A key order already worked out for one shape of event: `keys` as `Object.keys` returned them, `order` canonical,
 * `names` each key's JSON text with its colon. Producers build events of one type with the same literal, so a type has
 * a handful of shapes (optional keys present or not) and the sort and the rank lookups run once per shape, not per
 * event.
 */
export interface Shape {
  readonly keys: readonly string[];
  readonly order: readonly string[];
  readonly names: readonly string[];
}

/** Shapes remembered per event type; an event of a new shape beyond this many is ordered without the cache. */
const SHAPES_PER_TYPE_MAX = 16;
const shapesByType = new Map<unknown, Shape[]>();

/**
 * True when `obj`'s keys are `keys`, in order. A `for…in` walk, not `Object.keys`: no array per event (an object with
 * inherited enumerable keys never matches and is ordered afresh, which gives the same line).
 */
export function hasKeys(obj: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in obj) {
    if (keys[i] !== k) return false;
    i++;
  }
  return i === keys.length;
}

/** The canonical key order of an event (cached per shape; see `Shape`). */
export function shapeOf(obj: object, type: unknown): Shape {
  let shapes = shapesByType.get(type);
  if (shapes !== undefined) for (const shape of shapes) if (hasKeys(obj, shape.keys)) return shape;
  const keys = Object.keys(obj);
  const order = canonicalKeys(obj);
  const shape: Shape = {
    keys,
    order,
    names: order.map((k) => `${KNOWN.has(k) ? `"${k}"` : JSON.stringify(k)}:`),
  };
  // Event types are a closed set of strings; a caller's odd `type` values must not grow the cache without bound.
  if (typeof type !== 'string') return shape;
  if (shapes === undefined) {
    if (shapesByType.size >= 64) return shape;
    shapes = [];
    shapesByType.set(type, shapes);
  }
  if (shapes.length < SHAPES_PER_TYPE_MAX) shapes.push(shape);
  return shape;
}

/** One event as canonical JSON, without the trailing newline. */
export function canonicalJsonLine(event: TraceEvent): string {
  const obj = event as unknown as { readonly [key: string]: Json };
  const shape = shapeOf(obj, obj['type']);
  const order = shape.order;
  const names = shape.names;
  let out = '{';
  let first = true;
  for (let i = 0; i < order.length; i++) {
    const k = order[i] as string;
    const x = obj[k];
    if (x === undefined) continue;
    // Fast paths: integers, and `bytes`, which is lowercase hex and needs no escaping.
    const text =
      typeof x === 'number'
        ? Number.isFinite(x)
          ? String(x)
          : 'null'
        : typeof x === 'string'
          ? k === 'bytes'
            ? `"${x}"`
            : JSON.stringify(x)
          : value(x);
    out += first ? (names[i] as string) + text : ',' + (names[i] as string) + text;
    first = false;
  }
  return out + '}';
}

/** The whole trace as JSON Lines: one canonical line per event, each ending in `\n`. */
export function toJsonl(events: Iterable<TraceEvent>): string {
  let out = '';
  for (const event of events) out += canonicalJsonLine(event) + '\n';
  return out;
}

/** Parses JSON Lines back into events (for tools and tests; assumes the text came from `toJsonl`). */
export function parseJsonl(text: string): TraceEvent[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as TraceEvent);
}
