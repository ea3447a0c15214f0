/**
 * A validated scenario + method + seed → the engine's RunInput (nodes, links, faults, commands) and the node roles
 * the metrics need. Replaces test/support/topology.ts's hand-built mode-cfg topology.
 */
import type { CommandSpec, FaultSpec, LinkProfile, LinkSpec, RunInput } from '../sim/index.ts';
import type { AnySimNode } from '../sim/simulation.ts';
import { ipv4ToU32, parsePrefix, u32ToIpv4 } from '../models/wire/ipv4-address.ts';
import {
  DEFAULT_RESPONDER_POLICY,
  SCENARIO_GATEWAY_LIVENESS_MS,
  peerConfig,
  type IkePeerConfig,
  type ResponderPolicy,
} from '../models/ike/config.ts';
import { DOUBLING_RETRANSMIT, STRONGSWAN_RETRANSMIT } from '../models/ike/retransmit.ts';
import type { CryptoMode } from '../models/ike/ike-crypto.ts';
import { methodById } from '../models/methods/index.ts';
import { createPacketCodec, packetCodec } from '../models/wire/packet.ts';
import { DEFAULT_DHCP_PAYLOAD_TYPE } from '../models/wire/ike/constants.ts';
import type { MethodFactory } from '../models/methods/method.ts';
import { COMMON_POLICIES, type PolicyValue } from '../models/methods/policy.ts';
import { tsRange } from '../models/wire/ike/index.ts';
import { ClientNode, PRIMARY_TUNNEL, type ClientTunnelOptions } from '../models/nodes/client-node.ts';
import { DhcpServerNode } from '../models/nodes/dhcp-server-node.ts';
import { ExternalDhcpServerNode } from '../models/nodes/external-dhcp-server-node.ts';
import { ExternalIkeGatewayNode } from '../models/nodes/external-ike-gateway-node.ts';
import { EnterpriseHost } from '../models/nodes/enterprise-host.ts';
import { GatewayNode, type DhcpFromTunnelPolicy, type GatewayDefences } from '../models/nodes/gateway-node.ts';
import type { EspDefences } from '../models/nodes/esp-inbound.ts';
import { attackerBehaviour } from '../models/attacks/attacker.ts';
import { externalDhcpExchange, type ExternalDhcpSpec } from './external-dhcp.ts';
import { externalIkeExchange } from './external-ike.ts';
import type { Scenario } from './load.ts';
import { allPolicies, isRegistered, MethodNotRegisteredError, type MethodId } from './method-registry.ts';
import { clientOptions, gatewayOptions } from './method-options.ts';
import type { DhcpServerInput, GatewayInput, LinkInput } from './schema.ts';
import { msToUs, toLinkProfile } from './units.ts';
import { groupMembers, inSubnet, nodeRoles, splitCidr, type NodeRole } from './validate.ts';

