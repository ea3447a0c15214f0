import { createActor } from 'xstate';
import { describe, expect, test } from 'vitest';
import { emitDhcpMessage } from '../../../models/wire/dhcp/codec.ts';
import { LeaseStore } from '../../../models/dhcp/lease-store.ts';
import { handleDhcpMessage, replyDestination } from '../../../models/dhcp/server.ts';
import { dhcpServerMachine } from '../../../models/dhcp/server-machine.ts';
import type { DhcpServerEmitted } from '../../../models/dhcp/server-machine.ts';
import { buildDiscover, buildRequestRenewing, buildRequestSelecting } from '../../../models/dhcp/client-messages.ts';
import { ethernetIdentity } from '../../../models/dhcp/client-identity.ts';
import { findOption } from '../../../models/dhcp/options.ts';
import type { DhcpMessage, DhcpOption } from '../../../models/wire/dhcp/types.ts';
import { POOL_A, POOL_B } from './fixtures.ts';
import { TestClock } from './test-clock.ts';

const S = 1_000_000;
const base = (mac: string, xid = 7) => ({
  identity: ethernetIdentity(mac),
  xid,
  secs: 0,
  broadcastFlag: false,
  parameterRequestList: [1, 3, 6],
});
const option82: DhcpOption = {
  kind: 'relayAgentInfo',
  subOptions: [
    { kind: 'remoteId', data: Uint8Array.of(9, 8, 7) },
    { kind: 'circuitId', data: Uint8Array.of(1, 2) },
    { kind: 'raw', code: 151, data: Uint8Array.of(0xde, 0xad) },
  ],
};
function relayed(message: DhcpMessage, giaddr: string, extra: DhcpOption[] = []): DhcpMessage {
  return { ...message, giaddr, hops: 1, options: [...message.options, ...extra] };
}
const config = { serverId: '10.9.0.1' };

describe('server replies (RFC 2131 §4.3)', () => {
  test('relayed DISCOVER: pool by giaddr, OFFER to giaddr:67, option 82 echoed byte for byte', () => {
    const store = new LeaseStore({ pools: [POOL_A, POOL_B] });
    const discover = relayed(buildDiscover(base('02:00:00:00:00:01'), null), '10.2.0.1', [option82]);
    const out = handleDhcpMessage(store, config, discover, { interfaceAddress: '10.9.0.1' }, 0);
    if (out.kind !== 'reply') throw new Error(out.reason);
    expect(out.destination).toEqual({ address: '10.2.0.1', port: 67 });
    expect(out.message.yiaddr).toBe('10.2.0.10');
    expect(out.message.options.map((o) => o.kind)).toEqual([
      'messageType',
      'serverId',
      'leaseTime',
      'subnetMask',
      'routers',
      'dnsServers',
      'relayAgentInfo',
    ]);
    // Byte for byte: the option's bytes in the emitted reply equal those in the emitted request.
    const tail = (bytes: Uint8Array): string => {
      const hex = Buffer.from(bytes).toString('hex');
      const at = hex.lastIndexOf('520d'); // code 82, length 13
      return hex.slice(at, at + 30);
    };
    expect(tail(emitDhcpMessage(out.message))).toBe('520d0203090807010201029702dead');
    expect(tail(emitDhcpMessage(discover))).toBe('520d0203090807010201029702dead');
  });

  test("the reply copies the request's hops, as Kea, dnsmasq and ISC dhcpd do (issue 14 item 12)", () => {
    const store = new LeaseStore({ pools: [POOL_A, POOL_B] });
    const discover = { ...relayed(buildDiscover(base('02:00:00:00:00:01'), null), '10.2.0.1'), hops: 3 };
    const out = handleDhcpMessage(store, config, discover, { interfaceAddress: '10.9.0.1' }, 0);
    expect(out.kind === 'reply' && out.message.hops).toBe(3);
  });

  test('link-selection picks the pool over giaddr (RFC 3527); no pool → silent', () => {
    const store = new LeaseStore({ pools: [POOL_A, POOL_B] });
    const ls: DhcpOption = { kind: 'relayAgentInfo', subOptions: [{ kind: 'linkSelection', subnet: '10.1.0.0' }] };
    const out = handleDhcpMessage(
      store,
      config,
      relayed(buildDiscover(base('02:00:00:00:00:01'), null), '10.2.0.1', [ls]),
      { interfaceAddress: null },
      0,
    );
    expect(out.kind === 'reply' && out.message.yiaddr).toBe('10.1.0.10');
    const none = handleDhcpMessage(
      store,
      config,
      relayed(buildDiscover(base('02:00:00:00:00:02'), null), '192.0.2.1'),
      { interfaceAddress: null },
      0,
    );
    expect(none).toMatchObject({ kind: 'silent', reason: 'no-pool' });
  });

  test('destinations per §4.1: ciaddr, broadcast bit, yiaddr; NAK broadcast, relayed NAK to giaddr with B set', () => {
    const store = new LeaseStore({ pools: [POOL_A] });
    const d = buildDiscover(base('02:00:00:00:00:01'), null);
    const offer = handleDhcpMessage(store, config, d, { interfaceAddress: '10.1.0.1' }, 0);
    expect(offer.kind === 'reply' && offer.destination).toEqual({ address: '10.1.0.10', port: 68 });
    const b = handleDhcpMessage(store, config, { ...d, flags: 0x8000 }, { interfaceAddress: '10.1.0.1' }, 0);
    expect(b.kind === 'reply' && b.destination).toEqual({ address: '255.255.255.255', port: 68 });
    const req = buildRequestSelecting(base('02:00:00:00:00:01'), '10.1.0.10', '10.9.0.1');
    const ack = handleDhcpMessage(store, config, req, { interfaceAddress: '10.1.0.1' }, 0);
    expect(ack.kind === 'reply' && findOption(ack.message, 'messageType')?.type).toBe(5);
    const renew = buildRequestRenewing(base('02:00:00:00:00:01'), '10.1.0.10');
    const ack2 = handleDhcpMessage(store, config, renew, { interfaceAddress: null }, S);
    expect(ack2.kind === 'reply' && [ack2.destination, ack2.message.ciaddr]).toEqual([
      { address: '10.1.0.10', port: 68 },
      '10.1.0.10',
    ]);
    const stolen = buildRequestSelecting(base('02:00:00:00:00:02'), '10.1.0.10', '10.9.0.1');
    const nak = handleDhcpMessage(store, config, stolen, { interfaceAddress: '10.1.0.1' }, S);
    expect(nak.kind === 'reply' && [nak.destination, findOption(nak.message, 'messageType')?.type]).toEqual([
      { address: '255.255.255.255', port: 68 },
      6,
    ]);
    const nakRelayed = handleDhcpMessage(store, config, relayed(stolen, '10.1.0.1'), { interfaceAddress: null }, S);
    expect(nakRelayed.kind === 'reply' && [nakRelayed.destination, nakRelayed.message.flags]).toEqual([
      { address: '10.1.0.1', port: 67 },
      0x8000,
    ]);
    expect(replyDestination(d, { ...d, yiaddr: '10.1.0.99' })).toEqual({ address: '10.1.0.99', port: 68 });
  });

  test('INFORM: ACK without yiaddr and without lease time, to ciaddr (§3.4)', () => {
    const store = new LeaseStore({ pools: [POOL_A] });
    const inform: DhcpMessage = {
      ...buildRequestRenewing(base('02:00:00:00:00:01'), '10.1.0.77'),
      options: [{ kind: 'messageType', type: 8 }],
    };
    const out = handleDhcpMessage(store, config, inform, { interfaceAddress: '10.1.0.1' }, 0);
    if (out.kind !== 'reply') throw new Error('no reply');
    expect([out.message.yiaddr, findOption(out.message, 'leaseTime'), out.destination]).toEqual([
      '0.0.0.0',
      undefined,
      { address: '10.1.0.77', port: 68 },
    ]);
    expect(store.snapshot().records).toEqual([]);
  });
});

