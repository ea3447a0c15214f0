import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../../models/contract.ts';
import { buildDiscover } from '../../../models/dhcp/client-messages.ts';
import { ipsecTunnelIdentity } from '../../../models/dhcp/client-identity.ts';
import { methodById } from '../../../models/methods/index.ts';
import type { ProviderHost, UdpDatagram } from '../../../models/methods/method.ts';
import { DEFAULT_RELAY_POLICY, type RelayPolicy } from '../../../models/methods/gateway-relay/policies.ts';
import { GatewayRelay, type RelayOutcome } from '../../../models/methods/gateway-relay/relay.ts';
import { DhcpMessageType, type DhcpMessage } from '../../../models/wire/dhcp/types.ts';
import { runScenario } from '../../../sim/index.ts';
import { buildDhcpTopology, DHCP_SERVER } from '../../support/dhcp-topology.ts';
import { countNotes, dhcpSent, ladderLines, noteLines } from './dhcp-over-ike-helpers.ts';
import { TestClock } from '../dhcp/test-clock.ts';
import { fixedRandomStream } from '../../support/fixed-random-stream.ts';

const connect = (node: string, atUs = 0) => ({ atUs, node, command: { type: 'cmd.connect' } }) as const;
const MAC = '02:00:00:00:00:01';

describe('anti-theft: chaddr and client identifier pinned per IKE SA', () => {
  it('a client naming another client’s chaddr gets nothing, and the theft is traced', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike',
      clients: 2,
      durationUs: 3_000_000,
      // client2 claims client1's LAN MAC as its chaddr (draft-ietf §4's LAN rule).
      clientOptions: () => ({ lanMac: MAC }),
      commands: [connect('client1'), connect('client2', 1_000_000)],
      policies: { dhcpIkePinning: 'first-come' },
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(noteLines(out.trace, /^(dhcp\.theft|relay\.dropped|address\.assigned|client\.closed)$/))
      .toMatchInlineSnapshot(`
      [
        "0.064 client1 address.assigned {"client":"client1","address":"10.99.1.10"}",
        "1.030 gw dhcp.theft {"ikeSa":"89fbf386531ecdc2","chaddr":"31:020000000001"}",
        "1.030 gw relay.dropped {"reason":"theft","ikeSa":"89fbf386531ecdc2","xid":1116660985}",
        "1.060 client2 client.closed {"reason":"INTERNAL_ADDRESS_FAILURE"}",
      ]
    `);
    expect(t.clients[1]?.innerConfig()).toBeUndefined();
    // Nothing of client2's reached the server.
    expect(dhcpSent(out.trace, 'gw', DHCP_SERVER).map((m) => m.xid)).toHaveLength(2);
  });

  it('a client reusing another client’s client identifier (option 61) gets nothing (WG)', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike-wg',
      clients: 2,
      durationUs: 65_000_000,
      clientOptions: () => ({ clientId: 'laptop-17' }),
      commands: [connect('client1'), connect('client2', 1_000_000)],
      policies: { dhcpIkePinning: 'first-come' },
    });
    const out = runScenario(t.input, { seed: 1 });
    // The first round and the re-carries at RFC 2131 pace (dhcpIkeWgRecarry: 4, 8, 16, 32 s) are all refused. The 4th
    // re-carry comes 32 ± 1 s after the 3rd: the gateway waits between IKE_AUTH rounds at least 65 s (RFC 2131
    // §4.1's longest wait, AUTH_ROUND_WAIT_MS), not only its 30 s half-open timeout, so the round is answered.
    expect(countNotes(out.trace, 'dhcp.theft')).toBe(5);
    expect(noteLines(out.trace, /^(dhcp\.theft|ike\.halfOpenTimeout|client\.closed)$/)).toMatchInlineSnapshot(`
      [
        "1.030 gw dhcp.theft {"ikeSa":"89fbf386531ecdc2","chaddr":"31:4000c633640c00"}",
        "4.881 gw dhcp.theft {"ikeSa":"89fbf386531ecdc2","chaddr":"31:4000c633640c00"}",
        "12.952 gw dhcp.theft {"ikeSa":"89fbf386531ecdc2","chaddr":"31:4000c633640c00"}",
        "29.685 gw dhcp.theft {"ikeSa":"89fbf386531ecdc2","chaddr":"31:4000c633640c00"}",
        "61.124 gw dhcp.theft {"ikeSa":"89fbf386531ecdc2","chaddr":"31:4000c633640c00"}",
        "61.154 client2 client.closed {"reason":"INTERNAL_ADDRESS_FAILURE"}",
      ]
    `);
    expect(t.clients[0]?.innerConfig()?.address).toBe('10.99.1.10');
    expect(t.clients[1]?.innerConfig()).toBeUndefined();
  });
});

