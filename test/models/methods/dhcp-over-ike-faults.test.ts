/**
 * Loss on either leg, a slow server (OFFER after 7 s), a stalled server, a NAK and an exhausted pool, for both
 * methods: each ends as the drafts and the named policies (defaults unless stated) say, read from the trace.
 */
import { describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../../sim/index.ts';
import { runScenario } from '../../../sim/index.ts';
import { buildDhcpTopology, DHCP_SERVER, type DhcpTopologyOptions } from '../../support/dhcp-topology.ts';
import { countNotes, ladderLines, noteLines } from './dhcp-over-ike-helpers.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;

function run(o: Partial<DhcpTopologyOptions> & Pick<DhcpTopologyOptions, 'method' | 'durationUs'>) {
  const t = buildDhcpTopology({ commands: [connect], ...o });
  return { t, out: runScenario(t.input, { seed: 1 }) };
}

const assigned = (o: ReturnType<typeof run>) => noteLines(o.out.trace, /^address\.assigned$/);
const ike = (o: ReturnType<typeof run>) =>
  ladderLines(o.out.trace).filter((l) => !l.includes(' DHCP') || l.includes('DHCP('));

describe('loss', () => {
  const lossClientLeg: FaultSpec[] = [{ type: 'drop.match', atUs: 0, match: 'IKE_AUTH response #1' }];
  it('client↔gateway: IKE retransmits, the responder re-sends its cached OFFER; no DHCP-level retransmission', () => {
    const o = run({ method: 'dhcp-over-ike', durationUs: 6_000_000, faults: lossClientLeg });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "0.032000 gw ✗ client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)} [dropped: targeted]",
        "4.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "4.030000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "4.040000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "4.052000 gw → client1 CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}",
      ]
    `);
    expect(countNotes(o.out.trace, 'relay.forward')).toBe(2);
    expect(countNotes(o.out.trace, 'dhcp.retransmit')).toBe(0);
    expect(assigned(o)).toMatchInlineSnapshot(`
      [
        "4.062 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
  });

  it('client↔gateway (WG): the same', () => {
    const o = run({ method: 'dhcp-over-ike-wg', durationUs: 6_000_000, faults: lossClientLeg });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "0.032000 gw ✗ client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)} [dropped: targeted]",
        "4.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "4.030000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "4.040000 client1 → gw IKE_AUTH request #2 SK{DHCP(REQUEST)}",
        "4.052000 gw → client1 IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}",
      ]
    `);
    expect(assigned(o)).toMatchInlineSnapshot(`
      [
        "4.062 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
  });

  it('gateway↔server: the relay retransmits after 1 s (dhcpIkeServerRetry = strongswan)', () => {
    const o = run({
      method: 'dhcp-over-ike',
      durationUs: 3_000_000,
      faults: [{ type: 'drop.match', atUs: 0, match: 'DHCPOFFER' }],
    });
    expect(ladderLines(o.out.trace)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "0.030000 gw → dhcp DHCPDISCOVER xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "0.031000 dhcp ✗ gw DHCPOFFER 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0] [dropped: targeted]",
        "1.030000 gw → dhcp DHCPDISCOVER xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "1.031000 dhcp → gw DHCPOFFER 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "1.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "1.042000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "1.052000 gw → dhcp DHCPREQUEST 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "1.053000 dhcp → gw DHCPACK 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1 [82: circuit-id=ike:3edff4cbda035678, remote-id=client1@example.com, link-selection=10.99.1.0]",
        "1.054000 gw → client1 CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}",
      ]
    `);
    expect(noteLines(o.out.trace, /^dhcp\.retransmit$/)).toMatchInlineSnapshot(`
      [
        "1.030 gw dhcp.retransmit {"gateway":"gw","ikeSa":"3edff4cbda035678"}",
      ]
    `);
    expect(assigned(o)).toMatchInlineSnapshot(`
      [
        "1.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
  });

  it('gateway↔server (WG): the relay retransmission at 1 s lands inside the first collect window', () => {
    const o = run({
      method: 'dhcp-over-ike-wg',
      durationUs: 6_000_000,
      faults: [{ type: 'drop.match', atUs: 0, match: 'DHCPOFFER' }],
    });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "1.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "1.042000 client1 → gw IKE_AUTH request #2 SK{DHCP(REQUEST)}",
        "1.054000 gw → client1 IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}",
      ]
    `);
    expect(assigned(o)).toMatchInlineSnapshot(`
      [
        "1.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
  });
});

