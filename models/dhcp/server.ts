/**
 * The DHCP server's answer to one message, as a pure function around the lease store: DISCOVER → OFFER, REQUEST →
 * ACK/NAK (RFC 2131 §4.3.2), DECLINE, RELEASE, INFORM → ACK without yiaddr (§3.4, §4.3.5). Where the reply goes is
 * part of the outcome (§4.1). Queueing, load and timers are the server machine's business (server-machine.ts).
 */
import type { DhcpMessage, DhcpOption, Ipv4Address, RelayAgentSubOption } from '../wire/dhcp/types.ts';
import { DhcpMessageType } from '../wire/dhcp/types.ts';
import { ZERO_FILE, ZERO_SNAME } from '../wire/dhcp/codec.ts';
import { FLAG_BROADCAST } from './client-messages.ts';
import { BROADCAST_ADDRESS, ZERO_ADDRESS, isZeroAddress, prefixToNetmask } from '../wire/ipv4-address.ts';
import type { LeaseStore, PoolConfig, RequestKind } from './lease-store.ts';
import { findOption, messageTypeOf, toHex, toHexPrefix } from './options.ts';
import { fitted } from '../wire/fitted.ts';

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

export interface DhcpServerConfig {
  /** Option 54 in every reply, and what a SELECTING REQUEST must name (unless a relay overrides it, RFC 5107). */
  readonly serverId: Ipv4Address;
}

export interface UdpEndpoint {
  readonly address: Ipv4Address;
  readonly port: number;
}

export interface ServerReceived {
  /** Address of the interface the message arrived on (pool choice for direct clients). */
  readonly interfaceAddress: Ipv4Address | null;
}

export type ServerOutcome =
  | {
      readonly kind: 'reply';
      readonly message: DhcpMessage;
      readonly destination: UdpEndpoint;
      /** A short trace note: what was decided, e.g. `ACK 10.0.0.5 (renewing)`. */
      readonly note: string;
    }
  /** Nothing sent; `reason` for the trace. */
  | {
      readonly kind: 'silent';
      readonly reason: string;
      readonly note: string;
      /** A lease this message ended before its time (RELEASE, DECLINE): the invariant checker's server-side truth. */
      readonly ended?: Ipv4Address;
    };

/** Option 61 if present (RFC 2132 §9.14), else (htype, chaddr[:hlen]) — RFC 2131 §4.2. */
export function clientKeyOf(message: DhcpMessage): string {
  const clientId = findOption(message, 'clientId');
  if (clientId) return `id:${clientId.type}:${toHex(clientId.data)}`;
  return `hw:${message.htype}:${toHexPrefix(message.chaddr, Math.min(16, message.hlen))}`;
}

/** §4.3.2: which client state a REQUEST comes from. */
export function classifyRequest(message: DhcpMessage): RequestKind | null {
  if (findOption(message, 'serverId')) return 'selecting';
  if (findOption(message, 'requestedAddress') && isZeroAddress(message.ciaddr)) return 'init-reboot';
  if (!isZeroAddress(message.ciaddr)) return 'renewing';
  return null;
}

function relayAgentInfo(message: DhcpMessage): Extract<DhcpOption, { kind: 'relayAgentInfo' }> | undefined {
  return findOption(message, 'relayAgentInfo');
}

function subOption<K extends RelayAgentSubOption['kind']>(
  message: DhcpMessage,
  kind: K,
): Extract<RelayAgentSubOption, { kind: K }> | undefined {
  const info = relayAgentInfo(message);
  return info?.subOptions.find((s): s is Extract<RelayAgentSubOption, { kind: K }> => s.kind === kind);
}

/** RFC 5107 §4: a relay's server-identifier override stands in for our address in option 54. */
export function effectiveServerId(config: DhcpServerConfig, message: DhcpMessage): Ipv4Address {
  return subOption(message, 'serverIdOverride')?.serverId ?? config.serverId;
}

