/** Big-endian bytes ↔ BigInt, for the MODP and ECP arithmetic (RFC 7296 §3.4: values are big-endian, left-padded). */

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** `n` as exactly `length` big-endian bytes, left-padded with zeros; throws when it does not fit (a caller bug). */
export function bigIntToBytes(n: bigint, length: number): Uint8Array {
  if (n < 0n) throw new Error('bigIntToBytes: negative value');
  const out = new Uint8Array(length);
  let v = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new Error(`bigIntToBytes: value does not fit in ${length} bytes`);
  return out;
}
