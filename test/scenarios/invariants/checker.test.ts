/**
 * The invariant checker on hand-written traces: each invariant fires on the smallest trace that breaks it, and stays
 * quiet on the look-alike that does not (a hand-over at one instant, a reconnect to one's own address, a retransmitted
 * request, a response re-sent for a repeated request).
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants, InvariantChecker } from '../../../scenarios/invariants/checker.ts';
import type { InvariantContext } from '../../../scenarios/invariants/context.ts';
import { ipv4ToU32 } from '../../../models/wire/ipv4-address.ts';
import type { TraceEvent } from '../../../sim/trace.ts';

function context(over: Partial<InvariantContext> = {}): InvariantContext {
  const scope = (node: string, first: string, last: string) => ({
    node,
    firstU32: ipv4ToU32(first),
    lastU32: ipv4ToU32(last),
  });
  return {
    method: 'dhcp-over-ike',
    clients: ['c1', 'c2'],
    gateways: ['gw'],
    dhcpServers: ['dhcp'],
    innerScopes: [scope('dhcp', '10.99.1.10', '10.99.1.20')],
    scopesByNode: new Map([
      ['dhcp', [scope('dhcp', '10.99.1.10', '10.99.1.20')]],
      ['gw', [scope('gw', '10.99.0.1', '10.99.0.9')]],
    ]),
    dhcpLeased: true,
    zombieGraceUs: 1_000_000,
    leaseGraceUs: 0,
    saPerIdentityMax: 1,
    structuralAttacks: new Set(),
    adversaries: new Set(),
    ...over,
  };
}

const note = (
  atUs: number,
  node: string,
  text: string,
  data: Record<string, string | number | boolean> = {},
): TraceEvent => ({
  type: 'note',
  atUs,
  node,
  text,
  data,
});
const bound = (atUs: number, address: string, untilUs: number): TraceEvent =>
  note(atUs, 'dhcp', 'lease.bound', { address, leaseSecs: 1, untilUs });
const assigned = (atUs: number, client: string, address: string): TraceEvent =>
  note(atUs, client, 'address.assigned', { client, address });
const released = (atUs: number, client: string, address: string): TraceEvent =>
  note(atUs, client, 'address.released', { client, address });

const ids = (trace: readonly TraceEvent[], ctx = context(), finalAtUs?: number): string[] =>
  checkInvariants(trace, ctx, finalAtUs).map((v) => `${v.invariant}@${v.atUs}`);

describe('address.unique (RFC 2131 §4.3.1)', () => {
  const leases = [bound(0, '10.99.1.10', 100_000_000)];
  it('two clients holding one address when an instant closes is a violation, reported with the assignment', () => {
    const c = new InvariantChecker(context());
    for (const e of [...leases, assigned(10, 'c1', '10.99.1.10'), assigned(20, 'c2', '10.99.1.10')]) c.add(e);
    const v = c.finish(30);
    expect(v.map((x) => x.invariant)).toEqual(['address.unique']);
    expect(v[0]?.detail).toBe('10.99.1.10 held by c1 (since 10 µs) and c2 (since 20 µs)');
    expect(v[0]?.event).toEqual(assigned(20, 'c2', '10.99.1.10'));
  });
  it('a hand-over within one instant, in either order, is not', () => {
    expect(
      ids([
        ...leases,
        assigned(10, 'c1', '10.99.1.10'),
        assigned(20, 'c2', '10.99.1.10'),
        released(20, 'c1', '10.99.1.10'),
      ]),
    ).toEqual([]);
    expect(
      ids([
        ...leases,
        assigned(10, 'c1', '10.99.1.10'),
        released(20, 'c1', '10.99.1.10'),
        assigned(20, 'c2', '10.99.1.10'),
      ]),
    ).toEqual([]);
  });
  it('a client holding its own address again (a second tunnel, a reconnect) is not', () => {
    const second = note(20, 'c1', 'address.assigned', { client: 'c1', address: '10.99.1.10', tunnel: 'gw2' });
    expect(ids([...leases, assigned(10, 'c1', '10.99.1.10'), second])).toEqual([]);
  });
  it('a client crash ends its holdings', () => {
    const crash: TraceEvent = { type: 'fault', atUs: 15, fault: 'node.crash', id: 'x', detail: 'node c1' };
    expect(ids([...leases, assigned(10, 'c1', '10.99.1.10'), crash, assigned(20, 'c2', '10.99.1.10')])).toEqual([]);
  });
});

describe('address.inScope and lease.notPastExpiry (RFC 2131 §4.4.5)', () => {
  it('an address outside the method scopes, and a lease outside the server pool', () => {
    expect(ids([bound(0, '10.99.1.10', 10_000_000), assigned(1, 'c1', '10.99.2.1')])).toEqual([
      'address.inScope@1',
      'lease.notPastExpiry@1',
    ]);
    expect(ids([bound(5, '10.99.0.1', 10_000_000)])).toEqual(['address.inScope@5']);
  });
  it('holding past the server lease is a violation from the first instant after it; releasing at it is not', () => {
    expect(ids([bound(0, '10.99.1.10', 100), assigned(10, 'c1', '10.99.1.10'), note(101, 'host', 'x')])).toEqual([
      'lease.notPastExpiry@101',
    ]);
    expect(
      ids([
        bound(0, '10.99.1.10', 100),
        assigned(10, 'c1', '10.99.1.10'),
        released(100, 'c1', '10.99.1.10'),
        note(500, 'host', 'x'),
      ]),
    ).toEqual([]);
  });
  it('a renewal moves the lease end; a RELEASE (lease.ended) pulls it in', () => {
    const renewed = [bound(0, '10.99.1.10', 100), assigned(10, 'c1', '10.99.1.10'), bound(50, '10.99.1.10', 1000)];
    expect(ids([...renewed, note(500, 'host', 'x')])).toEqual([]);
    expect(
      ids([
        ...renewed,
        note(60, 'dhcp', 'lease.ended', { address: '10.99.1.10', why: 'released' }),
        note(61, 'host', 'x'),
      ]),
    ).toEqual(['lease.notPastExpiry@61']);
  });
  it('mode-cfg-dhcp: within the detection bound an overrun is counted as structural, beyond it a violation', () => {
    const ctx = context({ method: 'mode-cfg-dhcp', leaseGraceUs: 1000 });
    const held = [bound(0, '10.99.1.10', 100), assigned(10, 'c1', '10.99.1.10')];
    const c = new InvariantChecker(ctx);
    for (const e of [...held, released(900, 'c1', '10.99.1.10'), note(2000, 'host', 'x')]) c.add(e);
    expect(c.finish(2000)).toEqual([]);
    expect(c.structuralLeaseOverruns).toBe(1);
    expect(ids([...held, note(1101, 'host', 'x')], ctx)).toEqual(['lease.notPastExpiry@1101']);
  });
  it('mode-cfg addresses are not DHCP leases', () => {
    const gwScope = { node: 'gw', firstU32: ipv4ToU32('10.99.0.1'), lastU32: ipv4ToU32('10.99.0.9') };
    const ctx = context({ method: 'mode-cfg', dhcpLeased: false, innerScopes: [gwScope] });
    expect(
      ids(
        [
          note(1, 'gw', 'pool.acquire', { peer: 'c1', address: '10.99.0.1' }),
          assigned(2, 'c1', '10.99.0.1'),
          note(9, 'x', 'y'),
        ],
        ctx,
      ),
    ).toEqual([]);
  });
});

describe('child.tsiIsAddress (seed §3, WG §4, RFC 7296 §2.9)', () => {
  const base = [bound(0, '10.99.1.10', 1e9), assigned(10, 'c1', '10.99.1.10')];
  it('a tunnel Child SA narrowed to the held address; the RFC 3456 DHCP SA selector is not a tunnel selector', () => {
    const ok = note(10, 'c1', 'client.childAdded', { slot: 'main', spiIn: 1, tsi: '10.99.1.10-10.99.1.10' });
    const dhcpSa = note(10, 'c1', 'client.childAdded', {
      slot: 'dhcp',
      spiIn: 2,
      tsi: '0.0.0.0-255.255.255.255/17:68-68',
    });
    expect(ids([...base, ok, dhcpSa])).toEqual([]);
  });
  it('a Child SA whose TSi is not the held address', () => {
    const wide = note(10, 'c1', 'client.childAdded', { slot: 'main', spiIn: 1, tsi: '0.0.0.0-255.255.255.255' });
    expect(ids([...base, wide])).toEqual(['child.tsiIsAddress@10']);
  });
});

describe('IKE message IDs and the responder cache (RFC 7296 §2.1–2.2)', () => {
  /** An IPv4/UDP 500 datagram with an IKE header (exchange 37 INFORMATIONAL), in hex. */
  const ike = (messageId: number, response: boolean, tail = '00'): string => {
    const ip = '4500' + '0000' + '0000' + '0000' + '4011' + '0000' + 'c6336401' + 'c6336402';
    const udp = '01f4' + '01f4' + '0000' + '0000';
    const spis = '1111111111111111' + '2222222222222222';
    const header =
      spis + '00' + '20' + '25' + (response ? '20' : '08') + messageId.toString(16).padStart(8, '0') + '0000001c';
    return ip + udp + header + tail;
  };
  let packetId = 0;
  const send = (atUs: number, node: string, bytes: string): TraceEvent => ({
    type: 'send',
    atUs,
    node,
    iface: 'eth0',
    packetId: ++packetId,
    length: bytes.length / 2,
    summary: 'IKE',
    bytes,
  });
  const deliver = (atUs: number, node: string, id: number): TraceEvent => ({
    type: 'deliver',
    atUs,
    node,
    iface: 'eth0',
    link: 'l',
    dir: 'a→b',
    packetId: id,
    sentAtUs: 0,
    summary: 'IKE',
  });
  it('a retransmission is the same bytes; a new request must carry a higher message ID', () => {
    expect(ids([send(1, 'c1', ike(2, false)), send(2, 'c1', ike(2, false)), send(3, 'c1', ike(3, false))])).toEqual([]);
    expect(ids([send(1, 'c1', ike(2, false)), send(2, 'c1', ike(2, false, '01'))])).toEqual([
      'ike.messageIdIncreases@2',
    ]);
    expect(ids([send(1, 'c1', ike(3, false)), send(2, 'c1', ike(2, false))])).toEqual(['ike.messageIdIncreases@2']);
  });
  it('a response is re-sent byte-identical, once per repeated request received, never on its own', () => {
    packetId = 0;
    const req = send(1, 'c1', ike(2, false));
    const again = send(5, 'c1', ike(2, false));
    const good = [
      req,
      deliver(2, 'gw', 1),
      send(2, 'gw', ike(2, true)),
      again,
      deliver(6, 'gw', 2),
      send(6, 'gw', ike(2, true)),
    ];
    expect(ids(good)).toEqual([]);
    packetId = 0;
    const changed = [
      req,
      deliver(2, 'gw', 1),
      send(2, 'gw', ike(2, true)),
      again,
      deliver(6, 'gw', 2),
      send(6, 'gw', ike(2, true, '01')),
    ];
    expect(ids(changed)).toEqual(['ike.cachedResponse@6']);
    packetId = 0;
    const unasked = [
      send(1, 'c1', ike(2, false)),
      deliver(2, 'gw', 1),
      send(2, 'gw', ike(2, true)),
      send(9, 'gw', ike(2, true)),
    ];
    expect(ids(unasked)).toEqual(['ike.onlyInitiatorRetransmits@9']);
  });
});

