/**
 * A standard remote-access topology as a `runScenario` input: clients — outside segment — gateway — inside segment —
 * enterprise host. Lives in test/support until the scenarios issue moves it (models/ cannot import sim/).
 */
import type { CommandSpec, FaultSpec, LinkProfile, RunInput } from '../../sim/index.ts';
import {
  DEFAULT_RESPONDER_POLICY,
  peerConfig,
  type IkePeerConfig,
  type ResponderPolicy,
} from '../../models/ike/config.ts';
import {
  modeCfgClient,
  modeCfgMethod,
  type AddressProvider,
  type ClientMethodFactory,
  type ClientMethodTasks,
  type GatewayMethodContext,
  type ModeCfgClientOptions,
  type PoolOptions,
} from '../../models/methods/index.ts';
import { tsRange } from '../../models/wire/ike/index.ts';
import { ClientNode, type ReconnectPolicy } from '../../models/nodes/client-node.ts';
import { EnterpriseHost } from '../../models/nodes/enterprise-host.ts';
import { GatewayNode } from '../../models/nodes/gateway-node.ts';

export const GATEWAY_OUTSIDE = '198.51.100.1';
export const GATEWAY_INSIDE = '10.1.0.1';
export const ENTERPRISE_HOST = '10.1.0.10';

export interface TopologyOptions {
  readonly clients?: number;
  readonly outsideProfile?: LinkProfile;
  readonly insideProfile?: LinkProfile;
  readonly client?: Partial<IkePeerConfig>;
  readonly clientMethod?: ModeCfgClientOptions;
  /** Another method's client side for client i (default mode-cfg with `clientMethod`). */
  readonly method?: (i: number) => ClientMethodTasks | ClientMethodFactory;
  /** Another method's gateway side (default the mode-cfg pool). */
  readonly provider?: (ctx: GatewayMethodContext) => AddressProvider;
  readonly gateway?: Partial<IkePeerConfig>;
  readonly policy?: Partial<ResponderPolicy>;
  readonly pool?: Partial<PoolOptions>;
  readonly reconnect?: ReconnectPolicy;
  readonly pingIntervalMs?: number;
  /** Key name client i uses (default `psk-client<i>`, which the gateway holds). */
  readonly clientPsk?: (i: number) => string;
  readonly commands?: readonly CommandSpec[];
  readonly faults?: readonly FaultSpec[];
  readonly durationUs: number;
}

export interface Topology {
  readonly input: RunInput;
  readonly clients: ClientNode[];
  readonly gateway: GatewayNode;
  readonly host: EnterpriseHost;
}

export function clientName(i: number): string {
  return `client${i}`;
}

export function buildTopology(o: TopologyOptions): Topology {
  const n = o.clients ?? 1;
  const psks: Record<string, string> = {};
  const clients: ClientNode[] = [];
  for (let i = 1; i <= n; i++) {
    const identity = `client${i}@example.com`;
    psks[identity] = `psk-client${i}`;
    clients.push(
      new ClientNode({
        name: clientName(i),
        address: `198.51.100.${10 + i}`,
        prefixLength: 24,
        gatewayAddress: GATEWAY_OUTSIDE,
        gatewayIdentity: 'gw.example.com',
        ike: peerConfig({ identity, pskName: o.clientPsk?.(i) ?? `psk-client${i}`, ...o.client }),
        method: o.method?.(i) ?? modeCfgClient(o.clientMethod),
        reconnect: o.reconnect,
        pingTarget: ENTERPRISE_HOST,
        pingIntervalMs: o.pingIntervalMs,
      }),
    );
  }
  const pool: PoolOptions = {
    first: '10.99.0.1',
    last: '10.99.0.100',
    prefixLength: 24,
    dns: ['10.1.0.53'],
    ...o.pool,
  };
  const gateway = new GatewayNode({
    name: 'gw',
    outside: { address: GATEWAY_OUTSIDE, prefixLength: 24 },
    inside: { address: GATEWAY_INSIDE, prefixLength: 24 },
    ike: peerConfig({ identity: 'gw.example.com', pskName: 'unused', ...o.gateway }),
    policy: { ...DEFAULT_RESPONDER_POLICY, protectedSubnets: [tsRange('10.1.0.0', '10.1.0.255')], ...o.policy },
    psks,
    provider: o.provider ?? ((ctx) => modeCfgMethod.gateway(pool, ctx)),
  });
  const host = new EnterpriseHost({ name: 'host', address: ENTERPRISE_HOST, prefixLength: 24 });
  const input: RunInput = {
    nodes: [...clients, gateway, host],
    links: [
      {
        kind: 'segment',
        name: 'outside',
        attach: [...clients.map((c) => ({ node: c.name, iface: 'eth0' })), { node: 'gw', iface: 'outside' }],
        profile: o.outsideProfile ?? { latencyUs: 10_000 },
      },
      {
        kind: 'segment',
        name: 'inside',
        attach: [
          { node: 'gw', iface: 'inside' },
          { node: 'host', iface: 'eth0' },
        ],
        profile: o.insideProfile ?? { latencyUs: 1_000 },
        routes: [{ prefix: '10.99.0.0/16', via: 'gw' }],
      },
    ],
    commands: o.commands ?? [],
    faults: o.faults ?? [],
    durationUs: o.durationUs,
  };
  return { input, clients, gateway, host };
}
