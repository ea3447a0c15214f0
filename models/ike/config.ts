/** Configuration of one IKEv2 peer (both roles). Everything a test or scenario varies is here, named with units. */
import type { CipherSuiteName } from '../wire/crypto-suite.ts';
import type { IkeTrafficSelector } from '../wire/ike/index.ts';
import { STRONGSWAN_RETRANSMIT, type RetransmitPolicy } from './retransmit.ts';

export interface IkeLifetimes {
  /** 0 = never. strongSwan's rekey_time; the rekey fires at rekey − jitter (jitter in [0, jitterMs]). */
  readonly childRekeyMs: number;
  readonly ikeRekeyMs: number;
  /** Liveness check (empty INFORMATIONAL, RFC 7296 §2.4) when idle for this long; 0 = off. */
  readonly livenessMs: number;
  readonly jitterMs: number;
}

/**
 * What the responder does with a repeated request while it is still working on the original (e.g. waiting for an
 * address): `ignore` drops it (strongSwan: "already processing"), `ack-later` remembers it and sends the response once,
 * when ready (one response either way, so the initiator never sees two different answers to one message ID).
 */
export type BusyRepeatPolicy = 'ignore' | 'ack-later';

export interface IkePeerConfig {
  /** ID_FQDN or ID_RFC822_ADDR payload value. */
  readonly identity: string;
  /** Named pre-shared key: AUTH is a digest of this name and the nonces (modelled, RFC 7296 §2.15). */
  readonly pskName: string;
  /** Acceptable IKE and Child SA suites, preference order. */
  readonly suites: readonly CipherSuiteName[];
  /** DH groups, preference order; the initiator's KE uses the first (or the group named by INVALID_KE_PAYLOAD). */
  readonly dhGroups: readonly number[];
  readonly retransmit: RetransmitPolicy;
  readonly lifetimes: IkeLifetimes;
}

export const DEFAULT_LIFETIMES: IkeLifetimes = { childRekeyMs: 0, ikeRekeyMs: 0, livenessMs: 0, jitterMs: 0 };

export function peerConfig(
  partial: Partial<IkePeerConfig> & Pick<IkePeerConfig, 'identity' | 'pskName'>,
): IkePeerConfig {
  return {
    suites: ['aes128gcm16'],
    dhGroups: [31],
    retransmit: STRONGSWAN_RETRANSMIT,
    lifetimes: DEFAULT_LIFETIMES,
    ...partial,
  };
}

/** Gateway-side policy for Child SAs. */
export interface ResponderPolicy {
  /** Traffic the tunnels may reach (TSr is narrowed to the intersection; none ⇒ TS_UNACCEPTABLE, RFC 7296 §2.9). */
  readonly protectedSubnets: readonly IkeTrafficSelector[];
  /** A client that sends no CP gets FAILED_CP_REQUIRED (RFC 7296 §2.19, §3.10.1). */
  readonly cpRequired: boolean;
  /** How long the IKE_AUTH response may wait for an asynchronous address provider, then INTERNAL_ADDRESS_FAILURE. */
  readonly addressTimeoutMs: number;
  readonly busyRepeat: BusyRepeatPolicy;
  /** Answer CREATE_CHILD_SA rekeys with TEMPORARY_FAILURE (a busy gateway / rekey collision, RFC 7296 §2.25). */
  readonly rekeyBusy: boolean;
  /** Answer only the first n Child SA rekeys of each IKE SA with TEMPORARY_FAILURE (then accept). Default 0. */
  readonly rekeyBusyTimes?: number;
  /**
   * The gateway's own liveness check (RFC 7296 §2.4): an empty INFORMATIONAL every `livenessMs` while no request of
   * ours is outstanding; no answer after the retransmission schedule ⇒ the client is dead, its SA and address are
   * released. 0/absent = off, as strongSwan's responder default (dpd_delay=0): a crashed client's address is then
   * held until it reconnects with the same identity (the pool gives it back).
   */
  readonly livenessMs?: number;
}

export const DEFAULT_RESPONDER_POLICY: ResponderPolicy = {
  protectedSubnets: [],
  cpRequired: true,
  addressTimeoutMs: 10_000,
  busyRepeat: 'ignore',
  rekeyBusy: false,
};
