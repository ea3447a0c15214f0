/**
 * The comparison topology as a `runScenario` input, one builder for every method id in the registry (so the two
 * methods written elsewhere plug in by id): clients — outside segment — gateway — inside segment — {enterprise host,
 * DHCP server}. Optional: a home DHCP server on the outside segment that leases the clients' outer addresses
 * (wildcard hazard, draft-richardson §4), and a second enterprise (gateway, host, DHCP server) that every client
 * also has a tunnel to (two enterprises, §4).
 *
 * Addressing. Enterprise A: inside 10.1.0.0/24 (gw 10.1.0.1, DHCP server 10.1.0.2, host 10.1.0.10, DNS 10.1.0.53);
 * the DHCP scope for the gateway's link (selected by giaddr 10.1.0.1) is 10.1.0.0/16 and hands out 10.1.99.10–200;
 * the inside segment routes 10.1.99.0/24 to the gateway (what strongSwan's farp plugin / a static route does).
 * Enterprise B: the same under 10.2. Outside: 198.51.100.0/24, gw A .1, home DHCP server .2, gw B .3, clients .11+.
 */
import type { CommandSpec, FaultSpec, LinkProfile, LinkSpec, RunInput } from '../../sim/index.ts';
import {
  DEFAULT_RESPONDER_POLICY,
  peerConfig,
  type IkePeerConfig,
  type ResponderPolicy,
} from '../../models/ike/config.ts';
import { methodById } from '../../models/methods/index.ts';
import type { PoolConfig } from '../../models/dhcp/lease-store.ts';
import { tsRange } from '../../models/wire/ike/index.ts';
import { ClientNode, type ClientTunnelOptions, type ReconnectPolicy } from '../../models/nodes/client-node.ts';
import { DhcpServerNode } from '../../models/nodes/dhcp-server-node.ts';
import { EnterpriseHost } from '../../models/nodes/enterprise-host.ts';
import { GatewayNode } from '../../models/nodes/gateway-node.ts';

export const HOME_DHCP = '198.51.100.2';

export interface Enterprise {
  /** `a` or `b`: node names `gw`/`dhcp`/`host` for a, `gw-b`/`dhcp-b`/`host-b` for b. */
  readonly key: 'a' | 'b';
  readonly gwOutside: string;
  readonly gwInside: string;
  readonly dhcpServer: string;
  readonly host: string;
  readonly dns: string;
  readonly net: string;
  readonly poolFirst: string;
  readonly poolLast: string;
  readonly identity: string;
}

export const ENTERPRISE_A: Enterprise = {
  key: 'a',
  gwOutside: '198.51.100.1',
  gwInside: '10.1.0.1',
  dhcpServer: '10.1.0.2',
  host: '10.1.0.10',
  dns: '10.1.0.53',
  net: '10.1',
  poolFirst: '10.1.99.10',
  poolLast: '10.1.99.200',
  identity: 'gw.example.com',
};

export const ENTERPRISE_B: Enterprise = {
  key: 'b',
  gwOutside: '198.51.100.3',
  gwInside: '10.2.0.1',
  dhcpServer: '10.2.0.2',
  host: '10.2.0.10',
  dns: '10.2.0.53',
  net: '10.2',
  poolFirst: '10.2.99.10',
  poolLast: '10.2.99.200',
  identity: 'gw.example.net',
};

const suffix = (e: Enterprise): string => (e.key === 'a' ? '' : '-b');
export const gwName = (e: Enterprise): string => `gw${suffix(e)}`;
export const dhcpName = (e: Enterprise): string => `dhcp${suffix(e)}`;
export const hostName = (e: Enterprise): string => `host${suffix(e)}`;