describe('IKE checks and adversaries', () => {
  const ike = (dst: string, messageId: number, response: boolean): string => {
    const ip = '4500' + '0000' + '0000' + '0000' + '4011' + '0000' + 'c6336401' + dst;
    const header =
      '1111111111111111' +
      '2222222222222222' +
      '00' +
      '20' +
      '25' +
      (response ? '20' : '08') +
      messageId.toString(16).padStart(8, '0') +
      '0000001c';
    return ip + '01f4' + '01f4' + '0000' + '0000' + header;
  };
  const send = (atUs: number, node: string, packetId: number, bytes: string): TraceEvent => ({
    type: 'send',
    atUs,
    node,
    iface: 'eth0',
    packetId,
    length: bytes.length / 2,
    summary: 'IKE',
    bytes,
  });
  const deliver = (atUs: number, node: string, packetId: number): TraceEvent => ({
    type: 'deliver',
    atUs,
    node,
    iface: 'eth0',
    link: 'l',
    dir: 'a→b',
    packetId,
    sentAtUs: 0,
    summary: 'IKE',
  });
  const ctx = context({ adversaries: new Set(['mallory']) });
  it("a replayed request gets the cached response at the replayer's address: same IKE message, not a violation", () => {
    const trace = [
      send(1, 'c1', 1, ike('c6336402', 2, false)),
      deliver(2, 'gw', 1),
      send(2, 'gw', 2, ike('c6336402', 2, true)),
      send(5, 'mallory', 3, ike('c6336402', 2, false)),
      deliver(6, 'gw', 3),
      send(6, 'gw', 4, ike('c63364fa', 2, true)),
      send(7, 'mallory', 5, ike('c6336402', 2, true)),
      send(8, 'mallory', 6, ike('c6336402', 2, true)),
    ];
    expect(ids(trace, ctx)).toEqual([]);
  });
});

