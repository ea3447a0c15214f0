/**
 * The gateway as a DHCP relay for DHCP payloads that arrive in IKE messages (seed §3: "the IKEv2 gateway must
 * encapsulate the DHCP payloads into a UDP packet and relay them to a DHCP server … SHOULD also append DHCP relay
 * options"). Per IKE SA at most one transaction is open (IKE's window of 1, RFC 7296 §2.3): the message goes out
 * from the inside address, 67→67, to every configured server with giaddr, hops + 1 and option 82 (RFC 1542 §4.1.1,
 * RFC 3046); replies come back to giaddr:67, are mapped to the SA by the circuit-id (or by xid with option 82 off),
 * verified and stripped (RFC 3046 §2.2), and handed to the waiting IKE response. The relay retransmits toward the
 * server itself while the response is pending (`dhcpIkeServerRetry`) and gives up at a deadline.
 */
import { buildRelease } from '../../dhcp/client-messages.ts';
import { findOption, messageTypeOf, withoutOption } from '../../dhcp/options.ts';
import { readRelayAgentInfo, relayReply, relayRequest, type RelayRequestConfig } from '../../dhcp/relay.ts';
import { DHCP_SERVER_PORT } from '../../dhcp/server.ts';
import type { RandomStream } from '../../contract.ts';
import type { DhcpMessage, RelayAgentSubOption } from '../../wire/dhcp/types.ts';
import { DhcpMessageType } from '../../wire/dhcp/types.ts';
import type { ProviderHost, UdpDatagram, UdpSource } from '../method.ts';
import { leaseTimers } from '../../dhcp/client-timers.ts';
import { LeaseGuard } from '../lease-guard.ts';
import { ClientPins, clientKeys, scopeMessage } from './pinning.ts';
import { dhcpCanary } from '../../attacks/canary.ts';
import { serverWaitsMs, type RelayPolicy } from './policies.ts';

export interface RelayConfig {
  /** The enterprise DHCP server(s); every request goes to each (RFC 2131 §4.1 "one or more servers"). */
  readonly servers: readonly string[];
  /** RFC 3527: the VPN subnet, named in sub-option 5 when `linkSelection` is on. */
  readonly linkSelectionSubnet?: string;
  /** For `dhcp.retransmit {gateway}`. */
  readonly gatewayName: string;
  readonly policy: RelayPolicy;
}

/** Who asked: the IKE SA (responder key) and its authenticated identity ('' = not authenticated yet). */
export interface RelaySa {
  readonly ikeSaId: string;
  readonly peerId: string;
}

/**
 * `first`: finish at the first reply; `window`: collect OFFERs until the window ends (an ACK or NAK finishes at once:
 * only the server named in the REQUEST answers it, RFC 2131 §4.3.2). Deadline `collect`: no reply after
 * `collectMs` (draft-ietf §3); `retries`: after the server retry schedule is spent.
 */
export interface RelayMode {
  readonly collect: 'first' | 'window';
  readonly deadline: 'collect' | 'retries';
}

export type RelayOutcome =
  | { readonly kind: 'replies'; readonly replies: readonly DhcpMessage[] }
  | { readonly kind: 'no-reply' }
  | { readonly kind: 'refused'; readonly reason: string };

interface Txn {
  readonly xid: number;
  readonly type: number;
  readonly message: DhcpMessage;
  readonly mode: RelayMode;
  readonly replies: DhcpMessage[];
  readonly servers: string[];
  tries: number;
  /** When the request was first forwarded: the server's lease for its ACK starts no earlier (RFC 2131 §4.4.1). */
  readonly startUs: number;
  cancelRetry: (() => void) | undefined;
  cancelDeadline: (() => void) | undefined;
  /** The waiting IKE request's answer; undefined once answered without a reply (the server leg goes on). */
  done: ((o: RelayOutcome) => void) | undefined;
}

interface Lease {
  readonly address: string;
  /** Option 54 the server sent (what a RELEASE names). */
  readonly serverId: string;
  /** Where the server actually is (the UDP source): with 82.11 option 54 is our own address. */
  readonly server: string;
}

