/**
 * Cross-field checks run after the schema: unique node and link names, no dangling references (links, faults,
 * workload, gateways' DHCP servers, clients' gateways), addresses inside their subnets, one unit per profile field,
 * fault times within the run, regexes that compile, parameters whose paths exist, lease times DHCP can carry, the
 * client count within SCENARIO_LIMITS; and (validateOptions) option values that cannot work with the topology.
 */
import { canReachExternalDhcp } from './external-dhcp.ts';
import { canReachExternalIke } from './external-ike.ts';
import { methodById, methodIds } from '../models/methods/index.ts';
import type { PolicyValue } from '../models/methods/policy.ts';
import { inSubnet as inPrefix, ipv4ToU32, prefixMaskU32 } from '../models/wire/ipv4-address.ts';
import { foundText, type Problem } from './problems.ts';
import type { ProfileInput, ScenarioInput, TopologyInput } from './schema.ts';

/**
 * The lab's size limits for one scenario document. Depth: a scenario nests about 7 levels deep
 * (`topology.links[0].directions.a→b.latencyMs`), so 32 leaves room while a 100k-deep array, which would overflow
 * every recursive walker (structuredClone, JSON.stringify, zod), is refused. Counts: each fault, action and client
 * becomes scheduled events and state, so 100,000 of each is generous for a lab yet keeps runs bounded.
 */
export const SCENARIO_LIMITS = {
  depth: 32,
  faults: 100_000,
  actions: 100_000,
  /** Client nodes: entries of `topology.clients`, group members (`count`) included (validate.ts checks the sum). */
  clients: 100_000,
} as const;

/** `a.b.c.d/len` → numbers. */
export function splitCidr(cidr: string): { readonly address: string; readonly prefixLength: number } {
  const [address = '', len = '32'] = cidr.split('/');
  return { address, prefixLength: Number(len) };
}

/** Is `address` in `subnet` (`a.b.c.d/len`)? models/wire/ipv4-address.ts does the arithmetic. */
export function inSubnet(address: string, subnet: string): boolean {
  const { address: net, prefixLength } = splitCidr(subnet);
  return inPrefix(address, net, prefixLength);
}

/** Client names of a group: `name` alone, or `name1` … `name<count>`. */
export function groupMembers(g: { readonly name: string; readonly count?: number | undefined }): string[] {
  if (g.count === undefined) return [g.name];
  const out: string[] = [];
  for (let i = 1; i <= g.count; i++) out.push(`${g.name}${i}`);
  return out;
}

export type NodeRole = 'client' | 'gateway' | 'dhcpServer' | 'homeDhcpServer' | 'host';

export function nodeRoles(t: TopologyInput): Map<string, NodeRole> {
  // First declaration wins (a duplicate is reported once, as a duplicate).
  const roles = new Map<string, NodeRole>();
  const put = (n: string, r: NodeRole): void => {
    if (!roles.has(n)) roles.set(n, r);
  };
  for (const g of t.clients) for (const n of groupMembers(g)) put(n, 'client');
  for (const g of t.gateways) put(g.name, 'gateway');
  for (const d of t.dhcpServers) put(d.name, 'dhcpServer');
  for (const d of t.homeDhcpServers) put(d.name, 'homeDhcpServer');
  for (const h of t.enterpriseHosts) put(h.name, 'host');
  return roles;
}

const UNIT_PAIRS: readonly (readonly [keyof ProfileInput, keyof ProfileInput])[] = [
  ['latencyMs', 'latencyUs'],
  ['jitterMs', 'jitterUs'],
  ['lossRatio', 'lossPpm'],
  ['duplicateRatio', 'duplicatePpm'],
  ['reorderRatio', 'reorderPpm'],
  ['reorderExtraDelayMs', 'reorderExtraDelayUs'],
];

function checkProfile(p: ProfileInput | undefined, path: string, out: Problem[]): void {
  if (p === undefined) return;
  for (const [a, b] of UNIT_PAIRS) {
    if (p[a] !== undefined && p[b] !== undefined)
      out.push({ path: `${path}.${b}`, expected: `only one of ${a} and ${b}`, found: `both (${p[a]}, ${p[b]})` });
  }
}

/** RFC 2132 §9.2: option 51 carries a 32-bit unsigned count of seconds; 0xffffffff means infinity. */
export const LEASE_SECS_MAX = 0xffffffff;

