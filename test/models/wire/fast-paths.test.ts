/**
 * The codecs' fast paths against the straightforward code they replaced (kept here as references): the IPv4 text
 * scan against the RegExp, flat hex against per-byte concatenation, the in-place modelled SK seal/open against
 * `modelledCrypto`, `ownedBytes`' copy-or-view rule, short copies and fills against `set`/`fill`, emit errors built
 * out of line against their former messages, and decode errors that still name the full field path.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  checkUint,
  copyInto,
  fromHex,
  hexOfRange,
  ipv4FromBytes,
  onesComplementSum,
  ownedBytes,
  toHex,
  writeHexDigits,
  writeIpv4,
  zeroRange,
} from '../../../models/wire/bytes.ts';
import {
  CIPHER_SUITES,
  minPadBytes,
  modelledCrypto,
  openModelledIkeInPlace,
  sealModelledIkeInPlace,
  type CipherSuiteName,
} from '../../../models/wire/crypto-suite.ts';
import { isIpv4Address, parseIpv4Text, parseIpv4U32 } from '../../../models/wire/ipv4-address.ts';
import {
  emitIkeMessage,
  ikeSampleMessages,
  parseIkeMessage,
  modelledIkeCrypto,
} from '../../../models/wire/ike/index.ts';
import { emitEsp, sealEsp } from '../../../models/wire/esp.ts';
import {
  emitPacket,
  espLayerIntegrityValid,
  parsePacket,
  udpPacket,
  type EspLayer,
  type Packet,
} from '../../../models/wire/packet.ts';
import { WireEmitError } from '../../../models/wire/result.ts';

/** The RegExp parser `parseIpv4Text` used before the scan. */
function referenceIpv4(text: string): [number, number, number, number] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return null;
  const octets: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = m[i] ?? '';
    if (part.length > 1 && part.startsWith('0')) return null;
    const n = Number(part);
    if (n > 255) return null;
    octets.push(n);
  }
  return [octets[0] ?? 0, octets[1] ?? 0, octets[2] ?? 0, octets[3] ?? 0];
}

/** The per-byte `+=` hex `toHex` used before. */
function referenceHex(bytes: Uint8Array, separator = ''): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += separator;
    out += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  }
  return out;
}

const SUITES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];

describe('IPv4 text scan', () => {
  it('accepts and rejects exactly what the RegExp did', () => {
    const cases = [
      '0.0.0.0',
      '255.255.255.255',
      '10.1.99.10',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.256',
      '1..2.3',
      '.1.2.3',
      '1.2.3.',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '1.2.3.0x1',
      '١.2.3.4',
      '1000.2.3.4',
      '',
      '0.00.0.0',
      '9.9.9.99',
    ];
    for (const text of cases) {
      expect(parseIpv4Text(text), text).toEqual(referenceIpv4(text));
      expect(isIpv4Address(text), text).toBe(referenceIpv4(text) !== null);
    }
    expect(parseIpv4U32('192.0.2.1')).toBe(0xc0000201);
    expect(parseIpv4U32('192.0.2')).toBe(-1);
  });

  test.prop([
    fc
      .array(
        fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '0', '00', '007', 'a', '.', ' ')),
        { minLength: 1, maxLength: 6 },
      )
      .map((parts) => parts.join('.')),
  ])('agrees with the RegExp on dotted strings', (text) => {
    expect(parseIpv4Text(text)).toEqual(referenceIpv4(text));
  });

  test.prop([fc.integer({ min: 0, max: 0xffffffff })])('formats and parses back every address', (value) => {
    const bytes = Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
    const text = ipv4FromBytes(bytes, 0);
    expect(text).toBe(`${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`);
    expect(parseIpv4U32(text)).toBe(value);
  });
});

