/**
 * The gateway-as-relay choices the DHCP-over-IKE drafts leave open, as named policies (models/methods/policy.ts).
 * Each descriptor's `doc` says what the draft says (or that it is silent) and why the default was chosen.
 */
import { checkPolicyValue, type PolicyDescriptor, type PolicyValue } from '../policy.ts';
import { OptionError, type OptionRecord } from '../method.ts';

export const RELAY_POLICIES: readonly PolicyDescriptor[] = [
  {
    name: 'dhcpIkeServerRetry',
    kind: 'enum',
    values: ['strongswan', 'none'],
    default: 'strongswan',
    // Both drafts are silent on the gateway→server leg (seed §3 only says the gateway relays).
    doc: 'gateway→DHCP server retransmission while the IKE response is pending: strongswan = 5 tries with 1,2,3,4,5 s waits (dhcp_socket.c), none = one try, 10 s wait',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeCollect',
    kind: 'enum',
    values: ['auto', 'window', 'first'],
    default: 'auto',
    doc: 'draft-ietf §3: wait the collect window for all server replies (window), answer at the first (first), or first when one server is configured (auto)',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeCollectMs',
    kind: 'durationMs',
    min: 0,
    max: 60_000,
    default: 2_000,
    doc: 'draft-ietf §3 "configurable time (few seconds)": the collect window, and the WG no-reply deadline of one IKE_AUTH round',
    section: 'dhcp-over-ike-wg',
  },
  {
    name: 'dhcpIkeNoReply',
    kind: 'enum',
    values: ['draft', 'fail', 'empty'],
    default: 'draft',
    doc: 'no server reply: draft = each draft (WG §3 MUST answer without DHCP; the seed is silent: INTERNAL_ADDRESS_FAILURE), fail, or empty',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeOption82',
    kind: 'enum',
    values: ['ike-identity', 'circuit-only', 'off'],
    default: 'ike-identity',
    doc: 'relay agent information (RFC 3046, seed §3 "SHOULD append DHCP relay options"): circuit-id = ike:<IKE SA id> (the one format of every method, models/methods/circuit-id.ts), remote-id = IKE identity',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeLinkSelection',
    kind: 'bool',
    default: true,
    doc: 'RFC 3527 link-selection sub-option naming the VPN subnet (gateway option linkSelectionSubnet) when giaddr is not in it',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeServerIdOverride',
    kind: 'bool',
    default: false,
    doc: 'RFC 5107 server-identifier-override = the gateway inside address (renewals ride IKE anyway, so off by default)',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeOnSaDelete',
    kind: 'enum',
    values: ['release', 'keep'],
    default: 'release',
    doc: 'IKE SA deleted or expired: the gateway sends DHCPRELEASE for the lease (release) or lets it run out (keep); drafts silent',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeDuplicateRequest',
    kind: 'enum',
    values: ['coalesce', 'forward'],
    default: 'coalesce',
    doc: 'the same DHCP request again (a new IKE round or re-carried REQUEST) while its server transaction runs: join it (coalesce) or relay another copy (forward)',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeLateReplies',
    kind: 'enum',
    values: ['keep', 'drop'],
    default: 'keep',
    doc: 'duplicate-request policy: a reply that arrives after its IKE round was answered is kept and given to the next request with the same xid (draft-ietf §3), or dropped',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeLeaseGuard',
    kind: 'bool',
    default: true,
    doc: 'a lease the relay saw granted to an IKE SA and not renewed by halfway from T2 to expiry: the gateway deletes the IKE SA (and with it the Child SA narrowed to that TSi) so the peer drops the address before the server can give it away (RFC 2131 §4.4.5); drafts silent',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkeExpiredTsi',
    kind: 'enum',
    values: ['refuse', 'accept'],
    default: 'refuse',
    doc: 'a CREATE_CHILD_SA (a rekey, or a new Child SA with TSi = the address) on an IKE SA whose lease the relay saw run out (no ACK since): refuse = TS_UNACCEPTABLE without relaying (RFC 2131 §4.4.5: at expiry the client MUST stop using the address; RFC 7296 §2.9), unless it carries a DISCOVER; accept = relay it and keep the old TSi (the drafts, silent)',
    section: 'gateway-relay',
  },
  {
    name: 'dhcpIkePinning',
    kind: 'enum',
    values: ['identity', 'first-come'],
    default: 'identity',
    doc: 'anti-theft (drafts silent): a chaddr/client-id already used by another IKE identity is scoped to the asking identity (identity: option 61 from the identity, nobody locked out) or refused (first-come: whoever copies a chaddr first locks its owner out)',
    section: 'gateway-relay',
  },
];

