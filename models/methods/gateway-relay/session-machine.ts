/**
 * One relay session per IKE SA (seed §3: the gateway relays the DHCP payloads of its IKE messages to the server), as
 * an xstate machine. The state is the DHCP phase the relay sees for the SA's client:
 *
 *   idle → discovering (DISCOVER forwarded) → offered (OFFER handed to the IKE response) → requesting (REQUEST
 *   forwarded) → bound (an ACK with a lease; the lease guard armed) → renewing (REQUEST forwarded while leased) →
 *   bound …; expiring (the lease guard fired: the IKE SA is being deleted, RFC 2131 §4.4.5); releasing (the IKE SA is
 *   gone, a DHCPRELEASE waits for the end of the current exchange) → released | closed.
 *
 * Every event lands in the choice state `settle`, whose guarded `always` transitions name the phase from what the
 * session holds (open transaction, lease, what the peer was last shown). Per IKE SA at most one server transaction
 * is open (IKE's window of 1, RFC 7296 §2.3); it goes out from the inside address, 67→67, to every configured server
 * with giaddr, hops + 1 and option 82 (RFC 1542 §4.1.1, RFC 3046), and is retransmitted on the named delay
 * `serverRetry` (`dhcpIkeServerRetry`) while the IKE response waits; draft-ietf §3's collect window is the named
 * delay `collectWindow`; the lease guard is `leaseGuard`. All are delayed raises with fixed ids, cancelled when the
 * transaction closes. What crosses sessions (pins, which SA holds an address, which SA of a peer asks for a client)
 * is the router's (relay.ts), reached through `RelayDirectory`.
 */
