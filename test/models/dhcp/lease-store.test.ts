import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { LeaseStore } from '../../../models/dhcp/lease-store.ts';
import { POOL_A, POOL_B } from './fixtures.ts';

const S = 1_000_000;

function store(): LeaseStore {
  return new LeaseStore({ pools: [POOL_A, POOL_B], declineQuarantineSecs: 50 });
}

describe('pool selection', () => {
  test('link-selection (RFC 3527) wins over giaddr, giaddr over ciaddr, ciaddr over the interface', () => {
    const s = store();
    expect(s.selectPool({ linkSelection: '10.2.0.0', giaddr: '10.1.0.1' })?.name).toBe('b');
    expect(s.selectPool({ giaddr: '10.2.0.1', receivingAddress: '10.1.0.1' })?.name).toBe('b');
    expect(s.selectPool({ giaddr: '0.0.0.0', ciaddr: '10.2.0.15', receivingAddress: '10.1.0.1' })?.name).toBe('b');
    expect(s.selectPool({ giaddr: '0.0.0.0', receivingAddress: '10.1.0.1' })?.name).toBe('a');
    expect(s.selectPool({ giaddr: '192.0.2.1' })).toBeNull();
    expect(s.selectPool({ giaddr: '0.0.0.0' })).toBeNull();
  });
});

describe('offers and requests (RFC 2131 §4.3.1, §4.3.2)', () => {
  test('lowest free first, the requested address when free, the same address again for the same client', () => {
    const s = store();
    expect(s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0)).toMatchObject({ address: '10.1.0.10' });
    expect(s.offer({ pool: 'a', clientKey: 'c2', requestedAddress: '10.1.0.12' }, 0)).toMatchObject({
      address: '10.1.0.12',
    });
    expect(s.offer({ pool: 'a', clientKey: 'c3', requestedAddress: '10.1.0.10' }, 0)).toMatchObject({
      address: '10.1.0.11',
    });
    expect(s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: '10.1.0.13' }, 1)).toMatchObject({
      address: '10.1.0.10',
    });
    expect(s.offer({ pool: 'a', clientKey: 'c4', requestedAddress: null }, 1)).toMatchObject({ address: '10.1.0.13' });
    expect(s.offer({ pool: 'a', clientKey: 'c5', requestedAddress: null }, 1).kind).toBe('exhausted');
    // Offers are held 10 s: at 10 s those made at 0 end (.11, .12); c1's and c4's, renewed at 1 s, hold until 11 s.
    expect(s.offer({ pool: 'a', clientKey: 'c5', requestedAddress: null }, 10 * S)).toMatchObject({
      address: '10.1.0.11',
    });
  });

  test('SELECTING: ACK for our offer; a REQUEST naming another server frees the reservation', () => {
    const s = store();
    s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0);
    const base = { pool: 'a', clientKey: 'c1', kind: 'selecting', ciaddr: '0.0.0.0' } as const;
    expect(s.request({ ...base, requestedAddress: '10.1.0.10', serverIdMatches: false }, 0)).toEqual({
      kind: 'ignore',
      reason: 'other-server',
    });
    expect(s.snapshot().counts).toEqual({ offered: 0, bound: 0, quarantined: 0, free: 1 });
    s.offer({ pool: 'a', clientKey: 'c2', requestedAddress: null }, 0); // gets .11: .10 is remembered for c1
    s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0);
    expect(s.request({ ...base, requestedAddress: '10.1.0.10', serverIdMatches: true }, 2 * S)).toMatchObject({
      kind: 'ack',
      address: '10.1.0.10',
      expiresAtUs: 102 * S,
    });
    expect(
      s.request({ ...base, clientKey: 'c3', requestedAddress: '10.1.0.10', serverIdMatches: true }, 2 * S),
    ).toMatchObject({
      kind: 'nak',
      reason: 'address-taken',
    });
  });

  test('INIT-REBOOT: ours → ACK, wrong subnet → NAK, not ours → NAK, unknown client → silence', () => {
    const s = store();
    s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0);
    s.request(
      {
        pool: 'a',
        clientKey: 'c1',
        kind: 'selecting',
        requestedAddress: '10.1.0.10',
        ciaddr: '0.0.0.0',
        serverIdMatches: true,
      },
      0,
    );
    const reboot = { pool: 'a', kind: 'init-reboot', ciaddr: '0.0.0.0', serverIdMatches: false } as const;
    expect(s.request({ ...reboot, clientKey: 'c1', requestedAddress: '10.1.0.10' }, S)).toMatchObject({ kind: 'ack' });
    expect(s.request({ ...reboot, clientKey: 'c1', requestedAddress: '10.9.0.10' }, S)).toMatchObject({
      kind: 'nak',
      reason: 'wrong-subnet',
    });
    expect(s.request({ ...reboot, clientKey: 'c1', requestedAddress: '10.1.0.11' }, S)).toMatchObject({
      kind: 'nak',
      reason: 'not-your-address',
    });
    expect(s.request({ ...reboot, clientKey: 'c9', requestedAddress: '10.1.0.11' }, S)).toEqual({
      kind: 'ignore',
      reason: 'unknown-client',
    });
  });

  test('RENEWING: extends the lease from now; another client’s address → NAK; unknown + free → ACK (policy)', () => {
    const s = store();
    s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0);
    s.request(
      {
        pool: 'a',
        clientKey: 'c1',
        kind: 'selecting',
        requestedAddress: '10.1.0.10',
        ciaddr: '0.0.0.0',
        serverIdMatches: true,
      },
      0,
    );
    const renew = { pool: 'a', kind: 'renewing', requestedAddress: null, serverIdMatches: false } as const;
    expect(s.request({ ...renew, clientKey: 'c1', ciaddr: '10.1.0.10' }, 50 * S)).toMatchObject({
      kind: 'ack',
      expiresAtUs: 150 * S,
    });
    expect(s.request({ ...renew, clientKey: 'c2', ciaddr: '10.1.0.10' }, 50 * S)).toMatchObject({
      kind: 'nak',
      reason: 'address-taken',
    });
    expect(s.request({ ...renew, clientKey: 'c2', ciaddr: '10.1.0.12' }, 50 * S)).toMatchObject({
      kind: 'ack',
      address: '10.1.0.12',
    });
    const strict = new LeaseStore({ pools: [POOL_A], renewUnknown: 'ignore' });
    expect(strict.request({ ...renew, clientKey: 'c2', ciaddr: '10.1.0.12' }, 0)).toEqual({
      kind: 'ignore',
      reason: 'unknown-client',
    });
  });
});

