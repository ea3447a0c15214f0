import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { strongSwanIdentity } from '../../../models/dhcp/client-identity.ts';
import { toHex } from '../../../models/dhcp/options.ts';
import { modeCfgDhcpFactory, parseDhcpProxyOptions } from '../../../models/methods/mode-cfg-dhcp.ts';
import { buildComparison, type ComparisonOptions } from '../../support/comparison-topology.ts';
import { ladder, notes, secs } from '../nodes/ladder.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;
const at = (atUs: number, node: string, type: string) => ({ atUs, node, command: { type } });
const run = (o: Partial<ComparisonOptions> & { durationUs: number }) => {
  const t = buildComparison({ method: 'mode-cfg-dhcp', commands: [connect], ...o });
  return { t, out: runScenario(t.input, { seed: 1 }) };
};
const timed = (es: readonly { atUs: number; data?: unknown }[]) =>
  es.map((e) => `${secs(e.atUs)} ${JSON.stringify(e.data)}`);

describe('mode-cfg-dhcp (strongSwan dhcp plugin, modelled)', () => {
  it('IKE_AUTH waits while the gateway runs DISCOVER/OFFER/REQUEST/ACK on the peer’s behalf; CP carries the ACK', () => {
    const { t, out } = run({ durationUs: 3_000_000, commands: [connect, at(2_000_000, 'client1', 'cmd.ping')] });
    expect(ladder(out.trace)).toEqual([
      '0.010 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '0.020 gw→client1: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '0.030 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr}',
      // The responder waits in `waitingAddress`; the proxy's requests carry giaddr = the inside address, no option 82.
      '0.031 gw→dhcp: DHCPDISCOVER xid=0xdaad57a2 giaddr=10.1.0.1',
      '0.032 dhcp→gw: DHCPOFFER 10.1.99.10 xid=0xdaad57a2 giaddr=10.1.0.1',
      '0.033 gw→dhcp: DHCPREQUEST 10.1.99.10 xid=0xdaad57a2 giaddr=10.1.0.1',
      '0.034 dhcp→gw: DHCPACK 10.1.99.10 xid=0xdaad57a2 giaddr=10.1.0.1',
      '0.044 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}',
      '2.010 client1→gw: ESP spi=0xa70aa054 seq=1 (UDP 40000 → 7 (6 bytes))',
      '2.011 gw→host: UDP 40000 → 7 (6 bytes)',
      '2.012 host→gw: UDP 7 → 40000 (6 bytes)',
      '2.022 gw→client1: ESP spi=0xe01aab5f seq=1 (UDP 7 → 40000 (6 bytes))',
    ]);
    const waits = out.trace.filter((e) => e.type === 'state' && e.node === 'gw' && e.machine.startsWith('ike:'));
    expect(waits.map((e) => (e.type === 'state' ? `${secs(e.atUs)} ${e.to}` : ''))).toContain('0.030 waitingAddress');
    // CP(CFG_REPLY): the ACK's address, netmask (/16) and DNS server.
    expect(t.clients[0]?.innerConfig()).toEqual({ address: '10.1.99.10', prefixLength: 16, dns: ['10.1.0.53'] });
    // chaddr 7a:a7 ‖ hash(identity), client identifier = the identity with no type octet (dhcp_socket.c): the
    // server's lease key reads its first byte ('c' = 0x63) as the type (RFC 2132 §9.14).
    const id = strongSwanIdentity('client1@example.com', true);
    expect(toHex(id.chaddr.subarray(0, 2))).toBe('7aa7');
    const records = t.dhcpServers[0]?.leaseStore()?.snapshot().records ?? [];
    expect(records.map((r) => [r.address, r.state, r.clientKey])).toEqual([
      ['10.1.99.10', 'bound', `id:99:${toHex(new TextEncoder().encode('lient1@example.com'))}`],
    ]);
    // The proxy session is bound; its RFC 2131 client has stopped (strongSwan's plugin never renews), so the gateway
    // no longer lists it.
    expect(t.gateways[0]?.states()).toEqual({
      gateway: 'up',
      'ike:3edff4cbda035678': 'established',
      'proxy:3edff4cbda035678': 'bound',
    });
  });

  it("timeout: a shorter addressTimeoutMs (10 s, the other methods' default) answers before the fifth DISCOVER", () => {
    const { out } = run({
      durationUs: 12_000_000,
      policy: { addressTimeoutMs: 10_000 },
      commands: [at(0, 'dhcp', 'cmd.stall'), connect],
    });
    // strongSwan's schedule: DISCOVER at 0, +1, +2, +3, +4 s (waits 1–5 s) — but the IKE responder gives up at
    // 10.030 s and abandons the proxy, so the fifth DISCOVER (due at 10.031 s) is never sent.
    expect(
      ladder(out.trace)
        .filter((l) => l.includes('DISCOVER'))
        .map((l) => l.slice(0, 6)),
    ).toEqual(['0.031 ', '1.031 ', '3.031 ', '6.031 ']);
    expect(ladder(out.trace).filter((l) => l.includes('IKE_AUTH response'))).toEqual([
      '10.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)}',
    ]);
    expect(notes(out.trace, 'dhcp.retransmit')).toHaveLength(3);
    expect(timed(notes(out.trace, 'proxy.abandoned'))).toEqual(['10.030 {"peer":"client1@example.com"}']);
  });

  it('timeout (default): the proxy itself gives up after 5 tries (1+2+3+4+5 s), as dhcp_socket.c does', () => {
    const { out } = run({ durationUs: 17_000_000, commands: [at(0, 'dhcp', 'cmd.stall'), connect] });
    expect(timed(notes(out.trace, 'proxy.failed'))).toEqual([
      '15.030 {"peer":"client1@example.com","reason":"dhcp-selecting-timeout"}',
    ]);
    expect(ladder(out.trace).filter((l) => l.includes('IKE_AUTH response'))).toEqual([
      '15.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)}',
    ]);
  });

  it('renewal `none` (default) without the lease guard (the plugin as it is): the lease expires under the tunnel', () => {
    const { out } = run({ leaseSecs: 20, durationUs: 25_000_000, gatewayOptions: { proxyLeaseGuard: false } });
    expect(ladder(out.trace).filter((l) => l.includes('DHCP') && l >= '1')).toEqual([]);
    expect(timed(notes(out.trace, 'lease.expired'))).toEqual(['20.033 {"address":"10.1.99.10","was":"bound"}']);
    expect(notes(out.trace, 'address.released')).toEqual([]);
  });

  it('renewal `renew-at-t1`: the gateway renews at T1, unicast to the server with giaddr', () => {
    const { out } = run({ leaseSecs: 20, durationUs: 25_000_000, gatewayOptions: { dhcpRenewal: 'renew-at-t1' } });
    expect(ladder(out.trace).filter((l) => l.includes('DHCP') && l >= '1')).toEqual([
      // RFC 2131 §4.4.5: T1 = 10 s after the REQUEST that was answered (0.033, then 10.033).
      '10.033 gw→dhcp: DHCPREQUEST 10.1.99.10 xid=0x284c78c1 giaddr=10.1.0.1',
      '10.034 dhcp→gw: DHCPACK 10.1.99.10 xid=0x284c78c1 giaddr=10.1.0.1',
      '20.033 gw→dhcp: DHCPREQUEST 10.1.99.10 xid=0xdeadd6f1 giaddr=10.1.0.1',
      '20.034 dhcp→gw: DHCPACK 10.1.99.10 xid=0xdeadd6f1 giaddr=10.1.0.1',
    ]);
    expect(notes(out.trace, 'lease.expired')).toEqual([]);
    expect(notes(out.trace, 'lease.renewed')).toHaveLength(2);
  });

  it('option 82 selectable; RELEASE on IKE SA delete (policy release / keep)', () => {
    const disconnect = at(1_000_000, 'client1', 'cmd.disconnect');
    const on = run({ durationUs: 2_000_000, gatewayOptions: { proxyOption82: true }, commands: [connect, disconnect] });
    const dhcp = ladder(on.out.trace).filter((l) => l.includes('DHCP'));
    expect(dhcp[0]).toBe(
      '0.031 gw→dhcp: DHCPDISCOVER xid=0xdaad57a2 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678]',
    );
    expect(dhcp.at(-1)).toBe(
      '1.011 gw→dhcp: DHCPRELEASE 10.1.99.10 xid=0xdaad57a2 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678]',
    );
    const keep = run({
      durationUs: 2_000_000,
      gatewayOptions: { leaseOnDelete: 'keep' },
      commands: [connect, disconnect],
    });
    expect(ladder(keep.out.trace).filter((l) => l.includes('RELEASE'))).toEqual([]);
    // Given up with the Delete (1.000), not with its response (1.020): the RELEASE reaches the server at 1.012
    // (RFC 2131 §4.4.5; disconnect-release.test.ts).
    expect(timed(notes(on.out.trace, 'address.released'))).toEqual([
      '1.000 {"client":"client1","address":"10.1.99.10"}',
    ]);
  });

  it('link-selection (RFC 3527, lab extension) names the VPN subnet when asked; off (default) models strongSwan', () => {
    const withSubnet = run({
      durationUs: 1_000_000,
      gatewayOptions: { linkSelectionSubnet: '10.1.99.0', proxyLinkSelection: true },
      commands: [connect],
    });
    // Link-selection alone: the circuit-id comes only with proxyOption82.
    expect(ladder(withSubnet.out.trace).filter((l) => l.includes('DHCPDISCOVER'))).toEqual([
      '0.031 gw→dhcp: DHCPDISCOVER xid=0xdaad57a2 giaddr=10.1.0.1 [82: link-selection=10.1.99.0]',
    ]);
    const off = run({
      durationUs: 1_000_000,
      gatewayOptions: { linkSelectionSubnet: '10.1.99.0' },
      commands: [connect],
    });
    expect(ladder(off.out.trace).filter((l) => l.includes('DHCPDISCOVER'))).toEqual([
      '0.031 gw→dhcp: DHCPDISCOVER xid=0xdaad57a2 giaddr=10.1.0.1',
    ]);
  });

  it('options and policies', () => {
    expect(parseDhcpProxyOptions({ serverAddress: '10.1.0.2' })).toEqual({
      serverAddress: '10.1.0.2',
      renewal: 'none',
      leaseOnDelete: 'release',
      retry: 'strongswan',
      option82: false,
      clientId: true,
      clientIdForm: 'raw',
      linkSelection: false,
      leaseGuard: true,
    });
    expect(() => parseDhcpProxyOptions({ serverAddress: '10.1.0.2', dhcpRenewal: 'sometimes' })).toThrow(
      'gateway.dhcpRenewal',
    );
    expect(modeCfgDhcpFactory.policies?.map((p) => [p.name, p.default])).toEqual([
      ['dhcpRenewal', 'none'],
      ['leaseOnDelete', 'release'],
      ['proxyOption82', false],
      ['proxyRetry', 'strongswan'],
      ['proxyClientId', true],
      ['proxyClientIdForm', 'raw'],
      ['proxyLinkSelection', false],
      ['proxyLeaseGuard', true],
    ]);
  });
});
