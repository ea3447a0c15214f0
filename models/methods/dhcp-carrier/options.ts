/** Client options of both DHCP-over-IKE methods (scenario data, validated; errors name the field path). */
import { ipsecTunnelIdentity, type DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { OptionError, optionalNumber, record, type OptionRecord } from '../method.ts';
import { readPolicies } from '../gateway-relay/policies.ts';
import { CARRIER_POLICIES, carrierPolicy, type CarrierPolicy } from './policies.ts';

export interface CarrierClientOptions {
  readonly clientName?: string;
  /** draft-ietf §4: chaddr = the LAN interface's MAC (hlen 6) when the client has one. */
  readonly lanMac?: string;
  /** draft-ietf §4: the persistent extra octet after x'4000' ‖ outer address (default 0). */
  readonly chaddrOctet?: number;
  /** Option 61 (RFC 2132 §9.14, type 0 + UTF-8 text), absent by default. */
  readonly clientId?: string;
  /** An address remembered from an earlier session: the first IKE_AUTH carries an INIT-REBOOT REQUEST (WG §3). */
  readonly rememberedAddress?: string;
  readonly policy: CarrierPolicy;
}

function optionalString(o: OptionRecord, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new OptionError(`client.${key}`, 'expected a string');
  return v;
}

export function parseCarrierClientOptions(raw: unknown): CarrierClientOptions {
  const o = record(raw ?? {}, 'client');
  const policies = o['policies'] === undefined ? undefined : record(o['policies'], 'client.policies');
  const clientName = optionalString(o, 'clientName');
  const lanMac = optionalString(o, 'lanMac');
  const clientId = optionalString(o, 'clientId');
  const rememberedAddress = optionalString(o, 'rememberedAddress');
  const chaddrOctet = optionalNumber(o, 'chaddrOctet', 'client');
  // Built by assignment, not spreads: V8 gives each spread-built copy a map of its own, and a storm parses the options
  // of every client (~140 B each). Absent options stay absent keys.
  const out: { -readonly [K in keyof CarrierClientOptions]: CarrierClientOptions[K] } = {
    policy: carrierPolicy(readPolicies(CARRIER_POLICIES, policies, 'client.policies')),
  };
  if (clientName !== undefined) out.clientName = clientName;
  if (lanMac !== undefined) out.lanMac = lanMac;
  if (clientId !== undefined) out.clientId = clientId;
  if (rememberedAddress !== undefined) out.rememberedAddress = rememberedAddress;
  if (chaddrOctet !== undefined) out.chaddrOctet = chaddrOctet;
  return out;
}

/** draft-ietf §4 (htype 31, persistent chaddr), with option 61 when configured. The seed is silent: same rule. */
export function carrierIdentity(o: CarrierClientOptions, outerAddress: string): DhcpClientIdentity {
  const base =
    o.lanMac !== undefined
      ? ipsecTunnelIdentity({ lanMac: o.lanMac })
      : ipsecTunnelIdentity({ outerAddress, octet: o.chaddrOctet ?? 0 });
  if (o.clientId === undefined) return base;
  // A literal, not `{ ...base, clientId }`: V8 gives each spread copy a map of its own (~190 B per client).
  return {
    htype: base.htype,
    hlen: base.hlen,
    chaddr: base.chaddr,
    clientId: { type: 0, data: new TextEncoder().encode(o.clientId) },
  };
}
