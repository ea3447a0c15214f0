/**
 * What the builder hands a method's `client(options)` and `gateway(options, ctx)`. mode-cfg takes `ModeCfgClientOptions`
 * and `PoolOptions`; the DHCP-based methods get the same bag (a local pool if the gateway has one, the DHCP server to
 * relay to, the relay address, and every policy value), so they plug in without a change here.
 */
import type { PoolOptions } from '../models/methods/address-pool.ts';
import type { PolicyValue } from '../models/methods/policy.ts';
import { msToUs } from './units.ts';

export interface GatewayMethodOptions extends Partial<PoolOptions> {
  /** The enterprise DHCP server this gateway relays to (DHCP-based methods). */
  readonly dhcpServerAddress?: string;
  readonly dhcpServers?: readonly string[];
  /** RFC 3527 link selection: the VPN subnet (network address of the DHCP server's first pool). */
  readonly linkSelectionSubnet?: string;
  /** The gateway's inside address: giaddr of relayed DHCP (RFC 2131 §4.1). */
  readonly relayAddress: string;
  readonly gatewayName: string;
  readonly policies: Readonly<Record<string, PolicyValue>>;
}

export interface ClientMethodOptions {
  readonly clientName: string;
  readonly policies: Readonly<Record<string, PolicyValue>>;
  /** mode-cfg: send CP(CFG_REQUEST) (default true). */
  readonly requestConfig?: boolean;
}

export function gatewayOptions(o: {
  readonly pool: { first: string; last: string; prefixLength: number; dns: readonly string[] } | undefined;
  readonly dhcpServerAddress: string | undefined;
  readonly linkSelectionSubnet: string | undefined;
  readonly relayAddress: string;
  readonly gatewayName: string;
  readonly policies: Readonly<Record<string, PolicyValue>>;
}): GatewayMethodOptions {
  const reuse = o.policies['poolReuseDelayMs'];
  return {
    ...(o.pool ? { ...o.pool, reuseDelayUs: typeof reuse === 'number' ? msToUs(reuse) : 0 } : {}),
    ...(o.dhcpServerAddress ? { dhcpServerAddress: o.dhcpServerAddress, dhcpServers: [o.dhcpServerAddress] } : {}),
    ...(o.linkSelectionSubnet ? { linkSelectionSubnet: o.linkSelectionSubnet } : {}),
    relayAddress: o.relayAddress,
    gatewayName: o.gatewayName,
    policies: o.policies,
  };
}

export function clientOptions(
  clientName: string,
  policies: Readonly<Record<string, PolicyValue>>,
): ClientMethodOptions {
  const request = policies['requestConfig'];
  return { clientName, policies, ...(typeof request === 'boolean' ? { requestConfig: request } : {}) };
}
