/**
 * Timeline tests of the RFC 2131 client: every transmission at its exact virtual time (seed 1 of the test stream),
 * and each inside the window the RFC allows.
 */
import { describe, expect, test } from 'vitest';
import { findOption } from '../../../models/dhcp/options.ts';
import { FIVE_TRIES_RETRANSMIT } from '../../../models/dhcp/client-timers.ts';
import { DHCP_CLIENT_STATES, dhcpClientMachine } from '../../../models/dhcp/client-machine.ts';
import { DhcpMessageType } from '../../../models/wire/dhcp/types.ts';
import type { DhcpMessage } from '../../../models/wire/dhcp/types.ts';
import { clientHarness, replyTo } from './client-harness.ts';
import type { ClientHarness } from './client-harness.ts';

/** DISCOVER → OFFER → REQUEST → ACK at t = 0, lease `leaseSecs`; returns with the client BOUND. */
function bindAtZero(h: ClientHarness, leaseSecs = 3600): void {
  h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER, { leaseSecs }));
  h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs }));
}

describe('SELECTING retransmission (RFC 2131 §4.1)', () => {
  test('default: DISCOVER at 0, then 4/8/16/32 s ±1 s waits and every 64 ± 1 s after, never giving up (issue 14 item 9)', () => {
    const h = clientHarness();
    h.clock.runUntil(600_000);
    const times = h.sent().map((s) => s.atMs);
    expect(times.slice(0, 5)).toEqual([0, 4243, 13159, 29993, 61389]);
    expect(times.length).toBe(13);
    const nominal = [4000, 8000, 16000, 32000, ...Array<number>(8).fill(64_000)];
    nominal.forEach((n, i) => {
      const wait = (times[i + 1] ?? 0) - (times[i] ?? 0);
      expect(wait).toBeGreaterThanOrEqual(n - 1000);
      expect(wait).toBeLessThanOrEqual(n + 1000);
    });
    expect(h.log.filter((r) => r.event.type === 'dhcp.gaveUp')).toEqual([]);
    expect(h.state()).toBe('SELECTING');
  });

  test('five-tries (the lab before issue 14): DISCOVER at 0, then 4/8/16/32 s ±1 s waits, give-up 64 ± 1 s after the fifth', () => {
    const h = clientHarness({ retransmit: FIVE_TRIES_RETRANSMIT });
    h.clock.runUntil(300_000);
    const sends = h.sent();
    expect(sends.map((s) => s.atMs)).toEqual([0, 4243, 13159, 29993, 61389]);
    expect(sends.every((s) => s.type === 'DISCOVER' && s.destination === 'broadcast')).toBe(true);
    const gaveUp = h.log.filter((r) => r.event.type === 'dhcp.gaveUp');
    expect(gaveUp).toEqual([{ atMs: 125436, event: { type: 'dhcp.gaveUp', state: 'SELECTING', tries: 5 } }]);
    // Each wait inside its §4.1 window.
    const times = [...sends.map((s) => s.atMs), 125436];
    const nominal = [4000, 8000, 16000, 32000, 64000];
    nominal.forEach((n, i) => {
      const wait = (times[i + 1] ?? 0) - (times[i] ?? 0);
      expect(wait).toBeGreaterThanOrEqual(n - 1000);
      expect(wait).toBeLessThanOrEqual(n + 1000);
    });
    // One xid for the exchange; secs counts whole seconds since the first DISCOVER (§2).
    expect(new Set(sends.map((s) => s.message.xid)).size).toBe(1);
    expect(sends.map((s) => s.message.secs)).toEqual([0, 4, 13, 29, 61]);
    // Default give-up policy: wait in INIT for cmd.start.
    expect(h.state()).toBe('INIT');
    h.clock.runUntil(1_000_000);
    expect(h.sent()).toHaveLength(5);
    h.actor.send({ type: 'cmd.start' });
    expect(h.sent()).toHaveLength(6);
    expect(h.sent()[5]?.atMs).toBe(1_000_000);
    expect(h.sent()[5]?.message.xid).not.toBe(sends[0]?.message.xid);
  });

  test('a list of delays replaces the schedule (a carrier that retransmits itself)', () => {
    const h = clientHarness({ retransmit: { delaysMs: [2000, 3000], jitterMs: 0 }, giveUpRestartMs: 10_000 });
    h.clock.runUntil(16_000);
    expect(h.sent().map((s) => s.atMs)).toEqual([0, 2000, 15_000]);
    expect(h.log.find((r) => r.event.type === 'dhcp.gaveUp')?.atMs).toBe(5000);
  });

  test('DISCOVER fields: BOOTREQUEST, broadcast flag when asked, parameter request list', () => {
    const h = clientHarness({ broadcastFlag: true });
    const d = h.lastSent();
    expect([d.op, d.htype, d.hlen, d.hops, d.flags, d.ciaddr, d.giaddr]).toEqual([
      1,
      1,
      6,
      0,
      0x8000,
      '0.0.0.0',
      '0.0.0.0',
    ]);
    expect(d.options).toEqual([
      { kind: 'messageType', type: 1 },
      { kind: 'parameterRequestList', codes: [1, 3, 6, 51, 58, 59] },
    ]);
  });
});