describe('hex', () => {
  test.prop([fc.uint8Array({ maxLength: 600 }), fc.constantFrom('', ':', ' ', '--', 'é')])(
    'toHex equals per-byte concatenation, fromHex inverts it',
    (bytes, separator) => {
      const hex = toHex(bytes, separator);
      expect(hex).toBe(referenceHex(bytes, separator));
      if (separator === '' || separator === ':' || separator === ' ')
        expect(Array.from(fromHex(hex))).toEqual(Array.from(bytes));
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), fc.nat()])(
    'hexOfRange is toHex of the subarray',
    (bytes, a, b) => {
      const start = a % bytes.length;
      const end = start + (b % (bytes.length - start + 1));
      expect(hexOfRange(bytes, start, end)).toBe(referenceHex(bytes.subarray(start, end)));
    },
  );

  it('fromHex accepts either case, ignores whitespace and colons, rejects the rest', () => {
    expect(Array.from(fromHex('0aFf'))).toEqual([0x0a, 0xff]);
    expect(Array.from(fromHex('0a:ff 10\n'))).toEqual([0x0a, 0xff, 0x10]);
    expect(() => fromHex('0g')).toThrow("fromHex: not hex: '0g'");
    expect(() => fromHex('abc')).toThrow(/not hex/);
    const out = new Uint8Array(2);
    expect(writeHexDigits(out, 0, 'beef')).toBe(2);
    expect(writeHexDigits(out, 0, 'bee')).toBe(-1);
    expect(writeHexDigits(out, 0, 'zz')).toBe(-1);
  });
});

describe('checksum', () => {
  test.prop([fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xfffff })])(
    'the one’s-complement sum reads bytes past the end as zero, as the byte-by-byte loop did',
    (bytes, a, b, initial) => {
      const start = bytes.length === 0 ? 0 : a % bytes.length;
      const end = start + (b % 8) + Math.max(0, bytes.length - start - 4);
      let sum = initial;
      for (let i = start; i < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (i + 1 < end ? (bytes[i + 1] ?? 0) : 0);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      expect(onesComplementSum(bytes, start, end, initial)).toBe(sum);
    },
  );
});

describe('checksum beyond 32 bits', () => {
  it('folds a sum over 2^32 exactly (inputs over 128 KiB), as RFC 1071 end-around carries do', () => {
    const bytes = new Uint8Array(300_001).map((_, i) => (i * 131 + 7) & 0xff);
    // Reference: exact integer sum (below 2^53), folded with arithmetic instead of 32-bit operations.
    let sum = 5;
    for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] ?? 0) * 256 + (bytes[i + 1] ?? 0);
    while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
    expect(sum).toBeGreaterThan(0);
    expect(onesComplementSum(bytes, 0, bytes.length, 5)).toBe(sum);
    expect(onesComplementSum(new Uint8Array(300_000).fill(0xff), 0, 300_000)).toBe(0xffff);
  });
});

describe('short copies and fills', () => {
  test.prop([fc.uint8Array({ maxLength: 24 }), fc.nat({ max: 40 }), fc.uint8Array({ minLength: 1, maxLength: 48 })])(
    'copyInto writes what set writes, and throws its RangeError out of bounds',
    (data, offset, initial) => {
      const expected = initial.slice();
      const got = initial.slice();
      let setError: unknown = null;
      try {
        expected.set(data, offset);
      } catch (e) {
        setError = e;
      }
      if (setError === null) {
        copyInto(got, offset, data);
        expect(toHex(got)).toBe(toHex(expected));
      } else {
        expect(setError).toBeInstanceOf(RangeError);
        expect(() => copyInto(got, offset, data)).toThrow(RangeError);
      }
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 48 }), fc.nat({ max: 50 }), fc.nat({ max: 30 })])(
    'zeroRange writes what fill(0) writes, clamped to the buffer',
    (initial, start, n) => {
      const expected = initial.slice().fill(0, start, start + n);
      const got = initial.slice();
      zeroRange(got, start, start + n);
      expect(toHex(got)).toBe(toHex(expected));
    },
  );
});

