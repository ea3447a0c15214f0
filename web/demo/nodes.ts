/**
 * TEMPORARY stand-in nodes so the lab works end to end before models/nodes/ lands: a scripted IKEv2 client, a
 * gateway that relays the DHCP payload to a DHCP server (draft-ietf-ipsec-dhcp-over-ike-00 §3–§5 shape) or answers
 * CP(CFG_REQUEST) from a local pool (RFC 7296 §2.19), and a one-pool DHCP server. Real packets (models/wire/packet.ts),
 * virtual time only, seeded streams only: the browser reproduces Node's trace byte for byte.
 * Retransmission: the initiator doubles its timeout from 1 s (RFC 7296 §2.1); the gateway answers a retransmitted
 * request from its cache of the last response.
 */
import type { InterfaceConfig, NodeCommand, NodeHost, SimNode } from '../../models/contract.ts';
import type { DhcpMessage, DhcpMessageTypeCode, DhcpOption } from '../../models/wire/dhcp/types.ts';
import {
  cpReply,
  cpRequestAddressAndDns,
  dhcpPayload,
  findPayload,
  IkeAuthMethod,
  IkeExchangeType as X,
  IkeProtocolId,
  notifyPayload,
  proposalForSuite,
  sampleBytes,
  skPayload,
  tsForAddress,
  tsFullRange,
  tsPayload,
  type IkeMessage,
  type IkePayload,
} from '../../models/wire/ike/index.ts';
import { CIPHER_SUITES } from '../../models/wire/crypto-suite.ts';
import { espTunnelPacket, packetCodec, udpPacket, type Packet } from '../../models/wire/packet.ts';

export type DemoMethod = 'dhcp-over-ike' | 'mode-cfg';

const SUITE = 'aes128-sha256';
const P = { critical: false } as const;
const ZERO_SPI = '0000000000000000';
const CLIENT_OUTER = '192.0.2.10';
const GW_OUTSIDE = '192.0.2.1';
const GW_INSIDE = '10.1.0.1';
const SERVER = '10.1.0.2';
const CHADDR = Uint8Array.of(0x40, 0x00, 192, 0, 2, 10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0);
const RETRANSMIT_FIRST_US = 1_000_000;
const RETRANSMIT_TRIES_MAX = 7;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function dhcp(
  type: DhcpMessageTypeCode,
  xid: number,
  extra: DhcpOption[] = [],
  reply?: Partial<DhcpMessage>,
): DhcpMessage {
  return {
    op: type === 2 || type === 5 || type === 6 ? 2 : 1,
    htype: 31,
    hlen: 6,
    hops: 0,
    xid,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: CHADDR,
    sname: new Uint8Array(64),
    file: new Uint8Array(128),
    options: [{ kind: 'messageType', type }, ...extra],
    endPaddingBytes: 0,
    ...reply,
  };
}

function ike(
  spiI: string,
  spiR: string,
  exchangeType: number,
  messageId: number,
  response: boolean,
  payloads: IkePayload[],
): IkeMessage {
  return { spiI, spiR, exchangeType, initiator: !response, higherVersion: false, response, messageId, payloads };
}

function ikePacket(src: string, dst: string, message: IkeMessage): Packet {
  return udpPacket({ src, dst, srcPort: 500, dstPort: 500, app: { kind: 'ike', nonEspMarker: false, message } });
}

