/**
 * IPv4 addresses: dotted quads in values and traces, unsigned 32-bit integers for arithmetic (`>>> 0` keeps them
 * unsigned). The one place the lab parses, formats and masks addresses — the engine, the codecs, the DHCP and IKE
 * machines and the scenario checks all use it.
 */

export const ZERO_ADDRESS = '0.0.0.0';
/** RFC 919 limited broadcast. */
export const BROADCAST_ADDRESS = '255.255.255.255';
export const BROADCAST_U32 = 0xffffffff;

/**
 * The dotted quad `text` as an unsigned 32-bit integer, or -1 when it is not one: exactly four decimal parts of 1–3
 * ASCII digits, each ≤ 255, no leading zeros beyond a single `0`. A hand-written scan, not a RegExp: every emitted
 * packet writes two to six addresses, and the RegExp plus its match array showed at 1 % of a storm's CPU.
 */
export function parseIpv4U32(text: string): number {
  // The unspecified address fills most DHCP address fields (ciaddr, yiaddr, siaddr before a lease): no Map lookup.
  if (text === ZERO_ADDRESS) return 0;
  // The limited broadcast ends every full-range traffic selector (RFC 7296 §3.13.1) and addresses DHCP broadcasts.
  if (text === BROADCAST_ADDRESS) return BROADCAST_U32;
  let value = parsedAddresses.get(text);
  if (value === undefined) {
    value = scanIpv4(text);
    // Bounded: a storm of 100,000 clients must not grow it without limit; emptied, it refills with the hot ones.
    if (parsedAddresses.size >= PARSED_ADDRESSES_MAX) parsedAddresses.clear();
    parsedAddresses.set(text, value);
  }
  return value;
}

/**
 * The results of `scanIpv4` for the addresses seen last: the same few (gateway, server, giaddr, pool addresses) are
 * written into every datagram, and a Map hit costs less than half a scan. A pure function's memo: no output depends
 * on what it holds. Room for a 10,000-client storm's addresses (each client's outside and inner address, the pools):
 * at 4,096 entries such a storm emptied it every few thousand packets and scanned most addresses again (~1 % of CPU);
 * full, it holds ~3 MB (its strings are mostly held by the nodes anyway).
 */
const parsedAddresses = new Map<string, number>();
const PARSED_ADDRESSES_MAX = 1 << 16;

function scanIpv4(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      dots++;
      part = 0;
      digits = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return -1;
    if (digits === 0) leadingZero = d === 0;
    else if (leadingZero) return -1;
    part = part * 10 + d;
    digits++;
    if (digits > 3 || part > 255) return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}

/** The four octets of a dotted quad, or null when `text` is not one (no leading zeros beyond a single `0`). */
export function parseIpv4Text(text: string): [number, number, number, number] | null {
  const v = parseIpv4U32(text);
  if (v < 0) return null;
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export function isIpv4Address(text: string): boolean {
  return parseIpv4U32(text) >= 0;
}

/** Dotted quad to u32; throws RangeError for anything else (configuration errors — parsed packets always hold four octets). */
export function ipv4ToU32(text: string): number {
  const v = parseIpv4U32(text);
  if (v < 0) throw new RangeError(`not an IPv4 address: '${text}'`);
  return v;
}

/**
 * The dotted quad of a u32. Memoised both ways: a parsed packet's addresses (ipv4FromBytes) are the same few strings
 * again and again, and handing out the one string per address means the reply that writes it back (parseIpv4U32, per
 * emit) finds it in `parsedAddresses` by identity, its hash already computed, instead of hashing and comparing a fresh
 * string per packet. The u32 → text side is a direct-mapped table, not a Map: most lab addresses are above 2^30 (not
 * small integers to V8), and a Map boxed and hashed each one per lookup (~1 % of a storm's CPU with the parse side).
 */
export function u32ToIpv4(value: number): string {
  const u32 = value >>> 0;
  const slot = (u32 ^ (u32 >>> 11) ^ (u32 >>> 22)) & FORMATTED_SLOT_MASK;
  if (formattedKeys[slot] === u32) return formattedTexts[slot] as string;
  const text = `${(u32 >>> 24) & 0xff}.${(u32 >>> 16) & 0xff}.${(u32 >>> 8) & 0xff}.${u32 & 0xff}`;
  // Bounded: a slot holds the address formatted last; a collision only costs the next lookup a formatting.
  formattedKeys[slot] = u32;
  formattedTexts[slot] = text;
  if (parsedAddresses.size >= PARSED_ADDRESSES_MAX) parsedAddresses.clear();
  parsedAddresses.set(text, u32);
  return text;
}

/** Direct-mapped: 2^15 slots (0.5 MB with the texts) keep a 10,000-client storm's addresses mostly apart. */
const FORMATTED_SLOTS = 1 << 15;
const FORMATTED_SLOT_MASK = FORMATTED_SLOTS - 1;
/** The u32 in each slot; -1 (no u32) marks an empty one. */
const formattedKeys = new Float64Array(FORMATTED_SLOTS).fill(-1);
const formattedTexts: string[] = new Array<string>(FORMATTED_SLOTS).fill('');

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