describe('server machine: load, stall, expiry', () => {
  function serverHarness(serviceUs: number, queueMax: number) {
    const clock = new TestClock();
    const actor = createActor(dhcpServerMachine, {
      clock,
      input: { server: config, leases: { pools: [POOL_A] }, nowUs: () => clock.nowUs(), serviceUs, queueMax },
    });
    const log: { atMs: number; e: DhcpServerEmitted }[] = [];
    for (const t of ['dhcp.reply', 'dhcp.dropped', 'dhcp.silent', 'lease.expired'] as const) {
      actor.on(t, (e) => log.push({ atMs: clock.nowMs(), e }));
    }
    actor.start();
    const recv = (m: DhcpMessage) =>
      actor.send({ type: 'dhcp.recv', message: m, received: { interfaceName: 'eth0', interfaceAddress: '10.1.0.1' } });
    return { clock, actor, log, recv };
  }

  test('a storm: one answer per serviceUs, arrivals beyond queueMax dropped and reported', () => {
    const h = serverHarness(2000, 2);
    for (let i = 1; i <= 4; i += 1) h.recv(buildDiscover(base(`02:00:00:00:00:0${i}`, i), null));
    h.clock.runUntil(10);
    expect(
      h.log.map((r) => [r.atMs, r.e.type, 'xid' in r.e ? r.e.xid : r.e.type === 'dhcp.reply' ? r.e.message.xid : 0]),
    ).toEqual([
      [0, 'dhcp.dropped', 3],
      [0, 'dhcp.dropped', 4],
      [2, 'dhcp.reply', 1],
      [4, 'dhcp.reply', 2],
    ]);
  });

  test('stalled: receives, answers nothing; unstall resumes', () => {
    const h = serverHarness(0, 8);
    h.actor.send({ type: 'cmd.stall' });
    h.recv(buildDiscover(base('02:00:00:00:00:01'), null));
    expect(h.log.map((r) => r.e.type)).toEqual(['dhcp.dropped']);
    h.actor.send({ type: 'cmd.unstall' });
    h.recv(buildDiscover(base('02:00:00:00:00:01'), null));
    expect(h.log.map((r) => r.e.type)).toEqual(['dhcp.dropped', 'dhcp.reply']);
  });

  test('leases expire on the clock and free their addresses; restart can lose the store', () => {
    const h = serverHarness(0, 8);
    h.recv(buildDiscover(base('02:00:00:00:00:01'), null));
    h.recv(buildRequestSelecting(base('02:00:00:00:00:01'), '10.1.0.10', '10.9.0.1'));
    h.clock.runUntil(100_000);
    expect(h.log.filter((r) => r.e.type === 'lease.expired').map((r) => [r.atMs, r.e])).toEqual([
      [
        100_000,
        {
          type: 'lease.expired',
          address: '10.1.0.10',
          pool: 'a',
          clientKey: 'hw:1:020000000001',
          was: 'bound',
          atUs: 100 * S,
        },
      ],
    ]);
    expect(h.actor.getSnapshot().context.store.snapshot().counts.bound).toBe(0);
    h.recv(buildRequestSelecting(base('02:00:00:00:00:01'), '10.1.0.10', '10.9.0.1'));
    h.actor.send({ type: 'cmd.restart', keepLeases: false });
    expect(h.actor.getSnapshot().context.store.snapshot().records).toEqual([]);
  });
});
