/**
 * Helpers the IKE machines use to build and inspect messages: find payloads (outer and inside an opened SK),
 * traffic selectors (RFC 7296 §3.13.1), the CP request of §2.19, notifies, proposals from a cipher suite.
 */
import type { CipherSuite, CipherSuiteName } from '../crypto-suite.ts';
import type { DhcpMessage, Ipv4Address } from '../dhcp/types.ts';
import { IKE_KEY_LENGTH_ATTRIBUTE, IkeCfgType, IkeProtocolId, IkeTransformType } from './constants.ts';
import type {
  IkeConfigAttribute,
  IkeCpPayload,
  IkeDhcpPayload,
  IkeMessage,
  IkeNotification,
  IkeNotifyPayload,
  IkePayload,
  IkePayloadKind,
  IkeProposal,
  IkeSkPayload,
  IkeSpi,
  IkeTrafficSelector,
  IkeTransform,
  IkeTsPayload,
} from './types.ts';
import { fitted } from '../fitted.ts';

/** The payload type(s) whose `kind` can be K (IDi and IDr share one interface, as do TSi/TSr and CERT/CERTREQ). */
export type IkePayloadOfKind<K extends IkePayloadKind> = IkePayload extends infer P
  ? P extends { readonly kind: infer PK }
    ? K extends PK
      ? P
      : never
    : never
  : never;

/** The payloads a machine processes: the outer ones (except SK) followed by those inside an opened SK. */
export function ikeContentPayloads(m: IkeMessage): readonly IkePayload[] {
  const out: IkePayload[] = [];
  for (const p of m.payloads) {
    if (p.kind === 'SK') out.push(...p.payloads);
    else out.push(p);
  }
  return out;
}

/** Every payload of `kind`, outer ones first, then inside an opened SK. */
export function findPayloads<K extends IkePayloadKind>(m: IkeMessage, kind: K): IkePayloadOfKind<K>[] {
  const out: IkePayloadOfKind<K>[] = [];
  collectPayloads(m.payloads, kind, out);
  return out;
}

/** A named function, not a closure per call: the machines look payloads up on every message. */
function collectPayloads<K extends IkePayloadKind>(
  ps: readonly IkePayload[],
  kind: K,
  out: IkePayloadOfKind<K>[],
): void {
  for (const p of ps) {
    if (p.kind === kind) out.push(p as IkePayloadOfKind<K>);
    if (p.kind === 'SK') collectPayloads(p.payloads, kind, out);
  }
}

/**
 * Does a payload of `kind` pass `test`? findPayloads' order, without its array: the responder's guards ask this of
 * every request they screen (several guards per message).
 */
export function somePayload<K extends IkePayloadKind>(
  m: IkeMessage,
  kind: K,
  test: (p: IkePayloadOfKind<K>) => boolean,
): boolean {
  return somePayloadIn(m.payloads, kind, test);
}

function somePayloadIn<K extends IkePayloadKind>(
  ps: readonly IkePayload[],
  kind: K,
  test: (p: IkePayloadOfKind<K>) => boolean,
): boolean {
  for (const p of ps) {
    if (p.kind === kind && test(p as IkePayloadOfKind<K>)) return true;
    if (p.kind === 'SK' && somePayloadIn(p.payloads, kind, test)) return true;
  }
  return false;
}

/** The first payload of `kind` (outer or inside an opened SK), or undefined. */
export function findPayload<K extends IkePayloadKind>(m: IkeMessage, kind: K): IkePayloadOfKind<K> | undefined {
  for (const p of m.payloads) {
    if (p.kind === kind) return p as IkePayloadOfKind<K>;
    if (p.kind === 'SK') {
      for (const q of p.payloads) if (q.kind === kind) return q as IkePayloadOfKind<K>;
    }
  }
  return undefined;
}

/** The first Notify with the given name (e.g. `INTERNAL_ADDRESS_FAILURE`), or for `other` with a type number. */
export function findNotify(m: IkeMessage, notify: IkeNotification['notify']): IkeNotifyPayload | undefined {
  return firstNotifyIn(m.payloads, notify);
}

