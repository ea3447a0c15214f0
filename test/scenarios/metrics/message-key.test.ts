/** Message identities: read from the bytes or from the trace's hex of the same bytes, the same values. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ikeSpiiHex,
  ikeSpiiKey,
  ikeSpiiKeyOfHex,
  packetFingerprint,
  packetFingerprintOfHex,
  sameFingerprint,
} from '../../../scenarios/metrics/message-key.ts';
import { toHex } from '../../../sim/trace-hash.ts';

/** A minimal IPv4/UDP datagram carrying an IKE header with the given SPIi, on `port` (500 or 4500). */
function ikeDatagram(spiI: number[], port: number): Uint8Array {
  const natT = port === 4500;
  const bytes = new Uint8Array(20 + 8 + (natT ? 4 : 0) + 28);
  bytes[0] = 0x45;
  bytes[9] = 17;
  bytes[20] = port >> 8;
  bytes[21] = port & 0xff;
  bytes[22] = port >> 8;
  bytes[23] = port & 0xff;
  bytes.set(spiI, 28 + (natT ? 4 : 0));
  return bytes;
}

describe('message keys from bytes and from hex', () => {
  it('ikeSpiiKey finds the SPIi on port 500 and behind the non-ESP marker on 4500; the hex form agrees', () => {
    const spi = [1, 2, 3, 4, 0xfe, 0xdc, 0xba, 0x98];
    for (const port of [500, 4500]) {
      const d = ikeDatagram(spi, port);
      expect(ikeSpiiKey(d)).toBe(String.fromCharCode(...spi));
      expect(ikeSpiiKeyOfHex(toHex(d))).toBe(ikeSpiiKey(d));
      // The same SPI the hex reader of the web view finds.
      expect(ikeSpiiHex(toHex(d))).toBe('01020304:fedcba98');
    }
  });

  it('fingerprints agree between bytes and hex, and tell different datagrams apart', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const pa = packetFingerprint(a);
        expect(packetFingerprintOfHex(toHex(a))).toEqual(pa);
        expect(pa.length).toBe(a.length);
        const equalBytes = a.length === b.length && a.every((x, i) => x === b[i]);
        expect(sameFingerprint(pa, packetFingerprint(b))).toBe(equalBytes);
      }),
    );
  });
});
