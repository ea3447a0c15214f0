import { describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/run.ts';
import { ATTACK_KINDS } from '../../models/attacks/canary.ts';
import { attackScenario } from '../models/attacks/attack-scenario.ts';

const METHODS = ['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'mode-cfg-dhcp', 'dhcp-over-ipsec'] as const;

describe('adversarial clients: every method × attack kind is tried and refused (seed 1)', () => {
  for (const attack of ATTACK_KINDS) {
    for (const method of METHODS) {
      it(`${attack} on ${method}`, () => {
        // lease-theft: the attacker copies the victim's chaddr before the victim connects (the lockout case).
        const s = attackScenario({ attack, ...(attack === 'lease-theft' ? { victimConnectMs: 2000 } : {}) });
        const r = runScenario(s, { method, seed: 1 });
        const a = r.metrics.attacks.byKind[attack];
        expect(a?.tried).toBeGreaterThan(0);
        expect(a?.succeeded).toBe(0);
        // The victim keeps an address of its own.
        const victim = r.metrics.perClient.find((c) => c.name === 'client1');
        const mallory = r.metrics.perClient.find((c) => c.name === 'mallory');
        expect(victim?.address).not.toBeNull();
        expect(victim?.address).not.toBe(mallory?.address);
      });
    }
  }
});

describe('the defences are what stops them (turned off, the attacks succeed)', () => {
  it('first-come pinning: a chaddr copied before the victim connects locks the victim out', () => {
    const s = attackScenario({ attack: 'lease-theft', victimConnectMs: 2000 });
    const r = runScenario(s, { method: 'dhcp-over-ike', seed: 1, options: { dhcpIkePinning: 'first-come' } });
    expect(r.metrics.attacks.byKind['lease-theft']).toEqual({ tried: 1, succeeded: 1 });
    expect(r.metrics.perClient.find((c) => c.name === 'client1')?.address).toBeNull();
  });

  it('dhcpFromTunnel forward: a RELEASE for the victim reaches the DHCP server', () => {
    const r = runScenario(attackScenario({ attack: 'release-other' }), {
      method: 'mode-cfg-dhcp',
      seed: 1,
      options: { dhcpFromTunnel: 'forward' },
    });
    expect(r.metrics.attacks.byKind['release-other']).toEqual({ tried: 1, succeeded: 1 });
  });

  it('no anti-replay window and no integrity: spoofed and replayed ESP is accepted', () => {
    const r = runScenario(attackScenario({ attack: 'esp-spoof' }), {
      method: 'mode-cfg',
      seed: 1,
      options: { espReplayWindow: 0, espIntegrity: false },
    });
    const refused = r.trace.filter((e) => e.type === 'note' && e.text === 'data.refused');
    expect(refused).toHaveLength(0);
    // The forged packet on the victim's SPI and the replayed bait get through.
    expect(r.metrics.attacks.byKind['esp-spoof']?.succeeded).toBe(2);
  });

  it('a scenario with an unknown victim is rejected with the field path', () => {
    const s = attackScenario({ attack: 'esp-spoof' }) as { topology: { clients: { behaviour?: object }[] } };
    const bad = structuredClone(s);
    const m = bad.topology.clients[1];
    if (m !== undefined) m.behaviour = { attack: 'esp-spoof', victim: 'nobody', atMs: 1 };
    expect(() => runScenario(bad, { method: 'mode-cfg' })).toThrow(/topology\.clients\[1\]\.behaviour\.victim/);
  });
});
