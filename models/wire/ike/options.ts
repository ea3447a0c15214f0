/**
 * Codec options: the crypto context that opens and seals SK payloads, and the DHCP payload's type number.
 *
 * The crypto sits behind one interface (`IkeCryptoContext` = a suite + a `CryptoModel` from crypto-suite.ts). The
 * lab's modelled crypto leaves the inner payloads readable with exact IV / padding / ICV sizes; a real cipher can
 * be put behind the same `CryptoModel` later (it receives the associated data: the IKE header through the SK generic
 * header, RFC 5282 §5.1 / RFC 7296 §3.14, from which it can also read the I flag to pick SK_ei or SK_er).
 */
import {
  CIPHER_SUITES,
  modelledCrypto,
  type CipherSuite,
  type CipherSuiteName,
  type CryptoModel,
} from '../crypto-suite.ts';
import { WireEmitError } from '../result.ts';
import { DEFAULT_DHCP_PAYLOAD_TYPE } from './constants.ts';

export interface IkeCryptoContext {
  readonly suite: CipherSuite;
  readonly model: CryptoModel;
}

export interface IkeCodecOptions {
  /**
   * Parse: opens SK payloads; without it (or when opening fails) SK stays `SK-opaque`.
   * Emit: seals SK payloads; without it the lab's modelled crypto for the SK payload's own `suite` is used.
   */
  readonly crypto?: IkeCryptoContext;
  /** The DHCP payload's type number; default DEFAULT_DHCP_PAYLOAD_TYPE (128). */
  readonly dhcpPayloadType?: number;
}

/** The lab's modelled crypto for a suite. */
export function modelledIkeCrypto(suite: CipherSuiteName | CipherSuite): IkeCryptoContext {
  return { suite: typeof suite === 'string' ? CIPHER_SUITES[suite] : suite, model: modelledCrypto };
}

/** The modelled context of each suite, built once: an SK payload is sized and sealed with it on every emit. */
const MODELLED_CONTEXTS: ReadonlyMap<string, IkeCryptoContext> = new Map(
  Object.values(CIPHER_SUITES).map((s) => [s.name, modelledIkeCrypto(s)] as const),
);

export function dhcpPayloadTypeOf(options: IkeCodecOptions | undefined): number {
  return options?.dhcpPayloadType ?? DEFAULT_DHCP_PAYLOAD_TYPE;
}

/** The context that seals an SK payload of `suite`: the caller's (which must be for that suite) or the modelled one. */
export function sealingContext(
  suite: CipherSuiteName,
  options: IkeCodecOptions | undefined,
  field: string,
): IkeCryptoContext {
  const ctx = options?.crypto;
  if (ctx === undefined) {
    const known = MODELLED_CONTEXTS.get(suite);
    if (known === undefined) throw new WireEmitError(`${field}.suite`, `unknown cipher suite '${String(suite)}'`);
    return known;
  }
  if (ctx.suite.name !== suite) {
    throw new WireEmitError(`${field}.suite`, `payload is for ${suite}, crypto context is for ${ctx.suite.name}`);
  }
  return ctx;
}