describe('emit errors built out of line', () => {
  const thrown = (f: () => unknown): WireEmitError => {
    try {
      f();
    } catch (e) {
      if (e instanceof WireEmitError) return e;
      throw e;
    }
    throw new Error('did not throw');
  };

  it('keep the field and reason the inline templates gave', () => {
    expect(thrown(() => checkUint(-1, 255, 'dhcp.options[?]', '.secs'))).toMatchObject({
      field: 'dhcp.options[?].secs',
      reason: 'must be an integer in [0, 255], got -1',
    });
    expect(thrown(() => writeIpv4(new Uint8Array(4), 0, '10.0.0.256', 'ipv4.src'))).toMatchObject({
      field: 'ipv4.src',
      reason: "not a dotted-quad IPv4 address: '10.0.0.256'",
    });
    const m = ikeSampleMessages()[0];
    if (m === undefined) throw new Error('no IKE sample');
    expect(thrown(() => emitIkeMessage({ ...m, spiR: '00112233445566' }))).toMatchObject({
      field: 'ike.spiR',
      reason: 'SPI must be 8 bytes, got 7',
    });
    expect(thrown(() => emitIkeMessage({ ...m, spiI: '0011223344556g77' }))).toMatchObject({
      field: 'ike.spiI',
      reason: "SPI must be lower-case hex pairs, got '0011223344556g77'",
    });
    const suite = CIPHER_SUITES.aes128gcm16;
    expect(
      thrown(() => sealModelledIkeInPlace(suite, new Uint8Array(400), 0, 16, 16, new Uint8Array(256))),
    ).toMatchObject({ field: 'crypto.padding', reason: '256 bytes, at most 255' });
    expect(
      thrown(() => sealModelledIkeInPlace(suite, new Uint8Array(400), 0, 16, 17, new Uint8Array(1))),
    ).toMatchObject({ field: 'crypto.padding', reason: 'plaintext+padding+trailer is 3 bytes, not a multiple of 4' });
    const big = udpPacket({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      srcPort: 9,
      dstPort: 9,
      app: { kind: 'raw', data: new Uint8Array(0xffff - 20) },
    });
    expect(thrown(() => emitPacket(big))).toMatchObject({
      field: 'ipv4.totalLength',
      reason: '65543 bytes exceeds 65535',
    });
  });
});

describe('ownedBytes', () => {
  it('copies small fields and fields of big buffers, views large fields of a packet-sized buffer', () => {
    const packet = new Uint8Array(600).map((_, i) => i & 0xff);
    const small = ownedBytes(packet, 10, 74);
    expect(small.buffer).not.toBe(packet.buffer);
    const large = ownedBytes(packet, 100, 228);
    expect(large.buffer).toBe(packet.buffer);
    expect(Array.from(large)).toEqual(Array.from(packet.subarray(100, 228)));
    const capture = new Uint8Array(70_000);
    expect(ownedBytes(capture, 0, 128).buffer).not.toBe(capture.buffer);
  });
});

