/**
 * The result of parsing bytes. A decode error is a value naming the field and the byte offset where the input
 * stopped making sense; parsers never throw on bad input (DEVELOPERS.md, non-negotiable 3).
 */
export interface DecodeError {
  /** Dotted path of the structure being read, e.g. `dhcp.options[3].len` or `ikev2.payload[2](SA).proposal[0]`. */
  readonly field: string;
  /** Absolute offset in the input buffer. */
  readonly offset: number;
  readonly reason: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T; readonly bytesRead: number }
  | { readonly ok: false; readonly error: DecodeError };

export function parsed<T>(value: T, bytesRead: number): ParseResult<T> {
  return { ok: true, value, bytesRead };
}

export function decodeError<T = never>(field: string, offset: number, reason: string): ParseResult<T> {
  return { ok: false, error: { field, offset, reason } };
}

export function formatDecodeError(error: DecodeError): string {
  return `${error.field} at offset ${error.offset}: ${error.reason}`;
}

/**
 * Thrown by an `emitX` when the value cannot be encoded (a field out of range, a message over its size limit).
 * It is a programming or configuration error, never a reaction to received bytes; the host binding catches it and
 * traces the send as malformed so a run never crashes on it.
 */
export class WireEmitError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'WireEmitError';
  }
}

/**
 * `new WireEmitError(field, parts.join(''))` for the hot emitters: the reason is assembled here, out of line, so the
 * throwing branch inlined into an emitter is one call instead of string building (smaller optimised code). Parts are
 * strings and numbers (a number reads as in a template literal).
 */
export function emitError(field: string, ...parts: readonly (string | number)[]): WireEmitError {
  return new WireEmitError(field, parts.join(''));
}