abstract class DemoNode implements SimNode<Packet> {
  readonly codec = packetCodec;
  protected hostValue: NodeHost<Packet> | undefined;
  protected readonly machineStates = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly interfaces: readonly InterfaceConfig[],
  ) {}

  protected get host(): NodeHost<Packet> {
    if (!this.hostValue) throw new Error(`${this.name} not started`);
    return this.hostValue;
  }

  start(host: NodeHost<Packet>): void {
    this.hostValue = host;
    for (const [machine, state] of this.initialStates()) this.enter(machine, state);
  }

  protected abstract initialStates(): [string, string][];

  protected enter(machine: string, to: string): void {
    const from = this.machineStates.get(machine) ?? 'start';
    if (from === to) return;
    this.machineStates.set(machine, to);
    this.host.traceState(machine, from, to);
  }

  abstract receive(iface: string, packet: Packet): void;

  crash(): void {
    for (const [machine] of this.machineStates) this.enter(machine, 'down');
  }

  restart(): void {
    for (const [machine, state] of this.initialStates()) this.enter(machine, state);
  }

  states(): Readonly<Record<string, string>> {
    return Object.fromEntries(this.machineStates);
  }
}

function ikeOf(packet: Packet): IkeMessage | undefined {
  const p = packet.payload;
  return p.kind === 'udp' && p.app.kind === 'ike' ? p.app.message : undefined;
}

/** The remote-access client: IKE_SA_INIT, IKE_AUTH (+DHCP DISCOVER or CP request), then CREATE_CHILD_SA (+REQUEST). */
export class DemoClient extends DemoNode {
  private spiI = '';
  private spiR = ZERO_SPI;
  private messageId = 0;
  private outstanding: { message: IkeMessage; tries: number; cancel: () => void } | undefined;
  private xid = 0;
  private offered = '';
  private espSeq = 0;

  constructor(
    private readonly method: DemoMethod,
    private readonly dataPackets: number,
  ) {
    super('client', [{ name: 'eth0', address: CLIENT_OUTER, prefixLength: 24 }]);
  }

  protected initialStates(): [string, string][] {
    return this.method === 'dhcp-over-ike'
      ? [
          ['ike', 'idle'],
          ['dhcp', 'INIT'],
        ]
      : [['ike', 'idle']];
  }

  command(command: NodeCommand): void {
    if (command.type !== 'cmd.connect') return;
    const rng = this.host.rng('ike');
    this.spiI = hex(sampleBytes(8, rng.nextU32()));
    this.xid = rng.nextU32();
    this.messageId = 0;
    this.request(X.IKE_SA_INIT, [
      { kind: 'SA', ...P, proposals: [proposalForSuite(CIPHER_SUITES[SUITE], IkeProtocolId.IKE, '', 14)] },
      { kind: 'KE', ...P, dhGroup: 14, data: sampleBytes(256, rng.nextU32()) },
      { kind: 'Nonce', ...P, data: sampleBytes(32, rng.nextU32()) },
    ]);
    this.enter('ike', 'initSent');
  }

  private request(exchangeType: number, payloads: IkePayload[]): void {
    this.outstanding?.cancel();
    const message = ike(this.spiI, this.spiR, exchangeType, this.messageId, false, payloads);
    this.outstanding = { message, tries: 0, cancel: () => undefined };
    this.transmit();
  }

  private transmit(): void {
    const o = this.outstanding;
    if (!o) return;
    this.host.send('eth0', ikePacket(CLIENT_OUTER, GW_OUTSIDE, o.message));
    o.tries++;
    if (o.tries > RETRANSMIT_TRIES_MAX) {
      this.outstanding = undefined;
      this.host.traceNote('ike.giveUp', { tries: o.tries - 1 });
      this.enter('ike', 'failed');
      if (this.machineStates.has('dhcp')) this.enter('dhcp', 'INIT');
      return;
    }
    // RFC 7296 §2.1: exponential back-off; the last wait ends the attempt.
    const waitUs = RETRANSMIT_FIRST_US * 2 ** (o.tries - 1);
    o.cancel = this.host.setTimerUs(waitUs, 'timer.retransmit', () => this.transmit());
  }

  receive(_iface: string, packet: Packet): void {
    const m = ikeOf(packet);
    if (m) return this.onIke(m);
    const p = packet.payload;
    if (p.kind === 'esp-sealed') this.host.traceNote('data.received', { spi: p.spi, sequence: p.sequence });
  }

