/**
 * Regression (vopr `lease.notPastExpiry`, dhcp-over-ike and dhcp-over-ike-wg, campaign seed 5, schedule seed
 * 1508287868): a `cmd.disconnect` sends the IKE SA's Delete (RFC 7296 §1.4.1); the gateway closes the SA and its relay
 * sends a DHCPRELEASE on the client's behalf (RFC 2131 §4.4.6). When the inside leg is shorter than the way back to the
 * client, the server ends the lease before the Delete's response arrives, and the client used to hold the address
 * until that response. It gives the address up when it sends the Delete (§4.4.5).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';
import type { MethodId } from '../../../scenarios/method-registry.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { oneClientScenario } from '../../support/one-client-scenario.ts';

/** One client connected at 0 ms and disconnected at 1 s; 10 ms outside, 5 ms inside. */
function disconnect(method: MethodId): object {
  return oneClientScenario({
    name: 'disconnect-release',
    description: 'A client disconnects; the RELEASE reaches the server before the Delete response reaches the client.',
    methods: [method],
    seed: 1,
    durationMs: 3000,
    leaseSecs: 60,
    outside: { latencyMs: 10 },
    inside: { latencyMs: 5 },
    workload: {
      actions: [
        { atMs: 0, action: 'connect', nodes: 'client1' },
        { atMs: 1000, action: 'disconnect', nodes: 'client1' },
      ],
      livenessSecs: 1,
    },
  });
}

function timeline(trace: readonly TraceEvent[]): string[] {
  const out: string[] = [];
  for (const e of trace) {
    if (e.type !== 'note') continue;
    if (e.node === 'client1' && e.text === 'address.released') out.push(`${e.atUs} client1 released`);
    if (e.node === 'dhcp' && e.text === 'lease.ended') out.push(`${e.atUs} dhcp lease.ended`);
    if (e.node === 'client1' && e.text === 'client.closed') out.push(`${e.atUs} client1 closed`);
  }
  return out;
}

describe('cmd.disconnect: the address is given up with the Delete, before the relay’s RELEASE ends the lease', () => {
  for (const method of ['dhcp-over-ike', 'dhcp-over-ike-wg'] as const) {
    it(`${method}: no lease.notPastExpiry; released at 1 s, the lease ended at 1.015 s, closed at 1.020 s`, () => {
      expect(runChecked(disconnect(method), { method, seed: 1 }).violations).toEqual([]);
      // The Delete reaches the gateway at 1.010 s; its RELEASE reaches the server at 1.015 s; the response the client
      // at 1.020 s. Before the fix the address went only with the response.
      expect(timeline(runScenario(disconnect(method), { method, seed: 1 }).trace)).toEqual([
        '1000000 client1 released',
        '1015000 dhcp lease.ended',
        '1020000 client1 closed',
      ]);
    });
  }
});

/**
 * Regression (vopr `machine.handled`, dhcp-over-ike, campaign test schedule seed 1395726542, shrunk): the outside link
 * is down from 10 ms to 5.007 s and the client disconnects as it comes back; its Delete is retransmitted while the
 * method's DHCP client went on renewing and asked the IKE SA, now `deleting`, for a CREATE_CHILD_SA (dropped). The
 * method stops with the disconnect.
 */
function disconnectWhileCut(): object {
  return {
    ...oneClientScenario({
      name: 'disconnect-while-cut',
      description:
        'A client disconnects; the RELEASE reaches the server before the Delete response reaches the client.',
      methods: ['dhcp-over-ike'],
      seed: 1395726542,
      durationMs: 30_000,
      leaseSecs: 20,
      workload: {
        actions: [
          { atMs: 0, action: 'connect', nodes: 'client1' },
          { atMs: 5007, action: 'disconnect', nodes: 'client1' },
        ],
        pingIntervalMs: 5000,
        livenessSecs: 5,
        childRekeySecs: 20,
      },
    }),
    faults: [
      { type: 'link.down', atMs: 10, link: 'outside' },
      { type: 'link.up', atMs: 5007, link: 'outside' },
    ],
  };
}

describe('cmd.disconnect stops the method’s DHCP client with the address', () => {
  it('dhcp-over-ike: no machine.handled (seed 1395726542); no DHCP after the disconnect', () => {
    expect(runChecked(disconnectWhileCut(), { method: 'dhcp-over-ike', seed: 1395726542 }).violations).toEqual([]);
    const run = runScenario(disconnectWhileCut(), { method: 'dhcp-over-ike', seed: 1395726542 });
    const unhandled = run.trace.filter((e) => e.type === 'note' && e.text === 'machine.unhandled');
    expect(unhandled).toEqual([]);
    const dhcpStates = run.trace.filter(
      (e) => e.type === 'state' && e.node === 'client1' && e.machine === 'dhcp' && e.atUs > 5_007_000,
    );
    expect(dhcpStates).toEqual([]);
  });
});
