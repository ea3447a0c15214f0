/**
 * The client's tunnel machine (models/nodes/client/client-machine.ts), model-based: `xstate/graph` explores the
 * machine and every edge's path is replayed through a real actor spawning real IKE initiators on a test clock, checking at each step what the machine did
 * through its ports and its children: a connect spawns an initiator with a deterministic id that sends an IKE_SA_INIT
 * request (decoded through the codecs, RFC 7296 §1.2); a connect over an open SA abandons it first (§2.4); a failure
 * waits the policy's delay plus jitter and counts tries (then gives up); the user's disconnect releases the address
 * and tells the initiator; a crash loses the initiator; a restart brings back only what the user had connected.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { peerConfig } from '../../../../models/ike/config.ts';
import { modeCfgClient } from '../../../../models/methods/mode-cfg.ts';
import {
  clientMachine,
  type ClientTunnelEmitted,
  type ClientTunnelEvent,
  type ClientTunnelPorts,
  type InitiatorRef,
} from '../../../../models/nodes/client/client-machine.ts';
import type { ReconnectPolicy } from '../../../../models/nodes/client/reconnect-policy.ts';
import { ikeOf, ikePacket, packetCodec } from '../../../../models/nodes/lab-packet.ts';
import { stateName } from '../../../../models/nodes/machine-trace.ts';
import { IkeExchangeType, type IkeMessage } from '../../../../models/wire/ike/index.ts';
import { createRng } from '../../../../sim/rng.ts';
import { edgePaths, expectFullCoverage, TransitionCoverage } from '../../../support/machine-coverage.ts';
import { TestClock } from '../../dhcp/test-clock.ts';

type Snap = SnapshotFrom<typeof clientMachine>;
type Labelled = ClientTunnelEvent & { readonly label: string };

/** Two tries; and none at all (the only way a connected tunnel's failure gives up at once: `ike.up` resets tries). */
const POLICIES: readonly ReconnectPolicy[] = [
  { delayMs: 5000, jitterMs: 1000, triesMax: 2 },
  { delayMs: 3000, jitterMs: 0, triesMax: 0 },
];
const CFG = peerConfig({ identity: 'c@example.com', pskName: 'psk' });

const EVENTS: Readonly<Record<string, Labelled>> = {
  connect: { type: 'client.connect', label: 'connect' },
  disconnect: { type: 'client.disconnect', label: 'disconnect' },
  restartIke: { type: 'client.restartIke', reason: 'dhcp-nak', label: 'restartIke' },
  up: { type: 'ike.up', label: 'up' },
  failed: { type: 'ike.closed', reason: 'timeout', label: 'failed' },
  closedByUs: { type: 'ike.closed', reason: 'disconnect', label: 'closedByUs' },
  timer: { type: 'client.timer', label: 'timer' },
  crash: { type: 'node.crash', label: 'crash' },
  restart: { type: 'node.restart', label: 'restart' },
};

/** The events the world can produce in a state (a timer only while a wait is armed, an IKE event only with an SA). */
function possible(s: Snap): readonly string[] {
  const state = stateName(s.value);
  const user = ['connect', 'disconnect', 'crash'];
  switch (state) {
    case 'offline':
    case 'gaveUp':
      return user;
    case 'connecting':
      return [...user, 'up', 'failed', 'closedByUs'];
    case 'connected.steady':
      return [...user, 'restartIke', 'failed', 'closedByUs'];
    case 'connected.restartPending':
      return [...user, 'restartIke', 'timer', 'failed'];
    case 'reconnecting':
    case 'autoConnecting':
      return [...user, 'timer'];
    case 'disconnecting':
      return [...user, 'closedByUs', 'failed'];
    case 'down':
      return ['restart'];
    default:
      throw new Error(`unexpected state ${state}`);
  }
}

const vertex = (s: Snap): string => `${stateName(s.value)}|tries=${s.context.tries}|wanted=${s.context.wanted ? 1 : 0}`;

interface Recorder {
  /** What the machine told the node, in order (`tunnel.*` without the prefix, `abandon:<reason>`, and `attach`). */
  readonly told: string[];
  readonly notes: { text: string; data: Readonly<Record<string, unknown>> }[];
  readonly waits: { delayUs: number; name: string }[];
  /** Every initiator spawned, with what it sent (through the codecs) and the reasons it closed with. */
  readonly initiators: { ref: InitiatorRef; sent: IkeMessage[]; closed: string[] }[];
}

function wire(m: IkeMessage): IkeMessage {
  const r = packetCodec.decode(packetCodec.encode(ikePacket('192.0.2.10', '192.0.2.1', m)));
  const back = r.ok ? ikeOf(r.value) : undefined;
  if (back === undefined) throw new Error('not an IKE message after the codecs');
  return back;
}

