/**
 * Small fault-schedule scenarios from the `dhcpike vopr` campaign (shrunk), shared by the liveness regression tests:
 * one client, one gateway, one DHCP server, one enterprise host, everything healed at `healMs` and a quiet period
 * long enough for the checker to judge liveness (scenarios/invariants/context.ts `quietPeriodUs`).
 */
export interface VoprScenarioOptions {
  readonly method: string;
  readonly seed: number;
  readonly actions: readonly Record<string, unknown>[];
  readonly faults?: readonly Record<string, unknown>[];
  readonly healMs?: number;
  readonly durationMs?: number;
  readonly leaseSecs?: number;
}

const CLEAN = { lossRatio: 0, duplicateRatio: 0, reorderRatio: 0, jitterMs: 0, mtuBytes: 1500, latencyMs: 1 };

export function voprScenario(o: VoprScenarioOptions): Record<string, unknown> {
  const healMs = o.healMs ?? 5000;
  const link = (name: string, attach: string[]): Record<string, unknown> => ({
    name,
    attach,
    profile: { latencyMs: 1, jitterMs: 0, lossRatio: 0, duplicateRatio: 0, reorderRatio: 0 },
  });
  return {
    name: `vopr-regression-${o.seed}`,
    description: 'A shrunk vopr fault schedule (regression test).',
    methods: [o.method],
    seed: o.seed,
    durationMs: o.durationMs ?? 470_120,
    topology: {
      clients: [{ name: 'client', count: 1, address: '100.64.0.10/16', gateway: 'gw' }],
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
              leaseSecs: o.leaseSecs ?? 600,
            },
          ],
        },
      ],
      enterpriseHosts: [{ name: 'host', address: '10.1.0.10/24' }],
      links: [link('outside', ['client', 'gw']), link('inside', ['gw', 'dhcp', 'host'])],
    },
    workload: {
      actions: o.actions,
      pingIntervalMs: 5000,
      livenessSecs: 5,
      childRekeySecs: 0,
      reconnect: { delayMs: 1000, jitterMs: 0, triesMax: 1000 },
    },
    faults: [
      ...(o.faults ?? []),
      { type: 'link.up', atMs: healMs, link: 'outside' },
      { type: 'link.up', atMs: healMs, link: 'inside' },
      { type: 'partition.heal', atMs: healMs },
      { type: 'link.profile', atMs: healMs, link: 'outside', profile: CLEAN },
      { type: 'link.profile', atMs: healMs, link: 'inside', profile: CLEAN },
      { type: 'dhcp.unstall', atMs: healMs, node: 'dhcp' },
    ],
  };
}
