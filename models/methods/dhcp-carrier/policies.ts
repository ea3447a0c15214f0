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
    values: ['reconnect', 'child-discover', 'stay-down'],
    default: 'reconnect',
    // RFC 2131 §4.4.5: at expiry (or a NAK) the client stops using the address and starts again at DISCOVER; both
    // drafts carry DISCOVER only in IKE_AUTH (seed §2, WG §3), so the IKE SA is closed and a new one started.
    doc: 'after a lost lease (expiry, or a NAK carried in CREATE_CHILD_SA) the client withdraws the address and closes the IKE SA to start again at DISCOVER in a new IKE_AUTH (reconnect: DISCOVER only rides IKE_AUTH, seed §2, WG §3), carries DISCOVER in a CREATE_CHILD_SA (child-discover, a lab extension: both drafts silent), or stays without address (stay-down)',
    section: 'dhcp-over-ike',
  },
  {
    name: 'dhcpIkeRenewRecarry',
    kind: 'enum',
    values: ['rfc2131', 'every-rekey'],
    default: 'rfc2131',
    // RFC 2131 §4.4.5: "wait one-half of the remaining time until T2 … down to a minimum of 60 seconds, before
    // retransmitting the DHCPREQUEST"; the drafts are silent on a rekey that must be retried (RFC 7296 §2.25).
    doc: 'a renewal REQUEST whose rekey must be retried (TEMPORARY_FAILURE, RFC 7296 §2.25): rfc2131 = the retried rekey carries no DHCP and the REQUEST goes again when the RFC 2131 client retransmits it (half the time to T2 or to expiry, at least 60 s, RFC 2131 §4.4.5); every-rekey = re-carried on every retried rekey (every few seconds, the lab before issue 14)',
    section: 'dhcp-over-ike',
  },
  {
    name: 'dhcpIkeWgRecarry',
    kind: 'enum',
    values: ['rfc2131', 'collect-window'],
    default: 'rfc2131',
    // draft-ietf §3: "It should use normal DHCP retransmission policies when deciding when to send next packet";
    // RFC 2131 §4.1: 4 s, doubling to 64 s, each ±1 s.
    doc: 'WG: after an IKE_AUTH response without DHCP the next round carrying the DHCP message is held until the RFC 2131 client retransmits it (rfc2131: 4 s, 8 s, 16 s … ±1 s after the previous transmission, RFC 2131 §4.1, as WG §3 asks: "normal DHCP retransmission policies"), or goes at once, paced by the gateway\'s collect window (collect-window: every ~2 s, the lab before issue 14)',
    section: 'dhcp-over-ike-wg',
  },
  {
    name: 'dhcpPayloadType',
    kind: 'int',
    min: 16,
    max: 255,
    default: 128,
    doc: "IKE payload type number of the DHCP payload, for client and gateway: 128, the first private-use value (IANA's IKEv2 registry; 16 is IKEv1's range, models/wire/ike/constants.ts), or 16 as draft-ietf-ipsec-dhcp-over-ike-00 §5 assigns it; 17–127 are refused",
    section: 'dhcp-over-ike',
  },
  {
    name: 'dhcpIkeWgPayloadOrder',
    kind: 'enum',
    values: ['draft', 'cp'],
    default: 'draft',
    doc: 'the first IKE_AUTH request puts DHCP after SAi2, TSi, TSr as WG §3 draws it, SK{IDi, [IDr,] SAi2, TSi, TSr, DHCP} (draft), or before SAi2 where RFC 7296 §2.19 puts CP (cp)',
    section: 'dhcp-over-ike-wg',
  },
];

export interface CarrierPolicy {
  readonly rekeyT1Percent: number;
  readonly resendMax: number;
  readonly rememberAddress: boolean;
  readonly wgRenew: 'rekey' | 'none';
  readonly nakRestart: 'reconnect' | 'child-discover' | 'stay-down';
  readonly renewRecarry: 'rfc2131' | 'every-rekey';
  readonly wgPayloadOrder: 'draft' | 'cp';
  readonly wgRecarry: 'rfc2131' | 'collect-window';
}

export function carrierPolicy(values: Readonly<Record<string, PolicyValue>>): CarrierPolicy {
  return {
    rekeyT1Percent: Number(values['dhcpIkeRekeyT1Percent'] ?? 90),
    resendMax: Number(values['dhcpIkeResendMax'] ?? 4),
    rememberAddress: values['dhcpIkeRememberAddress'] !== false,
    wgRenew: values['dhcpIkeWgRenew'] === 'none' ? 'none' : 'rekey',
    nakRestart: nakRestartOf(values['dhcpIkeNakRestart']),
    renewRecarry: values['dhcpIkeRenewRecarry'] === 'every-rekey' ? 'every-rekey' : 'rfc2131',
    wgPayloadOrder: values['dhcpIkeWgPayloadOrder'] === 'cp' ? 'cp' : 'draft',
    wgRecarry: values['dhcpIkeWgRecarry'] === 'collect-window' ? 'collect-window' : 'rfc2131',
  };
}

function nakRestartOf(v: PolicyValue | undefined): CarrierPolicy['nakRestart'] {
  return v === 'child-discover' || v === 'stay-down' ? v : 'reconnect';
}
