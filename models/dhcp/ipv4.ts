/**
 * Dotted-quad helpers for the DHCP machines: addresses as unsigned 32-bit integers, subnet membership, masks.
 * Integer arithmetic only (`>>> 0` keeps values unsigned).
 */
import type { Ipv4Address } from '../wire/dhcp/types.ts';

export const ZERO_ADDRESS: Ipv4Address = '0.0.0.0';
export const BROADCAST_ADDRESS: Ipv4Address = '255.255.255.255';

/** `a.b.c.d` → unsigned 32-bit integer; NaN for anything that is not four decimal octets. */
export function ipv4ToU32(address: Ipv4Address): number {
  const parts = address.split('.');
  if (parts.length !== 4) return Number.NaN;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return Number.NaN;
    const octet = Number(part);
    if (octet > 255) return Number.NaN;
    value = value * 256 + octet;
  }
  return value;
}

export function u32ToIpv4(value: number): Ipv4Address {
  const v = value >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** Netmask of a prefix length as an unsigned integer (0 → 0, 32 → 0xffffffff). */
export function prefixMaskU32(prefixLength: number): number {
  if (prefixLength <= 0) return 0;
  if (prefixLength >= 32) return 0xffffffff;
  return (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function prefixToMask(prefixLength: number): Ipv4Address {
  return u32ToIpv4(prefixMaskU32(prefixLength));
}

/** Prefix length of a contiguous netmask, or null when the mask is not contiguous. */
export function maskToPrefix(mask: Ipv4Address): number | null {
  const m = ipv4ToU32(mask);
  if (Number.isNaN(m)) return null;
  for (let length = 0; length <= 32; length += 1) {
    if (prefixMaskU32(length) === m) return length;
  }
  return null;
}

export function inSubnet(address: Ipv4Address, subnet: Ipv4Address, prefixLength: number): boolean {
  const a = ipv4ToU32(address);
  const s = ipv4ToU32(subnet);
  if (Number.isNaN(a) || Number.isNaN(s)) return false;
  const mask = prefixMaskU32(prefixLength);
  return (a & mask) >>> 0 === (s & mask) >>> 0;
}

export function isZeroAddress(address: Ipv4Address): boolean {
  return ipv4ToU32(address) === 0;
}
