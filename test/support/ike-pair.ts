/**
 * An IKEv2 initiator and responder (models/ike) wired together the way the client and gateway nodes wire them —
 * the responder is created by the first IKE_SA_INIT request, as GatewayNode does, and asks a fake address provider
 * that answers after `providerDelayMs` with a CP(CFG_REPLY) — through a channel the test drives by hand: every
 * message crosses it as bytes (packetCodec, IPv4/UDP/500) and waits there until the test delivers, drops or
 * duplicates it, in any order. Time is a virtual clock the test advances. Every send is logged with what caused it.
 *
 * As GatewayNode.receiveIke: IKE SAs are found by SPIi; one that ended (half-open timeout, AUTHENTICATION_FAILED,
 * replaced) is removed and its last response kept (RetiredResponses, RFC 7296 §2.1); a request for an SA the gateway
 * does not have draws a rate-limited, unprotected INVALID_IKE_SPI (§2.21.4); a new IKE_SA_INIT starts a new SA; an
 * authenticated IKE_AUTH replaces the identity's other SAs (INITIAL_CONTACT / uniqueids, §2.4). As ClientNode: an
 * initiator that closes (given up, peer lost) is replaced by a new one after the reconnect delay (DEFAULT_RECONNECT).
 */
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import type { RandomStream, VirtualClock } from '../../models/contract.ts';
import { DEFAULT_RESPONDER_POLICY, peerConfig, type BusyRepeatPolicy } from '../../models/ike/config.ts';
import { initiatorMachine } from '../../models/ike/initiator-machine.ts';
import { stubProvider } from './provider-stub.ts';
import { responderMachine } from '../../models/ike/responder-machine.ts';
import { INVALID_SPI_REPLIES_PER_SEC, ReplyLimit } from '../../models/ike/reply-limit.ts';
import { RetiredResponses, retiredKeepUs } from '../../models/ike/retired-responses.ts';
import type { RetransmitPolicy } from '../../models/ike/retransmit.ts';
import type { IkeEmitted } from '../../models/ike/emitted.ts';
import * as ikeConfig from '../../models/ike/tasks/ike-config.ts';
import * as ikeInit from '../../models/ike/tasks/ike-init.ts';
import * as invalidSpi from '../../models/ike/tasks/invalid-spi.ts';
import { modeCfgClient } from '../../models/methods/mode-cfg.ts';
import { DEFAULT_RECONNECT } from '../../models/nodes/client-node.ts';
import { ikeOf, ikePacket, packetCodec } from '../../models/nodes/lab-packet.ts';
import { IkeExchangeType, tsRange, type IkeMessage } from '../../models/wire/ike/index.ts';
import { testRng } from '../models/dhcp/test-rng.ts';

const CLIENT = '198.51.100.11';
const GATEWAY = '198.51.100.1';
export const ASSIGNED = { address: '10.99.0.1', prefixLength: 24, dns: ['10.1.0.53'] } as const;

/** xstate's clock on virtual ms: timeouts run in (time, insertion) order; `nextDueMs` says when the next one is. */
export class PairClock implements VirtualClock {
  private nowMsValue = 0;
  private seq = 0;
  private readonly pending = new Map<number, { readonly atMs: number; readonly fn: () => void }>();

