/**
 * The Configuration Payload task (RFC 7296 §2.19, §3.15; strongSwan's ike_config.c): the initiator asks for an
 * address and DNS with CP(CFG_REQUEST) in IKE_AUTH; the responder answers CP(CFG_REPLY) with what its address
 * provider assigned.
 */
import {
  cpReply,
  cpRequestAddressAndDns,
  findPayload,
  IkeCfgType,
  type IkeCpPayload,
  type IkeMessage,
} from '../../wire/ike/index.ts';
import { netmaskToPrefix, prefixToNetmask } from '../../wire/ipv4-address.ts';

export interface AssignedConfig {
  readonly address: string;
  readonly prefixLength: number;
  readonly dns: readonly string[];
}

export function buildI(): IkeCpPayload {
  return cpRequestAddressAndDns();
}

/** Did the initiator ask for an address? */
export function processR(req: IkeMessage): { readonly requested: boolean } {
  const cp = findPayload(req, 'CP');
  const requested =
    cp !== undefined && cp.cfgType === IkeCfgType.CFG_REQUEST && cp.attributes.some((a) => a.kind === 'ip4Address');
  return { requested };
}

export function buildR(config: AssignedConfig): IkeCpPayload {
  return cpReply(config.address, config.dns, prefixToNetmask(config.prefixLength));
}

/** The assigned address, or undefined when the reply carries none. */
export function processI(resp: IkeMessage): AssignedConfig | undefined {
  const cp = findPayload(resp, 'CP');
  if (cp === undefined || cp.cfgType !== IkeCfgType.CFG_REPLY) return undefined;
  let address: string | undefined;
  let prefixLength = 32;
  const dns: string[] = [];
  for (const a of cp.attributes) {
    if (a.kind === 'ip4Address' && a.address !== null) address = a.address;
    if (a.kind === 'ip4Netmask' && a.address !== null) prefixLength = netmaskToPrefix(a.address) ?? prefixLength;
    if (a.kind === 'ip4Dns' && a.address !== null) dns.push(a.address);
  }
  return address === undefined ? undefined : { address, prefixLength, dns };
}
