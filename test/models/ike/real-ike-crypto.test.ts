/**
 * Real IKE/ESP crypto through the machines and nodes (models/ike/real-ike-crypto.ts, the nodes' SA keys and codecs):
 * a run with `crypto: real` makes the same decisions as the modelled run, event for event — only packet bytes differ
 * and the derived keys are announced — and what is on the wire is really encrypted, so a node without the SA's keys
 * (an attacker, a bit flipped on the way) is refused.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioOrThrow } from '../../../scenarios/load.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { ATTACK_KINDS } from '../../../models/attacks/canary.ts';
import { packetCodec } from '../../../models/wire/packet.ts';
import type { TraceEvent } from '../../../sim/trace.ts';
import { attackScenario } from '../attacks/attack-scenario.ts';
import type { MethodId } from '../../../scenarios/method-registry.ts';

const METHODS = ['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'mode-cfg-dhcp', 'dhcp-over-ipsec'] as const;

/** The trace without what real crypto changes: packet bytes and the `crypto.keys` announcements. */
function decisions(trace: readonly TraceEvent[]): string[] {
  return trace
    .filter((e) => !(e.type === 'note' && e.text === 'crypto.keys'))
    .map((e) => {
      const { bytes: _bytes, ...rest } = e as TraceEvent & { bytes?: string };
      return JSON.stringify(rest);
    });
}

function run(scenario: string | object, method: MethodId, crypto: 'modelled' | 'real', seed?: number) {
  const s = loadScenarioOrThrow(scenario, { options: { crypto } });
  return runScenario(s, { method, keepTrace: true, ...(seed === undefined ? {} : { seed }) });
}

/** `basic` with the IKE SA rekeyed every 20 s and the Child SA every 12 s over a minute (RFC 7296 §2.18, §2.17). */
function rekeying(): object {
  const s = structuredClone(loadScenarioOrThrow('basic')) as unknown as Record<string, unknown> & {
    workload: Record<string, unknown>;
  };
  for (const derived of ['source', 'needs', 'params']) delete s[derived];
  return {
    ...s,
    name: 'basic-rekeying',
    durationMs: 60_000,
    workload: { ...s.workload, ikeRekeySecs: 20, childRekeySecs: 12, rekeyJitterMs: 0, pingIntervalMs: 5000 },
    expectations: [],
  };
}

describe('real crypto changes the bytes, not the run', () => {
  for (const scenario of ['basic', 'gateway-restart', 'rekey-renewal'] as const) {
    for (const method of METHODS) {
      it(`${scenario} on ${method}: event for event the modelled run, every expectation met`, () => {
        const modelled = run(scenario, method, 'modelled');
        const real = run(scenario, method, 'real');
        expect(real.ok).toBe(true);
        expect(decisions(real.trace)).toEqual(decisions(modelled.trace));
        expect(real.metrics).toEqual(modelled.metrics);
        expect(real.traceSha256).not.toBe(modelled.traceSha256);
        expect(real.trace.filter((e) => e.type === 'note' && e.text === 'crypto.keys').length).toBeGreaterThan(0);
      });
    }
  }

  it('IKE SA and Child SA rekeys: new keys from the old SK_d, nothing refused', () => {
    const real = run(rekeying(), 'mode-cfg', 'real');
    const modelled = run(rekeying(), 'mode-cfg', 'modelled');
    expect(decisions(real.trace)).toEqual(decisions(modelled.trace));
    const ikeKeys = real.trace.filter(
      (e) => e.type === 'note' && e.text === 'crypto.keys' && e.data?.['kind'] === 'ike' && e.node === 'client1',
    );
    // The first IKE SA and at least two rekeyed ones, each with its own SPIs and keys.
    expect(ikeKeys.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ikeKeys.map((e) => (e.type === 'note' ? e.data?.['skEi'] : '')))).toHaveProperty(
      'size',
      ikeKeys.length,
    );
    expect(real.trace.some((e) => e.type === 'note' && /refused/.test(e.text))).toBe(false);
    // Echo replies came back over the rekeyed Child SAs.
    expect(real.trace.filter((e) => e.type === 'note' && e.text === 'data.echo').length).toBeGreaterThan(1);
  });

  it('same seed, same bytes: two real runs give one digest; another seed another', () => {
    const a = run('basic', 'dhcp-over-ike', 'real');
    const b = run('basic', 'dhcp-over-ike', 'real');
    const c = run('basic', 'dhcp-over-ike', 'real', 2);
    expect(a.traceSha256).toBe(b.traceSha256);
    expect(c.traceSha256).not.toBe(a.traceSha256);
  });
});

describe('what is on the wire is encrypted', () => {
  function firstAuthRequest(trace: readonly TraceEvent[]): Uint8Array {
    const e = trace.find((x) => x.type === 'send' && x.summary.startsWith('IKE_AUTH request'));
    if (e?.type !== 'send' || e.bytes === undefined) throw new Error('no IKE_AUTH request in the trace');
    return Uint8Array.from(e.bytes.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  }
  const identity = new TextEncoder().encode('client1@example.com');
  const contains = (hay: Uint8Array, needle: Uint8Array): boolean =>
    hay.some((_, i) => needle.every((b, j) => hay[i + j] === b));

  it('the IKE_AUTH request hides IDi under real crypto (the modelled body leaves it readable)', () => {
    expect(contains(firstAuthRequest(run('basic', 'mode-cfg', 'modelled').trace), identity)).toBe(true);
    expect(contains(firstAuthRequest(run('basic', 'mode-cfg', 'real').trace), identity)).toBe(false);
  });

  it('a reader without the keys sees an opaque SK payload', () => {
    const parsed = packetCodec.decode(firstAuthRequest(run('basic', 'mode-cfg', 'real').trace));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.value.payload.kind !== 'udp' || parsed.value.payload.app.kind !== 'ike') return;
    expect(parsed.value.payload.app.message.payloads.map((p) => p.kind)).toEqual(['SK-opaque']);
  });
});

describe('without the SA keys nothing gets through (RFC 4303 §3.4.4, RFC 7296 §2.21.2)', () => {
  for (const attack of ATTACK_KINDS) {
    it(`${attack} on mode-cfg and dhcp-over-ike under real crypto`, () => {
      for (const method of ['mode-cfg', 'dhcp-over-ike'] as const) {
        const s = attackScenario({ attack, ...(attack === 'lease-theft' ? { victimConnectMs: 2000 } : {}) });
        const r = runScenario(loadScenarioOrThrow(s, { options: { crypto: 'real' } }), { method, seed: 1 });
        expect(r.metrics.attacks.byKind[attack]?.succeeded).toBe(0);
        expect(r.metrics.perClient.find((c) => c.name === 'client1')?.address).not.toBeNull();
      }
    });
  }

  it('forged ESP on the victim SPI is refused for integrity even with the modelled-tag check turned off', () => {
    // With the window off too, the replayed bait (a genuine packet, RFC 4303 §3.4.3) still gets through, as it
    // should; the forged one (modelled: accepted, 2 successes) does not.
    const s = loadScenarioOrThrow(attackScenario({ attack: 'esp-spoof' }), {
      options: { crypto: 'real', espIntegrity: false, espReplayWindow: 0 },
    });
    const r = runScenario(s, { method: 'mode-cfg', seed: 1, keepTrace: true });
    const refused = r.trace.filter((e) => e.type === 'note' && e.text === 'data.refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.type === 'note' && e.data?.['reason'] === 'integrity')).toBe(true);
    expect(r.metrics.attacks.byKind['esp-spoof']?.succeeded).toBe(1);
  });
});
