// The README example: the library entry point, a run, and assertions on its trace.
import { describe, expect, it } from 'vitest';
import { compare, loadScenario, runScenario, type TraceEvent } from 'dhcpike-lab';

describe('dhcpike-lab as a library', () => {
  it('runs the basic scenario with mode-cfg and reads the ladder from the trace', () => {
    const loaded = loadScenario('basic');
    expect(loaded.ok).toBe(true);

    const run = runScenario('basic', { method: 'mode-cfg', seed: 1 });
    const sends = run.trace.filter((e): e is Extract<TraceEvent, { type: 'send' }> => e.type === 'send');
    expect(sends.slice(0, 4).map((e) => `${e.atUs} ${e.node}: ${e.summary}`)).toEqual([
      '0 client1: IKE_SA_INIT request #0 SA, KE, Nonce',
      '10000 gw: IKE_SA_INIT response #0 SA, KE, Nonce',
      '20000 client1: IKE_AUTH request #1 SK{IDi, IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr}',
      '30000 gw: IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}',
    ]);
    expect(run.metrics.timeToAddressUs?.median).toBe(40_000);
    expect(run.ok).toBe(true);
    expect(compare('basic', { methods: ['mode-cfg'] }).results[0]?.traceSha256).toBe(run.traceSha256);
  });
});
