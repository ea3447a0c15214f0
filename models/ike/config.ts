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
  /**
   * Initiator: send INITIAL_CONTACT in the first IKE_AUTH request of each fresh connection (RFC 7296 §2.4: this IKE
   * SA is the only one between the two identities, so the responder may delete the others at once). Must be false
   * for credentials shared by several devices at the same time ("an entity that may be replicated"). Default true.
   */
  readonly initialContact: boolean;
  /**
   * IKE_SA_INIT carries NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP (RFC 7296 §2.23), as strongSwan and
   * every common client send them, when the IKE machine knows its packet's ends (`endpoints`). Default true.
   */
  readonly natDetection: boolean;
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
    initialContact: true,
    natDetection: true,
    ...partial,
  };
}

/**
 * What the gateway does when an identity that already has an IKE SA authenticates a new one (strongSwan's
 * `uniqueids`): `replace` deletes the old IKE SA (a Delete is sent on it, its address released) — one IKE SA per
 * identity; `keep` keeps the old one and rejects the new one with AUTHENTICATION_FAILED; `no` keeps both. Whatever
 * the policy, an IKE_AUTH carrying INITIAL_CONTACT (RFC 7296 §2.4) deletes the identity's other IKE SAs (silently:
 * the peer says it has forgotten them).
 */
export type UniqueIdsPolicy = 'replace' | 'keep' | 'no';

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
  /** One IKE SA per identity (see `UniqueIdsPolicy`). Default `replace`, as strongSwan's `uniqueids=yes`. */
  readonly uniqueIds?: UniqueIdsPolicy;
  /**
   * A half-open IKE SA (IKE_SA_INIT answered, or between IKE_AUTH rounds: waiting for the peer's next IKE_AUTH) is
   * removed after this long without that request (strongSwan's half_open_timeout, default 30 s). 0 = never.
   */
  readonly halfOpenTimeoutMs?: number;
  /**
   * Between IKE_AUTH rounds the half-open wait is at least this (default AUTH_ROUND_WAIT_MS): a client that carries
   * DHCP across rounds paces them by RFC 2131 retransmission (draft-ietf-ipsec-dhcp-over-ike-00 §3).
   */
  readonly authRoundWaitMs?: number;
}

/** RFC 2131 §4.1's longest retransmission wait (64 s) plus its ±1 s randomisation. */
export const AUTH_ROUND_WAIT_MS = 65_000;

export const DEFAULT_RESPONDER_POLICY: ResponderPolicy = {
  protectedSubnets: [],
  cpRequired: true,
  addressTimeoutMs: 10_000,
  busyRepeat: 'ignore',
  rekeyBusy: false,
  uniqueIds: 'replace',
  halfOpenTimeoutMs: 30_000,
};

/**
 * The gateway liveness interval scenarios use when they set none (strongSwan's dpd_delay, set on a gateway so a
 * vanished client's IKE SA and address are freed): a dead client's SA is removed at most this + the retransmission
 * schedule's give-up (30 s + 165 s with strongSwan's) after its last answer. The bare model default stays off.
 */
export const SCENARIO_GATEWAY_LIVENESS_MS = 30_000;
