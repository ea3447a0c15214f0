/**
 * DHCP relay agent functions (RFC 1542 §4.1, RFC 2131 §4.1, RFC 3046 option 82, RFC 3527 link selection, RFC 5107
 * server identifier override). Pure: the gateway or relay node keeps what it needs (its addresses, what it sent) and
 * calls these per message. Every result is typed; nothing throws on a received message.
 */
import { dhcpMessageLength } from '../wire/dhcp/codec.ts';
import type { DhcpMessage, DhcpOption, Ipv4Address, RelayAgentSubOption } from '../wire/dhcp/types.ts';
import { FLAG_BROADCAST } from './client-messages.ts';
import { BROADCAST_ADDRESS, isZeroAddress } from '../wire/ipv4-address.ts';
import { bytesEqual, findOption, withoutOption } from './options.ts';
import { DHCP_CLIENT_PORT } from './server.ts';
import type { UdpEndpoint } from './server.ts';

/** RFC 1542 §4.1.1: "silently discard BOOTREQUEST messages whose 'hops' field exceeds the value 16". */
export const RELAY_HOPS_MAX = 16;

/**
 * RFC 2131 §2: a client must accept 576-byte IP datagrams; without option 57 that is the size a relay keeps to:
 * 576 − 20 (IPv4) − 8 (UDP) = 548 bytes of DHCP message.
 */
export const DEFAULT_DHCP_MESSAGE_BYTES_MAX = 548;

export interface RelayRequestConfig {
  /** The relay's address on the client's link (RFC 2131 §4.1 giaddr). */
  readonly giaddr: Ipv4Address;
  /** RFC 3046 §3.1 / §3.2: identify the client's circuit and the remote end. */
  readonly circuitId: Uint8Array;
  readonly remoteId?: Uint8Array;
  /** RFC 3527 §3: the subnet to allocate from, when giaddr is not on it. */
  readonly linkSelection?: Ipv4Address;
  /** RFC 5107 §4: the address clients should see as the server (usually giaddr). */
  readonly serverIdOverride?: Ipv4Address;
  /**
   * RFC 3046 §2.1.1: whether the client side may send option 82 itself. Untrusted (false, the default): a request
   * arriving with option 82 is dropped.
   */
  readonly trustedClientSide?: boolean;
  /** Size limit for the relayed message (RFC 3046 §2.1); default 548, or option 57 − 28 when the client sent it. */
  readonly messageBytesMax?: number;
}

export type RelayRequestResult =
  | {
      readonly kind: 'forward';
      readonly message: DhcpMessage;
      /** The option 82 we appended, or null (already present from a trusted side, or it did not fit). */
      readonly added: readonly RelayAgentSubOption[] | null;
      /** RFC 3046 §2.1: forwarded without option 82 because it would not fit. Counted by the caller. */
      readonly option82Skipped: boolean;
    }
  | {
      readonly kind: 'drop';
      readonly reason: 'not-a-request' | 'hops-exceeded' | 'untrusted-option-82' | 'giaddr-spoofed';
    };

/** The sub-options a relay appends, in this order: 1, 2, 5, 11. */
export function relayAgentSubOptions(config: RelayRequestConfig): RelayAgentSubOption[] {
  const subs: RelayAgentSubOption[] = [{ kind: 'circuitId', data: config.circuitId }];
  if (config.remoteId) subs.push({ kind: 'remoteId', data: config.remoteId });
  if (config.linkSelection) subs.push({ kind: 'linkSelection', subnet: config.linkSelection });
  if (config.serverIdOverride) subs.push({ kind: 'serverIdOverride', serverId: config.serverIdOverride });
  return subs;
}

/**
 * A client's BOOTREQUEST on its way to the server: hops + 1 (dropped above 16, RFC 1542 §4.1.1), then by giaddr:
 * - giaddr = 0 (we are the first-hop relay): giaddr set to ours; a client-supplied option 82 is dropped unless the
 *   client side is trusted, when it is forwarded as it came (RFC 3046 §2.1: no "second" option 82); otherwise option
 *   82 is appended before END (RFC 3046 §2.1) unless it would exceed the size limit (then the message goes without it);
 * - giaddr ≠ 0 (a relay closer to the client set it, RFC 3046 §2.1.1 "Reforwarded DHCP requests"): dropped when
 *   giaddr is our own address (it "spoofs a giaddr address implemented by the local agent itself"), else forwarded
 *   "WITHOUT adding any relay agent options" and with giaddr unchanged, whatever option 82 it carries.
 */
