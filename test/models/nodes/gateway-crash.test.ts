import { describe, expect, it } from 'vitest';
import { DOUBLING_RETRANSMIT } from '../../../models/ike/retransmit.ts';
import { runScenario, type TraceEvent } from '../../../sim/index.ts';
import { buildTopology } from '../../support/topology.ts';
import { ladder, notes, secs } from './ladder.ts';

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
  it('the restarted gateway answers INVALID_IKE_SPI; clients confirm, withdraw the address, reconnect at once', () => {
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
        // A newcomer after the restart, while client1 still believes 10.99.0.1 is its own.
        { atUs: 7_000_000, node: 'client4', command: { type: 'cmd.connect' } },
      ],
      faults: [
        { type: 'node.crash', atUs: 5_000_000, node: 'gw' },
        { type: 'node.restart', atUs: 6_000_000, node: 'gw' },
      ],
    });
    const out = runScenario(t.input, { seed: 11 });
    const at = (text: string): string[] => notes(out.trace, text).map((e) => `${e.node}@${secs(e.atUs)}`);
    // RFC 7296 §2.21.4: the liveness request at 10.05 s names an IKE SA the restarted gateway forgot; it answers
    // INVALID_IKE_SPI in the clear. The client re-sends the request as its check, gets INVALID_IKE_SPI again and
    // closes the IKE SA (`peer-lost`) instead of retransmitting for 127 s; the reconnect follows 5 s later.
    expect(
      ladder(out.trace)
        .filter((l) => l.includes('client1') && l.includes('INFORMATIONAL'))
        .slice(0, 4),
    ).toEqual([
      '10.050 client1→gw: INFORMATIONAL request #2 SK{}',
      '10.060 gw→client1: INFORMATIONAL response #2 N(INVALID_IKE_SPI)',
      '10.070 client1→gw: INFORMATIONAL request #2 SK{}',
      '10.080 gw→client1: INFORMATIONAL response #2 N(INVALID_IKE_SPI)',
    ]);
    expect(at('ike.giveUp')).toEqual([]);
    expect(notes(out.trace, 'client.closed').map((e) => `${e.node}@${secs(e.atUs)} ${String(e.data?.reason)}`)).toEqual(
      ['client1@10.080 peer-lost', 'client2@10.180 peer-lost', 'client3@10.280 peer-lost'],
    );
    // client1's stale claim on 10.99.0.1 (client4's since 7.04 s) ends with the close, not ~127 s later.
    expect(
      notes(out.trace, 'address.released').map((e) => `${e.node}@${secs(e.atUs)} ${String(e.data?.address)}`),
    ).toEqual(['client1@10.080 10.99.0.1', 'client2@10.180 10.99.0.2', 'client3@10.280 10.99.0.3']);
    expect(at('client.reconnect')).toEqual(['client1@10.080', 'client2@10.180', 'client3@10.280']);
    expect(at('ike.unknownSpi')).toHaveLength(6); // 3 clients × (request + its re-send)
    const acquired = notes(out.trace, 'pool.acquire').map((e) =>
      e.type === 'note' ? `${secs(e.atUs)} ${String(e.data?.peer)} ${String(e.data?.address)}` : '',
    );
    // The pool survives the restart with every address lingering for its owner (address-pool.ts suspendAll): the
    // newcomer gets a never-used address, not client1's, and each old client gets its own back on reconnect.
    expect(acquired).toEqual([
      '0.030 client1@example.com 10.99.0.1',
      '0.130 client2@example.com 10.99.0.2',
      '0.230 client3@example.com 10.99.0.3',
      '7.030 client4@example.com 10.99.0.4',
      '15.110 client1@example.com 10.99.0.1',
      '15.210 client2@example.com 10.99.0.2',
      '15.310 client3@example.com 10.99.0.3',
    ]);
    expect(t.gateway.poolSnapshot()).toEqual({
      '10.99.0.1': 'client1@example.com',
      '10.99.0.2': 'client2@example.com',
      '10.99.0.3': 'client3@example.com',
      '10.99.0.4': 'client4@example.com',
    });
    expect(t.clients.map((c) => c.states().ike)).toEqual(Array(4).fill('established.window.ready'));
    // No double hold: before the pool survived restarts, client4 got 10.99.0.1 at 7.04 while client1 still used it
    // (until 10.08 s with INVALID_IKE_SPI, until its liveness give-up at 137.04 s before that).
    expect(doubleHolds(out.trace)).toEqual([]);
  });
});