describe('expiry, DECLINE, RELEASE', () => {
  test('a lease expires at its end and frees the address; the sweep reports it once', () => {
    const s = store();
    s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0);
    s.request(
      {
        pool: 'a',
        clientKey: 'c1',
        kind: 'selecting',
        requestedAddress: '10.1.0.10',
        ciaddr: '0.0.0.0',
        serverIdMatches: true,
      },
      0,
    );
    expect(s.nextExpiryUs()).toBe(100 * S);
    expect(s.expire(100 * S - 1)).toEqual([]);
    expect(s.expire(100 * S)).toEqual([
      { address: '10.1.0.10', pool: 'a', clientKey: 'c1', was: 'bound', atUs: 100 * S },
    ]);
    expect(s.nextExpiryUs()).toBeNull();
    expect(s.takeExpired()).toHaveLength(1);
    expect(s.takeExpired()).toHaveLength(0);
    // Free for anyone now, but c1 gets it back first.
    expect(s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 101 * S)).toMatchObject({
      address: '10.1.0.10',
    });
  });

  test('DECLINE quarantines the address for the configured time', () => {
    const s = store();
    s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0);
    s.request(
      {
        pool: 'a',
        clientKey: 'c1',
        kind: 'selecting',
        requestedAddress: '10.1.0.10',
        ciaddr: '0.0.0.0',
        serverIdMatches: true,
      },
      0,
    );
    expect(s.decline({ pool: 'a', clientKey: 'c1', address: '10.1.0.10' }, S)).toBe(true);
    expect(s.snapshot().records).toEqual([
      { address: '10.1.0.10', pool: 'a', clientKey: null, state: 'quarantined', expiresAtUs: 51 * S },
    ]);
    expect(s.offer({ pool: 'a', clientKey: 'c2', requestedAddress: '10.1.0.10' }, 2 * S)).toMatchObject({
      address: '10.1.0.11',
    });
    expect(s.offer({ pool: 'a', clientKey: 'c3', requestedAddress: '10.1.0.10' }, 51 * S)).toMatchObject({
      address: '10.1.0.10',
    });
  });

  test('RELEASE frees the lease; a RELEASE from another client is ignored', () => {
    const s = store();
    s.offer({ pool: 'a', clientKey: 'c1', requestedAddress: null }, 0);
    s.request(
      {
        pool: 'a',
        clientKey: 'c1',
        kind: 'selecting',
        requestedAddress: '10.1.0.10',
        ciaddr: '0.0.0.0',
        serverIdMatches: true,
      },
      0,
    );
    expect(s.release({ pool: 'a', clientKey: 'c2', address: '10.1.0.10' }, S)).toBe(false);
    expect(s.release({ pool: 'a', clientKey: 'c1', address: '10.1.0.10' }, S)).toBe(true);
    expect(s.snapshot().counts).toEqual({ offered: 0, bound: 0, quarantined: 0, free: 1 });
  });
});

