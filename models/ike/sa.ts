/** The data of an IKE SA and its Child SAs, as both roles keep it (RFC 7296 §2.1–2.3). Plain values, no behaviour. */
import type { RandomStream } from '../contract.ts';
import type { CipherSuiteName } from '../wire/crypto-suite.ts';
import type { IkeSaSecrets } from '../wire/crypto/ike-keys.ts';
import type { KeyExchangeHalf } from './ike-crypto.ts';
import type { IkeSpi, IkeTrafficSelector } from '../wire/ike/index.ts';

export interface ChildSa {
  /** Our inbound SPI (the peer sends ESP with it) and the peer's. */
  readonly spiIn: number;
  readonly spiOut: number;
  readonly suite: CipherSuiteName;
  readonly tsi: readonly IkeTrafficSelector[];
  readonly tsr: readonly IkeTrafficSelector[];
}

/** The initiator's view: a `slot` names the Child SA across rekeys (`main` = the IKE_AUTH one); `seq` = slot age. */
export interface ClientChild extends ChildSa {
  readonly slot: string;
  readonly seq: number;
}

export interface IkeSaKeys {
  readonly spiI: IkeSpi;
  readonly spiR: IkeSpi;
  readonly suite: CipherSuiteName;
  readonly dhGroup: number;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  /** Real crypto only (ike-crypto.ts): SK_d, SK_p* and the SK_e/SK_a pairs (RFC 7296 §2.14). */
  readonly secrets?: IkeSaSecrets;
  /** Real crypto only: the IKE_SA_INIT request and response as sent, which AUTH signs (RFC 7296 §2.15). */
  readonly initMessages?: { readonly request: Uint8Array; readonly response: Uint8Array };
  /** Real crypto only, a rekey in progress: our half of its key exchange (RFC 7296 §2.18). */
  readonly pendingKe?: KeyExchangeHalf;
}

export const ZERO_SPI: IkeSpi = '0000000000000000';

/** The nonce an established IKE SA keeps in place of its IKE_SA_INIT ones (see `withoutInitNonces`). */
export const NO_NONCE: Uint8Array = new Uint8Array(0);

/**
 * The keys of an IKE SA once IKE_AUTH is over: the IKE_SA_INIT nonces have done their work — SKEYSEED (RFC 7296
 * §2.14), AUTH (§2.15), the IKE_AUTH Child SA's KEYMAT (§2.17) — and nothing later reads them (a CREATE_CHILD_SA
 * keys with its own nonces, an IKE rekey brings new ones, §2.18). An idle SA need not keep two 32-byte arrays.
 */
export function withoutInitNonces(keys: IkeSaKeys): IkeSaKeys {
  return { ...keys, nonceI: NO_NONCE, nonceR: NO_NONCE };
}
const NONCE_BYTES = 32;

/** The char code of each hex digit, lower case (what `toString(16)` writes). */
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hexCode = (n: number, shift: number): number => HEX_CODES[(n >>> shift) & 0xf] as number;

/** `n` as 8 lower-case hex digits: one flat string (toString + padStart made two, and a concatenation a third). */
function hex8(n: number): string {
  return String.fromCharCode(
    hexCode(n, 28),
    hexCode(n, 24),
    hexCode(n, 20),
    hexCode(n, 16),
    hexCode(n, 12),
    hexCode(n, 8),
    hexCode(n, 4),
    hexCode(n, 0),
  );
}

/** Two u32 as 16 hex digits, one flat string (an SPI is a map key at the gateway: a rope would be flattened there). */
function hex16(hi: number, lo: number): string {
  return String.fromCharCode(
    hexCode(hi, 28),
    hexCode(hi, 24),
    hexCode(hi, 20),
    hexCode(hi, 16),
    hexCode(hi, 12),
    hexCode(hi, 8),
    hexCode(hi, 4),
    hexCode(hi, 0),
    hexCode(lo, 28),
    hexCode(lo, 24),
    hexCode(lo, 20),
    hexCode(lo, 16),
    hexCode(lo, 12),
    hexCode(lo, 8),
    hexCode(lo, 4),
    hexCode(lo, 0),
  );
}

/** A non-zero 8-byte IKE SPI (RFC 7296 §2.6). */
export function randomIkeSpi(rng: RandomStream): IkeSpi {
  for (;;) {
    // Drawn in the same order as ever: the high word first.
    const hi = rng.nextU32();
    const spi = hex16(hi, rng.nextU32());
    if (spi !== ZERO_SPI) return spi;
  }
}

/** A 4-byte ESP SPI above the reserved 0–255 (RFC 4303 §2.1). */
export function randomEspSpi(rng: RandomStream): number {
  return rng.intBetween(0x100, 0xffffffff);
}

export function randomNonce(rng: RandomStream): Uint8Array {
  const out = new Uint8Array(NONCE_BYTES);
  for (let i = 0; i < NONCE_BYTES; i += 4) {
    const v = rng.nextU32();
    out[i] = v >>> 24;
    out[i + 1] = (v >>> 16) & 0xff;
    out[i + 2] = (v >>> 8) & 0xff;
    out[i + 3] = v & 0xff;
  }
  return out;
}

export function espSpiHex(spi: number): IkeSpi {
  return hex8(spi);
}

export function espSpiFromHex(spi: IkeSpi): number {
  return Number.parseInt(spi, 16) >>> 0;
}
