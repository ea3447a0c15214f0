/**
 * One-line DHCP summaries in the notation of the RFC diagrams, e.g.
 * `DHCPOFFER 10.1.0.7 xid=0x1a2b3c4d giaddr=192.0.2.1 [82: remote-id=alice@example.com]`.
 * The address shown is the one the message is about: yiaddr for OFFER/ACK, the requested address (option 50) or
 * ciaddr for REQUEST/DECLINE, ciaddr for RELEASE/INFORM (RFC 2131 §4.3–4.4).
 */
import { printableOrHex } from '../bytes.ts';
import { dhcpMessageTypeName, dhcpMessageTypeOf, getDhcpOption } from './message.ts';
import type { DhcpMessage, RelayAgentSubOption } from './types.ts';

const UNSPECIFIED = '0.0.0.0';

function subOptionText(s: RelayAgentSubOption): string {
  switch (s.kind) {
    case 'circuitId':
      return `circuit-id=${printableOrHex(s.data)}`;
    case 'remoteId':
      return `remote-id=${printableOrHex(s.data)}`;
    case 'linkSelection':
      return `link-selection=${s.subnet}`;
    case 'serverIdOverride':
      return `server-id-override=${s.serverId}`;
    case 'relayPort':
      return s.port === null ? 'relay-port' : `relay-port=${s.port}`;
    case 'raw':
      return `sub${s.code}=${s.data.length === 0 ? '""' : printableOrHex(s.data)}`;
  }
}

function subjectAddress(msg: DhcpMessage, type: number | undefined): string | undefined {
  const requested = getDhcpOption(msg, 'requestedAddress')?.address;
  let address: string | undefined;
  switch (type) {
    case 2: // OFFER
    case 5: // ACK
      address = msg.yiaddr;
      break;
    case 1: // DISCOVER
      address = requested;
      break;
    case 3: // REQUEST
    case 4: // DECLINE
      address = requested ?? msg.ciaddr;
      break;
    case 7: // RELEASE
    case 8: // INFORM
      address = msg.ciaddr;
      break;
    default:
      address = undefined;
  }
  return address === UNSPECIFIED ? undefined : address;
}

export function summarizeDhcpMessage(msg: DhcpMessage): string {
  const type = dhcpMessageTypeOf(msg);
  const parts = [
    type === undefined ? (msg.op === 1 ? 'BOOTREQUEST' : 'BOOTREPLY') : `DHCP${dhcpMessageTypeName(type)}`,
  ];
  const address = subjectAddress(msg, type);
  if (address !== undefined) parts.push(address);
  parts.push(`xid=0x${msg.xid.toString(16).padStart(8, '0')}`);
  if (msg.giaddr !== UNSPECIFIED) parts.push(`giaddr=${msg.giaddr}`);
  const relay = getDhcpOption(msg, 'relayAgentInfo');
  if (relay !== undefined) parts.push(`[82: ${relay.subOptions.map(subOptionText).join(', ')}]`);
  return parts.join(' ');
}
