/** A DHCP lease as the IKE side's `AssignedConfig` (address, prefix from option 1, DNS from option 6). */
import { netmaskToPrefix } from '../../wire/ipv4-address.ts';
import { findOption } from '../../dhcp/options.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import type { AssignedConfig } from '../method.ts';

export function configOfLease(lease: {
  readonly address: string;
  readonly mask: string;
  readonly dns: readonly string[];
}): AssignedConfig {
  return { address: lease.address, prefixLength: netmaskToPrefix(lease.mask) ?? 32, dns: [...lease.dns] };
}

/** The configuration a DHCPACK grants (yiaddr, option 1, option 6). */
export function configOfAck(ack: DhcpMessage): AssignedConfig {
  return configOfLease({
    address: ack.yiaddr,
    mask: findOption(ack, 'subnetMask')?.mask ?? '255.255.255.255',
    dns: findOption(ack, 'dnsServers')?.addresses ?? [],
  });
}