/** findPayloads' order (each payload, then inside it when it is an opened SK), stopping at the first match. */
function firstNotifyIn(ps: readonly IkePayload[], notify: IkeNotification['notify']): IkeNotifyPayload | undefined {
  for (const p of ps) {
    if (p.kind === 'N' && p.notify === notify) return p;
    if (p.kind === 'SK') {
      const inner = firstNotifyIn(p.payloads, notify);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** TS_IPV4_ADDR_RANGE for one address, all protocols and ports (how a narrowed TSi names the leased address). */
export function tsForAddress(address: Ipv4Address): IkeTrafficSelector {
  return {
    kind: 'ipv4Range',
    ipProtocol: 0,
    startPort: 0,
    endPort: 0xffff,
    startAddress: address,
    endAddress: address,
  };
}

/** TS_IPV4_ADDR_RANGE 0.0.0.0–255.255.255.255, all protocols and ports (the wildcard of RFC 7296 §2.9). */
export function tsFullRange(): IkeTrafficSelector {
  return {
    kind: 'ipv4Range',
    ipProtocol: 0,
    startPort: 0,
    endPort: 0xffff,
    startAddress: '0.0.0.0',
    endAddress: '255.255.255.255',
  };
}

/** A selector for one protocol and port pair range (e.g. UDP 67–68 for RFC 3456's DHCP SA). */
export function tsRange(
  startAddress: Ipv4Address,
  endAddress: Ipv4Address,
  ipProtocol = 0,
  startPort = 0,
  endPort = 0xffff,
): IkeTrafficSelector {
  return { kind: 'ipv4Range', ipProtocol, startPort, endPort, startAddress, endAddress };
}

export function tsPayload(kind: 'TSi' | 'TSr', selectors: readonly IkeTrafficSelector[]): IkeTsPayload {
  return { kind, critical: false, selectors };
}

/** RFC 7296 §2.19: CP(CFG_REQUEST) with INTERNAL_IP4_ADDRESS and INTERNAL_IP4_DNS, both zero-length. */
export function cpRequestAddressAndDns(): IkeCpPayload {
  return {
    kind: 'CP',
    critical: false,
    cfgType: IkeCfgType.CFG_REQUEST,
    attributes: [
      { kind: 'ip4Address', address: null },
      { kind: 'ip4Dns', address: null },
    ],
  };
}

/** CP(CFG_REPLY) with an address, an optional netmask and DNS servers. */
export function cpReply(address: Ipv4Address, dns: readonly Ipv4Address[] = [], netmask?: Ipv4Address): IkeCpPayload {
  const attributes: IkeConfigAttribute[] = [{ kind: 'ip4Address', address }];
  if (netmask !== undefined) attributes.push({ kind: 'ip4Netmask', address: netmask });
  for (const d of dns) attributes.push({ kind: 'ip4Dns', address: d });
  return { kind: 'CP', critical: false, cfgType: IkeCfgType.CFG_REPLY, attributes };
}

/** A Notify not about an SA (Protocol ID 0, no SPI) unless `protocolId`/`spi` are given (e.g. REKEY_SA). */
export function notifyPayload(notification: IkeNotification, protocolId = 0, spi: IkeSpi = ''): IkeNotifyPayload {
  return { kind: 'N', critical: false, protocolId, spi, ...notification };
}

export function skPayload(suite: CipherSuiteName, payloads: readonly IkePayload[]): IkeSkPayload {
  return { kind: 'SK', critical: false, suite, payloads };
}

export function dhcpPayload(message: DhcpMessage): IkeDhcpPayload {
  return { kind: 'DHCP', critical: false, packet: { kind: 'dhcpv4', message } };
}

/** The Key Length attribute (RFC 7296 §3.3.5) of a transform, in bits, or undefined. */
export function transformKeyLengthBits(t: IkeTransform): number | undefined {
  const a = t.attributes.find((x) => x.kind === 'tv' && x.type === IKE_KEY_LENGTH_ATTRIBUTE);
  return a?.kind === 'tv' ? a.value : undefined;
}

/**
 * A proposal for `suite`: for the IKE SA (protocol 1): ENCR, INTEG (not for AEAD), PRF, DH — strongSwan's order;
 * for a Child SA (ESP): ENCR, INTEG (not for AEAD), ESN=0, and a DH transform only when `dhGroup` is given (PFS).
 */
export function proposalForSuite(
  suite: CipherSuite,
  protocolId: number,
  spi: IkeSpi,
  dhGroup?: number,
  number = 1,
): IkeProposal {
  const transforms: IkeTransform[] = [
    {
      type: IkeTransformType.ENCR,
      id: suite.encrTransformId,
      attributes: [{ kind: 'tv', type: IKE_KEY_LENGTH_ATTRIBUTE, value: suite.keyLengthBits }],
    },
  ];
  if (suite.integTransformId !== null)
    transforms.push({ type: IkeTransformType.INTEG, id: suite.integTransformId, attributes: [] });
  if (protocolId === IkeProtocolId.IKE) {
    transforms.push({ type: IkeTransformType.PRF, id: suite.prfTransformId, attributes: [] });
    if (dhGroup !== undefined) transforms.push({ type: IkeTransformType.DH, id: dhGroup, attributes: [] });
  } else {
    if (dhGroup !== undefined) transforms.push({ type: IkeTransformType.DH, id: dhGroup, attributes: [] });
    transforms.push({ type: IkeTransformType.ESN, id: 0, attributes: [] });
  }
  return { number, protocolId, spi, transforms: fitted(transforms) };
}
