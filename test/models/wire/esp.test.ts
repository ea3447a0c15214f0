import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  emitEsp,
  emitEspInto,
  emitSealedEsp,
  emitSealedEspInto,
  espLength,
  openEsp,
  parseEsp,
  parseSealedEsp,
  sealEsp,
  sealedEspLength,
  tryOpenEsp,
  type EspPacket,
  type EspSealedView,
} from '../../../models/wire/esp.ts';
import { parseIpv4 } from '../../../models/wire/ipv4.ts';
import { parseUdp } from '../../../models/wire/udp.ts';
import { fromHex, toHex } from '../../../models/wire/bytes.ts';
import { checkCodecContract, checkNeverThrows, type CodecUnderTest } from './codec-contract.ts';
import { STRONGSWAN_ESP_IPV4_HEX } from './fixtures/captured-hex.ts';
import { espPacketArb, espSealedViewArb } from './arbitraries/esp.ts';

export const espCodec: CodecUnderTest<EspPacket> = {
  name: 'esp',
  parse: (b, o) => parseEsp(b, o),
  emit: emitEsp,
  emitInto: emitEspInto,
  length: espLength,
};

export const sealedEspCodec: CodecUnderTest<EspSealedView> = {
  name: 'esp(sealed)',
  parse: (b, o) => parseSealedEsp(b, o),
  emit: emitSealedEsp,
  emitInto: emitSealedEspInto,
  length: sealedEspLength,
};

const view: EspSealedView = {
  spi: 0xc0ffee01,
  sequence: 3,
  suite: 'aes128-sha256',
  nextHeader: 4,
  plaintext: Uint8Array.of(0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6),
  padding: Uint8Array.of(1, 2, 3, 4),
};

describe('esp', () => {
  it('parses the captured strongSwan ESP-in-UDP packet (opaque, really encrypted)', () => {
    const ip = parseIpv4(fromHex(STRONGSWAN_ESP_IPV4_HEX), 0);
    if (!ip.ok) throw new Error('ip');
    const udp = parseUdp(ip.value.payload, 0, ip.value);
    if (!udp.ok) throw new Error('udp');
    expect(udp.value.dstPort).toBe(4500);
    const esp = parseEsp(udp.value.payload, 0);
    if (!esp.ok) throw new Error(JSON.stringify(esp.error));
    expect(esp.value.spi).toBe(0xd1f40851);
    expect(esp.value.sequence).toBe(1);
    // aes128-sha256: 16 IV + n×16 body + 16 ICV.
    expect(esp.value.data.length).toBe(80);
    expect(toHex(emitEsp(esp.value))).toBe(toHex(udp.value.payload));
    expect(tryOpenEsp(esp.value)).toBeNull();
    expect(openEsp(esp.value, 'aes128-sha256')).toEqual({
      ok: false,
      error: { field: 'esp.body.icv', offset: 24, reason: 'integrity check failed' },
    });
  });

  it('seals with exact sizes and a readable body', () => {
    const packet = sealEsp(view);
    // 8 header + 16 IV + (10 + 4 pad + 2) + 16 ICV.
    expect(espLength(packet)).toBe(8 + 16 + 16 + 16);
    const bytes = emitEsp(packet);
    expect(toHex(bytes.subarray(0, 8))).toBe('c0ffee0100000003');
    expect(toHex(bytes.subarray(24, 40))).toBe('45000014010203040506' + '01020304' + '04' + '04');
    expect(sealedEspLength(view)).toBe(bytes.length);
    const gcm = sealEsp({ ...view, suite: 'aes128gcm16', padding: new Uint8Array(0) });
    // 8 + 8 IV + (10 + 0 + 2) + 16.
    expect(espLength(gcm)).toBe(44);
  });

  it('opens only under the sealing suite', () => {
    const packet = sealEsp(view);
    expect(openEsp(packet, 'aes128-sha256')).toEqual({ ok: true, bytesRead: 56, value: view });
    expect(openEsp(packet, 'aes256-sha256').ok).toBe(false);
    expect(tryOpenEsp(packet)).toEqual(view);
  });

  it('satisfies the codec contract (opaque and sealed)', () => {
    checkCodecContract(espCodec, { spi: 0x100, sequence: 0xffffffff, data: Uint8Array.of(1, 2, 3) });
    checkCodecContract(sealedEspCodec, view);
    checkCodecContract(sealedEspCodec, {
      ...view,
      suite: 'aes256gcm16',
      padding: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    });
  });

  it('rejects SPI 0 and short input', () => {
    expect(parseEsp(new Uint8Array(8), 0)).toMatchObject({ ok: false, error: { field: 'esp.spi', offset: 0 } });
    expect(parseEsp(new Uint8Array(7), 0)).toMatchObject({ ok: false, error: { field: 'esp', offset: 0 } });
    expect(() => sealEsp({ ...view, padding: Uint8Array.of(1, 2, 3) })).toThrow(/padding/);
  });

  test.prop([espPacketArb])('opaque round-trips', (p) => checkCodecContract(espCodec, p));
  test.prop([espSealedViewArb])('sealed round-trips', (v) => checkCodecContract(sealedEspCodec, v));
  test.prop([fc.uint8Array({ maxLength: 80 })])('never throws', (bytes) => {
    checkNeverThrows(espCodec, bytes);
    checkNeverThrows(sealedEspCodec, bytes);
  });
});
