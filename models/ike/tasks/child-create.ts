/**
 * Creating a Child SA (RFC 7296 §1.3.1, §2.9): SAi2, TSi, TSr in IKE_AUTH or CREATE_CHILD_SA; the responder picks a
 * suite (none ⇒ NO_PROPOSAL_CHOSEN), narrows TSr to its protected subnets (empty ⇒ TS_UNACCEPTABLE) and TSi to the
 * address it assigned (§2.19: "TSi narrowed to the address").
 */
import type { CipherSuiteName } from '../../wire/crypto-suite.ts';
import { ipv4ToU32, u32ToIpv4 } from '../../wire/ipv4-address.ts';
import {
  IkeProtocolId,
  findPayload,
  notifyPayload,
  tsForAddress,
  tsFullRange,
  tsPayload,
  type IkeMessage,
  type IkePayload,
  type IkeTrafficSelector,
} from '../../wire/ike/index.ts';
import type { IkePeerConfig } from '../config.ts';
import { acceptedProposal, chooseProposal, offerProposals, readAccepted, saPayload } from '../proposals.ts';
import type { RandomStream } from '../../contract.ts';
import { espSpiFromHex, espSpiHex, randomNonce } from '../sa.ts';
import { fitted } from '../../wire/fitted.ts';
import { sharedSelectors } from '../shared-selectors.ts';

export interface ChildParams {
  readonly spiIn: number;
  readonly tsi: readonly IkeTrafficSelector[];
  readonly tsr: readonly IkeTrafficSelector[];
}

export interface ChildNegotiated {
  readonly suite: CipherSuiteName;
  readonly spiOut: number;
  readonly tsi: readonly IkeTrafficSelector[];
  readonly tsr: readonly IkeTrafficSelector[];
}

export type ChildResult = ({ readonly ok: true } & ChildNegotiated) | { readonly ok: false; readonly notify: string };

/** The initiator's default: any address for itself (to be narrowed) and everything behind the gateway. */
export function defaultChildSelectors(): { tsi: IkeTrafficSelector[]; tsr: IkeTrafficSelector[] } {
  return { tsi: [tsFullRange()], tsr: [tsFullRange()] };
}

export function buildI(cfg: IkePeerConfig, child: ChildParams): IkePayload[] {
  return [
    saPayload(offerProposals(cfg.suites, IkeProtocolId.ESP, espSpiHex(child.spiIn))),
    tsPayload('TSi', child.tsi),
    tsPayload('TSr', child.tsr),
  ];
}

/**
 * CREATE_CHILD_SA for a new Child SA (RFC 7296 §1.3.1): SK{SA, Ni, TSi, TSr} (no KEi: no PFS in the lab), then the
 * method's payloads (draft-richardson §2 step 5: DHCP(REQUEST) after TSr).
 */
export function buildCreateI(
  cfg: IkePeerConfig,
  rng: RandomStream,
  child: ChildParams,
  methodPayloads: readonly IkePayload[] = [],
): IkePayload[] {
  const [sa, tsi, tsr] = buildI(cfg, child);
  return [
    sa as IkePayload,
    { kind: 'Nonce', critical: false, data: randomNonce(rng) },
    tsi as IkePayload,
    tsr as IkePayload,
    ...methodPayloads,
  ];
}

function intersect(a: IkeTrafficSelector, b: IkeTrafficSelector): IkeTrafficSelector | undefined {
  if (a.kind !== 'ipv4Range' || b.kind !== 'ipv4Range') return undefined;
  const lo = Math.max(ipv4ToU32(a.startAddress), ipv4ToU32(b.startAddress));
  const hi = Math.min(ipv4ToU32(a.endAddress), ipv4ToU32(b.endAddress));
  const portLo = Math.max(a.startPort, b.startPort);
  const portHi = Math.min(a.endPort, b.endPort);
  if (lo > hi || portLo > portHi) return undefined;
  if (a.ipProtocol !== 0 && b.ipProtocol !== 0 && a.ipProtocol !== b.ipProtocol) return undefined;
  return {
    kind: 'ipv4Range',
    ipProtocol: a.ipProtocol || b.ipProtocol,
    startPort: portLo,
    endPort: portHi,
    startAddress: u32ToIpv4(lo),
    endAddress: u32ToIpv4(hi),
  };
}