/**
 * RFC 2131 §4.1 (and §4.3.2 for NAK): relayed → giaddr:67; NAK → broadcast; ciaddr set → ciaddr; BROADCAST bit →
 * broadcast; otherwise unicast to yiaddr.
 */
export function replyDestination(request: DhcpMessage, reply: DhcpMessage): UdpEndpoint {
  if (!isZeroAddress(request.giaddr)) return { address: request.giaddr, port: DHCP_SERVER_PORT };
  if (messageTypeOf(reply) === DhcpMessageType.NAK) return { address: BROADCAST_ADDRESS, port: DHCP_CLIENT_PORT };
  if (!isZeroAddress(request.ciaddr)) return { address: request.ciaddr, port: DHCP_CLIENT_PORT };
  if ((request.flags & FLAG_BROADCAST) !== 0) return { address: BROADCAST_ADDRESS, port: DHCP_CLIENT_PORT };
  return { address: reply.yiaddr, port: DHCP_CLIENT_PORT };
}

function poolOptions(pool: PoolConfig, withLease: boolean): DhcpOption[] {
  const options: DhcpOption[] = [];
  if (withLease) {
    options.push({ kind: 'leaseTime', secs: pool.leaseSecs });
    if (pool.t1Secs !== undefined) options.push({ kind: 'renewalTime', secs: pool.t1Secs });
    if (pool.t2Secs !== undefined) options.push({ kind: 'rebindingTime', secs: pool.t2Secs });
  }
  options.push({ kind: 'subnetMask', mask: prefixToNetmask(pool.prefixLength) });
  if (pool.router) options.push({ kind: 'routers', addresses: [pool.router] });
  if (pool.dns.length > 0) options.push({ kind: 'dnsServers', addresses: pool.dns });
  return options;
}

/**
 * A BOOTREPLY per §4.3.1 table 3. Option 82 from the request is appended unchanged — the same option value, so the
 * same sub-options in the same order and the same bytes (RFC 3046 §2.2). No client identifier (table 3: MUST NOT).
 */
function buildReply(
  request: DhcpMessage,
  type: (typeof DhcpMessageType)[keyof typeof DhcpMessageType],
  serverId: Ipv4Address,
  fields: { readonly yiaddr: Ipv4Address; readonly ciaddr: Ipv4Address },
  options: readonly DhcpOption[],
): DhcpMessage {
  const echo = relayAgentInfo(request);
  const relayed = !isZeroAddress(request.giaddr);
  return {
    op: 2,
    htype: request.htype,
    hlen: request.hlen,
    // RFC 2131 table 3 says 0; Kea, dnsmasq and ISC dhcpd copy the request's hops (issue 14 item 12), and relays
    // do not read it in replies (RFC 1542 §4.1.2), so the lab copies it as the servers users run do.
    hops: request.hops,
    xid: request.xid,
    secs: 0,
    // §4.3.2: a NAK to a relay has the BROADCAST bit set so the relay broadcasts it on the client's link.
    flags: type === DhcpMessageType.NAK && relayed ? request.flags | FLAG_BROADCAST : request.flags,
    ciaddr: fields.ciaddr,
    yiaddr: fields.yiaddr,
    siaddr: ZERO_ADDRESS,
    giaddr: request.giaddr,
    chaddr: request.chaddr,
    sname: ZERO_SNAME,
    file: ZERO_FILE,
    // Sized to fit: the reply rides in responses kept for retransmission (RFC 7296 §2.1) for the tunnel's life.
    options: fitted([
      { kind: 'messageType', type },
      { kind: 'serverId', address: serverId },
      ...options,
      ...(echo ? [echo] : []),
    ]),
    endPaddingBytes: 0,
  };
}

function reply(request: DhcpMessage, message: DhcpMessage, note: string): ServerOutcome {
  return { kind: 'reply', message, destination: replyDestination(request, message), note };
}

function silent(reason: string, note: string = reason, ended?: Ipv4Address): ServerOutcome {
  return ended === undefined ? { kind: 'silent', reason, note } : { kind: 'silent', reason, note, ended };
}

