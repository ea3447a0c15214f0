import { describe, expect, test } from 'vitest';
import { buildDiscover } from '../../../models/dhcp/client-messages.ts';
import { ethernetIdentity } from '../../../models/dhcp/client-identity.ts';
import { relayReply, relayRequest } from '../../../models/dhcp/relay.ts';
import type { RelayRequestConfig } from '../../../models/dhcp/relay.ts';
import { dhcpMessageLength } from '../../../models/wire/dhcp/codec.ts';
import type { DhcpMessage, DhcpOption } from '../../../models/wire/dhcp/types.ts';

const discover = buildDiscover(
  {
    identity: ethernetIdentity('02:00:00:00:00:01'),
    xid: 5,
    secs: 0,
    broadcastFlag: false,
    parameterRequestList: [1, 3],
  },
  null,
);
const cfg: RelayRequestConfig = { giaddr: '10.2.0.1', circuitId: Uint8Array.of(1), remoteId: Uint8Array.of(2, 2) };

function forwarded(m: DhcpMessage, c: RelayRequestConfig = cfg): DhcpMessage {
  const r = relayRequest(m, c);
  if (r.kind !== 'forward') throw new Error(r.reason);
  return r.message;
}

describe('relayRequest (RFC 1542 §4.1.1, RFC 3046 §2.1)', () => {
  test('giaddr set when zero', () => {
    expect(forwarded(discover).giaddr).toBe('10.2.0.1');
  });
  test('giaddr kept when another relay set it', () => {
    expect(forwarded({ ...discover, giaddr: '10.3.0.1' }).giaddr).toBe('10.3.0.1');
  });
  test('hops + 1; 16 still forwarded, 17 dropped', () => {
    expect(forwarded({ ...discover, hops: 16 }).hops).toBe(17);
    expect(relayRequest({ ...discover, hops: 17 }, cfg)).toEqual({ kind: 'drop', reason: 'hops-exceeded' });
  });
  test('option 82 appended last (before END) with circuit-id and remote-id', () => {
    const m = forwarded(discover);
    expect(m.options.at(-1)).toEqual({
      kind: 'relayAgentInfo',
      subOptions: [
        { kind: 'circuitId', data: Uint8Array.of(1) },
        { kind: 'remoteId', data: Uint8Array.of(2, 2) },
      ],
    });
    expect(m.options.slice(0, -1)).toEqual(discover.options);
  });
  test('link-selection (RFC 3527) and server-identifier-override (RFC 5107) when asked', () => {
    const m = forwarded(discover, { ...cfg, linkSelection: '10.5.0.0', serverIdOverride: '10.2.0.1' });
    const last = m.options.at(-1);
    expect(last?.kind === 'relayAgentInfo' && last.subOptions.slice(2)).toEqual([
      { kind: 'linkSelection', subnet: '10.5.0.0' },
      { kind: 'serverIdOverride', serverId: '10.2.0.1' },
    ]);
  });
  test('option 82 that would not fit: forwarded without it, and reported', () => {
    const limit = dhcpMessageLength(discover) + 5; // option 82 here takes 2 + 3 + 4 = 9 bytes
    const r = relayRequest(discover, { ...cfg, messageBytesMax: limit });
    expect(r.kind === 'forward' && [r.option82Skipped, r.added, r.message.options.length]).toEqual([true, null, 2]);
  });
  test('client-supplied option 82 with giaddr = 0 from an untrusted side is dropped (RFC 3046 §2.1)', () => {
    const spoofed: DhcpMessage = {
      ...discover,
      options: [...discover.options, { kind: 'relayAgentInfo', subOptions: [] }],
    };
    expect(relayRequest(spoofed, cfg)).toEqual({ kind: 'drop', reason: 'untrusted-option-82' });
    const trusted = relayRequest(spoofed, { ...cfg, trustedClientSide: true });
    expect(trusted.kind === 'forward' && trusted.added).toBeNull();
  });
  test('RFC 3046 §2.1.1: a reforwarded request (giaddr ≠ 0) without option 82 goes on without one added', () => {
    const r = relayRequest({ ...discover, giaddr: '10.3.0.1', hops: 1 }, cfg);
    expect(r.kind === 'forward' && [r.added, r.message.giaddr, r.message.hops, r.message.options]).toEqual([
      null,
      '10.3.0.1',
      2,
      discover.options,
    ]);
  });
  test("RFC 3046 §2.1.1: a reforwarded request's option 82 is forwarded as it came, not dropped as untrusted", () => {
    const theirs: DhcpOption = { kind: 'relayAgentInfo', subOptions: [{ kind: 'circuitId', data: Uint8Array.of(9) }] };
    const m: DhcpMessage = { ...discover, giaddr: '10.3.0.1', hops: 1, options: [...discover.options, theirs] };
    const r = relayRequest(m, cfg);
    expect(r.kind === 'forward' && [r.added, r.message.options]).toEqual([null, m.options]);
  });
  test('RFC 3046 §2.1.1: a request whose giaddr is our own address is dropped (spoofed)', () => {
    expect(relayRequest({ ...discover, giaddr: '10.2.0.1', hops: 1 }, cfg)).toEqual({
      kind: 'drop',
      reason: 'giaddr-spoofed',
    });
  });
  test('a BOOTREPLY from the client side is not relayed', () => {
    expect(relayRequest({ ...discover, op: 2 }, cfg)).toEqual({ kind: 'drop', reason: 'not-a-request' });
  });
});

describe('relayReply (RFC 3046 §2.2, RFC 2131 §4.1)', () => {
  const sent = [
    { kind: 'circuitId', data: Uint8Array.of(1) },
    { kind: 'remoteId', data: Uint8Array.of(2, 2) },
  ] as const;
  const info: DhcpOption = { kind: 'relayAgentInfo', subOptions: sent };
  const offer: DhcpMessage = {
    ...discover,
    op: 2,
    giaddr: '10.2.0.1',
    yiaddr: '10.2.0.10',
    options: [{ kind: 'messageType', type: 2 }, info],
  };
  const rc = { ourAddresses: ['10.2.0.1'], expected: sent };

  test('accepted when giaddr is ours and option 82 matches; 82 stripped; unicast to yiaddr', () => {
    const r = relayReply(offer, rc);
    expect(r.kind === 'forward' && [r.message.options, r.destination]).toEqual([
      [{ kind: 'messageType', type: 2 }],
      { address: '10.2.0.10', port: 68 },
    ]);
  });
  test('broadcast when the BROADCAST bit is set', () => {
    const r = relayReply({ ...offer, flags: 0x8000 }, rc);
    expect(r.kind === 'forward' && r.destination).toEqual({ address: '255.255.255.255', port: 68 });
  });
  test('dropped when giaddr is not ours', () => {
    expect(relayReply({ ...offer, giaddr: '10.3.0.1' }, rc)).toEqual({ kind: 'drop', reason: 'not-our-giaddr' });
  });
  test('dropped when option 82 differs from what we sent, or is missing', () => {
    const other: DhcpOption = { kind: 'relayAgentInfo', subOptions: [sent[1], sent[0]] };
    expect(relayReply({ ...offer, options: [offer.options[0]!, other] }, rc)).toEqual({
      kind: 'drop',
      reason: 'option-82-mismatch',
    });
    expect(relayReply({ ...offer, options: [offer.options[0]!] }, rc)).toEqual({
      kind: 'drop',
      reason: 'option-82-missing',
    });
  });
});
