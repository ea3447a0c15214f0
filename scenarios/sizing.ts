/**
 * Sizing rules: a scenario parameter that derives dependent values instead of writing one JSON path. A parameter
 * declares `"sizing": "<rule>"` (scenarios/schema.ts); the loader (load.ts) applies the rule to the raw document after
 * the path parameters and before the schema, so `--param clients=100000` scales a storm without anyone editing JSON,
 * and whatever the rule writes is validated like hand-written JSON. A value out of the rule's range is a problem with
 * the parameter's path and the range expected.
 *
 * Rules are named, typed and listed in `SIZING_RULES` (the JSON Schema's enum is built from it). Browser-safe.
 */
import { ipv4ToU32, u32ToIpv4 } from '../models/wire/ipv4-address.ts';
import { foundText, type Problem } from './problems.ts';
import { SCENARIO_LIMITS } from './validate.ts';

export interface SizingRule {
  readonly name: string;
  /** One paragraph for `dhcpike schema` and the README: what the rule writes. */
  readonly doc: string;
  /** Writes the derived values into the raw document; returns the problems (none when it applied). */
  apply(raw: unknown, value: unknown, where: string): Problem[];
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** Bits needed to number `count` things: the least b with 2^b ≥ count (integer loop; no Math.log). */
export function bitsFor(count: number): number {
  let bits = 0;
  while (2 ** bits < count) bits++;
  return bits;
}

/** `a.b.c.d/len` → address and prefix length, or undefined. */
function cidr(text: unknown): { address: number; prefix: number } | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(text);
  if (m === null) return undefined;
  const prefix = Number(m[2]);
  if (prefix < 0 || prefix > 32) return undefined;
  try {
    return { address: ipv4ToU32(m[1] as string), prefix };
  } catch {
    return undefined;
  }
}

function ip(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return ipv4ToU32(text);
  } catch {
    return undefined;
  }
}

const blockSize = (prefix: number): number => 2 ** (32 - prefix);
const networkOf = (address: number, prefix: number): number => address - (address % blockSize(prefix));

/** Metric expectations counted in clients: their values scale with the client count. */
const CLIENT_COUNTED_METRICS: readonly string[] = ['clients', 'addressed', 'readdressed', 'tunnels.addressed'];

/** The smallest block (bits) the mode-cfg pool and the DHCP range each get: 2,048 addresses, storm-1000's plan. */
const INNER_BLOCK_BITS_MIN = 11;
/** Addresses of a block the DHCP range leaves out at each end (storm-1000: .10 … .250 of a /21's last /24). */
const DHCP_RANGE_START_OFFSET = 10;
const DHCP_RANGE_END_GAP = 6;

/**
 * `clients`: the count of the scenario's single client group, and everything sized by it, in proportion to the
 * document as written (its group's `count` is the reference N0):
 * - `topology.clients[0].count` = n; its outside subnet (the group's address and the gateway's `outside`) widens so
 *   the group's addresses fit (never narrower than written);
 * - the gateway's mode-cfg pool and the DHCP server's first pool each get a block of 2^b addresses, 2^b ≥ 2n + 32 and
 *   b ≥ 11: the two blocks are adjacent, aligned, in the /8 of the pool as written (pool = block + 1 … end; DHCP
 *   subnet = the next block, range .10 … end − 6; the pool's prefixLength covers both);
 * - the DHCP server's `queueMax` and `serviceMs` scale with n / N0 (queue up, service time down: the same load for
 *   its capacity), as does the connect action's `spacingMs` (the same connect window);
 * - `metric` expectations on clients, addressed, readdressed and tunnels.addressed scale their value by n / N0.
 * n is an integer from 1 to the lab's limit (100,000 clients).
 */