describe('modelled SK crypto in place', () => {
  test.prop([
    fc.constantFrom(...SUITES),
    fc.uint8Array({ minLength: 1, maxLength: 40 }),
    fc.uint8Array({ maxLength: 300 }),
  ])('seals byte-identically to modelledCrypto.seal and opens what it sealed', (name, aad, plaintext) => {
    const suite = CIPHER_SUITES[name];
    const sealed = modelledCrypto.seal({ plaintext }, 'ike', { suite, associatedData: aad });
    const expected = Uint8Array.from([...aad, ...sealed.iv, ...sealed.body, ...sealed.icv]);
    const buffer = new Uint8Array(expected.length);
    buffer.set(aad, 0);
    const bodyStart = aad.length + suite.ivBytes;
    buffer.set(plaintext, bodyStart);
    const end = sealModelledIkeInPlace(suite, buffer, 0, bodyStart, bodyStart + plaintext.length, undefined);
    expect(end).toBe(expected.length);
    expect(toHex(buffer)).toBe(toHex(expected));
    const opened = openModelledIkeInPlace(suite, buffer, 0, aad.length, end);
    expect(opened).toEqual({
      plaintextEnd: bodyStart + plaintext.length,
      padLength: minPadBytes(suite, plaintext.length, 'ike'),
    });
    buffer[end - 1] = (buffer[end - 1] ?? 0) ^ 1;
    expect(openModelledIkeInPlace(suite, buffer, 0, aad.length, end)).toBe(null);
  });

  it('parses every sample SK message to the same value through the in-place and the CryptoModel paths', () => {
    // A wrapper model (not `modelledCrypto` itself) takes the general path.
    const wrapped = { seal: modelledCrypto.seal, open: modelledCrypto.open };
    for (const m of ikeSampleMessages()) {
      const sk = m.payloads.find((p) => p.kind === 'SK');
      if (sk === undefined || sk.kind !== 'SK') continue;
      const bytes = emitIkeMessage(m);
      const fast = parseIkeMessage(bytes, 0, { crypto: modelledIkeCrypto(sk.suite) });
      const slow = parseIkeMessage(bytes, 0, { crypto: { suite: CIPHER_SUITES[sk.suite], model: wrapped } });
      expect(fast).toEqual(slow);
      expect(toHex(emitIkeMessage(m, { crypto: { suite: CIPHER_SUITES[sk.suite], model: wrapped } }))).toBe(
        toHex(bytes),
      );
    }
  });
});

describe('decode errors keep their full field paths', () => {
  it('names the DHCP field inside SK at its absolute offset, on the in-place and the CryptoModel paths alike', () => {
    const m = ikeSampleMessages().find((x) =>
      x.payloads.some((p) => p.kind === 'SK' && p.payloads.some((q) => q.kind === 'DHCP')),
    );
    const sk = m?.payloads.find((p) => p.kind === 'SK');
    if (m === undefined || sk === undefined || sk.kind !== 'SK') throw new Error('no IKE sample with DHCP in SK');
    const suite = CIPHER_SUITES[sk.suite];
    const bytes = emitIkeMessage(m);
    // Walk the outer chain to the SK payload (RFC 7296 §3.2).
    let type = bytes[16] ?? 0;
    let at = 28;
    let index = 0;
    while (type !== 46) {
      type = bytes[at] ?? 0;
      at += ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0);
      index++;
    }
    const bodyStart = at + 4 + suite.ivBytes;
    const padLengthAt = bytes.length - suite.icvBytes - 1;
    const plaintextEnd = padLengthAt - (bytes[padLengthAt] ?? 0);
    let cookie = -1;
    for (let i = bodyStart; i + 4 <= plaintextEnd && cookie < 0; i++) {
      if (bytes[i] === 0x63 && bytes[i + 1] === 0x82 && bytes[i + 2] === 0x53 && bytes[i + 3] === 0x63) cookie = i;
    }
    expect(cookie).toBeGreaterThan(bodyStart);
    bytes[cookie] = 0x64;
    sealModelledIkeInPlace(suite, bytes, 0, bodyStart, plaintextEnd, undefined); // a valid ICV over the broken cookie
    const fast = parseIkeMessage(bytes, 0, { crypto: modelledIkeCrypto(suite) });
    const wrapped = { seal: modelledCrypto.seal, open: modelledCrypto.open };
    const slow = parseIkeMessage(bytes, 0, { crypto: { suite, model: wrapped } });
    expect(fast.ok).toBe(false);
    expect(fast).toEqual(slow);
    if (fast.ok) return;
    const dhcpIndex = sk.payloads.findIndex((p) => p.kind === 'DHCP');
    expect(fast.error.field).toBe(`ike.payload[${index}](SK).payload[${dhcpIndex}](DHCP).dhcp.magicCookie`);
    expect(fast.error.offset).toBe(cookie);
  });
});

