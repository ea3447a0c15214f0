/**
 * Tells a DHCP retransmission from a new message: the RFC 2131 client machine re-sends with the same xid and the same
 * message type (§4.1), so a send repeating the previous (xid, type) is a retransmission (`dhcp.retransmit` note).
 */
import { messageTypeOf } from '../../dhcp/options.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';

export class RetransmitWatch {
  private last = '';

  /** True when `m` repeats the previous message's xid and type. */
  isRetransmit(m: DhcpMessage): boolean {
    const key = `${m.xid >>> 0}:${messageTypeOf(m) ?? 0}`;
    const again = key === this.last;
    this.last = key;
    return again;
  }
}
