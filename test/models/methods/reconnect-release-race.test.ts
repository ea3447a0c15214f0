/**
 * Regression (vopr `lease.notPastExpiry`, dhcp-over-ike-wg seed 750819922): a client connects again while its tunnel
 * is up; its new IKE_AUTH carries INITIAL_CONTACT (RFC 7296 §2.4) and an INIT-REBOOT REQUEST for the address it holds
 * (draft-ietf §3). The gateway deleted the old IKE SA first and its relay sent a DHCPRELEASE for that SA's lease
 * (RFC 2131 §4.4.6) in the same instant as it relayed the new REQUEST. With jitter on the inside link the REQUEST
 * reached the server first, was ACKed, and the RELEASE then ended the lease the client had just been given (§4.4.5).
 * The relay now releases only once the current exchange is handled, and not at all when a newer SA of the same peer
 * asks the server for the same client.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { oneClientScenario } from '../../support/one-client-scenario.ts';

/** One client; connected at 0 ms and told to connect again at 1 s; 3 ms jitter on the inside link (seed 1 races). */
function reconnect(): object {
  return oneClientScenario({
    name: 'reconnect-release-race',
    description: 'A client connects again while its tunnel is up; the inside link reorders what the gateway sends.',
    methods: ['dhcp-over-ike-wg'],
    seed: 1,
    durationMs: 4000,
    leaseSecs: 60,
    outside: { latencyMs: 10 },
    inside: { latencyMs: 5, jitterMs: 3 },
    workload: {
      actions: [
        { atMs: 0, action: 'connect', nodes: 'client1' },
        { atMs: 1000, action: 'connect', nodes: 'client1' },
      ],
      livenessSecs: 1,
    },
  });
}

function notes(trace: readonly TraceEvent[], node: string, texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of trace)
    if (e.type === 'note' && e.node === node && texts.includes(e.text))
      out.push(`${e.atUs} ${e.text} ${String(e.data?.['address'])}`);
  return out;
}

/** The data of `node`'s notes named `text`, in order. */
function noteData(trace: readonly TraceEvent[], node: string, text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const e of trace) if (e.type === 'note' && e.node === node && e.text === text) out.push({ ...e.data });
  return out;
}

describe('a reconnect with INITIAL_CONTACT: the old SA’s RELEASE must not race the new REQUEST', () => {
  it('dhcp-over-ike-wg: no lease.notPastExpiry (seed 1)', () => {
    expect(runChecked(reconnect(), { method: 'dhcp-over-ike-wg', seed: 1 }).violations).toEqual([]);
  });

  it('dhcp-over-ike-wg: no RELEASE goes out; the server keeps the lease the new SA renewed, the client holds it', () => {
    const run = runScenario(reconnect(), { method: 'dhcp-over-ike-wg', seed: 1 });
    const [replaced] = noteData(run.trace, 'gw', 'gateway.saReplaced');
    expect(replaced).toMatchObject({ reason: 'initial-contact', old: expect.any(String), by: expect.any(String) });
    expect(noteData(run.trace, 'gw', 'relay.releaseSkipped')).toEqual([
      { ikeSa: replaced?.['old'], address: '10.99.1.10', askedBy: replaced?.['by'] },
    ]);
    const releases = run.trace.filter(
      (e) => e.type === 'send' && e.node === 'gw' && e.summary.startsWith('DHCPRELEASE'),
    );
    expect(releases).toEqual([]);
    expect(notes(run.trace, 'dhcp', ['lease.ended'])).toEqual([]);
    // Before the fix the lease ended at 1 036 752 µs and the client was assigned the address again 14 ms later.
    expect(notes(run.trace, 'client1', ['address.assigned', 'address.released'])).toEqual([
      '84453 address.assigned 10.99.1.10',
      '1000000 address.released 10.99.1.10',
      '1052890 address.assigned 10.99.1.10',
    ]);
  });
});
