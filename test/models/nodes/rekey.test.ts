import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { buildTopology } from '../../support/topology.ts';
import { ladder, notes, secs } from './ladder.ts';

describe('rekey and delete', () => {
  it('child and IKE SA rekeys keep the tunnel usable; disconnect frees the pool address', () => {
    const t = buildTopology({
      durationUs: 40_000_000,
      client: { lifetimes: { childRekeyMs: 10_000, ikeRekeyMs: 15_000, livenessMs: 0, jitterMs: 0 } },
      pingIntervalMs: 1000,
      commands: [
        { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } },
        { atUs: 35_000_000, node: 'client1', command: { type: 'cmd.disconnect' } },
      ],
    });
    const out = runScenario(t.input, { seed: 3 });
    const lines = ladder(out.trace).filter((l) => !l.includes('ESP') && !l.includes('UDP'));
    expect(lines.slice(4)).toEqual([
      '10.050 client1→gw: CREATE_CHILD_SA request #2 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '10.060 gw→client1: CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr}',
      '10.070 client1→gw: INFORMATIONAL request #3 SK{D}',
      '10.080 gw→client1: INFORMATIONAL response #3 SK{D}',
      // IKE SA rekey (RFC 7296 §1.3.2), then the old IKE SA is deleted; message IDs restart at 0.
      '15.050 client1→gw: CREATE_CHILD_SA request #4 SK{SAi2, Nonce, KE}',
      '15.060 gw→client1: CREATE_CHILD_SA response #4 SK{SAr2, Nonce, KE}',
      '15.070 client1→gw: INFORMATIONAL request #5 SK{D}',
      '15.080 gw→client1: INFORMATIONAL response #5 SK{}',
      '20.070 client1→gw: CREATE_CHILD_SA request #0 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '20.080 gw→client1: CREATE_CHILD_SA response #0 SK{SAr2, Nonce, TSi, TSr}',
      '20.090 client1→gw: INFORMATIONAL request #1 SK{D}',
      '20.100 gw→client1: INFORMATIONAL response #1 SK{D}',
      '30.090 client1→gw: CREATE_CHILD_SA request #2 SK{SAi2, Nonce, KE}',
      '30.100 gw→client1: CREATE_CHILD_SA response #2 SK{SAr2, Nonce, KE}',
      '30.110 client1→gw: INFORMATIONAL request #3 SK{D}',
      '30.120 gw→client1: INFORMATIONAL response #3 SK{}',
      // The child rekey that fell due during the IKE rekey waited for the window (window 1).
      '30.130 client1→gw: CREATE_CHILD_SA request #0 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '30.140 gw→client1: CREATE_CHILD_SA response #0 SK{SAr2, Nonce, TSi, TSr}',
      '30.150 client1→gw: INFORMATIONAL request #1 SK{D}',
      '30.160 gw→client1: INFORMATIONAL response #1 SK{D}',
      '35.010 client1→gw: INFORMATIONAL request #2 SK{D}',
      '35.020 gw→client1: INFORMATIONAL response #2 SK{}',
    ]);
    expect(notes(out.trace, 'data.echo').length).toBe(34);
    expect(t.gateway.poolSnapshot()).toEqual({ '10.99.0.1': 'client1@example.com (lingering)' });
  });
});

