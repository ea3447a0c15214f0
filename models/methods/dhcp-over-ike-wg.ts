/**
 * `dhcp-over-ike-wg`: draft-ietf-ipsec-dhcp-over-ike-00 (Kivinen), §3 without EAP:
 *   IKE_AUTH SK{IDi, [IDr,] AUTH, SAi2, TSi(0.0.0.0–255.255.255.255), TSr(0.0.0.0–255.255.255.255), DHCP(DISCOVER)}
 *   (or DHCP(REQUEST) in INIT-REBOOT) ← SK{IDr, AUTH, DHCP(OFFER)…}; further IKE_AUTH rounds SK{DHCP(REQUEST)} until
 *   ← SK{DHCP(ACK), SAr2, TSi(leased address), TSr}. A response without DHCP ⇒ the same DHCP payload again in a new
 *   IKE_AUTH (new message ID, §3); a NAK ⇒ DISCOVER (§3 "MUST start … from the beginning"). htype 31, persistent
 *   chaddr (§4); the DHCP payload of §5. Renewal: the draft is silent (`dhcpIkeWgRenew`).
 */
import { parseCarrierClientOptions, type CarrierClientOptions } from './dhcp-carrier/options.ts';
import { carrierTasks } from './dhcp-carrier/tasks.ts';
import { parseRelayOptions } from './gateway-relay/options.ts';
import { dhcpRelayProvider } from './gateway-relay/provider.ts';
import type { RelayConfig } from './gateway-relay/relay.ts';
import { DHCP_OVER_IKE_POLICIES } from './dhcp-over-ike.ts';
import { defineMethod, type ClientMethodFactory, type Method } from './method.ts';

export const DHCP_OVER_IKE_WG = 'dhcp-over-ike-wg';
/** The Child SA of IKE_AUTH (initiator-core MAIN_SLOT). */
export const WG_SLOT = 'main';

/** The carrier machine (dhcp-carrier/carrier-machine.ts) in its WG variant, carrying DHCP in the `main` slot. */
export function dhcpOverIkeWgClient(options: CarrierClientOptions): ClientMethodFactory {
  return (ctx) => carrierTasks(ctx, options, 'wg', WG_SLOT);
}

export const dhcpOverIkeWgMethod: Method<CarrierClientOptions, RelayConfig> = {
  id: DHCP_OVER_IKE_WG,
  parseClientOptions: parseCarrierClientOptions,
  parseGatewayOptions: parseRelayOptions,
  client: dhcpOverIkeWgClient,
  policies: DHCP_OVER_IKE_POLICIES,
  gateway: (options, ctx) => dhcpRelayProvider(ctx, options, 'wg'),
};

export const dhcpOverIkeWgFactory = defineMethod(dhcpOverIkeWgMethod);
