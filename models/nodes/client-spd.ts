/**
 * The client's outbound SPD lookup (RFC 4301 §4.4.1): a packet may leave through a Child SA only if the SA's TSi
 * covers its source and TSr its destination (address range, IP protocol — 0 = any —, port range). Selectors of
 * different Child SAs may overlap (RFC 3456: a DHCP SA for 0.0.0.0/0 UDP 68↔67 beside the tunnel SA for the leased
 * address); RFC 4301 §4.4.1 orders the SPD, and this lab's order is fixed and documented here:
 *   1. the most specific match: fewest source addresses + destination addresses covered by the matching selectors;
 *   2. then a specific protocol before "any";
 *   3. then the narrowest ports (source + destination port range widths);
 *   4. then the oldest slot (`seq`), so a rekey never changes which SA wins.
 * No match ⇒ undefined: the packet leaves in the clear on the physical interface (the PROTECT/BYPASS split).
 */
import { ipv4ToU32 } from '../wire/ipv4-address.ts';
import type { IkeTrafficSelector } from '../wire/ike/index.ts';

export interface Flow {
  readonly src: string;
  readonly dst: string;
  /** IP protocol number (17 = UDP). */
  readonly protocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
}

export interface SelectorPair {
  readonly tsi: readonly IkeTrafficSelector[];
  readonly tsr: readonly IkeTrafficSelector[];
}

type Range = Extract<IkeTrafficSelector, { kind: 'ipv4Range' }>;

/** Selector values are immutable, so their bounds are parsed once, not on every packet's lookup. */
const boundsCache = new WeakMap<Range, readonly [number, number]>();

function bounds(s: Range): readonly [number, number] {
  let b = boundsCache.get(s);
  if (b === undefined) {
    b = [ipv4ToU32(s.startAddress), ipv4ToU32(s.endAddress)];
    boundsCache.set(s, b);
  }
  return b;
}

/** The first selector of `list` covering `address`, `protocol` and `port`, or undefined. */
export function matchingSelector(
  list: readonly IkeTrafficSelector[],
  address: string,
  protocol: number,
  port: number,
): Range | undefined {
  const v = ipv4ToU32(address);
  for (const s of list) {
    if (s.kind !== 'ipv4Range') continue;
    if (s.ipProtocol !== 0 && s.ipProtocol !== protocol) continue;
    if (port < s.startPort || port > s.endPort) continue;
    const [start, end] = bounds(s);
    if (v < start || v > end) continue;
    return s;
  }
  return undefined;
}

/** Outbound from the client: TSi covers the source, TSr the destination. */
export function coversOutbound(pair: SelectorPair, f: Flow): { src: Range; dst: Range } | undefined {
  const src = matchingSelector(pair.tsi, f.src, f.protocol, f.srcPort);
  const dst = matchingSelector(pair.tsr, f.dst, f.protocol, f.dstPort);
  return src !== undefined && dst !== undefined ? { src, dst } : undefined;
}

/** Inbound to the client (or outbound from the gateway): TSr covers the source, TSi the destination. */
export function coversInbound(pair: SelectorPair, f: Flow): boolean {
  return coversOutbound(pair, { ...f, src: f.dst, dst: f.src, srcPort: f.dstPort, dstPort: f.srcPort }) !== undefined;
}

function span(s: Range): number {
  const [start, end] = bounds(s);
  return end - start + 1;
}

/** Sort key, smaller = preferred (rules 1–3 above). */
function specificity(m: { src: Range; dst: Range }): readonly number[] {
  const anyProtocol = (m.src.ipProtocol === 0 ? 1 : 0) + (m.dst.ipProtocol === 0 ? 1 : 0);
  const ports = m.src.endPort - m.src.startPort + (m.dst.endPort - m.dst.startPort);
  return [span(m.src) + span(m.dst), anyProtocol, ports];
}

/** The Child SA an outbound packet uses, by the rules above; undefined = no SA (sent in the clear). */
export function selectChild<C extends SelectorPair & { readonly seq: number }>(
  children: readonly C[],
  f: Flow,
): C | undefined {
  let best: { child: C; key: readonly number[] } | undefined;
  for (const child of children) {
    const m = coversOutbound(child, f);
    if (m === undefined) continue;
    const key = [...specificity(m), child.seq];
    if (best === undefined || less(key, best.key)) best = { child, key };
  }
  return best?.child;
}

function less(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
