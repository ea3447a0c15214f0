/**
 * V3 of the fault campaign (mode-cfg-dhcp): the gateway's proxy must not let a lease it handed to a live IKE SA lapse.
 * When renewal (T1) and rebinding (T2) have failed by halfway from T2 to expiry, the proxy deletes the IKE SA
 * (ProviderHost.closeIkeSa) so the peer drops the address before the server can give it away (RFC 2131 §4.4.5).
 */
import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../../models/contract.ts';
import { dhcpProxyProvider, type DhcpProxyOptions } from '../../../models/methods/dhcp-proxy/provider.ts';
import * as ikeConfig from '../../../models/ike/tasks/ike-config.ts';
import { IkeExchangeType, type IkeMessage } from '../../../models/wire/ike/index.ts';
import { guardPointUs } from '../../../models/methods/lease-guard.ts';
import { GatewayRelay } from '../../../models/methods/gateway-relay/relay.ts';
import { DEFAULT_RELAY_POLICY } from '../../../models/methods/gateway-relay/policies.ts';
import { ipsecTunnelIdentity } from '../../../models/dhcp/client-identity.ts';
import { buildRequestSelecting } from '../../../models/dhcp/client-messages.ts';
import type { ProviderHost, UdpDatagram } from '../../../models/methods/method.ts';
import { DhcpMessageType, type DhcpMessage } from '../../../models/wire/dhcp/types.ts';
import { messageTypeOf } from '../../../models/dhcp/options.ts';
import { replyTo } from '../dhcp/client-harness.ts';
import { TestClock } from '../dhcp/test-clock.ts';
import { testRng } from '../dhcp/test-rng.ts';

const SETTINGS: DhcpProxyOptions = {
  leaseOnDelete: 'release',
  serverAddress: '10.1.0.2',
  retry: 'strongswan',
  renewal: 'renew-at-t1',
  option82: false,
  clientId: true,
  clientIdForm: 'raw',
  linkSelection: false,
  leaseGuard: true,
};

/** An IKE_AUTH request with CP(CFG_REQUEST) (RFC 7296 §2.19). */
export const CP_AUTH_REQUEST: IkeMessage = {
  spiI: '0102030405060708',
  spiR: '1112131415161718',
  exchangeType: IkeExchangeType.IKE_AUTH,
  initiator: true,
  higherVersion: false,
  response: false,
  messageId: 1,
  payloads: [ikeConfig.buildI()],
};

