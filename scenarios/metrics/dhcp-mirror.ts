/**
 * "States represented twice" (draft-richardson-ipsec-dhcp-over-ike-00 §4: "in the DHCP-over-IPsec, the IKE on the
 * client needs to know what state the DHCP client it is so that it may act accordingly. As such, the states are simply
 * represented twice."), counted from the machine definitions.
 *
 * The mirror relation, explicitly: the DHCP client (models/dhcp/client-machine.ts) tells the rest of the client what
 * it is doing only through the events it emits (`DhcpClientEmitted`). Each such report announces the DHCP state the
 * client has just entered or is in (RFC 2131 §4.4, figure 5) — the table below. An IKE-side state S (a state of a
 * client machine other than the DHCP client: the IKE initiator or the method's glue) MIRRORS the DHCP state D when S
 * has a transition on a report that announces D: in S the IKE side waits for, and acts on, the DHCP client being in
 * D. A state with several such transitions mirrors several DHCP states; it is counted once. A machine that takes the
 * reports under other event names declares them (machine-registry.ts `dhcpReportAliases`).
 */
import type { DhcpClientEmitted, DhcpClientStateName } from '../../models/dhcp/client-machine.ts';
import type { WalkedMachine } from './machine-walk.ts';

export type DhcpReportType = DhcpClientEmitted['type'];

/** Each DHCP client report → the DHCP states (RFC 2131 figure 5) the client is in when it emits it. */
export const DHCP_REPORTS: Readonly<Record<DhcpClientEmitted['type'], readonly DhcpClientStateName[]>> = {
  // DISCOVER in SELECTING; REQUEST in REQUESTING, RENEWING, REBINDING, REBOOTING (§4.4.1–§4.4.5); DECLINE/RELEASE
  // are reported separately below.
  'dhcp.send': ['SELECTING', 'REQUESTING', 'RENEWING', 'REBINDING', 'REBOOTING'],
  'dhcp.bound': ['BOUND'], // ACK in REQUESTING/REBOOTING → BOUND (§4.4.1)
  'dhcp.renewed': ['BOUND'], // ACK in RENEWING/REBINDING → BOUND (§4.4.5)
  'dhcp.expired': ['INIT'], // lease over in REBINDING → INIT (§4.4.5)
  'dhcp.nak': ['INIT'], // NAK → INIT (§4.4.1, §4.4.5)
  'dhcp.gaveUp': ['INIT'], // retransmissions exhausted → INIT (§4.1)
  'dhcp.declined': ['INIT'], // DECLINE after an address conflict → INIT (§3.1.5)
  'dhcp.released': ['RELEASED'], // RELEASE: the lease given up (§4.4.6)
};

export interface MirroredState {
  /** `<machine name>.<state path>` */
  readonly state: string;
  /** The DHCP states it mirrors, sorted. */
  readonly dhcpStates: readonly string[];
  /** The reports it reacts to, sorted. */
  readonly reports: readonly string[];
}

const isReport = (event: string): event is DhcpReportType => Object.hasOwn(DHCP_REPORTS, event);

/**
 * The states of one IKE-side machine that mirror DHCP states. A transition declared at the root (`from` = '') is
 * handled in every top-level state, so each of those mirrors what it announces.
 */
export function mirroredStates(
  name: string,
  machine: WalkedMachine,
  aliases: Readonly<Record<string, DhcpReportType>> = {},
): MirroredState[] {
  const byState = new Map<string, { dhcp: Set<string>; reports: Set<string> }>();
  const topLevel = machine.states.filter((s) => s.parent === '').map((s) => s.path);
  for (const t of machine.transitions) {
    const report = Object.hasOwn(aliases, t.event) ? aliases[t.event] : isReport(t.event) ? t.event : undefined;
    if (report === undefined) continue;
    for (const s of t.from === '' ? topLevel : [t.from]) {
      const entry = byState.get(s) ?? { dhcp: new Set<string>(), reports: new Set<string>() };
      for (const d of DHCP_REPORTS[report]) entry.dhcp.add(d);
      entry.reports.add(t.event);
      byState.set(s, entry);
    }
  }
  return [...byState.entries()]
    .map(([s, e]) => ({ state: `${name}.${s}`, dhcpStates: [...e.dhcp].sort(), reports: [...e.reports].sort() }))
    .sort((a, b) => (a.state < b.state ? -1 : a.state > b.state ? 1 : 0));
}
