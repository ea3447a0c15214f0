import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  emitUdp,
  emitUdpInto,
  parseUdp,
  udpLength,
  type UdpDatagram,
  type UdpPseudoHeader,
} from '../../../models/wire/udp.ts';
import { parseIpv4 } from '../../../models/wire/ipv4.ts';
import { fromHex, internetChecksum, toHex } from '../../../models/wire/bytes.ts';
import { checkCodecContract, checkNeverThrows, type CodecUnderTest } from './codec-contract.ts';
import { KEA_DISCOVER_IPV4_HEX } from './fixtures/captured-hex.ts';
import { udpDatagramArb } from './arbitraries/udp.ts';

const pseudo: UdpPseudoHeader = { src: '192.0.2.1', dst: '192.0.2.2' };

export function udpCodec(ph: UdpPseudoHeader = pseudo): CodecUnderTest<UdpDatagram> {
  return {
    name: 'udp',
    parse: (bytes, offset) => parseUdp(bytes, offset, ph),
    emit: (value) => emitUdp(value, ph),
    emitInto: (value, buffer, offset) => emitUdpInto(value, ph, buffer, offset),
    length: udpLength,
  };
}

describe('udp', () => {
  it('emits a correct checksum (pseudo-header sums to zero)', () => {
    const bytes = emitUdp({ srcPort: 68, dstPort: 67, checksum: 'auto', payload: Uint8Array.of(1, 2, 3) }, pseudo);
    expect(toHex(bytes.subarray(0, 6))).toBe('00440043000b');
    // Verify independently: pseudo-header ‖ datagram sums to 0xffff.
    const all = new Uint8Array(12 + bytes.length);
    all.set([192, 0, 2, 1, 192, 0, 2, 2, 0, 17, 0, bytes.length], 0);
    all.set(bytes, 12);
    expect(internetChecksum(all, 0, all.length)).toBe(0);
    expect(toHex(bytes.subarray(6, 8))).toBe('774b');
  });

  it('zero checksum is accepted on parse and kept', () => {
    const bytes = emitUdp({ srcPort: 1, dstPort: 2, checksum: 'zero', payload: new Uint8Array(0) }, pseudo);
    expect(toHex(bytes)).toBe('0001000200080000');
    expect(parseUdp(bytes, 0, pseudo)).toEqual({
      ok: true,
      bytesRead: 8,
      value: { srcPort: 1, dstPort: 2, checksum: 'zero', payload: new Uint8Array(0) },
    });
  });

  it('keeps an offloaded (wrong) checksum from a capture, or rejects it in verify mode', () => {
    const ip = parseIpv4(fromHex(KEA_DISCOVER_IPV4_HEX), 0);
    if (!ip.ok) throw new Error('ip');
    const ph = { src: ip.value.src, dst: ip.value.dst };
    const udp = parseUdp(ip.value.payload, 0, ph);
    if (!udp.ok) throw new Error(JSON.stringify(udp.error));
    expect(udp.value.srcPort).toBe(67);
    expect(udp.value.dstPort).toBe(67);
    expect(udp.value.checksum).toBe(0xff48);
    expect(udp.value.payload.length).toBe(300);
    expect(toHex(emitUdp(udp.value, ph))).toBe(toHex(ip.value.payload));
    expect(parseUdp(ip.value.payload, 0, ph, { badChecksum: 'verify' })).toEqual({
      ok: false,
      error: { field: 'udp.checksum', offset: 6, reason: '0xff48 should be 0x8098' },
    });
  });

  it('satisfies the codec contract', () => {
    checkCodecContract(udpCodec(), {
      srcPort: 4500,
      dstPort: 4500,
      checksum: 'auto',
      payload: Uint8Array.of(0, 0, 0, 0, 9),
    });
    checkCodecContract(udpCodec(), { srcPort: 67, dstPort: 68, checksum: 'zero', payload: new Uint8Array(300) });
  });

  it('reports length errors', () => {
    const bytes = emitUdp({ srcPort: 1, dstPort: 2, checksum: 'auto', payload: Uint8Array.of(5) }, pseudo);
    expect(parseUdp(bytes.subarray(0, 8), 0, pseudo)).toMatchObject({
      ok: false,
      error: { field: 'udp.length', offset: 4 },
    });
    expect(parseUdp(bytes.subarray(0, 3), 0, pseudo)).toMatchObject({ ok: false, error: { field: 'udp', offset: 0 } });
  });

  test.prop([udpDatagramArb])('round-trips', (d) => checkCodecContract(udpCodec(), d));
  test.prop([fc.uint8Array({ maxLength: 40 })])('never throws', (bytes) => checkNeverThrows(udpCodec(), bytes));
});
