/** IPv4 addresses as unsigned 32-bit integers: the network reads destinations straight from the header bytes. */

/** Dotted quad to u32; throws RangeError on a malformed address (configuration error, not packet input). */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${text}`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) throw new RangeError(`not an IPv4 address: ${text}`);
    const octet = Number(part);
    if (octet > 255) throw new RangeError(`not an IPv4 address: ${text}`);
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** The netmask of a prefix length 0..32 as u32. */
export function prefixMask(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`prefix length out of range: ${prefixLength}`);
  }
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** `a.b.c.d/len` to { network, mask } (network masked). */
export function parsePrefix(text: string): { readonly network: number; readonly mask: number } {
  const slash = text.indexOf('/');
  if (slash < 0) throw new RangeError(`not a prefix: ${text}`);
  const mask = prefixMask(Number(text.slice(slash + 1)));
  return { network: (parseIpv4(text.slice(0, slash)) & mask) >>> 0, mask };
}

/** The directed broadcast address of the subnet of `address`/`prefixLength`, or undefined for /31, /32 and 0.0.0.0. */
export function directedBroadcast(address: number, prefixLength: number): number | undefined {
  if (address === 0 || prefixLength > 30) return undefined;
  return (address | ~prefixMask(prefixLength)) >>> 0;
}

export const LIMITED_BROADCAST = 0xffffffff;

/** Destination address from IPv4 header bytes 16..19, or undefined when the bytes cannot be an IPv4 header. */
export function ipv4Destination(bytes: Uint8Array): number | undefined {
  if (bytes.length < 20 || (bytes[0] as number) >> 4 !== 4) return undefined;
  return (
    (((bytes[16] as number) << 24) |
      ((bytes[17] as number) << 16) |
      ((bytes[18] as number) << 8) |
      (bytes[19] as number)) >>>
    0
  );
}
