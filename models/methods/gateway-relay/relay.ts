/**
 * The gateway as a DHCP relay for DHCP payloads that arrive in IKE messages (seed §3: "the IKEv2 gateway must
 * encapsulate the DHCP payloads into a UDP packet and relay them to a DHCP server … SHOULD also append DHCP relay
 * options"). The router: checks what no session needs to see (unauthenticated peer, not a BOOTREQUEST, BOOTP), pins
 * the client a payload names to the asking IKE identity (pinning.ts), and hands the request to the IKE SA's relay
 * session (session-machine.ts: one actor per IKE SA, traced as `relay:<IKE SA>`). Server replies come back to
 * giaddr:67, are mapped to the session by the circuit-id (RFC 3046 §3.1), or by xid with option 82 off, verified and
 * stripped (RFC 3046 §2.2) and handed to it. Lookups are indexed (by IKE SA, xid, leased address, peer).
 */
import { type Actor } from 'xstate';
import type { Canary } from '../../attacks/canary.ts';
import { dhcpCanary } from '../../attacks/canary.ts';
import { messageTypeOf } from '../../dhcp/options.ts';
import { readRelayAgentInfo, relayReply } from '../../dhcp/relay.ts';
import { DHCP_SERVER_PORT } from '../../dhcp/server.ts';
import type { RandomStream } from '../../contract.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import { fireLeaseGuard } from '../lease-guard.ts';
import type { ProviderHost, UdpDatagram, UdpSource } from '../method.ts';
import { ClientPins, clientKeys, identityKeys, scopeMessage, type ClientKeys } from './pinning.ts';
import { expectedSubOptions, type RelayConfig, type RelayMode, type RelayOutcome } from './relay-agent.ts';
import { ikeSaOfRelayInfo } from '../circuit-id.ts';
import {
  identityOfRequest,
  relayedFor,
  relaySessionMachine,
  type RelayDirectory,
  type RelayLease,
  type RelaySessionEmitted,
  type RelayShared,
} from './session-machine.ts';
import { fileId, idsOf, unfileId, type IdIndex } from './id-index.ts';
import { labActor } from '../../../sim/statechart/runtime-choice.ts';

export type { RelayConfig, RelayMode, RelayOutcome } from './relay-agent.ts';
export { dhcpTypeName } from './relay-agent.ts';

/** Who asked: the IKE SA (responder key) and its authenticated identity ('' = not authenticated yet). */
export interface RelaySa {
  readonly ikeSaId: string;
  readonly peerId: string;
}

type Session = Actor<typeof relaySessionMachine>;

interface Entry {
  readonly actor: Session;
  peerId: string;
}

const SA_MAX = 65_536;

export class GatewayRelay implements RelayDirectory {
  private readonly sessions = new Map<string, Entry>();
  /** RELEASEs waiting for the end of the current exchange: sessions no longer indexed, still to finish. */
  private readonly releasing = new Map<string, Session>();
  /** Open transactions by xid and back, kept only when replies are mapped by xid (option 82 off). */
  private readonly byXid = new Map<number, string>();
  private readonly xidOf = new Map<string, number>();
  private readonly byXidNeeded: boolean;
  private readonly byAddress: IdIndex = new Map();
  private readonly byPeer: IdIndex = new Map();
  private readonly pins: ClientPins;
  private readonly rng: RandomStream;
  /** What every session's context points to (session-machine.ts `RelayShared`). */
  private readonly shared: RelayShared;

  constructor(
    private readonly host: ProviderHost,
    readonly config: RelayConfig,
  ) {
    this.rng = host.rng('relay');
    this.pins = new ClientPins(config.policy.pinning);
    this.shared = { host, config, rng: this.rng, directory: this };
    this.byXidNeeded = config.policy.option82 === 'off';
  }

  /** Transactions indexed by xid (tests: none unless option 82 is off). */
  get xidsIndexed(): number {
    return this.byXid.size + this.xidOf.size;
  }

  /** UDP port the gateway listens on for server replies (RFC 2131 §4.1: to giaddr, port 67). */
  static readonly udpPorts: readonly number[] = [DHCP_SERVER_PORT];

  /** What a session asks after its step: answer the waiting IKE request, or delete its SA (the lease guard). */
  private readonly onSessionEmitted = (e: RelaySessionEmitted): void => {
    if (e.type === 'relay.answer') e.answer(e.outcome);
    else fireLeaseGuard(this.host, 'relay', e.ikeSaId, e.guard);
  };

