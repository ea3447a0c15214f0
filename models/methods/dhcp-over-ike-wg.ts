/**
 * `dhcp-over-ike-wg`: draft-ietf-ipsec-dhcp-over-ike-00 (Kivinen), §3 without EAP:
 *   IKE_AUTH SK{IDi, [IDr,] AUTH, SAi2, TSi(0.0.0.0–255.255.255.255), TSr(0.0.0.0–255.255.255.255), DHCP(DISCOVER)}
 *   (or DHCP(REQUEST) in INIT-REBOOT) ← SK{IDr, AUTH, DHCP(OFFER)…}; further IKE_AUTH rounds SK{DHCP(REQUEST)} until
 *   ← SK{DHCP(ACK), SAr2, TSi(leased address), TSr}. A response without DHCP ⇒ the same DHCP payload again in a new
 *   IKE_AUTH (new message ID, §3); a NAK ⇒ DISCOVER (§3 "MUST start … from the beginning"). htype 31, persistent
 *   chaddr (§4); the DHCP payload of §5. Renewal: the draft is silent (`dhcpIkeWgRenew`).
 */
import { dhcpPayload } from '../wire/ike/index.ts';
import { DhcpCarrier } from './dhcp-carrier/carrier.ts';
import { childExchanges } from './dhcp-carrier/child-exchanges.ts';
import { carrierIdentity, parseCarrierClientOptions, type CarrierClientOptions } from './dhcp-carrier/options.ts';
import { dhcpMessagesIn } from './gateway-relay/messages.ts';
import { parseRelayOptions } from './gateway-relay/options.ts';
import { dhcpRelayProvider } from './gateway-relay/provider.ts';
import type { RelayConfig } from './gateway-relay/relay.ts';
import { DHCP_OVER_IKE_POLICIES } from './dhcp-over-ike.ts';
import { defineMethod, type ClientAuthOutcome, type ClientMethodFactory, type Method } from './method.ts';

export const DHCP_OVER_IKE_WG = 'dhcp-over-ike-wg';
/** The Child SA of IKE_AUTH (initiator-core MAIN_SLOT). */
export const WG_SLOT = 'main';

export function dhcpOverIkeWgClient(options: CarrierClientOptions): ClientMethodFactory {
  return (ctx) => {
    const policy = options.policy;
    const carrier = new DhcpCarrier(ctx, {
      identity: carrierIdentity(options, ctx.outerAddress),
      clientName: options.clientName ?? ctx.outerAddress,
    });
    const child = childExchanges(ctx, carrier, WG_SLOT, policy);
    carrier.onSpontaneous = (m) => {
      if (ctx.ikeUp() && policy.wgRenew === 'rekey' && ctx.children().some((c) => c.slot === WG_SLOT)) child.carry(m);
    };
    let firstSession = true;
    let emptyRounds = 0;
    const fail = (notify: string): ClientAuthOutcome => ({ kind: 'failed', notify });
    return {
      childInAuth: true,
      authRequestPayloads() {
        emptyRounds = 0;
        const remembered = firstSession
          ? (options.rememberedAddress ?? null)
          : policy.rememberAddress
            ? carrier.lastAddress
            : null;
        firstSession = false;
        const m = carrier.begin(remembered);
        return m === undefined ? [] : [dhcpPayload(m)];
      },
      processAuthResponse(resp, errors) {
        const messages = dhcpMessagesIn(resp);
        if (messages.length === 0) {
          if (errors[0] !== undefined) return fail(errors[0]);
          // §3: no DHCP in the response ⇒ the same DHCP payload in a new IKE_AUTH (new message ID).
          emptyRounds += 1;
          if (emptyRounds <= policy.resendMax) {
            const m = carrier.resend();
            return m === undefined ? fail('INTERNAL_ADDRESS_FAILURE') : { kind: 'more', payloads: [dhcpPayload(m)] };
          }
          const state = carrier.state();
          if (state === 'REQUESTING' || state === 'REBOOTING') {
            // §3: "if client is trying to use DHCPREQUEST and does not get any reply back … starts again with
            // DHCPDISCOVER".
            emptyRounds = 0;
            const m = carrier.begin(null);
            if (m !== undefined) return { kind: 'more', payloads: [dhcpPayload(m)] };
          }
          return fail('INTERNAL_ADDRESS_FAILURE');
        }
        const r = carrier.deliver(messages);
        for (const e of r.events) {
          if (e.type === 'dhcp.bound') {
            return { kind: 'configured', config: carrier.configOf(e) };
          }
        }
        // OFFER(s) ⇒ REQUEST; NAK ⇒ DISCOVER (the machine restarts at once, RFC 2131 §3.2 / draft-ietf §3).
        if (r.sent !== undefined) {
          emptyRounds = 0;
          return { kind: 'more', payloads: [dhcpPayload(r.sent)] };
        }
        return fail(errors[0] ?? 'INTERNAL_ADDRESS_FAILURE');
      },
      onIkeUp(config) {
        if (config !== undefined && policy.wgRenew === 'rekey') child.scheduleRekey();
      },
      childRequestPayloads: (info) => (policy.wgRenew === 'rekey' ? child.childRequestPayloads(info) : []),
      processChildResponse: (info, resp, errors) => child.processChildResponse(info, resp, errors),
      onIkeClosed() {
        carrier.stop();
      },
      stop: () => carrier.stop(),
    };
  };
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
