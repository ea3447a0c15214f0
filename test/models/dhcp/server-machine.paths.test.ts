/**
 * Model-based test of the DHCP server statechart (serving ⇄ stalled around a bounded service queue) from its
 * definition: `xstate/graph` explores it with arriving DISCOVERs, the service and expiry timers, stall/unstall and
 * restarts keeping or losing the leases; every generated path is driven through a real actor. At each step what
 * the server emits must follow from the state it was in: a reply only while serving (an OFFER, encoded and parsed
 * again by the codecs, RFC 2131 §4.3.1), a `stalled` drop while stalled, a `queue-full` drop only when the bounded
 * queue is full. Coverage of every state and transition is required.
 *
 * What the machine is (chosen for readability): the per-message path — select a pool, offer, commit — stays in the
 * pure `handleDhcpMessage` over the lease store (models/dhcp/server.ts), which the server tests check exactly; the
 * statechart shows what is stateful about a server process: serving or stalled, and its queue.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { ethernetIdentity } from '../../../models/dhcp/client-identity.ts';
import { buildDiscover } from '../../../models/dhcp/client-messages.ts';
import { messageTypeOf } from '../../../models/dhcp/options.ts';
import {
  dhcpServerMachine,
  type DhcpServerEmitted,
  type DhcpServerEvent,
  type DhcpServerInput,
} from '../../../models/dhcp/server-machine.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../../../models/wire/dhcp/codec.ts';
import { DhcpMessageType } from '../../../models/wire/dhcp/types.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../support/machine-coverage.ts';
import { POOL_A } from './fixtures.ts';
import { TestClock } from './test-clock.ts';

type Snap = SnapshotFrom<typeof dhcpServerMachine>;
type Labelled = DhcpServerEvent & { readonly label: string };

function discover(n: number): Labelled {
  const message = buildDiscover(
    {
      identity: ethernetIdentity(`02:00:00:00:00:0${n}`),
      xid: 100 + n,
      secs: 0,
      broadcastFlag: false,
      parameterRequestList: [1, 3],
    },
    null,
  );
  return {
    type: 'dhcp.recv',
    message,
    received: { interfaceName: 'eth0', interfaceAddress: '10.1.0.1' },
    label: 'discover',
  };
}

const EVENTS: Readonly<Record<string, () => Labelled>> = {
  discover: () => discover(1),
  'timer.service': () => ({ type: 'timer.service', label: 'timer.service' }),
  'timer.expiry': () => ({ type: 'timer.expiry', label: 'timer.expiry' }),
  'cmd.stall': () => ({ type: 'cmd.stall', label: 'cmd.stall' }),
  'cmd.unstall': () => ({ type: 'cmd.unstall', label: 'cmd.unstall' }),
  restartKeep: () => ({ type: 'cmd.restart', keepLeases: true, label: 'restartKeep' }),
  restartLose: () => ({ type: 'cmd.restart', keepLeases: false, label: 'restartLose' }),
};

function events(s: Snap): Labelled[] {
  const labels = ['discover', 'timer.expiry', 'restartKeep', 'restartLose'];
  labels.push(s.value === 'serving' ? 'cmd.stall' : 'cmd.unstall');
  if (s.value === 'serving' && s.context.busy) labels.push('timer.service');
  return labels.map((l) => (EVENTS[l] as () => Labelled)());
}

const vertex = (s: Snap): string => `${String(s.value)}|q${s.context.queue.length}|${s.context.busy ? 'busy' : 'idle'}`;

const CONFIGS: readonly { name: string; serviceUs: number; queueMax: number }[] = [
  { name: 'answering at once', serviceUs: 0, queueMax: 64 },
  { name: 'a queue of two, 1 ms a message', serviceUs: 1_000, queueMax: 2 },
];

function inputFor(c: (typeof CONFIGS)[number], clock: TestClock): DhcpServerInput {
  return {
    server: { serverId: '10.1.0.1' },
    leases: { pools: [POOL_A] },
    nowUs: () => clock.nowUs(),
    serviceUs: c.serviceUs,
    queueMax: c.queueMax,
  };
}

describe('DHCP server statechart: generated paths through a real actor', () => {
  const cov = new TransitionCoverage(dhcpServerMachine);
  let pathsRun = 0;

  for (const config of CONFIGS) {
    it(`every edge of the graph, ${config.name}: what it emits follows from its state`, () => {
      const paths = edgePaths(dhcpServerMachine, {
        input: inputFor(config, new TestClock()),
        events,
        serializeState: vertex,
        serializeEvent: (e) => (e as Labelled).label,
      });
      expect(paths.length).toBeGreaterThan(5);
      for (const path of paths) {
        const clock = new TestClock();
        const actor = createActor(dhcpServerMachine, { clock, input: inputFor(config, clock), inspect: cov.inspect });
        const out: DhcpServerEmitted[] = [];
        actor.on('*', (e) => out.push(e));
        actor.start();
        for (const step of path.events) {
          const label = (step as Labelled).label;
          const before = actor.getSnapshot();
          const queued = before.context.queue.length;
          actor.send((EVENTS[label] as () => Labelled)());
          for (const e of out.splice(0)) {
            const where = `${path.edge}: ${vertex(before)} --${label}`;
            if (e.type === 'dhcp.reply') {
              expect(before.value, `${where}: a stalled server does not answer`).toBe('serving');
              const parsed = parseDhcpMessage(emitDhcpMessage(e.message), 0);
              expect(parsed.ok).toBe(true);
              if (parsed.ok) expect(messageTypeOf(parsed.value), where).toBe(DhcpMessageType.OFFER);
            } else if (e.type === 'dhcp.dropped') {
              if (e.reason === 'stalled') expect(before.value, where).toBe('stalled');
              else expect(queued, `${where}: dropped with room in the queue`).toBe(config.queueMax);
            } else {
              expect(['dhcp.silent', 'lease.expired'], where).toContain(e.type);
            }
          }
        }
        actor.stop();
        pathsRun += 1;
      }
    });
  }

  it('the paths took every state and every transition of the definition', () => {
    expect(pathsRun).toBeGreaterThan(10);
    expectFullCoverage(cov);
  });
});
