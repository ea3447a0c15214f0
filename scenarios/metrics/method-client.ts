/**
 * A method's client, measured for the seed draft's §4 claims: the machines the client runs (the IKE initiator, the
 * RFC 2131 client where the method has one, the method's own glue machine) with their states and transitions, the
 * IKE-side states that mirror DHCP states (dhcp-mirror.ts), and the method's own code (code-lines.ts), side by side.
 *
 * A method whose client runs a machine that has no definition yet (machine-registry.ts `pending`) gets `null`
 * totals and the reason in `unmeasured`: its client cannot be counted honestly without it.
 */
import { codeCounts, codeSize, DHCP_CLIENT_MODULES, METHOD_MODULES, type CodeSize } from './code-lines.ts';
import { mirroredStates, type MirroredState } from './dhcp-mirror.ts';
import { machineEntry } from './machine-registry.ts';
import { walked } from './machine-walk.ts';

/**
 * Machines every method's client runs alike (the connection's life: connect, reconnect, give up). They are drawn in
 * the State panel but left out of the §4 counts, which compare what the methods make a client do: a constant added to
 * every method would only dilute the differences.
 */
export const COMMON_CLIENT_MACHINES: readonly string[] = ['connection'];

/** The machines each method's client runs, by traced name (their definitions: machine-registry.ts). */
export const METHOD_CLIENT_MACHINES: Readonly<Record<string, readonly string[]>> = {
  'dhcp-over-ike': ['ike', 'dhcp', 'carrier'],
  'dhcp-over-ike-wg': ['ike', 'dhcp', 'carrier'],
  'mode-cfg': ['ike'],
  // mode-cfg's client; the DHCP client runs in the gateway's proxy.
  'mode-cfg-dhcp': ['ike'],
  'dhcp-over-ipsec': ['ike', 'dhcp', 'rfc3456'],
};

export interface CountedMachine {
  readonly name: string;
  /** xstate machine id, or null while pending. */
  readonly id: string | null;
  readonly source: string;
  readonly states: number | null;
  readonly transitions: number | null;
  /** Why it is not counted (no definition yet). */
  readonly pending?: string;
}

export interface ClientComplexity {
  readonly method: string;
  readonly machines: readonly CountedMachine[];
  /** Sums over every machine; null when one is pending. */
  readonly states: number | null;
  readonly transitions: number | null;
  /** The same without the RFC 2131 client (`dhcp`): what is left to write when the OS DHCP client is reused. */
  readonly withoutDhcp: { readonly states: number | null; readonly transitions: number | null };
  /** IKE-side states mirroring a DHCP state (count null when a machine is pending, or the method has no DHCP client). */
  readonly mirrored: number | null;
  readonly mirroredStates: readonly MirroredState[];
  readonly code: {
    /** The method's client modules plus the RFC 2131 client when it runs one. */
    readonly client: CodeSize;
    /** The method's client modules alone (an OS DHCP client reused). */
    readonly own: CodeSize;
    readonly gateway: CodeSize;
  };
  /** metric path → why it has no value. */
  readonly unmeasured: Readonly<Record<string, string>>;
}

const sum = (xs: readonly (number | null)[]): number | null =>
  xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x ?? 0), 0);

export function clientComplexity(method: string): ClientComplexity {
  const names = METHOD_CLIENT_MACHINES[method];
  const modules = METHOD_MODULES[method];
  if (names === undefined || modules === undefined) throw new Error(`no client registry line for method '${method}'`);
  const machines: CountedMachine[] = names.map((name) => {
    const e = machineEntry(name, 'client');
    if (e === undefined) throw new Error(`method ${method}: client machine '${name}' is not in machine-registry.ts`);
    if (e.machine === undefined)
      return { name, id: null, source: e.source, states: null, transitions: null, pending: e.pending ?? 'pending' };
    const w = walked(e.machine);
    return { name, id: w.id, source: e.source, states: w.states.length, transitions: w.transitions.length };
  });
  const own = machines.filter((m) => m.name !== 'dhcp');
  const pending = machines.filter((m) => m.pending !== undefined);
  const hasDhcp = names.includes('dhcp');
  const mirrored: MirroredState[] = [];
  for (const m of own) {
    const e = machineEntry(m.name, 'client');
    if (e?.machine) mirrored.push(...mirroredStates(m.name, walked(e.machine), e.dhcpReportAliases));
  }
  const unmeasured: Record<string, string> = {};
  if (pending.length > 0) {
    const why = pending.map((m) => `${method}'s client runs '${m.name}' (${m.source}), ${m.pending}`).join('; ');
    for (const p of ['states', 'transitions', 'withoutDhcp.states', 'withoutDhcp.transitions', 'mirrored'])
      unmeasured[`clientMachineSize.${p}`] = why;
  } else if (!hasDhcp) unmeasured['clientMachineSize.mirrored'] = `${method}'s client runs no DHCP client to mirror`;
  const counts = codeCounts();
  const ownCode = codeSize(modules.client, counts);
  return {
    method,
    machines,
    states: sum(machines.map((m) => m.states)),
    transitions: sum(machines.map((m) => m.transitions)),
    withoutDhcp: { states: sum(own.map((m) => m.states)), transitions: sum(own.map((m) => m.transitions)) },
    mirrored: pending.length > 0 || !hasDhcp ? null : mirrored.length,
    mirroredStates: mirrored,
    code: {
      client: hasDhcp ? codeSize([...modules.client, ...DHCP_CLIENT_MODULES], counts) : ownCode,
      own: ownCode,
      gateway: codeSize(modules.gateway, counts),
    },
    unmeasured,
  };
}
