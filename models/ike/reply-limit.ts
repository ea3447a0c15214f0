/**
 * RFC 7296 §2.21.4: "A node needs to limit the rate at which it will send messages in response to unprotected
 * messages." At most `perWindow` replies in each fixed window of simulated time; the rest are dropped (and traced by
 * the caller). Integer µs arithmetic on the simulator's clock only.
 */
export class ReplyLimit {
  private windowStartUs = -1;
  private sent = 0;

  constructor(
    readonly perWindow: number,
    readonly windowUs: number,
  ) {}

  /** May we reply now? Counts the reply when it may. */
  allow(nowUs: number): boolean {
    if (this.windowStartUs < 0 || nowUs - this.windowStartUs >= this.windowUs) {
      this.windowStartUs = nowUs;
      this.sent = 0;
    }
    if (this.sent >= this.perWindow) return false;
    this.sent++;
    return true;
  }
}

/** The gateway's INVALID_IKE_SPI answers: 50 per second (a burst of clients after a restart, not a reflector). */
export const INVALID_SPI_REPLIES_PER_SEC = 50;
