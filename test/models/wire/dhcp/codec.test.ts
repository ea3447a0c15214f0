import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  dhcpMessageLength,
  emitDhcpMessage,
  emitDhcpMessageInto,
  parseDhcpMessage,
} from '../../../../models/wire/dhcp/codec.ts';
import {
  buildDhcpMessage,
  defaultDhcpMessage,
  dhcpAllOptions,
  dhcpMessageTypeName,
  dhcpMessageTypeOf,
  getDhcpOption,
  getRawDhcpOption,
  hardwareAddress,
  withDhcpOption,
} from '../../../../models/wire/dhcp/message.ts';
import { getRelayAgentSubOption } from '../../../../models/wire/dhcp/relay-agent.ts';
import type { DhcpMessage } from '../../../../models/wire/dhcp/types.ts';
import { fromHex, toHex } from '../../../../models/wire/bytes.ts';
import { WireEmitError } from '../../../../models/wire/result.ts';
import { checkCodecContract, checkNeverThrows, type CodecUnderTest } from '../codec-contract.ts';
import { KEA_DISCOVER_IPV4_HEX } from '../fixtures/captured-hex.ts';
import { dhcpMessageArb } from '../arbitraries/dhcp.ts';

export const dhcpCodec: CodecUnderTest<DhcpMessage> = {
  name: 'dhcp',
  parse: (b, o) => parseDhcpMessage(b, o),
  emit: (m) => emitDhcpMessage(m, { maxMessageBytes: 0xffff }),
  emitInto: (m, b, o) => emitDhcpMessageInto(m, b, o, { maxMessageBytes: 0xffff }),
  length: dhcpMessageLength,
};

const mac = Uint8Array.of(0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01);
const text = (s: string) => new TextEncoder().encode(s);

const relayedRequest: DhcpMessage = buildDhcpMessage({
  type: 'REQUEST',
  xid: 0x1a2b3c4d,
  hardwareAddress: mac,
  fields: { giaddr: '192.0.2.1', hops: 1 },
  options: [
    { kind: 'requestedAddress', address: '10.1.0.7' },
    { kind: 'serverId', address: '192.0.2.254' },
    { kind: 'clientId', type: 1, data: mac },
    { kind: 'parameterRequestList', codes: [1, 3, 6, 15, 51, 54] },
    { kind: 'maxMessageSize', bytes: 1500 },
    { kind: 'hostName', name: 'alice-laptop' },
    {
      kind: 'relayAgentInfo',
      subOptions: [
        { kind: 'circuitId', data: text('gw1:ike-sa-0001') },
        { kind: 'remoteId', data: text('alice@example.com') },
        { kind: 'linkSelection', subnet: '10.1.0.0' },
        { kind: 'serverIdOverride', serverId: '192.0.2.1' },
        { kind: 'relayPort', port: 4567 },
        { kind: 'raw', code: 151, data: Uint8Array.of(1, 2) },
      ],
    },
  ],
});

const kea = fromHex(KEA_DISCOVER_IPV4_HEX).subarray(28);

