/**
 * The bridge to real IKEv2 gateways (scenario gateway `kind: "external"`), installed by the platform: Node installs a
 * UDP one (scenarios/node.ts → scenarios/external/ike-udp-exchange.ts); the browser has none, so a scenario with an
 * external gateway is rejected there by validate.ts, by field path, before anything runs.
 */
import type { ExternalIkeExchange } from '../models/nodes/external-ike-exchange.ts';
import type { Scenario } from './load.ts';
import { parseAddressArg } from './external/address-arg.ts';
import { ExternalIkeGateway, type GatewayInput } from './schema.ts';

export type ExternalIkeSpec = NonNullable<GatewayInput['external']>;
/** The spec and the host address the bridge sends from (`localAddress`, or the gateway's first client's address). */
export type ExternalIkeFactory = (spec: ExternalIkeSpec, localAddress: string) => ExternalIkeExchange;

let factory: ExternalIkeFactory | undefined;

export function setExternalIkeFactory(f: ExternalIkeFactory | undefined): void {
  factory = f;
}

export function canReachExternalIke(): boolean {
  return factory !== undefined;
}

/** The exchange for one external gateway (validate.ts has made sure a factory is installed). */
export function externalIkeExchange(spec: ExternalIkeSpec, localAddress: string): ExternalIkeExchange {
  if (factory === undefined) throw new Error('no bridge to real IKE gateways here (Node only: scenarios/node.ts)');
  return factory(spec, localAddress);
}

/**
 * `192.168.77.1` or `192.168.77.1:500` (`dhcpike run --gateway-external`): the spec with the schema's defaults, or a
 * ScenarioError naming the flag and what was expected.
 */
export function parseExternalIkeArg(text: string, flag = '--gateway-external'): ExternalIkeSpec {
  return parseAddressArg(text, flag, ExternalIkeGateway, 'an IKEv2 gateway');
}

/** The scenario with every gateway replaced by the real one. */
export function withExternalGateway(s: Scenario, spec: ExternalIkeSpec): Scenario {
  return {
    ...s,
    topology: {
      ...s.topology,
      gateways: s.topology.gateways.map((g) => ({ ...g, kind: 'external' as const, external: spec })),
    },
  };
}

/** Whether every gateway is the lab's (a real one makes the digest depend on it). */
export function gatewaysHermetic(s: Scenario): boolean {
  return s.topology.gateways.every((g) => g.kind !== 'external');
}
