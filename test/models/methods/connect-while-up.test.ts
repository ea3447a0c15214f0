/**
 * vopr `--method dhcp-over-ipsec --seed 251301183` (shrunk to 0 faults): a second `connect` while the first IKE SA is
 * up replaced it (INITIAL_CONTACT, RFC 7296 §2.4) but the client node never told the method the old IKE SA was gone:
 * the RFC 3456 client kept its BOUND DHCP machine, saw the new DHCP SA, never ran DHCP on it and never asked for a
 * tunnel SA (§3.1 e), so it "held" 10.99.1.10 with no SA to carry its pings (live.dataFlows). A connect over a live
 * IKE SA now abandons it like a close: address released, method state reset, DHCP and the tunnel SA start again.
 */
import { describe, expect, it } from 'vitest';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { voprScenario } from './vopr-liveness-scenarios.ts';

const SCENARIO = voprScenario({
  method: 'dhcp-over-ipsec',
  seed: 251301183,
  actions: [
    { atMs: 0, action: 'connect', nodes: 'client', spacingMs: 0 },
    { atMs: 13, action: 'connect', nodes: 'client1' },
  ],
});

function notes(trace: readonly { type: string; atUs: number; node?: string; text?: string; data?: unknown }[]) {
  return trace
    .filter((e) => e.type === 'note' && e.node === 'client1')
    .map((e) => `${e.atUs} ${e.text ?? ''} ${JSON.stringify(e.data)}`);
}

describe('a connect while the IKE SA is up (vopr dhcp-over-ipsec seed 251301183)', () => {
  it('passes every invariant, liveness included', () => {
    const run = runChecked(SCENARIO, { method: 'dhcp-over-ipsec' });
    expect(run.violations).toEqual([]);
  });

  it('releases the old address, runs DHCP on the new IKE SA and gets a tunnel SA that carries the pings', () => {
    const run = runScenario(SCENARIO, { method: 'dhcp-over-ipsec' });
    const lines = notes(run.trace).filter((l) => /address\.|childAdded|rfc3456\.recv/.test(l));
    expect(lines.slice(0, 8)).toEqual([
      '8000 rfc3456.recv {"slot":"main"}',
      '12000 rfc3456.recv {"slot":"main"}',
      '12000 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '13000 address.released {"client":"client1","address":"10.99.1.10"}',
      '21000 rfc3456.recv {"slot":"main"}',
      '25000 rfc3456.recv {"slot":"main"}',
      '25000 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '27000 client.childAdded {"slot":"tunnel","spiIn":2662363652,"tsi":"10.99.1.10-10.99.1.10"}',
    ]);
    const echoes = run.trace.filter((e) => e.type === 'note' && e.node === 'client1' && e.text === 'data.echo');
    expect(echoes.length).toBeGreaterThan(90);
    expect(echoes[0]?.atUs).toBe(5_029_000);
  });
});
