/**
 * The trace digest's input written as bytes: the UTF-8 of an event's canonical JSON line (trace-jsonl.ts), built
 * straight into a byte buffer. The digest hashes these bytes, so it needs neither the line as a string (one rope of
 * small pieces per event) nor its copy into a hash's input buffer, nor a send's hex as a string: the datagram's digits
 * are written from its bytes. The bytes are exactly those of `canonicalJsonLine(event) + '\n'`
 * (test/sim/trace-line-bytes.test.ts).
 */
import { writeHex } from './trace-hash.ts';
import { hasKeys, shapeOf, value, type Shape } from './trace-jsonl.ts';
import type { TraceEvent } from './trace.ts';

const UTF8 = new TextEncoder();
const QUOTE = 0x22;
const COMMA = 0x2c;

/** Each shape's key names (`"atUs":`) as bytes, worked out once per shape. */
const nameBytesOf = new WeakMap<Shape, readonly Uint8Array[]>();

function nameBytes(shape: Shape): readonly Uint8Array[] {
  let names = nameBytesOf.get(shape);
  if (names === undefined) {
    names = shape.names.map((n) => UTF8.encode(n));
    nameBytesOf.set(shape, names);
  }
  return names;
}

type Field = string | number | boolean | null | undefined | object;

/** A nested object's keys (as `for…in` walks them), in the order value() writes them (sorted), with their names. */
interface NestedShape {
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  readonly names: readonly Uint8Array[];
}

/** Nested shapes remembered (notes' `data`, commands' `args`: a few dozen); others are sorted each time. */
const NESTED_SHAPES_MAX = 128;
const nestedShapes: NestedShape[] = [];

function nestedShapeOf(obj: object): NestedShape {
  for (const shape of nestedShapes) if (hasKeys(obj, shape.keys)) return shape;
  const sorted = Object.keys(obj).sort();
  const shape: NestedShape = {
    keys: Object.keys(obj),
    sorted,
    names: sorted.map((k) => UTF8.encode(`${JSON.stringify(k)}:`)),
  };
  if (nestedShapes.length < NESTED_SHAPES_MAX) nestedShapes.push(shape);
  return shape;
}

export class CanonicalLineBytes {
  /** Small at first (a recorder without a digest never writes); grows to a batch and a line. */
  private buffer = new Uint8Array(1 << 12);
  /** Bytes written: `buffer[0, length)`. */
  length = 0;

  /** What has been written so far (a view, valid until the next write or `clear`). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }

  /**
   * Appends `canonicalJsonLine(event)` and `\n`. With `hexOf`, a send event's `bytes` (which the caller left `''`) is
   * written as the hex of `hexOf`, as if the event carried it.
   */
  writeEvent(event: TraceEvent, hexOf?: Uint8Array): void {
    const obj = event as unknown as { readonly [key: string]: Field };
    const shape = shapeOf(obj, obj['type']);
    const order = shape.order;
    const names = nameBytes(shape);
    this.room(1);
    this.buffer[this.length++] = 0x7b;
    let first = true;
    for (let i = 0; i < order.length; i++) {
      const k = order[i] as string;
      const x = obj[k];
      if (x === undefined) continue;
      this.writeName(names[i] as Uint8Array, first);
      first = false;
      if (typeof x === 'number') this.writeNumber(x);
      else if (typeof x === 'string') {
        if (hexOf !== undefined && k === 'bytes') this.writeHexString(hexOf);
        else this.writeString(x);
      } else this.writeNested(x);
    }
    this.room(2);
    this.buffer[this.length++] = 0x7d;
    this.buffer[this.length++] = 0x0a;
  }

  /** A key's encoded `"name":`, after a comma unless it is the object's first. */
  private writeName(name: Uint8Array, first: boolean): void {
    const n = name.length;
    this.room(n + 1);
    const buffer = this.buffer;
    let at = this.length;
    if (!first) buffer[at++] = COMMA;
    // A name is a handful of bytes: a loop costs less than TypedArray.prototype.set's call and checks.
    for (let i = 0; i < n; i++) buffer[at++] = name[i] as number;
    this.length = at;
  }

