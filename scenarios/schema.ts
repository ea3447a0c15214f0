/**
 * The scenario schema (zod 4, strict objects: an unknown field is an error). Human units where unambiguous
 * (`latencyMs`, `lossRatio`); load.ts converts them to the engine's integer µs / ppm. Cross-field checks (dangling
 * names, duplicates, addresses outside their subnet, option values) are in validate.ts.
 */
import { ATTACK_KINDS } from '../models/attacks/canary.ts';
import { z } from 'zod';
import { METHOD_IDS } from './method-registry.ts';
import { SIZING_RULE_NAMES } from './sizing.ts';

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}`;

export const Ipv4 = z.string().regex(new RegExp(`^${IPV4}$`), { error: 'an IPv4 address a.b.c.d' });
/** `a.b.c.d/len`: an interface address with its prefix length, or a subnet. */
export const Cidr = z
  .string()
  .regex(new RegExp(`^${IPV4}/(3[0-2]|[12]?\\d)$`), { error: 'an IPv4 address with prefix length a.b.c.d/len' });
const Name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { error: 'a name: a letter, then letters, digits, _ or - (≤ 64)' });
const NonNegInt = z.number().int().min(0);
const Ms = z.number().min(0).max(1e12);
const Ratio = z.number().min(0).max(1);

/** One link direction's behaviour: exactly sim/link-profile.ts's fields, with human-unit alternatives. */
export const ProfileSchema = z
  .strictObject({
    latencyMs: Ms.optional(),
    latencyUs: NonNegInt.optional(),
    jitterMs: Ms.optional(),
    jitterUs: NonNegInt.optional(),
    lossRatio: Ratio.optional(),
    lossPpm: NonNegInt.max(1_000_000).optional(),
    lossBurstLengthMean: z.number().min(1).optional(),
    duplicateRatio: Ratio.optional(),
    duplicatePpm: NonNegInt.max(1_000_000).optional(),
    reorderRatio: Ratio.optional(),
    reorderPpm: NonNegInt.max(1_000_000).optional(),
    reorderExtraDelayMs: Ms.optional(),
    reorderExtraDelayUs: NonNegInt.optional(),
    bandwidthBps: NonNegInt.optional(),
    queueBytesMax: NonNegInt.optional(),
    queuePacketsMax: NonNegInt.optional(),
    mtuBytes: NonNegInt.optional(),
  })
  .describe('link direction profile (ms/ratio or µs/ppm; not both for one field)');
export type ProfileInput = z.infer<typeof ProfileSchema>;

const LocalPool = z.strictObject({
  first: Ipv4,
  last: Ipv4,
  prefixLength: z.number().int().min(0).max(32).default(24),
  dns: z.array(Ipv4).default([]),
});

const DhcpPool = z.strictObject({
  name: Name.optional(),
  subnet: Cidr,
  rangeStart: Ipv4,
  rangeEnd: Ipv4,
  router: Ipv4.optional(),
  dns: z.array(Ipv4).default([]),
  leaseSecs: z.number().int().min(1).default(3600),
  t1Secs: z.number().int().min(1).optional(),
  t2Secs: z.number().int().min(1).optional(),
  offerHoldSecs: z.number().int().min(1).default(60),
  /**
   * Relay addresses (giaddr) outside `subnet` that select this pool (Kea `relay.ip-addresses`). Default: the first
   * pool of a server lists the inside address of each gateway using the server, when no pool's subnet holds it.
   */
  relayAddresses: z.array(Ipv4).optional(),
});

/** Where a DHCP server of kind `external` really is, and how the bridge reaches it (scenarios/external/). */
export const ExternalDhcpServer = z.strictObject({
  /** The real server's address on this host or network, e.g. Kea on 127.0.0.1. */
  address: Ipv4,
  port: z.number().int().min(1).max(65_535).default(67),
  /** The host address and port the bridge sends from; the server answers there as to a relay (giaddr). */
  relayAddress: Ipv4.default('127.0.0.2'),
  relayPort: z.number().int().min(1).max(65_535).default(67),
  /** Wall-clock wait for a reply; past it the message is lost (virtual time does not move meanwhile). */
  timeoutMs: z.number().int().min(1).max(60_000).default(2000),
});

const DhcpServer = z.strictObject({
  name: Name,
  /**
   * `lab`: the lab's own RFC 2131 server (models/dhcp/). `external`: a real DHCP server outside the simulation
   * (`external` says where); `pools` then describe what it serves (the gateway's routes), and the run is not hermetic.
   */
  kind: z.enum(['lab', 'external']).default('lab'),
  external: ExternalDhcpServer.optional(),
  address: Cidr,
  pools: z.array(DhcpPool).min(1),
  /** Processing delay per message (the server is a FIFO queue served one message at a time). */
  serviceMs: Ms.default(0),
  queueMax: z.number().int().min(1).default(64),
  restartKeepsLeases: z.boolean().default(true),
  renewUnknown: z.enum(['ack-if-free', 'nak', 'ignore']).optional(),
});

/** Where a gateway of kind `external` really is (a real IKEv2 responder, e.g. charon), and how the bridge reaches it. */
export const ExternalIkeGateway = z.strictObject({
  /** The real gateway's address; give the gateway's `outside` the same, so NAT detection sees no NAT (RFC 7296 §2.23). */
  address: Ipv4,
  /** Its IKE port (the simulation's 500) and NAT-T port (the simulation's 4500, RFC 3948). */
  port: z.number().int().min(1).max(65_535).default(500),
  natTPort: z.number().int().min(1).max(65_535).default(4500),
  /** The host address the bridge sends from (ports 500 and 4500); default the gateway's first client's address. */
  localAddress: Ipv4.optional(),
  /** Wall-clock wait for the answer to an IKE request; past it the request is lost (virtual time does not move). */
  timeoutMs: z.number().int().min(1).max(60_000).default(2000),
  /** After an answer's first datagram, how long more are collected (wall clock). */
  settleMs: z.number().int().min(0).max(5_000).default(50),
});

const Gateway = z.strictObject({
  name: Name,
  /**
   * `lab`: the lab's gateway (models/nodes/gateway-node.ts). `external`: a real IKEv2 gateway outside the simulation
   * (`external` says where): its IKE datagrams leave through UDP sockets; the run is not hermetic.
   */
  kind: z.enum(['lab', 'external']).default('lab'),
  external: ExternalIkeGateway.optional(),
  outside: Cidr,
  inside: Cidr,
  identity: z.string().min(1).optional(),
  /** Local pool (mode-cfg); DHCP-based methods use `dhcpServer`. */
  pool: LocalPool.optional(),
  dhcpServer: Name.optional(),
  /** What tunnels may reach (TSr), e.g. the inside subnet; default the inside interface's subnet. */
  protectedSubnets: z.array(Cidr).optional(),
});

const ClientGroup = z.strictObject({
  /** One client, or with `count` the prefix of `<name>1` … `<name><count>`. */
  name: Name,
  count: z.number().int().min(1).max(100_000).optional(),
  /** The (first) client's outside address; a group counts up from it. */
  address: Cidr,
  /** One gateway, or several (tunnels to several enterprises at once). */
  gateway: z.union([Name, z.array(Name).min(1)]),
  /** A DHCP server on the client's own LAN (home router): the client leases its outer address from it (the address
   * above is the one it is expected to lease), and that DHCP goes through the client's SPD — the wildcard-SA hazard of
   * RFC 3456 on IPsec (draft-richardson §4). */
  homeDhcpServer: Name.optional(),
  /** The home DHCP client's MAC (chaddr); default 02:00:00:00:hh:ll from the member's outer address. */
  homeMac: z
    .string()
    .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, { error: 'a MAC address aa:bb:cc:dd:ee:ff (lower case)' })
    .optional(),
  /**
   * An adversarial client (models/attacks/attacker.ts): it connects like the others, then at `atMs` performs
   * `attack` against `victim` (a client name; needed by lease-theft, release-other, decline-other, ike-replay and
   * esp-spoof). Traced as `attack.tried`, the defenders' `attack.refused` / `attack.succeeded`; metric `attacks`.
   */
  behaviour: z
    .strictObject({
      attack: z.enum(ATTACK_KINDS),
      victim: Name.optional(),
      atMs: z.number().int().min(0),
    })
    .optional(),
});

const Host = z.strictObject({ name: Name, address: Cidr });

const Link = z.strictObject({
  name: Name,
  kind: z.enum(['segment', 'p2p']).default('segment'),
  /** Node names or client group names (a group attaches all its members); `node.iface` picks an interface. */
  attach: z.array(z.string().min(1)).min(1),
  subnet: Cidr.optional(),
  profile: ProfileSchema.optional(),
  /** Per direction, keyed `from→to` (or `from->to`), merged over `profile`. */
  directions: z.record(z.string(), ProfileSchema).optional(),
  routes: z.array(z.strictObject({ prefix: Cidr, via: Name })).optional(),
});

export const TopologySchema = z.strictObject({
  clients: z.array(ClientGroup).min(1),
  gateways: z.array(Gateway).min(1),
  dhcpServers: z.array(DhcpServer).default([]),
  homeDhcpServers: z.array(DhcpServer).default([]),
  enterpriseHosts: z.array(Host).default([]),
  links: z.array(Link).min(1),
});

const Targets = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const WorkloadAction = z.strictObject({
  atMs: Ms,
  action: z.enum(['connect', 'disconnect', 'ping', 'renew', 'release']),
  /** Node or group names. */
  nodes: Targets,
  /** Node k of the expanded list acts at atMs + k × spacingMs (a connection rate). */
  spacingMs: Ms.optional(),
  /** Alternative to spacingMs: actions per second. */
  ratePerSec: z.number().positive().optional(),
  /** A client with tunnels to several gateways: act on the tunnel to this gateway only (default: every tunnel). */
  gateway: Name.optional(),
});

export const WorkloadSchema = z.strictObject({
  actions: z.array(WorkloadAction).default([]),
  /** Periodic data ping once configured (0 = only on `ping` actions). */
  pingIntervalMs: Ms.default(0),
  childRekeySecs: z.number().int().min(0).default(0),
  ikeRekeySecs: z.number().int().min(0).default(0),
  rekeyJitterMs: Ms.default(0),
  livenessSecs: z.number().int().min(0).default(0),
  reconnect: z
    .strictObject({
      delayMs: Ms,
      jitterMs: Ms,
      triesMax: z.number().int().min(0),
    })
    .optional(),
});

const Filter = { link: Name.optional(), from: Name.optional(), to: Name.optional() };
const FaultBase = { atMs: Ms.default(0), id: z.string().min(1).optional() };

export const FaultSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('link.down'), ...FaultBase, link: Name }),
  z.strictObject({ type: z.literal('link.up'), ...FaultBase, link: Name }),
  z.strictObject({ type: z.literal('partition'), ...FaultBase, groups: z.array(z.array(Name).min(1)).min(2) }),
  z.strictObject({ type: z.literal('partition.heal'), ...FaultBase, partition: z.string().optional() }),
  z.strictObject({ type: z.literal('node.crash'), ...FaultBase, node: Name }),
  z.strictObject({ type: z.literal('node.restart'), ...FaultBase, node: Name }),
  z.strictObject({
    type: z.literal('link.profile'),
    ...FaultBase,
    link: Name,
    from: Name.optional(),
    to: Name.optional(),
    profile: ProfileSchema,
  }),
  z.strictObject({ type: z.literal('drop.nth'), ...FaultBase, ...Filter, n: z.number().int().min(1) }),
  z.strictObject({
    type: z.literal('drop.match'),
    ...FaultBase,
    ...Filter,
    match: z.string().min(1),
    regex: z.boolean().optional(),
    count: z.number().int().min(1).optional(),
  }),
  /** The DHCP server stops answering (it queues nothing), until `dhcp.unstall`. */
  z.strictObject({ type: z.literal('dhcp.stall'), ...FaultBase, node: Name }),
  z.strictObject({ type: z.literal('dhcp.unstall'), ...FaultBase, node: Name }),
]);
export type FaultInput = z.infer<typeof FaultSchema>;

const MethodId = z.enum(METHOD_IDS);
/** An expectation applies to the listed methods (default all) and, with `options`, only when every listed option has
 * that effective value (e.g. `{ "dhcpSaTeardown": "at-lifetime" }`): "for method M with options O, metric X op v". */
const ExpBase = {
  methods: z.array(MethodId).optional(),
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
};
const Op = z.enum(['<', '<=', '==', '!=', '>=', '>']);

export const ExpectationSchema = z.discriminatedUnion('kind', [
  /** Every client told to connect has an inner address by `byMs` (population: those clients; none ⇒ fails). */
  z.strictObject({ kind: z.literal('allAddressed'), ...ExpBase, byMs: Ms }),
  /**
   * Every client told to connect holds an address it got at or after `afterMs` (e.g. after a restart): population
   * those clients; none ⇒ fails.
   */
  z.strictObject({ kind: z.literal('allReaddressed'), ...ExpBase, afterMs: Ms }),
  /**
   * No address held by two clients at the same time. Population: clients that held an address (with `afterMs`:
   * whose last address came at or after it); none ⇒ fails, so "no overlaps" is never claimed over nothing.
   */
  z.strictObject({ kind: z.literal('noOverlaps'), ...ExpBase, afterMs: Ms.optional() }),
  /** A numeric metric (dotted path into the metrics object, e.g. `timeToAddressUs.p95`) within bounds. */
  z.strictObject({
    kind: z.literal('metric'),
    ...ExpBase,
    path: z.string().min(1),
    min: z.number().optional(),
    max: z.number().optional(),
    /** `op` + `value`: the metric compared with a number (`misdirected > 0`); may be combined with min/max. */
    op: Op.optional(),
    value: z.number().optional(),
  }),
  /** The ladder starts with these lines, each `from → to: summary` (times left out); a line may end in `…` (prefix). */
  z.strictObject({ kind: z.literal('ladderPrefix'), ...ExpBase, lines: z.array(z.string()).min(1) }),
]);
export type ExpectationInput = z.infer<typeof ExpectationSchema>;

const Parameter = z
  .strictObject({
    doc: z.string().optional(),
    default: z.union([z.number(), z.string(), z.boolean()]),
    /** Dotted paths (array indices as numbers) the value is written to, e.g. `topology.links.0.profile.lossRatio`. */
    paths: z.array(z.string().min(1)).min(1).optional(),
    /** A sizing rule (scenarios/sizing.ts) the value drives, e.g. `clients`: the count and what is sized by it. */
    sizing: z.enum(SIZING_RULE_NAMES).optional(),
  })
  .refine((p) => p.paths !== undefined || p.sizing !== undefined, {
    error: 'paths (where the value is written) or sizing (a rule that derives values from it)',
  });

export const NEEDS = ['client-home-lan', 'multi-gateway-client'] as const;

/** The options object: one optional field per named policy (built from the descriptors at call time). */
export function scenarioSchema(
  options: z.ZodType = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
) {
  return z.strictObject({
    $schema: z.string().optional(),
    name: Name,
    description: z.string().min(1),
    /** The first is the default for `run`; `compare` uses them all. */
    methods: z.array(MethodId).min(1),
    options: options.optional(),
    parameters: z.record(Name, Parameter).optional(),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    /** IKE/ESP cryptography (the `crypto` option overrides it): `modelled` (default) or `real` (RFC 7296 §2.13–2.17). */
    crypto: z.enum(['modelled', 'real']).optional(),
    durationMs: z.number().positive().max(1e10),
    topology: TopologySchema,
    workload: WorkloadSchema,
    faults: z.array(FaultSchema).default([]),
    expectations: z.array(ExpectationSchema).default([]),
    /** Topology features not modelled yet that this scenario uses (documentation; load.ts also derives them). */
    needs: z.array(z.enum(NEEDS)).optional(),
  });
}

export type ScenarioInput = z.infer<ReturnType<typeof scenarioSchema>>;
export type TopologyInput = ScenarioInput['topology'];
export type DhcpServerInput = TopologyInput['dhcpServers'][number];
export type GatewayInput = TopologyInput['gateways'][number];
export type ClientGroupInput = TopologyInput['clients'][number];
export type LinkInput = TopologyInput['links'][number];
export type WorkloadInput = ScenarioInput['workload'];
