/**
 * The bridge to real DHCP servers (scenario DHCP server `kind: "external"`), installed by the platform: Node installs
 * a UDP one (scenarios/node.ts → scenarios/external/udp-exchange.ts); the browser has none, so a scenario with an
 * external server is rejected there by validate.ts, by field path, before anything runs.
 */
import type { ExternalDhcpExchange } from '../models/nodes/external-dhcp-exchange.ts';
import type { Scenario } from './load.ts';
import { parseAddressArg } from './external/address-arg.ts';
import { ExternalDhcpServer, type DhcpServerInput } from './schema.ts';

export type ExternalDhcpSpec = NonNullable<DhcpServerInput['external']>;
export type ExternalDhcpFactory = (spec: ExternalDhcpSpec) => ExternalDhcpExchange;

let factory: ExternalDhcpFactory | undefined;

export function setExternalDhcpFactory(f: ExternalDhcpFactory | undefined): void {
  factory = f;
}

export function canReachExternalDhcp(): boolean {
  return factory !== undefined;
}

/** The exchange for one external server (validate.ts has made sure a factory is installed). */
export function externalDhcpExchange(spec: ExternalDhcpSpec): ExternalDhcpExchange {
  if (factory === undefined) throw new Error('no bridge to real DHCP servers here (Node only: scenarios/node.ts)');
  return factory(spec);
}

/**
 * `127.0.0.1` or `127.0.0.1:67` (`dhcpike run --dhcp-external`): the spec with the schema's defaults, or a
 * ScenarioError naming the flag and what was expected.
 */
export function parseExternalDhcpArg(text: string, flag = '--dhcp-external'): ExternalDhcpSpec {
  return parseAddressArg(text, flag, ExternalDhcpServer, 'a DHCP server');
}

/** The scenario with every enterprise DHCP server replaced by the real one (the home LAN servers stay the lab's). */
export function withExternalDhcp(s: Scenario, spec: ExternalDhcpSpec): Scenario {
  return {
    ...s,
    topology: {
      ...s.topology,
      dhcpServers: s.topology.dhcpServers.map((d) => ({ ...d, kind: 'external' as const, external: spec })),
    },
  };
}

/** Whether a run talks to a real server (then its digest depends on that server). */
export function isHermetic(s: Scenario): boolean {
  return s.topology.dhcpServers.every((d) => d.kind !== 'external');
}