describe('rekey under loss, and delete', () => {
  it('child and IKE SA rekeys under 10 % loss keep the tunnel usable: pings answered after each rekey', () => {
    const t = buildTopology({
      durationUs: 64_000_000,
      outsideProfile: { latencyUs: 10_000, lossPpm: 100_000 },
      client: { lifetimes: { childRekeyMs: 10_000, ikeRekeyMs: 25_000, livenessMs: 0, jitterMs: 0 } },
      pingIntervalMs: 1000,
      commands: [{ atUs: 0, node: 'client1', command: { type: 'cmd.connect' } }],
    });
    const out = runScenario(t.input, { seed: 13 });
    const rekeys = out.trace
      .filter(
        (e) =>
          e.type === 'note' &&
          e.node === 'client1' &&
          (e.text === 'client.childRekeyed' || e.text === 'client.ikeRekeyed'),
      )
      .map((e) => ({ at: e.atUs, what: e.type === 'note' ? e.text : '' }));
    const echoes = notes(out.trace, 'data.echo').map((e) => e.atUs);
    const answeredAfter = rekeys.map(
      (r, i) => echoes.filter((x) => x > r.at && x < (rekeys[i + 1]?.at ?? Infinity)).length,
    );
    // Seed 13 loses CREATE_CHILD_SA requests of both kinds (retransmitted 4 s later) among 14 drops.
    const lostIke = out.trace.filter((e) => e.type === 'drop' && /CREATE_CHILD_SA|INFORMATIONAL/.test(e.summary ?? ''));
    expect(lostIke.map((e) => (e.type === 'drop' ? `${secs(e.atUs)} ${e.summary ?? ''}` : ''))).toEqual([
      '30.080 CREATE_CHILD_SA request #0 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '34.080 CREATE_CHILD_SA request #0 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
      '50.080 CREATE_CHILD_SA request #2 SK{SAi2, Nonce, KE}',
      '54.080 CREATE_CHILD_SA request #2 SK{SAi2, Nonce, KE}',
      '61.320 CREATE_CHILD_SA request #0 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr}',
    ]);
    expect(out.trace.filter((e) => e.type === 'drop')).toHaveLength(14);
    expect(rekeys.map((r) => `${secs(r.at)} ${r.what}`)).toEqual([
      '10.060 client.childRekeyed',
      '20.080 client.childRekeyed',
      '25.080 client.ikeRekeyed',
      '41.300 client.childRekeyed',
      '61.320 client.ikeRekeyed',
    ]);
    // Pings answered between one rekey and the next (the last window ends with the run at 64 s).
    expect(answeredAfter).toEqual([11, 4, 14, 15, 2]);
    expect(echoes).toHaveLength(54);
    expect(notes(out.trace, 'client.closed')).toEqual([]);
  });
});

describe('delete', () => {
  it('a disconnect frees the pool address: another identity reuses it once reuseDelayUs has passed', () => {
    const t = buildTopology({
      clients: 2,
      durationUs: 20_000_000,
      pool: { first: '10.99.0.1', last: '10.99.0.1', reuseDelayUs: 5_000_000 },
      reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 0 },
      commands: [
        { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } },
        { atUs: 1_000_000, node: 'client1', command: { type: 'cmd.disconnect' } },
        // Too early: the address lingers for its last owner (INTERNAL_ADDRESS_FAILURE, RFC 7296 §3.10.1).
        { atUs: 2_000_000, node: 'client2', command: { type: 'cmd.connect' } },
        { atUs: 7_000_000, node: 'client2', command: { type: 'cmd.connect' } },
      ],
    });
    const out = runScenario(t.input, { seed: 4 });
    const pool = out.trace
      .filter((e) => e.type === 'note' && e.node === 'gw' && e.text.startsWith('pool.'))
      .map((e) => (e.type === 'note' ? `${secs(e.atUs)} ${e.text} ${JSON.stringify(e.data)}` : ''));
    expect(pool).toEqual([
      '0.030 pool.acquire {"peer":"client1@example.com","address":"10.99.0.1"}',
      '1.010 pool.release {"peer":"client1@example.com","address":"10.99.0.1"}',
      '2.030 pool.exhausted {"peer":"client2@example.com"}',
      '7.030 pool.acquire {"peer":"client2@example.com","address":"10.99.0.1"}',
    ]);
    expect(t.gateway.poolSnapshot()).toEqual({ '10.99.0.1': 'client2@example.com' });
    expect(Object.keys(t.gateway.routes())).toHaveLength(1);
  });
});