function proxyRig(o: { settings?: Partial<DhcpProxyOptions>; canClose?: boolean } = {}) {
  const clock = new TestClock();
  const sent: { atMs: number; type: number | null; d: UdpDatagram }[] = [];
  const notes: string[] = [];
  const closed: string[] = [];
  const host: ProviderHost = {
    nowUs: () => clock.nowUs(),
    traceNote: (text, data) => notes.push(`${clock.nowMs()} ${text} ${JSON.stringify(data ?? {})}`),
    setTimerUs: (delayUs, _name, fire) => {
      const id = clock.setTimeout(fire, Math.ceil(delayUs / 1000));
      return () => clock.clearTimeout(id);
    },
    clock: clock as unknown as VirtualClock,
    rng: () => testRng(1),
    traceState: () => undefined,
    traceMachine: () => ({ current: () => 'none' }),
    insideAddress: '10.1.0.1',
    outsideAddress: '198.51.100.1',
    sendUdp: (d) => {
      if (d.app.kind === 'dhcp')
        sent.push({ atMs: clock.nowMs(), type: messageTypeOf(d.app.message), d: { src: '10.1.0.1', ...d } });
    },
    sendToPeer: () => false,
    ...(o.canClose === false
      ? {}
      : { closeIkeSa: (ikeSaId: string, reason: string) => closed.push(`${clock.nowMs()} ${ikeSaId} ${reason}`) }),
  };
  const provider = dhcpProxyProvider({ ...SETTINGS, ...o.settings }, { host, cpRequired: true });
  const proxy = {
    start: () =>
      provider.request(
        { ikeSaId: 'ike1', peerId: 'client1@example.com', round: 0, request: CP_AUTH_REQUEST },
        () => {},
      ),
    receive: (message: DhcpMessage) =>
      provider.onUdp?.(
        { src: '10.1.0.2', dst: '10.1.0.1', srcPort: 67, dstPort: 67, app: { kind: 'dhcp', message } },
        { via: 'inside' },
      ),
    /** The IKE SA is gone, the peer may still hold the address: no RELEASE, the guard has nothing left to protect. */
    dispose: () => provider.release('ike1', 'client1@example.com', true),
  };
  const last = () => {
    const m = sent.at(-1)?.d.app;
    if (m?.kind !== 'dhcp') throw new Error('nothing sent');
    return m.message;
  };
  /** DISCOVER → OFFER → REQUEST → ACK at t = 0, a 100 s lease (T1 50 s, T2 87.5 s, guard point 93.75 s). */
  const bind = (): void => {
    proxy.start();
    proxy.receive(replyTo(last(), DhcpMessageType.OFFER, { leaseSecs: 100, yiaddr: '10.99.1.10' }));
    proxy.receive(replyTo(last(), DhcpMessageType.ACK, { leaseSecs: 100, yiaddr: '10.99.1.10' }));
  };
  return { clock, host, sent, notes, closed, proxy, bind, last };
}

describe('the proxy lease guard (mode-cfg-dhcp)', () => {
  it('the guard point is halfway from T2 to expiry', () => {
    expect(guardPointUs(87_500_000, 100_000_000)).toBe(93_750_000);
  });

  it('renewal and rebinding unanswered: the IKE SA is deleted at 93.75 s, before the lease ends at 100 s', () => {
    const r = proxyRig();
    r.bind();
    r.clock.runUntil(99_000);
    // RENEWING from T1 (50 s), REBINDING from T2 (87.5 s): nothing answered.
    expect(r.sent.filter((s) => s.atMs > 0).map((s) => s.atMs)).toEqual([50_000, 87_500]);
    expect(r.closed).toEqual(['93750 ike1 lease-expiring']);
    expect(r.notes.filter((n) => n.includes('leaseGuard'))).toEqual([
      '93750 proxy.leaseGuard {"ikeSa":"ike1","address":"10.99.1.10","expiresAtUs":100000000}',
    ]);
  });

  it('a renewal ACKed at T1 moves the guard with the lease', () => {
    const r = proxyRig();
    r.bind();
    r.clock.runUntil(50_010);
    r.proxy.receive(replyTo(r.last(), DhcpMessageType.ACK, { leaseSecs: 100, yiaddr: '10.99.1.10' }));
    r.clock.runUntil(120_000);
    expect(r.closed).toEqual([]);
    r.clock.runUntil(150_000);
    expect(r.closed).toEqual(['143750 ike1 lease-expiring']); // the renewal's lease: 50 s + 100 s
  });

  it('dhcpRenewal none (strongSwan): nothing renews, so the guard deletes the IKE SA before the lease lapses', () => {
    const r = proxyRig({ settings: { renewal: 'none' } });
    r.bind();
    r.clock.runUntil(99_000);
    expect(r.sent.filter((s) => s.atMs > 0)).toEqual([]);
    expect(r.closed).toEqual(['93750 ike1 lease-expiring']);
  });

  it('proxyLeaseGuard false, or a gateway without closeIkeSa: the lease lapses under the tunnel (noted)', () => {
    const off = proxyRig({ settings: { leaseGuard: false } });
    off.bind();
    off.clock.runUntil(101_000);
    expect(off.closed).toEqual([]);
    const cannot = proxyRig({ canClose: false });
    cannot.bind();
    cannot.clock.runUntil(99_000);
    expect(cannot.notes.filter((n) => n.includes('cannotClose'))).toEqual([
      '93750 provider.cannotClose {"ikeSa":"ike1","address":"10.99.1.10","expiresAtUs":100000000}',
    ]);
  });

  it('a dropped proxy (IKE SA gone) disarms its guard', () => {
    const r = proxyRig();
    r.bind();
    r.proxy.dispose();
    r.clock.runUntil(101_000);
    expect(r.closed).toEqual([]);
  });
});

