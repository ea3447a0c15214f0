/**
 * vopr `--method dhcp-over-ipsec --seed 710098524` (child.tsiIsAddress): the tunnel CREATE_CHILD_SA asked for right
 * after the ACK (RFC 3456 §3.1 e) was retransmitted through an outage longer than the lease; the lease expired
 * (RFC 2131 §4.4.5), the client withdrew the address and started again at DISCOVER — and then the late answer came
 * and the client installed a tunnel SA with TSi = the address it no longer held, and deleted the DHCP SA its DISCOVER
 * needed (`after-tunnel`). The tunnel SA is for the leased address only: an answer for a lease lost meanwhile is now
 * refused and the SA the gateway created is deleted (RFC 7296 §1.4.1).
 *
 * The small scenario: one client, 20 s leases, 100 ms latency; the outside link goes down while the tunnel
 * CREATE_CHILD_SA's response is in flight (0.85 s) and comes back at 25 s, after the lease expired (20.6 s); the
 * request's retransmission at 48.29 s gets the gateway's cached response (RFC 7296 §2.1).
 */
import { describe, expect, it } from 'vitest';
import { runChecked } from '../../../scenarios/vopr/run-checked.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { voprScenario } from './vopr-liveness-scenarios.ts';
import SHRUNK from './vopr-dhcp-over-ipsec-710098524.json' with { type: 'json' };
import SHRUNK_REKEY from './vopr-dhcp-over-ipsec-588646984.json' with { type: 'json' };
import SHRUNK_REBIND from './vopr-dhcp-over-ipsec-1393136491.json' with { type: 'json' };

const METHOD = 'dhcp-over-ipsec';

const SCENARIO = voprScenario({
  method: METHOD,
  seed: 710098524,
  leaseSecs: 20,
  healMs: 40_000,
  durationMs: 700_000,
  actions: [{ atMs: 0, action: 'connect', nodes: 'client', spacingMs: 0 }],
  faults: [
    { type: 'link.profile', atMs: 0, link: 'outside', profile: { latencyMs: 100 } },
    { type: 'link.down', atMs: 850, link: 'outside' },
    { type: 'link.up', atMs: 25_000, link: 'outside' },
  ],
});

interface Ev {
  readonly type: string;
  readonly atUs: number;
  readonly node?: string;
  readonly text?: string;
  readonly summary?: string;
  readonly data?: unknown;
}

const NOTES = /^(lease\.lost|address\.|client\.childAdded|rfc3456\.(tunnelStale|dhcpSaDelete)|ike\.childRejected)/;

function clientLines(trace: readonly Ev[], node: string, fromUs: number, untilUs: number): string[] {
  return trace
    .filter((e) => e.node === node && e.atUs >= fromUs && e.atUs <= untilUs)
    .filter(
      (e) => (e.type === 'note' && NOTES.test(e.text ?? '')) || (e.type === 'send' && /SK\{D\}/.test(e.summary ?? '')),
    )
    .map((e) => `${e.atUs} ${e.type === 'note' ? `${e.text ?? ''} ${JSON.stringify(e.data)}` : (e.summary ?? '')}`);
}

describe('a tunnel SA answered after its lease was lost (vopr dhcp-over-ipsec seed 710098524)', () => {
  it('the shrunk vopr schedule passes every invariant', () => {
    const run = runChecked(SHRUNK, { method: METHOD });
    expect(run.violations).toEqual([]);
  });

  it('the small scenario passes every invariant, liveness included', () => {
    const run = runChecked(SCENARIO, { method: METHOD });
    expect(run.context.liveness).toBeDefined();
    expect(run.violations).toEqual([]);
  });

  it('refuses the late tunnel SA, deletes it at the gateway, keeps the DHCP SA and gets the lease back', () => {
    const run = runScenario(SCENARIO, { method: METHOD });
    expect(clientLines(run.trace as readonly Ev[], 'client1', 0, 81_392_000)).toEqual([
      '804000 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '20602000 lease.lost {"address":"10.99.1.10","why":"expired"}',
      '20602000 address.released {"client":"client1","address":"10.99.1.10"}',
      // The late answer: refused, never installed (no childAdded), deleted at the gateway; the DHCP SA stays.
      '48294000 rfc3456.tunnelStale {"tsi":"10.99.1.10","rekey":false}',
      '48294000 ike.childRejected {"slot":"tunnel","reason":"lease-lost"}',
      // The Delete of the refused SA goes out with the refusal (RFC 7296 §1.4.1).
      '48294000 INFORMATIONAL request #3 SK{D}',
      // The DISCOVER's next retransmission (RFC 2131 §4.1 backoff) goes through the DHCP SA it kept.
      '48403000 address.assigned {"client":"client1","address":"10.99.1.10"}',
      '48405000 client.childAdded {"slot":"tunnel","spiIn":526062033,"tsi":"10.99.1.10-10.99.1.10"}',
      '48405000 rfc3456.dhcpSaDelete {"slot":"main","why":"after-tunnel"}',
      '48405000 INFORMATIONAL request #5 SK{D}',
    ]);
    const echoes = run.trace.filter((e) => e.type === 'note' && e.node === 'client1' && e.text === 'data.echo');
    expect(echoes.some((e) => e.atUs > 81_392_000)).toBe(true);
  });
});

