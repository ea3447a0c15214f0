/**
 * `dhcp-over-ipsec`: RFC 3456 (DHCPv4 configuration of IPsec tunnel mode) carried on IKEv2. The client's DHCP client
 * runs over UDP through a DHCP SA (IKE_AUTH child, TSi 0.0.0.0/0 UDP 68 ↔ TSr 0.0.0.0/0 UDP 67), the gateway is a
 * stateless relay (circuit-id names the tunnel), then a tunnel SA for the leased address replaces the DHCP SA.
 * Client: rfc3456/client.ts; gateway: rfc3456/relay.ts.
 */
import {
  defineMethod,
  optionalBoolean,
  optionalNumber,
  OptionError,
  record,
  requiredString,
  type Method,
  type OptionRecord,
} from './method.ts';
import type { PolicyDescriptor } from './policy.ts';
import {
  DEFAULT_RFC3456_CLIENT,
  rfc3456Client,
  type DhcpSaTeardown,
  type Rfc3456ClientOptions,
} from './rfc3456/client.ts';
import { rfc3456Relay, type Rfc3456RelayOptions } from './rfc3456/relay.ts';
import type { DhcpSaSelectorReading } from './rfc3456/selectors.ts';

export const DHCP_OVER_IPSEC = 'dhcp-over-ipsec';

const TEARDOWNS: readonly DhcpSaTeardown[] = ['after-tunnel', 'at-lifetime', 'keep'];
const READINGS: readonly DhcpSaSelectorReading[] = ['wildcard', 'literal'];

/** Every silence of RFC 3456 this model had to fill, as a named policy with its default. */
export const dhcpOverIpsecPolicies: readonly PolicyDescriptor[] = [
  {
    name: 'dhcpSaTeardown',
    kind: 'enum',
    values: TEARDOWNS,
    default: DEFAULT_RFC3456_CLIENT.dhcpSaTeardown,
    doc: 'client: when the DHCP SA is deleted — once the tunnel SA is up (RFC 3456 §3.1 d, §4.4 "may now delete"), at its lifetime (§4.1 "on the order of minutes"), or kept (§3.1 d alternative)',
    section: DHCP_OVER_IPSEC,
  },
  {
    name: 'dhcpSaLifetimeMs',
    kind: 'durationMs',
    min: 1,
    max: 86_400_000,
    default: DEFAULT_RFC3456_CLIENT.dhcpSaLifetimeMs,
    doc: 'client: DHCP SA lifetime for dhcpSaTeardown=at-lifetime (RFC 3456 §4.1 "key lifetime … on the order of minutes")',
    section: DHCP_OVER_IPSEC,
  },
  {
    name: 'dhcpSaDeleteDelayMs',
    kind: 'durationMs',
    min: 0,
    max: 86_400_000,
    default: DEFAULT_RFC3456_CLIENT.dhcpSaDeleteDelayMs,
    doc: 'client: with dhcpSaTeardown=after-tunnel, how long after the tunnel SA the DHCP SA is deleted (RFC 3456 §3.1 d)',
    section: DHCP_OVER_IPSEC,
  },
  {
    name: 'chaddrOctet',
    kind: 'int',
    min: 0,
    max: 255,
    default: DEFAULT_RFC3456_CLIENT.chaddrOctet,
    doc: "client: the persistent extra octet of chaddr x'4000' ‖ outer address ‖ octet (RFC 3456 §4.1 b)",
    section: DHCP_OVER_IPSEC,
  },
  {
    name: 'dhcpRetransmit',
    kind: 'enum',
    values: ['rfc2131', 'five-tries'],
    default: 'rfc2131',
    doc: 'client: DHCP retransmission — rfc2131 = DISCOVER with no give-up limit (RFC 2131 sets none), 4 s doubling to 64 s ±1 s (§4.1); REQUEST in REQUESTING/REBOOTING four retransmissions over 60 s (§3.1 step 5); five-tries = 5 transmissions of each with 4–64 s waits (124 s), then give up (the lab before issue 14)',
    section: DHCP_OVER_IPSEC,
  },
  {
    name: 'dhcpSaSelectors',
    kind: 'enum',
    values: READINGS,
    default: DEFAULT_RFC3456_CLIENT.dhcpSaSelectors,
    doc: "client and gateway: the DHCP SA's selectors — RFC 3456 §4.1's \"filters\": Any to Any, destination UDP 67 / 68 (wildcard: TSi 0.0.0.0–255.255.255.255 UDP 68, TSr 0.0.0.0–255.255.255.255 UDP 67), or §4.1's quick-mode IDs read literally (literal: IDci = 0.0.0.0 UDP 68, IDcr = the gateway's own Internet address UDP 67; the client sends to the gateway, the gateway answers to 0.0.0.0)",
    section: DHCP_OVER_IPSEC,
  },
  {
    name: 'relayRemoteId',
    kind: 'bool',
    default: true,
    doc: 'gateway relay: add option 82 remote-id = peer identity beside the circuit-id naming the tunnel (RFC 3456 §4.2, RFC 3046 §3.2)',
    section: DHCP_OVER_IPSEC,
  },
];

