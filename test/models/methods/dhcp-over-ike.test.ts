import { describe, expect, it } from 'vitest';
import { findOption } from '../../../models/dhcp/options.ts';
import { runScenario } from '../../../sim/index.ts';
import { buildDhcpTopology, DHCP_SERVER } from '../../support/dhcp-topology.ts';
import { dhcpSent, ladderLines, noteLines } from './dhcp-over-ike-helpers.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;

function seedRun(durationUs: number) {
  const t = buildDhcpTopology({
    method: 'dhcp-over-ike',
    durationUs,
    servers: [{ name: 'dhcp', address: DHCP_SERVER, leaseSecs: 60 }],
    commands: [connect],
  });
  return { t, out: runScenario(t.input, { seed: 1 }) };
}

describe('dhcp-over-ike (draft-richardson-ipsec-dhcp-over-ike-00 §2)', () => {
  it('reproduces the §2 diagram line for line, with one renewal upon rekey', () => {
    const { out } = seedRun(30_000_000);
    // Lease 60 s ⇒ T1 30 s; the rekey carrying the renewal is scheduled at 90 % of T1 after the lease start.
    expect(ladderLines(out.trace)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "0.030000 gw → dhcp DHCPDISCOVER xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.031000 dhcp → gw DHCPOFFER 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "0.042000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "0.052000 gw → dhcp DHCPREQUEST 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.053000 dhcp → gw DHCPACK 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.054000 gw → client1 CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}",
        "27.042000 client1 → gw CREATE_CHILD_SA request #3 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "27.052000 gw → dhcp DHCPREQUEST 10.99.1.10 xid=0x481af286 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "27.053000 dhcp → gw DHCPACK 10.99.1.10 xid=0x481af286 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "27.054000 gw → client1 CREATE_CHILD_SA response #3 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}",
        "27.064000 client1 → gw INFORMATIONAL request #4 SK{D}",
        "27.074000 gw → client1 INFORMATIONAL response #4 SK{D}",
      ]
    `);
    expect(noteLines(out.trace, /^(relay\.|address\.|ike\.rekeyScheduled|dhcp\.retransmit)/)).toMatchInlineSnapshot(`
      [
        "0.030 gw relay.forward {"ikeSa":"3edff4cbda035678","xid":2950610359,"type":"DISCOVER"}",
        "0.032 gw relay.reply {"ikeSa":"3edff4cbda035678","xid":2950610359,"type":"OFFER"}",
        "0.052 gw relay.forward {"ikeSa":"3edff4cbda035678","xid":2950610359,"type":"REQUEST"}",
        "0.054 gw relay.reply {"ikeSa":"3edff4cbda035678","xid":2950610359,"type":"ACK"}",
        "0.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
        "0.064 client1 ike.rekeyScheduled {"slot":"tunnel","delayMs":26978}",
        "27.052 gw relay.forward {"ikeSa":"3edff4cbda035678","xid":1209725574,"type":"REQUEST"}",
        "27.054 gw relay.reply {"ikeSa":"3edff4cbda035678","xid":1209725574,"type":"ACK"}",
        "27.064 client1 ike.rekeyScheduled {"slot":"tunnel","delayMs":26978}",
      ]
    `);
  });

  it('the server receives giaddr, hops and option 82 naming the IKE identity; the lease is the Child SA TSi', () => {
    const { t, out } = seedRun(30_000_000);
    const received = dhcpSent(out.trace, 'gw', DHCP_SERVER);
    expect(received.map((m) => [m.giaddr, m.hops, m.htype, m.hlen])).toEqual([
      ['10.1.0.1', 1, 31, 7],
      ['10.1.0.1', 1, 31, 7],
      ['10.1.0.1', 1, 31, 7],
    ]);
    const text = new TextDecoder();
    const info = received.map((m) =>
      (findOption(m, 'relayAgentInfo')?.subOptions ?? []).map((s) =>
        s.kind === 'circuitId' || s.kind === 'remoteId'
          ? `${s.kind}=${text.decode(s.data)}`
          : s.kind === 'linkSelection'
            ? `linkSelection=${s.subnet}`
            : s.kind,
      ),
    );
    expect(info[0]).toEqual([
      'circuitId=ike:3edff4cbda035678',
      'remoteId=client1@example.com',
      'linkSelection=10.99.1.0',
    ]);
    expect(info.every((i) => JSON.stringify(i) === JSON.stringify(info[0]))).toBe(true);
    // draft-ietf §4 (the seed is silent): htype 31, chaddr x'4000' ‖ 198.51.100.11 ‖ 0.
    expect([...(received[0]?.chaddr.subarray(0, 7) ?? [])]).toEqual([0x40, 0x00, 198, 51, 100, 11, 0]);
    const client = t.clients[0];
    expect(client?.innerConfig()).toEqual({ address: '10.99.1.10', prefixLength: 24, dns: ['10.1.0.53'] });
    expect(
      client
        ?.childSas()
        .map((c) => [c.slot, c.tsi.map((s) => (s.kind === 'ipv4Range' ? `${s.startAddress}-${s.endAddress}` : ''))]),
    ).toEqual([['tunnel', ['10.99.1.10-10.99.1.10']]]);
    expect(client?.states()).toEqual({
      connection: 'connected.steady',
      ike: 'established.window.ready',
      carrier: 'phase.bound',
      dhcp: 'BOUND',
    });
    expect(t.gateway.poolSnapshot()).toEqual({ '10.99.1.10': 'client1@example.com' });
  });

  it('after the rekey the server lease end moved forward', () => {
    const before = seedRun(20_000_000);
    const after = seedRun(30_000_000);
    const end = (r: typeof before) =>
      r.t.servers[0]
        ?.leaseStore()
        ?.snapshot()
        .records.map((x) => [x.address, x.state, x.expiresAtUs]);
    // Lease start = the REQUEST's arrival (0.052 s, then 27.052 s) + 60 s.
    expect(end(before)).toEqual([['10.99.1.10', 'bound', 60_053_000]]);
    expect(end(after)).toEqual([['10.99.1.10', 'bound', 87_053_000]]);
  });
});
