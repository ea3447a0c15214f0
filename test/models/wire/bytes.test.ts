import { describe, expect, it } from 'vitest';
import {
  checkUint,
  fromHex,
  internetChecksum,
  ipv4FromBytes,
  ipv4ToBytes,
  printableOrHex,
  readU16,
  readU32,
  toHex,
  writeU16,
  writeU32,
} from '../../../models/wire/bytes.ts';
import { isIpv4Address } from '../../../models/wire/ipv4-address.ts';
import { WireEmitError } from '../../../models/wire/result.ts';

describe('bytes', () => {
  it('reads and writes big-endian integers', () => {
    const b = new Uint8Array(6);
    writeU16(b, 0, 0xbeef);
    writeU32(b, 2, 0xdeadbeef);
    expect(toHex(b)).toBe('beefdeadbeef');
    expect(readU16(b, 0)).toBe(0xbeef);
    expect(readU32(b, 2)).toBe(0xdeadbeef);
  });

  it('converts dotted quads', () => {
    expect(Array.from(ipv4ToBytes('192.0.2.255'))).toEqual([192, 0, 2, 255]);
    expect(ipv4FromBytes(Uint8Array.of(9, 10, 0, 1, 2), 1)).toBe('10.0.1.2');
    expect(isIpv4Address('1.2.3.4')).toBe(true);
    for (const bad of ['1.2.3', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '1.2.3.4 ']) expect(isIpv4Address(bad)).toBe(false);
    expect(() => ipv4ToBytes('300.0.0.1', 'ipv4.src')).toThrow(WireEmitError);
    expect(() => ipv4ToBytes('300.0.0.1', 'ipv4.src')).toThrow(/ipv4\.src/);
  });

  it('hex and printable', () => {
    expect(toHex(Uint8Array.of(0, 0x1a, 0xff), ':')).toBe('00:1a:ff');
    expect(Array.from(fromHex('00 1a:FF'))).toEqual([0, 0x1a, 0xff]);
    expect(printableOrHex(new TextEncoder().encode('alice@example.com'))).toBe('alice@example.com');
    expect(printableOrHex(Uint8Array.of(0, 1, 0xab))).toBe('0x0001ab');
  });

  it('checkUint rejects out-of-range values', () => {
    expect(checkUint(255, 255, 'f')).toBe(255);
    expect(() => checkUint(256, 255, 'x.y')).toThrow(/x\.y/);
    expect(() => checkUint(1.5, 255, 'x')).toThrow(WireEmitError);
  });

  it('computes the RFC 1071 checksum of a known IPv4 header', () => {
    // A textbook header (checksum field zeroed): 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7
    const header = fromHex('450000730000400040110000c0a80001c0a800c7');
    expect(internetChecksum(header, 0, header.length)).toBe(0xb861);
    // Odd length pads with a zero byte on the right (RFC 1071 §4.1).
    expect(internetChecksum(Uint8Array.of(0x01), 0, 1)).toBe(0xfeff);
  });
});