describe('dhcp codec', () => {
  it('parses Kea-relayed DISCOVER bytes to exact values and re-emits identical', () => {
    const r = parseDhcpMessage(kea, 0);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const m = r.value;
    expect(m.op).toBe(1);
    expect(m.hops).toBe(1);
    expect(m.xid).toBe(0x47e0bc5c);
    expect(m.giaddr).toBe('127.0.0.2');
    expect(toHex(hardwareAddress(m))).toBe('525400aabb01');
    expect(m.options).toEqual([
      { kind: 'messageType', type: 1 },
      { kind: 'clientId', type: 1, data: mac },
      { kind: 'parameterRequestList', codes: [1, 3, 6, 15, 51, 54] },
      {
        kind: 'relayAgentInfo',
        subOptions: [
          { kind: 'circuitId', data: text('sgw1:ike-sa-0001') },
          { kind: 'remoteId', data: text('alice@example.com') },
        ],
      },
    ]);
    expect(m.endPaddingBytes).toBe(0);
    expect(r.bytesRead).toBe(300);
    expect(toHex(emitDhcpMessage(m))).toBe(toHex(kea));
    expect(dhcpMessageTypeOf(m)).toBe(1);
    expect(dhcpMessageTypeName(1)).toBe('DISCOVER');
  });

  it('emits the exact option bytes', () => {
    const bytes = emitDhcpMessage(relayedRequest);
    expect(bytes.length).toBe(dhcpMessageLength(relayedRequest));
    expect(toHex(bytes.subarray(0, 12))).toBe('01010601' + '1a2b3c4d' + '00000000');
    expect(toHex(bytes.subarray(24, 28))).toBe('c0000201');
    expect(toHex(bytes.subarray(236, 255))).toBe('63825363' + '350103' + '32040a010007' + '3604c00002fe');
    const opt82At = bytes.length - 1 - 58;
    expect(toHex(bytes.subarray(opt82At, opt82At + 4))).toBe('5238010f');
    expect(bytes[bytes.length - 1]).toBe(255);
  });

  it('typed helpers', () => {
    expect(getDhcpOption(relayedRequest, 'requestedAddress')?.address).toBe('10.1.0.7');
    expect(getDhcpOption(relayedRequest, 'leaseTime')).toBeUndefined();
    const opt82 = getDhcpOption(relayedRequest, 'relayAgentInfo');
    expect(opt82 && getRelayAgentSubOption(opt82.subOptions, 'relayPort')?.port).toBe(4567);
    expect(relayedRequest.op).toBe(1);
    expect(buildDhcpMessage({ type: 'NAK', xid: 1, hardwareAddress: mac }).op).toBe(2);
    const withLease = withDhcpOption(relayedRequest, { kind: 'leaseTime', secs: 3600 });
    expect(getDhcpOption(withLease, 'leaseTime')?.secs).toBe(3600);
    expect(withDhcpOption(withLease, { kind: 'leaseTime', secs: 60 }).options.length).toBe(withLease.options.length);
  });

  it('reads options from file and sname under option 52 and keeps the raw fields', () => {
    const file = new Uint8Array(128);
    file.set([51, 4, 0, 0, 0x0e, 0x10, 255]); // lease 3600 in file
    const sname = new Uint8Array(64);
    sname.set([0, 224, 2, 9, 9, 255]); // pad, raw option 224 in sname
    const m = defaultDhcpMessage({
      op: 2,
      file,
      sname,
      options: [
        { kind: 'messageType', type: 5 },
        { kind: 'overload', value: 3 },
      ],
    });
    const bytes = emitDhcpMessage(m);
    const back = parseDhcpMessage(bytes, 0);
    expect(back.ok && back.value).toEqual(m);
    expect(getDhcpOption(m, 'leaseTime')?.secs).toBe(3600);
    expect(Array.from(getRawDhcpOption(m, 224) ?? [])).toEqual([9, 9]);
    expect(dhcpAllOptions(m).map((o) => o.kind)).toEqual(['messageType', 'overload', 'leaseTime', 'raw']);
    // A malformed overloaded field is a decode error naming it.
    const bad = bytes.slice();
    bad[108] = 51;
    bad[109] = 200;
    expect(parseDhcpMessage(bad, 0)).toMatchObject({
      ok: false,
      error: { field: 'dhcp.file.options[0].len', offset: 109 },
    });
  });

  it('splits long options per RFC 3396 and joins them on parse', () => {
    const long = { kind: 'raw' as const, code: 224, data: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) };
    const m = defaultDhcpMessage({ options: [long, { kind: 'messageType', type: 1 }] });
    const bytes = emitDhcpMessage(m);
    expect(bytes[240]).toBe(224);
    expect(bytes[241]).toBe(255);
    expect(bytes[240 + 257]).toBe(224);
    expect(bytes[240 + 258]).toBe(45);
    expect(parseDhcpMessage(bytes, 0)).toEqual({ ok: true, value: m, bytesRead: bytes.length });
  });

  it('enforces the size limit (576 by default, option 57 raises it)', () => {
    const big = defaultDhcpMessage({
      options: [
        { kind: 'hostName', name: 'x'.repeat(250) },
        { kind: 'domainName', name: 'y'.repeat(100) },
      ],
    });
    expect(dhcpMessageLength(big)).toBe(240 + 252 + 102 + 1);
    expect(() => emitDhcpMessage(big)).toThrow(WireEmitError);
    expect(() => emitDhcpMessage(big)).toThrow('dhcp: message is 595 bytes, over the 576-byte limit');
    expect(emitDhcpMessage(withDhcpOption(big, { kind: 'maxMessageSize', bytes: 1500 })).length).toBe(599);
    expect(emitDhcpMessage(big, { maxMessageBytes: 600 }).length).toBe(595);
  });

  it('rejects unencodable values naming the field', () => {
    expect(() => emitDhcpMessage({ ...relayedRequest, giaddr: 'x' })).toThrow(/dhcp\.giaddr/);
    expect(() => emitDhcpMessage({ ...relayedRequest, chaddr: new Uint8Array(6) })).toThrow(/dhcp\.chaddr/);
    expect(() => emitDhcpMessage(defaultDhcpMessage({ options: [{ kind: 'routers', addresses: [] }] }))).toThrow(
      /dhcp\.options\[0\]\.addresses/,
    );
    expect(() =>
      emitDhcpMessage(defaultDhcpMessage({ options: [{ kind: 'raw', code: 255, data: new Uint8Array(0) }] })),
    ).toThrow(/code/);
    expect(() =>
      emitDhcpMessage(
        defaultDhcpMessage({
          options: [{ kind: 'relayAgentInfo', subOptions: [{ kind: 'circuitId', data: new Uint8Array(256) }] }],
        }),
      ),
    ).toThrow(/dhcp\.options\[0\]\.sub\[0\]\.len/);
  });

  it('keeps unknown options, malformed known options and unknown sub-options raw', () => {
    const m = defaultDhcpMessage({
      options: [
        { kind: 'raw', code: 1, data: Uint8Array.of(1, 2, 3) }, // subnet mask of the wrong length
        { kind: 'raw', code: 82, data: Uint8Array.of(1, 9, 0) }, // option 82 whose sub-option overruns
        { kind: 'raw', code: 250, data: new Uint8Array(0) },
        { kind: 'pad' },
      ],
      endPaddingBytes: 7,
    });
    checkCodecContract(dhcpCodec, m);
  });

  it('reports decode errors with field and offset', () => {
    const bytes = emitDhcpMessage(relayedRequest);
    const badCookie = bytes.slice();
    badCookie[236] = 0;
    expect(parseDhcpMessage(badCookie, 0)).toMatchObject({
      ok: false,
      error: { field: 'dhcp.magicCookie', offset: 236 },
    });
    expect(parseDhcpMessage(bytes.subarray(0, 250), 0)).toMatchObject({
      ok: false,
      error: { field: 'dhcp.options[2].len', offset: 249 },
    });
    const noEnd = bytes.slice(0, bytes.length);
    noEnd[noEnd.length - 1] = 0;
    expect(parseDhcpMessage(noEnd, 0)).toMatchObject({
      ok: false,
      error: { field: 'dhcp.options', offset: bytes.length },
    });
    const trailing = new Uint8Array(bytes.length + 2);
    trailing.set(bytes);
    trailing[bytes.length + 1] = 7;
    expect(parseDhcpMessage(trailing, 0)).toMatchObject({
      ok: false,
      error: { field: 'dhcp.endPadding', offset: bytes.length + 1 },
    });
    const badOp = bytes.slice();
    badOp[0] = 3;
    expect(parseDhcpMessage(badOp, 0)).toMatchObject({ ok: false, error: { field: 'dhcp.op', offset: 0 } });
  });

  it('satisfies the codec contract', () => {
    checkCodecContract(dhcpCodec, relayedRequest);
    checkCodecContract(dhcpCodec, defaultDhcpMessage());
  });

  test.prop([dhcpMessageArb])('round-trips valid messages', (m) => checkCodecContract(dhcpCodec, m));
  test.prop([fc.uint8Array({ maxLength: 400 })])('never throws on arbitrary bytes', (b) =>
    checkNeverThrows(dhcpCodec, b),
  );
  test.prop([dhcpMessageArb, fc.nat(), fc.nat(255)])('never throws on a mutated valid message', (m, at, value) => {
    const bytes = emitDhcpMessage(m, { maxMessageBytes: 0xffff });
    bytes[at % bytes.length] = value;
    checkNeverThrows(dhcpCodec, bytes);
  });
});
