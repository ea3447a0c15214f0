/**
 * The invariants the lab holds every run to: an id, a one-line statement and the section of the RFC or draft it comes
 * from. Safety invariants are checked at every trace event (checker.ts); liveness invariants once the schedule's last
 * fault has healed and a quiet period has passed (quiet-period.ts gives the formula). Runner-level invariants (no
 * exception escapes a node, the same seed gives the same digest) are checked by the campaign (vopr/run-schedule.ts).
 */

export type InvariantKind = 'safety' | 'liveness' | 'runner';

export interface InvariantSpec {
  readonly id: InvariantId;
  readonly kind: InvariantKind;
  readonly statement: string;
  readonly source: string;
}

export const INVARIANT_IDS = [
  'address.unique',
  'address.inScope',
  'lease.notPastExpiry',
  'child.tsiIsAddress',
  'gateway.noZombieSa',
  'gateway.saPerIdentity',
  'ike.messageIdIncreases',
  'ike.onlyInitiatorRetransmits',
  'ike.cachedResponse',
  'spd.noClearDhcp',
  'machine.handled',
  'attack.refused',
  'node.noException',
  'run.deterministic',
  'live.addressed',
  'live.dataFlows',
  'live.notWaiting',
  'live.noOrphan',
] as const;

export type InvariantId = (typeof INVARIANT_IDS)[number];

export const INVARIANTS: Readonly<Record<InvariantId, InvariantSpec>> = {
  'address.unique': {
    id: 'address.unique',
    kind: 'safety',
    statement: 'no inner address is held by two clients at the same instant',
    source: 'RFC 2131 §4.3.1 (an address is leased to one client); RFC 7296 §2.19',
  },
  'address.inScope': {
    id: 'address.inScope',
    kind: 'safety',
    statement:
      "every address a server or pool hands out, and every address a client holds, is inside that scope's range",
    source: 'RFC 2131 §4.3.1; RFC 7296 §2.19',
  },
  'lease.notPastExpiry': {
    id: 'lease.notPastExpiry',
    kind: 'safety',
    statement:
      'a client never holds a DHCP-assigned address after the DHCP server stopped leasing it (expiry, release, decline)',
    source:
      'RFC 2131 §4.4.5 (at expiry the client MUST stop using the address), §4.4.1 (the lease starts at the request)',
  },
  'child.tsiIsAddress': {
    id: 'child.tsiIsAddress',
    kind: 'safety',
    statement: "a tunnel Child SA is installed only with TSi = the client's current inner address",
    source: 'draft-richardson-ipsec-dhcp-over-ike §3; draft-ietf-ipsec-dhcp-over-ike §4; RFC 7296 §2.9, §2.19',
  },
  'gateway.noZombieSa': {
    id: 'gateway.noZombieSa',
    kind: 'safety',
    statement:
      'the gateway does not keep sealing traffic into an SA its peer no longer has (a client sees ESP on an unknown SPI for longer than the detection bound)',
    source: 'RFC 7296 §2.4 (liveness, INITIAL_CONTACT), §1.4.1 (delete); RFC 4301 §4.4.2',
  },
  'gateway.saPerIdentity': {
    id: 'gateway.saPerIdentity',
    kind: 'safety',
    statement: 'the gateway never keeps more established IKE SAs per identity than its policy allows (uniqueids)',
    source: "RFC 7296 §2.4 (INITIAL_CONTACT); strongSwan's uniqueids",
  },
  'ike.messageIdIncreases': {
    id: 'ike.messageIdIncreases',
    kind: 'safety',
    statement: "each node's new requests on an IKE SA carry strictly increasing message IDs",
    source: 'RFC 7296 §2.2',
  },
  'ike.onlyInitiatorRetransmits': {
    id: 'ike.onlyInitiatorRetransmits',
    kind: 'safety',
    statement: 'a response is only ever re-sent byte-identical, in answer to a repeated request; never on a timer',
    source: 'RFC 7296 §2.1',
  },
  'ike.cachedResponse': {
    id: 'ike.cachedResponse',
    kind: 'safety',
    statement: 'a repeated request gets the byte-identical response the first one got',
    source: 'RFC 7296 §2.1',
  },
  'spd.noClearDhcp': {
    id: 'spd.noClearDhcp',
    kind: 'safety',
    statement: "a method's own DHCP never leaves the client in the clear when the method protects it",
    source: 'RFC 3456 §3, §4.1',
  },
  'machine.handled': {
    id: 'machine.handled',
    kind: 'safety',
    statement: 'no machine drops an event the protocol says it must act on (`machine.unhandled` of a listed event)',
    source: 'RFC 7296 §1.4.1 (delete), §2.21.4 (INVALID_IKE_SPI), RFC 2131 §4.4',
  },
  'attack.refused': {
    id: 'attack.refused',
    kind: 'safety',
    statement:
      "every adversarial action fails (`attack.succeeded` only where the method's documented structural weakness allows it)",
    source: 'RFC 3046 §2.1, §5; RFC 4303 §3.4.3; RFC 7296 §2.15',
  },
  'node.noException': {
    id: 'node.noException',
    kind: 'runner',
    statement: 'no exception escapes a node or the engine',
    source: 'the lab (bad input is traced, never thrown)',
  },
  'run.deterministic': {
    id: 'run.deterministic',
    kind: 'runner',
    statement: 'the same scenario and seed give the same traceSha256',
    source: 'the lab (determinism)',
  },
  'live.addressed': {
    id: 'live.addressed',
    kind: 'liveness',
    statement: 'after the faults heal and the quiet period passes, every client that wants a tunnel holds an address',
    source: 'RFC 7296 §2.19; RFC 2131 §4.4',
  },
  'live.dataFlows': {
    id: 'live.dataFlows',
    kind: 'liveness',
    statement: "after the quiet period, every addressed client's data round-trips through its tunnel",
    source: 'RFC 4301 §5',
  },
  'live.notWaiting': {
    id: 'live.notWaiting',
    kind: 'liveness',
    statement: 'after the quiet period, no machine of a client that wants a tunnel sits in a waiting state',
    source: 'RFC 7296 §2.1 (retransmission bounds); RFC 2131 §4.1',
  },
  'live.noOrphan': {
    id: 'live.noOrphan',
    kind: 'liveness',
    statement: 'after the quiet period, no pool entry or DHCP lease is kept (renewed or held) for nobody',
    source: 'RFC 2131 §4.4.6; RFC 7296 §1.4.1',
  },
};
