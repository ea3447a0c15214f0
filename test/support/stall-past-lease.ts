/**
 * Issue 14 items 1 and 2: the library's `lease-outlives-nothing` (one-address scope, 60 s leases, client2 connects
 * later, pinging every 5 s) with the DHCP server stalled from 20 s to 65 s, past client1's lease end (~60 s), and client2 connecting at
 * 70 s; 130 s run.
 */
import { readFileSync } from 'node:fs';

export function stallPastLease(options: Record<string, string | number | boolean> = {}): object {
  const base = JSON.parse(
    readFileSync(new URL('../../scenarios/library/lease-outlives-nothing.json', import.meta.url), 'utf8'),
  ) as { workload: { actions: { atMs: number }[] } } & Record<string, unknown>;
  const actions = base.workload.actions.map((a, i) => (i === 1 ? { ...a, atMs: 70_000 } : a));
  return {
    ...base,
    name: 'stall-past-lease',
    description: 'The DHCP server stalls from 20 s to 65 s, past the 60 s lease; client2 connects at 70 s.',
    durationMs: 130_000,
    options,
    workload: { ...base.workload, actions, pingIntervalMs: 5000 },
    faults: [
      { type: 'dhcp.stall', atMs: 20_000, node: 'dhcp' },
      { type: 'dhcp.unstall', atMs: 65_000, node: 'dhcp' },
    ],
    expectations: [{ kind: 'noOverlaps' }],
  };
}
