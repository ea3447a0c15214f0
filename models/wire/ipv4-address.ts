/**
 * IPv4 addresses: dotted quads in values and traces, unsigned 32-bit integers for arithmetic (`>>> 0` keeps them
 * unsigned). The one place the lab parses, formats and masks addresses — the engine, the codecs, the DHCP and IKE
 * machines and the scenario checks all use it.
 */

export const ZERO_ADDRESS = '0.0.0.0';
/** RFC 919 limited broadcast. */
export const BROADCAST_ADDRESS = '255.255.255.255';
export const BROADCAST_U32 = 0xffffffff;

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The four octets of a dotted quad, or null when `text` is not one (no leading zeros beyond a single `0`). */
export function parseIpv4Text(text: string): [number, number, number, number] | null {
  const m = IPV4_PATTERN.exec(text);
  if (m === null) return null;
  const octets: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = m[i] ?? '';
    if (part.length > 1 && part.startsWith('0')) return null;
    const n = Number(part);
    if (n > 255) return null;
    octets.push(n);
  }
  return [octets[0] ?? 0, octets[1] ?? 0, octets[2] ?? 0, octets[3] ?? 0];
}

export function isIpv4Address(text: string): boolean {
  return parseIpv4Text(text) !== null;
}

/** Dotted quad to u32; throws RangeError for anything else (configuration errors — parsed packets always hold four octets). */
export function ipv4ToU32(text: string): number {
  const o = parseIpv4Text(text);
  if (o === null) throw new RangeError(`not an IPv4 address: '${text}'`);
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export function u32ToIpv4(value: number): string {
  return `${(value >>> 24) & 0xff}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

export function isZeroAddress(text: string): boolean {
  return text === ZERO_ADDRESS;
}

/** The netmask of a prefix length 0..32 as u32; throws RangeError outside that range. */
export function prefixMaskU32(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`prefix length out of range: ${prefixLength}`);
  }
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function prefixToNetmask(prefixLength: number): string {
  return u32ToIpv4(prefixMaskU32(prefixLength));
}

/** Prefix length of a contiguous netmask, or null when `mask` is not one. */
export function netmaskToPrefix(mask: string): number | null {
  if (!isIpv4Address(mask)) return null;
  const m = ipv4ToU32(mask);
  for (let length = 0; length <= 32; length++) if (prefixMaskU32(length) === m) return length;
  return null;
}

/** Is `address` in `subnet`/`prefixLength`? False when either is not a dotted quad. */
export function inSubnet(address: string, subnet: string, prefixLength: number): boolean {
  if (!isIpv4Address(address) || !isIpv4Address(subnet)) return false;
  const mask = prefixMaskU32(prefixLength);
  return (ipv4ToU32(address) & mask) >>> 0 === (ipv4ToU32(subnet) & mask) >>> 0;
}

/** `a.b.c.d/len` to { network, mask } as u32 (network masked); throws RangeError when malformed. */
export function parsePrefix(text: string): { readonly network: number; readonly mask: number } {
  const slash = text.indexOf('/');
  if (slash < 0) throw new RangeError(`not a prefix: ${text}`);
  const mask = prefixMaskU32(Number(text.slice(slash + 1)));
  return { network: (ipv4ToU32(text.slice(0, slash)) & mask) >>> 0, mask };
}

/** The directed broadcast of the subnet of `address`/`prefixLength` (u32), or undefined for /31, /32 and 0.0.0.0. */
export function directedBroadcastU32(address: number, prefixLength: number): number | undefined {
  if (address === 0 || prefixLength > 30) return undefined;
  return (address | ~prefixMaskU32(prefixLength)) >>> 0;
}

/** Destination address (u32) from IPv4 header bytes 16..19, or undefined when the bytes cannot be an IPv4 header. */
export function ipv4HeaderDestination(bytes: Uint8Array): number | undefined {
  if (bytes.length < 20 || (bytes[0] as number) >> 4 !== 4) return undefined;
  return (
    (((bytes[16] as number) << 24) |
      ((bytes[17] as number) << 16) |
      ((bytes[18] as number) << 8) |
      (bytes[19] as number)) >>>
    0
  );
}
