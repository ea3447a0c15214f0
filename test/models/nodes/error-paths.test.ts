import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { buildTopology, type TopologyOptions } from '../../support/topology.ts';
import { ladder, notes } from './ladder.ts';

const base: TopologyOptions = {
  durationUs: 1_000_000,
  reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 0 },
  commands: [{ atUs: 0, node: 'client1', command: { type: 'cmd.connect' } }],
};

function run(o: Partial<TopologyOptions>): { lines: string[]; closed: unknown[] } {
  const t = buildTopology({ ...base, ...o });
  const out = runScenario(t.input, { seed: 1 });
  return {
    lines: ladder(out.trace),
    closed: notes(out.trace, 'client.closed').map((e) => (e.type === 'note' ? e.data : undefined)),
  };
}

describe('error paths, each reachable from a configuration', () => {
  it('NO_PROPOSAL_CHOSEN: no common IKE suite', () => {
    const r = run({ gateway: { suites: ['aes256-sha256'] } });
    expect(r.lines[1]).toBe('0.020 gw→client1: IKE_SA_INIT response #0 N(NO_PROPOSAL_CHOSEN)');
    expect(r.closed).toEqual([{ reason: 'NO_PROPOSAL_CHOSEN' }]);
  });

  it('INVALID_KE_PAYLOAD: the initiator retries with the group the responder named', () => {
    const r = run({ client: { dhGroups: [31, 19] }, gateway: { dhGroups: [19] } });
    expect(r.lines.slice(0, 4)).toEqual([
      '0.010 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '0.020 gw→client1: IKE_SA_INIT response #0 N(INVALID_KE_PAYLOAD)',
      '0.030 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '0.040 gw→client1: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
    ]);
    expect(r.closed).toEqual([]);
  });

  it('AUTHENTICATION_FAILED: a wrong key name', () => {
    const r = run({ clientPsk: () => 'wrong' });
    expect(r.lines[3]).toBe('0.040 gw→client1: IKE_AUTH response #1 SK{N(AUTHENTICATION_FAILED)}');
    expect(r.closed).toEqual([{ reason: 'AUTHENTICATION_FAILED' }]);
  });

  it('INTERNAL_ADDRESS_FAILURE: an empty pool; the client deletes the IKE SA', () => {
    const r = run({ pool: { first: '10.99.0.1', last: '10.99.0.0' } });
    expect(r.lines.slice(3)).toEqual([
      '0.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)}',
      '0.050 client1→gw: INFORMATIONAL request #2 SK{D}',
      '0.060 gw→client1: INFORMATIONAL response #2 SK{}',
    ]);
    expect(r.closed).toEqual([{ reason: 'INTERNAL_ADDRESS_FAILURE' }]);
  });

  it('FAILED_CP_REQUIRED: a client without CP where policy requires one', () => {
    const r = run({ clientMethod: { requestConfig: false } });
    expect(r.lines[2]).toBe(
      '0.030 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr}',
    );
    expect(r.lines[3]).toBe('0.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, N(FAILED_CP_REQUIRED)}');
    expect(r.closed).toEqual([{ reason: 'FAILED_CP_REQUIRED' }]);
  });

  it('TS_UNACCEPTABLE: the gateway protects nothing the client asks for', () => {
    const r = run({ policy: { protectedSubnets: [] } });
    expect(r.lines[3]).toBe('0.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), N(TS_UNACCEPTABLE)}');
    expect(r.closed).toEqual([{ reason: 'TS_UNACCEPTABLE' }]);
  });
});