  private session(ref: RelaySa): Session {
    const known = this.sessions.get(ref.ikeSaId);
    if (known !== undefined) {
      if (known.peerId !== ref.peerId) {
        this.unindexPeer(ref.ikeSaId, known.peerId);
        known.peerId = ref.peerId;
        this.index(this.byPeer, ref.peerId, ref.ikeSaId);
      }
      return known.actor;
    }
    const actor = labActor(relaySessionMachine, {
      id: `relay:${ref.ikeSaId}`,
      clock: this.host.clock,
      input: { ikeSaId: ref.ikeSaId, peerId: ref.peerId, shared: this.shared },
    });
    // One listener function for every session and both emitted requests (a closure per session over the router and
    // the SA was ~140 B of each idle session).
    actor.on('*', this.onSessionEmitted);
    this.host.traceMachine(actor, `relay:${ref.ikeSaId}`);
    actor.start();
    if (this.sessions.size < SA_MAX) {
      this.sessions.set(ref.ikeSaId, { actor, peerId: ref.peerId });
      this.index(this.byPeer, ref.peerId, ref.ikeSaId);
    }
    return actor;
  }

  private index(map: IdIndex, key: string, ikeSaId: string): void {
    fileId(map, key, ikeSaId);
  }

  private unindex(map: IdIndex, key: string, ikeSaId: string): void {
    unfileId(map, key, ikeSaId);
  }

  private unindexPeer(ikeSaId: string, peerId: string): void {
    this.unindex(this.byPeer, peerId, ikeSaId);
  }

  // RelayDirectory (what a session asks about the others)

  holderOf(address: string, exceptIkeSaId: string): string | undefined {
    for (const id of idsOf(this.byAddress, address)) if (id !== exceptIkeSaId && this.sessions.has(id)) return id;
    return undefined;
  }

  askingFor(peerId: string, keys: ClientKeys, exceptIkeSaId: string): string | undefined {
    for (const id of idsOf(this.byPeer, peerId)) {
      if (id === exceptIkeSaId) continue;
      const asked = this.sessions.get(id)?.actor.getSnapshot().context.lastRequest;
      if (asked === null || asked === undefined) continue;
      const k = identityKeys(identityOfRequest(asked));
      if (k.hardware === keys.hardware && k.clientId === keys.clientId) return id;
    }
    return undefined;
  }

  txnOpened(xid: number, ikeSaId: string): void {
    // Replies are mapped by xid only with option 82 off (entryOfReply); else by circuit-id, and the two maps would be
    // ~90 B of every idle client for nothing.
    if (!this.byXidNeeded || !this.sessions.has(ikeSaId)) return;
    const before = this.xidOf.get(ikeSaId);
    if (before !== undefined && this.byXid.get(before) === ikeSaId) this.byXid.delete(before);
    this.xidOf.set(ikeSaId, xid);
    this.byXid.set(xid, ikeSaId);
  }

  leaseChanged(ikeSaId: string, from: string | undefined, to: string | undefined): void {
    if (from !== undefined) this.unindex(this.byAddress, from, ikeSaId);
    if (to !== undefined && this.sessions.has(ikeSaId)) this.index(this.byAddress, to, ikeSaId);
  }

  private dropped(reason: string, extra: Record<string, string | number> = {}): void {
    this.host.traceNote('relay.dropped', { reason, ...extra });
  }

  private refused(ref: RelaySa, m: DhcpMessage, canary: Canary | undefined, reason: string): RelayOutcome {
    this.dropped(reason, { ikeSa: ref.ikeSaId, xid: m.xid });
    if (canary !== undefined)
      this.host.traceNote('attack.refused', { kind: canary.kind, attacker: canary.attacker, reason });
    return { kind: 'refused', reason };
  }

  /**
   * Relays one DHCP message from the IKE SA's peer. `done` is called exactly once (now when refused or answered from
   * a kept late reply, else later). A transaction still open on the SA is abandoned (its IKE request was answered).
   */
  relay(ref: RelaySa, asked: DhcpMessage, mode: RelayMode, done: (o: RelayOutcome) => void): void {
    const canary = dhcpCanary(asked);
    // Payloads before the peer is authenticated are refused (the responder asks only after AUTH; this guards it).
    if (ref.peerId === '') return done(this.refused(ref, asked, canary, 'unauthenticated'));
    if (asked.op !== 1) return done(this.refused(ref, asked, canary, 'not-a-request'));
    const type = messageTypeOf(asked);
    if (type === null) return done(this.refused(ref, asked, canary, 'bootp-unsupported'));
    const session = this.session(ref);
    const keys = clientKeys(asked);
    const pin = this.pins.claim(ref.ikeSaId, ref.peerId, keys);
    if (!pin.ok) {
      this.host.traceNote('dhcp.theft', { ikeSa: ref.ikeSaId, chaddr: pin.chaddr });
      return done(this.refused(ref, asked, canary, 'theft'));
    }
    let message = asked;
    if (pin.scoped) {
      // pinning.ts: another identity holds this client's names; the server sees a client of this identity's own.
      this.host.traceNote('dhcp.scoped', { ikeSa: ref.ikeSaId, chaddr: keys.hardware });
      if (canary !== undefined)
        this.host.traceNote('attack.refused', {
          kind: canary.kind,
          attacker: canary.attacker,
          reason: 'identity-scoped',
        });
      message = scopeMessage(message, ref.peerId, keys);
    }
    session.send({
      type: 'relay.request',
      message,
      messageType: type,
      mode,
      canary,
      scoped: pin.scoped,
      relayed: relayedFor(this.config, this.host.insideAddress, ref.ikeSaId, ref.peerId, message),
      answer: done,
    });
  }

