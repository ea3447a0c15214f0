/**
 * Every machine a node runs, by the name its `state` trace events carry (models/nodes/machine-trace.ts):
 * `connection`, `ike`, `dhcp`, the method glue (`carrier`, `rfc3456`) on the client; `gateway`, `ike:<SPI>`,
 * `dhcp:<SPI>`, `relay:<id>`, `proxy:<peer>` on the gateway (the part after `:` names the session, not the machine). One line per machine: the
 * §4 claims (method-client.ts) and the State panel (web/model/machine-defs.ts) both read their definitions from here,
 * so a new machine is measured and drawn once it has its line.
 *
 * A line with `pending` instead of `machine` is a machine whose states live in a class's fields (nothing to count): a
 * method that runs it is reported `not-measurable`, never measured without it. None is pending today.
 */
import type { AnyStateMachine } from 'xstate';
import { dhcpClientMachine } from '../../models/dhcp/client-machine.ts';
import { initiatorMachine } from '../../models/ike/initiator-machine.ts';
import { clientMachine } from '../../models/nodes/client/client-machine.ts';
import { gatewayMachine } from '../../models/nodes/gateway/gateway-machine.ts';
import { responderMachine } from '../../models/ike/responder-machine.ts';
import { dhcpCarrierMachine } from '../../models/methods/dhcp-carrier/carrier-machine.ts';
import { proxySessionMachine } from '../../models/methods/dhcp-proxy/session-machine.ts';
import { relaySessionMachine } from '../../models/methods/gateway-relay/session-machine.ts';
import { rfc3456ClientMachine } from '../../models/methods/rfc3456/client-machine.ts';
import type { DhcpReportType } from './dhcp-mirror.ts';

export type MachineSide = 'client' | 'gateway';

export interface MachineEntry {
  /** The traced machine name (before any `:<session>`). */
  readonly name: string;
  readonly side: MachineSide;
  /** What it is, for the reports. */
  readonly title: string;
  /** The module that defines it. */
  readonly source: string;
  /** The definition, or undefined while `pending`. */
  readonly machine?: AnyStateMachine;
  /** Why there is no definition to walk yet. */
  readonly pending?: string;
  /**
   * Events of this machine that carry one of the RFC 2131 client's reports under another name (dhcp-mirror.ts), e.g.
   * `{ 'carrier.leased': 'dhcp.bound' }` when the glue forwards `dhcp.bound` renamed. Reports under their own
   * names (`dhcp.bound`, …) need no line.
   */
  readonly dhcpReportAliases?: Readonly<Record<string, DhcpReportType>>;
}

const def = (m: unknown): AnyStateMachine => m as AnyStateMachine;

export const MACHINES: readonly MachineEntry[] = [
  {
    name: 'connection',
    side: 'client',
    title: 'Client connection: connect, reconnect with backoff, give up, restart (every method alike)',
    source: 'models/nodes/client/client-machine.ts',
    machine: def(clientMachine),
  },
  {
    name: 'ike',
    side: 'client',
    title: 'IKE initiator (RFC 7296)',
    source: 'models/ike/initiator-machine.ts',
    machine: def(initiatorMachine),
  },
  {
    name: 'dhcp',
    side: 'client',
    title: 'DHCP client (RFC 2131 §4.4)',
    source: 'models/dhcp/client-machine.ts',
    machine: def(dhcpClientMachine),
  },
  {
    name: 'carrier',
    side: 'client',
    title: 'DHCP carrier: the seed and WG drafts’ glue between the DHCP client and IKE',
    source: 'models/methods/dhcp-carrier/carrier-machine.ts',
    machine: def(dhcpCarrierMachine),
  },
  {
    name: 'rfc3456',
    side: 'client',
    title: 'RFC 3456 client: DHCP SA → DHCP → tunnel SA → DHCP SA deleted',
    source: 'models/methods/rfc3456/client-machine.ts',
    machine: def(rfc3456ClientMachine),
  },
  {
    name: 'gateway',
    side: 'gateway',
    title: 'Gateway: one IKE responder per IKE SA, crash and restart (every method alike)',
    source: 'models/nodes/gateway/gateway-machine.ts',
    machine: def(gatewayMachine),
  },
  {
    name: 'ike',
    side: 'gateway',
    title: 'IKE responder (RFC 7296)',
    source: 'models/ike/responder-machine.ts',
    machine: def(responderMachine),
  },
  {
    name: 'dhcp',
    side: 'gateway',
    title: 'DHCP client of the gateway’s proxy (mode-cfg-dhcp)',
    source: 'models/dhcp/client-machine.ts',
    machine: def(dhcpClientMachine),
  },
  {
    name: 'relay',
    side: 'gateway',
    title: 'Gateway relay session per IKE SA (DHCP-over-IKE methods)',
    source: 'models/methods/gateway-relay/session-machine.ts',
    machine: def(relaySessionMachine),
  },
  {
    name: 'proxy',
    side: 'gateway',
    title: 'DHCP proxy session per IKE SA (mode-cfg-dhcp)',
    source: 'models/methods/dhcp-proxy/session-machine.ts',
    machine: def(proxySessionMachine),
  },
];

/** `ike:3edff4cbda035678` → `ike`. */
export function machineBaseName(traced: string): string {
  return traced.split(/[:@]/)[0] ?? traced;
}

/** The registry line for a traced machine name on a side, or undefined when the lab does not know it. */
export function machineEntry(traced: string, side: MachineSide): MachineEntry | undefined {
  const base = machineBaseName(traced);
  return MACHINES.find((m) => m.name === base && m.side === side);
}