  private onIke(m: IkeMessage): void {
    const o = this.outstanding;
    if (!m.response || !o || m.messageId !== o.message.messageId || m.exchangeType !== o.message.exchangeType) return;
    o.cancel();
    this.outstanding = undefined;
    this.messageId++;
    if (m.exchangeType === X.IKE_SA_INIT) {
      this.spiR = m.spiR;
      const sk: IkePayload[] = [
        { kind: 'IDi', ...P, id: { kind: 'rfc822', name: 'alice@example.com' } },
        { kind: 'AUTH', ...P, method: IkeAuthMethod.SHARED_KEY_MIC, data: sampleBytes(32, this.messageId) },
      ];
      if (this.method === 'dhcp-over-ike') {
        sk.push(dhcpPayload(dhcp(1, this.xid, [{ kind: 'parameterRequestList', codes: [1, 3, 6] }])));
        this.enter('dhcp', 'SELECTING');
      } else {
        sk.push(cpRequestAddressAndDns());
      }
      sk.push(
        { kind: 'SA', ...P, proposals: [proposalForSuite(CIPHER_SUITES[SUITE], IkeProtocolId.ESP, 'c0ffee01')] },
        tsPayload('TSi', [tsFullRange()]),
        tsPayload('TSr', [tsFullRange()]),
      );
      this.request(X.IKE_AUTH, [skPayload(SUITE, sk)]);
      this.enter('ike', 'authSent');
      return;
    }
    if (m.exchangeType === X.IKE_AUTH) {
      const offer = findPayload(m, 'DHCP');
      if (this.method === 'dhcp-over-ike' && offer?.packet.kind === 'dhcpv4') {
        this.offered = offer.packet.message.yiaddr;
        this.enter('dhcp', 'REQUESTING');
        this.enter('ike', 'established');
        const request = dhcp(3, this.xid, [
          { kind: 'requestedAddress', address: this.offered },
          { kind: 'serverId', address: SERVER },
        ]);
        this.request(X.CREATE_CHILD_SA, [
          skPayload(SUITE, [
            { kind: 'SA', ...P, proposals: [proposalForSuite(CIPHER_SUITES[SUITE], IkeProtocolId.ESP, 'c0ffee02')] },
            { kind: 'Nonce', ...P, data: sampleBytes(32, this.xid) },
            tsPayload('TSi', [tsForAddress(this.offered)]),
            tsPayload('TSr', [tsFullRange()]),
            dhcpPayload(request),
          ]),
        ]);
        this.enter('ike', 'childSent');
        return;
      }
      const cp = findPayload(m, 'CP');
      const address = cp?.attributes.find((a) => a.kind === 'ip4Address');
      this.bound(address?.kind === 'ip4Address' ? (address.address ?? '0.0.0.0') : '0.0.0.0');
      return;
    }
    if (m.exchangeType === X.CREATE_CHILD_SA) {
      const ack = findPayload(m, 'DHCP');
      if (ack?.packet.kind === 'dhcpv4') this.enter('dhcp', 'BOUND');
      this.bound(this.offered);
    }
  }

  private bound(address: string): void {
    this.enter('ike', 'established');
    this.host.traceNote('address.bound', { address });
    let n = 0;
    const tick = (): void => {
      n++;
      const inner = udpPacket({
        src: address,
        dst: SERVER,
        srcPort: 40000,
        dstPort: 7,
        app: { kind: 'raw', data: sampleBytes(24, n) },
      });
      this.host.send(
        'eth0',
        espTunnelPacket({
          src: CLIENT_OUTER,
          dst: GW_OUTSIDE,
          spi: 0xc0ffee01,
          sequence: ++this.espSeq,
          suite: SUITE,
          inner,
        }),
      );
      if (n < this.dataPackets) this.host.setTimerUs(20_000, 'timer.data', tick);
    };
    if (this.dataPackets > 0) this.host.setTimerUs(10_000, 'timer.data', tick);
  }
}

