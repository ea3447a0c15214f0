/**
 * What the invariant checker must know about a run besides its trace: the method, who is who, the address scopes, the
 * bounds the liveness checks wait for. Built once from the validated scenario and its built run (addresses as numbers).
 */
import { retransmitTimelineMs } from '../../models/ike/retransmit.ts';
import { DOUBLING_RETRANSMIT, STRONGSWAN_RETRANSMIT } from '../../models/ike/retransmit.ts';
import { ipv4ToU32 } from '../../models/wire/ipv4-address.ts';
import type { BuiltRun } from '../build.ts';
import type { Scenario } from '../load.ts';
import type { MethodId } from '../method-registry.ts';
import { groupMembers } from '../validate.ts';

/** An address range a server or pool hands out from (inclusive, as unsigned 32-bit numbers). */
export interface AddressScope {
  readonly node: string;
  readonly firstU32: number;
  readonly lastU32: number;
}

export interface LivenessBounds {
  /** When the schedule's last fault healed (and its last workload action happened). */
  readonly healedAtUs: number;
  /** The quiet period after the heal (quiet-period.ts); liveness is judged from healedAtUs + quietUs on. */
  readonly quietUs: number;
  /** Clients whose last command is `connect` and that are not adversaries: they must end up served. */
  readonly wanted: readonly string[];
  /** How many of them the method's address scopes can serve at once (the rest may go unaddressed). */
  readonly capacity: number;
  /** The workload pings an enterprise host, so data must flow. */
  readonly dataExpected: boolean;
}

export interface InvariantContext {
  readonly method: MethodId;
  readonly clients: readonly string[];
  readonly gateways: readonly string[];
  /** Enterprise DHCP servers (not home LAN servers): their leases are the truth for the inner addresses. */
  readonly dhcpServers: readonly string[];
  /** Where the method's inner addresses come from (the gateway pools for mode-cfg, else the DHCP pools). */
  readonly innerScopes: readonly AddressScope[];
  /** Every scope by the node that hands from it (a server's pools, a gateway's local pool). */
  readonly scopesByNode: ReadonlyMap<string, readonly AddressScope[]>;
  /** The method's inner addresses are DHCP leases (every method but mode-cfg). */
  readonly dhcpLeased: boolean;
  /** How long a client may see ESP on an SPI it no longer has before the gateway counts as keeping a zombie SA. */
  readonly zombieGraceUs: number;
  /**
   * How long a client may hold an address past the server's lease: 0, except where the method gives the client no
   * lease to keep (mode-cfg-dhcp: CP carries no lifetime since RFC 7296 dropped INTERNAL_ADDRESS_EXPIRY, so a client
   * whose gateway crashed or whose Delete was lost learns it only by its own liveness check). There the bound is that
   * detection time; holdings inside it are counted (`structural`), not violations.
   */
  readonly leaseGraceUs: number;
  /** Established IKE SAs one identity may hold at the gateway at once (uniqueids: 1). */
  readonly saPerIdentityMax: number;
  /** Attack kinds this method cannot structurally refuse (documented in the README); their success is a finding. */
  readonly structuralAttacks: ReadonlySet<string>;
  /** Adversarial clients (excluded from liveness). */
  readonly adversaries: ReadonlySet<string>;
  /** Absent: liveness is not judged (the run ends before the quiet period does). */
  readonly liveness?: LivenessBounds;
}

/** The quiet period and its parts, in µs (see quiet-period formula in `quietPeriodUs`). */
export interface QuietPeriod {
  readonly ikeGiveUpUs: number;
  readonly reconnectDelayMaxUs: number;
  readonly livenessUs: number;
  readonly dhcpBackoffMaxUs: number;
  readonly marginUs: number;
  readonly totalUs: number;
}

/** RFC 2131 §4.1: the client's retransmission delay grows to 64 s at most. */
const DHCP_BACKOFF_MAX_US = 64_000_000;
const MARGIN_US = 10_000_000;
/** The gateway's liveness interval when a scenario does not set one (responder policy default, strongSwan-like). */
export const GATEWAY_LIVENESS_DEFAULT_MS = 30_000;

/**
 * The quiet period after the last fault heals, before liveness is judged:
 *   Q = giveUp (an exchange stuck in its longest retransmission wait runs to give-up)
 *     + reconnectDelayMax (the client's reconnect delay + jitter)
 *     + liveness + giveUp (a peer's liveness check that started just before the heal and must fail to reap a dead SA)
 *     + 64 s (the longest RFC 2131 DHCP retransmission wait)
 *     + 10 s margin (a few round trips at the worst latency the generator draws).
 * giveUp is the IKE retransmission timeline's give-up offset (strongSwan's 165 s by default).
 */
export function quietPeriodUs(s: Scenario, options: Readonly<Record<string, unknown>>): QuietPeriod {
  const policy = options['retransmit'] === 'doubling' ? DOUBLING_RETRANSMIT : STRONGSWAN_RETRANSMIT;
  const ikeGiveUpUs = retransmitTimelineMs(policy).giveUpMs * 1000;
  const r = s.workload.reconnect;
  const reconnectDelayMaxUs = r === undefined ? 6_000_000 : Math.round((r.delayMs + r.jitterMs) * 1000);
  const livenessMs = Math.max(s.workload.livenessSecs * 1000, GATEWAY_LIVENESS_DEFAULT_MS);
  const livenessUs = livenessMs * 1000;
  const totalUs = 2 * ikeGiveUpUs + reconnectDelayMaxUs + livenessUs + DHCP_BACKOFF_MAX_US + MARGIN_US;
  return {
    ikeGiveUpUs,
    reconnectDelayMaxUs,
    livenessUs,
    dhcpBackoffMaxUs: DHCP_BACKOFF_MAX_US,
    marginUs: MARGIN_US,
    totalUs,
  };
}