interface SaState {
  readonly ikeSaId: string;
  peerId: string;
  txn: Txn | undefined;
  lease: Lease | undefined;
  /** The last request's identity fields, for a RELEASE on our own (htype, hlen, chaddr, client id). */
  lastRequest: DhcpMessage | undefined;
  /** Replies that came after their round was answered (`dhcpIkeLateReplies: keep`), bounded. */
  late: DhcpMessage[];
  /** Deletes the IKE SA before its lease lapses (`dhcpIkeLeaseGuard`, lease-guard.ts). */
  readonly guard: LeaseGuard;
}

const LATE_MAX = 8;
const SA_MAX = 65_536;
const text = new TextEncoder();
const untext = new TextDecoder();

export function dhcpTypeName(type: number | null): string {
  switch (type) {
    case DhcpMessageType.DISCOVER:
      return 'DISCOVER';
    case DhcpMessageType.OFFER:
      return 'OFFER';
    case DhcpMessageType.REQUEST:
      return 'REQUEST';
    case DhcpMessageType.DECLINE:
      return 'DECLINE';
    case DhcpMessageType.ACK:
      return 'ACK';
    case DhcpMessageType.NAK:
      return 'NAK';
    case DhcpMessageType.RELEASE:
      return 'RELEASE';
    case DhcpMessageType.INFORM:
      return 'INFORM';
    default:
      return 'BOOTP';
  }
}

/** Which reply types answer a request type (RFC 2131 §4.3). */
function answers(requestType: number, replyType: number | null): boolean {
  if (requestType === DhcpMessageType.DISCOVER) return replyType === DhcpMessageType.OFFER;
  return replyType === DhcpMessageType.ACK || replyType === DhcpMessageType.NAK;
}

export class GatewayRelay {
  private readonly sas = new Map<string, SaState>();
  private readonly pins: ClientPins;
  private readonly rng: RandomStream;
  /** RELEASEs waiting for the end of the current exchange (`release`). */
  private readonly pendingReleases = new Set<() => void>();

  constructor(
    private readonly host: ProviderHost,
    readonly config: RelayConfig,
  ) {
    this.rng = host.rng('relay');
    this.pins = new ClientPins(config.policy.pinning);
  }

  /** UDP port the gateway listens on for server replies (RFC 2131 §4.1: to giaddr, port 67). */
  static readonly udpPorts: readonly number[] = [DHCP_SERVER_PORT];

  private sa(ref: RelaySa): SaState {
    let s = this.sas.get(ref.ikeSaId);
    if (s === undefined) {
      s = {
        ikeSaId: ref.ikeSaId,
        peerId: ref.peerId,
        txn: undefined,
        lease: undefined,
        lastRequest: undefined,
        late: [],
        guard: new LeaseGuard(this.host, ref.ikeSaId, 'relay'),
      };
      if (this.sas.size < SA_MAX) this.sas.set(ref.ikeSaId, s);
    }
    s.peerId = ref.peerId;
    return s;
  }

  private dropped(reason: string, extra: Record<string, string | number> = {}): void {
    this.host.traceNote('relay.dropped', { reason, ...extra });
  }

  /** The option 82 sub-options for an SA (RFC 3046 §3.1 circuit-id, §3.2 remote-id; RFC 3527; RFC 5107). */
  private requestConfig(s: SaState): RelayRequestConfig {
    const p = this.config.policy;
    return {
      giaddr: this.host.insideAddress,
      circuitId: text.encode(s.ikeSaId),
      ...(p.option82 === 'ike-identity' ? { remoteId: text.encode(s.peerId) } : {}),
      ...(p.linkSelection && this.config.linkSelectionSubnet !== undefined
        ? { linkSelection: this.config.linkSelectionSubnet }
        : {}),
      ...(p.serverIdOverride ? { serverIdOverride: this.host.insideAddress } : {}),
      trustedClientSide: false,
    };
  }

