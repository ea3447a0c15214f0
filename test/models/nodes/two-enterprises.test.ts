/**
 * Two enterprises (draft-richardson-ipsec-dhcp-over-ike-00 §4): one client, tunnels to gw (A, 10.1/16) and gw-b (B,
 * 10.2/16), each with its own DHCP server; both connect at 0. With dhcp-over-ipsec both DHCP SAs have the same
 * selectors, so B's DHCP goes wherever the SPD's tie-break sends it (A's older SA). Measured: which gateway relays
 * B's exchange, misdirected packets, and when each tunnel gets its address.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type TraceEvent } from '../../../sim/index.ts';
import { misdirected, notesOf, twoEnterprises } from '../../support/issue7-scenarios.ts';
import { secs } from './ladder.ts';

const assigned = (trace: readonly TraceEvent[]) =>
  notesOf(trace, 'address.assigned').map(
    (e) => `${secs(e.atUs)} ${String(e.data?.['tunnel'] ?? 'a')} ${String(e.data?.['address'])}`,
  );
const relayedBy = (trace: readonly TraceEvent[], xid: number) =>
  notesOf(trace, 'relay.forward')
    .filter((e) => e.data?.['xid'] === xid)
    .map((e) => `${secs(e.atUs)} ${e.node}`);

const B_XID = 0x79e27289;

describe('two enterprises', () => {
  it('dhcp-over-ipsec: B’s first DISCOVER is tunnelled to enterprise A; B is addressed only after A’s DHCP SA is gone', () => {
    const out = runScenario(twoEnterprises('dhcp-over-ipsec').input, { seed: 1 });
    expect(misdirected(out.trace)).toHaveLength(1);
    expect(relayedBy(out.trace, B_XID)).toEqual(['0.050 gw', '4.927 gw-b', '4.949 gw-b']);
    expect(assigned(out.trace)).toEqual(['0.084 a 10.1.99.10', '4.961 b 10.2.99.10']);
  });

  it('dhcp-over-ipsec keeping DHCP SAs: every B exchange goes to enterprise A, B never gets an address', () => {
    const out = runScenario(twoEnterprises('dhcp-over-ipsec', { dhcpSaTeardown: 'keep' }).input, { seed: 1 });
    expect(relayedBy(out.trace, B_XID).every((l) => l.endsWith(' gw'))).toBe(true);
    expect(misdirected(out.trace).length).toBeGreaterThan(1);
    expect(misdirected(out.trace).every((e) => e.data?.['wanted'] === 'b' && e.data['tunnel'] === 'primary')).toBe(
      true,
    );
    expect(assigned(out.trace)).toEqual(['0.084 a 10.1.99.10']);
  });

  it.each([
    ['dhcp-over-ike', '0.064'],
    ['dhcp-over-ike-wg', '0.064'],
    ['mode-cfg-dhcp', '0.044'],
    ['mode-cfg', '0.040'],
  ])('%s: each exchange rides its own IKE SA; both tunnels addressed at once', (method, atS) => {
    const out = runScenario(twoEnterprises(method).input, { seed: 1 });
    expect(misdirected(out.trace)).toEqual([]);
    expect(assigned(out.trace)).toEqual([`${atS} a 10.1.99.10`, `${atS} b 10.2.99.10`]);
  });
});