describe('a slow server (OFFER after 7 s)', () => {
  const slow = [{ name: 'dhcp', address: DHCP_SERVER, serviceUs: 7_000_000 }];
  it('seed, strongSwan retry: the retransmissions queue behind the 7 s service; the address comes at 35 s', () => {
    const o = run({ method: 'dhcp-over-ike', durationUs: 40_000_000, servers: slow });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "4.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "7.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "7.042000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "11.042000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "17.052000 gw → client1 CREATE_CHILD_SA response #2 SK{N(INTERNAL_ADDRESS_FAILURE)}",
        "17.062000 client1 → gw CREATE_CHILD_SA request #3 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "21.062000 client1 → gw CREATE_CHILD_SA request #3 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "27.072000 gw → client1 CREATE_CHILD_SA response #3 SK{N(INTERNAL_ADDRESS_FAILURE)}",
        "27.082000 client1 → gw CREATE_CHILD_SA request #4 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "31.082000 client1 → gw CREATE_CHILD_SA request #4 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "35.032000 gw → client1 CREATE_CHILD_SA response #4 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}",
      ]
    `);
    // Each IKE-level address timeout abandons the relay's transaction, so a later request starts a new one instead
    // of joining a transaction nobody waits for.
    expect(countNotes(o.out.trace, 'relay.abandoned')).toBe(2);
    expect(countNotes(o.out.trace, 'relay.coalesced')).toBe(0);
    expect(assigned(o)).toMatchInlineSnapshot(`
      [
        "35.042 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
  });

  it('seed, dhcpIkeServerRetry = none: one copy each, the address at 14 s', () => {
    const o = run({
      method: 'dhcp-over-ike',
      durationUs: 20_000_000,
      servers: slow,
      policies: { dhcpIkeServerRetry: 'none' },
    });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "4.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "7.032000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}",
        "7.042000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "11.042000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "14.054000 gw → client1 CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}",
      ]
    `);
    expect(assigned(o)).toMatchInlineSnapshot(`
      [
        "14.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
  });

  it('WG, dhcpIkeServerRetry = none, dhcpIkeWgRecarry = collect-window: empty rounds every 2 s (collect window) coalesce onto one server transaction', () => {
    const o = run({
      method: 'dhcp-over-ike-wg',
      durationUs: 20_000_000,
      servers: slow,
      policies: { dhcpIkeServerRetry: 'none', dhcpIkeWgRecarry: 'collect-window' },
    });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "2.030000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH}",
        "2.040000 client1 → gw IKE_AUTH request #2 SK{DHCP(DISCOVER)}",
        "4.050000 gw → client1 IKE_AUTH response #2 SK{}",
        "4.060000 client1 → gw IKE_AUTH request #3 SK{DHCP(DISCOVER)}",
        "6.070000 gw → client1 IKE_AUTH response #3 SK{}",
        "6.080000 client1 → gw IKE_AUTH request #4 SK{DHCP(DISCOVER)}",
        "7.032000 gw → client1 IKE_AUTH response #4 SK{DHCP(OFFER)}",
        "7.042000 client1 → gw IKE_AUTH request #5 SK{DHCP(REQUEST)}",
        "9.052000 gw → client1 IKE_AUTH response #5 SK{}",
        "9.062000 client1 → gw IKE_AUTH request #6 SK{DHCP(REQUEST)}",
        "11.072000 gw → client1 IKE_AUTH response #6 SK{}",
        "11.082000 client1 → gw IKE_AUTH request #7 SK{DHCP(REQUEST)}",
        "13.092000 gw → client1 IKE_AUTH response #7 SK{}",
        "13.102000 client1 → gw IKE_AUTH request #8 SK{DHCP(REQUEST)}",
        "14.054000 gw → client1 IKE_AUTH response #8 SK{DHCP(ACK), SAr2, TSi, TSr}",
      ]
    `);
    expect(assigned(o)).toMatchInlineSnapshot(`
      [
        "14.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
  });

  // The default (dhcpIkeWgRecarry = rfc2131) is addressed at ~41 s instead: the slow-dhcp library scenario.
  it('WG, strongSwan retry, dhcpIkeWgRecarry = collect-window: the server queue outgrows the rounds; after dhcpIkeResendMax the client gives up and reconnects', () => {
    const o = run({
      method: 'dhcp-over-ike-wg',
      durationUs: 30_000_000,
      servers: slow,
      policies: { dhcpIkeWgRecarry: 'collect-window' },
    });
    expect(noteLines(o.out.trace, /^client\.(closed|reconnect)$/)).toMatchInlineSnapshot(`
      [
        "27.262 client1 client.closed {"reason":"INTERNAL_ADDRESS_FAILURE"}",
        "27.262 client1 client.reconnect {"attempt":1,"delayUs":5824000}",
      ]
    `);
    expect(assigned(o)).toEqual([]);
  });
});

