/**
 * The client's timer arithmetic, pure and integer-only: retransmission backoff (RFC 2131 §4.1), T1/T2 and lease
 * expiry (§4.4.5), and the renewal retransmission rule (§4.4.5). The machine stores absolute deadlines in µs and
 * hands the clock whole milliseconds.
 */
import type { RandomStream } from '../contract.ts';

/**
 * How a client retransmits in SELECTING, REQUESTING and REBOOTING. Either exponential — `baseMs` doubling up to
 * `maxMs` — or an explicit list of nominal waits; each wait is randomised by a uniform integer in
 * [-jitterMs, +jitterMs]. `triesMax` (or the list length) is the number of transmissions; the client gives up one
 * wait after the last one. A method whose carrier already retransmits (IKE) sets `triesMax: 1` or its own list.
 */
export type RetransmitPolicy =
  | { readonly baseMs: number; readonly maxMs: number; readonly jitterMs: number; readonly triesMax: number }
  | { readonly delaysMs: readonly number[]; readonly jitterMs: number };

/**
 * DISCOVER in SELECTING, RFC 2131 §4.1: 4 s, doubling to 64 s, each ±1 s, and no give-up (RFC 2131 sets no limit on
 * DISCOVERs; the backoff stays bounded at 64 s).
 */
export const RFC2131_RETRANSMIT: RetransmitPolicy = {
  baseMs: 4_000,
  maxMs: 64_000,
  jitterMs: 1_000,
  triesMax: Number.MAX_SAFE_INTEGER,
};

/**
 * REQUEST in REQUESTING and REBOOTING, RFC 2131 §3.1 step 5 with §4.1's waits: the original and four retransmissions
 * after 4, 8, 16 and 32 s (±1 s) — "retransmit the DHCPREQUEST message four times, for a total delay of 60 seconds,
 * before restarting the initialization procedure" — and the restart one base wait (4 s) after the last.
 */
export const RFC2131_REQUEST_RETRANSMIT: RetransmitPolicy = {
  delaysMs: [4_000, 8_000, 16_000, 32_000, 4_000],
  jitterMs: 1_000,
};

/** The lab before issue 14 (`dhcpRetransmit: five-tries`): 5 transmissions of DISCOVER and of REQUEST, 4–64 s waits. */
export const FIVE_TRIES_RETRANSMIT: RetransmitPolicy = { baseMs: 4_000, maxMs: 64_000, jitterMs: 1_000, triesMax: 5 };

export function retransmitTriesMax(policy: RetransmitPolicy): number {
  return 'delaysMs' in policy ? policy.delaysMs.length : policy.triesMax;
}

/** The nominal wait after transmission number `attempt` (0 = the first transmission), before jitter. */
export function nominalRetransmitMs(policy: RetransmitPolicy, attempt: number): number {
  if ('delaysMs' in policy) {
    const list = policy.delaysMs;
    return list[Math.min(attempt, list.length - 1)] ?? 0;
  }
  let waitMs = policy.baseMs;
  // Doubling by a bounded loop (no Math.pow): at most `attempt` doublings, stopping at the cap.
  for (let i = 0; i < attempt && waitMs < policy.maxMs; i += 1) waitMs *= 2;
  return Math.min(waitMs, policy.maxMs);
}

/** Uniform integer in [-jitterMs, +jitterMs], one draw from the stream (none when jitterMs is 0). */
export function drawJitterMs(rng: RandomStream, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  return rng.intBelow(2 * jitterMs + 1) - jitterMs;
}

/** Nominal wait plus jitter, never below 1 ms. */
export function retransmitDelayMs(policy: RetransmitPolicy, attempt: number, rng: RandomStream): number {
  return Math.max(1, nominalRetransmitMs(policy, attempt) + drawJitterMs(rng, policy.jitterMs));
}

/** RFC 2132 §9.2: 0xffffffff means infinity. */
export const INFINITE_LEASE_SECS = 0xffffffff;

export interface LeaseTimers {
  readonly infinite: boolean;
  readonly leaseMs: number;
  readonly t1Ms: number;
  readonly t2Ms: number;
  /** Whether T1/T2 came from options 58/59 or the §4.4.5 defaults. */
  readonly source: 'options' | 'defaults';
}

/**
 * RFC 2131 §4.4.5: T1 defaults to 0.5 × lease and T2 to 0.875 × lease. In milliseconds these are exact for whole
 * seconds — T1 = secs × 500, T2 = secs × 875 — so there is no rounding at all. Options 58/59 are used when present and
 * consistent (0 < T1 < T2 < lease; a lone T1 or T2 is kept if it fits with the other's default); otherwise both
 * defaults apply. An infinite lease has no T1, T2 or expiry.
 */
export function leaseTimers(leaseSecs: number, renewalSecs?: number, rebindingSecs?: number): LeaseTimers {
  if (leaseSecs >= INFINITE_LEASE_SECS) {
    return { infinite: true, leaseMs: 0, t1Ms: 0, t2Ms: 0, source: 'defaults' };
  }
  const leaseMs = leaseSecs * 1000;
  const defaultT1Ms = leaseSecs * 500;
  const defaultT2Ms = leaseSecs * 875;
  const t1Ms = renewalSecs !== undefined ? renewalSecs * 1000 : defaultT1Ms;
  const t2Ms = rebindingSecs !== undefined ? rebindingSecs * 1000 : defaultT2Ms;
  const fromOptions = renewalSecs !== undefined || rebindingSecs !== undefined;
  if (fromOptions && t1Ms > 0 && t1Ms < t2Ms && t2Ms < leaseMs) {
    return { infinite: false, leaseMs, t1Ms, t2Ms, source: 'options' };
  }
  return { infinite: false, leaseMs, t1Ms: defaultT1Ms, t2Ms: defaultT2Ms, source: 'defaults' };
}

/** RFC 2131 §4.4.5: "down to a minimum of 60 seconds". */
export const RENEWAL_RETRANSMIT_MIN_MS = 60_000;

/**
 * RFC 2131 §4.4.5: in RENEWING wait one-half of the remaining time until T2, in REBINDING one-half of the remaining
 * lease time, down to a minimum of 60 s. `remainingMs` is the time left to that deadline (whole ms, rounded down);
 * the half is rounded down to a whole ms. Returns null when the wait would reach the deadline: the deadline's own
 * transition (to REBINDING, or expiry) comes first, so no retransmission is scheduled.
 */
export function renewalRetransmitMs(remainingMs: number): number | null {
  const waitMs = Math.max(RENEWAL_RETRANSMIT_MIN_MS, Math.floor(remainingMs / 2));
  return waitMs < remainingMs ? waitMs : null;
}

/** Whole ms from now until an absolute deadline in µs, rounded up so a timer never fires before its deadline. */
export function msUntil(deadlineUs: number, nowUs: number): number {
  const remainingUs = deadlineUs - nowUs;
  return remainingUs <= 0 ? 0 : Math.ceil(remainingUs / 1000);
}

/** RFC 2131 §2 `secs`: whole seconds since the client began the exchange, capped at the 16-bit field. */
export function secsSince(startUs: number, nowUs: number): number {
  return Math.min(0xffff, Math.max(0, Math.floor((nowUs - startUs) / 1_000_000)));
}