describe('modelled ESP seal in place', () => {
  const inner = udpPacket({
    src: '10.1.0.7',
    dst: '10.1.0.1',
    srcPort: 9,
    dstPort: 9,
    app: { kind: 'raw', data: Uint8Array.of(1, 2, 3, 4, 5) },
  });
  test.prop([
    fc.constantFrom(...SUITES),
    fc.boolean(),
    fc.uint8Array({ maxLength: 120 }),
    fc.integer({ min: 1, max: 0xffff_ffff }),
    fc.nat({ max: 0xffff_ffff }),
    fc.nat({ max: 3 }),
    fc.constantFrom('none', 'key', 'tag'),
    fc.boolean(),
  ])(
    'emits the bytes that sealEsp + emitEsp give (plaintext emitted and sealed apart, then copied)',
    (name, packetInner, raw, spi, sequence, extraBlocks, tagWay, natT) => {
      const suite = CIPHER_SUITES[name];
      const align = Math.max(4, suite.blockBytes);
      const layer: EspLayer = {
        kind: 'esp-sealed',
        spi,
        sequence,
        suite: name,
        nextHeader: packetInner ? 4 : 59,
        extraPadBytes: extraBlocks * align,
        inner: packetInner ? { kind: 'packet', packet: inner } : { kind: 'raw', data: raw },
        ...(tagWay === 'key' ? { integrityKey: spi ^ 0x5a5a5a5a } : {}),
        ...(tagWay === 'tag' ? { icvTag: sequence ^ 0x01020304 } : {}),
      };
      const plaintext = packetInner ? emitPacket(inner) : raw;
      const padBytes = minPadBytes(suite, plaintext.length, 'esp') + extraBlocks * align;
      const expected = emitEsp(
        sealEsp(
          {
            spi,
            sequence,
            suite: name,
            nextHeader: layer.nextHeader,
            plaintext,
            padding: Uint8Array.from({ length: padBytes }, (_, i) => i + 1),
            ...(tagWay === 'tag' ? { icvTag: sequence ^ 0x01020304 } : {}),
          },
          modelledCrypto,
          tagWay === 'key' ? spi ^ 0x5a5a5a5a : undefined,
        ),
      );
      const packet: Packet = natT
        ? udpPacket({ src: '192.0.2.10', dst: '192.0.2.1', srcPort: 4500, dstPort: 4500, app: layer })
        : {
            ip: udpPacket({ src: '192.0.2.10', dst: '192.0.2.1', srcPort: 1, dstPort: 1, app: layer }).ip,
            payload: layer,
          };
      const bytes = natT
        ? emitPacket(packet).subarray(28)
        : emitPacket({ ...packet, ip: { ...packet.ip, protocol: 50 } }).subarray(20);
      expect(toHex(bytes)).toBe(toHex(expected));
    },
  );

  it('checks the keyed tag of a parsed layer by re-sealing it in place', () => {
    const layer: EspLayer = {
      kind: 'esp-sealed',
      spi: 0x1234,
      sequence: 7,
      suite: 'aes128gcm16',
      nextHeader: 4,
      inner: { kind: 'packet', packet: inner },
      integrityKey: 0xc0ffee,
    };
    const back = parsePacket(
      emitPacket(udpPacket({ src: '192.0.2.10', dst: '192.0.2.1', srcPort: 4500, dstPort: 4500, app: layer })),
    );
    if (!back.ok || back.value.payload.kind !== 'udp') throw new Error('the ESP-in-UDP sample does not parse');
    const parsedLayer = back.value.payload.app as EspLayer;
    expect(espLayerIntegrityValid(parsedLayer, 0xc0ffee)).toBe(true);
    expect(espLayerIntegrityValid(parsedLayer, 0xc0ffef)).toBe(false);
  });
});