  private expected(s: SaState): readonly RelayAgentSubOption[] | null {
    if (this.config.policy.option82 === 'off') return null;
    const c = this.requestConfig(s);
    const subs: RelayAgentSubOption[] = [{ kind: 'circuitId', data: c.circuitId }];
    if (c.remoteId) subs.push({ kind: 'remoteId', data: c.remoteId });
    if (c.linkSelection) subs.push({ kind: 'linkSelection', subnet: c.linkSelection });
    if (c.serverIdOverride) subs.push({ kind: 'serverIdOverride', serverId: c.serverIdOverride });
    return subs;
  }

  /**
   * Relays one DHCP message from the IKE SA's peer. `done` is called exactly once (now when refused or answered from
   * a kept late reply, else later). A transaction still open on the SA is abandoned (its IKE request was answered).
   */
  relay(ref: RelaySa, asked: DhcpMessage, mode: RelayMode, done: (o: RelayOutcome) => void): void {
    let message = asked;
    const canary = dhcpCanary(asked);
    const refuse = (reason: string): void => {
      this.dropped(reason, { ikeSa: ref.ikeSaId, xid: message.xid });
      if (canary !== undefined)
        this.host.traceNote('attack.refused', { kind: canary.kind, attacker: canary.attacker, reason });
      done({ kind: 'refused', reason });
    };
    // Payloads before the peer is authenticated are refused (the responder asks only after AUTH; this guards it).
    if (ref.peerId === '') return refuse('unauthenticated');
    if (message.op !== 1) return refuse('not-a-request');
    const type = messageTypeOf(message);
    if (type === null) return refuse('bootp-unsupported');
    const s = this.sa(ref);
    const keys = clientKeys(message);
    const pin = this.pins.claim(ref.ikeSaId, ref.peerId, keys);
    if (!pin.ok) {
      this.host.traceNote('dhcp.theft', { ikeSa: ref.ikeSaId, chaddr: pin.chaddr });
      return refuse('theft');
    }
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
    const open = s.txn;
    if (
      open !== undefined &&
      open.xid === message.xid &&
      open.type === type &&
      this.config.policy.duplicate === 'coalesce'
    ) {
      // The same request again (a new IKE_AUTH round, draft-ietf §3, or a re-carried REQUEST): it joins the server
      // transaction still running instead of queueing another copy at the server.
      this.host.traceNote('relay.coalesced', { ikeSa: s.ikeSaId, xid: message.xid });
      open.done = done;
      open.cancelDeadline?.();
      open.cancelDeadline = undefined;
      this.armDeadline(s, open);
      return;
    }
    this.abandon(s);
    // draft-ietf §3: a reply that came after its round was answered serves the repeat of the same request.
    const kept = s.late.filter((m) => m.xid === message.xid && answers(type, messageTypeOf(m)));
    s.late = s.late.filter((m) => !kept.includes(m));
    if (kept.length > 0) {
      for (const m of kept) this.noteReply(s, m, true);
      done({ kind: 'replies', replies: kept });
      return;
    }
    const r = relayRequest(message, this.requestConfig(s));
    if (r.kind === 'drop') return refuse(r.reason);
    if (canary !== undefined && canary.kind !== 'lease-theft' && !pin.scoped)
      this.host.traceNote('attack.succeeded', { kind: canary.kind, attacker: canary.attacker, via: 'relay' });
    const relayed =
      this.config.policy.option82 === 'off'
        ? { ...r.message, options: withoutOption(r.message.options, 'relayAgentInfo') }
        : r.message;
    s.lastRequest = message;
    const txn: Txn = {
      xid: message.xid,
      type,
      message: relayed,
      mode,
      replies: [],
      servers: [],
      tries: 0,
      startUs: this.host.nowUs(),
      cancelRetry: undefined,
      cancelDeadline: undefined,
      done,
    };
    s.txn = txn;
    this.transmit(s, txn);
    this.armDeadline(s, txn);
  }

