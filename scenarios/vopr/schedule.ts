/**
 * A fault schedule: what the campaign draws (arbitraries.ts) and shrinks, and the scenario file it becomes. Every
 * schedule is a valid scenario document of the ordinary schema, so a failure is a JSON file anyone can run, open in the
 * browser, or replay with the checker. The schedule has a faulty phase of `horizonMs`, at whose end every fault is healed
 * (links up, partitions healed, nodes restarted, the DHCP server answering, link profiles clean), then a quiet period
 * (invariants/context.ts quietPeriodUs) and an observation window in which liveness is judged.
 */
import type { AttackKind } from '../../models/attacks/canary.ts';
import type { MethodId } from '../method-registry.ts';
import type { ProfileInput } from '../schema.ts';

/** A link profile the schedule draws (human units, as scenario files take them). */
export interface ScheduleProfile {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly lossRatio: number;
  /** Gilbert-Elliott bursts (mean burst length in packets); absent = independent loss. */
  readonly lossBurstLengthMean?: number;
  readonly duplicateRatio: number;
  readonly reorderRatio: number;
  readonly mtuBytes?: number;
}

export type ScheduleFault =
  | { readonly kind: 'link.down'; readonly link: 'outside' | 'inside'; readonly atMs: number; readonly forMs: number }
  /** Clients (indices, 1-based) cut off from the gateway. */
  | { readonly kind: 'partition'; readonly clients: readonly number[]; readonly atMs: number; readonly forMs: number }
  | { readonly kind: 'gateway.crash'; readonly atMs: number; readonly forMs: number }
  | { readonly kind: 'dhcp.stall'; readonly atMs: number; readonly forMs: number }
  | { readonly kind: 'dhcp.crash'; readonly atMs: number; readonly forMs: number }
  | { readonly kind: 'client.crash'; readonly client: number; readonly atMs: number; readonly forMs: number }
  | {
      readonly kind: 'profile';
      readonly link: 'outside' | 'inside';
      readonly atMs: number;
      readonly profile: ScheduleProfile;
    };

/** A client's commands besides its first connect (a user disconnecting and coming back, mid-exchange or not). */
export interface ScheduleAction {
  readonly client: number;
  readonly action: 'connect' | 'disconnect';
  readonly atMs: number;
}

/** An adversarial client (scenario `behaviour`, models/attacks/) against client `victim` (1-based). */
export interface ScheduleAttacker {
  readonly kind: AttackKind;
  readonly victim: number;
  readonly atMs: number;
}

export interface Schedule {
  readonly clients: number;
  /** Absent: no adversary. */
  readonly attacker?: ScheduleAttacker;
  /** Connect spacing of the first connects. */
  readonly connectSpacingMs: number;
  readonly leaseSecs: number;
  readonly outside: ScheduleProfile;
  readonly inside: ScheduleProfile;
  readonly faults: readonly ScheduleFault[];
  readonly actions: readonly ScheduleAction[];
  readonly livenessSecs: number;
  readonly childRekeySecs: number;
  readonly reconnectDelayMs: number;
  readonly reconnectJitterMs: number;
  readonly horizonMs: number;
}

/** Ping every client's tunnel this often: liveness needs data to flow after the quiet period. */
export const PING_INTERVAL_MS = 5000;
/** After the quiet period, this long is watched for data and steady states. */
export const OBSERVE_MS = 30_000;

const CLEAN: ProfileInput = { lossRatio: 0, duplicateRatio: 0, reorderRatio: 0, jitterMs: 0, mtuBytes: 1500 };

function profile(p: ScheduleProfile): ProfileInput {
  return {
    latencyMs: p.latencyMs,
    jitterMs: p.jitterMs,
    lossRatio: p.lossRatio,
    ...(p.lossBurstLengthMean === undefined ? {} : { lossBurstLengthMean: p.lossBurstLengthMean }),
    duplicateRatio: p.duplicateRatio,
    reorderRatio: p.reorderRatio,
    ...(p.mtuBytes === undefined ? {} : { mtuBytes: p.mtuBytes }),
  };
}

function clientName(i: number): string {
  return `client${i}`;
}

