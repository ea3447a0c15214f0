import { describe, expect, it } from 'vitest';
import { DOUBLING_RETRANSMIT } from '../../../models/ike/retransmit.ts';
import { runScenario, type TraceEvent } from '../../../sim/index.ts';
import { buildTopology } from '../../support/topology.ts';
import { notes, secs } from './ladder.ts';

/**
 * Replays the clients' `address.assigned` / `address.released` notes (what each client believes and uses) and lists
 * every time two clients hold one address at once, with when it began and ended (`open` if it never did). Nothing is
 * forgotten at a gateway crash: the gateway loses its pool, the clients keep their addresses.
 */
function doubleHolds(trace: readonly TraceEvent[]): string[] {
  const holders = new Map<string, Set<string>>();
  const overlapping = new Map<string, { readonly since: number; readonly who: string }>();
  const problems: string[] = [];
  const close = (address: string, until: string): void => {
    const was = overlapping.get(address);
    if (was !== undefined) problems.push(`${address}: ${was.who} from ${secs(was.since)} to ${until}`);
    overlapping.delete(address);
  };
  for (const e of trace) {
    if (e.type !== 'note' || (e.text !== 'address.assigned' && e.text !== 'address.released')) continue;
    const address = String(e.data?.address);
    const set = holders.get(address) ?? new Set<string>();
    holders.set(address, set);
    if (e.text === 'address.assigned') set.add(String(e.data?.client));
    else set.delete(String(e.data?.client));
    const who = [...set].sort().join(' and ');
    if (overlapping.get(address)?.who === who) continue;
    close(address, secs(e.atUs));
    if (set.size > 1) overlapping.set(address, { since: e.atUs, who });
  }
  for (const address of [...overlapping.keys()]) close(address, 'open');
  return problems;
}

describe('gateway crash and restart', () => {
  it('clients detect the dead gateway by liveness give-up and reconnect; the emptied pool double-assigns until then', () => {
    const t = buildTopology({
      clients: 4,
      durationUs: 200_000_000,
      client: {
        retransmit: DOUBLING_RETRANSMIT,
        lifetimes: { childRekeyMs: 0, ikeRekeyMs: 0, livenessMs: 10_000, jitterMs: 0 },
      },
      reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 3 },
      commands: [
        ...[1, 2, 3].map((i) => ({ atUs: (i - 1) * 100_000, node: `client${i}`, command: { type: 'cmd.connect' } })),
        // A newcomer after the restart: the emptied pool gives it 10.99.0.1, which client1 still believes is its own.
        { atUs: 7_000_000, node: 'client4', command: { type: 'cmd.connect' } },
      ],
      faults: [
        { type: 'node.crash', atUs: 5_000_000, node: 'gw' },
        { type: 'node.restart', atUs: 6_000_000, node: 'gw' },
      ],
    });
    const out = runScenario(t.input, { seed: 11 });
    const at = (text: string): string[] => notes(out.trace, text).map((e) => `${e.node}@${secs(e.atUs)}`);
    // Liveness at 10.04 s (+ the connect offset) is never answered: the gateway lost the SA (RFC 7296 §2.4).
    // DOUBLING_RETRANSMIT gives up 127 s after the first send; the reconnect follows 5 s later.
    expect(at('ike.giveUp')).toEqual(['client1@137.040', 'client2@137.140', 'client3@137.240']);
    expect(at('client.reconnect')).toEqual(['client1@137.040', 'client2@137.140', 'client3@137.240']);
    expect(at('ike.unknownSpi')).toHaveLength(21); // 3 clients × 7 sends of the liveness request
    const acquired = notes(out.trace, 'pool.acquire').map((e) =>
      e.type === 'note' ? `${secs(e.atUs)} ${String(e.data?.peer)} ${String(e.data?.address)}` : '',
    );
    expect(acquired).toEqual([
      '0.030 client1@example.com 10.99.0.1',
      '0.130 client2@example.com 10.99.0.2',
      '0.230 client3@example.com 10.99.0.3',
      '7.030 client4@example.com 10.99.0.1',
      '142.070 client1@example.com 10.99.0.2',
      '142.170 client2@example.com 10.99.0.3',
      '142.270 client3@example.com 10.99.0.4',
    ]);
    expect(t.gateway.poolSnapshot()).toEqual({
      '10.99.0.1': 'client4@example.com',
      '10.99.0.2': 'client1@example.com',
      '10.99.0.3': 'client2@example.com',
      '10.99.0.4': 'client3@example.com',
    });
    expect(t.clients.map((c) => c.states().ike)).toEqual(Array(4).fill('established.ready'));
    // The double hold the newcomer comment describes: client4 gets 10.99.0.1 at 7.04 while client1 still uses it,
    // until client1's liveness gives up (RFC 7296 §2.4) and it lets the address go; after the reconnects, none.
    expect(doubleHolds(out.trace)).toEqual(['10.99.0.1: client1 and client4 from 7.040 to 137.040']);
  });
});