/** The gateway: IKE responder, DHCP relay (giaddr + option 82, RFC 3046) or local CP pool. */
export class DemoGateway extends DemoNode {
  private readonly spiR = '8ee674014d4fc1a4';
  private lastResponse: { messageId: number; packet: Packet } | undefined;
  private pending: { request: IkeMessage; kind: 'auth' | 'child' } | undefined;
  private poolNext = 50;

  constructor(private readonly method: DemoMethod) {
    super('gw', [
      { name: 'outside', address: GW_OUTSIDE, prefixLength: 24 },
      { name: 'inside', address: GW_INSIDE, prefixLength: 24 },
    ]);
  }

  protected initialStates(): [string, string][] {
    return [['ike', 'listening']];
  }

  receive(iface: string, packet: Packet): void {
    const p = packet.payload;
    if (iface === 'inside' && p.kind === 'udp' && p.app.kind === 'dhcp') return this.onDhcpReply(p.app.message);
    if (p.kind === 'esp-sealed' && p.inner.kind === 'packet') {
      // Echo the tunnelled datagram back (the enterprise side is out of scope of the stand-in).
      this.host.send(
        'outside',
        espTunnelPacket({
          src: GW_OUTSIDE,
          dst: CLIENT_OUTER,
          spi: 0xbeef0001,
          sequence: p.sequence,
          suite: SUITE,
          inner: p.inner.packet,
        }),
      );
      return;
    }
    const m = ikeOf(packet);
    if (m && !m.response) this.onRequest(m);
  }

  private respond(request: IkeMessage, payloads: IkePayload[]): void {
    const message = ike(request.spiI, this.spiR, request.exchangeType, request.messageId, true, payloads);
    const packet = ikePacket(GW_OUTSIDE, CLIENT_OUTER, message);
    this.lastResponse = { messageId: request.messageId, packet };
    this.host.send('outside', packet);
  }

  private onRequest(m: IkeMessage): void {
    // RFC 7296 §2.1: a retransmitted request gets the cached response again.
    if (this.lastResponse?.messageId === m.messageId) return this.host.send('outside', this.lastResponse.packet);
    if (m.exchangeType === X.IKE_SA_INIT) {
      const rng = this.host.rng('ike');
      this.respond(m, [
        { kind: 'SA', ...P, proposals: [proposalForSuite(CIPHER_SUITES[SUITE], IkeProtocolId.IKE, '', 14)] },
        { kind: 'KE', ...P, dhGroup: 14, data: sampleBytes(256, rng.nextU32()) },
        { kind: 'Nonce', ...P, data: sampleBytes(32, rng.nextU32()) },
      ]);
      this.enter('ike', 'initDone');
      return;
    }
    const discover = findPayload(m, 'DHCP');
    if (discover?.packet.kind === 'dhcpv4') {
      this.pending = { request: m, kind: m.exchangeType === X.IKE_AUTH ? 'auth' : 'child' };
      this.enter('ike', 'waitingDhcp');
      // RFC 3046 §2.0: the relay adds option 82; RFC 2131 §4.1: giaddr is the relay's address.
      const relayed: DhcpMessage = {
        ...discover.packet.message,
        giaddr: GW_INSIDE,
        hops: 1,
        options: [
          ...discover.packet.message.options,
          {
            kind: 'relayAgentInfo',
            subOptions: [{ kind: 'remoteId', data: new TextEncoder().encode('alice@example.com') }],
          },
        ],
      };
      this.host.send(
        'inside',
        udpPacket({ src: GW_INSIDE, dst: SERVER, srcPort: 67, dstPort: 67, app: { kind: 'dhcp', message: relayed } }),
      );
      return;
    }
    if (m.exchangeType === X.IKE_AUTH) {
      const address = `10.1.0.${this.poolNext++}`;
      this.respond(m, [
        skPayload(SUITE, [
          { kind: 'IDr', ...P, id: { kind: 'fqdn', name: 'gw.example.com' } },
          { kind: 'AUTH', ...P, method: IkeAuthMethod.SHARED_KEY_MIC, data: sampleBytes(32, 7) },
          cpReply(address, ['10.1.0.53'], '255.255.255.0'),
          { kind: 'SA', ...P, proposals: [proposalForSuite(CIPHER_SUITES[SUITE], IkeProtocolId.ESP, 'beef0001')] },
          tsPayload('TSi', [tsForAddress(address)]),
          tsPayload('TSr', [tsFullRange()]),
        ]),
      ]);
      this.enter('ike', 'established');
      return;
    }
    this.respond(m, [skPayload(SUITE, [notifyPayload({ notify: 'NO_PROPOSAL_CHOSEN' })])]);
  }

