import { expect } from 'vitest';
import type { ParseResult } from '../../../models/wire/result.ts';

/**
 * The contract every codec in models/wire obeys (after dns-packet's testEncoder): each codec test file calls
 * `checkCodecContract` with its codec and sample values.
 */
export interface CodecUnderTest<T> {
  readonly name: string;
  parse(bytes: Uint8Array, offset: number): ParseResult<T>;
  emit(value: T): Uint8Array;
  /** Writes `value` at `offset` and returns the number of bytes written. */
  emitInto(value: T, buffer: Uint8Array, offset: number): number;
  length(value: T): number;
}

export function checkCodecContract<T>(codec: CodecUnderTest<T>, value: T): void {
  const bytes = codec.emit(value);
  // The emitted length equals the declared length.
  expect(bytes.length, `${codec.name}: emit length vs length()`).toBe(codec.length(value));

  // parse(emit(x)) deep-equals x and consumes exactly the emitted bytes.
  const back = codec.parse(bytes, 0);
  if (!back.ok) throw new Error(`${codec.name}: re-parse failed: ${JSON.stringify(back.error)}`);
  expect(back.value, `${codec.name}: parse(emit(x))`).toEqual(value);
  expect(back.bytesRead).toBe(bytes.length);

  // Emitting into buffers pre-filled with two different patterns gives the same bytes: no byte is left unwritten.
  const offset = 7;
  for (const fill of [0xa5, 0x5a]) {
    const buffer = new Uint8Array(offset + bytes.length + 5).fill(fill);
    const written = codec.emitInto(value, buffer, offset);
    expect(written).toBe(bytes.length);
    expect(
      Array.from(buffer.subarray(offset, offset + written)),
      `${codec.name}: emitInto fill 0x${fill.toString(16)}`,
    ).toEqual(Array.from(bytes));
    expect(buffer[offset - 1]).toBe(fill);
    expect(buffer[offset + written]).toBe(fill);
  }

  // Parsing at a non-zero offset works and reads the same value.
  const shifted = new Uint8Array(offset + bytes.length);
  shifted.fill(0xff, 0, offset);
  shifted.set(bytes, offset);
  const atOffset = codec.parse(shifted, offset);
  if (!atOffset.ok) throw new Error(`${codec.name}: parse at offset failed: ${JSON.stringify(atOffset.error)}`);
  expect(atOffset.value).toEqual(value);
  expect(atOffset.bytesRead).toBe(bytes.length);
}

/** Arbitrary bytes never throw: the parser gives a value or an error naming a field and an offset inside the input. */
export function checkNeverThrows<T>(
  codec: Pick<CodecUnderTest<T>, 'name' | 'parse'>,
  bytes: Uint8Array,
  offset = 0,
): void {
  const result = codec.parse(bytes, offset);
  if (!result.ok) {
    expect(typeof result.error.field).toBe('string');
    expect(result.error.field.length).toBeGreaterThan(0);
    expect(result.error.offset).toBeGreaterThanOrEqual(offset);
    expect(result.error.offset).toBeLessThanOrEqual(bytes.length);
  } else {
    expect(result.bytesRead).toBeLessThanOrEqual(bytes.length - offset);
  }
}