describe('identity pinning (dhcpIkePinning = identity, the default)', () => {
  it('a chaddr copied before its owner connects does not lock the owner out: each identity is its own client', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike',
      clients: 2,
      durationUs: 3_000_000,
      clientOptions: () => ({ lanMac: MAC }),
      // client2 (the copier) first, client1 (the owner) a second later.
      commands: [connect('client2'), connect('client1', 1_000_000)],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(countNotes(out.trace, 'dhcp.theft')).toBe(0);
    expect(countNotes(out.trace, 'dhcp.scoped')).toBeGreaterThan(0);
    const a = t.clients[0]?.innerConfig()?.address;
    const b = t.clients[1]?.innerConfig()?.address;
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
  });
});

function unitRelay(policy: RelayPolicy = DEFAULT_RELAY_POLICY) {
  const sent: UdpDatagram[] = [];
  const notes: string[] = [];
  // The relay's sessions are actors on this clock (a reply reaching one arms its delayed raises); never advanced.
  const clock = new TestClock();
  const rng = fixedRandomStream();
  const host: ProviderHost = {
    nowUs: () => clock.nowUs(),
    traceNote: (text, data) => notes.push(`${text} ${JSON.stringify(data ?? {})}`),
    setTimerUs: () => () => undefined,
    clock: clock as unknown as VirtualClock,
    rng: () => rng,
    traceState: () => undefined,
    traceMachine: () => ({ current: () => 'none' }),
    insideAddress: '10.1.0.1',
    outsideAddress: '198.51.100.1',
    sendUdp: (d) => sent.push({ src: '10.1.0.1', ...d }),
    sendToPeer: () => false,
  };
  const relay = new GatewayRelay(host, { servers: [DHCP_SERVER], gatewayName: 'gw', policy });
  return { relay, sent, notes };
}
const discoverWith = (extra: DhcpMessage['options'] = []): DhcpMessage => {
  const m = buildDiscover(
    {
      identity: ipsecTunnelIdentity({ lanMac: MAC }),
      xid: 0x1234,
      secs: 0,
      broadcastFlag: false,
      parameterRequestList: [],
    },
    null,
  );
  return { ...m, options: [...m.options, ...extra] };
};

describe('the relay refuses', () => {
  it('DHCP payloads before authentication: a wrong PSK never reaches the provider', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike',
      durationUs: 1_000_000,
      clientPsk: () => 'wrong',
      commands: [connect('client1')],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladderLines(out.trace)).toMatchInlineSnapshot(`
      [
        "0.000000 client1 → gw IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.010000 gw → client1 IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)",
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}",
        "0.030000 gw → client1 IKE_AUTH response #1 SK{N(AUTHENTICATION_FAILED)}",
      ]
    `);
    expect(countNotes(out.trace, 'relay.forward')).toBe(0);
  });

  it('a client-supplied option 82 (RFC 3046 §2.1.1: untrusted side) and an unauthenticated peer', () => {
    const { relay, sent, notes } = unitRelay();
    const outcomes: RelayOutcome[] = [];
    const mode = { collect: 'first', deadline: 'retries' } as const;
    const forged = discoverWith([
      { kind: 'relayAgentInfo', subOptions: [{ kind: 'circuitId', data: new Uint8Array([1]) }] },
    ]);
    relay.relay({ ikeSaId: 'sa1', peerId: 'client1@example.com' }, forged, mode, (o) => outcomes.push(o));
    relay.relay({ ikeSaId: 'sa2', peerId: '' }, discoverWith(), mode, (o) => outcomes.push(o));
    expect(outcomes).toEqual([
      { kind: 'refused', reason: 'untrusted-option-82' },
      { kind: 'refused', reason: 'unauthenticated' },
    ]);
    expect(sent).toEqual([]);
    expect(notes).toEqual([
      'relay.dropped {"reason":"untrusted-option-82","ikeSa":"sa1","xid":4660}',
      'relay.dropped {"reason":"unauthenticated","ikeSa":"sa2","xid":4660}',
    ]);
  });
});

