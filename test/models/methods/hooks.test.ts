import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/index.ts';
import { buildTopology, ENTERPRISE_HOST } from '../../support/topology.ts';
import { ladder, notes, secs } from '../nodes/ladder.ts';
import {
  childDhcpClient,
  childDhcpProvider,
  dhcpSaClient,
  dhcpSaProvider,
  roundsClient,
  roundsProvider,
} from './fake-methods.ts';

const connect = { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } } as const;
const ping = (atUs: number) => ({ atUs, node: 'client1', command: { type: 'cmd.ping' } }) as const;

describe('method hooks', () => {
  it('multi-round IKE_AUTH; the provider probes a backend over UDP from the inside address before answering', () => {
    const t = buildTopology({
      durationUs: 2_000_000,
      method: () => roundsClient,
      provider: roundsProvider(ENTERPRISE_HOST),
      commands: [connect, ping(1_000_000)],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace)).toEqual([
      '0.010 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '0.020 gw→client1: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      // draft-ietf §3: SAi2 with wildcard selectors and the DHCP payload in the first IKE_AUTH.
      '0.030 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER), SAi2, TSi, TSr}',
      // ProviderHost.sendUdp from the inside address; the answer reaches onUdp by port.
      '0.031 gw→host: UDP 40001 → 7 (10 bytes)',
      '0.032 host→gw: UDP 7 → 40001 (10 bytes)',
      '0.042 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      // A second round: next message ID, no IDi/AUTH, only the method's payloads.
      '0.052 client1→gw: IKE_AUTH request #2 SK{DHCP(REQUEST)}',
      '0.062 gw→client1: IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}',
      '1.010 client1→gw: ESP spi=0xa70aa054 seq=1 (UDP 40000 → 7 (6 bytes))',
      '1.011 gw→host: UDP 40000 → 7 (6 bytes)',
      '1.012 host→gw: UDP 7 → 40000 (6 bytes)',
      '1.022 gw→client1: ESP spi=0xe01aab5f seq=1 (UDP 7 → 40000 (6 bytes))',
    ]);
    // The provider's own stream (node:gw:provider:xid) and the inside source of the answer.
    expect(notes(out.trace, 'fake.probe').map((e) => e.data)).toEqual([{ xid: 2134671545 }]);
    expect(notes(out.trace, 'fake.probeAnswered').map((e) => e.data)).toEqual([{ via: 'inside', key: '2134671545' }]);
    // The last response narrowed TSi to the leased address.
    expect(t.clients[0]?.childSas().map((c) => [c.slot, c.tsi])).toEqual([
      [
        'main',
        [
          {
            kind: 'ipv4Range',
            ipProtocol: 0,
            startPort: 0,
            endPort: 65535,
            startAddress: '10.99.0.7',
            endAddress: '10.99.0.7',
          },
        ],
      ],
    ]);
    expect(t.clients[0]?.states()).toEqual({ connection: 'connected.steady', ike: 'established.window.ready' });
  });

  it('childless IKE_AUTH, then CREATE_CHILD_SA with DHCP payloads, answered late; a method-scheduled rekey', () => {
    const t = buildTopology({
      durationUs: 5_000_000,
      method: () => childDhcpClient,
      provider: childDhcpProvider,
      commands: [connect, ping(1_000_000)],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace).filter((l) => !l.includes('UDP'))).toEqual([
      '0.010 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      '0.020 gw→client1: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      // RFC 6023 childless IKE_AUTH carrying the DISCOVER; the OFFER comes back in its response.
      '0.030 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}',
      '0.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      // draft-richardson §2 step 5; the provider answers 100 ms later (the responder waits in waitingChild).
      '0.050 client1→gw: CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}',
      '0.160 gw→client1: CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}',
      // Step 6: the method set the rekey at T1 = 3 s after the ACK; the rekey carries the renewal.
      '3.170 client1→gw: CREATE_CHILD_SA request #3 SK{N(REKEY_SA), SAi2, Nonce, TSi, TSr, DHCP(REQUEST)}',
      '3.280 gw→client1: CREATE_CHILD_SA response #3 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}',
      '3.290 client1→gw: INFORMATIONAL request #4 SK{D}',
      '3.300 gw→client1: INFORMATIONAL response #4 SK{D}',
    ]);
    // The method's xstate actor runs on the node's clock and is traced as machine `lease`.
    const lease = out.trace.filter((e) => e.type === 'state' && e.machine === 'lease');
    expect(lease.map((e) => (e.type === 'state' ? `${secs(e.atUs)} ${e.from}>${e.to}` : ''))).toEqual([
      '0.000 none>init',
      '0.040 init>requesting',
      '0.160 requesting>bound',
      '3.160 bound>renewing',
      '3.280 renewing>bound',
    ]);
    expect(notes(out.trace, 'ike.rekeyScheduled').map((e) => `${secs(e.atUs)} ${JSON.stringify(e.data)}`)).toEqual([
      '0.160 {"slot":"tunnel","delayMs":3000}',
      '3.280 {"slot":"tunnel","delayMs":3000}',
    ]);
    expect(t.clients[0]?.innerConfig()).toEqual({ address: '10.99.0.8', prefixLength: 24, dns: [] });
    expect(
      t.clients[0]?.childSas().map((c) => [c.slot, c.tsi.map((s) => (s.kind === 'ipv4Range' ? s.startAddress : ''))]),
    ).toEqual([['tunnel', ['10.99.0.8']]]);
    expect(notes(out.trace, 'data.echo')).toHaveLength(1);
    expect(t.clients[0]?.states()).toEqual({
      connection: 'connected.steady',
      ike: 'established.window.ready',
      lease: 'bound',
    });
  });

  it('RFC 3456: DHCP SA, DHCP through it, tunnel SA for the lease, DHCP SA deleted', () => {
    const t = buildTopology({
      durationUs: 2_000_000,
      method: () => dhcpSaClient,
      provider: dhcpSaProvider,
      commands: [connect, ping(1_000_000)],
    });
    const out = runScenario(t.input, { seed: 1 });
    expect(ladder(out.trace)).toEqual([
      '0.010 client1→gw: IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      '0.020 gw→client1: IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(CHILDLESS_IKEV2_SUPPORTED)',
      '0.030 client1→gw: IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH}',
      '0.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH}',
      // The DHCP SA: TSi 0.0.0.0/0 UDP 68, TSr 0.0.0.0/0 UDP 67 (RFC 3456 §4.1).
      '0.050 client1→gw: CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr}',
      '0.060 gw→client1: CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr}',
      // The client SPD seals the broadcast DISCOVER into it; the gateway hands it to the provider (port 67), which
      // answers down the same SA (ProviderHost.sendToPeer).
      '0.070 client1→gw: ESP spi=0xa70aa054 seq=1 (DHCPDISCOVER xid=0x3903f326)',
      '0.080 gw→client1: ESP spi=0x402c7242 seq=1 (DHCPOFFER 10.99.0.9 xid=0x3903f326)',
      // The tunnel SA for the leased address, then the DHCP SA is deleted (§3.1 d–e).
      '0.090 client1→gw: CREATE_CHILD_SA request #3 SK{SAi2, Nonce, TSi, TSr}',
      '0.100 gw→client1: CREATE_CHILD_SA response #3 SK{SAr2, Nonce, TSi, TSr}',
      '0.110 client1→gw: INFORMATIONAL request #4 SK{D}',
      '0.120 gw→client1: INFORMATIONAL response #4 SK{D}',
      '1.010 client1→gw: ESP spi=0x968aadbd seq=1 (UDP 40000 → 7 (6 bytes))',
      '1.011 gw→host: UDP 40000 → 7 (6 bytes)',
      '1.012 host→gw: UDP 7 → 40000 (6 bytes)',
      '1.022 gw→client1: ESP spi=0xcd018255 seq=1 (UDP 7 → 40000 (6 bytes))',
    ]);
    expect(notes(out.trace, 'fake.discover').map((e) => e.data)).toEqual([{ verdict: 'tunnel' }]);
    expect(notes(out.trace, 'fake.offer').map((e) => e.data)).toEqual([{ sent: true }]);
    // One routing entry left at the gateway (the DHCP SA's was pruned), one SA on the client.
    expect(Object.values(t.gateway.routes())).toEqual([[2525670845]]);
    expect(t.clients[0]?.childSas().map((c) => c.slot)).toEqual(['tunnel']);
    expect(notes(out.trace, 'gateway.routePruned')).toHaveLength(1);
    expect(notes(out.trace, 'data.echo')).toHaveLength(1);
  });
});
