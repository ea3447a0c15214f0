import { describe, expect, it } from 'vitest';
import type { BusyRepeatPolicy } from '../../../models/ike/config.ts';
import {
  AddressPool,
  poolProvider,
  type AddressProvider,
  type GatewayMethodContext,
} from '../../../models/methods/index.ts';
import { runScenario } from '../../../sim/index.ts';
import { buildTopology } from '../../support/topology.ts';
import { ladder, notes, secs, sends } from './ladder.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;

/** The mode-cfg pool, answering `delayUs` late (a slow backend: the responder waits in `waitingAddress`). */
function slowPool(delayUs: number) {
  return (ctx: GatewayMethodContext): AddressProvider => {
    const pool = poolProvider(
      new AddressPool({ first: '10.99.0.1', last: '10.99.0.9', prefixLength: 24, dns: [] }),
      ctx,
    );
    return {
      ...pool,
      request: (req, answer) => ctx.host.setTimerUs(delayUs, 'slow.answer', () => pool.request(req, answer)),
    };
  };
}

describe('a busy gateway', () => {
  it('TEMPORARY_FAILURE on a child rekey: the client retries after 2–5 s and the tunnel stays usable', () => {
    const t = buildTopology({
      durationUs: 25_000_000,
      client: { lifetimes: { childRekeyMs: 10_000, ikeRekeyMs: 0, livenessMs: 0, jitterMs: 0 } },
      policy: { rekeyBusyTimes: 2 },
      pingIntervalMs: 1000,
      commands: [connect],
    });
    const out = runScenario(t.input, { seed: 5 });
    const lines = ladder(out.trace).filter((l) => !l.includes('ESP') && !l.includes('UDP'));
    expect(lines.slice(4)).toEqual([
      '10.050 client1→gw: CREATE_CHILD_SA request #2 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '10.060 gw→client1: CREATE_CHILD_SA response #2 SK{N(TEMPORARY_FAILURE)}',
      '14.802 client1→gw: CREATE_CHILD_SA request #3 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '14.812 gw→client1: CREATE_CHILD_SA response #3 SK{N(TEMPORARY_FAILURE)}',
      '19.308 client1→gw: CREATE_CHILD_SA request #4 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '19.318 gw→client1: CREATE_CHILD_SA response #4 SK{SAr2, Nonce, TSi, TSr}',
      '19.328 client1→gw: INFORMATIONAL request #5 SK{D}',
      '19.338 gw→client1: INFORMATIONAL response #5 SK{D}',
    ]);
    // RFC 7296 §2.25: 2000 + [0, 3000] ms, drawn from the client's stream.
    expect(notes(out.trace, 'ike.rekeyRetry').map((e) => (e.type === 'note' ? e.data : undefined))).toEqual([
      { slot: 'main', delayMs: 4732 },
      { slot: 'main', delayMs: 4486 },
    ]);
    expect(notes(out.trace, 'ike.rekeyBusy')).toHaveLength(2);
    // One ping a second from 1.04 s: all 24 answered, 5 of them after the rekey finally succeeded.
    const echoes = notes(out.trace, 'data.echo');
    expect(echoes).toHaveLength(24);
    expect(echoes.filter((e) => e.atUs > 19_338_000)).toHaveLength(5);
    // The old Child SA's routing entry was pruned by the delete: one entry left.
    expect(Object.values(t.gateway.routes()).map((spis) => spis.length)).toEqual([1]);
  });

  for (const policy of ['ignore', 'ack-later'] as BusyRepeatPolicy[]) {
    it(`a repeated IKE_AUTH while the provider works: policy ${policy}`, () => {
      const t = buildTopology({
        durationUs: 12_000_000,
        policy: { busyRepeat: policy },
        provider: slowPool(6_000_000),
        commands: [connect],
      });
      const out = runScenario(t.input, { seed: 5 });
      // The client retransmits at 4.020 s; the answer is ready at 6.020 s (+ 10 ms link). Either way exactly one
      // response goes out (never two different answers to one message ID, RFC 7296 §2.1).
      expect(sends(out.trace, 'client1', 'IKE_AUTH').map((e) => secs(e.atUs))).toEqual(['0.020', '4.020']);
      expect(sends(out.trace, 'gw', 'IKE_AUTH').map((e) => secs(e.atUs))).toEqual(['6.030']);
      expect(notes(out.trace, 'ike.alreadyProcessing').map((e) => (e.type === 'note' ? e.data : undefined))).toEqual([
        { messageId: 1, policy },
      ]);
      // ack-later remembers the repeat and says so when the response leaves; ignore forgets it.
      expect(notes(out.trace, 'ike.ackLater').map((e) => (e.type === 'note' ? e.data : undefined))).toEqual(
        policy === 'ack-later' ? [{ repeats: 1 }] : [],
      );
      expect(t.clients[0]?.states()).toEqual({ connection: 'connected.steady', ike: 'established.window.ready' });
    });
  }
});
