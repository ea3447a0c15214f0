import { describe, expect, it } from 'vitest';
import { buildLane, parseIkeSummary } from '../../web/model/ladder-model.ts';
import { statesAt, stateEvents } from '../../web/model/states.ts';
import { labRunner } from '../../web/runner.ts';

describe('ladder model', () => {
  it('marks the drop, the retransmission and brackets the IKE exchanges', () => {
    const run = labRunner.run({ scenario: 'demo-lossy', method: 'dhcp-over-ike', seed: 1 });
    const lane = buildLane(run.trace, ['client', 'gw', 'dhcp']);
    const auth = lane.arrows.filter((a) => a.summary.startsWith('IKE_AUTH request #1'));
    expect(auth.map((a) => [a.sentAtUs, a.outcome, a.reason, a.retransmit])).toEqual([
      [142_994, 'dropped', 'loss', false],
      [1_142_994, 'delivered', undefined, true],
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
    const run = labRunner.run({ scenario: 'demo-basic', method: 'dhcp-over-ike', seed: 1 });
    const at = statesAt(stateEvents(run.trace), 170_000);
    expect(at.get('client')?.get('dhcp')?.state).toBe('SELECTING');
    expect(at.get('gw')?.get('ike')?.state).toBe('authDone');
  });
});
