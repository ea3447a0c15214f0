/**
 * vopr `--method dhcp-over-ike --seed 1369976677` (live.addressed): client3 crashed and restarted at 35.381 s and never
 * connected again — nobody had disconnected it, yet the restarted node forgot it was meant to be up, for every method.
 * A restarted client now brings its connected tunnels up again (strongSwan `auto=start`); the gateway replaces the lost
 * IKE SA on INITIAL_CONTACT (RFC 7296 §2.4).
 */
import { describe, expect, it } from 'vitest';
import type { MethodId } from '../../../scenarios/method-registry.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { voprScenario } from './vopr-liveness-scenarios.ts';

const scenario = (method: MethodId): Record<string, unknown> =>
  voprScenario({
    method,
    seed: 1369976677,
    healMs: 40_000,
    durationMs: 520_000,
    actions: [{ atMs: 0, action: 'connect', nodes: 'client', spacingMs: 0 }],
    faults: [
      { type: 'node.crash', atMs: 35_381, node: 'client1' },
      { type: 'node.restart', atMs: 35_381, node: 'client1' },
    ],
  });

describe('a client that crashes and restarts connects again (vopr dhcp-over-ike seed 1369976677)', () => {
  for (const method of ['dhcp-over-ike', 'mode-cfg'] as const) {
    it(`${method}: passes every invariant, liveness included`, () => {
      expect(runChecked(scenario(method), { method }).violations).toEqual([]);
    });
  }

  it('dhcp-over-ike: the restarted client sends IKE_SA_INIT after its reconnect delay and holds an address again', () => {
    const run = runScenario(scenario('dhcp-over-ike'), { method: 'dhcp-over-ike' });
    const after = run.trace.filter((e) => e.atUs >= 35_381_000 && 'node' in e && e.node === 'client1');
    const auto = after.filter((e) => e.type === 'note' && e.text === 'client.autoConnect');
    expect(auto.map((e) => [e.atUs, e.type === 'note' ? e.data : undefined])).toEqual([
      [35_381_000, { delayUs: 1_000_000 }],
    ]);
    const firstSend = after.find((e) => e.type === 'send');
    expect(firstSend?.atUs).toBe(36_381_000);
    expect(firstSend?.type === 'send' ? firstSend.summary : '').toBe(
      'IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
    );
    const assigned = after.filter((e) => e.type === 'note' && e.text === 'address.assigned');
    expect(assigned.map((e) => (e.type === 'note' ? e.data : undefined))).toEqual([
      { client: 'client1', address: '10.99.1.10' },
    ]);
  });
});
