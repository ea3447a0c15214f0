// The README example: the library entry point, a run, assertions on its trace, a comparison and a regression check.
import { describe, expect, it } from 'vitest';
import { compare, loadScenario, runScenario, type TraceEvent } from 'dhcpike-lab';

describe('dhcpike-lab as a library', () => {
  it('runs the basic scenario with mode-cfg and reads the ladder from the trace', () => {
    const loaded = loadScenario('basic');
    expect(loaded.ok).toBe(true);

    const run = runScenario('basic', { method: 'mode-cfg', seed: 1 });
    const sends = run.trace.filter((e): e is Extract<TraceEvent, { type: 'send' }> => e.type === 'send');
    expect(sends.slice(0, 4).map((e) => `${e.atUs} ${e.node}: ${e.summary}`)).toEqual([
      '0 client1: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '10000 gw: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '20000 client1: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr}',
      '30000 gw: IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}',
    ]);
    expect(run.metrics.timeToAddressUs?.median).toBe(40_000);
    expect(run.ok).toBe(true);
  });

  it('compares the five methods on the same seed', () => {
    const c = compare('basic', { seed: 1 });
    expect(c.results.map((r) => [r.method, r.metrics.timeToAddressUs?.median])).toEqual([
      ['dhcp-over-ike', 64_000],
      ['dhcp-over-ike-wg', 64_000],
      ['mode-cfg', 40_000],
      ['mode-cfg-dhcp', 44_000],
      ['dhcp-over-ipsec', 84_000],
    ]);
    expect(c.results.find((r) => r.method === 'mode-cfg')?.traceSha256).toBe(
      runScenario('basic', { method: 'mode-cfg', seed: 1 }).traceSha256,
    );
  });

  it('guards a regression: the RFC 3456 DHCP SA kept alive catches the home DHCP renewal', () => {
    const run = runScenario('wildcard-hazard', {
      method: 'dhcp-over-ipsec',
      options: { dhcpSaTeardown: 'at-lifetime' },
    });
    const misdirected = run.trace.filter(
      (e): e is Extract<TraceEvent, { type: 'note' }> => e.type === 'note' && e.text === 'spd.misdirected',
    );
    // The home client's RENEWING unicast at T1, then its REBINDING/INIT broadcasts: all into the DHCP SA.
    expect(misdirected.map((e) => `${e.atUs} ${String(e.data?.['dst'])}`)).toEqual([
      '10020000 198.51.100.2',
      '17520000 255.255.255.255',
      '20020000 255.255.255.255',
      '24009000 255.255.255.255',
    ]);
    expect(run.metrics.misdirected).toBe(4);
    expect(run.metrics.homeLease.expired).toBe(1);
    expect(run.ok).toBe(true);
  });
});
