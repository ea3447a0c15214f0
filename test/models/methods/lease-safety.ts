/**
 * The lease-safety rule, read from a trace: a client holds an inner address from its `address.assigned` note to its
 * `address.released` note; it must not hold it when the server's lease ends — `lease.expired` at the DHCP server
 * (RFC 2131 §4.4.5) or a DHCPRELEASE for it reaching the server (§4.4.6) — unless it is re-assigned after that.
 */
import type { TraceEvent } from '../../../sim/index.ts';

export interface LeaseViolation {
  readonly atUs: number;
  readonly client: string;
  readonly address: string;
  readonly why: 'expired' | 'released';
}

/** Every moment a server lease ended while a client held its address. `servers`: the DHCP server node names. */
export function leaseViolations(trace: readonly TraceEvent[], servers: readonly string[]): LeaseViolation[] {
  const held = new Map<string, string>(); // client → address
  const out: LeaseViolation[] = [];
  const ended = (atUs: number, address: string, why: LeaseViolation['why']): void => {
    for (const [client, a] of held) if (a === address) out.push({ atUs, client, address, why });
  };
  for (const e of trace) {
    if (e.type === 'note') {
      const address = typeof e.data?.['address'] === 'string' ? e.data['address'] : undefined;
      if (address === undefined) continue;
      if (e.text === 'address.assigned') held.set(e.node, address);
      else if (e.text === 'address.released' && held.get(e.node) === address) held.delete(e.node);
      else if (e.text === 'lease.expired' && servers.includes(e.node)) ended(e.atUs, address, 'expired');
    } else if (e.type === 'deliver' && servers.includes(e.node)) {
      const m = /^DHCPRELEASE (\S+)/.exec(e.summary);
      if (m?.[1] !== undefined) ended(e.atUs, m[1], 'released');
    }
  }
  return out;
}
