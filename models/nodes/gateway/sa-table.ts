/**
 * The gateway's SA table: every live IKE SA's record, and the indexes the per-packet and per-exchange paths look
 * records up by — the initiator's SPI (RFC 7296 §3.1), the authenticated identity (one IKE SA per identity, §2.4),
 * the inner address the provider gave (overlaps), the inbound ESP SPI of each Child SA (RFC 4303 §2.1: the SPI names
 * the SA) and the single inner addresses the Child SAs' TSi cover (routing inside → tunnel). A storm holds every
 * client's SA here, so nothing on a per-packet or per-client path scans the table.
 *
 * Where several records match, the answer is the oldest record first (the order of the table, `ordinal`), which is
 * the order a scan of the table gave — so an index never changes which SA a packet goes to.
 */
import type { CachedResponse } from '../../ike/retired-responses.ts';
import type { ChildSa } from '../../ike/sa.ts';
import type { IkeMessage } from '../../wire/ike/index.ts';

/**
 * A response as it went out, kept so a repeat of its request gets the same bytes (RFC 7296 §2.1): the SPIs and
 * message ID the caches match requests by, and the IKE message's bytes as the gateway node sent them (not the built
 * message: a parsed DHCP message and its payloads, ~1.4 KB per idle SA of a storm).
 */
export interface SentResponse extends CachedResponse {
  readonly response: true;
  /** The IKE message as sent (the UDP payload); the message itself when it could not be encoded (never sent). */
  readonly sent: Uint8Array | IkeMessage;
  /** The packet's one-line summary, when the trace asked for it at the first send (it asks for every send or none). */
  readonly summary: string | undefined;
}

/** The responder actor as the table needs it (the gateway machine's ResponderRef). */
export interface SaActorRef {
  readonly id: string;
}

export interface SaRecord<A extends SaActorRef = SaActorRef> {
  /** Stable id: the SPIi of the first IKE SA (rekeys keep it). */
  readonly id: string;
  /** Creation order in this table (ties between matching records go to the oldest). */
  readonly ordinal: number;
  readonly actor: A;
  readonly peerAddress: string;
  /** The responder's phase as last traced (`ike:<SPI>` state events). */
  phase: string;
  /** The authenticated identity ('' before IKE_AUTH); set through `SaTable.setPeer`. */
  readonly peerId: string;
  /** Newest first; each is a routing entry (TSi) until deleted. Set through `SaTable.setChildren`. */
  readonly children: readonly ChildSa[];
  /** The inner address the provider gave this IKE SA (for `address.overlap`); set through `SaTable.setAddress`. */
  readonly address?: string;
  /** The initiator SPI the table knows this record by now (a rekey moves it, RFC 7296 §2.18). */
  readonly spiI: string;
  /** The responder's last response on its current IKE SA, kept past the SA's end (`retired`, RFC 7296 §2.1). */
  lastResponse?: SentResponse;
}

type Mutable<R> = { -readonly [K in keyof R]: R[K] };

/**
 * An index entry: the one record under its key — the usual case: one identity, address or SPI per IKE SA — or several,
 * in table order (sorted by `ordinal`; lists are short). A one-element array per SA and index was ~56 bytes each, four
 * indexes per idle SA of a storm.
 */
type Entry<R> = R | R[];

const NONE: readonly never[] = [];

function insertSorted<R extends { readonly ordinal: number }>(
  index: Map<string | number, Entry<R>>,
  key: string | number,
  rec: R,
): void {
  const entry = index.get(key);
  if (entry === undefined) {
    index.set(key, rec);
    return;
  }
  if (!Array.isArray(entry)) {
    if (entry !== rec) index.set(key, entry.ordinal < rec.ordinal ? [entry, rec] : [rec, entry]);
    return;
  }
  const list = entry;
  if (list.includes(rec)) return;
  let i = list.length;
  while (i > 0 && (list[i - 1] as R).ordinal > rec.ordinal) i -= 1;
  list.splice(i, 0, rec);
}

function removeFrom<R>(index: Map<string | number, Entry<R>>, key: string | number, rec: R): void {
  const entry = index.get(key);
  if (entry === undefined) return;
  if (!Array.isArray(entry)) {
    if (entry === rec) index.delete(key);
    return;
  }
  const i = entry.indexOf(rec);
  if (i < 0) return;
  entry.splice(i, 1);
  if (entry.length === 1) index.set(key, entry[0] as R);
}

/** The records of an entry, oldest first. */
function recordsOf<R>(entry: Entry<R> | undefined): readonly R[] {
  if (entry === undefined) return NONE;
  return Array.isArray(entry) ? entry : [entry];
}

/** A TSi that names one address (the methods' usual inner address) is indexed by it; any wider one is kept aside. */
function singleAddresses(children: readonly ChildSa[]): { readonly addresses: string[]; readonly wide: boolean } {
  const addresses: string[] = [];
  let wide = false;
  for (const c of children)
    for (const ts of c.tsi) {
      if (ts.kind === 'ipv4Range' && ts.startAddress === ts.endAddress) addresses.push(ts.startAddress);
      else wide = true;
    }
  return { addresses, wide };
}

export class SaTable<A extends SaActorRef = SaActorRef> {
  /** Every live record by `id`, oldest first. */
  readonly records = new Map<string, SaRecord<A>>();
  private readonly bySpiI = new Map<string, SaRecord<A>>();
  private readonly byPeer = new Map<string, Entry<SaRecord<A>>>();
  private readonly byAddress = new Map<string, Entry<SaRecord<A>>>();
  private readonly byEspSpi = new Map<number, Entry<SaRecord<A>>>();
  private readonly byInner = new Map<string, Entry<SaRecord<A>>>();
  /** Records with a Child SA whose TSi is wider than one address (e.g. RFC 3456's DHCP SA, 0.0.0.0/0). */
  private readonly wide = new Set<SaRecord<A>>();
  private nextOrdinal = 0;

