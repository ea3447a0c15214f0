/**
 * An IKEv2 initiator and responder (models/ike) wired together the way the client and gateway nodes wire them —
 * the responder is created by the first IKE_SA_INIT request, as GatewayNode does, and asks a fake address provider
 * that answers after `providerDelayMs` with a CP(CFG_REPLY) — through a channel the test drives by hand: every
 * message crosses it as bytes (packetCodec, IPv4/UDP/500) and waits there until the test delivers, drops or
 * duplicates it, in any order. Time is a virtual clock the test advances. Every send is logged with what caused it.
 */
import { createActor, type Actor } from 'xstate';
import type { RandomStream, VirtualClock } from '../../models/contract.ts';
import { DEFAULT_RESPONDER_POLICY, peerConfig, type BusyRepeatPolicy } from '../../models/ike/config.ts';
import { initiatorMachine } from '../../models/ike/initiator-machine.ts';
import { responderMachine } from '../../models/ike/responder-machine.ts';
import type { RetransmitPolicy } from '../../models/ike/retransmit.ts';
import type { IkeEmitted } from '../../models/ike/steps.ts';
import * as ikeConfig from '../../models/ike/tasks/ike-config.ts';
import * as ikeInit from '../../models/ike/tasks/ike-init.ts';
import { modeCfgClient } from '../../models/methods/mode-cfg.ts';
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

export class IkePair {
  readonly clock = new PairClock();
  readonly initiator: Actor<typeof initiatorMachine>;
  responder: Actor<typeof responderMachine> | undefined;
  /** In flight towards each side, in the order sent. */
  readonly toResponder: InFlight[] = [];
  readonly toInitiator: InFlight[] = [];
  readonly sends: Sent[] = [];
  /** Requests delivered to the responder (decoded), in order. */
  readonly deliveredToResponder: IkeMessage[] = [];
  readonly closed: { side: Side; reason: string; atMs: number }[] = [];
  readonly notes: { side: Side; text: string; data: Readonly<Record<string, string | number | boolean>> }[] = [];
  private cause: Cause = 'clock';
  private responderSpiI: string | undefined;
  private readonly responderRng: RandomStream;

  constructor(readonly options: PairOptions) {
    const rng = testRng(options.seed);
    this.initiator = createActor(initiatorMachine, {
      clock: this.clock,
      input: {
        cfg: peerConfig({ identity: 'client1@example.com', pskName: 'psk-client1', retransmit: options.retransmit }),
        method: modeCfgClient(),
        peerIdentity: 'gw.example.com',
        rng: rng.fork('initiator'),
      },
    });
    this.initiator.on('*', (e) => this.onEmitted('initiator', e as IkeEmitted));
    this.initiator.start();
    this.responderRng = rng.fork('responder');
  }

  connect(): void {
    this.act('connect', () => this.initiator.send({ type: 'cmd.connect' }));
  }

  private act(cause: Cause, f: () => void): void {
    const before = this.cause;
    this.cause = cause;
    try {
      f();
    } finally {
      this.cause = before;
    }
  }

  private onEmitted(side: Side, e: IkeEmitted): void {
    switch (e.type) {
      case 'net.send': {
        const [src, dst] = side === 'initiator' ? [CLIENT, GATEWAY] : [GATEWAY, CLIENT];
        const bytes = packetCodec.encode(ikePacket(src, dst, e.message));
        const message = decodeIke(bytes);
        const sent: Sent = {
          seq: this.sends.length,
          atMs: this.clock.nowMs(),
          from: side,
          cause: this.cause,
          bytes,
          message,
        };
        this.sends.push(sent);
        (side === 'initiator' ? this.toResponder : this.toInitiator).push({ sent, bytes });
        return;
      }
      case 'address.request': {
        // The fake provider: the address after `providerDelayMs` (a DHCP server's round trip, say).
        const responder = this.responder;
        this.clock.setTimeout(() => {
          this.act('clock', () =>
            responder?.send({
              type: 'provider.answer',
              answer: { ok: true, config: ASSIGNED, replyPayloads: [ikeConfig.buildR(ASSIGNED)] },
            }),
          );
        }, this.options.providerDelayMs);
        return;
      }
      case 'ike.closed':
        this.closed.push({ side, reason: e.reason, atMs: this.clock.nowMs() });
        return;
      case 'ike.note':
        this.notes.push({ side, text: e.text, data: e.data });
        return;
      default:
        return;
    }
  }

  /** Hands the bytes to the receiving side (as GatewayNode.receiveIke does for the responder). */
  deliver(to: Side, index: number): void {
    const queue = to === 'responder' ? this.toResponder : this.toInitiator;
    const [item] = queue.splice(index, 1);
    if (item === undefined) return;
    const message = decodeIke(item.bytes);
    if (to === 'initiator') {
      this.act('deliver-to-initiator', () => this.initiator.send({ type: 'net.recv', message }));
      return;
    }
    this.act('deliver-to-responder', () => {
      this.deliveredToResponder.push(message);
      if (this.responder !== undefined && message.spiI === this.responderSpiI) {
        this.responder.send({ type: 'net.recv', message });
        return;
      }
      if (message.exchangeType !== IkeExchangeType.IKE_SA_INIT || message.response || message.messageId !== 0) return;
      this.createResponder(message);
    });
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
        initRequest: m,
        accepted,
        providerChildren: false,
      },
    });
    this.responder = responder;
    this.responderSpiI = m.spiI;
    responder.on('*', (e) => this.onEmitted('responder', e as IkeEmitted));
    responder.start();
    responder.send({ type: 'ike.start' });
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

  established(): boolean {
    return (
      this.initiator.getSnapshot().matches('established') &&
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
