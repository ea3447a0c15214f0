import { describe, expect, it } from 'vitest';
import { selectChild, type Flow } from '../../../models/nodes/client-spd.ts';
import { tsForAddress, tsFullRange, tsRange } from '../../../models/wire/ike/index.ts';

const dhcpSa = {
  name: 'dhcp',
  seq: 0,
  tsi: [tsRange('0.0.0.0', '255.255.255.255', 17, 68, 68)],
  tsr: [tsRange('0.0.0.0', '255.255.255.255', 17, 67, 67)],
};
const tunnel = { name: 'tunnel', seq: 1, tsi: [tsForAddress('10.99.0.9')], tsr: [tsRange('10.1.0.0', '10.1.0.255')] };
const wide = { name: 'wide', seq: 2, tsi: [tsForAddress('10.99.0.9')], tsr: [tsFullRange()] };
const udp = (src: string, srcPort: number, dst: string, dstPort: number): Flow => ({
  src,
  dst,
  protocol: 17,
  srcPort,
  dstPort,
});

describe('client SPD (RFC 4301 §4.4.1)', () => {
  it('TSi covers the source, TSr the destination, protocol and ports', () => {
    expect(selectChild([dhcpSa], udp('0.0.0.0', 68, '255.255.255.255', 67))?.name).toBe('dhcp');
    expect(selectChild([dhcpSa], udp('0.0.0.0', 68, '255.255.255.255', 53))).toBeUndefined();
    expect(selectChild([dhcpSa], { ...udp('0.0.0.0', 68, '255.255.255.255', 67), protocol: 6 })).toBeUndefined();
    expect(selectChild([tunnel], udp('10.99.0.9', 40000, '10.1.0.10', 7))?.name).toBe('tunnel');
    // No Child SA covers it: the packet leaves in the clear (undefined).
    expect(selectChild([tunnel, dhcpSa], udp('10.99.0.9', 40000, '192.0.2.1', 53))).toBeUndefined();
  });

  it('overlaps: the most specific match wins, then the oldest', () => {
    // A renewal from the lease to the server: both the DHCP SA (2 × 2^32 addresses) and the tunnel (1 + 256) match.
    const renewal = udp('10.99.0.9', 68, '10.1.0.5', 67);
    expect(selectChild([dhcpSa, tunnel], renewal)?.name).toBe('tunnel');
    expect(selectChild([tunnel, dhcpSa], renewal)?.name).toBe('tunnel');
    // The tunnel (TSr /24) beats a wider one to the same destination whatever the order.
    expect(selectChild([wide, tunnel], udp('10.99.0.9', 1, '10.1.0.5', 2))?.name).toBe('tunnel');
    // Equal selectors: the oldest slot.
    const twin = { ...tunnel, name: 'twin', seq: 5 };
    expect(selectChild([twin, tunnel], udp('10.99.0.9', 1, '10.1.0.5', 2))?.name).toBe('tunnel');
  });
});