  /** draft-ietf §3: the IKE round is answered after the collect window, with or without replies. */
  private armDeadline(s: SaState, txn: Txn): void {
    if (txn.mode.deadline !== 'collect') return;
    txn.cancelDeadline = this.host.setTimerUs(this.config.policy.collectMs * 1000, 'relay.collect', () => {
      txn.cancelDeadline = undefined;
      this.answer(s, txn);
    });
  }

  /** Answers the waiting IKE request: with the replies (closing the transaction), or without (it goes on). */
  private answer(s: SaState, txn: Txn): void {
    if (s.txn !== txn) return;
    if (txn.replies.length > 0) {
      this.finish(s, txn);
      return;
    }
    const done = txn.done;
    txn.done = undefined;
    this.host.traceNote('relay.noReply', { ikeSa: s.ikeSaId, xid: txn.xid, tries: txn.tries });
    done?.({ kind: 'no-reply' });
  }

  private transmit(s: SaState, txn: Txn): void {
    const waits = serverWaitsMs(this.config.policy.serverRetry);
    if (txn.tries > 0) this.host.traceNote('dhcp.retransmit', { gateway: this.config.gatewayName, ikeSa: s.ikeSaId });
    txn.tries += 1;
    this.host.traceNote('relay.forward', { ikeSa: s.ikeSaId, xid: txn.xid, type: dhcpTypeName(txn.type) });
    for (const dst of this.config.servers) {
      this.host.sendUdp({
        dst,
        srcPort: DHCP_SERVER_PORT,
        dstPort: DHCP_SERVER_PORT,
        app: { kind: 'dhcp', message: txn.message },
      });
    }
    const waitMs = waits[txn.tries - 1] ?? 0;
    const last = txn.tries >= waits.length;
    txn.cancelRetry = this.host.setTimerUs(waitMs * 1000, last ? 'relay.giveUp' : 'relay.retransmit', () => {
      txn.cancelRetry = undefined;
      if (s.txn !== txn) return;
      if (!last) this.transmit(s, txn);
      else if (txn.done !== undefined && txn.mode.deadline === 'retries') this.finish(s, txn);
      else if (txn.done === undefined) {
        s.txn = undefined;
        txn.cancelDeadline?.();
      }
    });
  }

  /** Closes the transaction and answers its IKE request with what was collected (or no reply). */
  private finish(s: SaState, txn: Txn): void {
    if (s.txn !== txn) return;
    txn.cancelRetry?.();
    txn.cancelDeadline?.();
    s.txn = undefined;
    const done = txn.done;
    txn.done = undefined;
    if (txn.replies.length === 0) {
      this.host.traceNote('relay.noReply', { ikeSa: s.ikeSaId, xid: txn.xid, tries: txn.tries });
      done?.({ kind: 'no-reply' });
      return;
    }
    done?.({ kind: 'replies', replies: [...txn.replies] });
  }

  /** The IKE responder gave up waiting for this SA's transaction: stop its retries toward the server. */
  abandonSa(ikeSaId: string): void {
    const s = this.sas.get(ikeSaId);
    if (s?.txn === undefined) return;
    this.host.traceNote('relay.abandoned', { ikeSa: ikeSaId, xid: s.txn.xid, tries: s.txn.tries });
    this.abandon(s);
  }

  private abandon(s: SaState): void {
    const txn = s.txn;
    if (txn === undefined) return;
    txn.cancelRetry?.();
    txn.cancelDeadline?.();
    s.txn = undefined;
  }

  private noteReply(s: SaState, m: DhcpMessage, late: boolean): void {
    this.host.traceNote('relay.reply', {
      ikeSa: s.ikeSaId,
      xid: m.xid,
      type: dhcpTypeName(messageTypeOf(m)),
      ...(late ? { late: true } : {}),
    });
  }

