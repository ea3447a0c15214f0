/**
 * The remote-access topology of test/support/topology.ts with one or more enterprise DHCP servers on the inside
 * segment and a DHCP-over-IKE method (client and gateway) wired through its registry factory, the way scenarios do.
 */
import type { PolicyValue } from '../../models/methods/policy.ts';
import { methodById } from '../../models/methods/index.ts';
import { DhcpServerNode } from '../../models/nodes/dhcp-server-node.ts';
import { buildTopology, type Topology, type TopologyOptions } from './topology.ts';

export interface DhcpServerSpec {
  readonly name: string;
  readonly address: string;
  readonly rangeStart?: string;
  readonly rangeEnd?: string;
  readonly leaseSecs?: number;
  /** Processing time per message (a slow server). */
  readonly serviceUs?: number;
  readonly restartKeepsLeases?: boolean;
  /** What a REQUEST for an unknown lease gets (lease-store.ts). */
  readonly renewUnknown?: 'ack-if-free' | 'nak' | 'ignore';
}

export interface DhcpTopologyOptions extends Omit<TopologyOptions, 'method' | 'provider'> {
  readonly method: 'dhcp-over-ike' | 'dhcp-over-ike-wg';
  readonly policies?: Readonly<Record<string, PolicyValue>>;
  /** Extra raw client options for client i (lanMac, clientId, rememberedAddress, …). */
  readonly clientOptions?: (i: number) => Readonly<Record<string, unknown>>;
  readonly servers?: readonly DhcpServerSpec[];
  /** RFC 3527 sub-option 5; default the servers' VPN subnet 10.99.1.0. */
  readonly linkSelectionSubnet?: string | null;
}

export interface DhcpTopology extends Topology {
  readonly servers: DhcpServerNode[];
}

export const VPN_SUBNET = '10.99.1.0';
export const DHCP_SERVER = '10.1.0.2';

export function buildDhcpTopology(o: DhcpTopologyOptions): DhcpTopology {
  const factory = methodById(o.method);
  const policies = o.policies ?? {};
  const specs = o.servers ?? [{ name: 'dhcp', address: DHCP_SERVER }];
  const linkSelection = o.linkSelectionSubnet === undefined ? VPN_SUBNET : o.linkSelectionSubnet;
  const t = buildTopology({
    ...o,
    method: (i) => factory.client({ clientName: `client${i}`, policies, ...o.clientOptions?.(i) }),
    provider: (ctx) =>
      factory.gateway(
        {
          dhcpServers: specs.map((s) => s.address),
          ...(linkSelection === null ? {} : { linkSelectionSubnet: linkSelection }),
          gatewayName: 'gw',
          policies,
        },
        ctx,
      ),
  });
  const servers = specs.map(
    (s) =>
      new DhcpServerNode({
        name: s.name,
        interface: { name: 'eth0', address: s.address, prefixLength: 24 },
        leases: {
          pools: [
            {
              name: `${s.name}-vpn`,
              subnet: VPN_SUBNET,
              prefixLength: 24,
              rangeStart: s.rangeStart ?? '10.99.1.10',
              rangeEnd: s.rangeEnd ?? '10.99.1.200',
              router: null,
              dns: ['10.1.0.53'],
              leaseSecs: s.leaseSecs ?? 3600,
              offerHoldSecs: 30,
            },
          ],
          ...(s.renewUnknown === undefined ? {} : { renewUnknown: s.renewUnknown }),
        },
        ...(s.serviceUs === undefined ? {} : { serviceUs: s.serviceUs }),
        ...(s.restartKeepsLeases === undefined ? {} : { restartKeepsLeases: s.restartKeepsLeases }),
      }),
  );
  const links = t.input.links.map((l) =>
    l.kind === 'segment' && l.name === 'inside'
      ? { ...l, attach: [...l.attach, ...servers.map((s) => ({ node: s.name, iface: 'eth0' }))] }
      : l,
  );
  return { ...t, servers, input: { ...t.input, nodes: [...t.input.nodes, ...servers], links } };
}
