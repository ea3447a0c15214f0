/** Client-side choices the DHCP-over-IKE drafts leave open, as named policies (models/methods/policy.ts). */
import type { PolicyDescriptor, PolicyValue } from '../policy.ts';

export const CARRIER_POLICIES: readonly PolicyDescriptor[] = [
  {
    name: 'dhcpIkeRekeyT1Percent',
    kind: 'int',
    min: 1,
    max: 100,
    default: 90,
    // seed §2 "later, upon rekey": the renewal rides on the rekey, so the rekey must come no later than T1.
    doc: 'the client schedules the Child SA rekey that carries DHCP(REQUEST) at this percent of T1 after the lease start (seed §2)',
    section: 'dhcp-over-ike',
  },
  {
    name: 'dhcpIkeResendMax',
    kind: 'int',
    min: 0,
    max: 16,
    default: 4,
    // draft-ietf §3: "the client should send new IKE packet having the same DHCP payload (but new message id)".
    doc: 'exchanges re-carrying the same DHCP payload after a response without one (WG: IKE_AUTH rounds; both: a failed new Child SA); then REQUEST falls back to DISCOVER, DISCOVER fails (RFC 2131 §4.1: 5 transmissions)',
    section: 'dhcp-over-ike-wg',
  },
  {
    name: 'dhcpIkeRememberAddress',
    kind: 'bool',
    default: true,
    doc: 'WG §3 second example: a reconnecting client starts in INIT-REBOOT with DHCP(REQUEST) for its last address',
    section: 'dhcp-over-ike-wg',
  },
  {
    name: 'dhcpIkeWgRenew',
    kind: 'enum',
    values: ['rekey', 'none'],
    default: 'rekey',
    doc: 'WG draft is silent on renewal: carry DHCP(REQUEST)/ACK in the Child SA rekey as the seed §2 does (rekey), or let the lease run out (none)',
    section: 'dhcp-over-ike-wg',
  },
  {
    name: 'dhcpIkeNakRestart',
    kind: 'enum',
    values: ['child-discover', 'stay-down'],
    default: 'child-discover',
    doc: 'seed: after a NAK the client restarts at DISCOVER carried in a CREATE_CHILD_SA (seed silent; DISCOVER only rides IKE_AUTH in §2), or stays without address',
    section: 'dhcp-over-ike',
  },
];

export interface CarrierPolicy {
  readonly rekeyT1Percent: number;
  readonly resendMax: number;
  readonly rememberAddress: boolean;
  readonly wgRenew: 'rekey' | 'none';
  readonly nakRestart: 'child-discover' | 'stay-down';
}

export function carrierPolicy(values: Readonly<Record<string, PolicyValue>>): CarrierPolicy {
  return {
    rekeyT1Percent: Number(values['dhcpIkeRekeyT1Percent'] ?? 90),
    resendMax: Number(values['dhcpIkeResendMax'] ?? 4),
    rememberAddress: values['dhcpIkeRememberAddress'] !== false,
    wgRenew: values['dhcpIkeWgRenew'] === 'none' ? 'none' : 'rekey',
    nakRestart: values['dhcpIkeNakRestart'] === 'stay-down' ? 'stay-down' : 'child-discover',
  };
}
