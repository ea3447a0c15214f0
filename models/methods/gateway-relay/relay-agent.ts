/**
 * What the DHCP-over-IKE relay puts into and checks on the server leg, per IKE SA (stateless helpers shared by the
 * relay router, relay.ts, and its session machine, session-machine.ts).
 */
import { withoutOption } from '../../dhcp/options.ts';
import type { RelayRequestConfig } from '../../dhcp/relay.ts';
import type { DhcpMessage, RelayAgentSubOption } from '../../wire/dhcp/types.ts';
import { DhcpMessageType } from '../../wire/dhcp/types.ts';
import type { RelayPolicy } from './policies.ts';
import { circuitIdOf } from '../circuit-id.ts';

export interface RelayConfig {
  /** The enterprise DHCP server(s); every request goes to each (RFC 2131 §4.1 "one or more servers"). */
  readonly servers: readonly string[];
  /** RFC 3527: the VPN subnet, named in sub-option 5 when `linkSelection` is on. */
  readonly linkSelectionSubnet?: string;
  /** For `dhcp.retransmit {gateway}`. */
  readonly gatewayName: string;
  readonly policy: RelayPolicy;
}

/**
 * `first`: finish at the first reply; `window`: collect OFFERs until the window ends (an ACK or NAK finishes at once:
 * only the server named in the REQUEST answers it, RFC 2131 §4.3.2). Deadline `collect`: no reply after
 * `collectMs` (draft-ietf §3); `retries`: after the server retry schedule is spent.
 */
export interface RelayMode {
  readonly collect: 'first' | 'window';
  readonly deadline: 'collect' | 'retries';
}

export type RelayOutcome =
  | { readonly kind: 'replies'; readonly replies: readonly DhcpMessage[] }
  | { readonly kind: 'no-reply' }
  | { readonly kind: 'refused'; readonly reason: string };

const text = new TextEncoder();

/** The option 82 sub-options for an SA (RFC 3046 §3.1 circuit-id, §3.2 remote-id; RFC 3527; RFC 5107). */
export function requestConfigOf(
  config: RelayConfig,
  insideAddress: string,
  ikeSaId: string,
  peerId: string,
): RelayRequestConfig {
  const p = config.policy;
  return {
    giaddr: insideAddress,
    circuitId: circuitIdOf(ikeSaId),
    ...(p.option82 === 'ike-identity' ? { remoteId: text.encode(peerId) } : {}),
    ...(p.linkSelection && config.linkSelectionSubnet !== undefined
      ? { linkSelection: config.linkSelectionSubnet }
      : {}),
    ...(p.serverIdOverride ? { serverIdOverride: insideAddress } : {}),
    trustedClientSide: false,
  };
}

/** RFC 3046 §2.2: what a server's reply must echo for this SA (null: option 82 off, the reply must carry none). */
export function expectedSubOptions(
  config: RelayConfig,
  insideAddress: string,
  ikeSaId: string,
  peerId: string,
): readonly RelayAgentSubOption[] | null {
  if (config.policy.option82 === 'off') return null;
  const c = requestConfigOf(config, insideAddress, ikeSaId, peerId);
  const subs: RelayAgentSubOption[] = [{ kind: 'circuitId', data: c.circuitId }];
  if (c.remoteId) subs.push({ kind: 'remoteId', data: c.remoteId });
  if (c.linkSelection) subs.push({ kind: 'linkSelection', subnet: c.linkSelection });
  if (c.serverIdOverride) subs.push({ kind: 'serverIdOverride', serverId: c.serverIdOverride });
  return subs;
}

/** `dhcpIkeOption82 = off`: nothing of RFC 3046 reaches the server. */
export function withPolicyOption82(config: RelayConfig, m: DhcpMessage): DhcpMessage {
  return config.policy.option82 === 'off' ? { ...m, options: withoutOption(m.options, 'relayAgentInfo') } : m;
}

export function dhcpTypeName(type: number | null): string {
  switch (type) {
    case DhcpMessageType.DISCOVER:
      return 'DISCOVER';
    case DhcpMessageType.OFFER:
      return 'OFFER';
    case DhcpMessageType.REQUEST:
      return 'REQUEST';
    case DhcpMessageType.DECLINE:
      return 'DECLINE';
    case DhcpMessageType.ACK:
      return 'ACK';
    case DhcpMessageType.NAK:
      return 'NAK';
    case DhcpMessageType.RELEASE:
      return 'RELEASE';
    case DhcpMessageType.INFORM:
      return 'INFORM';
    default:
      return 'BOOTP';
  }
}

/** Which reply types answer a request type (RFC 2131 §4.3). */
export function answers(requestType: number, replyType: number | null): boolean {
  if (requestType === DhcpMessageType.DISCOVER) return replyType === DhcpMessageType.OFFER;
  return replyType === DhcpMessageType.ACK || replyType === DhcpMessageType.NAK;
}
