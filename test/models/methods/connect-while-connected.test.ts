/**
 * Regression (vopr `lease.notPastExpiry`, dhcp-over-ike seeds 446606431, 655795210, 1727546422): a `cmd.connect`
 * while the tunnel is up abandons the IKE SA and starts a new one whose IKE_AUTH carries INITIAL_CONTACT. The gateway
 * takes that as "the peer kept no state" (RFC 7296 §2.4) and deletes the old SA (its relay now keeps the lease for the
 * new SA, which asks for the same client: reconnect-release-race.test.ts; it used to RELEASE it, RFC 2131 §4.4.6). The
 * client used to keep noting the old address as held until the new SA was configured, so it held 10.99.1.10 for a few
 * ms after the server's lease had ended; it must drop the address when it abandons the SA (RFC 2131 §4.4.5).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { oneClientScenario } from '../../support/one-client-scenario.ts';

/** One client, 1 ms links, 20 s leases; connected at 0 ms and told to connect again at 11 ms (the shrunk seed). */
function connectTwice(): object {
  return oneClientScenario({
    name: 'connect-while-connected',
    description: 'One client connects, then connects again while its tunnel is up.',
    methods: ['dhcp-over-ike'],
    seed: 446606431,
    durationMs: 3000,
    leaseSecs: 20,
    workload: {
      actions: [
        { atMs: 0, action: 'connect', nodes: 'client1' },
        { atMs: 11, action: 'connect', nodes: 'client1' },
      ],
      livenessSecs: 1,
    },
  });
}

function addressNotes(trace: readonly TraceEvent[]): string[] {
  const out: string[] = [];
  for (const e of trace)
    if (e.type === 'note' && e.node === 'client1' && (e.text === 'address.assigned' || e.text === 'address.released'))
      out.push(`${e.atUs} ${e.text} ${String(e.data?.['address'])}`);
  return out;
}

describe('cmd.connect while the tunnel is up', () => {
  it('dhcp-over-ike: no lease.notPastExpiry (seed 446606431, shrunk)', () => {
    const run = runChecked(connectTwice(), { method: 'dhcp-over-ike', seed: 446606431 });
    expect(run.violations).toEqual([]);
  });

  it('dhcp-over-ike: the address goes with the abandoned IKE SA; the new SA carries the lease on', () => {
    const run = runScenario(connectTwice(), { method: 'dhcp-over-ike', seed: 446606431 });
    // Assigned at 10 ms; dropped at the second connect (11 ms); the new IKE SA's lease is assigned at 21 ms.
    expect(addressNotes(run.trace)).toEqual([
      '10000 address.assigned 10.99.1.10',
      '11000 address.released 10.99.1.10',
      '21000 address.assigned 10.99.1.10',
    ]);
    const ended = run.trace.filter((e) => e.type === 'note' && e.node === 'dhcp' && e.text === 'lease.ended');
    // The new SA's IKE_AUTH asks for the same client in the exchange that replaced the old SA, so the relay sends no
    // RELEASE that could race it (reconnect-release-race.test.ts); the server's lease was never ended.
    expect(ended.map((e) => e.atUs)).toEqual([]);
    const skipped = run.trace.filter((e) => e.type === 'note' && e.node === 'gw' && e.text === 'relay.releaseSkipped');
    expect(skipped.map((e) => e.atUs)).toEqual([14_000]);
  });

  it('mode-cfg-dhcp: no lease.notPastExpiry and the address is dropped at the second connect', () => {
    const run = runChecked(connectTwice(), { method: 'mode-cfg-dhcp', seed: 446606431 });
    expect(run.violations).toEqual([]);
    const notes = addressNotes(runScenario(connectTwice(), { method: 'mode-cfg-dhcp', seed: 446606431 }).trace);
    expect(notes[1]).toBe('11000 address.released 10.99.1.10');
  });
});
