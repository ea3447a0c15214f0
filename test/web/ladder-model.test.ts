import { describe, expect, it } from 'vitest';
import { buildLane, parseIkeSummary } from '../../web/model/ladder-model.ts';
import { statesAt, stateEvents } from '../../web/model/states.ts';
import { labRunner } from '../../web/runner.ts';

describe('ladder model', () => {
  it('marks the targeted drop, the retransmission 4 s later and brackets the IKE exchanges', () => {
    // The 2nd packet client1 → gw on `outside` is the IKE_AUTH request (the 1st is IKE_SA_INIT).
    const run = labRunner.run({
      scenario: 'basic',
      method: 'dhcp-over-ike',
      seed: 1,
      overrides: { drops: [{ link: 'outside', from: 'client1', to: 'gw', n: 2 }] },
    });
    const lane = buildLane(
      run.trace,
      run.nodes.map((n) => n.name),
    );
    expect(lane.nodes).toEqual(['client1', 'gw', 'dhcp', 'host']);
    const auth = lane.arrows.filter((a) => a.summary.startsWith('IKE_AUTH request #1'));
    // strongSwan's first retransmission timeout is 4 s (models/ike/retransmit.ts).
    expect(auth.map((a) => [a.sentAtUs, a.outcome, a.reason, a.retransmit])).toEqual([
      [20_000, 'dropped', 'targeted', false],
      [4_020_000, 'delivered', undefined, true],
    ]);
    expect(lane.brackets.map((b) => `${b.exchange} #${b.messageId} ${b.complete}`)).toEqual([
      'IKE_SA_INIT #0 true',
      'IKE_AUTH #1 true',
      'CREATE_CHILD_SA #2 true',
    ]);
    expect(parseIkeSummary('INFORMATIONAL response #12 SK{D}')).toEqual({
      exchange: 'INFORMATIONAL',
      response: true,
      messageId: 12,
    });
  });

  it('knows every machine state at a time', () => {
    const run = labRunner.run({ scenario: 'basic', method: 'dhcp-over-ike', seed: 1 });
    const at = statesAt(stateEvents(run.trace), 25_000);
    expect(at.get('client1')?.get('dhcp')?.state).toBe('SELECTING');
    expect(at.get('client1')?.get('ike')?.state).toBe('authSent');
    expect(at.get('client1')?.get('connection')?.state).toBe('connecting');
    // The gateway machine, then the responder of client1's IKE SA.
    expect([...(at.get('gw')?.values() ?? [])].map((v) => v.state)).toEqual(['up', 'initDone']);
  });
});
