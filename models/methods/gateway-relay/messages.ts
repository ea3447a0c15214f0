/** DHCP messages in IKE messages (draft-ietf §5 payloads) and the configuration an ACK grants. */
import { findOption, messageTypeOf } from '../../dhcp/options.ts';
import { netmaskToPrefix } from '../../wire/ipv4-address.ts';
import { findPayloads, type IkeMessage } from '../../wire/ike/index.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import { DhcpMessageType } from '../../wire/dhcp/types.ts';
import type { AssignedConfig } from '../method.ts';

/** Every DHCPv4 message in the message's DHCP payloads, in order (several OFFERs: draft-ietf §3). */
export function dhcpMessagesIn(m: IkeMessage): DhcpMessage[] {
  const out: DhcpMessage[] = [];
  for (const p of findPayloads(m, 'DHCP')) if (p.packet.kind === 'dhcpv4') out.push(p.packet.message);
  return out;
}

export function isType(m: DhcpMessage, type: number): boolean {
  return messageTypeOf(m) === type;
}

export const isAck = (m: DhcpMessage): boolean => isType(m, DhcpMessageType.ACK);
export const isNak = (m: DhcpMessage): boolean => isType(m, DhcpMessageType.NAK);
export const isOffer = (m: DhcpMessage): boolean => isType(m, DhcpMessageType.OFFER);
export const isDiscover = (m: DhcpMessage): boolean => isType(m, DhcpMessageType.DISCOVER);

/** The inner address, prefix (option 1, RFC 2132 §3.3; /32 without it) and DNS (option 6) an ACK grants. */
export function configFromAck(ack: DhcpMessage): AssignedConfig {
  const mask = findOption(ack, 'subnetMask')?.mask;
  return {
    address: ack.yiaddr,
    prefixLength: (mask === undefined ? null : netmaskToPrefix(mask)) ?? 32,
    dns: findOption(ack, 'dnsServers')?.addresses ?? [],
  };
}