  nowMs(): number {
    return this.nowMsValue;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown {
    const id = this.seq++;
    this.pending.set(id, { atMs: this.nowMsValue + timeoutMs, fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.pending.delete(id as number);
  }

  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const t of this.pending.values()) if (next === undefined || t.atMs < next) next = t.atMs;
    return next;
  }

  /** Runs every timeout due up to `untilMs`, in order; the clock ends at `untilMs`. */
  runUntil(untilMs: number): void {
    for (let step = 0; step < 100_000; step++) {
      let nextId: number | undefined;
      let next: { atMs: number; fn: () => void } | undefined;
      for (const [id, t] of this.pending) {
        if (t.atMs <= untilMs && (next === undefined || t.atMs < next.atMs)) {
          next = t;
          nextId = id;
        }
      }
      if (next === undefined || nextId === undefined) {
        this.nowMsValue = Math.max(this.nowMsValue, untilMs);
        return;
      }
      this.pending.delete(nextId);
      this.nowMsValue = next.atMs;
      next.fn();
    }
    throw new Error('PairClock.runUntil: step bound reached');
  }
}

export type Side = 'initiator' | 'responder';
/** What the test was doing when a message was sent. */
export type Cause = 'connect' | 'deliver-to-initiator' | 'deliver-to-responder' | 'clock';

export interface Sent {
  readonly seq: number;
  readonly atMs: number;
  readonly from: Side;
  /**
   * `sa`: by an IKE SA's machine (or the gateway re-sending a retired SA's last response, the same bytes);
   * `invalid-spi`: the gateway's unprotected INVALID_IKE_SPI about an SA it does not have (RFC 7296 §2.21.4).
   */
  readonly by: 'sa' | 'invalid-spi';
  readonly cause: Cause;
  readonly bytes: Uint8Array;
  /** Decoded back from `bytes`: what the peer will see. */
  readonly message: IkeMessage;
}

export interface InFlight {
  readonly sent: Sent;
  readonly bytes: Uint8Array;
}

export interface PairOptions {
  readonly seed: number;
  readonly retransmit: RetransmitPolicy;
  readonly providerDelayMs: number;
  readonly busyRepeat: BusyRepeatPolicy;
}

/** One IKE SA at the fake gateway (GatewayNode's SaRecord, reduced). */
interface ResponderRecord {
  readonly actor: Actor<typeof responderMachine>;
  peerId: string;
  lastResponse?: IkeMessage;
}

export class IkePair {
  readonly clock = new PairClock();
  /** The current initiator (a new one after each reconnect). */
  initiator!: Actor<typeof initiatorMachine>;
  /** Every initiator so far, oldest first. */
  readonly initiators: Actor<typeof initiatorMachine>[] = [];
  /** The gateway's live IKE SAs by SPIi. */
  readonly responders = new Map<string, ResponderRecord>();
  /** In flight towards each side, in the order sent. */
  readonly toResponder: InFlight[] = [];
  readonly toInitiator: InFlight[] = [];
  readonly sends: Sent[] = [];
  /** Requests delivered to the responder (decoded), in order. */
  readonly deliveredToResponder: IkeMessage[] = [];
  readonly closed: { side: Side; reason: string; atMs: number }[] = [];
  /** `spiI`: the initiator's (or responder's) IKE SA that noted it. */
  readonly notes: {
    side: Side;
    spiI: string;
    text: string;
    data: Readonly<Record<string, string | number | boolean>>;
  }[] = [];
  readonly retired: RetiredResponses;
  reconnects = 0;
  private reconnectTries = 0;
  private reconnectDue = false;
  private readonly invalidSpiReplies = new ReplyLimit(INVALID_SPI_REPLIES_PER_SEC, 1_000_000);
  private cause: Cause = 'clock';
  private depth = 0;
  /** Actors that reached their end inside an event; stopped once it is over (as GatewayNode's `gateway.reap`). */
  private readonly reap: AnyActorRef[] = [];
  private readonly initiatorRng: RandomStream;
  private readonly responderRng: RandomStream;

  constructor(readonly options: PairOptions) {
    const rng = testRng(options.seed);
    this.initiatorRng = rng.fork('initiator');
    this.responderRng = rng.fork('responder');
    this.retired = new RetiredResponses(retiredKeepUs(options.retransmit));
    this.newInitiator();
  }

  private newInitiator(): void {
    const initiator = createActor(initiatorMachine, {
      clock: this.clock,
      input: {
        cfg: peerConfig({
          identity: 'client1@example.com',
          pskName: 'psk-client1',
          retransmit: this.options.retransmit,
        }),
        method: modeCfgClient(),
        peerIdentity: 'gw.example.com',
        rng: this.initiatorRng,
      },
    });
    initiator.on('*', (e) => {
      // A replaced initiator is stopped; nothing it might still emit belongs to the pair.
      if (initiator === this.initiator) this.onEmitted('initiator', e as IkeEmitted);
    });
    this.initiator = initiator;
    this.initiators.push(initiator);
    initiator.start();
  }

  connect(): void {
    this.act('connect', () => this.initiator.send({ type: 'cmd.connect' }));
  }

  /** The responder of the current initiator's IKE SA, if the gateway has it. */
  get responder(): Actor<typeof responderMachine> | undefined {
    const spiI = this.initiator.getSnapshot().context.init.spiI;
    return this.responders.get(spiI)?.actor;
  }

  /** The SPIr of the gateway's live IKE SA for `spiI`. */
  responderSpiR(spiI: string): string | undefined {
    return this.responders.get(spiI)?.actor.getSnapshot().context.keys.spiR;
  }

  private act(cause: Cause, f: () => void): void {
    const before = this.cause;
    this.cause = cause;
    this.depth++;
    try {
      f();
    } finally {
      this.cause = before;
      this.depth--;
      if (this.depth === 0) for (const a of this.reap.splice(0)) a.stop();
    }
  }