/** Who is who, for the metrics (a pure function of trace + roles). */
export interface RunRoles {
  readonly clients: readonly string[];
  /** client → its (primary) gateway. */
  readonly gatewayOf: Readonly<Record<string, string>>;
  /** client → tunnel name (`primary`, or the gateway name) → gateway: clients with tunnels to several gateways. */
  readonly tunnelsOf?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Home DHCP servers (on clients' LANs): their `lease.expired` notes are about outer, not inner, addresses. */
  readonly homeDhcpServers?: readonly string[];
  readonly gateways: readonly string[];
  readonly dhcpServers: readonly { readonly name: string; readonly serviceUs: number; readonly queueMax: number }[];
  readonly hosts: readonly string[];
}

export interface BuiltRun {
  readonly input: RunInput;
  readonly roles: RunRoles;
  readonly method: MethodId;
  readonly seed: number;
  /** Every policy's effective value (defaults filled in). */
  readonly options: Readonly<Record<string, PolicyValue>>;
}

export interface BuildOptions {
  readonly method?: MethodId;
  readonly seed?: number;
  readonly options?: Readonly<Record<string, PolicyValue>>;
  /**
   * Test-only: build with a deliberate bug (`server-double-lease`: the DHCP server hands a bound address out again), so
   * a test can show the invariant campaign finds and shrinks it. No scenario field or CLI flag sets it.
   */
  readonly injectBug?: 'server-double-lease';
}

/** A topology feature the models cannot build yet (e.g. a client with tunnels to two gateways). */
export class NotModelledError extends Error {
  constructor(
    readonly feature: string,
    detail: string,
  ) {
    super(`not modelled yet: ${feature} (${detail})`);
    this.name = 'NotModelledError';
  }
}

function cidrSubnet(cidr: string): { first: string; last: string } {
  const { network, mask } = parsePrefix(cidr);
  return { first: u32ToIpv4(network), last: u32ToIpv4((network | ~mask) >>> 0) };
}

/** A locally administered MAC from the outer address's last two octets: 02:00:00:00:hh:ll. */
function homeMac(outer: number): string {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `02:00:00:00:${hex((outer >>> 8) & 0xff)}:${hex(outer & 0xff)}`;
}

function subnetOf(cidr: string): string {
  const { prefixLength } = splitCidr(cidr);
  return `${cidrSubnet(cidr).first}/${prefixLength}`;
}

function effectiveOptions(
  s: Scenario,
  method: MethodFactory,
  overrides: Readonly<Record<string, PolicyValue>> | undefined,
): Record<string, PolicyValue> {
  const out: Record<string, PolicyValue> = {};
  for (const d of allPolicies()) out[d.name] = d.default;
  for (const d of COMMON_POLICIES) out[d.name] ??= d.default;
  // A method's own defaults for shared policies (e.g. mode-cfg-dhcp's addressTimeoutMs) give way to the scenario's.
  // The scenario's `crypto` field is the `crypto` option's default for this scenario (`--option crypto=…` wins).
  const crypto: Record<string, PolicyValue> = s.crypto === undefined ? {} : { crypto: s.crypto };
  return { ...out, ...(method.policyDefaults ?? {}), ...crypto, ...s.options, ...(overrides ?? {}) };
}

/** A real DHCP server behind the simulated address (models/nodes/external-dhcp-server-node.ts). */
function externalServerNode(d: DhcpServerInput, spec: ExternalDhcpSpec): ExternalDhcpServerNode {
  const { address, prefixLength } = splitCidr(d.address);
  return new ExternalDhcpServerNode({
    name: d.name,
    interface: { name: 'eth0', address, prefixLength },
    exchange: externalDhcpExchange(spec),
  });
}

/**
 * The giaddrs a server's first pool answers for by default: the inside address of every gateway using the server that
 * no pool's subnet holds — configured as a Kea site serving strongSwan's dhcp plugin is (the plugin's captures: giaddr
 * 10.98.0.1, subnet 10.40.0.0/24), since the plugin sends no option 82 to select the subnet with (RFC 3527).
 */
function defaultRelayAddresses(d: DhcpServerInput, gateways: readonly GatewayInput[]): string[] {
  if (d.pools.some((p) => p.relayAddresses !== undefined)) return [];
  return gateways
    .filter((g) => g.dhcpServer === d.name)
    .map((g) => splitCidr(g.inside).address)
    .filter((a) => !d.pools.some((p) => inSubnet(a, p.subnet)));
}

function dhcpServerNode(
  d: DhcpServerInput,
  gateways: readonly GatewayInput[],
  injectBug?: BuildOptions['injectBug'],
): DhcpServerNode {
  const { address, prefixLength } = splitCidr(d.address);
  const relays = defaultRelayAddresses(d, gateways);
  return new DhcpServerNode({
    name: d.name,
    interface: { name: 'eth0', address, prefixLength },
    leases: {
      pools: d.pools.map((p, i) => {
        const sub = splitCidr(p.subnet);
        return {
          name: p.name ?? `${d.name}-pool${i}`,
          subnet: cidrSubnet(p.subnet).first,
          prefixLength: sub.prefixLength,
          rangeStart: p.rangeStart,
          rangeEnd: p.rangeEnd,
          router: p.router ?? null,
          dns: p.dns,
          leaseSecs: p.leaseSecs,
          ...(p.t1Secs !== undefined ? { t1Secs: p.t1Secs } : {}),
          ...(p.t2Secs !== undefined ? { t2Secs: p.t2Secs } : {}),
          offerHoldSecs: p.offerHoldSecs,
          ...(p.relayAddresses !== undefined ? { relayAddresses: p.relayAddresses } : {}),
          ...(i === 0 && relays.length > 0 ? { relayAddresses: relays } : {}),
        };
      }),
      ...(d.renewUnknown !== undefined ? { renewUnknown: d.renewUnknown } : {}),
      ...(injectBug === 'server-double-lease' ? { injectBug: 'reuse-bound' as const } : {}),
    },
    serviceUs: msToUs(d.serviceMs),
    queueMax: d.queueMax,
    restartKeepsLeases: d.restartKeepsLeases,
  });
}

export function buildRun(s: Scenario, o: BuildOptions = {}): BuiltRun {
  const method = o.method ?? s.methods[0];
  if (method === undefined) throw new Error('scenario has no method');
  if (!isRegistered(method)) throw new MethodNotRegisteredError(method);
  const seed = o.seed ?? s.seed;
  const m = methodById(method);
  const options = effectiveOptions(s, m, o.options);
  const t = s.topology;
  const roles = nodeRoles(t);
  const retransmit = options['retransmit'] === 'doubling' ? DOUBLING_RETRANSMIT : STRONGSWAN_RETRANSMIT;
  const w = s.workload;
  const lifetimes = {
    childRekeyMs: w.childRekeySecs * 1000,
    ikeRekeyMs: w.ikeRekeySecs * 1000,
    livenessMs: w.livenessSecs * 1000,
    jitterMs: Math.round(w.rekeyJitterMs),
  };
  // The DHCP payload's IKE payload type (draft-ietf-ipsec-dhcp-over-ike-00 §5: 16; the lab's default 128, private
  // use): one number for every IKE speaker of the run, so clients and gateways write and read it alike.
  const payloadType = Number(options['dhcpPayloadType'] ?? DEFAULT_DHCP_PAYLOAD_TYPE);
  const codec =
    payloadType === DEFAULT_DHCP_PAYLOAD_TYPE
      ? packetCodec
      : createPacketCodec({ ike: { dhcpPayloadType: payloadType } });
  // Real crypto: each IKE node builds its codec from these options with its own SA keys (models/wire/crypto/).
  const crypto: CryptoMode = options['crypto'] === 'real' ? 'real' : 'modelled';
  const cryptoOptions =
    crypto === 'real'
      ? {
          crypto,
          codecOptions: payloadType === DEFAULT_DHCP_PAYLOAD_TYPE ? {} : { ike: { dhcpPayloadType: payloadType } },
        }
      : {};
  const ikeCommon: Partial<IkePeerConfig> = { retransmit, lifetimes, natDetection: options['natDetection'] !== false };
  // RFC 4303 §3.4.3–3.4.4 on both ends; the tunnel-DHCP policy on gateways (models/nodes/gateway-node.ts).
  const esp: EspDefences = {
    integrity: options['espIntegrity'] !== false,
    replayWindow: Number(options['espReplayWindow'] ?? 64),
  };
  const defences: GatewayDefences = {
    esp,
    dhcpFromTunnel: (options['dhcpFromTunnel'] ?? 'relay') as DhcpFromTunnelPolicy,
  };
  const gwByName = new Map(t.gateways.map((g) => [g.name, g]));
  const dhcpByName = new Map(t.dhcpServers.map((d) => [d.name, d]));
  const hostAddress = t.enterpriseHosts[0] ? splitCidr(t.enterpriseHosts[0].address).address : undefined;

  // Clients. A client with several gateways has one tunnel per gateway sharing its SPD (models/nodes/client-node.ts):
  // the first gateway's is the primary tunnel, the others are named after their gateway (`ike@gw2`, `dhcp@gw2`).
  const clients: ClientNode[] = [];
  const gatewayOf: Record<string, string> = {};
  const tunnelsOf: Record<string, Record<string, string>> = {};
  const psksByGateway = new Map<string, Record<string, string>>();
  const pingTargetOf = (g: GatewayInput): string | undefined => {
    const protectedCidrs = g.protectedSubnets ?? [subnetOf(g.inside)];
    const h = t.enterpriseHosts.find((x) => protectedCidrs.some((c) => inSubnet(splitCidr(x.address).address, c)));
    return h ? splitCidr(h.address).address : hostAddress;
  };
  // Outer addresses by client name (an attacker derives its victim's chaddr from it: public data).
  const outerOf = new Map<string, string>();
  for (const g of t.clients) {
    const first = ipv4ToU32(splitCidr(g.address).address);
    groupMembers(g).forEach((name, k) => outerOf.set(name, u32ToIpv4((first + k) >>> 0)));
  }
  const clientByName = new Map<string, ClientNode>();
  for (const g of t.clients) {
    const gws = (Array.isArray(g.gateway) ? g.gateway : [g.gateway]).map((n) => gwByName.get(n) as GatewayInput);
    const [gw, ...extra] = gws as [GatewayInput, ...GatewayInput[]];
    const { address, prefixLength } = splitCidr(g.address);
    const base = ipv4ToU32(address);
    groupMembers(g).forEach((name, k) => {
      const identity = `${name}@example.com`;
      for (const x of gws) {
        const psks = psksByGateway.get(x.name) ?? {};
        psks[identity] = `psk-${name}`;
        psksByGateway.set(x.name, psks);
      }
      gatewayOf[name] = gw.name;
      tunnelsOf[name] = Object.fromEntries([[PRIMARY_TUNNEL, gw.name], ...extra.map((x) => [x.name, x.name] as const)]);
      const ike = peerConfig({ identity, pskName: `psk-${name}`, ...ikeCommon });
      const outer = (base + k) >>> 0;
      const tunnels: ClientTunnelOptions[] = extra.map((x) => {
        const ping = pingTargetOf(x);
        return {
          name: x.name,
          gatewayAddress: splitCidr(x.outside).address,
          gatewayIdentity: x.identity ?? `${x.name}.example.com`,
          ike,
          method: m.client(clientOptions(name, options)),
          ...(ping ? { pingTarget: ping } : {}),
        };
      });
      const ping = pingTargetOf(gw);
      const b = g.behaviour;
      const dhcp = gw.dhcpServer !== undefined ? dhcpByName.get(gw.dhcpServer) : undefined;
      const victim = b?.victim;
      const behaviour =
        b === undefined
          ? undefined
          : attackerBehaviour(b, {
              ...(victim === undefined ? {} : { victimOuter: outerOf.get(victim) ?? '0.0.0.0' }),
              victimInner: () => (victim === undefined ? undefined : clientByName.get(victim)?.innerConfig()?.address),
              ...(dhcp ? { dhcpServer: splitCidr(dhcp.address).address } : {}),
              gatewayInside: splitCidr(gw.inside).address,
              gatewayOutside: splitCidr(gw.outside).address,
              methodSpeaksDhcp:
                method === 'dhcp-over-ike' || method === 'dhcp-over-ike-wg' || method === 'dhcp-over-ipsec',
              ...(victim === undefined ? {} : { tapVictim: (o) => clientByName.get(victim)?.tap(o) }),
            });
      const node = new ClientNode({
        name,
        codec,
        ...cryptoOptions,
        address: u32ToIpv4(outer),
        prefixLength,
        gatewayAddress: splitCidr(gw.outside).address,
        gatewayIdentity: gw.identity ?? `${gw.name}.example.com`,
        ike,
        // The method factory (models/methods/method.ts); ClientNode builds the tasks per node life.
        method: m.client(clientOptions(name, options)),
        ...(w.reconnect ? { reconnect: w.reconnect } : {}),
        ...(ping ? { pingTarget: ping } : {}),
        pingIntervalMs: Math.round(w.pingIntervalMs),
        ...(tunnels.length > 0 ? { tunnels } : {}),
        // The home DHCP client leases the outer address from the home server on the client's LAN.
        ...(g.homeDhcpServer !== undefined ? { homeDhcp: { mac: g.homeMac ?? homeMac(outer) } } : {}),
        esp,
        ...(behaviour === undefined ? {} : { behaviour }),
      });
      clientByName.set(name, node);
      clients.push(node);
    });
  }

  // Gateways.
  const gateways = t.gateways.map((g) => {
    const outside = splitCidr(g.outside);
    const inside = splitCidr(g.inside);
    if (g.kind === 'external' && g.external !== undefined) {
      // A real gateway (models/nodes/external-ike-gateway-node.ts). The bridge sends from the gateway's first client's
      // address unless told otherwise, so that client's NAT detection finds no NAT (RFC 7296 §2.23).
      const first = t.clients.find((c) => (Array.isArray(c.gateway) ? c.gateway : [c.gateway]).includes(g.name));
      const localAddress = g.external.localAddress ?? (first ? splitCidr(first.address).address : '0.0.0.0');
      return new ExternalIkeGatewayNode({
        name: g.name,
        outside,
        inside,
        exchange: externalIkeExchange(g.external, localAddress),
        summaryCodec: codec,
      });
    }
    const protectedCidrs = g.protectedSubnets ?? [subnetOf(g.inside)];
    const policy: ResponderPolicy = {
      ...DEFAULT_RESPONDER_POLICY,
      protectedSubnets: protectedCidrs.map((c) => {
        const r = cidrSubnet(c);
        return tsRange(r.first, r.last);
      }),
      cpRequired: options['cpRequired'] !== false,
      addressTimeoutMs: Number(options['addressTimeoutMs'] ?? DEFAULT_RESPONDER_POLICY.addressTimeoutMs),
      busyRepeat: options['busyRepeat'] === 'ack-later' ? 'ack-later' : 'ignore',
      rekeyBusy: options['rekeyBusy'] === true,
      // A gateway checks its clients' liveness (strongSwan dpd_delay): a vanished client's SA and address are freed
      // in bounded time (config.ts SCENARIO_GATEWAY_LIVENESS_MS). Scenarios have no field for it yet.
      livenessMs: DEFAULT_RESPONDER_POLICY.livenessMs ?? SCENARIO_GATEWAY_LIVENESS_MS,
    };
    const dhcp = g.dhcpServer !== undefined ? dhcpByName.get(g.dhcpServer) : undefined;
    const gwOpts = gatewayOptions({
      pool: g.pool,
      dhcpServerAddress: dhcp ? splitCidr(dhcp.address).address : undefined,
      linkSelectionSubnet: dhcp?.pools[0] ? cidrSubnet(dhcp.pools[0].subnet).first : undefined,
      relayAddress: inside.address,
      gatewayName: g.name,
      policies: options,
    });
    if (method === 'mode-cfg' && g.pool === undefined)
      throw new NotModelledError(
        'gateway-pool',
        `gateway ${g.name} has no pool; mode-cfg needs topology.gateways[].pool`,
      );
    return new GatewayNode({
      name: g.name,
      codec,
      ...cryptoOptions,
      outside,
      inside,
      ike: peerConfig({ identity: g.identity ?? `${g.name}.example.com`, pskName: 'unused', ...ikeCommon }),
      policy,
      psks: psksByGateway.get(g.name) ?? {},
      provider: (ctx) => m.gateway(gwOpts, ctx),
      defences,
    });
  });

  const servers = [...t.dhcpServers, ...t.homeDhcpServers].map((d) =>
    d.kind === 'external' && d.external !== undefined
      ? externalServerNode(d, d.external)
      : dhcpServerNode(d, t.gateways, o.injectBug),
  );
  const hosts = t.enterpriseHosts.map((h) => {
    const { address, prefixLength } = splitCidr(h.address);
    return new EnterpriseHost({ name: h.name, address, prefixLength });
  });
  const nodes: AnySimNode[] = [...clients, ...gateways, ...servers, ...hosts];

  const links = t.links.map((l) => buildLink(l, s, roles));
  const commands = buildCommands(s);
  const faults: FaultSpec[] = [];
  s.faults.forEach((f) => {
    const atUs = msToUs(f.atMs);
    const id = f.id !== undefined ? { id: f.id } : {};
    switch (f.type) {
      case 'dhcp.stall':
      case 'dhcp.unstall':
        commands.push({ atUs, node: f.node, command: { type: f.type === 'dhcp.stall' ? 'cmd.stall' : 'cmd.unstall' } });
        return;
      case 'link.profile':
        faults.push({
          type: f.type,
          atUs,
          ...id,
          link: f.link,
          ...(f.from ? { from: f.from } : {}),
          ...(f.to ? { to: f.to } : {}),
          profile: toLinkProfile(f.profile),
        });
        return;
      default: {
        const { atMs: _atMs, ...rest } = f;
        faults.push({ ...rest, atUs } as FaultSpec);
      }
    }
  });
  // Commands in time order (stable): the scheduler runs same-time events in scheduling order.
  const ordered = commands
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.atUs - b.c.atUs || a.i - b.i)
    .map((x) => x.c);
  const input: RunInput = { nodes, links, faults, commands: ordered, durationUs: msToUs(s.durationMs) };
  return {
    input,
    roles: {
      clients: clients.map((c) => c.name),
      gatewayOf,
      tunnelsOf,
      homeDhcpServers: t.homeDhcpServers.map((d) => d.name),
      gateways: t.gateways.map((g) => g.name),
      dhcpServers: [...t.dhcpServers, ...t.homeDhcpServers].map((d) => ({
        name: d.name,
        serviceUs: msToUs(d.serviceMs),
        queueMax: d.queueMax,
      })),
      hosts: t.enterpriseHosts.map((h) => h.name),
    },
    method,
    seed,
    options,
  };
}