describe('the xid index (replies mapped by xid only with option 82 off)', () => {
  const relayWith = (option82: RelayPolicy['option82']) => unitRelay({ ...DEFAULT_RELAY_POLICY, option82 });
  const discover = discoverWith();
  const mode = { collect: 'first', deadline: 'retries' } as const;
  const sa = { ikeSaId: 'sa1', peerId: 'client1@example.com' };

  it('option 82 on (the default): the DISCOVER is relayed, no xid is indexed', () => {
    const { relay, sent } = relayWith('ike-identity');
    relay.relay(sa, discover, mode, () => undefined);
    expect(sent.length).toBe(1);
    expect(relay.xidsIndexed).toBe(0);
  });

  it('option 82 off: the transaction is indexed both ways, and a reply with that xid reaches the session, release unindexes', () => {
    const { relay, sent, notes } = relayWith('off');
    const outcomes: RelayOutcome[] = [];
    relay.relay(sa, discover, mode, (o) => outcomes.push(o));
    expect(sent.length).toBe(1);
    expect(relay.xidsIndexed).toBe(2);
    const offer: DhcpMessage = {
      ...discover,
      op: 2,
      yiaddr: '10.99.1.10',
      giaddr: '10.1.0.1',
      options: [
        { kind: 'messageType', type: DhcpMessageType.OFFER },
        { kind: 'serverId', address: DHCP_SERVER },
      ],
    };
    relay.onUdp(
      { src: DHCP_SERVER, dst: '10.1.0.1', srcPort: 67, dstPort: 67, app: { kind: 'dhcp', message: offer } },
      { via: 'inside' },
    );
    // Mapped to the session by its xid (else `unknown-circuit`), which answers the waiting request with it.
    expect(notes).toEqual([
      'relay.forward {"ikeSa":"sa1","xid":4660,"type":"DISCOVER"}',
      'relay.reply {"ikeSa":"sa1","xid":4660,"type":"OFFER"}',
    ]);
    expect(outcomes).toEqual([{ kind: 'replies', replies: [offer] }]);
    relay.release('sa1');
    expect(relay.xidsIndexed).toBe(0);
  });
});