/** Methods whose structure lets an attack through (README "What a method cannot refuse"), by method. */
export const STRUCTURAL_ATTACKS: Readonly<Partial<Record<MethodId, readonly string[]>>> = {
  // The client chooses its chaddr (drafts §2/§3, RFC 3456 §4): the relay's identity pinning keeps a copier from taking
  // an address its owner holds while the relay remembers the owner, but after a gateway restart (pins lost) whoever
  // copies the chaddr first gets the lease the server files under it. Only a binding the server checks closes this.
  'dhcp-over-ike': ['lease-theft'],
  'dhcp-over-ike-wg': ['lease-theft'],
  'dhcp-over-ipsec': ['lease-theft'],
};

function rangeScope(node: string, first: string, last: string): AddressScope {
  return { node, firstU32: ipv4ToU32(first), lastU32: ipv4ToU32(last) };
}

/** The adversaries of a scenario: client groups with an adversarial `behaviour` (see the schema). */
function adversariesOf(s: Scenario): Set<string> {
  const out = new Set<string>();
  for (const g of s.topology.clients) {
    if ((g as { behaviour?: unknown }).behaviour !== undefined) for (const m of groupMembers(g)) out.add(m);
  }
  return out;
}

/** The clients whose last connect/disconnect action is a connect. */
function wantedClients(s: Scenario, clients: readonly string[], adversaries: ReadonlySet<string>): string[] {
  const last = new Map<string, { atMs: number; order: number; connect: boolean }>();
  const expand = (names: string | readonly string[]): string[] => {
    const list = typeof names === 'string' ? [names] : names;
    const out: string[] = [];
    for (const n of list) {
      const g = s.topology.clients.find((c) => c.name === n);
      if (g !== undefined && g.count !== undefined) out.push(...groupMembers(g));
      else out.push(n);
    }
    return out;
  };
  s.workload.actions.forEach((a, order) => {
    if (a.action !== 'connect' && a.action !== 'disconnect') return;
    const members = expand(a.nodes);
    const spacingMs = a.spacingMs ?? (a.ratePerSec !== undefined ? 1000 / a.ratePerSec : 0);
    members.forEach((m, k) => {
      const atMs = a.atMs + k * spacingMs;
      const prev = last.get(m);
      if (prev === undefined || atMs > prev.atMs || (atMs === prev.atMs && order > prev.order))
        last.set(m, { atMs, order, connect: a.action === 'connect' });
    });
  });
  return clients.filter((c) => last.get(c)?.connect === true && !adversaries.has(c));
}

/** The last instant anything is scheduled to change: the last fault or workload action (ms → µs). */
export function healedAtUs(s: Scenario): number {
  let atMs = 0;
  for (const f of s.faults) atMs = Math.max(atMs, f.atMs);
  for (const a of s.workload.actions) {
    const n = typeof a.nodes === 'string' ? 1 : a.nodes.length;
    const group = typeof a.nodes === 'string' ? s.topology.clients.find((c) => c.name === a.nodes) : undefined;
    const members = group?.count ?? n;
    const spacingMs = a.spacingMs ?? (a.ratePerSec !== undefined ? 1000 / a.ratePerSec : 0);
    atMs = Math.max(atMs, a.atMs + (members - 1) * spacingMs);
  }
  return Math.round(atMs * 1000);
}

export function invariantContext(s: Scenario, built: BuiltRun): InvariantContext {
  const scopesByNode = new Map<string, AddressScope[]>();
  const add = (scope: AddressScope): void => {
    const list = scopesByNode.get(scope.node) ?? [];
    list.push(scope);
    scopesByNode.set(scope.node, list);
  };
  for (const d of s.topology.dhcpServers) for (const p of d.pools) add(rangeScope(d.name, p.rangeStart, p.rangeEnd));
  for (const g of s.topology.gateways) if (g.pool !== undefined) add(rangeScope(g.name, g.pool.first, g.pool.last));
  const dhcpLeased = built.method !== 'mode-cfg';
  const innerFrom = dhcpLeased ? s.topology.dhcpServers.map((d) => d.name) : s.topology.gateways.map((g) => g.name);
  const innerScopes = innerFrom.flatMap((n) => scopesByNode.get(n) ?? []);
  const q = quietPeriodUs(s, built.options);
  const adversaries = adversariesOf(s);
  const durationUs = Math.round(s.durationMs * 1000);
  const healed = healedAtUs(s);
  const liveness: LivenessBounds | undefined =
    healed + q.totalUs < durationUs
      ? {
          healedAtUs: healed,
          quietUs: q.totalUs,
          wanted: wantedClients(s, built.roles.clients, adversaries),
          capacity: innerScopes.reduce((n, x) => n + (x.lastU32 - x.firstU32 + 1), 0),
          dataExpected: s.workload.pingIntervalMs > 0 && s.topology.enterpriseHosts.length > 0,
        }
      : undefined;
  return {
    method: built.method,
    clients: built.roles.clients,
    gateways: built.roles.gateways,
    dhcpServers: s.topology.dhcpServers.map((d) => d.name),
    innerScopes,
    scopesByNode,
    dhcpLeased,
    zombieGraceUs: q.livenessUs + q.ikeGiveUpUs + MARGIN_US,
    leaseGraceUs: built.method === 'mode-cfg-dhcp' ? q.livenessUs + q.ikeGiveUpUs + MARGIN_US : 0,
    saPerIdentityMax: 1,
    structuralAttacks: new Set(STRUCTURAL_ATTACKS[built.method] ?? []),
    adversaries,
    ...(liveness === undefined ? {} : { liveness }),
  };
}