  /** The IKE responder gave up waiting for this SA's transaction: stop its retries toward the server. */
  abandonSa(ikeSaId: string): void {
    this.sessions.get(ikeSaId)?.actor.send({ type: 'relay.abandon' });
  }

  /** Which session a reply belongs to: the circuit-id we put in (RFC 3046 §3.1), or the open transaction's xid. */
  private entryOfReply(m: DhcpMessage): Entry | undefined {
    if (this.config.policy.option82 !== 'off') {
      const id = ikeSaOfRelayInfo(readRelayAgentInfo(m));
      return id === undefined ? undefined : this.sessions.get(id);
    }
    const id = this.byXid.get(m.xid);
    const entry = id === undefined ? undefined : this.sessions.get(id);
    return entry?.actor.getSnapshot().context.txn?.xid === m.xid ? entry : undefined;
  }

  /** A datagram for the gateway on port 67: a server's BOOTREPLY to giaddr. */
  onUdp(d: UdpDatagram, from: UdpSource): void {
    if (d.app.kind !== 'dhcp') return;
    const m = d.app.message;
    if (from.via !== 'inside' || m.op !== 2) {
      this.dropped('not-a-server-reply', { xid: m.xid });
      const canary = dhcpCanary(m);
      if (canary !== undefined)
        this.host.traceNote('attack.refused', {
          kind: canary.kind,
          attacker: canary.attacker,
          reason: 'not-a-server-reply',
        });
      return;
    }
    const entry = this.entryOfReply(m);
    if (entry === undefined) {
      this.dropped('unknown-circuit', { xid: m.xid });
      return;
    }
    const ikeSaId = entry.actor.getSnapshot().context.ikeSaId;
    const expected = expectedSubOptions(this.config, this.host.insideAddress, ikeSaId, entry.peerId);
    const v = relayReply(m, { ourAddresses: [this.host.insideAddress], expected });
    if (v.kind === 'drop') {
      this.dropped(v.reason, { ikeSa: ikeSaId, xid: m.xid });
      return;
    }
    entry.actor.send({ type: 'relay.reply', message: v.message, server: d.src });
  }

  /** The SA's lease when the relay saw it run out (now ≥ its end, no ACK since: RFC 2131 §4.4.5), else undefined. */
  expiredLease(ikeSaId: string): RelayLease | undefined {
    const lease = this.sessions.get(ikeSaId)?.actor.getSnapshot().context.lease ?? null;
    return lease !== null && this.host.nowUs() >= lease.expiresAtUs ? lease : undefined;
  }

  /** The address the SA's client holds per the last ACK, if any. */
  leaseOf(ikeSaId: string): string | undefined {
    return this.sessions.get(ikeSaId)?.actor.getSnapshot().context.lease?.address;
  }

  /** IKE SA deleted or expired: its session stops its transaction, releases the lease or not (`dhcpIkeOnSaDelete`). */
  release(ikeSaId: string, peerMayHold = false): void {
    this.pins.drop(ikeSaId);
    const entry = this.sessions.get(ikeSaId);
    if (entry === undefined) return;
    this.sessions.delete(ikeSaId);
    this.unindexPeer(ikeSaId, entry.peerId);
    const xid = this.xidOf.get(ikeSaId);
    this.xidOf.delete(ikeSaId);
    if (xid !== undefined && this.byXid.get(xid) === ikeSaId) this.byXid.delete(xid);
    const actor = entry.actor;
    actor.send({ type: 'relay.release', peerMayHold });
    if (actor.getSnapshot().status === 'active') {
      // `releasing`: the RELEASE goes after the current exchange (session-machine.ts); the actor ends itself then.
      this.releasing.set(ikeSaId, actor);
      actor.subscribe({ complete: () => this.releasing.delete(ikeSaId) });
    }
  }

  /** A crash: every session stops (their timers with them); pins and indexes are forgotten. */
  reset(): void {
    for (const actor of this.releasing.values()) actor.stop();
    this.releasing.clear();
    for (const e of this.sessions.values()) e.actor.stop();
    this.sessions.clear();
    this.byXid.clear();
    this.xidOf.clear();
    this.byAddress.clear();
    this.byPeer.clear();
    this.pins.clear();
  }

  /** address → IKE identity of the leases the relay saw granted. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.sessions.values()) {
      const lease = e.actor.getSnapshot().context.lease;
      if (lease !== null) out[lease.address] = e.peerId;
    }
    return out;
  }
}
