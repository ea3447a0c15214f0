/**
 * TEMPORARY LabRunner over the stand-in nodes of web/demo/nodes.ts (client —wan— gw —lan— dhcp). Replace by a runner
 * over scenarios/ and models/methods/ once they land (web/runner.ts re-exports whichever is current).
 */
import type { FaultSpec } from '../../sim/faults.ts';
import type { LinkSpec } from '../../sim/link-spec.ts';
import { runScenario, type RunInput } from '../../sim/run.ts';
import type { LabRun, LabRunner, RunRequest, ScenarioInfo } from '../runner.ts';
import { DemoClient, DemoDhcpServer, DemoGateway, type DemoMethod } from './nodes.ts';

const METHODS: readonly DemoMethod[] = ['dhcp-over-ike', 'mode-cfg'];

interface DemoScenario extends ScenarioInfo {
  readonly faults: readonly FaultSpec[];
  readonly dataPackets: number;
  readonly durationUs: number;
}

const WAN = { latencyUs: 20_000, jitterUs: 2_000 };
const LAN = { latencyUs: 500, jitterUs: 100 };

function scenario(
  id: string,
  title: string,
  extra: Partial<DemoScenario> & { wan?: typeof WAN & { lossPpm?: number } },
): DemoScenario {
  return {
    id,
    title,
    methods: METHODS,
    defaultMethod: 'dhcp-over-ike',
    links: [
      { name: 'wan', nodes: ['client', 'gw'], profile: extra.wan ?? WAN },
      { name: 'lan', nodes: ['gw', 'dhcp'], profile: LAN },
    ],
    faults: extra.faults ?? [],
    dataPackets: extra.dataPackets ?? 3,
    durationUs: extra.durationUs ?? 300_000_000,
  };
}

const SCENARIOS: readonly DemoScenario[] = [
  scenario('demo-basic', 'Demo: connect over a clean path', {}),
  scenario('demo-lossy', 'Demo: 20 % loss on the WAN', { wan: { ...WAN, lossPpm: 200_000 } }),
  scenario('demo-server-down', 'Demo: DHCP server crashed, client gives up', {
    faults: [{ type: 'node.crash', atUs: 0, node: 'dhcp' }],
  }),
  scenario('demo-busy', 'Demo: 200 tunnelled packets', { dataPackets: 100 }),
];

function build(s: DemoScenario, request: RunRequest): RunInput {
  const method = (METHODS as readonly string[]).includes(request.method)
    ? (request.method as DemoMethod)
    : 'dhcp-over-ike';
  const linkOverride = request.overrides?.links ?? {};
  const profile = (name: string): LinkSpec['profile'] => ({
    ...s.links.find((l) => l.name === name)?.profile,
    ...linkOverride[name],
  });
  return {
    nodes: [new DemoClient(method, s.dataPackets), new DemoGateway(method), new DemoDhcpServer()],
    links: [
      {
        kind: 'p2p',
        name: 'wan',
        a: { node: 'client', iface: 'eth0' },
        b: { node: 'gw', iface: 'outside' },
        profile: profile('wan'),
      },
      {
        kind: 'p2p',
        name: 'lan',
        a: { node: 'gw', iface: 'inside' },
        b: { node: 'dhcp', iface: 'eth0' },
        profile: profile('lan'),
      },
    ],
    faults: [...s.faults, ...(request.overrides?.faults ?? [])],
    commands: [{ atUs: 100_000, node: 'client', command: { type: 'cmd.connect' } }],
    durationUs: s.durationUs,
  };
}

export const demoRunner: LabRunner = {
  listScenarios: () => SCENARIOS,
  run(request: RunRequest): LabRun {
    const s = SCENARIOS.find((x) => x.id === request.scenario);
    if (!s) throw new Error(`unknown scenario ${JSON.stringify(request.scenario)}`);
    const out = runScenario(build(s, request), { seed: request.seed, traceLevel: 'full' });
    return {
      request,
      trace: out.trace,
      traceSha256: out.traceSha256,
      metrics: out.metrics,
      nodes: [
        { name: 'client', role: 'IKE initiator' },
        { name: 'gw', role: 'gateway · relay' },
        { name: 'dhcp', role: 'DHCP server' },
      ],
      methods: s.methods,
    };
  },
};