  /** A nested value as value() writes it: a plain object's keys sorted, its strings and numbers as above. */
  private writeNested(x: Field): void {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) {
      this.writeText(value(x as Parameters<typeof value>[0]));
      return;
    }
    const obj = x as { readonly [key: string]: Field };
    const shape = nestedShapeOf(obj);
    const sorted = shape.sorted;
    this.room(1);
    this.buffer[this.length++] = 0x7b;
    let first = true;
    for (let i = 0; i < sorted.length; i++) {
      const v = obj[sorted[i] as string];
      if (v === undefined) continue;
      this.writeName(shape.names[i] as Uint8Array, first);
      first = false;
      if (typeof v === 'number') this.writeNumber(v);
      else if (typeof v === 'string') this.writeString(v);
      else this.writeNested(v);
    }
    this.room(1);
    this.buffer[this.length++] = 0x7d;
  }

  /** Appends text as UTF-8 (a line built elsewhere, its `\n`). */
  writeText(text: string): void {
    this.room(3 * text.length);
    this.length += UTF8.encodeInto(text, this.buffer.subarray(this.length)).written;
  }

  /** Room for `n` more bytes: the buffer grows, it is never flushed mid-line. */
  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /**
   * As JSON.stringify writes it, in UTF-8: code units other than controls, `"`, `\` and surrogates as they are (the
   * `→` of every `dir` and summary among them); a string with any of those through JSON.stringify.
   */
  private writeString(s: string): void {
    const n = s.length;
    this.room(3 * n + 2);
    const buffer = this.buffer;
    const start = this.length;
    let at = start;
    buffer[at++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c < 0x20 || c === QUOTE || c === 0x5c) return this.writeEscaped(start, s);
        buffer[at++] = c;
      } else if (c < 0x800) {
        buffer[at++] = 0xc0 | (c >> 6);
        buffer[at++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        buffer[at++] = 0xe0 | (c >> 12);
        buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
        buffer[at++] = 0x80 | (c & 0x3f);
      } else return this.writeEscaped(start, s);
    }
    buffer[at++] = QUOTE;
    this.length = at;
  }

  /** Rewrites from `start` the string as JSON.stringify writes it (escapes, surrogate pairs, lone surrogates). */
  private writeEscaped(start: number, s: string): void {
    this.length = start;
    this.writeText(JSON.stringify(s));
  }

  private writeHexString(bytes: Uint8Array): void {
    this.room(2 * bytes.length + 2);
    this.buffer[this.length] = QUOTE;
    this.length = writeHex(bytes, this.buffer, this.length + 1);
    this.buffer[this.length++] = QUOTE;
  }

  /** As canonicalJsonLine writes a number: integers (all the trace holds) as decimal digits; others as String. */
  private writeNumber(x: number): void {
    if ((x | 0) === x && x >= 0) {
      this.writeSmallInteger(x);
      return;
    }
    if (!(Number.isSafeInteger(x) && x >= 0)) {
      this.writeText(Number.isFinite(x) ? String(x) : 'null');
      return;
    }
    let digits = 1;
    for (let v = x; v >= 10; v = Math.floor(v / 10)) digits++;
    this.room(digits);
    const buffer = this.buffer;
    let v = x;
    for (let i = this.length + digits - 1; i >= this.length; i--) {
      buffer[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.length += digits;
  }

  /**
   * A non-negative integer below 2^31 (every `atUs` of a run shorter than 35 minutes, ids, lengths): the same digits,
   * with int32 division instead of floating-point `Math.floor` (`-0` passes the test and writes `0`, as JSON does).
   */
  private writeSmallInteger(x: number): void {
    const digits =
      x < 10
        ? 1
        : x < 100
          ? 2
          : x < 1000
            ? 3
            : x < 10_000
              ? 4
              : x < 100_000
                ? 5
                : x < 1_000_000
                  ? 6
                  : x < 10_000_000
                    ? 7
                    : x < 100_000_000
                      ? 8
                      : x < 1_000_000_000
                        ? 9
                        : 10;
    this.room(digits);
    const buffer = this.buffer;
    let v = x;
    for (let i = this.length + digits - 1; i > this.length; i--) {
      const q = (v / 10) | 0;
      buffer[i] = 0x30 + (v - q * 10);
      v = q;
    }
    buffer[this.length] = 0x30 + v;
    this.length += digits;
  }
}
