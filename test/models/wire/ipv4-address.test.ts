import { describe, expect, it } from 'vitest';
import { ipv4FromBytes } from '../../../models/wire/bytes.ts';
import {
  directedBroadcastU32,
  inSubnet,
  ipv4HeaderDestination,
  ipv4ToU32,
  netmaskToPrefix,
  parsePrefix,
  prefixMaskU32,
  prefixToNetmask,
  u32ToIpv4,
} from '../../../models/wire/ipv4-address.ts';

describe('IPv4 addresses', () => {
  it('parses dotted quads strictly and formats them back', () => {
    expect(ipv4ToU32('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToU32('10.1.99.10')).toBe(0x0a01630a);
    expect(u32ToIpv4(0x0a01630a)).toBe('10.1.99.10');
    for (const bad of ['10.1.99', '10.1.99.256', '10.01.99.1', '']) expect(() => ipv4ToU32(bad)).toThrow(RangeError);
  });

  it('formats and parses the same through the memo, past its bound and for any 32-bit pattern', () => {
    // More addresses than the memo holds (2^16; it is emptied and refilled) and than the formatting table's slots
    // (2^15; colliding): every answer still computed right.
    for (let i = 0; i < 70_000; i++) {
      const u32 = (0x0a000000 + i * 7919) >>> 0;
      const text = `${u32 >>> 24}.${(u32 >>> 16) & 0xff}.${(u32 >>> 8) & 0xff}.${u32 & 0xff}`;
      expect(u32ToIpv4(u32)).toBe(text);
      expect(ipv4ToU32(u32ToIpv4(u32))).toBe(u32);
    }
    // A signed 32-bit pattern (what `<<` gives) names the same address as its unsigned value.
    expect(u32ToIpv4(-1)).toBe('255.255.255.255');
    expect(u32ToIpv4(0xc0000201 | 0)).toBe('192.0.2.1');
    expect(ipv4FromBytes(Uint8Array.from([1, 192, 0, 2, 1]), 1)).toBe('192.0.2.1');
    expect(ipv4FromBytes(Uint8Array.from([10, 1]), 0)).toBe('10.1.0.0');
  });

  it('masks and prefixes', () => {
    expect([0, 1, 24, 31, 32].map(prefixMaskU32)).toEqual([0, 0x80000000, 0xffffff00, 0xfffffffe, 0xffffffff]);
    expect(() => prefixMaskU32(33)).toThrow(RangeError);
    expect(prefixToNetmask(20)).toBe('255.255.240.0');
    expect(netmaskToPrefix('255.255.240.0')).toBe(20);
    expect(netmaskToPrefix('255.0.255.0')).toBe(null);
    expect(parsePrefix('10.1.99.77/24')).toEqual({ network: 0x0a016300, mask: 0xffffff00 });
  });

  it('subnet membership and directed broadcast', () => {
    expect(inSubnet('10.1.99.10', '10.1.0.0', 16)).toBe(true);
    expect(inSubnet('10.2.0.1', '10.1.0.0', 16)).toBe(false);
    expect(inSubnet('not-an-address', '10.1.0.0', 16)).toBe(false);
    expect(directedBroadcastU32(ipv4ToU32('192.0.2.10'), 24)).toBe(ipv4ToU32('192.0.2.255'));
    expect(directedBroadcastU32(ipv4ToU32('192.0.2.10'), 31)).toBe(undefined);
  });

  it('reads the destination straight from an IPv4 header', () => {
    const header = Uint8Array.from([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 10, 1, 0, 2]);
    expect(ipv4HeaderDestination(header)).toBe(0x0a010002);
    expect(ipv4HeaderDestination(header.subarray(0, 19))).toBe(undefined);
    expect(ipv4HeaderDestination(Uint8Array.from([0x65, ...header.subarray(1)]))).toBe(undefined);
  });
});