/** One step of a random client population against one small pool (4 addresses: contention is the point). */
const stepArb = fc.record({
  client: fc.integer({ min: 0, max: 6 }),
  op: fc.constantFrom('discover', 'select', 'select-other', 'reboot', 'renew', 'decline', 'release'),
  addressIndex: fc.integer({ min: 0, max: 4 }),
  advanceSecs: fc.integer({ min: 0, max: 60 }),
});

describe('safety property', () => {
  fcTest.prop([fc.array(stepArb, { maxLength: 200 })], { numRuns: 300 })(
    'never one address to two clients with live leases or offers',
    (steps) => {
      const s = new LeaseStore({ pools: [POOL_A], declineQuarantineSecs: 30 });
      // address → the client that was last granted it and until when (offer hold or lease end).
      const grants = new Map<string, { client: string; untilUs: number }>();
      let nowUs = 0;
      const grant = (client: string, address: string, untilUs: number): void => {
        const g = grants.get(address);
        if (g && g.client !== client && g.untilUs > nowUs) {
          throw new Error(
            `${address} granted to ${client} while ${g.client} holds it until ${g.untilUs} (now ${nowUs})`,
          );
        }
        // A client holds one address per pool: a grant elsewhere ends its earlier one (the store forgets it).
        for (const [a, other] of grants) if (other.client === client && a !== address) grants.delete(a);
        grants.set(address, { client, untilUs });
      };
      for (const step of steps) {
        nowUs += step.advanceSecs * S;
        const client = `c${step.client}`;
        const address = `10.1.0.${10 + step.addressIndex}`; // index 4 is outside the range
        switch (step.op) {
          case 'discover': {
            const r = s.offer({ pool: 'a', clientKey: client, requestedAddress: address }, nowUs);
            if (r.kind === 'offer') {
              const rec = s.recordOf('a', client);
              grant(client, r.address, rec?.expiresAtUs ?? 0);
            }
            break;
          }
          case 'select':
          case 'select-other':
          case 'reboot':
          case 'renew': {
            const kind = step.op === 'reboot' ? 'init-reboot' : step.op === 'renew' ? 'renewing' : 'selecting';
            const r = s.request(
              {
                pool: 'a',
                clientKey: client,
                kind,
                requestedAddress: kind === 'renewing' ? null : address,
                ciaddr: kind === 'renewing' ? address : '0.0.0.0',
                serverIdMatches: step.op !== 'select-other',
              },
              nowUs,
            );
            if (r.kind === 'ack') grant(client, r.address, r.expiresAtUs);
            break;
          }
          case 'decline':
            if (s.decline({ pool: 'a', clientKey: client, address }, nowUs)) {
              grants.set(address, { client: '(quarantine)', untilUs: nowUs + 30 * S });
            }
            break;
          case 'release':
            if (s.release({ pool: 'a', clientKey: client, address }, nowUs)) grants.delete(address);
            break;
        }
        // The store's own view agrees: each live record names one client; each client has at most one.
        const live = s.snapshot().records.filter((r) => r.state === 'offered' || r.state === 'bound');
        const owners = live.map((r) => r.clientKey);
        expect(new Set(owners).size).toBe(owners.length);
      }
      return true;
    },
  );
});
