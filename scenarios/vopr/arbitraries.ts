/**
 * fast-check arbitraries of fault schedules (schedule.ts). Shrinking goes towards one client, no faults, a clean
 * network and a short horizon, so a failure shrinks to the smallest schedule that still breaks an invariant.
 * Client indices are drawn independently of the client count (1–50) and the ones past the count are dropped when the
 * scenario is written: that keeps every shrink step a valid schedule.
 */
import fc from 'fast-check';
import { ATTACK_KINDS } from '../../models/attacks/canary.ts';
import type { Schedule, ScheduleAction, ScheduleAttacker, ScheduleFault, ScheduleProfile } from './schedule.ts';

export interface ScheduleBounds {
  readonly clientsMax: number;
  readonly faultsMax: number;
  readonly horizonMsMax: number;
}

export const DEFAULT_BOUNDS: ScheduleBounds = { clientsMax: 50, faultsMax: 6, horizonMsMax: 120_000 };

/** Ratios in steps of 0.001, so scenario files stay readable. */
function ratio(maxMilli: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: maxMilli }).map((m) => m / 1000);
}

export function profileArb(o: {
  readonly lossMilliMax: number;
  readonly latencyMsMax: number;
}): fc.Arbitrary<ScheduleProfile> {
  return fc.record(
    {
      latencyMs: fc.integer({ min: 1, max: o.latencyMsMax }),
      jitterMs: fc.integer({ min: 0, max: 20 }),
      lossRatio: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: ratio(o.lossMilliMax), weight: 3 }),
      lossBurstLengthMean: fc.integer({ min: 1, max: 8 }),
      duplicateRatio: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: ratio(100), weight: 1 }),
      reorderRatio: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: ratio(100), weight: 1 }),
      mtuBytes: fc.integer({ min: 576, max: 1500 }),
    },
    { requiredKeys: ['latencyMs', 'jitterMs', 'lossRatio', 'duplicateRatio', 'reorderRatio'] },
  );
}

function faultArb(b: ScheduleBounds): fc.Arbitrary<ScheduleFault> {
  const atMs = fc.integer({ min: 0, max: b.horizonMsMax });
  const forMs = fc.integer({ min: 100, max: 60_000 });
  const client = fc.integer({ min: 1, max: b.clientsMax });
  return fc.oneof(
    fc.record({
      kind: fc.constant('link.down' as const),
      link: fc.constantFrom('outside' as const, 'inside' as const),
      atMs,
      forMs,
    }),
    fc.record({
      kind: fc.constant('partition' as const),
      clients: fc.array(client, { minLength: 1, maxLength: 5 }),
      atMs,
      forMs,
    }),
    fc.record({ kind: fc.constant('gateway.crash' as const), atMs, forMs }),
    fc.record({ kind: fc.constant('dhcp.stall' as const), atMs, forMs }),
    fc.record({ kind: fc.constant('dhcp.crash' as const), atMs, forMs }),
    fc.record({ kind: fc.constant('client.crash' as const), client, atMs, forMs }),
    fc.record({
      kind: fc.constant('profile' as const),
      link: fc.constantFrom('outside' as const, 'inside' as const),
      atMs,
      profile: profileArb({ lossMilliMax: 400, latencyMsMax: 300 }),
    }),
  );
}

function actionArb(b: ScheduleBounds): fc.Arbitrary<ScheduleAction> {
  return fc.record({
    client: fc.integer({ min: 1, max: b.clientsMax }),
    action: fc.constantFrom('disconnect' as const, 'connect' as const),
    atMs: fc.integer({ min: 0, max: b.horizonMsMax }),
  });
}

/** Mostly few clients (fast, and what shrinking wants), sometimes many. */
function clientsArb(max: number): fc.Arbitrary<number> {
  const small = Math.min(3, max);
  const mid = Math.min(10, max);
  return fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: small }), weight: 6 },
    { arbitrary: fc.integer({ min: 1, max: mid }), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max }), weight: 1 },
  );
}

function attackerArb(b: ScheduleBounds): fc.Arbitrary<ScheduleAttacker> {
  return fc.record({
    kind: fc.constantFrom(...ATTACK_KINDS),
    victim: fc.integer({ min: 1, max: b.clientsMax }),
    atMs: fc.integer({ min: 0, max: b.horizonMsMax }),
  });
}

/** One schedule in four has an adversary (shrinking removes it first). */
export function scheduleArb(b: ScheduleBounds = DEFAULT_BOUNDS): fc.Arbitrary<Schedule> {
  return fc.record(
    {
      clients: clientsArb(b.clientsMax),
      attacker: fc.option(attackerArb(b), { freq: 3, nil: undefined }),
      connectSpacingMs: fc.integer({ min: 0, max: 2000 }),
      leaseSecs: fc.oneof(fc.integer({ min: 20, max: 120 }), fc.integer({ min: 600, max: 3600 })),
      outside: profileArb({ lossMilliMax: 400, latencyMsMax: 150 }),
      inside: profileArb({ lossMilliMax: 200, latencyMsMax: 20 }),
      faults: fc.array(faultArb(b), { maxLength: b.faultsMax }),
      actions: fc.array(actionArb(b), { maxLength: 4 }),
      livenessSecs: fc.integer({ min: 5, max: 60 }),
      childRekeySecs: fc.oneof(fc.constant(0), fc.integer({ min: 20, max: 300 })),
      reconnectDelayMs: fc.integer({ min: 1000, max: 5000 }),
      reconnectJitterMs: fc.integer({ min: 0, max: 2000 }),
      horizonMs: fc.integer({ min: 5000, max: b.horizonMsMax }),
    },
    {
      requiredKeys: [
        'clients',
        'connectSpacingMs',
        'leaseSecs',
        'outside',
        'inside',
        'faults',
        'actions',
        'livenessSecs',
        'childRekeySecs',
        'reconnectDelayMs',
        'reconnectJitterMs',
        'horizonMs',
      ],
    },
  );
}