describe('SELECTING → REQUESTING → BOUND', () => {
  test('REQUEST carries the offered address and server id; BOUND reports the lease', () => {
    const h = clientHarness();
    h.clock.runUntil(1000);
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER, { yiaddr: '192.0.2.77' }));
    expect(h.state()).toBe('REQUESTING');
    const req = h.lastSent();
    expect(findOption(req, 'messageType')?.type).toBe(DhcpMessageType.REQUEST);
    expect(findOption(req, 'requestedAddress')?.address).toBe('192.0.2.77');
    expect(findOption(req, 'serverId')?.address).toBe('192.0.2.1');
    expect(req.ciaddr).toBe('0.0.0.0');
    expect(req.secs).toBe(1);
    h.clock.runUntil(1500);
    h.recv(replyTo(req, DhcpMessageType.ACK, { yiaddr: '192.0.2.77', leaseSecs: 600 }));
    expect(h.state()).toBe('BOUND');
    expect(h.log.find((r) => r.event.type === 'dhcp.bound')).toEqual({
      atMs: 1500,
      event: {
        type: 'dhcp.bound',
        address: '192.0.2.77',
        mask: '255.255.255.0',
        router: '192.0.2.1',
        dns: ['192.0.2.53'],
        leaseSecs: 600,
        serverId: '192.0.2.1',
        t1Secs: 300,
        t2Secs: 525,
        // The lease starts when the REQUEST was sent (§4.4.1): 1000 ms + 600 s.
        expiresAtUs: 601_000_000,
      },
    });
  });

  test('REQUESTING: four retransmissions over 60 s (RFC 2131 §3.1 step 5, §4.1 waits), then back to INIT and DISCOVER', () => {
    const h = clientHarness();
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER));
    h.clock.runUntil(70_000);
    const sends = h.sent().map((s) => [s.atMs, s.type]);
    expect(sends.slice(0, 6)).toEqual([
      [0, 'DISCOVER'],
      [0, 'REQUEST'],
      [4916, 'REQUEST'],
      [13750, 'REQUEST'],
      [29146, 'REQUEST'],
      [61193, 'REQUEST'],
    ]);
    // The give-up one base wait (4 ± 1 s) after the fourth retransmission: a new DISCOVER.
    const gaveUp = h.log.find((r) => r.event.type === 'dhcp.gaveUp');
    expect(gaveUp?.event).toEqual({ type: 'dhcp.gaveUp', state: 'REQUESTING', tries: 5 });
    expect(gaveUp?.atMs).toBeGreaterThanOrEqual(61193 + 3000);
    expect(gaveUp?.atMs).toBeLessThanOrEqual(61193 + 5000);
    expect(sends[6]).toEqual([gaveUp?.atMs, 'DISCOVER']);
  });

  test('five-tries: REQUESTING retransmits on the §4.1 schedule for 124 s, then back to INIT and DISCOVER', () => {
    const h = clientHarness({ retransmit: FIVE_TRIES_RETRANSMIT });
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER));
    h.clock.runUntil(200_000);
    const sends = h.sent().map((s) => [s.atMs, s.type]);
    expect(sends).toEqual([
      [0, 'DISCOVER'],
      [0, 'REQUEST'],
      [4916, 'REQUEST'],
      [13750, 'REQUEST'],
      [29146, 'REQUEST'],
      [61193, 'REQUEST'],
      [124487, 'DISCOVER'], // give-up 63.294 s after the fifth REQUEST: back to INIT, a new DISCOVER at once
      [127488, 'DISCOVER'],
      [135585, 'DISCOVER'],
      [151805, 'DISCOVER'],
      [183820, 'DISCOVER'],
    ]);
    const waits = [4916, 13750, 29146, 61193, 124487].map((t, i, all) => t - (i === 0 ? 0 : (all[i - 1] ?? 0)));
    expect(waits).toEqual([4916, 8834, 15396, 32047, 63294]);
  });

  test('replies with another xid or chaddr are ignored', () => {
    const h = clientHarness();
    const d = h.lastSent();
    h.recv({ ...replyTo(d, DhcpMessageType.OFFER), xid: (d.xid + 1) >>> 0 });
    const other = new Uint8Array(16);
    other.set([2, 0, 0, 0, 0, 2]);
    h.recv({ ...replyTo(d, DhcpMessageType.OFFER), chaddr: other });
    h.recv({ ...replyTo(d, DhcpMessageType.OFFER), options: [{ kind: 'messageType', type: 2 }] }); // no server id
    expect(h.state()).toBe('SELECTING');
  });

  test('an offer window: DISCOVER retransmission stops at the first offer; without a preference the first wins', () => {
    const h = clientHarness({ offerWindowMs: 500 });
    h.clock.runUntil(3000);
    const discover = h.lastSent();
    h.recv(replyTo(discover, DhcpMessageType.OFFER, { yiaddr: '192.0.2.20', serverId: '192.0.2.2' }));
    h.clock.runUntil(3400);
    h.recv(replyTo(discover, DhcpMessageType.OFFER, { yiaddr: '192.0.2.30', serverId: '192.0.2.1' }));
    expect(h.state()).toBe('SELECTING');
    h.clock.runUntil(3500);
    expect(h.state()).toBe('REQUESTING');
    expect(h.sent().map((s) => [s.atMs, s.type])).toEqual([
      [0, 'DISCOVER'],
      [3500, 'REQUEST'],
    ]);
    expect(findOption(h.lastSent(), 'requestedAddress')?.address).toBe('192.0.2.20');
    expect(findOption(h.lastSent(), 'serverId')?.address).toBe('192.0.2.2');
  });

  test('an offer window: the offer for the requested (previous) address wins over an earlier one', () => {
    const h = clientHarness({
      offerWindowMs: 500,
      rememberedAddress: '192.0.2.10',
      retransmit: { delaysMs: [1000], jitterMs: 0 },
    });
    h.clock.runUntil(1000); // REBOOTING gives up after one wait → DISCOVER asking for 192.0.2.10
    const discover = h.lastSent();
    expect(findOption(discover, 'requestedAddress')?.address).toBe('192.0.2.10');
    h.recv(replyTo(discover, DhcpMessageType.OFFER, { yiaddr: '192.0.2.20', serverId: '192.0.2.2' }));
    h.clock.runUntil(1200);
    h.recv(replyTo(discover, DhcpMessageType.OFFER, { yiaddr: '192.0.2.10', serverId: '192.0.2.1' }));
    h.clock.runUntil(1500);
    expect(h.state()).toBe('REQUESTING');
    const req = h.lastSent();
    expect(findOption(req, 'requestedAddress')?.address).toBe('192.0.2.10');
    expect(findOption(req, 'serverId')?.address).toBe('192.0.2.1');
  });
});

