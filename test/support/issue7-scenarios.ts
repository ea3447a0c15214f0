/**
 * The scenarios of issue 7 as plain builders over the comparison topology, with the measurements they make visible
 * (read from the trace only). H8 translates them into scenarios/library files: every number here is the scenario.
 */
import type { TraceEvent } from '../../sim/index.ts';
import { buildComparison, type Comparison } from './comparison-topology.ts';

type Note = Extract<TraceEvent, { type: 'note' }>;

export const FIVE_METHODS = ['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'mode-cfg-dhcp', 'dhcp-over-ipsec'];

const connect = (node: string, atUs: number, tunnel?: string) => ({
  atUs,
  node,
  command: { type: 'cmd.connect', ...(tunnel === undefined ? {} : { args: { tunnel } }) },
});
const ping = (node: string, atUs: number) => ({ atUs, node, command: { type: 'cmd.ping' } });

/** The same happy path for every method: one client connects at 0, pings at 2 s; 3 s run. */
export function happyPath(method: string): Comparison {
  return buildComparison({
    method,
    durationUs: 3_000_000,
    commands: [connect('client1', 0), ping('client1', 2_000_000)],
  });
}

/**
 * Wildcard hazard (draft-richardson §4): the client's outer address is leased by a home DHCP server on the outside
 * segment for 20 s (home T1 ≈ 10 s, T2 ≈ 17.5 s, expiry ≈ 20 s); the client connects at 1 s; 30 s run. For
 * dhcp-over-ipsec the DHCP SA outlives the home renewal with `dhcpSaTeardown` = `at-lifetime` (RFC 3456 §4.1
 * "minutes": 300 s) or `keep`; with the default `after-tunnel` it lives ~0.1 s and misses the renewal.
 */
export function wildcardHazard(method: string, clientOptions?: unknown): Comparison {
  return buildComparison({
    method,
    clientOptions,
    homeLeaseSecs: 20,
    durationUs: 30_000_000,
    reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 0 },
    commands: [connect('client1', 1_000_000)],
  });
}

/**
 * Two enterprises (draft-richardson §4): client1 has tunnels to gw (enterprise A, 10.1/16) and gw-b (enterprise B,
 * 10.2/16), each with its own DHCP server; both tunnels connect at 0 (B's first packet is scheduled after A's); 10 s
 * run. With dhcp-over-ipsec both DHCP SAs have the same selectors.
 */
export function twoEnterprises(method: string, clientOptions?: unknown): Comparison {
  return buildComparison({
    method,
    clientOptions,
    secondEnterprise: true,
    durationUs: 10_000_000,
    reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 0 },
    commands: [connect('client1', 0, 'primary'), connect('client1', 0, 'b')],
  });
}

/**
 * Lease outlives nothing (mode-cfg-dhcp): the enterprise scope holds ONE address (10.1.99.10), lease 60 s; client1
 * connects at 0 and keeps its tunnel; client2 connects at 90 s; 150 s run, no reconnects.
 */
export function leaseOutlivesNothing(dhcpRenewal: 'none' | 'renew-at-t1'): Comparison {
  return buildComparison({
    method: 'mode-cfg-dhcp',
    // strongSwan's dhcp plugin as it is: no renewal and no lease guard (the lab's guard would delete the IKE SA first).
    gatewayOptions: { dhcpRenewal, proxyLeaseGuard: false },
    clients: 2,
    leaseSecs: 60,
    poolFirst: '10.1.99.10',
    poolLast: '10.1.99.10',
    durationUs: 150_000_000,
    reconnect: { delayMs: 5000, jitterMs: 0, triesMax: 0 },
    commands: [connect('client1', 0), connect('client2', 90_000_000)],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

export function notesOf(trace: readonly TraceEvent[], text: string): Note[] {
  return trace.filter((e): e is Note => e.type === 'note' && e.text === text);
}

/** `spd.misdirected` notes. */
export function misdirected(trace: readonly TraceEvent[]): Note[] {
  return notesOf(trace, 'spd.misdirected');
}

/**
 * Address overlap: total µs during which two different clients held the same inner address (from
 * `address.assigned` / `address.released`; a holding still open at the end runs to `endUs`).
 */
export function overlapUs(trace: readonly TraceEvent[], endUs: number): number {
  const holds: { address: string; client: string; fromUs: number; toUs: number }[] = [];
  const open = new Map<string, { address: string; client: string; fromUs: number }>();
  for (const e of trace) {
    if (e.type !== 'note' || e.data === undefined) continue;
    const client = String(e.data['client']);
    const address = String(e.data['address']);
    const key = `${client}|${address}|${String(e.data['tunnel'] ?? '')}`;
    if (e.text === 'address.assigned') open.set(key, { address, client, fromUs: e.atUs });
    if (e.text === 'address.released') {
      const h = open.get(key);
      if (h !== undefined) holds.push({ ...h, toUs: e.atUs });
      open.delete(key);
    }
  }
  for (const h of open.values()) holds.push({ ...h, toUs: endUs });
  let total = 0;
  for (let i = 0; i < holds.length; i++) {
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i];
      const b = holds[j];
      if (a === undefined || b === undefined || a.address !== b.address || a.client === b.client) continue;
      total += Math.max(0, Math.min(a.toUs, b.toUs) - Math.max(a.fromUs, b.fromUs));
    }
  }
  return total;
}
