/**
 * The one-client topology most regression tests replay: client1 (100.64.0.10) → gw (pool 10.99.0.1–4) → a DHCP
 * server (10.99.1.10–13) and an enterprise host, as a scenario document. Tests vary only what their case is about.
 */
import type { ProfileInput } from '../../scenarios/schema.ts';

export interface OneClientOptions {
  readonly name: string;
  readonly description: string;
  readonly methods: readonly string[];
  readonly seed: number;
  readonly durationMs: number;
  readonly leaseSecs: number;
  readonly outside?: ProfileInput;
  readonly inside?: ProfileInput;
  readonly workload: Record<string, unknown>;
}

export function oneClientScenario(o: OneClientOptions): object {
  return {
    name: o.name,
    description: o.description,
    methods: o.methods,
    seed: o.seed,
    durationMs: o.durationMs,
    topology: {
      clients: [{ name: 'client1', address: '100.64.0.10/16', gateway: 'gw' }],
      gateways: [
        {
          name: 'gw',
          outside: '100.64.0.1/16',
          inside: '10.1.0.1/24',
          pool: { first: '10.99.0.1', last: '10.99.0.4', prefixLength: 24, dns: ['10.1.0.53'] },
          dhcpServer: 'dhcp',
        },
      ],
      dhcpServers: [
        {
          name: 'dhcp',
          address: '10.1.0.2/24',
          pools: [
            {
              subnet: '10.99.1.0/24',
              rangeStart: '10.99.1.10',
              rangeEnd: '10.99.1.13',
              dns: ['10.1.0.53'],
              leaseSecs: o.leaseSecs,
            },
          ],
        },
      ],
      enterpriseHosts: [{ name: 'host', address: '10.1.0.10/24' }],
      links: [
        { name: 'outside', attach: ['client1', 'gw'], profile: o.outside ?? { latencyMs: 1 } },
        { name: 'inside', attach: ['gw', 'dhcp', 'host'], profile: o.inside ?? { latencyMs: 1 } },
      ],
    },
    workload: o.workload,
  };
}