/**
 * Scenario data: each policy by name at the top level, or inside `policies` (the scenario builder's bag,
 * scenarios/method-options.ts); the server as `serverAddress` or `dhcpServerAddress`.
 */
export function withPolicies(raw: unknown, path: string): OptionRecord {
  const o = record(raw ?? {}, path);
  const bag = o['policies'];
  return bag === undefined ? o : { ...record(bag, `${path}.policies`), ...o };
}

export function parseRfc3456ClientOptions(raw: unknown): Rfc3456ClientOptions {
  const o = withPolicies(raw, 'client');
  const teardown = o['dhcpSaTeardown'];
  if (teardown !== undefined && !TEARDOWNS.includes(teardown as DhcpSaTeardown))
    throw new OptionError('client.dhcpSaTeardown', `expected one of ${TEARDOWNS.join(', ')}`);
  const retransmit = o['dhcpRetransmit'];
  if (retransmit !== undefined && retransmit !== 'rfc2131' && retransmit !== 'five-tries')
    throw new OptionError('client.dhcpRetransmit', 'expected one of rfc2131, five-tries');
  const d = DEFAULT_RFC3456_CLIENT;
  return {
    dhcpSaTeardown: (teardown as DhcpSaTeardown | undefined) ?? d.dhcpSaTeardown,
    dhcpSaLifetimeMs: optionalNumber(o, 'dhcpSaLifetimeMs', 'client') ?? d.dhcpSaLifetimeMs,
    dhcpSaDeleteDelayMs: optionalNumber(o, 'dhcpSaDeleteDelayMs', 'client') ?? d.dhcpSaDeleteDelayMs,
    chaddrOctet: optionalNumber(o, 'chaddrOctet', 'client') ?? d.chaddrOctet,
    ...(retransmit === undefined ? {} : { dhcpRetransmit: retransmit }),
    dhcpSaSelectors: readingOf(o, 'client'),
  };
}

function readingOf(o: OptionRecord, path: string): DhcpSaSelectorReading {
  const v = o['dhcpSaSelectors'];
  if (v !== undefined && !READINGS.includes(v as DhcpSaSelectorReading))
    throw new OptionError(`${path}.dhcpSaSelectors`, `expected one of ${READINGS.join(', ')}`);
  return (v as DhcpSaSelectorReading | undefined) ?? DEFAULT_RFC3456_CLIENT.dhcpSaSelectors;
}

/** The DHCP server: `serverAddress`, else `dhcpServerAddress` (the scenario builder's name). */
export function serverAddressOf(o: OptionRecord): string {
  const alias = o['serverAddress'] === undefined && typeof o['dhcpServerAddress'] === 'string';
  return alias ? (o['dhcpServerAddress'] as string) : requiredString(o, 'serverAddress', 'gateway');
}

export function parseRfc3456RelayOptions(raw: unknown): Rfc3456RelayOptions {
  const o = withPolicies(raw, 'gateway');
  const remoteId = optionalBoolean(o, 'relayRemoteId', 'gateway');
  const subnet = o['linkSelectionSubnet'];
  return {
    serverAddress: serverAddressOf(o),
    dhcpSaSelectors: readingOf(o, 'gateway'),
    ...(remoteId === undefined ? {} : { remoteId }),
    ...(typeof subnet === 'string' ? { linkSelectionSubnet: subnet } : {}),
  };
}

export const dhcpOverIpsecMethod: Method<Rfc3456ClientOptions, Rfc3456RelayOptions> = {
  id: DHCP_OVER_IPSEC,
  parseClientOptions: parseRfc3456ClientOptions,
  parseGatewayOptions: parseRfc3456RelayOptions,
  client: (options) => rfc3456Client(options),
  gateway: (options, ctx) => rfc3456Relay(options, ctx),
  policies: dhcpOverIpsecPolicies,
};

export const dhcpOverIpsecFactory = defineMethod(dhcpOverIpsecMethod);
export { rfc3456Client, rfc3456Relay, DEFAULT_RFC3456_CLIENT, type Rfc3456ClientOptions, type Rfc3456RelayOptions };