/** One message in, at most one reply out. Never throws on odd input: anything unusable is `silent` with a reason. */
export function handleDhcpMessage(
  store: LeaseStore,
  config: DhcpServerConfig,
  message: DhcpMessage,
  received: ServerReceived,
  nowUs: number,
): ServerOutcome {
  if (message.op !== 1) return silent('not-a-request');
  const type = messageTypeOf(message);
  if (type === null) return silent('bootp-unsupported');
  const pool = store.selectPool({
    linkSelection: subOption(message, 'linkSelection')?.subnet ?? null,
    giaddr: message.giaddr,
    ciaddr: message.ciaddr,
    receivingAddress: received.interfaceAddress,
  });
  if (!pool) return silent('no-pool', `no pool for giaddr ${message.giaddr}`);
  const clientKey = clientKeyOf(message);
  const serverId = effectiveServerId(config, message);

  switch (type) {
    case DhcpMessageType.DISCOVER: {
      const requested = findOption(message, 'requestedAddress')?.address ?? null;
      const result = store.offer({ pool: pool.name, clientKey, requestedAddress: requested }, nowUs);
      if (result.kind === 'exhausted') return silent('pool-exhausted', `pool ${pool.name} exhausted`);
      const offer = buildReply(
        message,
        DhcpMessageType.OFFER,
        serverId,
        { yiaddr: result.address, ciaddr: ZERO_ADDRESS },
        poolOptions(pool, true),
      );
      return reply(message, offer, `OFFER ${result.address}`);
    }
    case DhcpMessageType.REQUEST: {
      const kind = classifyRequest(message);
      if (kind === null) return silent('malformed-request');
      const requestServerId = findOption(message, 'serverId')?.address ?? null;
      const result = store.request(
        {
          pool: pool.name,
          clientKey,
          kind,
          requestedAddress: findOption(message, 'requestedAddress')?.address ?? null,
          ciaddr: message.ciaddr,
          serverIdMatches: requestServerId === serverId || requestServerId === config.serverId,
        },
        nowUs,
      );
      if (result.kind === 'ignore') return silent(result.reason, `REQUEST (${kind}) ignored: ${result.reason}`);
      if (result.kind === 'nak') {
        const nak = buildReply(
          message,
          DhcpMessageType.NAK,
          serverId,
          { yiaddr: ZERO_ADDRESS, ciaddr: ZERO_ADDRESS },
          [],
        );
        return reply(message, nak, `NAK (${kind}): ${result.reason}`);
      }
      const ack = buildReply(
        message,
        DhcpMessageType.ACK,
        serverId,
        { yiaddr: result.address, ciaddr: message.ciaddr },
        poolOptions(pool, true),
      );
      return reply(message, ack, `ACK ${result.address} (${kind})`);
    }
    case DhcpMessageType.DECLINE: {
      const address = findOption(message, 'requestedAddress')?.address;
      if (!address) return silent('malformed-decline');
      const done = store.decline({ pool: pool.name, clientKey, address }, nowUs);
      return done
        ? silent('declined', `DECLINE ${address} quarantined`, address)
        : silent('decline-unknown', `DECLINE ${address} unknown`);
    }
    case DhcpMessageType.RELEASE: {
      const done = store.release({ pool: pool.name, clientKey, address: message.ciaddr }, nowUs);
      return done
        ? silent('released', `RELEASE ${message.ciaddr}`, message.ciaddr)
        : silent('release-unknown', `RELEASE ${message.ciaddr} unknown`);
    }
    case DhcpMessageType.INFORM: {
      // §3.4 / §4.3.5: configuration only; no yiaddr, no lease time; reply to ciaddr.
      const ack = buildReply(
        message,
        DhcpMessageType.ACK,
        serverId,
        { yiaddr: ZERO_ADDRESS, ciaddr: message.ciaddr },
        poolOptions(pool, false),
      );
      return reply(message, ack, `ACK (inform) ${message.ciaddr}`);
    }
    default:
      return silent('not-a-client-message');
  }
}
