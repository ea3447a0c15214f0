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
/** Summaries: an IKE message, a DHCP message in IKE, plain DHCP, ESP. */
export const IKE_SUMMARY = /^(IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL) (request|response) #(\d+)/;
export const DHCP_SUMMARY = /^DHCP([A-Z]+)\b/;
export const DHCP_IN_IKE = /DHCP\(([A-Z]+)\)/;
/** ESP carrying plain DHCP (RFC 3456 DHCP SA): `ESP spi=… seq=n (DHCPDISCOVER xid=…)`; group 1 = the inner summary. */
export const DHCP_IN_ESP = /^ESP spi=\S+ seq=\d+ \((DHCP[A-Z]+\b.*)\)$/;
export const RELAY_OPTION_82 = /\[82:/;

/** Notes the metrics would still like the nodes to emit (text → data keys), for the node authors. */
export const WANTED_NOTES: Readonly<Record<string, string>> = {
  'lease.renewMissed': 'client: T2/expiry reached without a renewal — { address, state }',
};
