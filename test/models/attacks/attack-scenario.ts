/** A fixed-seed scenario with a victim (client1) and an adversarial client (mallory) on one gateway. */
import type { AttackKind } from '../../../models/attacks/canary.ts';

export interface AttackScenarioOptions {
  readonly attack: AttackKind;
  readonly atMs?: number;
  /** The attacker connects at 0 and the victim at `victimConnectMs` (lease-theft before the victim connects). */
  readonly victimConnectMs?: number;
}

export function attackScenario(o: AttackScenarioOptions): object {
  const needsVictim = !['option82', 'forged-relay', 'dhcp-before-auth'].includes(o.attack);
  return {
    name: `attack-${o.attack}`,
    description: `An adversarial client (mallory) tries ${o.attack} against client1.`,
    methods: ['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'mode-cfg-dhcp', 'dhcp-over-ipsec'],
    seed: 1,
    durationMs: 8000,
    topology: {
      clients: [
        { name: 'client1', address: '198.51.100.11/24', gateway: 'gw' },
        {
          name: 'mallory',
          address: '198.51.100.66/24',
          gateway: 'gw',
          behaviour: { attack: o.attack, ...(needsVictim ? { victim: 'client1' } : {}), atMs: o.atMs ?? 4000 },
        },
      ],
      gateways: [
        {
          name: 'gw',
          outside: '198.51.100.1/24',
          inside: '10.1.0.1/24',
          pool: { first: '10.99.0.1', last: '10.99.0.100', prefixLength: 24, dns: ['10.1.0.53'] },
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
              rangeEnd: '10.99.1.200',
              dns: ['10.1.0.53'],
              leaseSecs: 3600,
            },
          ],
        },
      ],
      enterpriseHosts: [{ name: 'host', address: '10.1.0.10/24' }],
      links: [
        { name: 'outside', attach: ['client1', 'mallory', 'gw'], profile: { latencyMs: 10 } },
        { name: 'inside', attach: ['gw', 'dhcp', 'host'], profile: { latencyMs: 1 } },
      ],
    },
    workload: {
      actions: [
        { atMs: o.victimConnectMs ?? 0, action: 'connect', nodes: 'client1' },
        { atMs: 0, action: 'connect', nodes: 'mallory' },
        { atMs: 3000, action: 'ping', nodes: 'client1' },
      ],
    },
  };
}