export function narrow(
  offered: readonly IkeTrafficSelector[],
  allowed: readonly IkeTrafficSelector[],
): IkeTrafficSelector[] {
  const out: IkeTrafficSelector[] = [];
  for (const o of offered)
    for (const a of allowed) {
      const x = intersect(o, a);
      if (x !== undefined) out.push(x);
    }
  return fitted(out);
}

export function selectorsContain(selectors: readonly IkeTrafficSelector[], address: string): boolean {
  const v = ipv4ToU32(address);
  return selectors.some(
    (s) => s.kind === 'ipv4Range' && ipv4ToU32(s.startAddress) <= v && v <= ipv4ToU32(s.endAddress),
  );
}

/**
 * Responder: `assigned` is the inner address the TSi is narrowed to (mode-cfg), or undefined to keep TSi; `tsrOverride`
 * replaces TSr ∩ protected subnets when the method decides TSr itself (RFC 3456 §4.1).
 */
export function processR(
  cfg: IkePeerConfig,
  protectedSubnets: readonly IkeTrafficSelector[],
  req: IkeMessage,
  assigned: string | undefined,
  tsrOverride?: readonly IkeTrafficSelector[],
): ChildResult {
  const sa = findPayload(req, 'SA');
  const tsi = findPayload(req, 'TSi');
  const tsr = findPayload(req, 'TSr');
  if (sa === undefined || tsi === undefined || tsr === undefined) return { ok: false, notify: 'INVALID_SYNTAX' };
  const chosen = chooseProposal(sa.proposals, cfg.suites, [], IkeProtocolId.ESP);
  if (chosen === undefined) return { ok: false, notify: 'NO_PROPOSAL_CHOSEN' };
  const narrowedTsr = tsrOverride === undefined ? narrow(tsr.selectors, protectedSubnets) : [...tsrOverride];
  const narrowedTsi = assigned === undefined ? [...tsi.selectors] : narrow(tsi.selectors, [tsForAddress(assigned)]);
  if (narrowedTsr.length === 0 || narrowedTsi.length === 0) return { ok: false, notify: 'TS_UNACCEPTABLE' };
  return {
    ok: true,
    suite: chosen.suite,
    spiOut: espSpiFromHex(chosen.proposal.spi),
    tsi: narrowedTsi,
    // The same protected side for every peer: one list for all their Child SAs (shared-selectors.ts).
    tsr: sharedSelectors(narrowedTsr),
  };
}

export function buildR(result: ChildNegotiated, spiIn: number): IkePayload[] {
  const proposal = acceptedProposal(
    {
      suite: result.suite,
      dhGroup: undefined,
      proposal: { number: 1, protocolId: IkeProtocolId.ESP, spi: '', transforms: [] },
    },
    IkeProtocolId.ESP,
    espSpiHex(spiIn),
  );
  return [saPayload([proposal]), tsPayload('TSi', result.tsi), tsPayload('TSr', result.tsr)];
}

export function errorPayload(notify: string): IkePayload {
  return notifyPayload({ notify: notify as 'TS_UNACCEPTABLE' });
}

export function processI(cfg: IkePeerConfig, resp: IkeMessage, errors: readonly string[]): ChildResult {
  const first = errors[0];
  if (first !== undefined) return { ok: false, notify: first };
  const accepted = readAccepted(findPayload(resp, 'SA'), cfg.suites);
  const tsi = findPayload(resp, 'TSi');
  const tsr = findPayload(resp, 'TSr');
  if (accepted === undefined || tsi === undefined || tsr === undefined)
    return { ok: false, notify: 'NO_PROPOSAL_CHOSEN' };
  return {
    ok: true,
    suite: accepted.suite,
    spiOut: espSpiFromHex(accepted.spi),
    tsi: tsi.selectors,
    tsr: sharedSelectors(tsr.selectors),
  };
}