export const CLIENTS_RULE: SizingRule = {
  name: 'clients',
  doc:
    'the client count of the single client group; sizes its outside subnet, the mode-cfg pool, the DHCP pool and ' +
    "subnet, the DHCP server's queueMax and serviceMs, the connect spacing and the client-counted expectations",
  apply(raw, value, where) {
    const limit = SCENARIO_LIMITS.clients;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > limit)
      return [
        {
          path: where,
          expected: `an integer from 1 to ${limit.toLocaleString('en')} (clients; the lab's limit)`,
          found: foundText(value),
        },
      ];
    const n = value;
    const shape = (what: string): Problem[] => [
      { path: where, expected: `a scenario the clients rule can size (${what})`, found: 'another shape' },
    ];
    const topology = obj(obj(raw)?.['topology']);
    const groups = arr(topology?.['clients']);
    const group = obj(groups?.[0]);
    if (groups?.length !== 1 || group === undefined) return shape('exactly one entry in topology.clients');
    const n0 = group['count'];
    if (typeof n0 !== 'number' || !Number.isSafeInteger(n0) || n0 < 1) return shape('a client group with a count');
    const gateways = arr(topology?.['gateways']) ?? [];
    const gateway = obj(gateways[0]);
    const pool = obj(gateway?.['pool']);
    const server = obj(arr(topology?.['dhcpServers'])?.[0]);
    const dhcpPool = obj(arr(server?.['pools'])?.[0]);
    const groupAddress = cidr(group['address']);
    const outside = cidr(gateway?.['outside']);
    const inside = cidr(gateway?.['inside']);
    const poolFirst = ip(pool?.['first']);
    const poolPrefix = pool?.['prefixLength'];
    if (
      gateways.length !== 1 ||
      gateway === undefined ||
      pool === undefined ||
      server === undefined ||
      dhcpPool === undefined ||
      groupAddress === undefined ||
      outside === undefined ||
      inside === undefined ||
      poolFirst === undefined ||
      typeof poolPrefix !== 'number'
    )
      return shape('one gateway with outside, inside and pool, one DHCP server with a pool');

    // Outside: the group counts up from its address; the subnet must hold it, n members and the broadcast address.
    const network = networkOf(groupAddress.address, groupAddress.prefix);
    const needed = groupAddress.address - network + n + 1;
    const outsidePrefix = Math.min(groupAddress.prefix, 32 - bitsFor(needed));
    const widened = networkOf(groupAddress.address, outsidePrefix);
    if (outsidePrefix < 8 || networkOf(outside.address, outsidePrefix) !== widened)
      return [
        {
          path: where,
          expected: `at most as many clients as the outside subnet ${u32ToIpv4(network)}/${groupAddress.prefix} can grow to hold with the gateway in it`,
          found: foundText(n),
        },
      ];

    // Inside: two adjacent blocks of 2^b, aligned to 2^(b+1), in the /8 of the pool as written, clear of `inside`.
    const bits = Math.max(INNER_BLOCK_BITS_MIN, bitsFor(2 * n + 32));
    const base = networkOf(poolFirst, 32 - (bits + 1));
    const block = 2 ** bits;
    const insideNet = networkOf(inside.address, inside.prefix);
    const clash = insideNet < base + 2 * block && base < insideNet + blockSize(inside.prefix);
    if (networkOf(base, 8) !== networkOf(poolFirst, 8) || clash)
      return [
        {
          path: where,
          expected: `at most as many clients as two ${block.toLocaleString('en')}-address blocks in ${u32ToIpv4(networkOf(poolFirst, 8))}/8 clear of the inside subnet can serve`,
          found: foundText(n),
        },
      ];

    const scale = (v: number): number => Math.floor((v * n) / n0);
    group['count'] = n;
    group['address'] = `${u32ToIpv4(groupAddress.address)}/${outsidePrefix}`;
    gateway['outside'] = `${u32ToIpv4(outside.address)}/${outsidePrefix}`;
    pool['first'] = u32ToIpv4(base + 1);
    pool['last'] = u32ToIpv4(base + block - 1);
    pool['prefixLength'] = Math.min(poolPrefix, 32 - (bits + 1));
    dhcpPool['subnet'] = `${u32ToIpv4(base + block)}/${32 - bits}`;
    dhcpPool['rangeStart'] = u32ToIpv4(base + block + DHCP_RANGE_START_OFFSET);
    dhcpPool['rangeEnd'] = u32ToIpv4(base + 2 * block - DHCP_RANGE_END_GAP);
    if (typeof server['queueMax'] === 'number')
      server['queueMax'] = Math.max(1, Math.ceil((server['queueMax'] * n) / n0));
    // Service time in whole µs (the engine's unit), written back as ms.
    if (typeof server['serviceMs'] === 'number')
      server['serviceMs'] = Math.max(0, Math.round((server['serviceMs'] * 1000 * n0) / n)) / 1000;
    for (const action of arr(obj(obj(raw)?.['workload'])?.['actions']) ?? []) {
      const a = obj(action);
      if (a?.['action'] === 'connect' && typeof a['spacingMs'] === 'number')
        a['spacingMs'] = Math.floor((a['spacingMs'] * 1000 * n0) / n) / 1000;
    }
    for (const e of arr(obj(raw)?.['expectations']) ?? []) {
      const x = obj(e);
      if (
        x?.['kind'] === 'metric' &&
        CLIENT_COUNTED_METRICS.includes(String(x['path'])) &&
        typeof x['value'] === 'number'
      )
        x['value'] = scale(x['value']);
    }
    return [];
  },
};

export const SIZING_RULES: readonly SizingRule[] = [CLIENTS_RULE];
export const SIZING_RULE_NAMES = SIZING_RULES.map((r) => r.name) as [string, ...string[]];

export function sizingRule(name: string): SizingRule | undefined {
  return SIZING_RULES.find((r) => r.name === name);
}
