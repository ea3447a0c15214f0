/**
 * `mode-cfg-dhcp`: IKEv2 mode-cfg (RFC 7296 §2.19: CP(CFG_REQUEST) in IKE_AUTH, CP(CFG_REPLY) back) where the
 * gateway's address provider is a DHCP client acting on the peer's behalf — strongSwan's `dhcp` plugin, modelled
 * (dhcp-proxy/). The client side is plain mode-cfg.
 */
import { defineMethod, optionalBoolean, OptionError, type Method, type OptionRecord } from './method.ts';
import { serverAddressOf, withPolicies } from './dhcp-over-ipsec.ts';
import { modeCfgClient, parseModeCfgClientOptions, type ModeCfgClientOptions } from './mode-cfg.ts';
import type { PolicyDescriptor } from './policy.ts';
import { dhcpProxyProvider, type DhcpProxyOptions, type LeaseOnDelete } from './dhcp-proxy/provider.ts';
import type { DhcpRenewal, ProxyRetry } from './dhcp-proxy/session-machine.ts';

export const MODE_CFG_DHCP = 'mode-cfg-dhcp';

const RENEWALS: readonly DhcpRenewal[] = ['none', 'renew-at-t1'];
const ON_DELETE: readonly LeaseOnDelete[] = ['release', 'keep'];
const RETRIES: readonly ProxyRetry[] = ['strongswan', 'rfc2131'];

export const DEFAULT_DHCP_PROXY: Omit<DhcpProxyOptions, 'serverAddress'> = {
  renewal: 'none',
  leaseOnDelete: 'release',
  option82: false,
  retry: 'strongswan',
  clientId: true,
  linkSelection: true,
  leaseGuard: true,
};

export const modeCfgDhcpPolicies: readonly PolicyDescriptor[] = [
  {
    name: 'dhcpRenewal',
    kind: 'enum',
    values: RENEWALS,
    default: DEFAULT_DHCP_PROXY.renewal,
    doc: "gateway: renew the peer's lease — none (strongSwan's dhcp plugin: the lease can expire while the tunnel is up) or at T1 (RFC 2131 §4.4.5)",
    section: MODE_CFG_DHCP,
  },
  {
    name: 'leaseOnDelete',
    kind: 'enum',
    values: ON_DELETE,
    default: DEFAULT_DHCP_PROXY.leaseOnDelete,
    doc: 'gateway: on IKE SA delete send DHCPRELEASE (strongSwan dhcp_provider release_address, RFC 2131 §4.4.6) or keep the lease until it expires',
    section: MODE_CFG_DHCP,
  },
  {
    name: 'proxyOption82',
    kind: 'bool',
    default: DEFAULT_DHCP_PROXY.option82,
    doc: 'gateway: add relay agent information (option 82, circuit-id = ike:<IKE SA>) to the proxy requests (RFC 3046 §2.0); strongSwan sends none',
    section: MODE_CFG_DHCP,
  },
  {
    name: 'proxyRetry',
    kind: 'enum',
    values: RETRIES,
    default: DEFAULT_DHCP_PROXY.retry,
    doc: 'gateway: proxy retransmission — strongSwan dhcp_socket.c (5 tries, waits 1–5 s per phase) or RFC 2131 §4.1 (4 s doubling ±1 s)',
    section: MODE_CFG_DHCP,
  },
  {
    name: 'proxyClientId',
    kind: 'bool',
    default: DEFAULT_DHCP_PROXY.clientId,
    doc: 'gateway: send the IKE identity as client identifier (option 61, RFC 2132 §9.14; strongSwan identity_lease)',
    section: MODE_CFG_DHCP,
  },
  {
    name: 'proxyLinkSelection',
    kind: 'bool',
    default: DEFAULT_DHCP_PROXY.linkSelection,
    doc: "gateway: when configured with the VPN subnet (linkSelectionSubnet), name it in option 82's link-selection sub-option (RFC 3527 §3) so a server whose scope does not hold giaddr still picks the pool; strongSwan sends no option 82 (its deployments put giaddr in the scope): false models that exactly",
    section: MODE_CFG_DHCP,
  },
  {
    name: 'proxyLeaseGuard',
    kind: 'bool',
    default: DEFAULT_DHCP_PROXY.leaseGuard,
    doc: 'gateway: when a lease was not renewed by halfway from T2 to expiry, delete the IKE SA so the peer drops the address before the server can give it away (RFC 2131 §4.4.5, RFC 7296 §1.4.1); false = strongSwan, the lease may lapse under the tunnel',
    section: MODE_CFG_DHCP,
  },
];

function oneOf<T extends string>(o: OptionRecord, key: string, values: readonly T[], fallback: T): T {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !values.includes(v as T))
    throw new OptionError(`gateway.${key}`, `expected one of ${values.join(', ')}`);
  return v as T;
}

export function parseDhcpProxyOptions(raw: unknown): DhcpProxyOptions {
  const o = withPolicies(raw, 'gateway');
  const d = DEFAULT_DHCP_PROXY;
  return {
    serverAddress: serverAddressOf(o),
    renewal: oneOf(o, 'dhcpRenewal', RENEWALS, d.renewal),
    leaseOnDelete: oneOf(o, 'leaseOnDelete', ON_DELETE, d.leaseOnDelete),
    retry: oneOf(o, 'proxyRetry', RETRIES, d.retry),
    option82: optionalBoolean(o, 'proxyOption82', 'gateway') ?? d.option82,
    clientId: optionalBoolean(o, 'proxyClientId', 'gateway') ?? d.clientId,
    linkSelection: optionalBoolean(o, 'proxyLinkSelection', 'gateway') ?? d.linkSelection,
    leaseGuard: optionalBoolean(o, 'proxyLeaseGuard', 'gateway') ?? d.leaseGuard,
    ...(typeof o['linkSelectionSubnet'] === 'string' ? { linkSelectionSubnet: o['linkSelectionSubnet'] } : {}),
  };
}

export const modeCfgDhcpMethod: Method<ModeCfgClientOptions, DhcpProxyOptions> = {
  id: MODE_CFG_DHCP,
  parseClientOptions: parseModeCfgClientOptions,
  parseGatewayOptions: parseDhcpProxyOptions,
  client: (options) => () => modeCfgClient(options),
  gateway: (options, ctx) => dhcpProxyProvider(options, ctx),
  policies: modeCfgDhcpPolicies,
};

export const modeCfgDhcpFactory = defineMethod(modeCfgDhcpMethod);
export { dhcpProxyProvider, type DhcpProxyOptions };