  private logSend(side: Side, message: IkeMessage, by: Sent['by']): void {
    const [src, dst] = side === 'initiator' ? [CLIENT, GATEWAY] : [GATEWAY, CLIENT];
    const bytes = packetCodec.encode(ikePacket(src, dst, message));
    const sent: Sent = {
      seq: this.sends.length,
      atMs: this.clock.nowMs(),
      from: side,
      by,
      cause: this.cause,
      bytes,
      message: decodeIke(bytes),
    };
    this.sends.push(sent);
    (side === 'initiator' ? this.toResponder : this.toInitiator).push({ sent, bytes });
  }

  private onEmitted(side: Side, e: IkeEmitted, rec?: ResponderRecord): void {
    switch (e.type) {
      case 'net.send':
        if (rec !== undefined && e.message.response) rec.lastResponse = e.message;
        this.logSend(side, e.message, 'sa');
        return;
      case 'net.resend':
        // GatewayNode keeps the last response as sent and sends it again (RFC 7296 §2.1).
        if (rec?.lastResponse !== undefined && rec.lastResponse.messageId === e.messageId)
          this.logSend(side, rec.lastResponse, 'sa');
        return;
      case 'ike.authenticated':
        if (rec !== undefined) this.enforceUniqueness(rec, e.peerId, e.initialContact);
        return;
      case 'ike.up':
        if (side === 'initiator') this.reconnectTries = 0;
        return;
      case 'ike.rekeyed':
        return;
      case 'ike.closed':
        this.closed.push({ side, reason: e.reason, atMs: this.clock.nowMs() });
        if (rec !== undefined) this.removeResponder(rec);
        else this.maybeReconnect(e.reason);
        return;
      case 'ike.note': {
        const spiI = rec?.actor.getSnapshot().context.keys.spiI ?? this.initiator.getSnapshot().context.init.spiI;
        this.notes.push({ side, spiI, text: e.text, data: e.data });
        return;
      }
      default:
        return;
    }
  }

  /** The last initiator closed and no reconnect is due: `triesMax` connections in a row failed (ClientNode). */
  reconnectsExhausted(): boolean {
    return (
      !this.reconnectDue &&
      this.initiator.getSnapshot().status !== 'active' &&
      this.reconnectTries >= DEFAULT_RECONNECT.triesMax
    );
  }

  private isLive(rec: ResponderRecord): boolean {
    return [...this.responders.values()].includes(rec);
  }

  /** GatewayNode `ike.closed`: the SA's last response is retired (RFC 7296 §2.1), the record removed. */
  private removeResponder(rec: ResponderRecord): void {
    this.retired.retire(rec.lastResponse, this.clock.nowMs() * 1000);
    for (const [spiI, r] of this.responders) if (r === rec) this.responders.delete(spiI);
    this.reap.push(rec.actor);
  }

  /** GatewayNode `enforceUniqueness` with uniqueids=replace (the default policy). */
  private enforceUniqueness(rec: ResponderRecord, peerId: string, initialContact: boolean): void {
    rec.peerId = peerId;
    const reason = initialContact ? 'initial-contact' : 'replaced';
    for (const old of [...this.responders.values()]) {
      if (old !== rec && old.peerId === peerId)
        old.actor.send({ type: 'cmd.delete', notifyPeer: !initialContact, reason });
    }
  }

  /** ClientNode `maybeReconnect`: a new IKE SA after the reconnect delay, up to `triesMax` failures in a row. */
  private maybeReconnect(reason: string): void {
    const policy = DEFAULT_RECONNECT;
    if (reason === 'disconnect' || this.reconnectTries >= policy.triesMax) return;
    this.reconnectTries++;
    const old = this.initiator;
    const delayMs = policy.delayMs + this.initiatorRng.intBelow(policy.jitterMs + 1);
    this.reconnectDue = true;
    this.clock.setTimeout(() => {
      this.act('clock', () => {
        this.reconnectDue = false;
        this.reconnects++;
        this.newInitiator();
        this.initiator.send({ type: 'cmd.connect' });
      });
    }, delayMs);
    this.reap.push(old);
  }

