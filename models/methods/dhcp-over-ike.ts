/**
 * `dhcp-over-ike`: draft-richardson-ipsec-dhcp-over-ike-00 (the seed), §2 message for message:
 *   IKE_SA_INIT; IKE_AUTH SK{IDi, [IDr,] AUTH, DHCP(DISCOVER)} — childless (RFC 6023) — ← SK{IDr, AUTH, DHCP(OFFER)};
 *   CREATE_CHILD_SA SK{SAi2, Ni, TSi, TSr, DHCP(REQUEST)} ← SK{SAr2, Nr, TSi(leased address), TSr, DHCP(ACK)};
 *   every rekey: SK{N(REKEY_SA), SAi2, Ni, TSi, TSr, DHCP(REQUEST)} ← SK{SAr2, Nr, TSi, TSr, DHCP(ACK)}.
 * The client runs the RFC 2131 machine over IKE (dhcp-carrier/); the gateway relays (gateway-relay/, seed §3).
 */
import { parseCarrierClientOptions, type CarrierClientOptions } from './dhcp-carrier/options.ts';
import { CARRIER_POLICIES } from './dhcp-carrier/policies.ts';
import { carrierTasks } from './dhcp-carrier/tasks.ts';
import { parseRelayOptions } from './gateway-relay/options.ts';
import { RELAY_POLICIES } from './gateway-relay/policies.ts';
import { dhcpRelayProvider } from './gateway-relay/provider.ts';
import type { RelayConfig } from './gateway-relay/relay.ts';
import { defineMethod, type ClientMethodFactory, type Method } from './method.ts';
import type { PolicyDescriptor } from './policy.ts';

export const DHCP_OVER_IKE = 'dhcp-over-ike';
/** The Child SA the CREATE_CHILD_SA of seed §2 step 5 creates (and every rekey renews). */
export const TUNNEL_SLOT = 'tunnel';

/** Every named policy of the two DHCP-over-IKE methods (client and gateway). */
export const DHCP_OVER_IKE_POLICIES: readonly PolicyDescriptor[] = [...CARRIER_POLICIES, ...RELAY_POLICIES];

/** The carrier machine (dhcp-carrier/carrier-machine.ts) in its seed variant, carrying DHCP in the `tunnel` slot. */
export function dhcpOverIkeClient(options: CarrierClientOptions): ClientMethodFactory {
  return (ctx) => carrierTasks(ctx, options, 'seed', TUNNEL_SLOT);
}

export const dhcpOverIkeMethod: Method<CarrierClientOptions, RelayConfig> = {
  id: DHCP_OVER_IKE,
  parseClientOptions: parseCarrierClientOptions,
  parseGatewayOptions: parseRelayOptions,
  client: dhcpOverIkeClient,
  policies: DHCP_OVER_IKE_POLICIES,
  gateway: (options, ctx) => dhcpRelayProvider(ctx, options, 'seed'),
};

export const dhcpOverIkeFactory = defineMethod(dhcpOverIkeMethod);