  get size(): number {
    return this.records.size;
  }

  add(id: string, actor: A, peerAddress: string): SaRecord<A> {
    const rec: SaRecord<A> = {
      id,
      ordinal: this.nextOrdinal++,
      actor,
      peerAddress,
      phase: 'none',
      peerId: '',
      children: NONE,
      spiI: id,
      // Written later, present from the start: every record has one shape, and these live in the object itself
      // (added afterwards they went to a separate property array, ~40 B more per idle SA of a storm).
      address: undefined,
      lastResponse: undefined,
    };
    this.records.set(id, rec);
    this.bySpiI.set(id, rec);
    return rec;
  }

  /** The record an IKE message's SPIi names (its current IKE SA). */
  bySpi(spiI: string): SaRecord<A> | undefined {
    return this.bySpiI.get(spiI);
  }

  /** The IKE SA was rekeyed: it is known by the new SPIi only (RFC 7296 §2.18). */
  moveSpi(rec: SaRecord<A>, oldSpiI: string, newSpiI: string): void {
    this.bySpiI.set(newSpiI, rec);
    this.bySpiI.delete(oldSpiI);
    (rec as Mutable<SaRecord<A>>).spiI = newSpiI;
  }

  setPeer(rec: SaRecord<A>, peerId: string): void {
    if (rec.peerId === peerId) return;
    if (rec.peerId !== '') removeFrom(this.byPeer, rec.peerId, rec);
    (rec as Mutable<SaRecord<A>>).peerId = peerId;
    if (peerId !== '') insertSorted(this.byPeer, peerId, rec);
  }

  /** Live records authenticated as `peerId`, oldest first. */
  ofPeer(peerId: string): readonly SaRecord<A>[] {
    return recordsOf(this.byPeer.get(peerId));
  }

  setAddress(rec: SaRecord<A>, address: string): void {
    if (rec.address !== undefined) removeFrom(this.byAddress, rec.address, rec);
    (rec as Mutable<SaRecord<A>>).address = address;
    insertSorted(this.byAddress, address, rec);
  }

  /** The record no longer holds an address (its lease and the Child SA narrowed to it are gone). */
  clearAddress(rec: SaRecord<A>): void {
    if (rec.address === undefined) return;
    removeFrom(this.byAddress, rec.address, rec);
    (rec as Mutable<SaRecord<A>>).address = undefined;
  }

  /** Live records given `address`, oldest first. */
  holding(address: string): readonly SaRecord<A>[] {
    return recordsOf(this.byAddress.get(address));
  }

  setChildren(rec: SaRecord<A>, children: readonly ChildSa[]): void {
    this.unindexChildren(rec);
    (rec as Mutable<SaRecord<A>>).children = children;
    for (const c of children) insertSorted(this.byEspSpi, c.spiIn, rec);
    const { addresses, wide } = singleAddresses(children);
    for (const a of addresses) insertSorted(this.byInner, a, rec);
    if (wide) this.wide.add(rec);
  }

  /** The oldest record with a Child SA of inbound SPI `spi`, and that Child SA. */
  espChild(spi: number): { readonly rec: SaRecord<A>; readonly child: ChildSa } | undefined {
    const entry = this.byEspSpi.get(spi);
    if (entry === undefined) return undefined;
    if (!Array.isArray(entry)) {
      const child = entry.children.find((c) => c.spiIn === spi);
      return child === undefined ? undefined : { rec: entry, child };
    }
    for (const rec of entry) {
      const child = rec.children.find((c) => c.spiIn === spi);
      if (child !== undefined) return { rec, child };
    }
    return undefined;
  }

  /**
   * The records that may route a packet to `dst` inside a tunnel: first those with a TSi of exactly `dst`, then those
   * with a wider TSi, each group oldest first (the caller checks the full selectors). Most specific first, as the
   * client's SPD (RFC 4301 §4.4.1 decorrelated entries): a peer's wildcard DHCP SA (RFC 3456 §4.1, 0.0.0.0/0 UDP 68)
   * must not catch a unicast DHCP reply for an address another peer's tunnel SA was narrowed to (issue 14 item 2).
   */
  routesTo(dst: string): readonly SaRecord<A>[] {
    const exact = recordsOf(this.byInner.get(dst));
    if (this.wide.size === 0) return exact;
    const first = new Set(exact);
    const rest = [...this.wide].filter((r) => !first.has(r)).sort((x, y) => x.ordinal - y.ordinal);
    return [...first, ...rest];
  }

  remove(rec: SaRecord<A>): void {
    if (this.records.get(rec.id) !== rec) return;
    this.records.delete(rec.id);
    if (this.bySpiI.get(rec.spiI) === rec) this.bySpiI.delete(rec.spiI);
    if (this.bySpiI.get(rec.id) === rec) this.bySpiI.delete(rec.id);
    if (rec.peerId !== '') removeFrom(this.byPeer, rec.peerId, rec);
    if (rec.address !== undefined) removeFrom(this.byAddress, rec.address, rec);
    this.unindexChildren(rec);
  }

  clear(): void {
    this.records.clear();
    this.bySpiI.clear();
    this.byPeer.clear();
    this.byAddress.clear();
    this.byEspSpi.clear();
    this.byInner.clear();
    this.wide.clear();
  }

  private unindexChildren(rec: SaRecord<A>): void {
    for (const c of rec.children) removeFrom(this.byEspSpi, c.spiIn, rec);
    for (const a of singleAddresses(rec.children).addresses) removeFrom(this.byInner, a, rec);
    this.wide.delete(rec);
  }
}
