/**
 * Bare DHCP client messages for the machine tests (a BOOTREQUEST with only its message type), and the round trip
 * through the codecs that makes every test event carry real, parsable bytes.
 */
import type { DhcpClientIdentity } from '../../models/dhcp/client-identity.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../models/wire/dhcp/codec.ts';
import type { DhcpMessage, DhcpMessageTypeCode } from '../../models/wire/dhcp/types.ts';

/** RFC 2131 §2 fixed fields of a BOOTREQUEST from `identity` with option 53 only. */
export function bareClientMessage(
  identity: Pick<DhcpClientIdentity, 'htype' | 'hlen' | 'chaddr'>,
  type: DhcpMessageTypeCode,
  xid: number,
  ciaddr = '0.0.0.0',
): DhcpMessage {
  return {
    op: 1,
    htype: identity.htype,
    hlen: identity.hlen,
    hops: 0,
    xid,
    secs: 0,
    flags: 0,
    ciaddr,
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: identity.chaddr,
    sname: new Uint8Array(64),
    file: new Uint8Array(128),
    options: [{ kind: 'messageType', type }],
    endPaddingBytes: 0,
  };
}

/** Through the codec and back: what a machine receives is what the wire carries. */
export function throughCodec(m: DhcpMessage): DhcpMessage {
  const parsed = parseDhcpMessage(emitDhcpMessage(m), 0);
  if (!parsed.ok) throw new Error(`unparsable test message: ${parsed.error.field}: ${parsed.error.reason}`);
  return parsed.value;
}
