/**
 * A node's codec with SA keys (models/wire/packet.ts `keys`, crypto/sa-key-store.ts, crypto/bound-crypto.ts): SK and
 * ESP are sealed and opened with the keys of the SA their SPIs name, and with nothing else.
 */
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES, type CipherSuiteName } from '../../../../models/wire/crypto-suite.ts';
import { deriveChildKeymat, deriveIkeSaSecrets } from '../../../../models/wire/crypto/ike-keys.ts';
import { SaKeyStore } from '../../../../models/wire/crypto/sa-key-store.ts';
import { notifyPayload, skPayload, type IkeMessage } from '../../../../models/wire/ike/index.ts';
import { createPacketCodec, espTunnelPacket, udpPacket, type Packet } from '../../../../models/wire/packet.ts';

const SUITES: readonly CipherSuiteName[] = ['aes128gcm16', 'aes256gcm16', 'aes128-sha256', 'aes256-sha256'];
const SPI_I = '0102030405060708';
const SPI_R = '1112131415161718';
const ESP_SPI = 0xc0ffee01;

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

function storeFor(suite: CipherSuiteName, seed: number): SaKeyStore {
  const s = CIPHER_SUITES[suite];
  const secrets = deriveIkeSaSecrets(s, bytes(32, seed), bytes(32, 1), bytes(32, 2), bytes(8, 3), bytes(8, 4));
  const keymat = deriveChildKeymat(s, secrets.skD, bytes(32, 1), bytes(32, 2));
  const store = new SaKeyStore();
  store.setIke(SPI_I, SPI_R, {
    suite: s,
    initiator: secrets.initiator,
    responder: secrets.responder,
    ivSecret: bytes(32, 9),
  });
  const esp = { suite: s, keys: keymat.initiatorToResponder, ivSecret: bytes(32, 8) };
  store.setEsp('out', ESP_SPI, esp);
  store.setEsp('in', ESP_SPI, esp);
  return store;
}

function authRequest(suite: CipherSuiteName, messageId = 1): Packet {
  const message: IkeMessage = {
    spiI: SPI_I,
    spiR: SPI_R,
    exchangeType: 35,
    initiator: true,
    higherVersion: false,
    response: false,
    messageId,
    payloads: [skPayload(suite, [notifyPayload({ notify: 'INITIAL_CONTACT' })])],
  };
  return udpPacket({
    src: '198.51.100.11',
    dst: '198.51.100.1',
    srcPort: 500,
    dstPort: 500,
    app: { kind: 'ike', nonEspMarker: false, message },
  });
}

function espPacket(suite: CipherSuiteName): Packet {
  const inner = udpPacket({
    src: '10.99.1.10',
    dst: '10.1.0.10',
    srcPort: 40000,
    dstPort: 7,
    app: { kind: 'raw', data: new TextEncoder().encode('ping 1') },
  });
  return espTunnelPacket({ src: '198.51.100.11', dst: '198.51.100.1', spi: ESP_SPI, sequence: 1, suite, inner });
}

function skKinds(p: Packet): string[] {
  if (p.payload.kind !== 'udp' || p.payload.app.kind !== 'ike') return [];
  return p.payload.app.message.payloads.map((q) => q.kind);
}

describe('a codec with SA keys', () => {
  for (const suite of SUITES) {
    it(`${suite}: SK and ESP round-trip; a flipped bit or another SA's keys leave them opaque`, () => {
      const codec = createPacketCodec({ keys: storeFor(suite, 5) });
      const ike = codec.encode(authRequest(suite));
      const opened = codec.decode(ike);
      expect(opened.ok && skKinds(opened.value)).toEqual(['SK']);
      const esp = codec.encode(espPacket(suite));
      const espOpened = codec.decode(esp);
      expect(espOpened.ok && espOpened.value.payload.kind).toBe('esp-sealed');

      for (const at of [ike.length - 1, ike.length - 20, 28 + 28 + 4]) {
        const flipped = ike.slice();
        flipped[at] = (flipped[at] as number) ^ 0x01;
        const r = codec.decode(flipped);
        expect(r.ok && skKinds(r.value)).toEqual(['SK-opaque']);
      }
      const espFlipped = esp.slice();
      espFlipped[esp.length - 3] = (espFlipped[esp.length - 3] as number) ^ 0x80;
      const e = codec.decode(espFlipped);
      expect(e.ok && e.value.payload.kind).toBe('esp');

      const other = createPacketCodec({ keys: storeFor(suite, 6) });
      const o = other.decode(ike);
      expect(o.ok && skKinds(o.value)).toEqual(['SK-opaque']);
      const oe = other.decode(esp);
      expect(oe.ok && oe.value.payload.kind).toBe('esp');
      const none = createPacketCodec({ keys: new SaKeyStore() }).decode(ike);
      expect(none.ok && skKinds(none.value)).toEqual(['SK-opaque']);
    });
  }

  it('a retransmission is bit-identical (RFC 7296 §2.1); another message gets another IV', () => {
    const codec = createPacketCodec({ keys: storeFor('aes128gcm16', 5) });
    const first = codec.encode(authRequest('aes128gcm16', 1));
    expect(codec.encode(authRequest('aes128gcm16', 1))).toEqual(first);
    const next = codec.encode(authRequest('aes128gcm16', 2));
    // IV: after the IKE header (28), the UDP/IP headers (28) and the SK generic header (4).
    const ivAt = 28 + 28 + 4;
    expect(next.subarray(ivAt, ivAt + 8)).not.toEqual(first.subarray(ivAt, ivAt + 8));
  });

  it('a crash clears the store: what it opened before stays opaque', () => {
    const store = storeFor('aes128-sha256', 5);
    const codec = createPacketCodec({ keys: store });
    const ike = codec.encode(authRequest('aes128-sha256'));
    store.clear();
    const r = codec.decode(ike);
    expect(r.ok && skKinds(r.value)).toEqual(['SK-opaque']);
  });
});
