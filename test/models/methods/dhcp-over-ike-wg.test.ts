import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { buildDhcpTopology } from '../../support/dhcp-topology.ts';
import { ladderLines, noteLines } from './dhcp-over-ike-helpers.ts';

const connect = (atUs: number) => ({ atUs, node: 'client1', command: { type: 'cmd.connect' } }) as const;
const tsi = (t: ReturnType<typeof buildDhcpTopology>) =>
  t.clients[0]
    ?.childSas()
    .map((c) => [c.slot, c.tsi.map((s) => (s.kind === 'ipv4Range' ? `${s.startAddress}-${s.endAddress}` : ''))]);

describe('dhcp-over-ike-wg (draft-ietf-ipsec-dhcp-over-ike-00 §3, without EAP)', () => {
  it('first example: DISCOVER in the first IKE_AUTH with wildcard SAi2, REQUEST in the next, TSi narrowed in the last', () => {
    const t = buildDhcpTopology({ method: 'dhcp-over-ike-wg', durationUs: 1_000_000, commands: [connect(0)] });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladderLines(out.trace)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "0.030000 gw → dhcp DHCPDISCOVER xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.031000 dhcp → gw DHCPOFFER 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "0.042000 client1 → gw IKE_AUTH request #2 SK{DHCP(REQUEST)}",
        "0.052000 gw → dhcp DHCPREQUEST 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.053000 dhcp → gw DHCPACK 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.054000 gw → client1 IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}",
      ]
    `);
    expect(tsi(t)).toEqual([['main', ['10.99.1.10-10.99.1.10']]]);
    expect(t.clients[0]?.states()).toEqual({
      connection: 'connected.steady',
      ike: 'established.window.ready',
      carrier: 'phase.bound',
      dhcp: 'BOUND',
    });
  });

  it('second example: a client that remembers its address sends DHCP(REQUEST) (INIT-REBOOT) and is done in one round', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike-wg',
      durationUs: 3_000_000,
      commands: [
        connect(0),
        { atUs: 1_000_000, node: 'client1', command: { type: 'cmd.disconnect' } },
        connect(2_000_000),
      ],
    });
    const out = runScenario(t.input, { seed: 1 });
    // The first session, the release on delete (dhcpIkeOnSaDelete = release), then §3's second example.
    expect(ladderLines(out.trace)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "0.030000 gw → dhcp DHCPDISCOVER xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.031000 dhcp → gw DHCPOFFER 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "0.042000 client1 → gw IKE_AUTH request #2 SK{DHCP(REQUEST)}",
        "0.052000 gw → dhcp DHCPREQUEST 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.053000 dhcp → gw DHCPACK 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.054000 gw → client1 IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}",
        "1.000000 client1 → gw INFORMATIONAL request #3 SK{D}",
        "1.010000 gw → client1 INFORMATIONAL response #3 SK{}",
        "1.010000 gw → dhcp DHCPRELEASE 10.99.1.10 xid=0xd52d9a63 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "2.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "2.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "2.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(REQUEST)}",
        "2.030000 gw → dhcp DHCPREQUEST 10.99.1.10 xid=0x481af286 giaddr=10.1.0.1 [82: circuit-id=ike:402c7142e42f36f3, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "2.031000 dhcp → gw DHCPACK 10.99.1.10 xid=0x481af286 giaddr=10.1.0.1 [82: circuit-id=ike:402c7142e42f36f3, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "2.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(ACK), SAr2, TSi, TSr}",
      ]
    `);
    expect(noteLines(out.trace, /^(relay\.release|address\.)/)).toMatchInlineSnapshot(`
      [
        "0.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
        "1.000 client1 address.released {"client":"client1","address":"10.99.1.10"}",
        "1.010 gw relay.release {"ikeSa":"3edff4cbda035678","address":"10.99.1.10"}",
        "2.042 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
    expect(tsi(t)).toEqual([['main', ['10.99.1.10-10.99.1.10']]]);
  });

  it('a NAK to the INIT-REBOOT REQUEST sends the client back to DISCOVER (§3 MUST)', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike-wg',
      durationUs: 1_000_000,
      clientOptions: () => ({ rememberedAddress: '10.99.7.7' }),
      commands: [connect(0)],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladderLines(out.trace).filter((l) => l.includes('IKE_AUTH') || l.includes('NAK'))).toMatchInlineSnapshot(`
      [
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(REQUEST)}",
        "0.031000 dhcp → gw DHCPNAK xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(NAK)}",
        "0.042000 client1 → gw IKE_AUTH request #2 SK{DHCP(DISCOVER)}",
        "0.054000 gw → client1 IKE_AUTH response #2 SK{DHCP(OFFER)}",
        "0.064000 client1 → gw IKE_AUTH request #3 SK{DHCP(REQUEST)}",
        "0.076000 gw → client1 IKE_AUTH response #3 SK{DHCP(ACK), SAr2, TSi, TSr}",
      ]
    `);
    expect(tsi(t)).toEqual([['main', ['10.99.1.10-10.99.1.10']]]);
  });
});