describe('T1, T2 and expiry under a dead server (RFC 2131 §4.4.5)', () => {
  test('BOUND → RENEWING at T1, REBINDING at T2, INIT at expiry; waits are half the remaining time, ≥ 60 s', () => {
    const h = clientHarness();
    bindAtZero(h, 3600); // T1 = 1800 s, T2 = 3150 s, expiry 3600 s after the REQUEST at 0
    h.clock.runUntil(3_600_000);
    const timeline = h.log
      .filter((r) => r.atMs > 0)
      .map((r) => [r.atMs, r.event.type === 'dhcp.send' ? sentSummary(r.event) : r.event.type]);
    expect(timeline).toEqual([
      [1_800_000, 'REQUEST unicast 192.0.2.1'], // RENEWING: 1350 s to T2
      [2_475_000, 'REQUEST unicast 192.0.2.1'], // + 675 s
      [2_812_500, 'REQUEST unicast 192.0.2.1'], // + 337.5 s
      [2_981_250, 'REQUEST unicast 192.0.2.1'], // + 168.75 s
      [3_065_625, 'REQUEST unicast 192.0.2.1'], // + 84.375 s
      [3_125_625, 'REQUEST unicast 192.0.2.1'], // + 60 s (the minimum); 24.375 s left: no more
      [3_150_000, 'REQUEST broadcast'], // REBINDING: 450 s to expiry
      [3_375_000, 'REQUEST broadcast'], // + 225 s
      [3_487_500, 'REQUEST broadcast'], // + 112.5 s
      [3_547_500, 'REQUEST broadcast'], // + 60 s; 52.5 s left: no more
      [3_600_000, 'dhcp.expired'],
      [3_600_000, 'DISCOVER broadcast'],
    ]);
    const renewals = h.sent().filter((s) => s.atMs > 0 && s.type === 'REQUEST');
    // §4.3.2: ciaddr set, no requested address, no server identifier; one xid for the whole renewal.
    expect(renewals.every((s) => s.message.ciaddr === '192.0.2.10')).toBe(true);
    expect(renewals.some((s) => findOption(s.message, 'requestedAddress') || findOption(s.message, 'serverId'))).toBe(
      false,
    );
    expect(new Set(renewals.map((s) => s.message.xid)).size).toBe(1);
    expect(renewals.map((s) => s.message.secs)).toEqual([0, 675, 1012, 1181, 1265, 1325, 1350, 1575, 1687, 1747]);
    expect(h.state()).toBe('SELECTING');
    expect(findOption(h.lastSent(), 'requestedAddress')?.address).toBe('192.0.2.10');
  });

  test('an ACK in RENEWING renews from the time the answered REQUEST was sent', () => {
    const h = clientHarness();
    bindAtZero(h, 1000);
    h.clock.runUntil(500_000);
    expect(h.state()).toBe('RENEWING');
    h.clock.runUntil(500_100);
    h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs: 1000 }));
    expect(h.state()).toBe('BOUND');
    const renewed = h.log.find((r) => r.event.type === 'dhcp.renewed');
    expect(renewed?.atMs).toBe(500_100);
    expect(renewed?.event).toMatchObject({ address: '192.0.2.10', expiresAtUs: 1_500_000_000 });
    h.clock.runUntil(1_000_000);
    expect(h.sent().map((s) => s.atMs)).toEqual([0, 0, 500_000, 1_000_000]);
  });

  test('§4.4.1: an ACK to a retransmitted REQUEST counts the lease from the original REQUEST', () => {
    const h = clientHarness();
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER, { leaseSecs: 600 }));
    h.clock.runUntil(4916); // the first REQUEST at 0 went unanswered; the retransmission goes out at 4.916 s
    expect(h.sent().map((s) => [s.atMs, s.type])).toEqual([
      [0, 'DISCOVER'],
      [0, 'REQUEST'],
      [4916, 'REQUEST'],
    ]);
    h.clock.runUntil(5000);
    h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs: 600 }));
    // From the original REQUEST at 0, not from the retransmission at 4.916 s (which would outlive the server's lease).
    expect(h.log.find((r) => r.event.type === 'dhcp.bound')?.event).toMatchObject({ expiresAtUs: 600_000_000 });
    h.clock.runUntil(300_000);
    expect(h.sent().at(-1)).toMatchObject({ atMs: 300_000, type: 'REQUEST' }); // T1 from 0, not from 4.916 s
  });

  test('§4.4.5: an ACK whose lease (from the original REQUEST) is already over is not bound; discovery restarts', () => {
    const h = clientHarness();
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER, { leaseSecs: 5 }));
    h.clock.runUntil(5000); // the REQUEST at 0 retransmitted at 4.916 s; the 5 s lease from 0 ends at 5 s
    h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs: 5 }));
    expect(h.log.some((r) => r.event.type === 'dhcp.bound')).toBe(false);
    expect(h.log.find((r) => r.event.type === 'dhcp.nak')?.event).toEqual({
      type: 'dhcp.nak',
      state: 'REQUESTING',
      withdrawn: null,
    });
    expect(h.state()).not.toBe('BOUND');
  });

  test("§4.4.1: an ACK to a RENEWING retransmission counts from the renewal's first REQUEST", () => {
    const h = clientHarness();
    bindAtZero(h, 3600);
    h.clock.runUntil(2_475_000); // RENEWING at 1800 s, retransmitted at 2475 s
    h.clock.runUntil(2_475_050);
    h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs: 3600 }));
    expect(h.log.find((r) => r.event.type === 'dhcp.renewed')?.event).toMatchObject({
      expiresAtUs: 5_400_000_000, // 1800 s + 3600 s
    });
  });

  test('§4.4.1: an ACK in REBINDING counts from the first REQUEST of the renewal (same xid)', () => {
    const h = clientHarness();
    bindAtZero(h, 1000); // T1 500 s, T2 875 s
    h.clock.runUntil(875_050);
    expect(h.state()).toBe('REBINDING');
    h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs: 1000 }));
    expect(h.log.find((r) => r.event.type === 'dhcp.renewed')?.event).toMatchObject({ expiresAtUs: 1_500_000_000 });
  });

  test('options 58/59 set T1 and T2', () => {
    const h = clientHarness();
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER));
    h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs: 3600, t1Secs: 600, t2Secs: 1200 }));
    expect(h.log.find((r) => r.event.type === 'dhcp.bound')?.event).toMatchObject({ t1Secs: 600, t2Secs: 1200 });
    h.clock.runUntil(1_200_000);
    expect(h.sent().map((s) => [s.atMs, s.destination])).toEqual([
      [0, 'broadcast'],
      [0, 'broadcast'],
      [600_000, { unicast: '192.0.2.1' }], // T1 from option 58; 600 s to T2
      [900_000, { unicast: '192.0.2.1' }], // + 300 s
      [1_050_000, { unicast: '192.0.2.1' }], // + 150 s
      [1_125_000, { unicast: '192.0.2.1' }], // + 75 s
      [1_185_000, { unicast: '192.0.2.1' }], // + 60 s (minimum); 15 s left
      [1_200_000, 'broadcast'], // T2 from option 59: REBINDING
    ]);
  });

  test('cmd.renew renews at once (a carrier rekey)', () => {
    const h = clientHarness();
    bindAtZero(h);
    h.clock.runUntil(10_000);
    h.actor.send({ type: 'cmd.renew' });
    expect(h.state()).toBe('RENEWING');
    expect(h.sent()[2]).toMatchObject({ atMs: 10_000, type: 'REQUEST', destination: { unicast: '192.0.2.1' } });
  });
});