import { and, enqueueActions, setup } from 'xstate';
import type { Canary } from '../../attacks/canary.ts';
import type { DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { buildRelease } from '../../dhcp/client-messages.ts';
import { leaseTimers } from '../../dhcp/client-timers.ts';
import { findOption, messageTypeOf } from '../../dhcp/options.ts';
import { relayRequest } from '../../dhcp/relay.ts';
import { DHCP_SERVER_PORT } from '../../dhcp/server.ts';
import type { RandomStream } from '../../contract.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import { DhcpMessageType } from '../../wire/dhcp/types.ts';
import { armLeaseGuard, leaseGuardDelayMs, type ArmedLeaseGuard } from '../lease-guard.ts';
import type { ProviderHost } from '../method.ts';
import { identityKeys, type ClientKeys } from './pinning.ts';
import { serverWaitsMs } from './policies.ts';
import {
  answers,
  dhcpTypeName,
  requestConfigOf,
  withPolicyOption82,
  type RelayConfig,
  type RelayMode,
  type RelayOutcome,
} from './relay-agent.ts';

export const RELAY_SESSION_STATES = [
  'idle',
  'discovering',
  'offered',
  'requesting',
  'bound',
  'renewing',
  'expiring',
  'releasing',
  'released',
  'closed',
] as const;

/** No late replies: one shared empty list (a fresh `[]` was 32 B of every idle session). */
const NO_LATE: readonly DhcpMessage[] = Object.freeze([]);

/** Late replies kept per SA (`dhcpIkeLateReplies: keep`), bounded. */
const LATE_MAX = 8;

/** What a session asks the router about other sessions (indexed there, never a scan of all sessions). */
export interface RelayDirectory {
  /** Another live session whose lease is `address`, if any. */
  holderOf(address: string, exceptIkeSaId: string): string | undefined;
  /** Another live session of `peerId` that last asked for the same client (htype/chaddr and option 61), if any. */
  askingFor(peerId: string, keys: ClientKeys, exceptIkeSaId: string): string | undefined;
  /** The session's open transaction now has `xid` (replies are found by it when option 82 is off). */
  txnOpened(xid: number, ikeSaId: string): void;
  /** The session's lease address changed (`undefined`: none). */
  leaseChanged(ikeSaId: string, from: string | undefined, to: string | undefined): void;
}

/** What every session of one router shares (one object per router, not four fields in each session's context). */
export interface RelayShared {
  readonly host: ProviderHost;
  readonly config: RelayConfig;
  /** The router's stream (xids of the RELEASEs sent on a client's behalf). */
  readonly rng: RandomStream;
  readonly directory: RelayDirectory;
}

/**
 * A session's input. The context is these three and eight fields of its own: eleven, what V8 keeps inside a copied
 * context object; with the shared four as fields of their own the rest went to a separate property array (~110 B
 * per idle session).
 */
export interface RelaySessionInput {
  readonly ikeSaId: string;
  readonly peerId: string;
  readonly shared: RelayShared;
}

interface Txn {
  readonly xid: number;
  readonly type: number;
  /** As relayed (giaddr, hops, option 82). */
  readonly message: DhcpMessage;
  readonly mode: RelayMode;
  readonly replies: readonly DhcpMessage[];
  readonly servers: readonly string[];
  readonly tries: number;
  /** When the request was first forwarded: the server's lease for its ACK starts no earlier (RFC 2131 §4.4.1). */
  readonly startUs: number;
}

export interface RelayLease {
  readonly address: string;
  /** Option 54 the server sent (what a RELEASE names). */
  readonly serverId: string;
  /** Where the server actually is (the UDP source): with 82.11 option 54 is our own address. */
  readonly server: string;
  /**
   * When the server's lease ends (absolute µs, counted from when the request was first forwarded, RFC 2131 §4.4.1;
   * `Number.MAX_SAFE_INTEGER` for an infinite lease): after it the address is the server's again (§4.4.5).
   */
  readonly expiresAtUs: number;
}

/**
 * The last request relayed for the SA's client: its xid and type, and the fields a RELEASE names (htype, hlen,
 * chaddr, client id). The 16-byte chaddr field is kept as a one-byte string, one character per byte (~32 B of heap;
 * a Uint8Array with a buffer of its own is ~180 B, kept by every idle session of a storm); `identityOfRequest` gives
 * the bytes back.
 */
export interface LastRequest {
  readonly xid: number;
  /** Its DHCP message type (option 53). */
  readonly type: number;
  readonly htype: number;
  readonly hlen: number;
  /** The chaddr field's bytes, one character each. */
  readonly chaddrBytes: string;
  readonly clientId?: DhcpClientIdentity['clientId'];
}

/** The last request of `message` (typed `type`): option 61 is the decoded message's own copy. */
function lastRequestOf(message: DhcpMessage, type: number): LastRequest {
  const clientId = findOption(message, 'clientId');
  return {
    xid: message.xid,
    type,
    htype: message.htype,
    hlen: message.hlen,
    chaddrBytes: String.fromCharCode.apply(null, message.chaddr as unknown as number[]),
    ...(clientId === undefined ? {} : { clientId: { type: clientId.type, data: clientId.data } }),
  };
}

/** The client identity a kept request named (its chaddr field byte for byte). */
export function identityOfRequest(r: LastRequest): DhcpClientIdentity {
  const chaddr = new Uint8Array(r.chaddrBytes.length);
  for (let i = 0; i < chaddr.length; i += 1) chaddr[i] = r.chaddrBytes.charCodeAt(i);
  return {
    htype: r.htype,
    hlen: r.hlen,
    chaddr,
    ...(r.clientId === undefined ? {} : { clientId: r.clientId }),
  };
}

export interface RelaySessionContext extends RelaySessionInput {
  readonly txn: Txn | null;
  /** The waiting IKE request's answer; null once answered (a transaction may go on without one). */
  readonly answer: ((o: RelayOutcome) => void) | null;
  readonly lease: RelayLease | null;
  /**
   * What the session keeps of the last request: its identity fields, for a RELEASE on the client's behalf (RFC 2131
   * §4.4.6) and for the router's "which SA of the peer asks for this client"; not the whole message (~700 B per SA).
   */
  readonly lastRequest: LastRequest | null;
  /** Replies that came after their round was answered (draft-ietf §3), bounded by LATE_MAX. */
  readonly late: readonly DhcpMessage[];
  /** The type of the last reply handed to the peer (an OFFER ⇒ `offered`). */
  readonly shown: number | null;
  readonly guard: ArmedLeaseGuard | null;
  /** The guard fired for the current lease (the IKE SA is being deleted). */
  readonly lapsing: boolean;
}

export type RelaySessionEvent =
  /** A DHCP request from the peer, already checked, pinned and scoped by the router. */
  | {
      readonly type: 'relay.request';
      readonly message: DhcpMessage;
      readonly messageType: number;
      readonly mode: RelayMode;
      readonly canary: Canary | undefined;
      readonly scoped: boolean;
      /** The message as it goes to the servers (relayedFor), computed once by the router. */
      readonly relayed: Relayed;
      readonly answer: (o: RelayOutcome) => void;
    }
  /** A server's reply to giaddr, verified and stripped of option 82 by the router (RFC 3046 §2.2). */
  | { readonly type: 'relay.reply'; readonly message: DhcpMessage; readonly server: string }
  /** The IKE SA is gone: `peerMayHold` ⇒ the lease is left to run out (RFC 2131 §4.4.5). */
  | { readonly type: 'relay.release'; readonly peerMayHold: boolean }
  /** The responder stopped waiting for the pending answer (addressTimeoutMs). */
  | { readonly type: 'relay.abandon' }
  | { readonly type: 'timer.serverRetry' }
  | { readonly type: 'timer.collectWindow' }
  | { readonly type: 'timer.leaseGuard' };

/**
 * What the session asks its router to do after the step (xstate runs emitted events once the step is done, so the
 * IKE responder and the gateway are called outside the session's own transition).
 */
export type RelaySessionEmitted =
  | { readonly type: 'relay.answer'; readonly answer: (o: RelayOutcome) => void; readonly outcome: RelayOutcome }
  /** The SA's guard point is reached (the SA named here: the router's one listener serves every session). */
  | { readonly type: 'relay.leaseGuard'; readonly ikeSaId: string; readonly guard: ArmedLeaseGuard };

type Ctx = RelaySessionContext;
type RequestEvent = Extract<RelaySessionEvent, { type: 'relay.request' }>;

function note(c: Ctx, text: string, data: Record<string, string | number | boolean>): void {
  c.shared.host.traceNote(text, data);
}

function dropped(c: Ctx, reason: string, extra: Record<string, string | number> = {}): void {
  c.shared.host.traceNote('relay.dropped', { reason, ...extra });
}

function noteReply(c: Ctx, m: DhcpMessage, late: boolean): void {
  note(c, 'relay.reply', {
    ikeSa: c.ikeSaId,
    xid: m.xid,
    type: dhcpTypeName(messageTypeOf(m)),
    ...(late ? { late: true } : {}),
  });
}

/** Late replies that answer this request (same xid, answering type). */
function keptFor(c: Ctx, e: RequestEvent): DhcpMessage[] {
  return c.late.filter((m) => m.xid === e.message.xid && answers(e.messageType, messageTypeOf(m)));
}

/** The relayed form of a request (null: refused by RFC 3046 §2.1.1 / RFC 1542 §4.1.1 rules). */
export type Relayed =
  { readonly ok: true; readonly message: DhcpMessage } | { readonly ok: false; readonly reason: string };

/** The relayed form of a request for this SA: giaddr, hops + 1, option 82 (RFC 1542 §4.1.1, RFC 3046 §2.1), or why not. */
export function relayedFor(
  config: RelayConfig,
  insideAddress: string,
  ikeSaId: string,
  peerId: string,
  m: DhcpMessage,
): Relayed {
  const r = relayRequest(m, requestConfigOf(config, insideAddress, ikeSaId, peerId));
  return r.kind === 'drop'
    ? { ok: false, reason: r.reason }
    : // RFC 3046 §2.1.1: a reforwarded request (added = null) leaves as it came; only our own option 82 is policy.
      { ok: true, message: r.added === null ? r.message : withPolicyOption82(config, r.message) };
}

function relayedOf(c: Ctx, m: DhcpMessage): Relayed {
  return relayedFor(c.shared.config, c.shared.host.insideAddress, c.ikeSaId, c.peerId, m);
}

function waitsOf(c: Ctx): readonly number[] {
  return serverWaitsMs(c.shared.config.policy.serverRetry);
}

/** Sends the open transaction to every server (once more); returns it with one more try. */
function transmit(c: Ctx, txn: Txn): Txn {
  if (txn.tries > 0) note(c, 'dhcp.retransmit', { gateway: c.shared.config.gatewayName, ikeSa: c.ikeSaId });
  note(c, 'relay.forward', { ikeSa: c.ikeSaId, xid: txn.xid, type: dhcpTypeName(txn.type) });
  for (const dst of c.shared.config.servers) {
    c.shared.host.sendUdp({
      dst,
      srcPort: DHCP_SERVER_PORT,
      dstPort: DHCP_SERVER_PORT,
      app: { kind: 'dhcp', message: txn.message },
    });
  }
  return { ...txn, tries: txn.tries + 1 };
}

/** The type of the last message of a list (what the peer saw last), or `fallback` for none. */
function lastType(list: readonly DhcpMessage[], fallback: number | null): number | null {
  const last = list[list.length - 1];
  return last === undefined ? fallback : messageTypeOf(last);
}

export const relaySessionMachine = setup({
  types: {
    context: {} as RelaySessionContext,
    events: {} as RelaySessionEvent,
    input: {} as RelaySessionInput,
    emitted: {} as RelaySessionEmitted,
  },
  delays: {
    /** strongSwan dhcp_socket.c: the wait after try n (`dhcpIkeServerRetry`); 0 past the schedule. */
    serverRetry: ({ context }) => (context.txn === null ? 0 : (waitsOf(context)[context.txn.tries - 1] ?? 0)),
    /** draft-ietf §3 "configurable time (few seconds)". */
    collectWindow: ({ context }) => context.shared.config.policy.collectMs,
    leaseGuard: ({ context }) => leaseGuardDelayMs(context.guard, context.shared.host.nowUs()),
    /** The RELEASE waits for the end of the current exchange (an INITIAL_CONTACT replacing this SA, RFC 7296 §2.4). */
    releaseAfterExchange: 0,
  },
  guards: {
    /** The same request again while its server transaction runs (`dhcpIkeDuplicateRequest: coalesce`). */
    coalesces: ({ context, event }) =>
      event.type === 'relay.request' &&
      context.txn !== null &&
      context.txn.xid === event.message.xid &&
      context.txn.type === event.messageType &&
      context.shared.config.policy.duplicate === 'coalesce',
    /** draft-ietf §3: replies that came after their round was answered serve the repeat of the same request. */
    hasKeptReplies: ({ context, event }) => event.type === 'relay.request' && keptFor(context, event).length > 0,
    unrelayable: ({ event }) => event.type === 'relay.request' && !event.relayed.ok,
    /** The reply answers the open transaction whose IKE request is still waiting (or not yet answered by it). */
    answersOpenTxn: ({ context, event }) => {
      if (event.type !== 'relay.reply') return false;
      const txn = context.txn;
      if (txn === null || txn.xid !== event.message.xid || !answers(txn.type, messageTypeOf(event.message)))
        return false;
      return context.answer !== null;
    },
    duplicateServer: ({ context, event }) =>
      event.type === 'relay.reply' && context.txn !== null && context.txn.servers.includes(event.server),
    retriesLeft: ({ context }) => context.txn !== null && context.txn.tries < waitsOf(context).length,
    waitsForRetries: ({ context }) =>
      context.txn !== null && context.answer !== null && context.txn.mode.deadline === 'retries',
    answeredAlready: ({ context }) => context.txn !== null && context.answer === null,
    txnOpen: ({ context }) => context.txn !== null,
    hasReplies: ({ context }) => context.txn !== null && context.txn.replies.length > 0,
    // release decisions (RFC 2131 §4.4.6 on the client's behalf, or not)
    nothingToRelease: ({ context }) => context.lease === null || context.lastRequest === null,
    heldByNewerSa: ({ context }) =>
      context.lease !== null && context.shared.directory.holderOf(context.lease.address, context.ikeSaId) !== undefined,
    peerMayHold: ({ event }) => event.type === 'relay.release' && event.peerMayHold,
    keepPolicy: ({ context }) => context.shared.config.policy.onSaDelete === 'keep',
    newerSaAsks: ({ context }) =>
      context.lastRequest !== null &&
      context.shared.directory.askingFor(
        context.peerId,
        identityKeys(identityOfRequest(context.lastRequest)),
        context.ikeSaId,
      ) !== undefined,
    // the phase (choice state `settle`)
    lapsing: ({ context }) => context.lapsing && context.lease !== null,
    discoverOpen: ({ context }) => context.txn?.type === DhcpMessageType.DISCOVER,
    requestOpenLeased: ({ context }) => context.txn !== null && context.lease !== null,
    leased: ({ context }) => context.lease !== null,
    offerShown: ({ context }) => context.shown === DhcpMessageType.OFFER,
  },
  actions: {
    /** The same request joins the running transaction: its IKE request waits for the same replies. */
    coalesce: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'relay.request' || context.txn === null) return;
      note(context, 'relay.coalesced', { ikeSa: context.ikeSaId, xid: event.message.xid });
      // A function value in assign({…}) would be called as a property assigner: assign the answer as a value.
      enqueue.assign(() => ({ answer: event.answer }));
      enqueue.cancel('collectWindow');
      if (context.txn.mode.deadline === 'collect')
        enqueue.raise({ type: 'timer.collectWindow' }, { id: 'collectWindow', delay: 'collectWindow' });
    }),
    /** A new request replaces the open transaction (its IKE request was answered): stop its retries. */
    closeTxn: enqueueActions(({ enqueue }) => {
      enqueue.cancel('serverRetry');
      enqueue.cancel('collectWindow');
      enqueue.assign({ txn: null });
    }),
    answerKept: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'relay.request') return;
      const kept = keptFor(context, event);
      for (const m of kept) noteReply(context, m, true);
      enqueue.assign({ late: context.late.filter((m) => !kept.includes(m)), shown: lastType(kept, context.shown) });
      enqueue.emit({ type: 'relay.answer', answer: event.answer, outcome: { kind: 'replies', replies: kept } });
    }),
    refuseUnrelayable: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'relay.request') return;
      const r = event.relayed;
      if (r.ok) return;
      dropped(context, r.reason, { ikeSa: context.ikeSaId, xid: event.message.xid });
      if (event.canary !== undefined)
        note(context, 'attack.refused', { kind: event.canary.kind, attacker: event.canary.attacker, reason: r.reason });
      enqueue.emit({ type: 'relay.answer', answer: event.answer, outcome: { kind: 'refused', reason: r.reason } });
    }),
    /** Opens the transaction: forwarded now, retried on `serverRetry`, answered by `collectWindow` (WG) at the latest. */
    forward: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'relay.request') return;
      const r = event.relayed;
      if (!r.ok) return;
      const canary = event.canary;
      if (canary !== undefined && canary.kind !== 'lease-theft' && !event.scoped)
        note(context, 'attack.succeeded', { kind: canary.kind, attacker: canary.attacker, via: 'relay' });
      const opened: Txn = {
        xid: event.message.xid,
        type: event.messageType,
        message: r.message,
        mode: event.mode,
        replies: [],
        servers: [],
        tries: 0,
        startUs: context.shared.host.nowUs(),
      };
      const txn = transmit(context, opened);
      context.shared.directory.txnOpened(txn.xid, context.ikeSaId);
      enqueue.assign(() => ({
        txn,
        answer: event.answer,
        lastRequest: lastRequestOf(event.message, event.messageType),
        shown: null,
      }));
      enqueue.raise({ type: 'timer.serverRetry' }, { id: 'serverRetry', delay: 'serverRetry' });
      if (event.mode.deadline === 'collect')
        enqueue.raise({ type: 'timer.collectWindow' }, { id: 'collectWindow', delay: 'collectWindow' });
    }),
    retransmit: enqueueActions(({ context, enqueue }) => {
      if (context.txn === null) return;
      enqueue.assign({ txn: transmit(context, context.txn) });
      enqueue.raise({ type: 'timer.serverRetry' }, { id: 'serverRetry', delay: 'serverRetry' });
    }),
    /** Closes the transaction and answers its IKE request with what was collected (or no reply). */
    finish: enqueueActions(({ context, enqueue }) => {
      const txn = context.txn;
      if (txn === null) return;
      enqueue.cancel('serverRetry');
      enqueue.cancel('collectWindow');
      enqueue.assign({ txn: null, answer: null, shown: lastType(txn.replies, context.shown) });
      const answer = context.answer;
      if (txn.replies.length === 0) {
        note(context, 'relay.noReply', { ikeSa: context.ikeSaId, xid: txn.xid, tries: txn.tries });
        if (answer !== null) enqueue.emit({ type: 'relay.answer', answer, outcome: { kind: 'no-reply' } });
        return;
      }
      if (answer !== null)
        enqueue.emit({ type: 'relay.answer', answer, outcome: { kind: 'replies', replies: [...txn.replies] } });
    }),
    /** draft-ietf §3: the round is answered at the deadline without DHCP; the server transaction goes on. */
    answerNoReply: enqueueActions(({ context, enqueue }) => {
      const txn = context.txn;
      if (txn === null) return;
      note(context, 'relay.noReply', { ikeSa: context.ikeSaId, xid: txn.xid, tries: txn.tries });
      enqueue.assign({ answer: null });
      if (context.answer !== null)
        enqueue.emit({ type: 'relay.answer', answer: context.answer, outcome: { kind: 'no-reply' } });
    }),
    noteAbandoned: ({ context }) => {
      if (context.txn !== null)
        note(context, 'relay.abandoned', { ikeSa: context.ikeSaId, xid: context.txn.xid, tries: context.txn.tries });
    },
    /**
     * Every verified reply: an ACK with a lease time is the lease (guarded, RFC 2131 §4.4.5), a NAK ends it. The lease
     * counts from when the answered request was first forwarded (§4.4.1), or from now for a late reply.
     */
    takeLease: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'relay.reply') return;
      const reply = event.message;
      const type = messageTypeOf(reply);
      const leaseSecs = findOption(reply, 'leaseTime')?.secs;
      const before = context.lease?.address;
      if (type === DhcpMessageType.ACK && leaseSecs !== undefined) {
        const t = leaseTimers(
          leaseSecs,
          findOption(reply, 'renewalTime')?.secs,
          findOption(reply, 'rebindingTime')?.secs,
        );
        const startUs =
          context.txn !== null && context.txn.xid === reply.xid ? context.txn.startUs : context.shared.host.nowUs();
        const lease: RelayLease = {
          address: reply.yiaddr,
          serverId: findOption(reply, 'serverId')?.address ?? event.server,
          server: event.server,
          expiresAtUs: t.infinite ? Number.MAX_SAFE_INTEGER : startUs + t.leaseMs * 1000,
        };
        enqueue.assign({ lease });
        if (before !== lease.address) context.shared.directory.leaseChanged(context.ikeSaId, before, lease.address);
        if (!context.shared.config.policy.leaseGuard) return;
        enqueue.cancel('leaseGuard');
        if (t.infinite) {
          enqueue.assign({ guard: null, lapsing: false });
          return;
        }
        const guard = armLeaseGuard(reply.yiaddr, startUs + t.t2Ms * 1000, startUs + t.leaseMs * 1000);
        enqueue.assign({ guard, lapsing: false });
        enqueue.raise({ type: 'timer.leaseGuard' }, { id: 'leaseGuard', delay: 'leaseGuard' });
      } else if (type === DhcpMessageType.NAK) {
        enqueue.assign({ lease: null });
        if (before !== undefined) context.shared.directory.leaseChanged(context.ikeSaId, before, undefined);
      }
    }),
    /** A reply for no open transaction, or for one whose IKE round was answered: kept for the repeat, or dropped. */
    keepLate: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'relay.reply') return;
      const txn = context.txn;
      const m = event.message;
      if (txn !== null && context.answer === null && txn.xid === m.xid && answers(txn.type, messageTypeOf(m))) {
        // Its IKE round was answered without DHCP; the reply waits for the repeat (`dhcpIkeLateReplies`).
        enqueue.cancel('serverRetry');
        enqueue.cancel('collectWindow');
        enqueue.assign({ txn: null });
      }
      if (context.shared.config.policy.lateReplies === 'keep' && context.late.length < LATE_MAX) {
        enqueue.assign({ late: [...context.late, m] });
        dropped(context, 'late-kept', { ikeSa: context.ikeSaId, xid: m.xid });
      } else dropped(context, 'late', { ikeSa: context.ikeSaId, xid: m.xid });
    }),
    noteDuplicateServer: ({ context, event }) => {
      if (event.type === 'relay.reply')
        dropped(context, 'duplicate-reply', { ikeSa: context.ikeSaId, xid: event.message.xid });
    },
    /** One more reply for the transaction: answered at once unless OFFERs are being collected (draft-ietf §3). */
    collectReply: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'relay.reply' || context.txn === null) return;
      const txn: Txn = {
        ...context.txn,
        servers: [...context.txn.servers, event.server],
        replies: [...context.txn.replies, event.message],
      };
      noteReply(context, event.message, false);
      const type = messageTypeOf(event.message);
      if (txn.mode.collect !== 'first' && type === DhcpMessageType.OFFER) {
        enqueue.assign({ txn });
        return;
      }
      enqueue.cancel('serverRetry');
      enqueue.cancel('collectWindow');
      enqueue.assign({ txn: null, answer: null, shown: type });
      if (context.answer !== null)
        enqueue.emit({
          type: 'relay.answer',
          answer: context.answer,
          outcome: { kind: 'replies', replies: txn.replies },
        });
    }),
    fireGuard: enqueueActions(({ context, enqueue }) => {
      if (context.guard === null) return;
      enqueue.assign({ lapsing: true });
      enqueue.emit({ type: 'relay.leaseGuard', ikeSaId: context.ikeSaId, guard: context.guard });
    }),
    /** The IKE SA is gone: no transaction, no guard (RFC 2131 §4.4.5 no longer the gateway's to enforce). */
    shutDown: enqueueActions(({ context, enqueue }) => {
      for (const id of ['serverRetry', 'collectWindow', 'leaseGuard'] as const) enqueue.cancel(id);
      enqueue.assign({ txn: null, answer: null, guard: null });
      if (context.lease !== null)
        context.shared.directory.leaseChanged(context.ikeSaId, context.lease.address, undefined);
    }),
    noteHeldBy: ({ context }) => {
      if (context.lease === null) return;
      const holder = context.shared.directory.holderOf(context.lease.address, context.ikeSaId) ?? '';
      note(context, 'relay.releaseSkipped', { ikeSa: context.ikeSaId, address: context.lease.address, heldBy: holder });
    },
    noteLeftToExpire: ({ context }) => {
      if (context.lease !== null)
        note(context, 'relay.leaseLeftToExpire', { ikeSa: context.ikeSaId, address: context.lease.address });
    },
    noteKept: ({ context }) => {
      if (context.lease !== null)
        note(context, 'relay.leaseKept', { ikeSa: context.ikeSaId, address: context.lease.address });
    },
    noteAskedBy: ({ context }) => {
      if (context.lease === null || context.lastRequest === null) return;
      const asker =
        context.shared.directory.askingFor(
          context.peerId,
          identityKeys(identityOfRequest(context.lastRequest)),
          context.ikeSaId,
        ) ?? '';
      note(context, 'relay.releaseSkipped', { ikeSa: context.ikeSaId, address: context.lease.address, askedBy: asker });
    },
    /** RFC 2131 §4.4.6 on the client's behalf: its identity fields, a fresh xid, relayed like its requests. */
    sendRelease: ({ context }) => {
      const lease = context.lease;
      const req = context.lastRequest;
      if (lease === null || req === null) return;
      const release = buildRelease(
        {
          identity: identityOfRequest(req),
          xid: context.shared.rng.nextU32(),
          secs: 0,
          broadcastFlag: false,
          parameterRequestList: [],
        },
        lease.address,
        lease.serverId,
      );
      const r = relayedOf(context, release);
      if (!r.ok) return;
      note(context, 'relay.release', { ikeSa: context.ikeSaId, address: lease.address });
      context.shared.host.sendUdp({
        dst: lease.server,
        srcPort: DHCP_SERVER_PORT,
        dstPort: DHCP_SERVER_PORT,
        app: { kind: 'dhcp', message: r.message },
      });
    },
  },
}).createMachine({
  id: 'relaySession',
  context: ({ input }) => ({
    ...input,
    txn: null,
    answer: null,
    lease: null,
    lastRequest: null,
    late: NO_LATE,
    shown: null,
    guard: null,
    lapsing: false,
  }),
  initial: 'idle',
  states: {
    idle: {},
    discovering: {},
    offered: {},
    requesting: {},
    bound: {},
    renewing: {},
    expiring: {},
    /** Choice state: the phase follows from what the session now holds. */
    settle: {
      always: [
        { guard: 'lapsing', target: 'expiring' },
        { guard: 'discoverOpen', target: 'discovering' },
        { guard: 'requestOpenLeased', target: 'renewing' },
        { guard: 'txnOpen', target: 'requesting' },
        { guard: 'leased', target: 'bound' },
        { guard: 'offerShown', target: 'offered' },
        { target: 'idle' },
      ],
    },
    /** RFC 2131 §4.4.6: the RELEASE goes after the current exchange, unless a newer SA asks for the same client. */
    releasing: {
      after: {
        releaseAfterExchange: [
          { guard: 'newerSaAsks', target: 'closed', actions: 'noteAskedBy' },
          { target: 'released', actions: 'sendRelease' },
        ],
      },
    },
    released: { type: 'final' },
    closed: { type: 'final' },
  },
  on: {
    'relay.request': [
      { guard: 'coalesces', target: '.settle', actions: 'coalesce' },
      { guard: 'hasKeptReplies', target: '.settle', actions: ['closeTxn', 'answerKept'] },
      { guard: 'unrelayable', target: '.settle', actions: ['closeTxn', 'refuseUnrelayable'] },
      { target: '.settle', actions: ['closeTxn', 'forward'] },
    ],
    'relay.reply': [
      {
        guard: and(['answersOpenTxn', 'duplicateServer']),
        target: '.settle',
        actions: ['takeLease', 'noteDuplicateServer'],
      },
      { guard: 'answersOpenTxn', target: '.settle', actions: ['takeLease', 'collectReply'] },
      { target: '.settle', actions: ['takeLease', 'keepLate'] },
    ],
    'timer.serverRetry': [
      { guard: 'retriesLeft', target: '.settle', actions: 'retransmit' },
      { guard: 'waitsForRetries', target: '.settle', actions: 'finish' },
      { guard: 'answeredAlready', target: '.settle', actions: 'closeTxn' },
    ],
    'timer.collectWindow': [
      { guard: and(['txnOpen', 'hasReplies']), target: '.settle', actions: 'finish' },
      { guard: 'txnOpen', target: '.settle', actions: 'answerNoReply' },
    ],
    'timer.leaseGuard': { target: '.settle', actions: 'fireGuard' },
    'relay.abandon': { guard: 'txnOpen', target: '.settle', actions: ['noteAbandoned', 'closeTxn'] },
    'relay.release': [
      { guard: 'nothingToRelease', target: '.closed', actions: 'shutDown' },
      { guard: 'heldByNewerSa', target: '.closed', actions: ['noteHeldBy', 'shutDown'] },
      { guard: 'peerMayHold', target: '.closed', actions: ['noteLeftToExpire', 'shutDown'] },
      { guard: 'keepPolicy', target: '.closed', actions: ['noteKept', 'shutDown'] },
      { target: '.releasing', actions: 'shutDown' },
    ],
  },
});
