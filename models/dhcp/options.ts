/**
 * Reading DHCP options out of a message value (RFC 2132). The first occurrence wins; options are kept in wire order
 * by the codec, so the first is what the sender put first.
 */
import type { DhcpMessage, DhcpMessageTypeCode, DhcpOption, DhcpOptionKind } from '../wire/dhcp/types.ts';

export type OptionOf<K extends DhcpOptionKind> = Extract<DhcpOption, { readonly kind: K }>;

export function findOption<K extends DhcpOptionKind>(message: DhcpMessage, kind: K): OptionOf<K> | undefined {
  for (const option of message.options) {
    if (option.kind === kind) return option as OptionOf<K>;
  }
  return undefined;
}

/** RFC 2132 §9.6: option 53; null when absent (a BOOTP message). */
export function messageTypeOf(message: DhcpMessage): DhcpMessageTypeCode | null {
  return findOption(message, 'messageType')?.type ?? null;
}

export function withoutOption(options: readonly DhcpOption[], kind: DhcpOptionKind): DhcpOption[] {
  return options.filter((option) => option.kind !== kind);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/**
 * Whether the first `n` bytes of `a` and `b` are equal (both at least `n` long). Compared in place: a `subarray` view
 * makes V8 give a small array its own ArrayBuffer (~100 B kept by every client identity that was compared).
 */
export function prefixEqual(a: Uint8Array, b: Uint8Array, n: number): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i += 1) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

export function toHex(bytes: Uint8Array): string {
  return toHexPrefix(bytes, bytes.length);
}

/** Hex of the first `n` bytes (no `subarray` view: see `prefixEqual`). */
export function toHexPrefix(bytes: Uint8Array, n: number): string {
  let out = '';
  const end = Math.min(n, bytes.length);
  for (let i = 0; i < end; i += 1) out += (bytes[i] as number).toString(16).padStart(2, '0');
  return out;
}

/** chaddr fields carved from one slab: a client identity keeps its field for the client's life. */
const CHADDR_BYTES = 16;
const FIELDS_PER_SLAB = 256;
let slab = new Uint8Array(0);
let slabUsedBytes = 0;

/**
 * A 16-byte chaddr field holding `hardware` at its start (RFC 2131 §2). A view into a shared slab, not an array of its
 * own: every Uint8Array has an ArrayBuffer object beside it (~90 B of heap per idle client of a storm); the fields
 * never overlap, so a write into one (none is made) could not reach another.
 */
export function chaddrField(hardware: Uint8Array): Uint8Array {
  if (slabUsedBytes + CHADDR_BYTES > slab.length) {
    slab = new Uint8Array(CHADDR_BYTES * FIELDS_PER_SLAB);
    slabUsedBytes = 0;
  }
  const field = slab.subarray(slabUsedBytes, slabUsedBytes + CHADDR_BYTES);
  slabUsedBytes += CHADDR_BYTES;
  field.set(hardware.subarray(0, CHADDR_BYTES));
  return field;
}