export function relayRequest(message: DhcpMessage, config: RelayRequestConfig): RelayRequestResult {
  if (message.op !== 1) return { kind: 'drop', reason: 'not-a-request' };
  if (message.hops > RELAY_HOPS_MAX) return { kind: 'drop', reason: 'hops-exceeded' };
  if (!isZeroAddress(message.giaddr)) {
    if (message.giaddr === config.giaddr) return { kind: 'drop', reason: 'giaddr-spoofed' };
    return { kind: 'forward', message: { ...message, hops: message.hops + 1 }, added: null, option82Skipped: false };
  }
  const forwarded: DhcpMessage = { ...message, hops: message.hops + 1, giaddr: config.giaddr };
  if (findOption(message, 'relayAgentInfo')) {
    // RFC 3046 §2.1: option 82 with giaddr = 0 is only believed from a trusted circuit (a bridge that added it); a
    // trusted one is forwarded as it came, giaddr set (no second option 82).
    if (!config.trustedClientSide) return { kind: 'drop', reason: 'untrusted-option-82' };
    return { kind: 'forward', message: forwarded, added: null, option82Skipped: false };
  }
  const subs = relayAgentSubOptions(config);
  const option: DhcpOption = { kind: 'relayAgentInfo', subOptions: subs };
  const maxMessageSize = findOption(message, 'maxMessageSize')?.bytes;
  const limit = config.messageBytesMax ?? (maxMessageSize ? maxMessageSize - 28 : DEFAULT_DHCP_MESSAGE_BYTES_MAX);
  const withOption: DhcpMessage = { ...forwarded, options: [...forwarded.options, option] };
  // Trailing zero padding after END may shrink to make room (it only pads the message to the BOOTP minimum).
  const size = dhcpMessageLength({ ...withOption, endPaddingBytes: 0 });
  if (size > limit) return { kind: 'forward', message: forwarded, added: null, option82Skipped: true };
  const padding = Math.max(0, Math.min(message.endPaddingBytes, dhcpMessageLength(message) - size));
  return { kind: 'forward', message: { ...withOption, endPaddingBytes: padding }, added: subs, option82Skipped: false };
}

export interface RelayReplyConfig {
  /** Our giaddr(s): a reply for another relay is not ours to forward. */
  readonly ourAddresses: readonly Ipv4Address[];
  /**
   * What we put in option 82 for this client (looked up by the caller, e.g. by circuit id), or null when we sent
   * the request without it (size limit): then the reply must carry none.
   */
  readonly expected: readonly RelayAgentSubOption[] | null;
}

export type RelayReplyResult =
  | {
      readonly kind: 'forward';
      /** Option 82 stripped (RFC 3046 §2.2: "the relay agent MUST remove the option before forwarding"). */
      readonly message: DhcpMessage;
      /** RFC 2131 §4.1: broadcast when the BROADCAST bit is set, else unicast to yiaddr (ciaddr when set). */
      readonly destination: UdpEndpoint;
    }
  | {
      readonly kind: 'drop';
      readonly reason: 'not-a-reply' | 'not-our-giaddr' | 'option-82-missing' | 'option-82-mismatch';
    };

function subOptionEqual(a: RelayAgentSubOption, b: RelayAgentSubOption): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'circuitId':
    case 'remoteId':
      return bytesEqual(a.data, (b as typeof a).data);
    case 'linkSelection':
      return a.subnet === (b as typeof a).subnet;
    case 'serverIdOverride':
      return a.serverId === (b as typeof a).serverId;
    case 'relayPort':
      return a.port === (b as typeof a).port;
    case 'raw':
      return a.code === (b as typeof a).code && bytesEqual(a.data, (b as typeof a).data);
  }
}

/** Same sub-options, same order, same values. */
export function relayAgentInfoEqual(a: readonly RelayAgentSubOption[], b: readonly RelayAgentSubOption[]): boolean {
  return (
    a.length === b.length &&
    a.every((sub, i) => {
      const other = b[i];
      return other !== undefined && subOptionEqual(sub, other);
    })
  );
}

/** The option 82 sub-options of a message, or null. */
export function readRelayAgentInfo(message: DhcpMessage): readonly RelayAgentSubOption[] | null {
  return findOption(message, 'relayAgentInfo')?.subOptions ?? null;
}

/** A server's BOOTREPLY arriving at the relay: check it is ours, strip option 82, pick the client destination. */
export function relayReply(message: DhcpMessage, config: RelayReplyConfig): RelayReplyResult {
  if (message.op !== 2) return { kind: 'drop', reason: 'not-a-reply' };
  if (!config.ourAddresses.includes(message.giaddr)) return { kind: 'drop', reason: 'not-our-giaddr' };
  const info = readRelayAgentInfo(message);
  if (config.expected !== null) {
    if (info === null) return { kind: 'drop', reason: 'option-82-missing' };
    if (!relayAgentInfoEqual(info, config.expected)) return { kind: 'drop', reason: 'option-82-mismatch' };
  } else if (info !== null) {
    return { kind: 'drop', reason: 'option-82-mismatch' };
  }
  const stripped: DhcpMessage = { ...message, options: withoutOption(message.options, 'relayAgentInfo') };
  return { kind: 'forward', message: stripped, destination: clientDestination(stripped) };
}

/** RFC 2131 §4.1 for the relay's last hop: ciaddr, else broadcast bit, else yiaddr. */
export function clientDestination(reply: DhcpMessage): UdpEndpoint {
  if (!isZeroAddress(reply.ciaddr)) return { address: reply.ciaddr, port: DHCP_CLIENT_PORT };
  if ((reply.flags & FLAG_BROADCAST) !== 0 || isZeroAddress(reply.yiaddr)) {
    return { address: BROADCAST_ADDRESS, port: DHCP_CLIENT_PORT };
  }
  return { address: reply.yiaddr, port: DHCP_CLIENT_PORT };
}
