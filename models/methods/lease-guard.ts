/**
 * The gateway's lease guard: a provider that handed a DHCP-leased address to a live IKE SA must not let the lease
 * lapse under it (RFC 2131 §4.4.5: the address is the server's again at expiry). When renewal has not succeeded by
 * the guard point — halfway from T2 to expiry, leaving REBINDING half its window and the delete the other half to
 * reach the peer — the IKE SA is deleted (RFC 7296 §1.4.1) so the peer withdraws the address before the server
 * can give it away.
 */
import type { ProviderHost } from './method.ts';

/** Halfway between T2 and expiry, in absolute µs (whole µs, integer arithmetic). */
export function guardPointUs(rebindAtUs: number, expiresAtUs: number): number {
  return rebindAtUs + Math.floor((expiresAtUs - rebindAtUs) / 2);
}

export class LeaseGuard {
  private cancel: (() => void) | undefined;

  constructor(
    private readonly host: ProviderHost,
    private readonly ikeSaId: string,
    /** The trace-note prefix (`proxy`, `relay`). */
    private readonly who: string,
  ) {}

  /** (Re)arms the guard for a lease of `address` renewable until `rebindAtUs`, expiring at `expiresAtUs`. */
  arm(address: string, rebindAtUs: number, expiresAtUs: number): void {
    this.disarm();
    const atUs = guardPointUs(rebindAtUs, expiresAtUs);
    const delayUs = Math.max(0, atUs - this.host.nowUs());
    this.cancel = this.host.setTimerUs(delayUs, `${this.who}.leaseGuard`, () => {
      this.cancel = undefined;
      this.fire(address, expiresAtUs);
    });
  }

  disarm(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private fire(address: string, expiresAtUs: number): void {
    const data = { ikeSa: this.ikeSaId, address, expiresAtUs };
    const close = this.host.closeIkeSa;
    if (close === undefined) {
      this.host.traceNote('provider.cannotClose', data);
      return;
    }
    this.host.traceNote(`${this.who}.leaseGuard`, data);
    close.call(this.host, this.ikeSaId, 'lease-expiring');
  }
}