describe('NAK paths', () => {
  test('NAK in REQUESTING: back to INIT and DISCOVER at once (default delay 0)', () => {
    const h = clientHarness();
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER));
    h.clock.runUntil(700);
    h.recv(replyTo(h.lastSent(), DhcpMessageType.NAK));
    expect(h.log.filter((r) => r.event.type === 'dhcp.nak').map((r) => r.event)).toEqual([
      { type: 'dhcp.nak', state: 'REQUESTING', withdrawn: null },
    ]);
    expect(h.sent().map((s) => [s.atMs, s.type])).toEqual([
      [0, 'DISCOVER'],
      [0, 'REQUEST'],
      [700, 'DISCOVER'],
    ]);
    expect(h.state()).toBe('SELECTING');
  });

  test('NAK with a configured delay waits in INIT', () => {
    const h = clientHarness({ nakRestartMs: 5000 });
    h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER));
    h.recv(replyTo(h.lastSent(), DhcpMessageType.NAK));
    expect(h.state()).toBe('INIT');
    h.clock.runUntil(4999);
    expect(h.sent()).toHaveLength(2);
    h.clock.runUntil(5000);
    expect(h.sent().map((s) => [s.atMs, s.type])[2]).toEqual([5000, 'DISCOVER']);
  });

  test('NAK in RENEWING withdraws the address', () => {
    const h = clientHarness();
    bindAtZero(h, 100);
    h.clock.runUntil(50_000);
    h.recv(replyTo(h.lastSent(), DhcpMessageType.NAK));
    expect(h.log.find((r) => r.event.type === 'dhcp.nak')?.event).toEqual({
      type: 'dhcp.nak',
      state: 'RENEWING',
      withdrawn: '192.0.2.10',
    });
    expect(findOption(h.lastSent(), 'requestedAddress')).toBeUndefined();
  });
});

