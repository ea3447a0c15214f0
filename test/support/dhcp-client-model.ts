/**
 * A small RFC 2131 client model for model-based tests of models/dhcp/client-machine.ts: the states of figure 5 that
 * a client without INIT-REBOOT reaches, and every transmission it makes, on a millisecond clock. Written from the
 * RFC, not from the machine: §4.1 (retransmission: 4 s doubling to 64 s, here without jitter, then give up), §4.4.1
 * (SELECTING → REQUESTING → BOUND), §4.4.5 (T1/T2 defaults 0.5 and 0.875 × lease; RENEWING unicast, REBINDING
 * broadcast, each waiting half the time left to T2 / expiry, at least 60 s; expiry ⇒ INIT), §4.4.6 (RELEASE).
 *
 * What the model cannot know — the lease start the client chose among its REQUEST times — it is told (`ack`), and
 * the test checks that choice separately.
 */

export type ModelStateName = 'INIT' | 'SELECTING' | 'REQUESTING' | 'BOUND' | 'RENEWING' | 'REBINDING' | 'RELEASED';

export type ModelDestination = 'broadcast' | { readonly unicast: string };

export interface ModelSend {
  readonly atMs: number;
  readonly type: 'DISCOVER' | 'REQUEST' | 'RELEASE';
  readonly destination: ModelDestination;
  /** Transactions (RFC 2131 §2 xid): sends with the same number must share an xid, others must not. */
  readonly exchange: number;
}

export interface ModelLease {
  readonly address: string;
  readonly serverId: string;
  readonly leaseSecs: number;
  readonly infinite: boolean;
  readonly startMs: number;
  /** Absolute ms. */
  readonly t1AtMs: number;
  readonly t2AtMs: number;
  readonly expiresAtMs: number;
  /** Relative to the start, ms. */
  readonly t1Ms: number;
  readonly t2Ms: number;
}

export interface AckParams {
  readonly address: string;
  readonly serverId: string;
  readonly leaseSecs: number;
  readonly t1Secs?: number;
  readonly t2Secs?: number;
}

/** RFC 2132 §9.2: 0xffffffff is an infinite lease. */
export const INFINITE_SECS = 0xffffffff;
/** RFC 2131 §4.1 nominal waits after transmissions 1…5; the wait after the fifth ends in giving up. */
export const SELECTING_WAITS_MS: readonly number[] = [4_000, 8_000, 16_000, 32_000, 64_000];
/** RFC 2131 §4.4.5: "down to a minimum of 60 seconds". */
const RENEWAL_MIN_WAIT_MS = 60_000;

/** RFC 2131 §4.4.5 T1/T2 (options 58/59 when they make sense: 0 < T1 < T2 < lease), in ms from the lease start. */
export function modelLeaseTimes(leaseSecs: number, t1Secs?: number, t2Secs?: number): { t1Ms: number; t2Ms: number } {
  const leaseMs = leaseSecs * 1000;
  const t1 = t1Secs === undefined ? leaseSecs * 500 : t1Secs * 1000;
  const t2 = t2Secs === undefined ? leaseSecs * 875 : t2Secs * 1000;
  const given = t1Secs !== undefined || t2Secs !== undefined;
  if (given && t1 > 0 && t1 < t2 && t2 < leaseMs) return { t1Ms: t1, t2Ms: t2 };
  return { t1Ms: leaseSecs * 500, t2Ms: leaseSecs * 875 };
}

export class DhcpClientModel {
  state: ModelStateName = 'INIT';
  nowMs = 0;
  lease: ModelLease | null = null;
  /** Transmissions in the current state (SELECTING, REQUESTING). */
  private tries = 0;
  private retransmitAtMs: number | null = null;
  private deadlineAtMs: number | null = null;
  private exchange = 0;
  private offer: { readonly address: string; readonly serverId: string } | null = null;
  /** When each REQUEST of the exchange being answered was sent (REQUESTING, or RENEWING through REBINDING). */
  requestTimesMs: number[] = [];
  readonly sends: ModelSend[] = [];

  /** The machine starts in INIT and goes to SELECTING at once (no remembered address). */
  start(): void {
    this.enterSelecting();
  }

  private send(type: ModelSend['type'], destination: ModelDestination): void {
    this.sends.push({ atMs: this.nowMs, type, destination, exchange: this.exchange });
  }

  private enterSelecting(): void {
    this.state = 'SELECTING';
    this.exchange += 1; // §4.1: a new xid for a new exchange
    this.offer = null;
    this.deadlineAtMs = null;
    this.tries = 0;
    this.sendWithBackoff('DISCOVER');
  }

  private sendWithBackoff(type: 'DISCOVER' | 'REQUEST'): void {
    this.send(type, 'broadcast');
    if (type === 'REQUEST') this.requestTimesMs.push(this.nowMs);
    this.retransmitAtMs = this.nowMs + (SELECTING_WAITS_MS[this.tries] ?? 0);
    this.tries += 1;
  }

  private enterInit(restart: boolean): void {
    this.state = 'INIT';
    this.lease = null;
    this.retransmitAtMs = null;
    this.deadlineAtMs = null;
    if (restart) this.enterSelecting();
  }

  private enterBound(): void {
    this.state = 'BOUND';
    this.retransmitAtMs = null;
    const lease = this.lease;
    // A deadline already passed fires at once, never before it is due.
    this.deadlineAtMs = lease === null || lease.infinite ? null : Math.max(this.nowMs, lease.t1AtMs);
  }

