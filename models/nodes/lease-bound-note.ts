/**
 * `lease.bound {address, leaseSecs, untilUs}` for a DHCPACK that commits a lease (RFC 2131 §4.3.1: the server holds
 * the address for the client until `untilUs`): the server-side truth the invariant checker holds clients to. Written
 * by the lab's server and by the bridge to a real one alike.
 */
import type { NodeHost } from '../contract.ts';
import { dhcpMessageTypeOf, getDhcpOption } from '../wire/dhcp/message.ts';
import { DhcpMessageType, type DhcpMessage } from '../wire/dhcp/types.ts';

export function noteLeaseBound<P>(host: NodeHost<P>, m: DhcpMessage): void {
  if (dhcpMessageTypeOf(m) !== DhcpMessageType.ACK || m.yiaddr === '0.0.0.0') return;
  const leaseSecs = getDhcpOption(m, 'leaseTime')?.secs;
  if (leaseSecs === undefined) return;
  const untilUs = host.nowUs() + leaseSecs * 1_000_000;
  host.traceNote('lease.bound', { address: m.yiaddr, leaseSecs, untilUs });
}
