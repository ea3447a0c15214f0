/**
 * The gateway's lease guard: a provider that handed a DHCP-leased address to a live IKE SA must not let the lease
 * lapse under it (RFC 2131 §4.4.5: the address is the server's again at expiry). When renewal has not succeeded by
 * the guard point — halfway from T2 to expiry, leaving REBINDING half its window and the delete the other half to
 * reach the peer — the IKE SA is deleted (RFC 7296 §1.4.1) so the peer withdraws the address before the server
 * can give it away. The session machines (gateway-relay/session-machine.ts, dhcp-proxy/session-machine.ts) arm it as
 * their named delay `leaseGuard`; these are the pieces they share.
 */
import type { ProviderHost } from './method.ts';

/** Halfway between T2 and expiry, in absolute µs (whole µs, integer arithmetic). */
export function guardPointUs(rebindAtUs: number, expiresAtUs: number): number {
  return rebindAtUs + Math.floor((expiresAtUs - rebindAtUs) / 2);
}

/** An armed guard: the leased address, when the guard fires and when the lease ends (absolute µs). */
export interface ArmedLeaseGuard {
  readonly address: string;
  readonly atUs: number;
  readonly expiresAtUs: number;
}

export function armLeaseGuard(address: string, rebindAtUs: number, expiresAtUs: number): ArmedLeaseGuard {
  return { address, atUs: guardPointUs(rebindAtUs, expiresAtUs), expiresAtUs };
}

/** xstate delays are in ms (the virtual clock rounds back to whole µs): from now to the guard point, never negative. */
export function leaseGuardDelayMs(guard: ArmedLeaseGuard | null, nowUs: number): number {
  return guard === null ? 0 : Math.max(0, guard.atUs - nowUs) / 1000;
}

/** The guard point is reached: delete the IKE SA, or note that this gateway cannot (the lease lapses under it). */
export function fireLeaseGuard(host: ProviderHost, who: string, ikeSaId: string, guard: ArmedLeaseGuard): void {
  const data = { ikeSa: ikeSaId, address: guard.address, expiresAtUs: guard.expiresAtUs };
  const close = host.closeIkeSa;
  if (close === undefined) {
    host.traceNote('provider.cannotClose', data);
    return;
  }
  host.traceNote(`${who}.leaseGuard`, data);
  close.call(host, ikeSaId, 'lease-expiring');
}