  /** Which SA a reply belongs to: the circuit-id we put in (RFC 3046 §3.1), or the open transaction's xid. */
  private saOfReply(m: DhcpMessage): SaState | undefined {
    if (this.config.policy.option82 !== 'off') {
      const circuit = readRelayAgentInfo(m)?.find((o) => o.kind === 'circuitId');
      return circuit?.kind === 'circuitId' ? this.sas.get(untext.decode(circuit.data)) : undefined;
    }
    for (const s of this.sas.values()) if (s.txn?.xid === m.xid) return s;
    return undefined;
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
    const s = this.saOfReply(m);
    if (s === undefined) {
      this.dropped('unknown-circuit', { xid: m.xid });
      return;
    }
    const v = relayReply(m, { ourAddresses: [this.host.insideAddress], expected: this.expected(s) });
    if (v.kind === 'drop') {
      this.dropped(v.reason, { ikeSa: s.ikeSaId, xid: m.xid });
      return;
    }
    const reply = v.message;
    const type = messageTypeOf(reply);
    const leaseSecs = findOption(reply, 'leaseTime')?.secs;
    if (type === DhcpMessageType.ACK && leaseSecs !== undefined) {
      s.lease = {
        address: reply.yiaddr,
        serverId: findOption(reply, 'serverId')?.address ?? d.src,
        server: d.src,
      };
      this.guardLease(s, reply, leaseSecs);
    } else if (type === DhcpMessageType.NAK) s.lease = undefined;
    let txn = s.txn;
    if (txn !== undefined && txn.done === undefined && txn.xid === m.xid && answers(txn.type, type)) {
      // Its IKE round was answered without DHCP; the reply waits for the repeat (`dhcpIkeLateReplies`).
      this.abandon(s);
      txn = undefined;
    }
    if (txn === undefined || txn.xid !== m.xid || !answers(txn.type, type)) {
      if (this.config.policy.lateReplies === 'keep' && s.late.length < LATE_MAX) {
        s.late.push(reply);
        this.dropped('late-kept', { ikeSa: s.ikeSaId, xid: m.xid });
      } else this.dropped('late', { ikeSa: s.ikeSaId, xid: m.xid });
      return;
    }
    if (txn.servers.includes(d.src)) {
      this.dropped('duplicate-reply', { ikeSa: s.ikeSaId, xid: m.xid });
      return;
    }
    txn.servers.push(d.src);
    txn.replies.push(reply);
    this.noteReply(s, reply, false);
    if (txn.mode.collect === 'first' || type !== DhcpMessageType.OFFER) this.answer(s, txn);
  }

  /**
   * RFC 2131 §4.4.5: the IKE SA must not outlive the lease its TSi was narrowed to. The lease counts from when the
   * answered request was first forwarded (no later than the server's start, §4.4.1), or from now for a late reply.
   */
  private guardLease(s: SaState, ack: DhcpMessage, leaseSecs: number): void {
    if (!this.config.policy.leaseGuard) return;
    const t = leaseTimers(leaseSecs, findOption(ack, 'renewalTime')?.secs, findOption(ack, 'rebindingTime')?.secs);
    if (t.infinite) {
      s.guard.disarm();
      return;
    }
    const startUs = s.txn !== undefined && s.txn.xid === ack.xid ? s.txn.startUs : this.host.nowUs();
    s.guard.arm(ack.yiaddr, startUs + t.t2Ms * 1000, startUs + t.leaseMs * 1000);
  }

  /** The address the SA's client holds per the last ACK, if any. */
  leaseOf(ikeSaId: string): string | undefined {
    return this.sas.get(ikeSaId)?.lease?.address;
  }

