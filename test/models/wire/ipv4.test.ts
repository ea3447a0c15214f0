import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { emitIpv4, emitIpv4Into, ipv4Length, parseIpv4, type Ipv4Packet } from '../../../models/wire/ipv4.ts';
import { fromHex, toHex } from '../../../models/wire/bytes.ts';
import { WireEmitError } from '../../../models/wire/result.ts';
import { checkCodecContract, checkNeverThrows, type CodecUnderTest } from './codec-contract.ts';
import { KEA_DISCOVER_IPV4_HEX } from './fixtures/captured-hex.ts';
import { ipv4PacketArb } from './arbitraries/ipv4.ts';

export const ipv4Codec: CodecUnderTest<Ipv4Packet> = {
  name: 'ipv4',
  parse: parseIpv4,
  emit: emitIpv4,
  emitInto: emitIpv4Into,
  length: ipv4Length,
};

const sample: Ipv4Packet = {
  tos: 0,
  identification: 0x1234,
  flags: 2,
  fragmentOffset: 0,
  ttl: 64,
  protocol: 17,
  src: '192.0.2.1',
  dst: '198.51.100.7',
  options: new Uint8Array(0),
  payload: Uint8Array.of(1, 2, 3),
};

describe('ipv4', () => {
  it('parses a captured header and re-emits it byte-identical', () => {
    const bytes = fromHex(KEA_DISCOVER_IPV4_HEX);
    const result = parseIpv4(bytes, 0);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const { payload, ...header } = result.value;
    expect(header).toEqual({
      tos: 0,
      identification: 0xdaf3,
      flags: 2,
      fragmentOffset: 0,
      ttl: 64,
      protocol: 17,
      src: '127.0.0.2',
      dst: '127.0.0.1',
      options: new Uint8Array(0),
    });
    expect(payload.length).toBe(308);
    expect(result.bytesRead).toBe(328);
    expect(toHex(emitIpv4(result.value))).toBe(KEA_DISCOVER_IPV4_HEX);
  });

  it('emits the exact header with a correct checksum', () => {
    expect(toHex(emitIpv4(sample))).toBe('45000017123440004011' + '3c66' + 'c0000201c6336407' + '010203');
    // The RFC 1071 textbook header.
    const h = emitIpv4({
      ...sample,
      identification: 0,
      ttl: 64,
      src: '192.168.0.1',
      dst: '192.168.0.199',
      payload: new Uint8Array(0x73 - 20),
    });
    expect(toHex(h.subarray(0, 20))).toBe('450000730000400040' + '11b861c0a80001c0a800c7');
  });

  it('keeps options raw', () => {
    const withOptions = { ...sample, options: Uint8Array.of(0x94, 0x04, 0, 0) }; // Router Alert (RFC 2113)
    const bytes = emitIpv4(withOptions);
    expect(bytes[0]).toBe(0x46);
    checkCodecContract(ipv4Codec, withOptions);
  });

  it('satisfies the codec contract', () => {
    checkCodecContract(ipv4Codec, sample);
    checkCodecContract(ipv4Codec, {
      ...sample,
      flags: 1,
      fragmentOffset: 0x1fff,
      tos: 0xb8,
      payload: new Uint8Array(0),
    });
  });

  it('reports errors with field and offset', () => {
    const bytes = emitIpv4(sample);
    const badChecksum = bytes.slice();
    badChecksum[10] = (badChecksum[10] ?? 0) ^ 0xff;
    expect(parseIpv4(badChecksum, 0)).toEqual({
      ok: false,
      error: { field: 'ipv4.checksum', offset: 10, reason: 'header checksum mismatch' },
    });
    const v6 = bytes.slice();
    v6[0] = 0x65;
    expect(parseIpv4(v6, 0)).toMatchObject({ ok: false, error: { field: 'ipv4.version', offset: 0 } });
    expect(parseIpv4(bytes.subarray(0, 21), 0)).toMatchObject({
      ok: false,
      error: { field: 'ipv4.totalLength', offset: 2 },
    });
    expect(parseIpv4(bytes, 5)).toMatchObject({ ok: false, error: { field: 'ipv4', offset: 5 } });
  });

  it('rejects values that cannot be encoded', () => {
    expect(() => emitIpv4({ ...sample, options: Uint8Array.of(1) })).toThrow(WireEmitError);
    expect(() => emitIpv4({ ...sample, ttl: 256 })).toThrow(/ipv4\.ttl/);
    expect(() => emitIpv4({ ...sample, src: '10.0.0' })).toThrow(/ipv4\.src/);
    expect(() => emitIpv4({ ...sample, payload: new Uint8Array(65516) })).toThrow(/ipv4\.totalLength/);
  });

  test.prop([ipv4PacketArb])('round-trips any valid packet', (packet) => {
    checkCodecContract(ipv4Codec, packet);
  });

  test.prop([fc.uint8Array({ maxLength: 80 }), fc.nat(4)])('never throws on arbitrary bytes', (bytes, offset) => {
    checkNeverThrows(ipv4Codec, bytes, Math.min(offset, bytes.length));
  });
});
