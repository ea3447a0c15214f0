/**
 * The DHCP payload body of draft-ietf-ipsec-dhcp-over-ike-00 §5: Packet Type (1 octet; 1 = DHCPv4 [RFC2131]) and
 * the Configuration Packet. There is no reserved space and no padding: the DHCPv4 message runs to the payload's end.
 * Its payload type number is a codec option (constants.ts DEFAULT_DHCP_PAYLOAD_TYPE explains the choice).
 */
import { dhcpMessageLength, emitDhcpMessageInto, parseDhcpMessage } from '../dhcp/codec.ts';
import { decodeError, parsed, type ParseResult } from '../result.ts';
import { checkU8, writeBytes } from './codec-util.ts';
import { DhcpPacketType } from './constants.ts';
import type { IkeDhcpPayload } from './types.ts';

export function dhcpBodyLength(p: IkeDhcpPayload): number {
  return 1 + (p.packet.kind === 'dhcpv4' ? dhcpMessageLength(p.packet.message) : p.packet.data.length);
}

export function emitDhcpBodyInto(p: IkeDhcpPayload, buffer: Uint8Array, offset: number, field: string): number {
  if (p.packet.kind === 'raw') {
    buffer[offset] = checkU8(p.packet.packetType, field, '.packetType');
    return 1 + writeBytes(buffer, offset + 1, p.packet.data);
  }
  buffer[offset] = DhcpPacketType.DHCPV4;
  return 1 + emitDhcpMessageInto(p.packet.message, buffer, offset + 1);
}

export function parseDhcpBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
): ParseResult<IkeDhcpPayload> {
  if (end - start < 1) return decodeError(`${field}.packetType`, start, 'needs 1 byte, 0 left');
  const packetType = bytes[start] ?? 0;
  if (packetType !== DhcpPacketType.DHCPV4) {
    return parsed(
      { kind: 'DHCP', critical, packet: { kind: 'raw', packetType, data: bytes.slice(start + 1, end) } },
      end - start,
    );
  }
  // The DHCPv4 message fills the rest of the payload (there is no inner length field).
  const inner = parseDhcpMessage(bytes, start + 1, end);
  if (!inner.ok) return decodeError(`${field}.${inner.error.field}`, inner.error.offset, inner.error.reason);
  return parsed({ kind: 'DHCP', critical, packet: { kind: 'dhcpv4', message: inner.value } }, end - start);
}
