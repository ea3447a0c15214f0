/** A small three-node run exercising every pipeline step, used by the determinism and run tests. */
import type { FaultSpec } from '../../../sim/faults.ts';
import type { RunInput } from '../../../sim/run.ts';
import { TestNode } from './test-node.ts';

/** client —p0— gw —lan0— server. The client pings the server every 1 ms (payload from its own stream); everyone echoes. */
export function pingScenario(options: { pings?: number; extraFaults?: FaultSpec[]; bystander?: boolean } = {}): {
  input: RunInput;
  client: TestNode;
  server: TestNode;
} {
  const pings = options.pings ?? 200;
  const client = new TestNode('client', [{ name: 'eth0', address: '192.0.2.10', prefixLength: 24 }]);
  const gw = new TestNode(
    'gw',
    [
      { name: 'wan', address: '192.0.2.1', prefixLength: 24 },
      { name: 'lan', address: '10.0.0.1', prefixLength: 24 },
    ],
    undefined,
    (node, iface, p) => {
      // Forward: wan → lan, lan → wan, unchanged.
      node.host.send(iface === 'wan' ? 'lan' : 'wan', p);
    },
  );
  const server = new TestNode(
    'server',
    [{ name: 'eth0', address: '10.0.0.2', prefixLength: 24 }],
    undefined,
    (node, _i, p) => {
      if (p.text.startsWith('ping')) {
        node.host.traceState('echo', 'idle', 'replying');
        node.host.send('eth0', {
          src: p.dst,
          dst: p.src,
          srcPort: p.dstPort,
          dstPort: p.srcPort,
          text: `pong ${p.text.slice(5)}`,
        });
      }
    },
  );
  const origStart = client.start.bind(client);
  client.start = (host) => {
    origStart(host);
    const rng = host.rng('payload');
    let n = 0;
    const tick = (): void => {
      n++;
      host.send('eth0', {
        src: '192.0.2.10',
        dst: '10.0.0.2',
        srcPort: 1000,
        dstPort: 7,
        text: `ping ${n}/${rng.intBelow(1000)}`,
      });
      if (n < pings) host.setTimerUs(1000, 'ping', tick);
    };
    host.setTimerUs(0, 'ping', tick);
    host.traceNote('client.started', { pings });
  };
  const nodes = [client, gw, server];
  const links: RunInput['links'][number][] = [
    {
      kind: 'p2p',
      name: 'p0',
      a: { node: 'client', iface: 'eth0' },
      b: { node: 'gw', iface: 'wan' },
      profile: { latencyUs: 5000, jitterUs: 2000, lossPpm: 50_000, lossBurstLengthMean: 3, duplicatePpm: 20_000 },
      bToA: { reorderPpm: 50_000, reorderExtraDelayUs: 3000, bandwidthBps: 2_000_000, queuePacketsMax: 8 },
    },
    {
      kind: 'segment',
      name: 'lan0',
      attach: [
        { node: 'gw', iface: 'lan' },
        { node: 'server', iface: 'eth0' },
      ],
      profile: { latencyUs: 100, jitterUs: 50, lossPpm: 10_000 },
      routes: [{ prefix: '0.0.0.0/0', via: 'gw' }],
    },
  ];
  if (options.bystander) {
    // Another pair on its own link, busy with traffic: must not change any draw on p0 or lan0.
    const x = new TestNode('x', [{ name: 'eth0', address: '198.51.100.1', prefixLength: 30 }]);
    const y = new TestNode('y', [{ name: 'eth0', address: '198.51.100.2', prefixLength: 30 }]);
    const xStart = x.start.bind(x);
    x.start = (host) => {
      xStart(host);
      let k = 0;
      const tick = (): void => {
        x.sendText('eth0', '198.51.100.2', `noise ${++k}`);
        if (k < 500) host.setTimerUs(333, 'noise', tick);
      };
      host.setTimerUs(0, 'noise', tick);
    };
    nodes.push(x, y);
    links.push({
      kind: 'p2p',
      name: 'p9',
      a: { node: 'x', iface: 'eth0' },
      b: { node: 'y', iface: 'eth0' },
      profile: { latencyUs: 700, jitterUs: 300, lossPpm: 200_000, duplicatePpm: 100_000 },
    });
  }
  return {
    input: {
      nodes,
      links,
      faults: [
        { type: 'link.down', atUs: 50_000, link: 'lan0' },
        { type: 'link.up', atUs: 60_000, link: 'lan0' },
        { type: 'node.crash', atUs: 100_000, node: 'server' },
        { type: 'node.restart', atUs: 105_000, node: 'server' },
        { type: 'drop.match', atUs: 0, match: 'ping 42/' },
        ...(options.extraFaults ?? []),
      ],
      commands: [{ atUs: 150_000, node: 'server', command: { type: 'cmd.hello', args: { n: 1 } } }],
      durationUs: 400_000,
    },
    client,
    server,
  };
}