describe('INIT-REBOOT (RFC 2131 §3.2, §4.4.2)', () => {
  test('accepted: REQUEST with option 50, no server id, ciaddr 0; ACK → BOUND', () => {
    const h = clientHarness({ rememberedAddress: '192.0.2.44' });
    const req = h.lastSent();
    expect(h.state()).toBe('REBOOTING');
    expect(findOption(req, 'messageType')?.type).toBe(DhcpMessageType.REQUEST);
    expect(findOption(req, 'requestedAddress')?.address).toBe('192.0.2.44');
    expect(findOption(req, 'serverId')).toBeUndefined();
    expect(req.ciaddr).toBe('0.0.0.0');
    expect(h.sent()[0]?.destination).toBe('broadcast');
    h.clock.runUntil(300);
    h.recv(replyTo(req, DhcpMessageType.ACK, { yiaddr: '192.0.2.44' }));
    expect(h.state()).toBe('BOUND');
    expect(h.log.find((r) => r.event.type === 'dhcp.bound')?.event).toMatchObject({ address: '192.0.2.44' });
  });

  test('refused: NAK → INIT → DISCOVER without the old address', () => {
    const h = clientHarness({ rememberedAddress: '192.0.2.44' });
    h.recv(replyTo(h.lastSent(), DhcpMessageType.NAK));
    expect(h.log.find((r) => r.event.type === 'dhcp.nak')?.event).toEqual({
      type: 'dhcp.nak',
      state: 'REBOOTING',
      withdrawn: null,
    });
    expect(h.state()).toBe('SELECTING');
    expect(findOption(h.lastSent(), 'requestedAddress')).toBeUndefined();
  });

  test('no answer: four retransmissions over 60 s (§3.1 step 5), then DISCOVER asking for the remembered address', () => {
    const h = clientHarness({ rememberedAddress: '192.0.2.44' });
    h.clock.runUntil(66_000);
    const s = h.sent();
    expect(s.map((x) => [x.atMs, x.type])).toEqual([
      [0, 'REQUEST'],
      [4243, 'REQUEST'],
      [13159, 'REQUEST'],
      [29993, 'REQUEST'],
      [61389, 'REQUEST'],
      [65436, 'DISCOVER'],
    ]);
    expect(findOption(h.lastSent(), 'requestedAddress')?.address).toBe('192.0.2.44');
  });
});