export type ServerRetry = 'strongswan' | 'none';
export type CollectMode = 'auto' | 'window' | 'first';
export type NoReply = 'draft' | 'fail' | 'empty';
export type Option82Mode = 'ike-identity' | 'circuit-only' | 'off';

export interface RelayPolicy {
  readonly serverRetry: ServerRetry;
  readonly collect: CollectMode;
  readonly collectMs: number;
  readonly noReply: NoReply;
  readonly option82: Option82Mode;
  readonly linkSelection: boolean;
  readonly serverIdOverride: boolean;
  readonly onSaDelete: 'release' | 'keep';
  readonly lateReplies: 'keep' | 'drop';
  readonly duplicate: 'coalesce' | 'forward';
  readonly leaseGuard: boolean;
  readonly pinning: 'identity' | 'first-come';
  readonly expiredTsi: 'refuse' | 'accept';
}

/** strongSwan's dhcp plugin: `DHCP_TRIES` 5, waiting `try` seconds after try number `try` (1…5). */
export const STRONGSWAN_SERVER_WAITS_MS: readonly number[] = [1000, 2000, 3000, 4000, 5000];
/** One transmission, then wait as long as the IKE responder's default `addressTimeoutMs` (10 s). */
export const SINGLE_SERVER_WAITS_MS: readonly number[] = [10_000];

export function serverWaitsMs(retry: ServerRetry): readonly number[] {
  return retry === 'strongswan' ? STRONGSWAN_SERVER_WAITS_MS : SINGLE_SERVER_WAITS_MS;
}

/**
 * Reads the values of `descriptors` from a `policies` record (scenario data): absent ⇒ default, present ⇒ checked.
 * Names of other methods' policies are ignored (the builder passes one bag to every method).
 */
export function readPolicies(
  descriptors: readonly PolicyDescriptor[],
  raw: OptionRecord | undefined,
  path: string,
): Record<string, PolicyValue> {
  const out: Record<string, PolicyValue> = {};
  for (const d of descriptors) {
    const v = raw?.[d.name];
    if (v === undefined) {
      out[d.name] = d.default;
      continue;
    }
    const c = checkPolicyValue(d, v);
    if (!c.ok) throw new OptionError(`${path}.${d.name}`, `expected ${c.expected}`);
    out[d.name] = c.value;
  }
  return out;
}

export function relayPolicy(values: Readonly<Record<string, PolicyValue>>): RelayPolicy {
  return {
    serverRetry: values['dhcpIkeServerRetry'] === 'none' ? 'none' : 'strongswan',
    collect: (values['dhcpIkeCollect'] ?? 'auto') as CollectMode,
    collectMs: Number(values['dhcpIkeCollectMs'] ?? 2000),
    noReply: (values['dhcpIkeNoReply'] ?? 'draft') as NoReply,
    option82: (values['dhcpIkeOption82'] ?? 'ike-identity') as Option82Mode,
    linkSelection: values['dhcpIkeLinkSelection'] !== false,
    serverIdOverride: values['dhcpIkeServerIdOverride'] === true,
    onSaDelete: values['dhcpIkeOnSaDelete'] === 'keep' ? 'keep' : 'release',
    lateReplies: values['dhcpIkeLateReplies'] === 'drop' ? 'drop' : 'keep',
    duplicate: values['dhcpIkeDuplicateRequest'] === 'forward' ? 'forward' : 'coalesce',
    leaseGuard: values['dhcpIkeLeaseGuard'] !== false,
    pinning: values['dhcpIkePinning'] === 'first-come' ? 'first-come' : 'identity',
    expiredTsi: values['dhcpIkeExpiredTsi'] === 'accept' ? 'accept' : 'refuse',
  };
}

export const DEFAULT_RELAY_POLICY: RelayPolicy = relayPolicy(readPolicies(RELAY_POLICIES, undefined, 'gateway'));
