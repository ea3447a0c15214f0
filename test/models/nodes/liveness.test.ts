import { describe, expect, it } from 'vitest';
import { DOUBLING_RETRANSMIT } from '../../../models/ike/retransmit.ts';
import { runScenario } from '../../../sim/index.ts';
import { buildTopology } from '../../support/topology.ts';
import { ladder, notes, secs } from './ladder.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;

describe('liveness checks (RFC 7296 §2.4)', () => {
  it('the client sends an empty INFORMATIONAL every livenessMs after IKE_AUTH', () => {
    const t = buildTopology({
      durationUs: 31_000_000,
      client: { lifetimes: { childRekeyMs: 0, ikeRekeyMs: 0, livenessMs: 10_000, jitterMs: 0 } },
      commands: [connect],
    });
    const out = runScenario(t.input, { seed: 2 });
    expect(ladder(out.trace).slice(4)).toEqual([
      '10.050 client1→gw: INFORMATIONAL request #2 SK{}',
      '10.060 gw→client1: INFORMATIONAL response #2 SK{}',
      '20.050 client1→gw: INFORMATIONAL request #3 SK{}',
      '20.060 gw→client1: INFORMATIONAL response #3 SK{}',
      '30.050 client1→gw: INFORMATIONAL request #4 SK{}',
      '30.060 gw→client1: INFORMATIONAL response #4 SK{}',
    ]);
  });

  it('the gateway detects a crashed client by its own liveness check, frees the address and its routes', () => {
    const t = buildTopology({
      durationUs: 200_000_000,
      gateway: { retransmit: DOUBLING_RETRANSMIT },
      policy: { livenessMs: 30_000 },
      commands: [connect],
      faults: [{ type: 'node.crash', atUs: 45_000_000, node: 'client1' }],
    });
    const out = runScenario(t.input, { seed: 2 });
    const gwRequests = out.trace.filter(
      (e) => e.type === 'send' && e.node === 'gw' && e.summary.startsWith('INFORMATIONAL request'),
    );
    // Every 30 s from IKE_AUTH (0.030 s); #1 goes unanswered and is retransmitted at +1, +2, +4, … s; give-up 127 s on.
    expect(gwRequests.map((e) => `${secs(e.atUs)} ${e.type === 'send' ? e.summary : ''}`)).toEqual([
      '30.030 INFORMATIONAL request #0 SK{}',
      '60.030 INFORMATIONAL request #1 SK{}',
      '61.030 INFORMATIONAL request #1 SK{}',
      '63.030 INFORMATIONAL request #1 SK{}',
      '67.030 INFORMATIONAL request #1 SK{}',
      '75.030 INFORMATIONAL request #1 SK{}',
      '91.030 INFORMATIONAL request #1 SK{}',
      '123.030 INFORMATIONAL request #1 SK{}',
    ]);
    expect(ladder(out.trace)).toContain('30.050 client1→gw: INFORMATIONAL response #0 SK{}');
    expect(notes(out.trace, 'ike.giveUp').map((e) => `${e.node}@${secs(e.atUs)}`)).toEqual(['gw@187.030']);
    expect(notes(out.trace, 'gateway.saClosed').map((e) => (e.type === 'note' ? e.data : undefined))).toEqual([
      { peer: 'client1@example.com', ikeSa: 'b1e0e95cc3cc2d94', reason: 'dead-peer' },
    ]);
    expect(notes(out.trace, 'pool.release').map((e) => secs(e.atUs))).toEqual(['187.030']);
    expect(t.gateway.poolSnapshot()).toEqual({ '10.99.0.1': 'client1@example.com (lingering)' });
    expect(t.gateway.routes()).toEqual({});
  });

  it('off by default (strongSwan responder dpd_delay=0): a crashed client keeps its address', () => {
    const t = buildTopology({
      durationUs: 200_000_000,
      commands: [connect],
      faults: [{ type: 'node.crash', atUs: 45_000_000, node: 'client1' }],
    });
    const out = runScenario(t.input, { seed: 2 });
    expect(out.trace.filter((e) => e.type === 'send' && e.node === 'gw' && e.summary.includes('request'))).toEqual([]);
    expect(t.gateway.poolSnapshot()).toEqual({ '10.99.0.1': 'client1@example.com' });
  });
});