/**
 * vopr `--method dhcp-over-ipsec --seed 588646984` (campaign seed 5; shrunk to 2 clients, 0 faults): the same class
 * through a rekey. client2's tunnel SA rekey (childRekeySecs 24, RFC 7296 §2.8) was retransmitted through the lossy
 * link past the lease's expiry (85.7 s); the delete `lost` queued waited behind it (window 1), and the late answer
 * (113.65 s) replaced the tunnel SA — TSi 10.99.1.11 while holding nothing. A rekey answered after the lease it was
 * installed under was lost is now refused (the new SA deleted, RFC 7296 §1.4.1) and the queued delete takes the old.
 */
describe('a tunnel SA rekey answered after its lease was lost (vopr dhcp-over-ipsec seed 588646984)', () => {
  it('the shrunk vopr schedule passes every invariant, liveness included', () => {
    const run = runChecked(SHRUNK_REKEY, { method: METHOD });
    expect(run.context.liveness).toBeDefined();
    expect(run.violations).toEqual([]);
  });

  it('refuses the late rekey, deletes both tunnel SAs and gets a new lease and tunnel SA', () => {
    const run = runScenario(SHRUNK_REKEY, { method: METHOD });
    expect(clientLines(run.trace as readonly Ev[], 'client2', 85_000_000, 117_828_766)).toEqual([
      '85743565 lease.lost {"address":"10.99.1.11","why":"expired"}',
      '85743565 address.released {"client":"client2","address":"10.99.1.11"}',
      '113652766 rfc3456.tunnelStale {"tsi":"10.99.1.11","rekey":true}',
      '113652766 ike.childRejected {"slot":"tunnel","reason":"lease-lost"}',
      // The rekeyed SA the gateway created, deleted at once (RFC 7296 §1.4.1).
      '113652766 INFORMATIONAL request #11 SK{D}',
      '113708766 client.childAdded {"slot":"dhcp","spiIn":2795763732,"tsi":"0.0.0.0-255.255.255.255/17:68-68"}',
      // The old tunnel SA: the delete `lost` queued (RFC 3456 §3.1 e, the tunnel SA goes with the lease).
      '113708766 INFORMATIONAL request #13 SK{D}',
      '113800766 address.assigned {"client":"client2","address":"10.99.1.11"}',
      '113828766 client.childAdded {"slot":"tunnel","spiIn":2200936252,"tsi":"10.99.1.11-10.99.1.11"}',
      '113828766 rfc3456.dhcpSaDelete {"slot":"dhcp","why":"after-tunnel"}',
      '113828766 INFORMATIONAL request #15 SK{D}',
    ]);
  });
});

/**
 * vopr `--method dhcp-over-ipsec --seed 1393136491` (campaign seed 5; shrunk to 5 clients, 1 fault): client3 lost its
 * lease (75.6 s) and got it back 0.3 s later while the delete of its old tunnel SA waited behind a retransmitting
 * exchange (window 1). Asking for the new tunnel SA in the same slot made the IKE side take it for a rekey of the
 * doomed SA, which it dropped once the delete had run: client3 held 10.99.1.10 with no tunnel SA (RFC 3456 §3.1 e).
 * The new tunnel SA now takes a slot of its own (`tunnel.<epoch>`) while `tunnel` is still held, and a renewal
 * ACKed meanwhile (96 s) no longer deletes the DHCP SA on the strength of the doomed tunnel SA.
 */
describe('a tunnel SA asked while the lost lease’s one is still being deleted (vopr dhcp-over-ipsec seed 1393136491)', () => {
  it('the shrunk vopr schedule passes every invariant, liveness included', () => {
    const run = runChecked(SHRUNK_REBIND, { method: METHOD });
    expect(run.context.liveness).toBeDefined();
    expect(run.violations).toEqual([]);
  });

  it('creates the re-bound lease’s tunnel SA once the old one is deleted', () => {
    const run = runScenario(SHRUNK_REBIND, { method: METHOD });
    expect(clientLines(run.trace as readonly Ev[], 'client3', 75_000_000, 103_786_876)).toEqual([
      '75599438 lease.lost {"address":"10.99.1.10","why":"expired"}',
      '75599438 address.released {"client":"client3","address":"10.99.1.10"}',
      '75912188 address.assigned {"client":"client3","address":"10.99.1.10"}',
      // The old tunnel SA's delete, retransmitted until it gets through (RFC 7296 §2.1).
      '79376154 INFORMATIONAL request #16 SK{D}',
      '83376154 INFORMATIONAL request #16 SK{D}',
      '90576154 INFORMATIONAL request #16 SK{D}',
      '103536154 INFORMATIONAL request #16 SK{D}',
      '103786876 client.childAdded {"slot":"tunnel.1","spiIn":118763483,"tsi":"10.99.1.10-10.99.1.10"}',
      // The DHCP SA stayed while only the doomed tunnel SA was up (it cannot carry a renewal), and goes now.
      '103786876 rfc3456.dhcpSaDelete {"slot":"dhcp","why":"after-tunnel"}',
      '103786876 INFORMATIONAL request #18 SK{D}',
    ]);
  });
});