/** Lease times a DHCP server can put on the wire, and renewal times in the order RFC 2131 §4.4.5 needs. */
function checkLeaseTimes(
  p: { readonly leaseSecs: number; readonly t1Secs?: number | undefined; readonly t2Secs?: number | undefined },
  path: string,
  out: Problem[],
): void {
  if (p.leaseSecs > LEASE_SECS_MAX) {
    out.push({
      path: `${path}.leaseSecs`,
      expected: `at most ${LEASE_SECS_MAX} seconds (a 32-bit count in DHCP option 51, 0xffffffff = infinite; RFC 2132 §9.2)`,
      found: `${p.leaseSecs}`,
    });
    return;
  }
  // RFC 2131 §4.4.5: the client renews at T1, rebinds at T2 and loses the lease at its end, in that order.
  if (p.t1Secs !== undefined && p.t1Secs >= p.leaseSecs)
    out.push({
      path: `${path}.t1Secs`,
      expected: `less than leaseSecs (${p.leaseSecs}): t1 < t2 < lease (RFC 2131 §4.4.5)`,
      found: `${p.t1Secs}`,
    });
  if (p.t2Secs !== undefined && p.t2Secs >= p.leaseSecs)
    out.push({
      path: `${path}.t2Secs`,
      expected: `less than leaseSecs (${p.leaseSecs}): t1 < t2 < lease (RFC 2131 §4.4.5)`,
      found: `${p.t2Secs}`,
    });
  if (p.t1Secs !== undefined && p.t2Secs !== undefined && p.t1Secs >= p.t2Secs)
    out.push({
      path: `${path}.t2Secs`,
      expected: `more than t1Secs (${p.t1Secs}): t1 < t2 < lease (RFC 2131 §4.4.5)`,
      found: `${p.t2Secs}`,
    });
}

