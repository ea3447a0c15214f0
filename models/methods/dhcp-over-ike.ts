/**
 * `dhcp-over-ike`: draft-richardson-ipsec-dhcp-over-ike-00 (the seed), §2 message for message:
 *   IKE_SA_INIT; IKE_AUTH SK{IDi, [IDr,] AUTH, DHCP(DISCOVER)} — childless (RFC 6023) — ← SK{IDr, AUTH, DHCP(OFFER)};
 *   CREATE_CHILD_SA SK{SAi2, Ni, TSi, TSr, DHCP(REQUEST)} ← SK{SAr2, Nr, TSi(leased address), TSr, DHCP(ACK)};
 *   every rekey: SK{N(REKEY_SA), SAi2, Ni, TSi, TSr, DHCP(REQUEST)} ← SK{SAr2, Nr, TSi, TSr, DHCP(ACK)}.
 * The client runs the RFC 2131 machine over IKE (dhcp-carrier/); the gateway relays (gateway-relay/, seed §3).
 */
import { dhcpPayload } from '../wire/ike/index.ts';
import { DhcpMessageType } from '../wire/dhcp/types.ts';
import type { DhcpMessage } from '../wire/dhcp/types.ts';
import { DhcpCarrier } from './dhcp-carrier/carrier.ts';
import { childExchanges } from './dhcp-carrier/child-exchanges.ts';
import { carrierIdentity, parseCarrierClientOptions, type CarrierClientOptions } from './dhcp-carrier/options.ts';
import { CARRIER_POLICIES } from './dhcp-carrier/policies.ts';
import { dhcpMessagesIn, isType } from './gateway-relay/messages.ts';
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

export function dhcpOverIkeClient(options: CarrierClientOptions): ClientMethodFactory {
  return (ctx) => {
    const carrier = new DhcpCarrier(ctx, {
      identity: carrierIdentity(options, ctx.outerAddress),
      clientName: options.clientName ?? ctx.outerAddress,
    });
    const child = childExchanges(ctx, carrier, TUNNEL_SLOT, options.policy);
    // T1 reached without a rekey (e.g. a failed one): the machine's REQUEST rides a rekey of its own.
    carrier.onSpontaneous = (m) => {
      if (ctx.ikeUp()) child.carry(m);
    };
    let request: DhcpMessage | undefined;
    return {
      childInAuth: false,
      authRequestPayloads() {
        // A new IKE SA: the DHCP exchange starts afresh at DISCOVER (seed §2; IKE give-up ends the old one).
        request = undefined;
        const m = carrier.begin(null);
        return m === undefined ? [] : [dhcpPayload(m)];
      },
      processAuthResponse(resp, errors) {
        const r = carrier.deliver(dhcpMessagesIn(resp));
        if (r.sent !== undefined && isType(r.sent, DhcpMessageType.REQUEST)) {
          request = r.sent;
          return { kind: 'configured', config: undefined };
        }
        return { kind: 'failed', notify: errors[0] ?? 'INTERNAL_ADDRESS_FAILURE' };
      },
      onIkeUp() {
        if (request !== undefined) child.carry(request);
        request = undefined;
      },
      childRequestPayloads: (info) => child.childRequestPayloads(info),
      processChildResponse: (info, resp, errors) => child.processChildResponse(info, resp, errors),
      onIkeClosed() {
        carrier.stop();
      },
      stop: () => carrier.stop(),
    };
  };
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
