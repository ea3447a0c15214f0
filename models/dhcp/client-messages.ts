/**
 * The messages a client sends, field by field as RFC 2131 §4.4.1 table 5 prescribes for each state. Pure builders:
 * the machine supplies xid, secs and addresses.
 */
import type { DhcpMessage, DhcpOption, Ipv4Address } from '../wire/dhcp/types.ts';
import { DhcpMessageType } from '../wire/dhcp/types.ts';
import { ZERO_FILE, ZERO_SNAME } from '../wire/dhcp/codec.ts';
import type { DhcpClientIdentity } from './client-identity.ts';
import { ZERO_ADDRESS } from '../wire/ipv4-address.ts';
import { fitted } from '../wire/fitted.ts';

/** RFC 2131 §2: the BROADCAST bit of `flags`. */
export const FLAG_BROADCAST = 0x8000;

/** Subnet mask, router, DNS, lease time, T1, T2 (RFC 2132 §3.3, §3.5, §3.8, §9.2, §9.11, §9.12). */
export const DEFAULT_PARAMETER_REQUEST_LIST: readonly number[] = [1, 3, 6, 51, 58, 59];

export interface ClientMessageBase {
  readonly identity: DhcpClientIdentity;
  readonly xid: number;
  readonly secs: number;
  readonly broadcastFlag: boolean;
  readonly parameterRequestList: readonly number[];
}

function baseMessage(
  base: ClientMessageBase,
  type: (typeof DhcpMessageType)[keyof typeof DhcpMessageType],
  fields: { readonly ciaddr?: Ipv4Address; readonly secs?: number; readonly flags?: number },
  options: readonly DhcpOption[],
): DhcpMessage {
  const clientId: DhcpOption[] = base.identity.clientId
    ? [{ kind: 'clientId', type: base.identity.clientId.type, data: base.identity.clientId.data }]
    : [];
  return {
    op: 1,
    htype: base.identity.htype,
    hlen: base.identity.hlen,
    hops: 0,
    xid: base.xid >>> 0,
    secs: fields.secs ?? base.secs,
    flags: fields.flags ?? (base.broadcastFlag ? FLAG_BROADCAST : 0),
    ciaddr: fields.ciaddr ?? ZERO_ADDRESS,
    yiaddr: ZERO_ADDRESS,
    siaddr: ZERO_ADDRESS,
    giaddr: ZERO_ADDRESS,
    chaddr: base.identity.chaddr,
    sname: ZERO_SNAME,
    file: ZERO_FILE,
    // Sized to fit: the client keeps its last message for retransmission (RFC 2131 §4.1) while bound.
    options: fitted([{ kind: 'messageType', type }, ...clientId, ...options]),
    endPaddingBytes: 0,
  };
}

function prl(base: ClientMessageBase): DhcpOption[] {
  return base.parameterRequestList.length > 0
    ? [{ kind: 'parameterRequestList', codes: base.parameterRequestList }]
    : [];
}

/** §4.4.1: DHCPDISCOVER, option 50 MAY carry the previous address. */
export function buildDiscover(base: ClientMessageBase, requestedAddress: Ipv4Address | null): DhcpMessage {
  const requested: DhcpOption[] = requestedAddress ? [{ kind: 'requestedAddress', address: requestedAddress }] : [];
  return baseMessage(base, DhcpMessageType.DISCOVER, {}, [...requested, ...prl(base)]);
}

/** §4.3.2 / table 5, SELECTING: ciaddr 0, option 50 = the offered address, option 54 = the chosen server. */
export function buildRequestSelecting(
  base: ClientMessageBase,
  address: Ipv4Address,
  serverId: Ipv4Address,
): DhcpMessage {
  return baseMessage(base, DhcpMessageType.REQUEST, {}, [
    { kind: 'requestedAddress', address },
    { kind: 'serverId', address: serverId },
    ...prl(base),
  ]);
}

/** §4.3.2 INIT-REBOOT: ciaddr 0, option 50 = the remembered address, no server identifier. */
export function buildRequestInitReboot(base: ClientMessageBase, address: Ipv4Address): DhcpMessage {
  return baseMessage(base, DhcpMessageType.REQUEST, {}, [{ kind: 'requestedAddress', address }, ...prl(base)]);
}

/**
 * §4.3.2 RENEWING / REBINDING: ciaddr = the leased address, no option 50, no option 54. The client is configured, so
 * it can receive unicast and the BROADCAST bit stays clear (§4.1).
 */
export function buildRequestRenewing(base: ClientMessageBase, address: Ipv4Address): DhcpMessage {
  return baseMessage(base, DhcpMessageType.REQUEST, { ciaddr: address, flags: 0 }, prl(base));
}

/** §4.4.1 table 5: DHCPDECLINE: ciaddr 0, secs 0, option 50 = the address in use, option 54; no parameter list. */
export function buildDecline(base: ClientMessageBase, address: Ipv4Address, serverId: Ipv4Address): DhcpMessage {
  return baseMessage(base, DhcpMessageType.DECLINE, { secs: 0, flags: 0 }, [
    { kind: 'requestedAddress', address },
    { kind: 'serverId', address: serverId },
  ]);
}

/** §4.4.6 / table 5: DHCPRELEASE: ciaddr = the address, secs 0, option 54; unicast to the server. */
export function buildRelease(base: ClientMessageBase, address: Ipv4Address, serverId: Ipv4Address): DhcpMessage {
  return baseMessage(base, DhcpMessageType.RELEASE, { ciaddr: address, secs: 0, flags: 0 }, [
    { kind: 'serverId', address: serverId },
  ]);
}
