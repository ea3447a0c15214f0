/**
 * Safety and liveness of the IKE machines and the gateway under crashes, reconnects and user disconnects
 * (RFC 7296 §2.4, §2.21.4): every case is a fixed-seed run with exact times.
 */
import { describe, expect, it } from 'vitest';
import { DOUBLING_RETRANSMIT } from '../../../models/ike/retransmit.ts';
import { runScenario, type TraceEvent } from '../../../sim/index.ts';
import { buildTopology, type TopologyOptions } from '../../support/topology.ts';
import { ladder, notes, secs } from './ladder.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;

function noteLines(trace: readonly TraceEvent[], text: string, field: string): string[] {
  return notes(trace, text).map((e) => `${e.node}@${secs(e.atUs)} ${String(e.data?.[field])}`);
}

/** client1 crashes at 5 s and restarts at 6 s, forgetting its IKE SA; it connects again at 7 s. */
function clientRestart(o: Partial<TopologyOptions>) {
  const t = buildTopology({
    durationUs: 12_000_000,
    pingIntervalMs: 1000,
    commands: [connect, { atUs: 7_000_000, node: 'client1', command: { type: 'cmd.connect' } }],
    faults: [
      { type: 'node.crash', atUs: 5_000_000, node: 'client1' },
      { type: 'node.restart', atUs: 6_000_000, node: 'client1' },
    ],
    ...o,
  });
  return { t, out: runScenario(t.input, { seed: 3 }) };
}

describe('a gateway that forgot the IKE SA (RFC 7296 §2.21.4)', () => {
  it('IKE_AUTH on a forgotten IKE_SA_INIT draws INVALID_IKE_SPI: the client closes and reconnects', () => {
    const t = buildTopology({
      durationUs: 10_000_000,
      reconnect: { delayMs: 2000, jitterMs: 0, triesMax: 3 },
      commands: [connect],
      // IKE_SA_INIT is answered at 0.010 s; the gateway is down when IKE_AUTH arrives (0.030 s)… then back.
      faults: [
        { type: 'node.crash', atUs: 20_000, node: 'gw' },
        { type: 'node.restart', atUs: 25_000, node: 'gw' },
      ],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace).slice(2, 8)).toEqual([
      '0.030 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr}',
      '0.040 gw→client1: IKE_AUTH response #1 N(INVALID_IKE_SPI)',
      '0.050 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr}',
      '0.060 gw→client1: IKE_AUTH response #1 N(INVALID_IKE_SPI)',
      '2.070 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '2.080 gw→client1: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
    ]);
    expect(noteLines(out.trace, 'ike.invalidSpi', 'check')).toEqual([
      'client1@0.040 resend',
      'client1@0.060 confirmed',
    ]);
    expect(noteLines(out.trace, 'client.closed', 'reason')).toEqual(['client1@0.060 peer-lost']);
    expect(t.clients[0]?.innerConfig()?.address).toBe('10.99.0.1');
  });

  it('a gateway that stays dead is found by liveness give-up: closed dead-peer, address withdrawn, reconnect', () => {
    const t = buildTopology({
      durationUs: 140_000_000,
      client: {
        retransmit: DOUBLING_RETRANSMIT,
        lifetimes: { childRekeyMs: 0, ikeRekeyMs: 0, livenessMs: 10_000, jitterMs: 0 },
      },
      reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 1 },
      commands: [connect],
      faults: [{ type: 'node.crash', atUs: 5_000_000, node: 'gw' }],
    });
    const out = runScenario(t.input, { seed: 1 });
    // Liveness at 10.04 s, DOUBLING_RETRANSMIT gives up 127 s later (RFC 7296 §2.4).
    expect(noteLines(out.trace, 'client.closed', 'reason')).toEqual(['client1@137.040 dead-peer']);
    expect(noteLines(out.trace, 'address.released', 'address')).toEqual(['client1@137.040 10.99.0.1']);
    expect(noteLines(out.trace, 'client.reconnect', 'attempt')).toEqual(['client1@137.040 1']);
    expect(t.clients[0]?.innerConfig()).toBeUndefined();
  });
});