describe('a stalled server', () => {
  const stall = { atUs: 0, node: 'dhcp', command: { type: 'cmd.stall' } } as const;
  it('seed: the IKE responder answers INTERNAL_ADDRESS_FAILURE after addressTimeoutMs; the client deletes and reconnects', () => {
    const o = run({ method: 'dhcp-over-ike', durationUs: 12_000_000, commands: [stall, connect] });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "4.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "10.030000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)}",
        "10.040000 client1 → gw INFORMATIONAL request #2 SK{D}",
        "10.050000 gw → client1 INFORMATIONAL response #2 SK{}",
      ]
    `);
    expect(noteLines(o.out.trace, /^(client\.(closed|reconnect)|ike\.addressTimeout)$/)).toMatchInlineSnapshot(`
      [
        "10.030 gw ike.addressTimeout {"peer":"client1@example.com"}",
        "10.060 client1 client.closed {"reason":"INTERNAL_ADDRESS_FAILURE"}",
        "10.060 client1 client.reconnect {"attempt":1,"delayUs":5824000}",
      ]
    `);
  });

  it('WG: answers without DHCP every collect window (§3 MUST); after 4 repeats at RFC 2131 pace the client fails the IKE SA', () => {
    const o = run({ method: 'dhcp-over-ike-wg', durationUs: 65_000_000, commands: [stall, connect] });
    expect(ike(o)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "2.030000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH}",
        "4.475000 client1 → gw IKE_AUTH request #2 SK{DHCP(DISCOVER)}",
        "6.485000 gw → client1 IKE_AUTH response #2 SK{}",
        "11.951000 client1 → gw IKE_AUTH request #3 SK{DHCP(DISCOVER)}",
        "13.961000 gw → client1 IKE_AUTH response #3 SK{}",
        "27.376000 client1 → gw IKE_AUTH request #4 SK{DHCP(DISCOVER)}",
        "29.386000 gw → client1 IKE_AUTH response #4 SK{}",
        "59.337000 client1 → gw IKE_AUTH request #5 SK{DHCP(DISCOVER)}",
        "61.347000 gw → client1 IKE_AUTH response #5 SK{}",
        "61.357000 client1 → gw INFORMATIONAL request #6 SK{D}",
        "61.367000 gw → client1 INFORMATIONAL response #6 SK{}",
      ]
    `);
    // RFC 7296 §1.4.1: the delete between IKE_AUTH rounds closes the gateway's IKE SA too.
    const gwIke = o.out.trace.filter((e) => e.type === 'state' && e.node === 'gw' && e.machine.startsWith('ike:'));
    expect(gwIke.at(-1)).toMatchObject({ atUs: 61_367_000, from: 'authRound', to: 'closed' });
    expect(noteLines(o.out.trace, /^client\.(closed|reconnect)$/)).toMatchInlineSnapshot(`
      [
        "61.377 client1 client.closed {"reason":"INTERNAL_ADDRESS_FAILURE"}",
        "61.377 client1 client.reconnect {"attempt":1,"delayUs":5824000}",
      ]
    `);
  });
});