describe('DECLINE and RELEASE', () => {
  test('cmd.conflict: DECLINE (option 50 + 54), INIT, DISCOVER 10 s later (§3.1.5)', () => {
    const h = clientHarness();
    bindAtZero(h);
    h.clock.runUntil(200);
    h.actor.send({ type: 'cmd.conflict' });
    const decline = h.lastSent();
    expect(findOption(decline, 'messageType')?.type).toBe(DhcpMessageType.DECLINE);
    expect(findOption(decline, 'requestedAddress')?.address).toBe('192.0.2.10');
    expect(findOption(decline, 'serverId')?.address).toBe('192.0.2.1');
    expect([decline.ciaddr, decline.secs]).toEqual(['0.0.0.0', 0]);
    expect(h.log.find((r) => r.event.type === 'dhcp.declined')?.event).toEqual({
      type: 'dhcp.declined',
      address: '192.0.2.10',
    });
    expect(h.state()).toBe('INIT');
    h.clock.runUntil(10_200);
    expect(
      h
        .sent()
        .map((s) => [s.atMs, s.type])
        .slice(2),
    ).toEqual([
      [200, 'DECLINE'],
      [10_200, 'DISCOVER'],
    ]);
  });

  test('cmd.release: RELEASE unicast with ciaddr, RELEASED, no timers left; cmd.start starts over', () => {
    const h = clientHarness();
    bindAtZero(h);
    h.actor.send({ type: 'cmd.release' });
    const rel = h.sent()[2];
    expect(rel?.type).toBe('RELEASE');
    expect(rel?.destination).toEqual({ unicast: '192.0.2.1' });
    expect(rel?.message.ciaddr).toBe('192.0.2.10');
    expect(h.state()).toBe('RELEASED');
    expect(h.clock.pendingCount()).toBe(0);
    h.actor.send({ type: 'cmd.start' });
    expect(h.state()).toBe('SELECTING');
  });

  test("the state list names every state of the machine, in the machine's order", () => {
    // Read from the statechart itself: a state added to (or dropped from) the machine but not the list fails here.
    expect(DHCP_CLIENT_STATES).toEqual(Object.keys(dhcpClientMachine.config.states ?? {}));
  });
});