export interface ComparisonOptions {
  /** A registered method id (`mode-cfg`, `mode-cfg-dhcp`, `dhcp-over-ipsec`, `dhcp-over-ike`, `dhcp-over-ike-wg`). */
  readonly method: string;
  /** Method client options (scenario data, validated by the method). */
  readonly clientOptions?: unknown;
  /** Method gateway options, merged over the defaults for the method (`gatewayDefaults`). */
  readonly gatewayOptions?: Readonly<Record<string, unknown>>;
  readonly clients?: number;
  /** Lease time of the enterprise DHCP scope; default 3600 s. */
  readonly leaseSecs?: number;
  /** Enterprise pool range (default 10.1.99.10–200). */
  readonly poolFirst?: string;
  readonly poolLast?: string;
  /** A home DHCP server on the outside segment leases each client's outer address for this long. */
  readonly homeLeaseSecs?: number;
  /** Every client also has a tunnel (`b`) to enterprise B, with the same method. */
  readonly secondEnterprise?: boolean;
  readonly outsideProfile?: LinkProfile;
  readonly insideProfile?: LinkProfile;
  readonly client?: Partial<IkePeerConfig>;
  readonly policy?: Partial<ResponderPolicy>;
  readonly reconnect?: ReconnectPolicy;
  readonly pingIntervalMs?: number;
  readonly commands?: readonly CommandSpec[];
  readonly faults?: readonly FaultSpec[];
  readonly durationUs: number;
}

export interface Comparison {
  readonly input: RunInput;
  readonly clients: ClientNode[];
  readonly gateways: GatewayNode[];
  readonly dhcpServers: DhcpServerNode[];
  readonly home: DhcpServerNode | undefined;
}

/** Gateway options each method needs in this topology (overridable by `gatewayOptions`). */
export function gatewayDefaults(method: string, e: Enterprise, o: ComparisonOptions): Record<string, unknown> {
  if (method === 'mode-cfg') {
    return { first: o.poolFirst ?? e.poolFirst, last: o.poolLast ?? e.poolLast, prefixLength: 16, dns: [e.dns] };
  }
  // The DHCP-over-IKE relays (models/methods/gateway-relay/options.ts) name it `dhcpServerAddress`.
  if (method.startsWith('dhcp-over-ike')) return { dhcpServerAddress: e.dhcpServer, gatewayName: gwName(e) };
  return { serverAddress: e.dhcpServer };
}

export function enterprisePool(e: Enterprise, o: ComparisonOptions): PoolConfig {
  const b = e.key === 'b';
  return {
    name: `vpn-${e.key}`,
    subnet: `${e.net}.0.0`,
    prefixLength: 16,
    rangeStart: (b ? undefined : o.poolFirst) ?? e.poolFirst,
    rangeEnd: (b ? undefined : o.poolLast) ?? e.poolLast,
    router: e.gwInside,
    dns: [e.dns],
    leaseSecs: o.leaseSecs ?? 3600,
    offerHoldSecs: 30,
  };
}

export function clientIdentity(i: number): string {
  return `client${i}@example.com`;
}