function ports(rec: Recorder | undefined): ClientTunnelPorts {
  return {
    initiatorInput: () => ({ cfg: CFG, method: modeCfgClient(), rng: createRng(5) }),
    attach: (ref) => {
      if (rec === undefined) return;
      const entry = { ref, sent: [] as IkeMessage[], closed: [] as string[] };
      rec.initiators.push(entry);
      ref.on('*', (e) => {
        if (e.type === 'net.send') entry.sent.push(wire(e.message));
        if (e.type === 'ike.closed') entry.closed.push(e.reason);
      });
      rec.told.push('attach');
    },
  };
}

function listen(rec: Recorder, e: ClientTunnelEmitted): void {
  if (e.type === 'tunnel.note') rec.notes.push({ text: e.text, data: e.data });
  if (e.type === 'tunnel.wait') rec.waits.push({ delayUs: e.delayUs, name: e.name });
  rec.told.push(e.type === 'tunnel.abandon' ? `abandon:${e.reason}` : e.type.slice('tunnel.'.length));
}

const COV = new TransitionCoverage(clientMachine);

describe('client tunnel machine: every edge of the graph through real actors', () => {
  it.each(POLICIES)('policy %o: each step does what the connection’s life says', (POLICY) => {
    const paths = edgePaths(clientMachine, {
      input: { tunnel: 'primary', policy: POLICY, rng: createRng(1), ports: ports(undefined) },
      events: (s) => possible(s).map((l) => EVENTS[l] as Labelled),
      serializeState: vertex,
      serializeEvent: (e) => (e as Labelled).label,
    });
    expect(paths.length).toBeGreaterThan(30);
    for (const path of paths) {
      const rec: Recorder = { told: [], notes: [], waits: [], initiators: [] };
      const clock = new TestClock();
      const actor = createActor(clientMachine, {
        clock,
        inspect: COV.inspect,
        input: { tunnel: 'primary', policy: POLICY, rng: createRng(1), ports: ports(rec) },
      });
      actor.on('*', (e) => listen(rec, e));
      actor.start();
      for (const step of path.events) {
        const label = (step as Labelled).label;
        const where = `${path.edge} at ${label}`;
        const before = actor.getSnapshot();
        const from = stateName(before.value);
        const spawnedBefore = rec.initiators.length;
        const oldInitiator = rec.initiators[spawnedBefore - 1];
        rec.told.length = 0;
        rec.notes.length = 0;
        rec.waits.length = 0;
        actor.send(step);
        const after = actor.getSnapshot();
        const to = stateName(after.value);
        const open = ['connecting', 'connected.steady', 'connected.restartPending', 'disconnecting'].includes(from);
        const spawnedNow = rec.initiators.slice(spawnedBefore);

        // A new IKE SA: one initiator, a deterministic id, its IKE_SA_INIT request on the wire (RFC 7296 §1.2).
        const starts =
          (label === 'connect' && from !== 'down') || (label === 'timer' && from !== 'connected.steady') || false;
        if (starts) {
          expect(to, where).toBe('connecting');
          expect(spawnedNow.length, where).toBe(1);
          const init = spawnedNow[0];
          expect(init?.ref.id, where).toBe(`ike:primary#${spawnedBefore}`);
          expect(
            init?.sent.map((m) => [m.exchangeType, m.response, m.messageId]),
            where,
          ).toEqual([[IkeExchangeType.IKE_SA_INIT, false, 0]]);
          // The old initiator is stopped, the data path told before the new one is attached.
          if (oldInitiator !== undefined) expect(oldInitiator.ref.getSnapshot().status, where).not.toBe('active');
          // The data path hears of the old initiator's end (detach), and of the abandon before it.
          expect(rec.told.includes('detach'), where).toBe(true);
        } else {
          expect(spawnedNow.length, where).toBe(0);
        }
        // Abandoning an open IKE SA (RFC 7296 §2.4 INITIAL_CONTACT replaces it at the gateway) happens exactly when a
        // new SA starts over an open one, with the method's reason on a restart.
        const abandoned = rec.told.filter((c) => c.startsWith('abandon:'));
        if (starts && open) {
          expect(abandoned, where).toEqual([label === 'timer' ? 'abandon:dhcp-nak' : 'abandon:reconnect']);
          if (label === 'timer') {
            // In the order the node must act: the wait is over, noted, the old SA abandoned, its data path dropped.
            expect(
              rec.told.filter((x) => x !== 'attach'),
              where,
            ).toEqual(['stopWait', 'note', 'abandon:dhcp-nak', 'detach']);
            expect(
              rec.notes.map((n) => n.text),
              where,
            ).toEqual(['client.restart']);
            // The old SA is told to go first (its Delete, RFC 7296 §1.4.1); never answered here, it closes at once.
            expect(oldInitiator?.closed, where).toEqual(['disconnect']);
          }
        } else {
          expect(abandoned, where).toEqual([]);
        }

        if (label === 'failed' && (from === 'connecting' || from.startsWith('connected'))) {
          if (before.context.tries < POLICY.triesMax) {
            expect(to, where).toBe('reconnecting');
            const note = rec.notes.find((n) => n.text === 'client.reconnect');
            expect(note?.data['attempt'], where).toBe(before.context.tries + 1);
            const delayUs = Number(note?.data['delayUs']);
            expect(delayUs, where).toBeGreaterThanOrEqual(POLICY.delayMs * 1000);
            expect(delayUs, where).toBeLessThanOrEqual((POLICY.delayMs + POLICY.jitterMs) * 1000);
            expect(rec.waits, where).toEqual([{ delayUs, name: 'client.reconnect' }]);
          } else {
            expect(to, where).toBe('gaveUp');
            expect(rec.waits, where).toEqual([]);
          }
        }
        if (label === 'closedByUs') expect(to, where).toBe('offline');
        if (label === 'up') expect([to, after.context.tries], where).toEqual(['connected.steady', 0]);
        if (label === 'restartIke' && from === 'connected.steady')
          expect(rec.waits, where).toEqual([{ delayUs: 0, name: 'client.restart' }]);

        if (label === 'disconnect') {
          expect(after.context.wanted, where).toBe(false);
          expect(to, where).toBe(open ? 'disconnecting' : 'offline');
          // The address goes now, and the initiator is told (the Delete, or closed before any SA exists).
          expect(rec.told.includes('release'), where).toBe(open);
          if (open && from !== 'disconnecting') {
            const state = oldInitiator?.ref.getSnapshot().value;
            expect(state === 'closed' || state === 'authSent' || state === 'deleting', where).toBe(true);
            expect(oldInitiator?.closed, where).toEqual(['disconnect']);
          }
        }
        if (label === 'crash') {
          expect([to, rec.told.includes('lose')], where).toEqual(['down', true]);
          expect(after.context.initiator, where).toBeUndefined();
          if (oldInitiator !== undefined) expect(oldInitiator.ref.getSnapshot().status, where).not.toBe('active');
        }
        if (label === 'restart') {
          expect(to, where).toBe(before.context.wanted ? 'autoConnecting' : 'offline');
          expect(rec.waits, where).toEqual(
            before.context.wanted ? [{ delayUs: POLICY.delayMs * 1000, name: 'client.autoConnect' }] : [],
          );
        }
        // Leaving a waiting state cancels its host timer.
        const waiting = (s: string): boolean =>
          s === 'reconnecting' || s === 'autoConnecting' || s === 'connected.restartPending';
        if (waiting(from) && to !== from) expect(rec.told, where).toContain('stopWait');
      }
      actor.stop();
    }
  });

  it('a crash while the method’s restart is pending forgets it: after the restart the method may ask again', () => {
    // The class this machine replaced kept the pending restart's handle across a crash (its timer died with the
    // node's life), so every later `reconnect` of the method was ignored until the user disconnected.
    const rec: Recorder = { told: [], notes: [], waits: [], initiators: [] };
    const actor = createActor(clientMachine, {
      clock: new TestClock(),
      input: { tunnel: 'primary', policy: POLICIES[0] as ReconnectPolicy, rng: createRng(1), ports: ports(rec) },
    });
    actor.on('*', (e) => listen(rec, e));
    actor.start();
    const steps: readonly string[] = ['connect', 'up', 'restartIke', 'crash', 'restart', 'timer', 'up', 'restartIke'];
    for (const label of steps) actor.send(EVENTS[label] as Labelled);
    expect(stateName(actor.getSnapshot().value)).toBe('connected.restartPending');
    expect(rec.waits.map((w) => w.name)).toEqual(['client.restart', 'client.autoConnect', 'client.restart']);
    actor.send(EVENTS['timer'] as Labelled);
    expect(stateName(actor.getSnapshot().value)).toBe('connecting');
    expect(rec.initiators.map((i) => i.ref.id)).toEqual(['ike:primary#0', 'ike:primary#1', 'ike:primary#2']);
    expect(rec.notes.map((n) => n.text)).toEqual(['client.autoConnect', 'client.restart']);
  });

  it('covers every state and transition', () => {
    expectFullCoverage(COV);
  });
});
