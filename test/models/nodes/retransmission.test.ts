import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { buildTopology } from '../../support/topology.ts';
import { notes, secs, sends } from './ladder.ts';

const connect = [{ atUs: 0, node: 'client1', command: { type: 'cmd.connect' } }] as const;

describe('retransmission and the responder cache', () => {
  it('a dropped first IKE_AUTH request is re-sent at the scheduled times, bit-identical', () => {
    const t = buildTopology({
      durationUs: 30_000_000,
      commands: connect,
      faults: [{ type: 'drop.match', atUs: 0, match: 'IKE_AUTH request', count: 3 }],
    });
    const out = runScenario(t.input, { seed: 1 });
    const auth = sends(out.trace, 'client1', 'IKE_AUTH request');
    // First send at 0.020, then +4, +7.2, +12.96 s (strongSwan schedule).
    expect(auth.map((e) => secs(e.atUs))).toEqual(['0.020', '4.020', '11.220', '24.180']);
    expect(new Set(auth.map((e) => e.bytes)).size).toBe(1);
    expect(t.clients[0]?.states()).toEqual({ connection: 'connected.steady', ike: 'established.window.ready' });
  });

  it('every IKE_AUTH response dropped ⇒ duplicate requests get the cached bytes, give-up at 165.06 s, then reconnect', () => {
    const t = buildTopology({
      durationUs: 200_000_000,
      commands: connect,
      reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 1 },
      faults: [{ type: 'drop.match', atUs: 0, match: 'IKE_AUTH response', count: 6 }],
    });
    const out = runScenario(t.input, { seed: 1 });
    const responses = sends(out.trace, 'gw', 'IKE_AUTH response');
    expect(responses.map((e) => secs(e.atUs))).toEqual([
      '0.030',
      '4.030',
      '11.230',
      '24.190',
      '47.518',
      '89.508',
      '170.110',
    ]);
    // The first six are the first SA's: one response, re-sent from the cache byte for byte.
    expect(new Set(responses.slice(0, 6).map((e) => e.bytes)).size).toBe(1);
    expect(notes(out.trace, 'ike.cachedResponse')).toHaveLength(5);
    const giveUp = notes(out.trace, 'ike.giveUp')[0];
    expect(giveUp && secs(giveUp.atUs)).toBe('165.080');
    expect(notes(out.trace, 'client.reconnect').map((e) => secs(e.atUs))).toEqual(['165.080']);
    expect(t.clients[0]?.states()).toEqual({ connection: 'connected.steady', ike: 'established.window.ready' });
  });
});

describe('the gateway re-sends its own requests', () => {
  it("a dropped liveness check from the gateway is re-sent bit-identical (a packet per send, the message's bytes)", () => {
    const t = buildTopology({
      durationUs: 40_000_000,
      commands: connect,
      policy: { livenessMs: 10_000 },
      faults: [{ type: 'drop.match', atUs: 0, match: 'INFORMATIONAL request', count: 2 }],
    });
    const out = runScenario(t.input, { seed: 1 });
    const checks = sends(out.trace, 'gw', 'INFORMATIONAL request #0');
    // Sent at 10.030 s, dropped twice, re-sent at +4 and +7.2 s (strongSwan schedule), answered the third time.
    expect(checks.map((e) => secs(e.atUs))).toEqual(['10.030', '14.030', '21.230']);
    expect(new Set(checks.map((e) => e.bytes)).size).toBe(1);
    expect(t.clients[0]?.states()).toEqual({ connection: 'connected.steady', ike: 'established.window.ready' });
  });
});
