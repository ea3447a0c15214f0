/** Gateway options of both DHCP-over-IKE methods (scenario data, validated; errors name the field path). */
import { OptionError, record, stringList, type OptionRecord } from '../method.ts';
import { RELAY_POLICIES, readPolicies, relayPolicy } from './policies.ts';
import type { RelayConfig } from './relay.ts';

/**
 * `{ dhcpServers?: string[], dhcpServerAddress?: string, linkSelectionSubnet?: string, gatewayName?: string,
 * policies?: {…} }` — `dhcpServerAddress` is what the scenario builder passes for one server.
 */
export function parseRelayOptions(raw: unknown): RelayConfig {
  const o = record(raw, 'gateway');
  const servers = stringList(o, 'dhcpServers', 'gateway');
  const one = o['dhcpServerAddress'];
  if (one !== undefined) {
    if (typeof one !== 'string') throw new OptionError('gateway.dhcpServerAddress', 'expected a string');
    if (!servers.includes(one)) servers.push(one);
  }
  if (servers.length === 0) throw new OptionError('gateway.dhcpServers', 'at least one DHCP server is needed');
  const subnet = o['linkSelectionSubnet'];
  if (subnet !== undefined && typeof subnet !== 'string')
    throw new OptionError('gateway.linkSelectionSubnet', 'expected a string');
  const name = o['gatewayName'];
  const policies = o['policies'] === undefined ? undefined : record(o['policies'], 'gateway.policies');
  return {
    servers,
    ...(subnet === undefined ? {} : { linkSelectionSubnet: subnet }),
    gatewayName: typeof name === 'string' ? name : 'gateway',
    policy: relayPolicy(readPolicies(RELAY_POLICIES, policies as OptionRecord | undefined, 'gateway.policies')),
  };
}