describe('the relay lease guard (dhcp-over-ike, dhcp-over-ike-wg)', () => {
  function relayRig() {
    const r = proxyRig();
    const relay = new GatewayRelay(r.host, {
      servers: ['10.1.0.2'],
      gatewayName: 'gw',
      policy: { ...DEFAULT_RELAY_POLICY, option82: 'off', linkSelection: false },
    });
    const request = (xid: number) =>
      buildRequestSelecting(
        {
          identity: ipsecTunnelIdentity({ outerAddress: '198.51.100.11', octet: 0 }),
          xid,
          secs: 0,
          broadcastFlag: false,
          parameterRequestList: [],
        },
        '10.99.1.10',
        '10.1.0.2',
      );
    /** A REQUEST from the SA's peer relayed now; the server's ACK (100 s lease) comes back `afterMs` later. */
    const lease = (ikeSaId: string, xid: number, afterMs: number, peerId = 'client1@example.com'): void => {
      relay.relay({ ikeSaId, peerId }, request(xid), { collect: 'first', deadline: 'retries' }, () => undefined);
      const forwarded = r.last();
      r.clock.runUntil(r.clock.nowMs() + afterMs);
      const ack = replyTo(forwarded, DhcpMessageType.ACK, {
        leaseSecs: 100,
        yiaddr: '10.99.1.10',
        serverId: '10.1.0.2',
      });
      relay.onUdp(
        { src: '10.1.0.2', dst: '10.1.0.1', srcPort: 67, dstPort: 67, app: { kind: 'dhcp', message: ack } },
        {
          via: 'inside',
        },
      );
    };
    return { ...r, relay, lease };
  }

  it('a lease the relay saw granted and not renewed: the IKE SA is deleted halfway from T2 to expiry', () => {
    const r = relayRig();
    r.lease('ike1', 1, 4); // forwarded at 0, ACKed at 4 ms: the lease counts from 0 (§4.4.1)
    r.clock.runUntil(99_000);
    expect(r.closed).toEqual(['93750 ike1 lease-expiring']);
  });

  it('a renewal seen by the relay moves the guard', () => {
    const r = relayRig();
    r.lease('ike1', 1, 4);
    r.clock.runUntil(45_000);
    r.lease('ike1', 2, 4); // the renewal riding the rekey, forwarded at 45 s
    r.clock.runUntil(130_000);
    expect(r.closed).toEqual([]); // the first lease's guard point (93.75 s) has passed without a delete
    r.clock.runUntil(140_000);
    expect(r.closed).toEqual(['138750 ike1 lease-expiring']);
  });

  it('the IKE SA deleted: its guard is disarmed; no RELEASE when a newer SA of the peer holds the address', () => {
    const r = relayRig();
    r.lease('old', 1, 4);
    r.clock.runUntil(20_000);
    r.lease('new', 2, 4); // the peer reconnected before the gateway saw the old SA go
    r.relay.release('old');
    expect(r.sent.filter((s) => s.type === DhcpMessageType.RELEASE)).toEqual([]);
    expect(r.notes.filter((n) => n.includes('releaseSkipped'))).toEqual([
      '20004 relay.releaseSkipped {"ikeSa":"old","address":"10.99.1.10","heldBy":"new"}',
    ]);
    r.clock.runUntil(120_000);
    expect(r.closed).toEqual(['113750 new lease-expiring']);
  });
});
