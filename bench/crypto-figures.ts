/**
 * What real crypto costs, beside the modelled crypto, measured in the same process (engine.bench.ts prints these):
 * - `esp.<suite>.{modelled,real}PacketsPerSec`: a tunnel-mode ESP datagram (a 200-byte inner UDP packet) emitted and
 *   parsed again through the packet codec — modelled (keyed tag) or sealed/opened with real keys (models/wire/crypto/);
 * - `ikeSa.group<N>PerSec`: one IKE SA's key material on both ends — two key exchanges, two shared secrets, SKEYSEED and
 *   SK_* twice (RFC 7296 §2.14), the PSK AUTH of each side (§2.15) — with the @noble libraries;
 * - `basic.<method>.{modelled,real}RunsPerSec`: the `basic` scenario end to end (one client connects and pings).
 */
import { createRealIkeCrypto } from '../models/ike/real-ike-crypto.ts';
import { modelledIkeCrypto, type IkeCrypto } from '../models/ike/ike-crypto.ts';
import type { IkeSaKeys } from '../models/ike/sa.ts';
import type { RandomStream } from '../models/contract.ts';
import { CIPHER_SUITES, type CipherSuiteName } from '../models/wire/crypto-suite.ts';
import { deriveChildKeymat } from '../models/wire/crypto/ike-keys.ts';
import { SaKeyStore } from '../models/wire/crypto/sa-key-store.ts';
import { createPacketCodec, espTunnelPacket, packetCodec, udpPacket } from '../models/wire/packet.ts';
import type { IkeMessage } from '../models/wire/ike/index.ts';
import { runScenario } from '../scenarios/run.ts';
import type { MethodId } from '../scenarios/method-registry.ts';

/** A small deterministic stream for the bench (xorshift32): the crypto's draws need not be the simulator's. */
function benchRng(seed: number): RandomStream {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const rng: RandomStream = {
    nextU32: next,
    intBelow: (n) => next() % n,
    intBetween: (lo, hi) => lo + (next() % (hi - lo + 1)),
    chancePpm: (ppm) => next() % 1_000_000 < ppm,
    fork: () => benchRng(next()),
  };
  return rng;
}

function ratePerSec(fn: () => void, minMs = 400): number {
  fn();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

function espFigures(suite: CipherSuiteName, out: Record<string, number>): void {
  const inner = udpPacket({
    src: '10.99.1.10',
    dst: '10.1.0.10',
    srcPort: 40000,
    dstPort: 7,
    app: { kind: 'raw', data: new Uint8Array(172) },
  });
  const spi = 0x1234_5678;
  const packet = espTunnelPacket({ src: '198.51.100.11', dst: '198.51.100.1', spi, sequence: 1, suite, inner });
  const modelled = { ...packet, payload: { ...packet.payload, integrityKey: 0xfeed } } as typeof packet;
  out[`esp.${suite}.modelledPacketsPerSec`] = ratePerSec(() => {
    packetCodec.decode(packetCodec.encode(modelled));
  });
  const keymat = deriveChildKeymat(
    CIPHER_SUITES[suite],
    new Uint8Array(32).fill(7),
    new Uint8Array(32),
    new Uint8Array(32),
  );
  const store = new SaKeyStore();
  const entry = { suite: CIPHER_SUITES[suite], keys: keymat.initiatorToResponder, ivSecret: new Uint8Array(32) };
  store.setEsp('out', spi, entry);
  store.setEsp('in', spi, entry);
  const real = createPacketCodec({ keys: store });
  out[`esp.${suite}.realPacketsPerSec`] = ratePerSec(() => {
    real.decode(real.encode(packet));
  });
}

const EMPTY_INIT: IkeMessage = {
  spiI: '0102030405060708',
  spiR: '0000000000000000',
  exchangeType: 34,
  initiator: true,
  higherVersion: false,
  response: false,
  messageId: 0,
  payloads: [],
};

/** Both ends of one IKE SA's keys and AUTH, as the machines compute them. */
function ikeSaBothEnds(crypto: IkeCrypto, group: number, rng: RandomStream, n: number): void {
  const keys: IkeSaKeys = {
    spiI: '0102030405060708',
    spiR: (n >>> 0).toString(16).padStart(16, '0'),
    suite: 'aes128gcm16',
    dhGroup: group,
    nonceI: new Uint8Array(32).fill(1),
    nonceR: new Uint8Array(32).fill(2),
  };
  const i = crypto.keyExchange(group, rng);
  const r = crypto.keyExchange(group, rng);
  const response = { ...EMPTY_INIT, spiR: keys.spiR, response: true };
  const ki = crypto.establish(keys, 'initiator', i, r.publicKey, EMPTY_INIT, response);
  const kr = crypto.establish(keys, 'responder', r, i.publicKey, EMPTY_INIT, response);
  const id = { kind: 'IDi' as const, critical: false, id: { kind: 'fqdn' as const, name: 'client1@example.com' } };
  crypto.authData('initiator', 'psk-client1', ki, id);
  crypto.authData('responder', 'psk-client1', kr, { ...id, kind: 'IDr' });
}

export function cryptoFigures(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const suite of ['aes128gcm16', 'aes128-sha256'] as const) espFigures(suite, out);
  for (const group of [31, 19, 14]) {
    const rng = benchRng(group);
    let n = 1;
    // A fresh store per SA (install() announces an SA once per store).
    out[`ikeSa.group${group}PerSec`] = ratePerSec(() => {
      ikeSaBothEnds(
        createRealIkeCrypto(new SaKeyStore(), () => undefined),
        group,
        rng,
        n++,
      );
    });
  }
  out['ikeSa.modelledPerSec'] = ratePerSec(() => ikeSaBothEnds(modelledIkeCrypto, 31, benchRng(1), 1));
  for (const method of ['mode-cfg', 'dhcp-over-ike'] as const satisfies readonly MethodId[]) {
    for (const crypto of ['modelled', 'real'] as const) {
      out[`basic.${method}.${crypto}RunsPerSec`] = ratePerSec(
        () => void runScenario('basic', { method, options: { crypto }, digest: false }),
        1000,
      );
    }
  }
  return out;
}