  /** Hands the bytes to the receiving side (as ClientNode.receive / GatewayNode.receiveIke do). */
  deliver(to: Side, index: number): void {
    const queue = to === 'responder' ? this.toResponder : this.toInitiator;
    const [item] = queue.splice(index, 1);
    if (item === undefined) return;
    const message = decodeIke(item.bytes);
    if (to === 'initiator') {
      const initiator = this.initiator;
      // A closed initiator waiting for its reconnect has stopped: the message finds no IKE SA on the client.
      if (initiator.getSnapshot().status !== 'active') return;
      this.act('deliver-to-initiator', () => initiator.send({ type: 'net.recv', message }));
      return;
    }
    this.act('deliver-to-responder', () => {
      this.deliveredToResponder.push(message);
      const rec = this.responders.get(message.spiI);
      // GatewayNode `namesSa`: both SPIs name the SA (RFC 7296 §3.1); an IKE_SA_INIT request has no SPIr yet.
      const keys = rec?.actor.getSnapshot().context;
      const named =
        message.spiR === '0000000000000000'
          ? message.exchangeType === IkeExchangeType.IKE_SA_INIT
          : message.spiR === keys?.keys.spiR || message.spiR === keys?.newKeys?.spiR;
      if (rec !== undefined && named) {
        rec.actor.send({ type: 'net.recv', message });
        return;
      }
      if (message.exchangeType !== IkeExchangeType.IKE_SA_INIT || message.response || message.messageId !== 0) {
        this.unknownSa(message);
        return;
      }
      this.createResponder(message);
    });
  }

  /** GatewayNode `retiredRequest` then `unknownSpi`. */
  private unknownSa(m: IkeMessage): void {
    const r = this.retired.answer(m, this.clock.nowMs() * 1000);
    if (r !== undefined) {
      if (r.kind === 'resend') this.logSend('responder', r.message, 'sa');
      return;
    }
    const resp = invalidSpi.buildResponse(m, false);
    if (resp !== undefined && this.invalidSpiReplies.allow(this.clock.nowMs() * 1000))
      this.logSend('responder', resp, 'invalid-spi');
  }

  private createResponder(m: IkeMessage): void {
    const cfg = peerConfig({ identity: 'gw.example.com', pskName: 'unused' });
    const accepted = ikeInit.processR(cfg, m);
    if (!accepted.ok) throw new Error(`IKE_SA_INIT rejected: ${accepted.reason}`);
    const responder = createActor(responderMachine, {
      clock: this.clock,
      input: {
        cfg,
        policy: {
          ...DEFAULT_RESPONDER_POLICY,
          protectedSubnets: [tsRange('10.1.0.0', '10.1.0.255')],
          busyRepeat: this.options.busyRepeat,
        },
        pskFor: (id) => (id === 'client1@example.com' ? 'psk-client1' : undefined),
        rng: this.responderRng,
        ikeSaId: m.spiI,
        accepted,
        provider: stubProvider({
          address: (_req, reply) => {
            // The fake provider: the address after `providerDelayMs` (a DHCP server's round trip, say).
            this.clock.setTimeout(() => {
              // Not to an SA that ended meanwhile (GatewayNode drops answers for an SA no longer current).
              if (!this.isLive(rec)) return;
              this.act('clock', () =>
                reply({ ok: true, config: ASSIGNED, replyPayloads: [ikeConfig.buildR(ASSIGNED)] }),
              );
            }, this.options.providerDelayMs);
          },
        }),
        providerChildren: false,
      },
    });
    const rec: ResponderRecord = { actor: responder, peerId: '' };
    this.responders.set(m.spiI, rec);
    responder.on('*', (e) => this.onEmitted('responder', e as IkeEmitted, rec));
    responder.start();
    responder.send({ type: 'ike.start', request: m });
  }

  drop(to: Side, index: number): void {
    (to === 'responder' ? this.toResponder : this.toInitiator).splice(index, 1);
  }

  duplicate(to: Side, index: number): void {
    const queue = to === 'responder' ? this.toResponder : this.toInitiator;
    const item = queue[index];
    if (item !== undefined) queue.push({ sent: item.sent, bytes: item.bytes.slice() });
  }

  advance(ms: number): void {
    this.act('clock', () => this.clock.runUntil(this.clock.nowMs() + ms));
  }

  initiatorState(): string {
    return JSON.stringify(this.initiator.getSnapshot().value);
  }

  /** The current initiator and the gateway's IKE SA of the same SPIs are both established. */
  established(): boolean {
    const ctx = this.initiator.getSnapshot().context;
    const spiR = ctx.keys?.spiR;
    return (
      this.initiator.getSnapshot().matches('established') &&
      spiR !== undefined &&
      this.responderSpiR(ctx.init.spiI) === spiR &&
      this.responder?.getSnapshot().matches('established') === true
    );
  }
}

function decodeIke(bytes: Uint8Array): IkeMessage {
  const r = packetCodec.decode(bytes);
  const m = r.ok ? ikeOf(r.value) : undefined;
  if (m === undefined) throw new Error('the channel carried bytes that are not an IKE message');
  return m;
}
