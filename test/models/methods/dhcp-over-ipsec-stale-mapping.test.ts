/**
 * Issue 14 item 2: after client1's lease ran out (server stalled past the lease end) and its tunnel SA was deleted,
 * the gateway must not keep client1 ↔ the address: client2, which gets the address at 70 s, receives its unicast
 * DHCPACK at 100 s through its own tunnel SA, not through client1's wildcard DHCP SA (RFC 3456 §4.1 0.0.0.0/0:68).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { stallPastLease } from '../../support/stall-past-lease.ts';
import { noteLines } from './dhcp-over-ike-helpers.ts';

describe('dhcp-over-ipsec: no stale client ↔ address mapping at the gateway (issue 14 item 2)', () => {
  for (const dhcpFromTunnel of ['forward', 'relay'] as const) {
    it(`dhcpFromTunnel=${dhcpFromTunnel}: client2's renewal ACK reaches client2, and the gateway sees no overlap`, () => {
      const out = runScenario(stallPastLease({ dhcpFromTunnel }), { method: 'dhcp-over-ipsec' });
      const recv = noteLines(out.trace, /^rfc3456\.recv$/).filter((l) => Number(l.split(' ')[0]) > 99);
      expect(recv.map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual(['client2 rfc3456.recv']);
      expect(noteLines(out.trace, /^lease\.renewed$/).some((l) => l.includes('client2'))).toBe(true);
      // client1's lease ended at ~60 s and its tunnel SA went with it: client2's lease of the address is no overlap.
      expect(noteLines(out.trace, /^address\.overlap$/)).toEqual([]);
      expect(out.metrics.addressOverlaps).toBe(0);
    });
  }
});