  private onDhcpReply(reply: DhcpMessage): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const toClient: DhcpMessage = {
      ...reply,
      giaddr: '0.0.0.0',
      options: reply.options.filter((o) => o.kind !== 'relayAgentInfo'),
    };
    const child = {
      kind: 'SA',
      ...P,
      proposals: [proposalForSuite(CIPHER_SUITES[SUITE], IkeProtocolId.ESP, 'beef0001')],
    } as const;
    if (pending.kind === 'auth') {
      this.respond(pending.request, [
        skPayload(SUITE, [
          { kind: 'IDr', ...P, id: { kind: 'fqdn', name: 'gw.example.com' } },
          { kind: 'AUTH', ...P, method: IkeAuthMethod.SHARED_KEY_MIC, data: sampleBytes(32, 9) },
          dhcpPayload(toClient),
          child,
          tsPayload('TSi', [tsFullRange()]),
          tsPayload('TSr', [tsFullRange()]),
        ]),
      ]);
      this.enter('ike', 'authDone');
    } else {
      this.respond(pending.request, [
        skPayload(SUITE, [
          child,
          { kind: 'Nonce', ...P, data: sampleBytes(32, 3) },
          tsPayload('TSi', [tsForAddress(reply.yiaddr)]),
          tsPayload('TSr', [tsFullRange()]),
          dhcpPayload(toClient),
        ]),
      ]);
      this.enter('ike', 'established');
    }
  }
}

/** One pool, 10.1.0.100 upward, 1 h leases; echoes option 82 (RFC 3046 §2.2). */
export class DemoDhcpServer extends DemoNode {
  private leaseNext = 100;
  private readonly leases = new Map<number, string>();

  constructor() {
    super('dhcp', [{ name: 'eth0', address: SERVER, prefixLength: 24 }]);
  }

  protected initialStates(): [string, string][] {
    return [['dhcpd', 'serving']];
  }

  override crash(): void {
    super.crash();
    this.leases.clear();
  }

  receive(_iface: string, packet: Packet): void {
    const p = packet.payload;
    if (p.kind !== 'udp' || p.app.kind !== 'dhcp') return;
    const m = p.app.message;
    const type = m.options.find((o) => o.kind === 'messageType');
    if (type?.kind !== 'messageType' || (type.type !== 1 && type.type !== 3)) return;
    const address = this.leases.get(m.xid) ?? `10.1.0.${this.leaseNext++}`;
    this.leases.set(m.xid, address);
    const relay = m.options.filter((o) => o.kind === 'relayAgentInfo');
    const reply = dhcp(
      type.type === 1 ? 2 : 5,
      m.xid,
      [
        { kind: 'serverId', address: SERVER },
        { kind: 'leaseTime', secs: 3600 },
        { kind: 'subnetMask', mask: '255.255.255.0' },
        { kind: 'routers', addresses: [GW_INSIDE] },
        ...relay,
      ],
      { yiaddr: address, giaddr: m.giaddr, hops: m.hops },
    );
    this.host.send(
      'eth0',
      udpPacket({ src: SERVER, dst: m.giaddr, srcPort: 67, dstPort: 67, app: { kind: 'dhcp', message: reply } }),
    );
  }
}
