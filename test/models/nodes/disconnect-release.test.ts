/**
 * A user disconnect gives the address up when the Delete is sent, not when it is answered: the gateway releases the
 * lease to the DHCP server as soon as the Delete reaches it (RFC 7296 §1.4.1, RFC 2131 §4.4.6), a round trip before
 * the answer comes back. Shrunk from `npx dhcpike vopr --method dhcp-over-ike --seed 1381624456 --clients-max 12`
 * (connect at 0, a disconnect at 17 ms right after the address arrived).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scenarios/run.ts';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';

const doc = JSON.parse(
  readFileSync(new URL('./vopr/disconnect-releases-first.json', import.meta.url), 'utf8'),
) as object;

describe('disconnect', () => {
  it('drops the address with the Delete, before the gateway releases the lease', () => {
    expect(runChecked(doc).violations).toEqual([]);
    const run = runScenario(doc, { method: 'dhcp-over-ike' });
    const lines = run.trace
      .filter((e) => e.type === 'note' && ['address.released', 'lease.ended', 'client.closed'].includes(e.text))
      .map((e) => (e.type === 'note' ? `${e.atUs} ${e.node} ${e.text}` : ''));
    expect(lines.slice(0, 3)).toEqual([
      '17000 client1 address.released',
      '20000 dhcp lease.ended',
      '21000 client1 client.closed',
    ]);
  });
});