function sentSummary(event: { message: DhcpMessage; destination: unknown }): string {
  const type = findOption(event.message, 'messageType')?.type;
  const name = type === 3 ? 'REQUEST' : type === 1 ? 'DISCOVER' : String(type);
  const dest =
    event.destination === 'broadcast' ? 'broadcast' : `unicast ${(event.destination as { unicast: string }).unicast}`;
  return `${name} ${dest}`;
}

describe('reportStates: the state entered, emitted for a glue machine (the DHCP carrier)', () => {
  /** What the client emitted, `dhcp.state` reports as `=STATE` and sends as their message type, in order. */
  function reportsOf(reportStates: boolean | undefined, remembered: string | null): string[] {
    const h = clientHarness({
      ...(reportStates === undefined ? {} : { reportStates }),
      rememberedAddress: remembered,
    });
    const seen: string[] = [];
    h.actor.on('*', (e) => {
      if (e.type === 'dhcp.state') seen.push(`=${e.state}`);
      else if (e.type === 'dhcp.send') seen.push(String(findOption(e.message, 'messageType')?.type));
      else seen.push(e.type);
    });
    if (remembered === null) h.recv(replyTo(h.lastSent(), DhcpMessageType.OFFER, { leaseSecs: 600 }));
    h.recv(replyTo(h.lastSent(), DhcpMessageType.ACK, { leaseSecs: 600, yiaddr: remembered ?? '192.0.2.10' }));
    h.clock.runUntil(300_000); // T1: RENEWING
    h.clock.runUntil(525_000); // T2: REBINDING
    h.clock.runUntil(700_000); // expiry: INIT → SELECTING
    h.actor.send({ type: 'cmd.release' });
    return seen;
  }

  test('every state entered is reported once, after what its entry sent (retransmissions are not entries)', () => {
    // The harness starts the actor before this listener: INIT and the first DISCOVER are not heard.
    expect(reportsOf(true, null)).toEqual([
      '3',
      '=REQUESTING',
      'dhcp.bound',
      '=BOUND',
      '3',
      '=RENEWING',
      // Retransmissions are actions of the state, not entries: no report.
      '3',
      '3',
      '3',
      '=REBINDING',
      '3',
      'dhcp.expired',
      '=INIT',
      '1',
      '=SELECTING',
      '1',
      '1',
      '1',
      '1',
      '=RELEASED',
    ]);
  });

  test('INIT-REBOOT and REBOOTING are reported too', () => {
    expect(reportsOf(true, '192.0.2.10').slice(0, 3)).toEqual(['dhcp.bound', '=BOUND', '3']);
    const h = clientHarness({ reportStates: true, rememberedAddress: '192.0.2.10' });
    const seen: string[] = [];
    h.actor.on('dhcp.state', (e) => seen.push(e.state));
    h.recv(replyTo(h.lastSent(), DhcpMessageType.NAK));
    expect(seen).toEqual(['INIT', 'SELECTING']);
    expect(h.state()).toBe('SELECTING');
  });

  test('off by default and when false: no dhcp.state at all', () => {
    for (const flag of [undefined, false]) expect(reportsOf(flag, null).filter((s) => s.startsWith('='))).toEqual([]);
  });
});