/** Outer addresses 100.64.x.y/16 from 100.64.0.10 on (the gateway is 100.64.0.1). */
function clientAddress(i: number): string {
  const n = 9 + i;
  return `100.64.${Math.floor(n / 256)}.${n % 256}/16`;
}

/** Whether client `c` (1-based) wants a tunnel at `atMs`: its first connect, then its last action up to then. */
function wantsTunnelAt(s: Schedule, c: number, atMs: number): boolean {
  let wants = (c - 1) * s.connectSpacingMs <= atMs;
  let lastMs = -1;
  for (const a of s.actions) {
    const at = Math.min(a.atMs, s.horizonMs);
    if (a.client === c && at <= atMs && at >= lastMs) {
      wants = a.action === 'connect';
      lastMs = at;
    }
  }
  return wants;
}

/** The scenario document of a schedule for one method (durations as `durationMs`, quiet period included). */
export function scheduleScenario(
  s: Schedule,
  o: { readonly method: MethodId; readonly seed: number; readonly quietMs: number; readonly name?: string },
): Record<string, unknown> {
  const faults: Record<string, unknown>[] = [];
  const restarts: Record<string, unknown>[] = [];
  const heal = s.horizonMs;
  const end = (atMs: number, forMs: number): number => Math.min(heal, atMs + forMs);
  for (const drawn of s.faults) {
    // A fault drawn past the horizon starts at the heal (and ends there).
    const f = { ...drawn, atMs: Math.min(drawn.atMs, heal) };
    switch (f.kind) {
      case 'link.down':
        faults.push({ type: 'link.down', atMs: f.atMs, link: f.link });
        faults.push({ type: 'link.up', atMs: end(f.atMs, f.forMs), link: f.link });
        break;
      case 'partition': {
        const members = [...new Set(f.clients.filter((c) => c >= 1 && c <= s.clients))].sort((a, b) => a - b);
        if (members.length === 0) break;
        const id = `cut${faults.length}`;
        faults.push({ type: 'partition', atMs: f.atMs, id, groups: [members.map(clientName), ['gw']] });
        faults.push({ type: 'partition.heal', atMs: end(f.atMs, f.forMs), partition: id });
        break;
      }
      case 'gateway.crash':
        faults.push({ type: 'node.crash', atMs: f.atMs, node: 'gw' });
        faults.push({ type: 'node.restart', atMs: end(f.atMs, f.forMs), node: 'gw' });
        break;
      case 'dhcp.stall':
        faults.push({ type: 'dhcp.stall', atMs: f.atMs, node: 'dhcp' });
        faults.push({ type: 'dhcp.unstall', atMs: end(f.atMs, f.forMs), node: 'dhcp' });
        break;
      case 'dhcp.crash':
        faults.push({ type: 'node.crash', atMs: f.atMs, node: 'dhcp' });
        faults.push({ type: 'node.restart', atMs: end(f.atMs, f.forMs), node: 'dhcp' });
        break;
      case 'client.crash': {
        if (f.client < 1 || f.client > s.clients) break;
        const upMs = end(f.atMs, f.forMs);
        faults.push({ type: 'node.crash', atMs: f.atMs, node: clientName(f.client) });
        faults.push({ type: 'node.restart', atMs: upMs, node: clientName(f.client) });
        // A rebooted client forgets its tunnels; its user (or an always-on VPN) connects again once it is up, unless
        // the user had disconnected by then (commands that came while it was down are lost, not the intent).
        if (wantsTunnelAt(s, f.client, upMs))
          restarts.push({ atMs: upMs, action: 'connect', nodes: clientName(f.client) });
        break;
      }
      case 'profile':
        faults.push({ type: 'link.profile', atMs: f.atMs, link: f.link, profile: profile(f.profile) });
        break;
    }
  }
  // The heal: every link clean (latency kept), every node up, the DHCP server answering.
  faults.push({ type: 'link.up', atMs: heal, link: 'outside' });
  faults.push({ type: 'link.up', atMs: heal, link: 'inside' });
  faults.push({ type: 'partition.heal', atMs: heal });
  faults.push({
    type: 'link.profile',
    atMs: heal,
    link: 'outside',
    profile: { ...CLEAN, latencyMs: s.outside.latencyMs },
  });
  faults.push({
    type: 'link.profile',
    atMs: heal,
    link: 'inside',
    profile: { ...CLEAN, latencyMs: s.inside.latencyMs },
  });
  faults.push({ type: 'dhcp.unstall', atMs: heal, node: 'dhcp' });
  faults.sort((a, b) => (a['atMs'] as number) - (b['atMs'] as number));

  const actions: Record<string, unknown>[] = [
    { atMs: 0, action: 'connect', nodes: 'client', spacingMs: s.connectSpacingMs },
  ];
  for (const a of s.actions) {
    if (a.client < 1 || a.client > s.clients) continue;
    actions.push({ atMs: Math.min(a.atMs, heal), action: a.action, nodes: clientName(a.client) });
  }
  actions.push(...restarts);
  // The adversary connects like any client (its tunnel is what most attacks ride); it is excused from liveness.
  if (s.attacker !== undefined) actions.push({ atMs: 0, action: 'connect', nodes: 'mallory' });
  const pool = Math.max(4, 2 * s.clients + 2);
  return {
    name: o.name ?? 'vopr-schedule',
    description: `A generated fault schedule: ${s.clients} client(s), ${s.faults.length} fault(s), healed at ${heal} ms.`,
    methods: [o.method],
    seed: o.seed,
    // Liveness is judged from the last change (the heal, or a late first connect of a widely spaced group) plus the
    // quiet period: the observation window comes after both.
    durationMs: Math.max(heal, (s.clients - 1) * s.connectSpacingMs) + o.quietMs + OBSERVE_MS,
    topology: {
      clients: [
        { name: 'client', count: s.clients, address: clientAddress(1), gateway: 'gw' },
        ...(s.attacker === undefined
          ? []
          : [
              {
                name: 'mallory',
                address: '100.64.1.250/16',
                gateway: 'gw',
                behaviour: {
                  attack: s.attacker.kind,
                  victim: clientName(Math.min(Math.max(1, s.attacker.victim), s.clients)),
                  atMs: Math.min(s.attacker.atMs, heal),
                },
              },
            ]),
      ],
      gateways: [
        {
          name: 'gw',
          outside: '100.64.0.1/16',
          inside: '10.1.0.1/24',
          pool: { first: '10.99.0.1', last: `10.99.0.${pool}`, prefixLength: 24, dns: ['10.1.0.53'] },
          dhcpServer: 'dhcp',
        },
      ],
      dhcpServers: [
        {
          name: 'dhcp',
          address: '10.1.0.2/24',
          pools: [
            {
              subnet: '10.99.1.0/24',
              rangeStart: '10.99.1.10',
              rangeEnd: `10.99.1.${9 + pool}`,
              dns: ['10.1.0.53'],
              leaseSecs: s.leaseSecs,
            },
          ],
        },
      ],
      enterpriseHosts: [{ name: 'host', address: '10.1.0.10/24' }],
      links: [
        {
          name: 'outside',
          attach: s.attacker === undefined ? ['client', 'gw'] : ['client', 'mallory', 'gw'],
          profile: profile(s.outside),
        },
        { name: 'inside', attach: ['gw', 'dhcp', 'host'], profile: profile(s.inside) },
      ],
    },
    workload: {
      actions,
      pingIntervalMs: PING_INTERVAL_MS,
      livenessSecs: s.livenessSecs,
      childRekeySecs: s.childRekeySecs,
      reconnect: { delayMs: s.reconnectDelayMs, jitterMs: s.reconnectJitterMs, triesMax: 1000 },
    },
    faults,
  };
}

