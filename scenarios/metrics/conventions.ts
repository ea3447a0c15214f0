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
export const RENEWAL_MISSED_NOTES: readonly string[] = ['lease.renewMissed'];
export const NOTE_LEASE_EXPIRED = 'lease.expired';
/** Packets that went where they should not (RFC 3456 wildcard DHCP SA hazard): wanted from the nodes. */
export const MISDIRECTED_NOTES: readonly string[] = ['data.misdirected'];
/** DHCP server queue length after an arrival (wanted; derived from deliveries and serviceUs meanwhile). */
export const NOTE_DHCP_QUEUE = 'dhcp.queue';
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
export const RELAY_OPTION_82 = /\[82:/;

/** Notes the metrics would like the nodes to emit (text → data keys), reported to the node authors. */
export const WANTED_NOTES: Readonly<Record<string, string>> = {
  'lease.renewed':
    'client (IKE methods): a DHCP renewal (REQUEST/ACK in a rekey, or over the DHCP SA) succeeded — { address, leaseSecs }',
  'lease.renewMissed': 'client: T2/expiry reached without a renewal — { address, state }',
  'data.misdirected':
    'client or gateway: a datagram took the wrong path (e.g. LAN DHCP caught by the 0.0.0.0/0 UDP 67/68 SA) — { dst, dstPort, slot }',
  'dhcp.queue': 'DHCP server: queue length after each arrival — { length }',
  'client.configured': 'already emitted; please keep `address` = "none" when nothing was assigned',
};