describe('gateway, SPD, machines and attacks', () => {
  it('an adversary sharing a victim address: a violation, or counted where the method cannot refuse lease theft', () => {
    const trace = [bound(0, '10.99.1.10', 1e9), assigned(10, 'c1', '10.99.1.10'), assigned(20, 'm', '10.99.1.10')];
    const adv = context({ clients: ['c1', 'm'], adversaries: new Set(['m']) });
    expect(ids(trace, adv)).toEqual(['address.unique@20']);
    const c = new InvariantChecker(
      context({ clients: ['c1', 'm'], adversaries: new Set(['m']), structuralAttacks: new Set(['lease-theft']) }),
    );
    for (const e of trace) c.add(e);
    expect(c.finish(30)).toEqual([]);
    expect(c.structuralTheft).toBe(1);
  });
  it('ESP on a forgotten SPI beyond the detection bound; more SAs per identity than allowed', () => {
    const spi = (atUs: number): TraceEvent => note(atUs, 'c1', 'data.unknownSpi', { spi: 7 });
    expect(ids([spi(0), spi(900_000)])).toEqual([]);
    expect(ids([spi(0), spi(1_000_001)])).toEqual(['gateway.noZombieSa@1000001']);
    const up = (atUs: number, sa: string): TraceEvent => note(atUs, 'gw', 'gateway.saUp', { peer: 'c1@x', ikeSa: sa });
    expect(ids([up(1, 'a'), note(2, 'gw', 'gateway.saClosed', { peer: 'c1@x', ikeSa: 'a' }), up(3, 'b')])).toEqual([]);
    expect(ids([up(1, 'a'), up(3, 'b')])).toEqual(['gateway.saPerIdentity@3']);
  });
  it('DHCP in the clear, a dropped protocol event, a successful attack (unless structural)', () => {
    expect(
      ids([note(1, 'c1', 'spd.leaked', { client: 'c1', dst: '255.255.255.255', dstPort: 67, tunnel: 'primary' })]),
    ).toEqual(['spd.noClearDhcp@1']);
    expect(
      ids([note(1, 'c1', 'machine.unhandled', { machine: 'ike-i', state: 'authSent', event: 'net.recv' })]),
    ).toEqual(['machine.handled@1']);
    expect(ids([note(1, 'c1', 'machine.unhandled', { machine: 'ike-i', state: 'closed', event: 'timer.x' })])).toEqual(
      [],
    );
    const won = note(1, 'gw', 'attack.succeeded', { kind: 'lease-theft' });
    expect(ids([won])).toEqual(['attack.refused@1']);
    expect(ids([won], context({ structuralAttacks: new Set(['lease-theft']) }))).toEqual([]);
  });
});