describe('zombie IKE SAs after a client restart (RFC 7296 §2.4 INITIAL_CONTACT, uniqueids)', () => {
  it('INITIAL_CONTACT deletes the old IKE SA silently: one address, one route, return traffic reaches the client', () => {
    const { t, out } = clientRestart({});
    expect(noteLines(out.trace, 'gateway.saReplaced', 'reason')).toEqual(['gw@7.030 initial-contact']);
    expect(noteLines(out.trace, 'gateway.saClosed', 'reason')).toEqual(['gw@7.030 initial-contact']);
    // No Delete to the forgotten SA: the client said it has none.
    expect(ladder(out.trace).filter((l) => l.includes('INFORMATIONAL'))).toEqual([]);
    expect(notes(out.trace, 'pool.release').map((e) => secs(e.atUs))).toEqual(['7.030']);
    expect(Object.keys(t.gateway.routes())).toHaveLength(1);
    expect(t.gateway.poolSnapshot()).toEqual({ '10.99.0.1': 'client1@example.com' });
    // Echo replies after the reconnect come back through the new Child SA.
    const echoes = notes(out.trace, 'data.echo').map((e) => secs(e.atUs));
    expect(echoes.filter((s) => Number(s) > 7)).toEqual(['8.062', '9.062', '10.062', '11.062']);
    expect(notes(out.trace, 'data.unknownSpi')).toEqual([]);
  });

  it('uniqueIds replace (default) without INITIAL_CONTACT: the old IKE SA is deleted with a Delete', () => {
    const { t, out } = clientRestart({ client: { initialContact: false } });
    expect(noteLines(out.trace, 'gateway.saReplaced', 'reason')).toEqual(['gw@7.030 replaced']);
    expect(ladder(out.trace).filter((l) => l.includes('INFORMATIONAL'))).toEqual([
      '7.040 gw→client1: INFORMATIONAL request #0 SK{D}',
    ]);
    expect(Object.keys(t.gateway.routes())).toHaveLength(1);
    expect(notes(out.trace, 'address.overlap')).toEqual([]);
  });

  it('uniqueIds keep: the new IKE SA of the same identity is refused, the old one stays', () => {
    const { t, out } = clientRestart({ client: { initialContact: false }, policy: { uniqueIds: 'keep' } });
    expect(noteLines(out.trace, 'ike.duplicateRejected', 'peer')).toEqual(['gw@7.030 client1@example.com']);
    expect(ladder(out.trace)).toContain('7.040 gw→client1: IKE_AUTH response #1 SK{N(AUTHENTICATION_FAILED)}');
    expect(Object.keys(t.gateway.routes())).toHaveLength(1);
  });

  it('uniqueIds no: both IKE SAs stay, and the same identity holding one address twice is no overlap', () => {
    const { t, out } = clientRestart({ client: { initialContact: false }, policy: { uniqueIds: 'no' } });
    expect(notes(out.trace, 'gateway.saReplaced')).toEqual([]);
    expect(Object.keys(t.gateway.routes())).toHaveLength(2);
    expect(notes(out.trace, 'address.overlap')).toEqual([]);
  });
});

describe('half-open IKE SAs (strongSwan half_open_timeout)', () => {
  it('a responder whose IKE_AUTH never comes is removed after halfOpenTimeoutMs', () => {
    const t = buildTopology({
      durationUs: 40_000_000,
      commands: [connect],
      // The client dies after IKE_SA_INIT (answered at 0.020 s), before it can send IKE_AUTH.
      faults: [{ type: 'node.crash', atUs: 15_000, node: 'client1' }],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(noteLines(out.trace, 'ike.halfOpenTimeout', 'round')).toEqual(['gw@30.010 0']);
    expect(noteLines(out.trace, 'gateway.saClosed', 'reason')).toEqual(['gw@30.010 half-open-timeout']);
    expect(t.gateway.states()).toEqual({ gateway: 'up' });
  });
});

describe('cmd.disconnect in every state', () => {
  it('during IKE_AUTH: the tunnel never comes up; the IKE SA is deleted when the response is in', () => {
    const t = buildTopology({
      durationUs: 2_000_000,
      commands: [connect, { atUs: 25_000, node: 'client1', command: { type: 'cmd.disconnect' } }],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace).slice(3)).toEqual([
      '0.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}',
      // RFC 7296 §1.4.1: the only way to end an IKE SA the peer has created is a Delete inside it.
      '0.050 client1→gw: INFORMATIONAL request #2 SK{D}',
      '0.060 gw→client1: INFORMATIONAL response #2 SK{}',
    ]);
    expect(notes(out.trace, 'address.assigned')).toEqual([]);
    expect(noteLines(out.trace, 'client.closed', 'reason')).toEqual(['client1@0.060 disconnect']);
    expect(notes(out.trace, 'client.reconnect')).toEqual([]);
    expect(t.gateway.poolSnapshot()).toEqual({ '10.99.0.1': 'client1@example.com (lingering)' });
    expect(t.gateway.routes()).toEqual({});
  });

  it('during IKE_SA_INIT: closed at once, nothing sent after', () => {
    const t = buildTopology({
      durationUs: 2_000_000,
      commands: [connect, { atUs: 5_000, node: 'client1', command: { type: 'cmd.disconnect' } }],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(noteLines(out.trace, 'client.closed', 'reason')).toEqual(['client1@0.005 disconnect']);
    expect(ladder(out.trace).filter((l) => l.includes('client1→gw'))).toEqual([
      '0.010 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
    ]);
  });
});

describe('gateway liveness in scenarios', () => {
  it('a scenario that sets none gets SCENARIO_GATEWAY_LIVENESS_MS (30 s, strongSwan dpd_delay-like)', async () => {
    const { loadScenario } = await import('../../../scenarios/load.ts');
    const { buildRun } = await import('../../../scenarios/build.ts');
    const { GatewayNode } = await import('../../../models/nodes/gateway-node.ts');
    const r = loadScenario('basic');
    if (!r.ok) throw new Error('basic does not load');
    const gws = buildRun(r.scenario).input.nodes.filter((n) => n instanceof GatewayNode);
    expect(gws.map((g) => (g as InstanceType<typeof GatewayNode>).options.policy.livenessMs)).toEqual([30_000]);
  });
});