function expandTargets(s: Scenario, nodes: string | readonly string[]): string[] {
  const list = typeof nodes === 'string' ? [nodes] : nodes;
  const out: string[] = [];
  for (const n of list) {
    const group = s.topology.clients.find((g) => g.name === n && g.count !== undefined);
    if (group) out.push(...groupMembers(group));
    else out.push(n);
  }
  return out;
}

/** The client's tunnel to `gateway`: `primary` for its first gateway, else the gateway's name. */
function tunnelName(s: Scenario, client: string, gateway: string): string {
  const g = s.topology.clients.find((c) => c.name === client || groupMembers(c).includes(client));
  const first = g === undefined ? undefined : Array.isArray(g.gateway) ? g.gateway[0] : g.gateway;
  return first === gateway ? PRIMARY_TUNNEL : gateway;
}

const ACTION_COMMAND = {
  connect: 'cmd.connect',
  disconnect: 'cmd.disconnect',
  ping: 'cmd.ping',
  renew: 'cmd.renew',
  release: 'cmd.release',
} as const;

function buildCommands(s: Scenario): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const a of s.workload.actions) {
    const spacingUs =
      a.spacingMs !== undefined
        ? msToUs(a.spacingMs)
        : a.ratePerSec !== undefined
          ? Math.round(1_000_000 / a.ratePerSec)
          : 0;
    expandTargets(s, a.nodes).forEach((node, k) => {
      const command =
        a.gateway === undefined
          ? { type: ACTION_COMMAND[a.action] }
          : { type: ACTION_COMMAND[a.action], args: { tunnel: tunnelName(s, node, a.gateway) } };
      out.push({ atUs: msToUs(a.atMs) + k * spacingUs, node, command });
    });
  }
  return out;
}