interface BaseLink {
  readonly name: string;
  readonly attach: readonly string[];
  readonly profile?: ProfileInput;
}

interface BaseDocument {
  readonly durationMs: number;
  readonly topology: {
    readonly clients: readonly { readonly name: string; readonly count?: number }[];
    readonly gateways: readonly { readonly name: string }[];
    readonly dhcpServers?: readonly { readonly name: string }[];
    readonly links: readonly BaseLink[];
  };
  readonly workload: Record<string, unknown>;
  readonly faults?: readonly Record<string, unknown>[];
}

/**
 * The schedule laid over a base scenario (`dhcpike vopr --scenario FILE`): the base's topology and workload, the
 * schedule's faults mapped onto its names (the link that attaches clients is `outside`, the one that attaches the
 * DHCP server `inside`; client k is the base's k-th client, modulo their number), the base's own faults and
 * expectations dropped (they describe another experiment), then the heal back to the base's link profiles, the quiet
 * period and the observation window. Reconnects, liveness and pings are switched on where the base leaves them off,
 * so liveness can be judged.
 */
export function overlayScenario(
  baseRaw: unknown,
  s: Schedule,
  o: { readonly method: MethodId; readonly seed: number; readonly quietMs: number; readonly name?: string },
): Record<string, unknown> {
  const base = structuredClone(baseRaw) as BaseDocument & Record<string, unknown>;
  const t = base.topology;
  const clients: string[] = [];
  for (const g of t.clients)
    if (g.count === undefined) clients.push(g.name);
    else for (let k = 1; k <= g.count; k++) clients.push(`${g.name}${k}`);
  const groupOf = (name: string): boolean => t.clients.some((g) => g.name === name) || clients.includes(name);
  const outside = t.links.find((l) => l.attach.some(groupOf)) ?? t.links[0];
  const dhcp = t.dhcpServers?.[0]?.name;
  const inside = t.links.find((l) => dhcp !== undefined && l.attach.includes(dhcp)) ?? t.links[t.links.length - 1];
  const gw = t.gateways[0]?.name ?? 'gw';
  const linkName = (l: 'outside' | 'inside'): string => (l === 'outside' ? outside : inside)?.name ?? '';
  const clientAt = (i: number): string => clients[(i - 1) % clients.length] ?? '';
  const generated = scheduleScenario(s, { ...o, quietMs: o.quietMs });
  const heal = s.horizonMs;
  const faults: Record<string, unknown>[] = [];
  for (const f of generated['faults'] as Record<string, unknown>[]) {
    const g = { ...f };
    if (g['link'] === 'outside' || g['link'] === 'inside') g['link'] = linkName(g['link']);
    if (g['node'] === 'gw') g['node'] = gw;
    if (g['node'] === 'dhcp') {
      if (dhcp === undefined) continue;
      g['node'] = dhcp;
    }
    if (typeof g['node'] === 'string' && /^client\d+$/.test(g['node']))
      g['node'] = clientAt(Number(g['node'].slice(6)));
    if (Array.isArray(g['groups']))
      g['groups'] = [[...new Set((g['groups'][0] as string[]).map((c) => clientAt(Number(c.slice(6)))))], [gw]];
    // The heal restores the base's own profiles.
    if (g['type'] === 'link.profile' && g['atMs'] === heal) {
      const l = g['link'] === outside?.name ? outside : inside;
      g['profile'] = { ...CLEAN, ...(l?.profile ?? {}) };
    }
    faults.push(g);
  }
  // The faulty phase's profiles start at 0.
  faults.unshift(
    { type: 'link.profile', atMs: 0, link: linkName('outside'), profile: profile(s.outside) },
    { type: 'link.profile', atMs: 0, link: linkName('inside'), profile: profile(s.inside) },
  );
  const w = base.workload;
  const actions = [...((w['actions'] as Record<string, unknown>[] | undefined) ?? [])];
  for (const a of s.actions)
    actions.push({ atMs: Math.min(a.atMs, heal), action: a.action, nodes: clientAt(a.client) });
  return {
    ...base,
    name: o.name ?? 'vopr-overlay',
    methods: [o.method],
    seed: o.seed,
    durationMs: Math.max(base.durationMs, heal + o.quietMs + OBSERVE_MS),
    workload: {
      ...w,
      actions,
      pingIntervalMs: Number(w['pingIntervalMs'] ?? 0) > 0 ? w['pingIntervalMs'] : PING_INTERVAL_MS,
      livenessSecs: Number(w['livenessSecs'] ?? 0) > 0 ? w['livenessSecs'] : s.livenessSecs,
      reconnect: w['reconnect'] ?? { delayMs: s.reconnectDelayMs, jitterMs: s.reconnectJitterMs, triesMax: 1000 },
    },
    faults,
    expectations: [],
  };
}
