/**
 * Proposal building and selection (RFC 7296 §2.7, §3.3.6): the responder picks the first suite of ITS preference that
 * the initiator offered; nothing in common ⇒ NO_PROPOSAL_CHOSEN.
 */
import { CIPHER_SUITES, cipherSuiteByTransforms, type CipherSuiteName } from '../wire/crypto-suite.ts';
import {
  IkeProtocolId,
  IkeTransformType,
  proposalForSuite,
  transformKeyLengthBits,
  type IkeProposal,
  type IkeSaPayload,
  type IkeSpi,
} from '../wire/ike/index.ts';

export function saPayload(proposals: readonly IkeProposal[]): IkeSaPayload {
  return { kind: 'SA', critical: false, proposals };
}

/** One proposal per suite; for the IKE SA every proposal lists all `dhGroups` (RFC 7296 §3.3.3). */
export function offerProposals(
  suites: readonly CipherSuiteName[],
  protocolId: number,
  spi: IkeSpi,
  dhGroups: readonly number[] = [],
): IkeProposal[] {
  return suites.map((name, i) => {
    const base = proposalForSuite(CIPHER_SUITES[name], protocolId, spi, dhGroups[0], i + 1);
    const extra = dhGroups.slice(1).map((id) => ({ type: IkeTransformType.DH, id, attributes: [] }));
    return { ...base, transforms: [...base.transforms, ...extra] };
  });
}

export interface Chosen {
  readonly suite: CipherSuiteName;
  /** For the IKE SA: the DH group both support (responder's preference); undefined for ESP without PFS. */
  readonly dhGroup: number | undefined;
  readonly proposal: IkeProposal;
}

function suiteOf(p: IkeProposal): CipherSuiteName | undefined {
  const encr = p.transforms.find((t) => t.type === IkeTransformType.ENCR);
  if (encr === undefined) return undefined;
  const integ = p.transforms.find((t) => t.type === IkeTransformType.INTEG);
  return cipherSuiteByTransforms(encr.id, transformKeyLengthBits(encr) ?? 0, integ?.id ?? null)?.name;
}

/** Responder side: our first acceptable suite (and group) among the offered proposals, or undefined. */
export function chooseProposal(
  offered: readonly IkeProposal[],
  suites: readonly CipherSuiteName[],
  dhGroups: readonly number[],
  protocolId: number,
): Chosen | undefined {
  for (const suite of suites) {
    for (const p of offered) {
      if (p.protocolId !== protocolId || suiteOf(p) !== suite) continue;
      const groups = p.transforms.filter((t) => t.type === IkeTransformType.DH).map((t) => t.id);
      if (protocolId === IkeProtocolId.IKE) {
        const group = dhGroups.find((g) => groups.includes(g));
        if (group === undefined) continue;
        return { suite, dhGroup: group, proposal: p };
      }
      return { suite, dhGroup: undefined, proposal: p };
    }
  }
  return undefined;
}

/** The single proposal a responder returns (RFC 7296 §2.7: one proposal, the chosen transforms, its own SPI). */
export function acceptedProposal(chosen: Chosen, protocolId: number, spi: IkeSpi): IkeProposal {
  return proposalForSuite(CIPHER_SUITES[chosen.suite], protocolId, spi, chosen.dhGroup, chosen.proposal.number);
}

/** Initiator side: the suite of the (single) accepted proposal, if it is one we offered. */
export function readAccepted(
  sa: IkeSaPayload | undefined,
  suites: readonly CipherSuiteName[],
): { suite: CipherSuiteName; spi: IkeSpi; dhGroup: number | undefined } | undefined {
  const p = sa?.proposals[0];
  if (p === undefined) return undefined;
  const suite = suiteOf(p);
  if (suite === undefined || !suites.includes(suite)) return undefined;
  return { suite, spi: p.spi, dhGroup: p.transforms.find((t) => t.type === IkeTransformType.DH)?.id };
}