export function buildComparison(o: ComparisonOptions): Comparison {
  const n = o.clients ?? 1;
  const factory = methodById(o.method);
  const enterprises = o.secondEnterprise === true ? [ENTERPRISE_A, ENTERPRISE_B] : [ENTERPRISE_A];
  const psks: Record<string, string> = {};
  for (let i = 1; i <= n; i++) psks[clientIdentity(i)] = `psk-client${i}`;

  const clients: ClientNode[] = [];
  for (let i = 1; i <= n; i++) {
    const ike = peerConfig({ identity: clientIdentity(i), pskName: `psk-client${i}`, ...o.client });
    const extra: ClientTunnelOptions[] = enterprises.slice(1).map((e) => ({
      name: e.key,
      gatewayAddress: e.gwOutside,
      gatewayIdentity: e.identity,
      ike,
      method: factory.client(o.clientOptions),
      pingTarget: e.host,
    }));
    clients.push(
      new ClientNode({
        name: `client${i}`,
        address: `198.51.100.${10 + i}`,
        prefixLength: 24,
        gatewayAddress: ENTERPRISE_A.gwOutside,
        gatewayIdentity: ENTERPRISE_A.identity,
        ike,
        method: factory.client(o.clientOptions),
        reconnect: o.reconnect,
        pingTarget: ENTERPRISE_A.host,
        pingIntervalMs: o.pingIntervalMs,
        ...(extra.length > 0 ? { tunnels: extra } : {}),
        ...(o.homeLeaseSecs === undefined
          ? {}
          : { homeDhcp: { mac: `02:00:00:00:01:${(10 + i).toString(16).padStart(2, '0')}` } }),
      }),
    );
  }

  const gateways: GatewayNode[] = [];
  const dhcpServers: DhcpServerNode[] = [];
  const nodes: RunInput['nodes'][number][] = [...clients];
  const links: LinkSpec[] = [];
  for (const e of enterprises) {
    const gwOptions = { ...gatewayDefaults(o.method, e, o), ...o.gatewayOptions };
    const gw = new GatewayNode({
      name: gwName(e),
      outside: { address: e.gwOutside, prefixLength: 24 },
      inside: { address: e.gwInside, prefixLength: 24 },
      ike: peerConfig({ identity: e.identity, pskName: 'unused' }),
      policy: {
        ...DEFAULT_RESPONDER_POLICY,
        protectedSubnets: [tsRange(`${e.net}.0.0`, `${e.net}.0.255`)],
        // The method's own default for the shared policy (mode-cfg-dhcp: the proxy answers itself), as the builder.
        ...(typeof factory.policyDefaults?.['addressTimeoutMs'] === 'number'
          ? { addressTimeoutMs: factory.policyDefaults['addressTimeoutMs'] }
          : {}),
        ...o.policy,
      },
      psks,
      provider: (ctx) => factory.gateway(gwOptions, ctx),
    });
    const dhcp = new DhcpServerNode({
      name: dhcpName(e),
      interface: { name: 'eth0', address: e.dhcpServer, prefixLength: 24 },
      leases: { pools: [enterprisePool(e, o)] },
    });
    const host = new EnterpriseHost({ name: hostName(e), address: e.host, prefixLength: 24 });
    gateways.push(gw);
    dhcpServers.push(dhcp);
    nodes.push(gw, dhcp, host);
    links.push({
      kind: 'segment',
      name: `inside${suffix(e)}`,
      attach: [
        { node: gw.name, iface: 'inside' },
        { node: dhcp.name, iface: 'eth0' },
        { node: host.name, iface: 'eth0' },
      ],
      profile: o.insideProfile ?? { latencyUs: 1_000 },
      routes: [{ prefix: `${e.net}.99.0/24`, via: gw.name }],
    });
  }

  let home: DhcpServerNode | undefined;
  if (o.homeLeaseSecs !== undefined) {
    home = new DhcpServerNode({
      name: 'home-dhcp',
      interface: { name: 'eth0', address: HOME_DHCP, prefixLength: 24 },
      leases: {
        pools: [
          {
            name: 'home',
            subnet: '198.51.100.0',
            prefixLength: 24,
            rangeStart: '198.51.100.11',
            rangeEnd: '198.51.100.99',
            router: null,
            dns: [],
            leaseSecs: o.homeLeaseSecs,
            offerHoldSecs: 30,
          },
        ],
      },
    });
    nodes.push(home);
  }

  links.unshift({
    kind: 'segment',
    name: 'outside',
    attach: [
      ...clients.map((c) => ({ node: c.name, iface: 'eth0' })),
      ...gateways.map((g) => ({ node: g.name, iface: 'outside' })),
      ...(home === undefined ? [] : [{ node: home.name, iface: 'eth0' }]),
    ],
    profile: o.outsideProfile ?? { latencyUs: 10_000 },
  });

  const input: RunInput = {
    nodes,
    links,
    commands: o.commands ?? [],
    faults: o.faults ?? [],
    durationUs: o.durationUs,
  };
  return { input, clients, gateways, dhcpServers, home };
}
