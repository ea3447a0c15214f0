/**
 * Anti-theft (the issue's security rule; both drafts are silent): the hardware address (htype, chaddr[:hlen]) and the
 * client identifier (option 61) a DHCP payload names are bound to the authenticated IKE identity that uses them.
 *
 * - An IKE SA keeps the client it first named: a later payload on that SA naming another client is refused (theft).
 * - `first-come` (the old rule): a client pinned to an SA of another IKE identity is refused — so whoever copies a
 *   victim's chaddr (derivable from public data: draft-ietf §4's x'4000' ‖ outer address) before the victim connects
 *   locks the victim out.
 * - `identity` (default): a client already pinned to another identity is not refused but *scoped*: the relay gives
 *   the server an option 61 derived from the authenticated identity (RFC 2131 §4.2: the server keys on option 61 when
 *   present; strongSwan's dhcp plugin `identity_lease` sends the IKE identity the same way), so the two identities are
 *   two clients to the server: neither gets the other's lease, nobody is locked out.
 * The same IKE identity may take its pins over from an older SA (a reconnect before the gateway noticed the old one
 * died).
 */
import type { DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { findOption, toHex, toHexPrefix, withoutOption } from '../../dhcp/options.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import { fileId, idsOf, unfileId, type IdIndex } from './id-index.ts';

export type PinningMode = 'identity' | 'first-come';

export interface ClientKeys {
  /** `htype:hex(chaddr[:hlen])`. */
  readonly hardware: string;
  /** `type:hex(data)` of option 61, or undefined. */
  readonly clientId: string | undefined;
}

export function clientKeys(m: DhcpMessage): ClientKeys {
  const id = findOption(m, 'clientId');
  return keysOf(m.htype, m.hlen, m.chaddr, id);
}

/** The same keys from the identity fields a session keeps of its last request (no whole message kept for them). */
export function identityKeys(identity: DhcpClientIdentity): ClientKeys {
  return keysOf(identity.htype, identity.hlen, identity.chaddr, identity.clientId);
}

function keysOf(
  htype: number,
  hlen: number,
  chaddr: Uint8Array,
  id: { readonly type: number; readonly data: Uint8Array } | undefined,
): ClientKeys {
  return {
    hardware: `${htype}:${toHexPrefix(chaddr, Math.min(16, hlen))}`,
    clientId: id === undefined ? undefined : `${id.type}:${toHex(id.data)}`,
  };
}

/**
 * What an SA pinned: its client's keys, whether they are scoped, and the SA and identity that own them. One record per
 * SA, held by `bySa` and (unscoped) as the owner of each of its names: a wrapper `{ keys, scoped }` plus an owner
 * `{ ikeSaId, peerId }` per name were ~80 B more of every pinned client of a storm.
 */
interface Pin extends ClientKeys {
  readonly ikeSaId: string;
  readonly peerId: string;
  readonly scoped: boolean;
}

const pinOf = (ikeSaId: string, peerId: string, keys: ClientKeys, scoped: boolean): Pin => ({
  hardware: keys.hardware,
  clientId: keys.clientId,
  ikeSaId,
  peerId,
  scoped,
});

export type PinVerdict =
  { readonly ok: true; readonly scoped: boolean } | { readonly ok: false; readonly chaddr: string };

/** RFC 2132 §9.14 type 0 (not a hardware type) + `identity|client`: the option 61 of a scoped client. */
export function scopedClientId(peerId: string, keys: ClientKeys): { readonly type: number; readonly data: Uint8Array } {
  return { type: 0, data: new TextEncoder().encode(`${peerId}|${keys.clientId ?? keys.hardware}`) };
}

/** The message with its option 61 replaced by the scoped one (inserted first: RFC 2131 leaves option order free). */
export function scopeMessage(m: DhcpMessage, peerId: string, keys: ClientKeys): DhcpMessage {
  const id = scopedClientId(peerId, keys);
  return { ...m, options: [{ kind: 'clientId', ...id }, ...withoutOption(m.options, 'clientId')] };
}

/**
 * One kind of name a client is pinned by (its hardware address, or its option 61): who owns each name, and the names
 * each SA owns (so dropping an SA never scans every owner). A kind per pair of maps, keyed by the key strings the
 * client's `ClientKeys` already hold: one map of `hw:…`/`id:…` names built a ~20-character string per name (~40 B
 * of heap per pinned client of a storm).
 */
class NameKind {
  readonly owners = new Map<string, Pin>();
  readonly namesOf: IdIndex = new Map();

  clear(): void {
    this.owners.clear();
    this.namesOf.clear();
  }

  /** Forgets the names `ikeSaId` still owns. */
  drop(ikeSaId: string): void {
    for (const n of idsOf(this.namesOf, ikeSaId)) if (this.owners.get(n)?.ikeSaId === ikeSaId) this.owners.delete(n);
    this.namesOf.delete(ikeSaId);
  }
}

/** A name to claim: its kind's maps and the key. */
type Name = readonly [NameKind, string];

export class ClientPins {
  private readonly bySa = new Map<string, Pin>();
  private readonly hardware = new NameKind();
  private readonly clientIds = new NameKind();

  constructor(readonly mode: PinningMode = 'identity') {}

  /** Checks `keys` for the SA and pins them on success. */
  claim(ikeSaId: string, peerId: string, keys: ClientKeys): PinVerdict {
    const mine = this.bySa.get(ikeSaId);
    if (mine !== undefined) {
      const same = mine.hardware === keys.hardware && mine.clientId === keys.clientId;
      return same ? { ok: true, scoped: mine.scoped } : { ok: false, chaddr: keys.hardware };
    }
    const names: Name[] = [[this.hardware, keys.hardware]];
    if (keys.clientId !== undefined) names.push([this.clientIds, keys.clientId]);
    for (const [kind, n] of names) {
      const o = kind.owners.get(n);
      if (o === undefined || o.ikeSaId === ikeSaId || o.peerId === peerId) continue;
      if (this.mode === 'first-come') return { ok: false, chaddr: keys.hardware };
      // Another identity holds these names: this SA's client is scoped to its own identity, the owner keeps them.
      this.bySa.set(ikeSaId, pinOf(ikeSaId, peerId, keys, true));
      return { ok: true, scoped: true };
    }
    const pin = pinOf(ikeSaId, peerId, keys, false);
    for (const [kind, n] of names) {
      const o = kind.owners.get(n);
      if (o !== undefined && o.ikeSaId !== ikeSaId) {
        this.bySa.delete(o.ikeSaId);
        unfileId(kind.namesOf, o.ikeSaId, n);
      }
      kind.owners.set(n, pin);
      fileId(kind.namesOf, ikeSaId, n);
    }
    this.bySa.set(ikeSaId, pin);
    return { ok: true, scoped: false };
  }

  keysOf(ikeSaId: string): ClientKeys | undefined {
    const pin = this.bySa.get(ikeSaId);
    return pin === undefined ? undefined : { hardware: pin.hardware, clientId: pin.clientId };
  }

  drop(ikeSaId: string): void {
    this.bySa.delete(ikeSaId);
    this.hardware.drop(ikeSaId);
    this.clientIds.drop(ikeSaId);
  }

  clear(): void {
    this.bySa.clear();
    this.hardware.clear();
    this.clientIds.clear();
  }
}