describe('relay options and policies', () => {
  it('two servers, collect window (dhcpIkeCollect = auto): the WG response carries both OFFERs', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike-wg',
      durationUs: 3_000_000,
      servers: [
        { name: 'dhcp', address: DHCP_SERVER },
        { name: 'dhcp2', address: '10.1.0.3', rangeStart: '10.99.1.100', rangeEnd: '10.99.1.110' },
      ],
      commands: [connect('client1')],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladderLines(out.trace).filter((l) => l.includes('IKE_AUTH'))).toMatchInlineSnapshot(`
      [
        "0.020000 client1 → gw IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}",
        "2.030000 gw → client1 IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER), DHCP(OFFER)}",
        "2.040000 client1 → gw IKE_AUTH request #2 SK{DHCP(REQUEST)}",
        "2.052000 gw → client1 IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}",
      ]
    `);
    expect(t.clients[0]?.innerConfig()?.address).toBe('10.99.1.10');
  });

  it('option 82 off: nothing of RFC 3046 reaches the server, so without link selection it has no pool for giaddr', () => {
    const t = buildDhcpTopology({
      method: 'dhcp-over-ike',
      durationUs: 1_000_000,
      policies: { dhcpIkeOption82: 'off', dhcpIkeLinkSelection: false },
      servers: [{ name: 'dhcp', address: DHCP_SERVER }],
      linkSelectionSubnet: null,
      commands: [connect('client1')],
    });
    const out = runScenario(t.input, { seed: 1 });
    // Without link selection the server picks its pool by giaddr 10.1.0.1: it has none there and stays silent.
    expect(noteLines(out.trace, /^(dhcp\.silent|relay\.noReply)$/)).toMatchInlineSnapshot(`
      [
        "0.031 dhcp dhcp.silent {"reason":"no-pool","note":"no pool for giaddr 10.1.0.1"}",
      ]
    `);
    expect(
      dhcpSent(out.trace, 'gw', DHCP_SERVER).every((m) => !m.options.some((o) => o.kind === 'relayAgentInfo')),
    ).toBe(true);
  });

  it('IKE SA deleted: DHCPRELEASE on the client’s behalf (release) or the lease kept (keep)', () => {
    const cmds = [
      connect('client1'),
      { atUs: 1_000_000, node: 'client1', command: { type: 'cmd.disconnect' } },
    ] as const;
    const release = buildDhcpTopology({ method: 'dhcp-over-ike', durationUs: 2_000_000, commands: [...cmds] });
    const keep = buildDhcpTopology({
      method: 'dhcp-over-ike',
      durationUs: 2_000_000,
      policies: { dhcpIkeOnSaDelete: 'keep' },
      commands: [...cmds],
    });
    const r = runScenario(release.input, { seed: 1 });
    const k = runScenario(keep.input, { seed: 1 });
    expect(noteLines(r.trace, /^(relay\.(release|leaseKept)|dhcp\.silent)$/)).toMatchInlineSnapshot(`
      [
        "1.010 gw relay.release {"ikeSa":"3edff4cbda035678","address":"10.99.1.10"}",
        "1.011 dhcp dhcp.silent {"reason":"released","note":"RELEASE 10.99.1.10"}",
      ]
    `);
    expect(noteLines(k.trace, /^(relay\.(release|leaseKept)|dhcp\.silent)$/)).toMatchInlineSnapshot(`
      [
        "1.010 gw relay.leaseKept {"ikeSa":"3edff4cbda035678","address":"10.99.1.10"}",
      ]
    `);
    const states = (x: typeof release) =>
      x.servers[0]
        ?.leaseStore()
        ?.snapshot()
        .records.map((l) => [l.address, l.state]);
    expect(states(release)).toEqual([['10.99.1.10', 'free']]);
    expect(states(keep)).toEqual([['10.99.1.10', 'bound']]);
  });

  it('both methods expose the same named policies, with defaults', () => {
    const names = (id: string) =>
      (methodById(id).policies ?? []).map((d) => `${d.name}=${String(d.default)} (${d.section})`);
    expect(names('dhcp-over-ike')).toEqual(names('dhcp-over-ike-wg'));
    expect(names('dhcp-over-ike')).toMatchInlineSnapshot(`
      [
        "dhcpIkeRekeyT1Percent=90 (dhcp-over-ike)",
        "dhcpIkeResendMax=4 (dhcp-over-ike-wg)",
        "dhcpIkeRememberAddress=true (dhcp-over-ike-wg)",
        "dhcpIkeWgRenew=rekey (dhcp-over-ike-wg)",
        "dhcpIkeNakRestart=reconnect (dhcp-over-ike)",
        "dhcpIkeRenewRecarry=rfc2131 (dhcp-over-ike)",
        "dhcpIkeWgRecarry=rfc2131 (dhcp-over-ike-wg)",
        "dhcpPayloadType=128 (dhcp-over-ike)",
        "dhcpIkeWgPayloadOrder=draft (dhcp-over-ike-wg)",
        "dhcpIkeServerRetry=strongswan (gateway-relay)",
        "dhcpIkeCollect=auto (gateway-relay)",
        "dhcpIkeCollectMs=2000 (dhcp-over-ike-wg)",
        "dhcpIkeNoReply=draft (gateway-relay)",
        "dhcpIkeOption82=ike-identity (gateway-relay)",
        "dhcpIkeLinkSelection=true (gateway-relay)",
        "dhcpIkeServerIdOverride=false (gateway-relay)",
        "dhcpIkeOnSaDelete=release (gateway-relay)",
        "dhcpIkeDuplicateRequest=coalesce (gateway-relay)",
        "dhcpIkeLateReplies=keep (gateway-relay)",
        "dhcpIkeLeaseGuard=true (gateway-relay)",
        "dhcpIkeExpiredTsi=refuse (gateway-relay)",
        "dhcpIkePinning=identity (gateway-relay)",
      ]
    `);
  });
});