function ifaceFor(
  node: string,
  role: NodeRole | undefined,
  link: LinkInput,
  roles: ReadonlyMap<string, NodeRole>,
): string {
  if (role !== 'gateway') return 'eth0';
  // A gateway's outside faces clients; a link with no client on it is its inside.
  const hasClient = link.attach.some((a) => {
    const n = a.split('.')[0] ?? a;
    return roles.get(n) === 'client' || !roles.has(n);
  });
  return hasClient ? 'outside' : 'inside';
}

function buildLink(l: LinkInput, s: Scenario, roles: ReadonlyMap<string, NodeRole>): LinkSpec {
  const attach = l.attach.flatMap((a) => {
    const [node = a, iface] = a.split('.');
    return expandTargets(s, node).map((n) => ({ node: n, iface: iface ?? ifaceFor(n, roles.get(n), l, roles) }));
  });
  const profile = l.profile ? toLinkProfile(l.profile) : undefined;
  const directions: Record<string, LinkProfile> = {};
  for (const [key, p] of Object.entries(l.directions ?? {})) directions[key.replace('->', '→')] = toLinkProfile(p);
  if (l.kind === 'p2p') {
    const [a, b] = attach as [{ node: string; iface: string }, { node: string; iface: string }];
    return {
      kind: 'p2p',
      name: l.name,
      a,
      b,
      ...(profile ? { profile } : {}),
      ...(directions[`${a.node}→${b.node}`] ? { aToB: directions[`${a.node}→${b.node}`] } : {}),
      ...(directions[`${b.node}→${a.node}`] ? { bToA: directions[`${b.node}→${a.node}`] } : {}),
    };
  }
  // A gateway's inside segment routes the tunnel addresses (its pool, its DHCP server's pools) back to it.
  const routes = [...(l.routes ?? [])];
  for (const at of attach) {
    if (roles.get(at.node) !== 'gateway' || at.iface !== 'inside') continue;
    const g = s.topology.gateways.find((x) => x.name === at.node) as GatewayInput;
    if (g.pool) routes.push({ prefix: subnetOf(`${g.pool.first}/${g.pool.prefixLength}`), via: g.name });
    const d = s.topology.dhcpServers.find((x) => x.name === g.dhcpServer);
    for (const p of d?.pools ?? []) routes.push({ prefix: subnetOf(p.subnet), via: g.name });
  }
  return {
    kind: 'segment',
    name: l.name,
    attach,
    ...(l.subnet ? { subnet: l.subnet } : {}),
    ...(profile ? { profile } : {}),
    ...(Object.keys(directions).length > 0 ? { profiles: directions } : {}),
    ...(routes.length > 0 ? { routes } : {}),
  };
}
