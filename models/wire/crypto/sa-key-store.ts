/**
 * A node's security association database for the real crypto (RFC 4301 §4.4.2 SAD; RFC 7296 §2.14 for the IKE SA's
 * SK_* keys): what its codec seals and opens with. The IKE machines write it when they derive keys (an IKE SA after
 * IKE_SA_INIT or a rekey, a Child SA when it is created); the codec reads it by the IKE header's SPIs and by the ESP
 * SPI. A node without an entry for an SPI cannot open what it receives (kept opaque: refused as an integrity failure)
 * nor seal with the SA's keys — which is what makes a forged SPI fail.
 */
import type { CipherSuite } from '../crypto-suite.ts';
import type { IkeSpi } from '../ike/types.ts';
import type { DirectionKeys } from './ike-keys.ts';

/** An IKE SA's SK_e/SK_a in both directions and the secret its SK IVs are derived from. */
export interface IkeSaKeyEntry {
  readonly suite: CipherSuite;
  /** SK_ei / SK_ai: what the original initiator seals with (the I flag is set on its messages, RFC 7296 §3.1). */
  readonly initiator: DirectionKeys;
  /** SK_er / SK_ar. */
  readonly responder: DirectionKeys;
  /** Drawn from the SA's seeded stream; IVs = a keyed hash of it and the message (crypto/bound-crypto.ts). */
  readonly ivSecret: Uint8Array;
}

/** One direction of a Child SA (RFC 7296 §2.17: KEYMAT split per direction). */
export interface EspSaKeyEntry {
  readonly suite: CipherSuite;
  readonly keys: DirectionKeys;
  readonly ivSecret: Uint8Array;
}

/** What the codec reads (models/wire/packet.ts `PacketCodecOptions.keys`). */
export interface SaKeyLookup {
  ike(spiI: IkeSpi, spiR: IkeSpi): IkeSaKeyEntry | undefined;
  /** Keys to open ESP arriving with this SPI (our inbound SA). */
  espIn(spi: number): EspSaKeyEntry | undefined;
  /** Keys to seal ESP we send with this SPI (the peer's inbound SA). */
  espOut(spi: number): EspSaKeyEntry | undefined;
}

/** The Map-backed store a node owns. Writing an entry again replaces it (derivation is deterministic). */
export class SaKeyStore implements SaKeyLookup {
  private readonly ikeSas = new Map<string, IkeSaKeyEntry>();
  private readonly inbound = new Map<number, EspSaKeyEntry>();
  private readonly outbound = new Map<number, EspSaKeyEntry>();

  ike(spiI: IkeSpi, spiR: IkeSpi): IkeSaKeyEntry | undefined {
    return this.ikeSas.get(`${spiI}:${spiR}`);
  }

  espIn(spi: number): EspSaKeyEntry | undefined {
    return this.inbound.get(spi);
  }

  espOut(spi: number): EspSaKeyEntry | undefined {
    return this.outbound.get(spi);
  }

  setIke(spiI: IkeSpi, spiR: IkeSpi, entry: IkeSaKeyEntry): void {
    this.ikeSas.set(`${spiI}:${spiR}`, entry);
  }

  setEsp(direction: 'in' | 'out', spi: number, entry: EspSaKeyEntry): void {
    (direction === 'in' ? this.inbound : this.outbound).set(spi >>> 0, entry);
  }

  /** The node lost its volatile state (a crash): every key with it. */
  clear(): void {
    this.ikeSas.clear();
    this.inbound.clear();
    this.outbound.clear();
  }
}
