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
import type { ProxyClientIdForm } from './dhcp-proxy/identity.ts';

export const MODE_CFG_DHCP = 'mode-cfg-dhcp';

const RENEWALS: readonly DhcpRenewal[] = ['none', 'renew-at-t1'];
const ON_DELETE: readonly LeaseOnDelete[] = ['release', 'keep'];
const RETRIES: readonly ProxyRetry[] = ['strongswan', 'rfc2131'];
const CLIENT_ID_FORMS: readonly ProxyClientIdForm[] = ['raw', 'type-0'];

/**
 * strongSwan has no IKE-side limit on the wait: the IKE_AUTH thread blocks in dhcp_socket.c `enroll` until DISCOVER
 * (1+2+3+4+5 s = 15 s) and then REQUEST (15 s) time out, and the proxy answers INTERNAL_ADDRESS_FAILURE itself. The
 * responder's `addressTimeoutMs` defaults to its maximum for this method so it never answers first.
 */
export const MODE_CFG_DHCP_ADDRESS_TIMEOUT_MS = 600_000;

export const DEFAULT_DHCP_PROXY: Omit<DhcpProxyOptions, 'serverAddress'> = {
  renewal: 'none',
  leaseOnDelete: 'release',
  option82: false,
  retry: 'strongswan',
  clientId: true,
  clientIdForm: 'raw',
  linkSelection: false,
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
    doc: 'gateway, lab extension: add relay agent information (option 82) with circuit-id = ike:<IKE SA> to the proxy requests (RFC 3046 §2.0); strongSwan sends no option 82 (dhcp_socket.c prepare_dhcp, the captures)',
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
    name: 'proxyClientIdForm',
    kind: 'enum',
    values: CLIENT_ID_FORMS,
    default: DEFAULT_DHCP_PROXY.clientIdForm,
    doc: 'gateway: option 61 as strongSwan writes it, the identity with no type octet (raw: dhcp_socket.c prepare_dhcp, the captures), or 00 ‖ identity (type-0, lab extension: RFC 2132 §9.14 type 0 "other than a hardware address")',
    section: MODE_CFG_DHCP,
  },
  {
    name: 'proxyLinkSelection',
    kind: 'bool',
    default: DEFAULT_DHCP_PROXY.linkSelection,
    doc: "gateway, lab extension: name the VPN subnet (linkSelectionSubnet) in option 82's link-selection sub-option (RFC 3527 §3) so a server picks the pool by it rather than by giaddr; strongSwan sends no option 82 (its server selects the subnet by giaddr, e.g. Kea relay.ip-addresses): false models that exactly",
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
    clientIdForm: oneOf(o, 'proxyClientIdForm', CLIENT_ID_FORMS, d.clientIdForm),
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
  policyDefaults: { addressTimeoutMs: MODE_CFG_DHCP_ADDRESS_TIMEOUT_MS },
};

export const modeCfgDhcpFactory = defineMethod(modeCfgDhcpMethod);
export { dhcpProxyProvider, type DhcpProxyOptions };