export function validateScenario(s: ScenarioInput): Problem[] {
  const out: Problem[] = [];
  const t = s.topology;
  const durationMs = s.durationMs;
  // Client groups expand to one node each: refuse a total above the limit before expanding any of them.
  let clientCount = 0;
  for (const g of t.clients) clientCount += g.count ?? 1;
  if (clientCount > SCENARIO_LIMITS.clients)
    return [
      {
        path: 'topology.clients',
        expected: `at most ${SCENARIO_LIMITS.clients.toLocaleString('en')} clients in all, group counts included (the lab's limit)`,
        found: `${clientCount}`,
      },
    ];
  // Unique node names (group members included).
  const seen = new Map<string, string>();
  const claim = (name: string, path: string): void => {
    const prior = seen.get(name);
    if (prior !== undefined)
      out.push({ path, expected: `a unique node name (already used at ${prior})`, found: foundText(name) });
    else seen.set(name, path);
  };
  t.clients.forEach((g, i) => groupMembers(g).forEach((n) => claim(n, `topology.clients[${i}].name`)));
  t.gateways.forEach((g, i) => claim(g.name, `topology.gateways[${i}].name`));
  t.dhcpServers.forEach((d, i) => claim(d.name, `topology.dhcpServers[${i}].name`));
  t.homeDhcpServers.forEach((d, i) => claim(d.name, `topology.homeDhcpServers[${i}].name`));
  t.enterpriseHosts.forEach((h, i) => claim(h.name, `topology.enterpriseHosts[${i}].name`));
  const roles = nodeRoles(t);
  const groups = new Set(t.clients.filter((g) => g.count !== undefined).map((g) => g.name));
  const isNode = (n: string): boolean => roles.has(n);
  const nodeList = (): string => [...roles.keys()].slice(0, 12).join(', ') + (roles.size > 12 ? ', …' : '');
  const needNode = (n: string, path: string, role?: NodeRole): void => {
    if (!isNode(n)) out.push({ path, expected: `a node name (${nodeList()})`, found: foundText(n) });
    else if (role !== undefined && roles.get(n) !== role)
      out.push({ path, expected: `a ${role}`, found: `${n} (a ${roles.get(n)})` });
  };
  const needTarget = (n: string, path: string): void => {
    if (!isNode(n) && !groups.has(n))
      out.push({ path, expected: `a node or client group name (${nodeList()})`, found: foundText(n) });
  };
  // Clients.
  t.clients.forEach((g, i) => {
    const gws = Array.isArray(g.gateway) ? g.gateway : [g.gateway];
    gws.forEach((gw, k) =>
      needNode(gw, `topology.clients[${i}].gateway${Array.isArray(g.gateway) ? `[${k}]` : ''}`, 'gateway'),
    );
    if (g.homeDhcpServer !== undefined)
      needNode(g.homeDhcpServer, `topology.clients[${i}].homeDhcpServer`, 'homeDhcpServer');
    // An attacker's victim: another client (not a group, not itself); attacks on a victim need one.
    const b = g.behaviour;
    if (b !== undefined) {
      const path = `topology.clients[${i}].behaviour.victim`;
      if (b.victim !== undefined) {
        needNode(b.victim, path, 'client');
        if (groupMembers(g).includes(b.victim))
          out.push({ path, expected: 'another client than the attacker', found: b.victim });
      } else if (!['option82', 'forged-relay', 'dhcp-before-auth'].includes(b.attack))
        out.push({ path, expected: `a client name (attack ${b.attack} needs a victim)`, found: 'nothing' });
    }
    const { prefixLength } = splitCidr(g.address);
    if (g.count !== undefined) {
      const first = ipv4ToU32(splitCidr(g.address).address);
      const last = first + g.count - 1;
      const mask = prefixMaskU32(prefixLength);
      if (last > 0xffffffff || (last & mask) >>> 0 !== (first & mask) >>> 0)
        out.push({
          path: `topology.clients[${i}].count`,
          expected: `${g.count} addresses inside ${g.address}'s subnet`,
          found: `${g.count}`,
        });
    }
  });
  // Gateways.
  t.gateways.forEach((g, i) => {
    if (g.dhcpServer !== undefined) needNode(g.dhcpServer, `topology.gateways[${i}].dhcpServer`, 'dhcpServer');
    const path = `topology.gateways[${i}]`;
    if (g.kind === 'external' && g.external === undefined)
      out.push({
        path: `${path}.external`,
        expected: 'where the real gateway is ({"address": "192.168.77.1"}) for kind external',
        found: 'nothing',
      });
    if (g.kind === 'external' && !canReachExternalIke())
      out.push({
        path: `${path}.kind`,
        expected: '"lab" here: a real IKE gateway is reached from Node only (npx dhcpike run)',
        found: foundText(g.kind),
      });
    if (g.kind === 'lab' && g.external !== undefined)
      out.push({ path: `${path}.kind`, expected: '"external" when `external` is given', found: foundText(g.kind) });
    if (g.pool !== undefined) {
      const p = g.pool;
      if (ipv4ToU32(p.first) > ipv4ToU32(p.last))
        out.push({
          path: `topology.gateways[${i}].pool.last`,
          expected: `an address ≥ first (${p.first})`,
          found: foundText(p.last),
        });
      const subnet = `${p.first}/${p.prefixLength}`;
      if (!inSubnet(p.last, subnet))
        out.push({
          path: `topology.gateways[${i}].pool.last`,
          expected: `an address inside ${subnet}`,
          found: foundText(p.last),
        });
    }
  });
  // DHCP servers.
  [
    ...t.dhcpServers.map((d, i) => ({ d, path: `topology.dhcpServers[${i}]` })),
    ...t.homeDhcpServers.map((d, i) => ({ d, path: `topology.homeDhcpServers[${i}]` })),
  ].forEach(({ d, path }) => {
    if (d.kind === 'external' && d.external === undefined)
      out.push({
        path: `${path}.external`,
        expected: 'where the real server is ({"address": "127.0.0.1"}) for kind external',
        found: 'nothing',
      });
    if (d.kind === 'external' && !canReachExternalDhcp())
      out.push({
        path: `${path}.kind`,
        expected: '"lab" here: a real DHCP server is reached from Node only (npx dhcpike run)',
        found: foundText(d.kind),
      });
    if (d.kind === 'lab' && d.external !== undefined)
      out.push({ path: `${path}.kind`, expected: '"external" when `external` is given', found: foundText(d.kind) });
    d.pools.forEach((p, k) => {
      for (const field of ['rangeStart', 'rangeEnd', 'router'] as const) {
        const a = p[field];
        if (a !== undefined && !inSubnet(a, p.subnet))
          out.push({
            path: `${path}.pools[${k}].${field}`,
            expected: `an address inside ${p.subnet}`,
            found: foundText(a),
          });
      }
      if (ipv4ToU32(p.rangeStart) > ipv4ToU32(p.rangeEnd))
        out.push({
          path: `${path}.pools[${k}].rangeEnd`,
          expected: `an address ≥ rangeStart (${p.rangeStart})`,
          found: foundText(p.rangeEnd),
        });
      checkLeaseTimes(p, `${path}.pools[${k}]`, out);
    });
  });
  // Links.
  const linkNames = new Set<string>();
  t.links.forEach((l, i) => {
    const path = `topology.links[${i}]`;
    if (linkNames.has(l.name))
      out.push({ path: `${path}.name`, expected: 'a unique link name', found: foundText(l.name) });
    linkNames.add(l.name);
    const attached = new Set<string>();
    l.attach.forEach((a, k) => {
      const node = a.split('.')[0] ?? a;
      needTarget(node, `${path}.attach[${k}]`);
      if (groups.has(node))
        for (const g of t.clients) if (g.name === node) groupMembers(g).forEach((m) => attached.add(m));
      attached.add(node);
    });
    if (l.kind === 'p2p' && l.attach.length !== 2)
      out.push({ path: `${path}.attach`, expected: 'exactly 2 endpoints for a p2p link', found: `${l.attach.length}` });
    checkProfile(l.profile, `${path}.profile`, out);
    for (const [key, p] of Object.entries(l.directions ?? {})) {
      const [from, to] = key.replace('->', '→').split('→');
      if (from === undefined || to === undefined || !attached.has(from) || !attached.has(to))
        out.push({
          path: `${path}.directions.${key}`,
          expected: 'a key `from→to` naming two attached nodes',
          found: foundText(key),
        });
      checkProfile(p, `${path}.directions.${key}`, out);
    }
    (l.routes ?? []).forEach((r, k) => needNode(r.via, `${path}.routes[${k}].via`));
  });
  // Workload.
  s.workload.actions.forEach((a, i) => {
    const list = Array.isArray(a.nodes) ? a.nodes : [a.nodes];
    list.forEach((n, k) => needTarget(n, `workload.actions[${i}].nodes${Array.isArray(a.nodes) ? `[${k}]` : ''}`));
    if (a.atMs > durationMs)
      out.push({
        path: `workload.actions[${i}].atMs`,
        expected: `a time ≤ durationMs (${durationMs})`,
        found: `${a.atMs}`,
      });
    if (a.spacingMs !== undefined && a.ratePerSec !== undefined)
      out.push({
        path: `workload.actions[${i}].ratePerSec`,
        expected: 'only one of spacingMs and ratePerSec',
        found: 'both',
      });
  });
  // Faults.
  s.faults.forEach((f, i) => {
    const path = `faults[${i}]`;
    if (f.atMs > durationMs)
      out.push({ path: `${path}.atMs`, expected: `a time ≤ durationMs (${durationMs})`, found: `${f.atMs}` });
    switch (f.type) {
      case 'link.down':
      case 'link.up':
      case 'link.profile':
        if (!linkNames.has(f.link))
          out.push({
            path: `${path}.link`,
            expected: `a link name (${[...linkNames].join(', ')})`,
            found: foundText(f.link),
          });
        if (f.type === 'link.profile') {
          checkProfile(f.profile, `${path}.profile`, out);
          if (f.from !== undefined) needNode(f.from, `${path}.from`);
          if (f.to !== undefined) needNode(f.to, `${path}.to`);
        }
        break;
      case 'partition':
        f.groups.forEach((g, k) => g.forEach((n, j) => needNode(n, `${path}.groups[${k}][${j}]`)));
        break;
      case 'node.crash':
      case 'node.restart':
        needNode(f.node, `${path}.node`);
        break;
      case 'dhcp.stall':
      case 'dhcp.unstall':
        if (roles.get(f.node) !== 'dhcpServer' && roles.get(f.node) !== 'homeDhcpServer')
          out.push({ path: `${path}.node`, expected: 'a DHCP server name', found: foundText(f.node) });
        break;
      case 'drop.nth':
      case 'drop.match':
        if (f.link !== undefined && !linkNames.has(f.link))
          out.push({ path: `${path}.link`, expected: 'a link name', found: foundText(f.link) });
        if (f.from !== undefined) needNode(f.from, `${path}.from`);
        if (f.to !== undefined) needNode(f.to, `${path}.to`);
        if (f.type === 'drop.match' && f.regex === true) {
          try {
            new RegExp(f.match);
          } catch (e) {
            out.push({
              path: `${path}.match`,
              expected: 'a valid regular expression',
              found: `${foundText(f.match)} (${e instanceof Error ? e.message : String(e)})`,
            });
          }
        }
        break;
      default:
        break;
    }
  });
  s.expectations.forEach((e, i) => {
    if (e.kind !== 'metric') return;
    if ((e.op === undefined) !== (e.value === undefined))
      out.push({
        path: `expectations[${i}].${e.op === undefined ? 'op' : 'value'}`,
        expected: 'op and value together',
        found: foundText(undefined),
      });
  });
  // A workload action aimed at one gateway's tunnel: the gateway must be one of each target client's gateways.
  // Client name or group name → its group, built once (not a scan of every group's members per action).
  const groupOf = new Map<string, TopologyInput['clients'][number]>();
  for (const c of t.clients) {
    for (const m of groupMembers(c)) if (!groupOf.has(m)) groupOf.set(m, c);
    if (!groupOf.has(c.name)) groupOf.set(c.name, c);
  }
  s.workload.actions.forEach((a, i) => {
    if (a.gateway === undefined) return;
    const targets = typeof a.nodes === 'string' ? [a.nodes] : a.nodes;
    for (const n of targets) {
      const g = groupOf.get(n);
      const gws = g === undefined ? [] : Array.isArray(g.gateway) ? g.gateway : [g.gateway];
      if (g !== undefined && !gws.includes(a.gateway))
        out.push({
          path: `workload.actions[${i}].gateway`,
          expected: `one of ${n}'s gateways (${gws.join(', ')})`,
          found: foundText(a.gateway),
        });
    }
  });
  return out;
}