describe('a NAK', () => {
  const lostLeases = {
    servers: [{ name: 'dhcp', address: DHCP_SERVER, leaseSecs: 60, restartKeepsLeases: false, renewUnknown: 'nak' }],
    faults: [
      { type: 'node.crash', atUs: 10_000_000, node: 'dhcp' },
      { type: 'node.restart', atUs: 10_500_000, node: 'dhcp' },
    ],
  } as const;

  it('seed (default dhcpIkeNakRestart=reconnect): the NAKed renewal withdraws the address; DISCOVER rides a new IKE_AUTH', () => {
    const o = run({ method: 'dhcp-over-ike', durationUs: 30_000_000, ...lostLeases });
    expect(ike(o).filter((l) => l.startsWith('27.'))).toEqual([
      '27.042000 client1 → gw CREATE_CHILD_SA request #3 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}',
      '27.054000 gw → client1 CREATE_CHILD_SA response #3 SK{DHCP(NAK), N(INTERNAL_ADDRESS_FAILURE)}',
      '27.064000 client1 → gw INFORMATIONAL request #4 SK{D}',
      '27.064000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      '27.074000 gw → client1 INFORMATIONAL response #4 SK{}',
      '27.074000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      '27.084000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}',
      '27.096000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      '27.106000 client1 → gw CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}',
      '27.118000 gw → client1 CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}',
    ]);
    expect(noteLines(o.out.trace, /^(address\.|lease\.lost|client\.restart)/)).toEqual([
      '0.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '27.064 client1 lease.lost {"address":"10.99.1.10","why":"nak"}',
      '27.064 client1 address.released {"client":"client1","address":"10.99.1.10"}',
      '27.064 client1 client.restart {"reason":"dhcp-nak"}',
      '27.128 client1 address.assigned {"client":"client1","address":"10.99.1.10"}',
    ]);
  });

  it('seed (dhcpIkeNakRestart=child-discover): the renewal on rekey is NAKed, the child torn down, DISCOVER rides a CREATE_CHILD_SA', () => {
    const o = run({
      method: 'dhcp-over-ike',
      policies: { dhcpIkeNakRestart: 'child-discover' },
      durationUs: 30_000_000,
      servers: [{ name: 'dhcp', address: DHCP_SERVER, leaseSecs: 60, restartKeepsLeases: false, renewUnknown: 'nak' }],
      faults: [
        { type: 'node.crash', atUs: 10_000_000, node: 'dhcp' },
        { type: 'node.restart', atUs: 10_500_000, node: 'dhcp' },
      ],
    });
    expect(ike(o).filter((l) => l.startsWith('27.'))).toMatchInlineSnapshot(`
      [
        "27.042000 client1 → gw CREATE_CHILD_SA request #3 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "27.054000 gw → client1 CREATE_CHILD_SA response #3 SK{DHCP(NAK), N(INTERNAL_ADDRESS_FAILURE)}",
        "27.064000 client1 → gw INFORMATIONAL request #4 SK{D}",
        "27.074000 gw → client1 INFORMATIONAL response #4 SK{D}",
        "27.084000 client1 → gw CREATE_CHILD_SA request #5 SK{SAi2, Nonce, TSi, TSr, DHCP(DISCOVER)}",
        "27.096000 gw → client1 CREATE_CHILD_SA response #5 SK{DHCP(OFFER), N(INTERNAL_ADDRESS_FAILURE)}",
        "27.106000 client1 → gw CREATE_CHILD_SA request #6 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}",
        "27.118000 gw → client1 CREATE_CHILD_SA response #6 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}",
      ]
    `);
    expect(noteLines(o.out.trace, /^address\./)).toMatchInlineSnapshot(`
      [
        "0.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
        "27.064 client1 address.released {"client":"client1","address":"10.99.1.10"}",
        "27.128 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
      ]
    `);
    expect(o.t.clients[0]?.childSas().map((c) => c.slot)).toEqual(['tunnel']);
  });
});

describe('an exhausted pool', () => {
  const tiny = [{ name: 'dhcp', address: DHCP_SERVER, rangeStart: '10.99.1.10', rangeEnd: '10.99.1.10' }];
  const both = [connect, { atUs: 1_000_000, node: 'client2', command: { type: 'cmd.connect' } }] as const;
  it('seed: the second client gets no OFFER; INTERNAL_ADDRESS_FAILURE after addressTimeoutMs', () => {
    const o = run({ method: 'dhcp-over-ike', clients: 2, durationUs: 12_000_000, servers: tiny, commands: [...both] });
    expect(noteLines(o.out.trace, /^(address\.assigned|client\.closed|ike\.addressTimeout|dhcp\.silent)$/))
      .toMatchInlineSnapshot(`
        [
          "0.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
          "1.031 dhcp dhcp.silent {"reason":"pool-exhausted","note":"pool dhcp-vpn exhausted"}",
          "2.031 dhcp dhcp.silent {"reason":"pool-exhausted","note":"pool dhcp-vpn exhausted"}",
          "4.031 dhcp dhcp.silent {"reason":"pool-exhausted","note":"pool dhcp-vpn exhausted"}",
          "7.031 dhcp dhcp.silent {"reason":"pool-exhausted","note":"pool dhcp-vpn exhausted"}",
          "11.030 gw ike.addressTimeout {"peer":"client2@example.com"}",
          "11.060 client2 client.closed {"reason":"INTERNAL_ADDRESS_FAILURE"}",
        ]
      `);
  });

  it('WG: empty rounds at RFC 2131 pace, then the client gives up', () => {
    const o = run({
      method: 'dhcp-over-ike-wg',
      clients: 2,
      durationUs: 65_000_000,
      servers: tiny,
      commands: [...both],
    });
    expect(noteLines(o.out.trace, /^(address\.assigned|client\.closed)$/)).toMatchInlineSnapshot(`
      [
        "0.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
        "63.154 client2 client.closed {"reason":"INTERNAL_ADDRESS_FAILURE"}",
      ]
    `);
  });
});
