/**
 * Trace conventions the metrics read: which notes and states mark what. Read off what the nodes emit today
 * (models/nodes/*.ts, models/ike/*-core.ts, models/methods/*.ts); where a marker is missing the metric is derived
 * from packets (see collect.ts), and the wanted note is listed in WANTED_NOTES for the node authors.
 */

/** Client node: the inner address is configured (`data.address`, `'none'` when the method assigned none). */
export const NOTE_CONFIGURED = 'client.configured';
/** Client node: the IKE SA is gone (`data.reason`; `disconnect` is not a failure). */
export const NOTE_CLOSED = 'client.closed';
/** A LAN host's interface address changed (`data.address`, 0.0.0.0 = none) — sim/host.ts. */
export const NOTE_IFACE_ADDRESS = 'iface.address';
/** Client node: a data echo reply came back through the tunnel (`data.seq`, `data.rttUs`). */
export const NOTE_DATA_REPLY = 'data.echo';
/** Initiator gave up an exchange after its last retransmission (`data.exchange`). */
export const NOTE_GIVE_UP = 'ike.giveUp';
/** Failure notes: counted by their text (reason = text, or `data.reason` / `data.notify` when present). */
export const FAILURE_NOTES: readonly string[] = [
  'ike.giveUp',
  'ike.addressTimeout',
  'pool.exhausted',
  'dhcp.gaveUp',
  'ike.rekeyFailed',
];
/** Close reasons that are not failures. */
export const NORMAL_CLOSE_REASONS: readonly string[] = ['disconnect'];
/** A DHCP lease was renewed (LAN client: `dhcp.renewed`; IKE methods: `lease.renewed`, wanted). */
export const RENEWAL_NOTES: readonly string[] = ['dhcp.renewed', 'lease.renewed'];
/** A renewal that did not happen in time (server: `lease.expired` of a bound lease; client: `lease.renewMissed`, wanted). */
export const RENEWAL_MISSED_NOTES: readonly string[] = ['lease.lost', 'lease.renewMissed'];
export const NOTE_LEASE_EXPIRED = 'lease.expired';
/** Packets that went where they should not (RFC 3456 wildcard DHCP SA hazard): wanted from the nodes. */
export const MISDIRECTED_NOTES: readonly string[] = ['spd.misdirected', 'data.misdirected'];
/** DHCP server queue length after an arrival (wanted; derived from deliveries and serviceUs meanwhile). */
export const NOTE_DHCP_QUEUE = 'dhcp.queue';
/** Client node: a tunnel's inner address was assigned / released (`data.client`, `data.address`, `data.tunnel` for
 * tunnels other than the primary). The overlap metric reads these. */
export const NOTE_ASSIGNED = 'address.assigned';
export const NOTE_RELEASED = 'address.released';
/** A DHCP client side (carrier, proxy) retransmitted (`data.client` or `data.gateway`). */
export const NOTE_DHCP_RETRANSMIT = 'dhcp.retransmit';

/** The trace level each metric needs (runs and sweeps record `full`; `packets` drops notes and states). */
export const METRIC_LEVELS: Readonly<Record<string, 'packets' | 'full'>> = {
  legs: 'packets',
  links: 'packets',
  packets: 'packets',
  'retransmits.ike': 'packets',
  relayed: 'packets',
  addressesFromDhcp: 'full',
  addressed: 'full',
  timeToAddressUs: 'full',
  timeToFirstDataUs: 'full',
  roundTripsToAddress: 'full',
  readdressed: 'full',
  failures: 'full',
  renewals: 'full',
  'retransmits.dhcp': 'full',
  misdirected: 'full',
  addressOverlaps: 'full',
  dhcpQueuePeak: 'full',
  gatewayState: 'full',
  homeLease: 'full',
  tunnels: 'full',
  clientMachines: 'full',
};
/** States in which a gateway machine no longer holds per-client state. */
export const FINAL_STATES: readonly string[] = ['closed', 'done', 'released', 'stopped', 'none', 'idle'];
/** Responder states with an exchange waiting on something else (the address provider). */
export const PENDING_STATES: readonly string[] = ['waitingAddress'];
/** Gateway machines are per IKE SA: `ike:<SPIi>`; providers' per-client machines use `<kind>:<id>`. */
export const GATEWAY_MACHINE_PREFIXES: readonly string[] = ['ike:', 'dhcp:', 'relay:'];

