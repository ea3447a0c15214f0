/**
 * Retransmission schedules (RFC 7296 §2.1: only the initiator of an exchange retransmits; the interval grows). A
 * schedule is the list of waits after each send: `tries` retransmissions follow the first send, and the wait after the
 * last one ends in give-up. Integer arithmetic only (no Math.pow): each wait is the previous × num / den, floored.
 */
export interface RetransmitPolicy {
  readonly name: string;
  readonly initialTimeoutMs: number;
  /** The backoff factor as a fraction num/den (strongSwan's retransmit_base 1.8 = 18/10). */
  readonly factorNum: number;
  readonly factorDen: number;
  /** Retransmissions after the first send (strongSwan's retransmit_tries). */
  readonly tries: number;
}

/** strongSwan's defaults: retransmit_timeout=4.0, retransmit_base=1.8, retransmit_tries=5 (give-up after 165.06 s). */
export const STRONGSWAN_RETRANSMIT: RetransmitPolicy = {
  name: 'strongswan',
  initialTimeoutMs: 4000,
  factorNum: 18,
  factorDen: 10,
  tries: 5,
};

/** An RFC-style alternative: 1 s doubling, 6 retransmissions (give-up after 127 s). */
export const DOUBLING_RETRANSMIT: RetransmitPolicy = {
  name: 'doubling',
  initialTimeoutMs: 1000,
  factorNum: 2,
  factorDen: 1,
  tries: 6,
};

/** The waits of each policy, computed once: every initiator of a storm keeps them (`InitiatorContext`). */
const waitsByPolicy = new WeakMap<RetransmitPolicy, readonly number[]>();

/** Waits after send 0 … send `tries` (length tries + 1); the last wait ends in give-up. */
export function retransmitWaitsMs(policy: RetransmitPolicy): readonly number[] {
  const known = waitsByPolicy.get(policy);
  if (known !== undefined) return known;
  const out: number[] = [];
  let wait = policy.initialTimeoutMs;
  for (let i = 0; i <= policy.tries; i++) {
    out.push(wait);
    wait = Math.floor((wait * policy.factorNum) / policy.factorDen);
  }
  waitsByPolicy.set(policy, out);
  return out;
}

/** Send offsets from the first send, and the give-up offset, in ms. */
export function retransmitTimelineMs(policy: RetransmitPolicy): {
  readonly sendsMs: number[];
  readonly giveUpMs: number;
} {
  const sendsMs: number[] = [];
  let at = 0;
  for (const wait of retransmitWaitsMs(policy)) {
    sendsMs.push(at);
    at += wait;
  }
  return { sendsMs, giveUpMs: at };
}