/** The methods (of `ids`) whose gateway relays DHCP with the gateway-relay policies (the dhcpIke* options). */
function relayMethods(ids: readonly string[]): string[] {
  const registered = new Set(methodIds());
  return ids.filter((id) => {
    if (!registered.has(id)) return false;
    const policies = (methodById(id) as { policies?: unknown }).policies;
    return Array.isArray(policies) && policies.some((d) => (d as { name?: unknown }).name === 'dhcpIkeOption82');
  });
}

/**
 * Option values that are each valid but cannot work with this topology. `optionPath(name)` says where a value came
 * from (`options.x` in the file, `--option x` on the command line).
 *
 * The relaying gateway (models/methods/gateway-relay/relay.ts) names the VPN subnet in option 82's link-selection
 * sub-option (RFC 3527 §3), and the server picks the pool by link-selection, else by giaddr (RFC 3527 §2, RFC 2131
 * §4.3.1; models/dhcp/lease-store.ts selectPool). `dhcpIkeOption82=off` drops the whole option 82, link-selection
 * with it, as does `dhcpIkeLinkSelection=false`; then giaddr, the gateway's inside address, must lie in a pool of its
 * DHCP server, or no client is ever addressed.
 */
export function validateOptions(
  s: ScenarioInput,
  options: Readonly<Record<string, PolicyValue>>,
  optionPath: (name: string) => string,
): Problem[] {
  const out: Problem[] = [];
  const payloadType = options['dhcpPayloadType'];
  if (typeof payloadType === 'number' && payloadType !== 16 && payloadType < 128)
    out.push({
      path: optionPath('dhcpPayloadType'),
      expected:
        "16 (draft-ietf-ipsec-dhcp-over-ike-00 §5) or 128–255 (IANA's IKEv2 private-use payload types); 17–127 are IKEv1's and IKEv2's own",
      found: foundText(payloadType),
    });
  const methods = relayMethods(s.methods);
  const option82Off = options['dhcpIkeOption82'] === 'off';
  const linkSelectionOff = options['dhcpIkeLinkSelection'] === false;
  if (methods.length === 0 || (!option82Off && !linkSelectionOff)) return out;
  const servers = new Map(s.topology.dhcpServers.map((d) => [d.name, d]));
  for (const g of s.topology.gateways) {
    const server = g.dhcpServer === undefined ? undefined : servers.get(g.dhcpServer);
    if (server === undefined || server.pools.length === 0) continue;
    const giaddr = splitCidr(g.inside).address;
    if (server.pools.some((p) => inSubnet(giaddr, p.subnet) || p.relayAddresses?.includes(giaddr) === true)) continue;
    // No pool lists relay addresses: the builder lists giaddr on the first pool (Kea relay.ip-addresses, build.ts).
    if (server.pools.every((p) => p.relayAddresses === undefined)) continue;
    const name = option82Off ? 'dhcpIkeOption82' : 'dhcpIkeLinkSelection';
    const why = option82Off
      ? "'off' removes option 82 and with it the link-selection sub-option (RFC 3527 §3)"
      : 'false removes the link-selection sub-option (RFC 3527 §3)';
    out.push({
      path: optionPath(name),
      expected:
        `${option82Off ? "'ike-identity' or 'circuit-only'" : 'true'} for ${methods.join(', ')}: ${why}, so ` +
        `${server.name} can only pick a pool by giaddr ${giaddr} (gateway ${g.name}'s inside address), which none ` +
        `of its pools contains or lists in relayAddresses (RFC 2131 §4.3.1) and no client would be addressed; keep link-selection ` +
        `(${option82Off ? 'dhcpIkeOption82=circuit-only is the smallest option 82 that carries it' : 'dhcpIkeLinkSelection=true'}) ` +
        `or give ${server.name} a pool whose subnet holds ${giaddr}`,
      found: foundText(options[name]),
    });
  }
  return out;
}