describe('liveness after the heal and the quiet period', () => {
  const live = context({
    liveness: { healedAtUs: 100, quietUs: 100, wanted: ['c1'], capacity: 11, dataExpected: true },
  });
  it('a wanted client must hold an address, see echoes after the quiet period, and not sit in a waiting state', () => {
    expect(
      ids(
        [
          bound(0, '10.99.1.10', 1e9),
          assigned(10, 'c1', '10.99.1.10'),
          note(250, 'c1', 'data.echo', { seq: 1, rttUs: 5 }),
        ],
        live,
        300,
      ),
    ).toEqual([]);
    expect(ids([], live, 300)).toEqual(['live.addressed@300']);
    expect(
      ids([bound(0, '10.99.1.10', 1e9), assigned(10, 'c1', '10.99.1.10'), note(150, 'c1', 'data.echo', {})], live, 300),
    ).toEqual(['live.dataFlows@300']);
    const stuck: TraceEvent = { type: 'state', atUs: 50, node: 'c1', machine: 'ike', from: 'idle', to: 'initSent' };
    expect(ids([stuck, bound(0, '10.99.1.10', 1e9)], live, 300)).toEqual(['live.addressed@300', 'live.notWaiting@300']);
  });
  it('demand beyond the scopes is excused; no data is asked for when the workload pings nobody', () => {
    const tight = context({
      liveness: { healedAtUs: 100, quietUs: 100, wanted: ['c1', 'c2'], capacity: 1, dataExpected: false },
    });
    const held = [bound(0, '10.99.1.10', 1e9), assigned(10, 'c1', '10.99.1.10')];
    expect(ids(held, tight, 300)).toEqual([]);
    expect(ids([], tight, 300)).toEqual(['live.addressed@300', 'live.addressed@300']);
  });
  it('a lease renewed after the quiet period for nobody is an orphan, unless it is bound in the last 10 s', () => {
    const trace = (boundAtUs: number): TraceEvent[] =>
      [
        bound(boundAtUs, '10.99.1.11', 1e9),
        assigned(10, 'c1', '10.99.1.10'),
        bound(10, '10.99.1.10', 1e9),
        note(260, 'c1', 'data.echo', {}),
      ].sort((a, b) => a.atUs - b.atUs);
    expect(ids(trace(250), live, 20_000_000)).toEqual(['live.noOrphan@20000000']);
    expect(ids(trace(15_000_000), live, 20_000_000)).toEqual([]);
  });
  it('a client re-addressed periodically is served even when the run ends in a gap', () => {
    const gap = [
      bound(0, '10.99.1.10', 1e9),
      assigned(10, 'c1', '10.99.1.10'),
      note(250, 'c1', 'data.echo', {}),
      released(280, 'c1', '10.99.1.10'),
    ];
    expect(ids(gap, live, 300)).toEqual([]);
  });
});

describe('offline over JSON Lines', () => {
  it('reads the canonical JSONL a run writes', () => {
    const lines = [bound(0, '10.99.1.10', 1e9), assigned(10, 'c1', '10.99.1.10'), assigned(20, 'c2', '10.99.1.10')]
      .map((e) => JSON.stringify(e))
      .join('\n');
    expect(checkInvariants(lines, context()).map((v) => v.invariant)).toEqual(['address.unique']);
  });
});