  /** IKE SA deleted or expired: abandon, release the lease (`dhcpIkeOnSaDelete`), unpin. */
  release(ikeSaId: string, peerMayHold = false): void {
    const s = this.sas.get(ikeSaId);
    this.pins.drop(ikeSaId);
    if (s === undefined) return;
    this.abandon(s);
    s.guard.disarm();
    this.sas.delete(ikeSaId);
    const lease = s.lease;
    const req = s.lastRequest;
    if (lease === undefined || req === undefined) return;
    // A newer IKE SA holds the address now (the peer reconnected before this one was gone): a RELEASE would take
    // the server's lease from under it (RFC 2131 §4.4.6 releases the client's lease, not this SA's).
    for (const other of this.sas.values()) {
      if (other.lease?.address !== lease.address) continue;
      this.host.traceNote('relay.releaseSkipped', { ikeSa: ikeSaId, address: lease.address, heldBy: other.ikeSaId });
      return;
    }
    // The gateway ended the SA and the peer may still use the address until it notices: handing the lease back now
    // would let the server give it to another client while this one holds it. It runs out at the server instead, and
    // the client, which knows its lease (RFC 2131 §4.4.5), stops using it by then.
    if (peerMayHold) {
      this.host.traceNote('relay.leaseLeftToExpire', { ikeSa: ikeSaId, address: lease.address });
      return;
    }
    if (this.config.policy.onSaDelete === 'keep') {
      this.host.traceNote('relay.leaseKept', { ikeSa: ikeSaId, address: lease.address });
      return;
    }
    // The SA may go because the same client is replacing it (INITIAL_CONTACT, RFC 7296 §2.4, processed in the new
    // SA's IKE_AUTH before its DHCP payload is relayed): the RELEASE waits until the current exchange has been
    // handled, and goes only if no newer SA asks the server for this same client by then (below).
    const cancel = this.host.setTimerUs(0, 'relay.release', () => {
      this.pendingReleases.delete(cancel);
      this.sendRelease(ikeSaId, lease, req, s);
    });
    this.pendingReleases.add(cancel);
  }

  /**
   * RFC 2131 §4.4.6 on the client's behalf, unless a newer IKE SA of the peer relays for the same client (the server keys its
   * lease on the client identifier or chaddr, §4.2): the RELEASE would end the lease that SA's request renews, and as
   * nothing orders a RELEASE and a REQUEST sent together, the server could ACK the REQUEST first and then end the
   * lease under the peer that holds it (§4.4.5). The newer SA's client carries the lease on instead.
   */
  private sendRelease(ikeSaId: string, lease: Lease, req: DhcpMessage, s: SaState): void {
    const keys = clientKeys(req);
    for (const other of this.sas.values()) {
      if (other.peerId !== s.peerId) continue;
      const asked = other.lastRequest === undefined ? undefined : clientKeys(other.lastRequest);
      if (asked?.hardware !== keys.hardware || asked.clientId !== keys.clientId) continue;
      this.host.traceNote('relay.releaseSkipped', { ikeSa: ikeSaId, address: lease.address, askedBy: other.ikeSaId });
      return;
    }
    const clientId = findOption(req, 'clientId');
    const release = buildRelease(
      {
        identity: {
          htype: req.htype,
          hlen: req.hlen,
          chaddr: req.chaddr,
          ...(clientId === undefined ? {} : { clientId: { type: clientId.type, data: clientId.data } }),
        },
        xid: this.rng.nextU32(),
        secs: 0,
        broadcastFlag: false,
        parameterRequestList: [],
      },
      lease.address,
      lease.serverId,
    );
    const r = relayRequest(release, this.requestConfig(s));
    if (r.kind === 'drop') return;
    const message =
      this.config.policy.option82 === 'off'
        ? { ...r.message, options: withoutOption(r.message.options, 'relayAgentInfo') }
        : r.message;
    this.host.traceNote('relay.release', { ikeSa: ikeSaId, address: lease.address });
    this.host.sendUdp({
      dst: lease.server,
      srcPort: DHCP_SERVER_PORT,
      dstPort: DHCP_SERVER_PORT,
      app: { kind: 'dhcp', message },
    });
  }

  reset(): void {
    for (const cancel of this.pendingReleases) cancel();
    this.pendingReleases.clear();
    for (const s of this.sas.values()) {
      this.abandon(s);
      s.guard.disarm();
    }
    this.sas.clear();
    this.pins.clear();
  }

  /** address → IKE identity of the leases the relay saw granted. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.sas.values()) if (s.lease !== undefined) out[s.lease.address] = s.peerId;
    return out;
  }
}