/** Whether a gateway machine's name starts with one of `GATEWAY_MACHINE_PREFIXES` (a loop: no closure per event). */
export function isGatewayMachine(machine: string): boolean {
  for (const prefix of GATEWAY_MACHINE_PREFIXES) if (machine.startsWith(prefix)) return true;
  return false;
}
/** Summaries: an IKE message, a DHCP message in IKE, plain DHCP, ESP. */
export const IKE_SUMMARY = /^(IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL) (request|response) #(\d+)/;
export const DHCP_SUMMARY = /^DHCP([A-Z]+)\b/;
export const DHCP_IN_IKE = /DHCP\(([A-Z]+)\)/;
/** ESP carrying plain DHCP (RFC 3456 DHCP SA): `ESP spi=… seq=n (DHCPDISCOVER xid=…)`; group 1 = the inner summary. */
export const DHCP_IN_ESP = /^ESP spi=\S+ seq=\d+ \((DHCP[A-Z]+\b.*)\)$/;
export const RELAY_OPTION_82 = /\[82:/;

// The collector's per-packet tests of the patterns above, written as scans: no match array or substring per packet
// (the patterns stay the definition; test/scenarios/metrics/conventions.test.ts holds the two to each other).

const IKE_EXCHANGE_PREFIXES: readonly string[] = ['IKE_SA_INIT ', 'IKE_AUTH ', 'CREATE_CHILD_SA ', 'INFORMATIONAL '];

/** What `IKE_SUMMARY` matches: 1 for a request, 2 for a response, 0 when the summary is not an IKE message's. */
export function ikeSummaryRole(summary: string): 0 | 1 | 2 {
  for (const prefix of IKE_EXCHANGE_PREFIXES) {
    if (!summary.startsWith(prefix)) continue;
    const at = prefix.length;
    if (summary.startsWith('request #', at)) return isDigit(summary.charCodeAt(at + 9)) ? 1 : 0;
    if (summary.startsWith('response #', at)) return isDigit(summary.charCodeAt(at + 10)) ? 2 : 0;
    return 0;
  }
  return 0;
}

/** Whether `DHCP_SUMMARY` matches: `DHCP`, then capital letters up to a word boundary. */
export function isDhcpSummary(summary: string): boolean {
  return dhcpSummaryTypeEnd(summary) > 0;
}

/** Whether `DHCP_SUMMARY`'s group is `type` (`ACK` for `DHCPACK …`). */
export function dhcpSummaryTypeIs(summary: string, type: string): boolean {
  return dhcpSummaryTypeEnd(summary) === 4 + type.length && summary.startsWith(type, 4);
}

/** Where `DHCP_SUMMARY`'s capital letters end, or 0 when it does not match. */
function dhcpSummaryTypeEnd(summary: string): number {
  if (!summary.startsWith('DHCP')) return 0;
  let i = 4;
  while (i < summary.length && isCapital(summary.charCodeAt(i))) i++;
  // The letters must be followed by a word boundary: the end or a non-word character (a lower-case letter, a digit or
  // `_` would make the greedy group back off into a boundary it cannot find, as the pattern does).
  return i > 4 && !isWordChar(summary.charCodeAt(i)) ? i : 0;
}

/** `DHCP_IN_ESP`'s group 1 (the inner DHCP summary), or undefined; the pattern runs only on `ESP spi=…` summaries. */
export function dhcpInEspSummary(summary: string): string | undefined {
  if (!summary.startsWith('ESP spi=')) return undefined;
  return DHCP_IN_ESP.exec(summary)?.[1];
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isCapital(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

function isWordChar(c: number): boolean {
  return isDigit(c) || isCapital(c) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** Notes the metrics would still like the nodes to emit (text → data keys), for the node authors. */
export const WANTED_NOTES: Readonly<Record<string, string>> = {
  'lease.renewMissed': 'client: T2/expiry reached without a renewal — { address, state }',
};
