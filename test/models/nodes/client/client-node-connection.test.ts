/**
 * The client node drives its tunnel machine (models/nodes/client/client-machine.ts) from the simulated network: a
 * gateway that never answers IKE_SA_INIT makes the initiator give up (RFC 7296 §2.4), the machine waits the reconnect
 * delay and tries again, and gives up after the policy's tries; a user disconnect of a live tunnel ends offline, a
 * crash with the tunnel wanted comes back after the restart.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../../sim/index.ts';
import { buildTopology } from '../../../support/topology.ts';
import { notes, secs, sends } from '../ladder.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;

describe('client node: the connection’s life as its machine decides it', () => {
  it('an unanswered IKE_SA_INIT: give-up, one reconnect after the delay, then gaveUp (triesMax 1)', () => {
    const t = buildTopology({
      durationUs: 400_000_000,
      commands: [connect],
      reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 1 },
      faults: [{ type: 'drop.match', atUs: 0, match: 'IKE_SA_INIT response', count: 1000 }],
    });
    const out = runScenario(t.input, { seed: 1 });
    const giveUps = notes(out.trace, 'ike.giveUp').map((e) => e.atUs);
    expect(giveUps).toHaveLength(2);
    const reconnects = notes(out.trace, 'client.reconnect');
    expect(reconnects.map((e) => [e.atUs, e.data])).toEqual([[giveUps[0], { attempt: 1, delayUs: 5_000_000 }]]);
    // The second IKE SA's first IKE_SA_INIT leaves when the host timer fires, 5 s after the first give-up.
    const timers = out.trace.filter((e) => e.type === 'timer' && e.name === 'client.reconnect');
    expect(timers.map((e) => e.atUs)).toEqual([(giveUps[0] ?? 0) + 5_000_000]);
    const inits = sends(out.trace, 'client1', 'IKE_SA_INIT request').map((e) => e.atUs);
    expect(inits.filter((at) => at === (giveUps[0] ?? 0) + 5_000_000)).toHaveLength(1);
    expect(t.clients[0]?.connectionStates()).toEqual({ primary: 'gaveUp' });
    expect(t.clients[0]?.states()).toEqual({ connection: 'gaveUp', ike: 'closed' });
  });

  it('connected, then the user disconnects: offline once the Delete is answered, no reconnect', () => {
    const t = buildTopology({
      durationUs: 20_000_000,
      commands: [connect, { atUs: 10_000_000, node: 'client1', command: { type: 'cmd.disconnect' } }],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(notes(out.trace, 'client.closed').map((e) => [secs(e.atUs), e.data])).toEqual([
      // One round trip (2 × 10 ms) after the Delete (RFC 7296 §1.4.1).
      ['10.020', { reason: 'disconnect' }],
    ]);
    expect(notes(out.trace, 'client.reconnect')).toEqual([]);
    expect(t.clients[0]?.connectionStates()).toEqual({ primary: 'offline' });
  });

  it('a crash of a connected client: down, then back after the auto-connect delay, connected again', () => {
    const t = buildTopology({
      durationUs: 30_000_000,
      commands: [connect],
      reconnect: { delayMs: 2000, jitterMs: 0, triesMax: 3 },
      faults: [
        { type: 'node.crash', atUs: 5_000_000, node: 'client1' },
        { type: 'node.restart', atUs: 6_000_000, node: 'client1' },
      ],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(notes(out.trace, 'client.autoConnect').map((e) => [secs(e.atUs), e.data])).toEqual([
      ['6.000', { delayUs: 2_000_000 }],
    ]);
    const inits = sends(out.trace, 'client1', 'IKE_SA_INIT request').map((e) => secs(e.atUs));
    expect(inits).toEqual(['0.000', '8.000']);
    expect(t.clients[0]?.connectionStates()).toEqual({ primary: 'connected.steady' });
    expect(t.clients[0]?.states()).toEqual({ connection: 'connected.steady', ike: 'established.window.ready' });
  });
});