  private renewalSend(): void {
    const lease = this.lease;
    if (lease === null) return;
    const rebinding = this.state === 'REBINDING';
    this.send('REQUEST', rebinding ? 'broadcast' : { unicast: lease.serverId });
    this.requestTimesMs.push(this.nowMs);
    const remainingMs = (rebinding ? lease.expiresAtMs : lease.t2AtMs) - this.nowMs;
    const waitMs = Math.max(RENEWAL_MIN_WAIT_MS, Math.floor(remainingMs / 2));
    this.retransmitAtMs = waitMs < remainingMs ? this.nowMs + waitMs : null;
  }

  private enterRenewing(): void {
    const lease = this.lease;
    if (lease === null) return;
    this.state = 'RENEWING';
    this.exchange += 1;
    this.requestTimesMs = [];
    this.renewalSend();
    this.deadlineAtMs = Math.max(this.nowMs, lease.t2AtMs);
  }

  private enterRebinding(): void {
    const lease = this.lease;
    if (lease === null) return;
    this.state = 'REBINDING'; // same exchange (xid) as RENEWING
    this.renewalSend();
    this.deadlineAtMs = Math.max(this.nowMs, lease.expiresAtMs);
  }

  /** When the next timer (retransmission or lease deadline) is due, if any. */
  nextTimerMs(): number | null {
    const due = [this.retransmitAtMs, this.deadlineAtMs].filter((t): t is number => t !== null);
    return due.length === 0 ? null : Math.min(...due);
  }

  /** Fires every timer due up to `untilMs`, in time order; the clock ends at `untilMs`. */
  advanceTo(untilMs: number): void {
    for (;;) {
      const due = [this.retransmitAtMs, this.deadlineAtMs].filter((t): t is number => t !== null && t <= untilMs);
      if (due.length === 0) break;
      const atMs = Math.min(...due);
      this.nowMs = atMs;
      if (atMs === this.retransmitAtMs) this.retransmit();
      else this.deadline();
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  private retransmit(): void {
    this.retransmitAtMs = null;
    switch (this.state) {
      case 'SELECTING':
      case 'REQUESTING':
        if (this.tries < SELECTING_WAITS_MS.length) {
          this.sendWithBackoff(this.state === 'SELECTING' ? 'DISCOVER' : 'REQUEST');
          return;
        }
        // Gave up: SELECTING waits for a start command; REQUESTING goes back to discovery at once.
        this.enterInit(this.state === 'REQUESTING');
        return;
      case 'RENEWING':
      case 'REBINDING':
        this.renewalSend();
        return;
      default:
        throw new Error(`model: a retransmission timer in ${this.state}`);
    }
  }

  private deadline(): void {
    this.deadlineAtMs = null;
    if (this.state === 'BOUND') this.enterRenewing();
    else if (this.state === 'RENEWING') this.enterRebinding();
    else if (this.state === 'REBINDING') this.enterInit(true);
    else throw new Error(`model: a lease deadline in ${this.state}`);
  }

  offerReceived(address: string, serverId: string): void {
    if (this.state !== 'SELECTING') return;
    this.offer = { address, serverId };
    this.state = 'REQUESTING';
    this.tries = 0;
    this.requestTimesMs = [];
    this.sendWithBackoff('REQUEST');
  }

  /** Whether an ACK or NAK is answered in this state (our xid): REQUESTING, RENEWING, REBINDING. */
  awaitsReply(): boolean {
    return this.state === 'REQUESTING' || this.state === 'RENEWING' || this.state === 'REBINDING';
  }

  /** An ACK for our exchange; `startMs` is the lease start the client chose (checked by the caller). */
  ackReceived(p: AckParams, startMs: number): void {
    if (!this.awaitsReply()) return;
    const infinite = p.leaseSecs >= INFINITE_SECS;
    const { t1Ms, t2Ms } = infinite ? { t1Ms: 0, t2Ms: 0 } : modelLeaseTimes(p.leaseSecs, p.t1Secs, p.t2Secs);
    const never = Number.MAX_SAFE_INTEGER;
    this.lease = {
      address: p.address,
      serverId: p.serverId,
      leaseSecs: p.leaseSecs,
      infinite,
      startMs,
      t1Ms,
      t2Ms,
      t1AtMs: infinite ? never : startMs + t1Ms,
      t2AtMs: infinite ? never : startMs + t2Ms,
      expiresAtMs: infinite ? never : startMs + p.leaseSecs * 1000,
    };
    this.enterBound();
  }

  nakReceived(): void {
    if (!this.awaitsReply()) return;
    this.enterInit(true);
  }

  release(): void {
    if (this.state === 'RELEASED') return;
    const lease = this.lease;
    if (lease !== null && (this.state === 'BOUND' || this.state === 'RENEWING' || this.state === 'REBINDING')) {
      this.exchange += 1; // §4.4.6: RELEASE is its own transaction
      this.send('RELEASE', { unicast: lease.serverId });
    }
    this.lease = null;
    this.state = 'RELEASED';
    this.retransmitAtMs = null;
    this.deadlineAtMs = null;
  }

  /** cmd.start: leaves INIT (after SELECTING gave up) or RELEASED. */
  startCommand(): void {
    if (this.state === 'INIT' || this.state === 'RELEASED') this.enterSelecting();
  }

  /** The offer being requested (REQUESTING), for the ACK's address. */
  offered(): { readonly address: string; readonly serverId: string } | null {
    return this.offer;
  }
}
