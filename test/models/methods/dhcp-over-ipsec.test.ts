import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { dhcpOverIpsecFactory, parseRfc3456ClientOptions } from '../../../models/methods/dhcp-over-ipsec.ts';
import { rfc3456Identity } from '../../../models/methods/rfc3456/client.ts';
import { buildComparison } from '../../support/comparison-topology.ts';
import { ladder, notes, secs } from '../nodes/ladder.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;
const ping = (atUs: number) => ({ atUs, node: 'client1', command: { type: 'cmd.ping' } }) as const;
const range = (s: unknown) => {
  const r = s as { startAddress: string; endAddress: string; ipProtocol: number; startPort: number; endPort: number };
  return `${r.startAddress}-${r.endAddress} p${r.ipProtocol} ${r.startPort}-${r.endPort}`;
};

describe('dhcp-over-ipsec (RFC 3456 on IKEv2)', () => {
  it('ladder in RFC 3456 order: DHCP SA, DORA through ESP relayed with giaddr/82, tunnel SA, DHCP SA deleted', () => {
    const t = buildComparison({
      method: 'dhcp-over-ipsec',
      durationUs: 3_000_000,
      commands: [connect, ping(2_000_000)],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace)).toEqual([
      '0.010 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '0.020 gw→client1: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      // §3.1 b, §4.1: the DHCP SA is the IKE_AUTH child (TSi 0/0 UDP 68, TSr 0/0 UDP 67), no CP.
      '0.030 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr}',
      '0.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, SAr2, TSi, TSr}',
      // §3.1 c, §4.2: DHCP through the DHCP SA; the gateway relays with giaddr and circuit-id naming the tunnel.
      '0.050 client1→gw: ESP spi=0xa70aa054 seq=1 (DHCPDISCOVER xid=0xafdebdb7)',
      '0.051 gw→dhcp: DHCPDISCOVER xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      '0.052 dhcp→gw: DHCPOFFER 10.1.99.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      '0.062 gw→client1: ESP spi=0xe01aab5f seq=1 (DHCPOFFER 10.1.99.10 xid=0xafdebdb7 giaddr=10.1.0.1)',
      '0.072 client1→gw: ESP spi=0xa70aa054 seq=2 (DHCPREQUEST 10.1.99.10 xid=0xafdebdb7)',
      '0.073 gw→dhcp: DHCPREQUEST 10.1.99.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      '0.074 dhcp→gw: DHCPACK 10.1.99.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      '0.084 gw→client1: ESP spi=0xe01aab5f seq=2 (DHCPACK 10.1.99.10 xid=0xafdebdb7 giaddr=10.1.0.1)',
      // §3.1 e: the tunnel SA for the leased address; §3.1 d / §4.4: the DHCP SA deleted.
      '0.094 client1→gw: CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr}',
      '0.104 gw→client1: CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr}',
      '0.114 client1→gw: INFORMATIONAL request #3 SK{D}',
      '0.124 gw→client1: INFORMATIONAL response #3 SK{D}',
      '2.010 client1→gw: ESP spi=0x30f115f4 seq=1 (UDP 40000 → 7 (6 bytes))',
      '2.011 gw→host: UDP 40000 → 7 (6 bytes)',
      '2.012 host→gw: UDP 7 → 40000 (6 bytes)',
      '2.022 gw→client1: ESP spi=0x402c7242 seq=1 (UDP 7 → 40000 (6 bytes))',
    ]);
    expect(notes(out.trace, 'address.assigned').map((e) => `${secs(e.atUs)} ${JSON.stringify(e.data)}`)).toEqual([
      '0.084 {"client":"client1","address":"10.1.99.10"}',
    ]);
    const client = t.clients[0];
    expect(client?.innerConfig()).toEqual({ address: '10.1.99.10', prefixLength: 16, dns: ['10.1.0.53'] });
    // Only the tunnel SA is left: TSi = the leased address, TSr narrowed to the enterprise subnet.
    expect(client?.childSas().map((c) => [c.slot, c.tsi.map(range), c.tsr.map(range)])).toEqual([
      ['tunnel', ['10.1.99.10-10.1.99.10 p0 0-65535'], ['10.1.0.0-10.1.0.255 p0 0-65535']],
    ]);
    expect(Object.values(t.gateways[0]?.routes() ?? {})).toEqual([[0x30f115f4]]);
    expect(t.gateways[0]?.poolSnapshot()).toEqual({ '10.1.99.10': 'client1@example.com' });
    expect(client?.states()).toEqual({
      connection: 'connected.steady',
      ike: 'established.window.ready',
      dhcp: 'BOUND',
      rfc3456: 'lease.tunnelUp',
    });
  });

  it('the DHCP SA has the RFC 3456 §4.1 wildcards; with teardown `keep` it stays beside the tunnel SA', () => {
    const t = buildComparison({
      method: 'dhcp-over-ipsec',
      clientOptions: { dhcpSaTeardown: 'keep' },
      durationUs: 1_000_000,
      commands: [connect],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace).filter((l) => l.includes('INFORMATIONAL'))).toEqual([]);
    expect(t.clients[0]?.childSas().map((c) => [c.slot, c.tsi.map(range), c.tsr.map(range)])).toEqual([
      ['main', ['0.0.0.0-255.255.255.255 p17 68-68'], ['0.0.0.0-255.255.255.255 p17 67-67']],
      ['tunnel', ['10.1.99.10-10.1.99.10 p0 0-65535'], ['10.1.0.0-10.1.0.255 p0 0-65535']],
    ]);
  });

  it('renewal: unicast REQUEST from the leased address through the tunnel SA, through the gateway relay (dhcpFromTunnel)', () => {
    const t = buildComparison({
      method: 'dhcp-over-ipsec',
      leaseSecs: 20,
      durationUs: 12_000_000,
      commands: [connect],
    });
    const out = runScenario(t.input, { seed: 1 });
    // T1 = 10 s after the REQUEST (0.072): §4.4 "all future DHCP messages … use the newly established VPN SA".
    expect(ladder(out.trace).filter((l) => l >= '1')).toEqual([
      // Tunnel DHCP to port 67 goes only through the gateway's own relay (policy dhcpFromTunnel, default relay):
      // giaddr and option 82 as for the DORA; the ACK comes back to giaddr and down the tunnel SA to ciaddr.
      '10.072 client1→gw: ESP spi=0x30f115f4 seq=1 (DHCPREQUEST 10.1.99.10 xid=0x96b3dba2)',
      '10.073 gw→dhcp: DHCPREQUEST 10.1.99.10 xid=0x96b3dba2 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      '10.074 dhcp→gw: DHCPACK 10.1.99.10 xid=0x96b3dba2 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      '10.084 gw→client1: ESP spi=0x402c7242 seq=1 (DHCPACK 10.1.99.10 xid=0x96b3dba2 giaddr=10.1.0.1)',
    ]);
    expect(notes(out.trace, 'lease.renewed').map((e) => `${secs(e.atUs)} ${JSON.stringify(e.data)}`)).toEqual([
      '10.084 {"address":"10.1.99.10","leaseSecs":20}',
    ]);
    expect(notes(out.trace, 'spd.misdirected')).toEqual([]);
  });

  it('lost lease: the REBINDING broadcast waits for a new DHCP SA (never in the clear, RFC 3456 §3), expiry withdraws the address, DISCOVER rides that SA', () => {
    const t = buildComparison({
      method: 'dhcp-over-ipsec',
      leaseSecs: 20,
      durationUs: 25_000_000,
      commands: [
        connect,
        { atUs: 5_000_000, node: 'dhcp', command: { type: 'cmd.stall' } },
        { atUs: 21_000_000, node: 'dhcp', command: { type: 'cmd.unstall' } },
      ],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace).filter((l) => l >= '1' && l < '20.2')).toEqual([
      '10.072 client1→gw: ESP spi=0x30f115f4 seq=1 (DHCPREQUEST 10.1.99.10 xid=0x96b3dba2)',
      '10.073 gw→dhcp: DHCPREQUEST 10.1.99.10 xid=0x96b3dba2 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      // T2: REBINDING broadcast; the DHCP SA is gone and the tunnel SA's TSr does not cover 255.255.255.255: a new
      // DHCP SA (slot `dhcp`) first (RFC 3456 §3), then the broadcast through it.
      '17.572 client1→gw: CREATE_CHILD_SA request #4 SK{SAi2, Nonce, TSi, TSr}',
      '17.582 gw→client1: CREATE_CHILD_SA response #4 SK{SAr2, Nonce, TSi, TSr}',
      '17.592 client1→gw: ESP spi=0xb575c9ac seq=1 (DHCPREQUEST 10.1.99.10 xid=0x96b3dba2)',
      '17.593 gw→dhcp: DHCPREQUEST 10.1.99.10 xid=0x96b3dba2 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      // Expiry (RFC 2131 §4.4.5): the tunnel SA goes, DISCOVER through the DHCP SA already up.
      '20.072 client1→gw: INFORMATIONAL request #5 SK{D}',
      '20.072 client1→gw: ESP spi=0xb575c9ac seq=2 (DHCPDISCOVER xid=0xa076045e)',
      '20.073 gw→dhcp: DHCPDISCOVER xid=0xa076045e giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com]',
      '20.082 gw→client1: INFORMATIONAL response #5 SK{D}',
    ]);
    expect(notes(out.trace, 'spd.leaked').map((e) => secs(e.atUs))).toEqual([]);
    const addr = (text: string) => notes(out.trace, text).map((e) => `${secs(e.atUs)} ${String(e.data?.['address'])}`);
    expect(addr('address.released')).toEqual(['20.062 10.1.99.10']);
    expect(addr('address.assigned')).toEqual(['0.084 10.1.99.10', '23.141 10.1.99.10']);
    expect(t.clients[0]?.childSas().map((c) => c.slot)).toEqual(['tunnel']);
  });

  it('identity (§4.1): htype 31, chaddr 40:00 ‖ outer address ‖ octet, client identifier = htype ‖ chaddr', () => {
    const id = rfc3456Identity('198.51.100.11', 0);
    expect([id.htype, id.hlen, [...id.chaddr.slice(0, 7)]]).toEqual([31, 7, [0x40, 0, 198, 51, 100, 11, 0]]);
    expect(id.clientId?.type).toBe(31);
    expect([...(id.clientId?.data ?? [])]).toEqual([0x40, 0, 198, 51, 100, 11, 0]);
  });

  it('options and policies', () => {
    expect(parseRfc3456ClientOptions(undefined)).toEqual({
      dhcpSaTeardown: 'after-tunnel',
      dhcpSaLifetimeMs: 300_000,
      dhcpSaDeleteDelayMs: 0,
      chaddrOctet: 0,
      dhcpSaSelectors: 'wildcard',
    });
    expect(() => parseRfc3456ClientOptions({ dhcpSaTeardown: 'never' })).toThrow('client.dhcpSaTeardown');
    expect(() => dhcpOverIpsecFactory.gateway({}, undefined as never)).toThrow('gateway.serverAddress');
    expect(dhcpOverIpsecFactory.policies?.map((p) => [p.name, p.default])).toEqual([
      ['dhcpSaTeardown', 'after-tunnel'],
      ['dhcpSaLifetimeMs', 300_000],
      ['dhcpSaDeleteDelayMs', 0],
      ['chaddrOctet', 0],
      ['dhcpRetransmit', 'rfc2131'],
      ['dhcpSaSelectors', 'wildcard'],
      ['relayRemoteId', true],
    ]);
  });
});
