/**
 * Model-based test of the IKEv2 initiator and responder machines over a channel the test misbehaves: random
 * sequences of deliver (in order or not), drop, duplicate and clock advances between `cmd.connect` and the end.
 * After every command: message IDs of new messages strictly increase per direction and a repeated ID is a
 * byte-identical copy (RFC 7296 §2.1–2.2); only the initiator retransmits (the responder answers each delivered
 * request at most once, and never on its own clock but for the provider's first answer); a repeat of the request
 * last answered gets the cached response, byte for byte; the initiator gives up only after its whole schedule.
 * Then the channel heals: the pair must be established within one retransmission wait, unless the initiator
 * already gave up after its full schedule.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { DOUBLING_RETRANSMIT, STRONGSWAN_RETRANSMIT, retransmitWaitsMs } from '../../../models/ike/retransmit.ts';
import { commandsReplayPath } from '../../support/commands-replay.ts';
import { IkePair, type PairOptions, type Sent, type Side } from '../../support/ike-pair.ts';

interface Model {
  readonly pair: IkePair;
}
type Cmd = fc.Command<Model, IkePair>;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function describeSent(s: Sent): string {
  return `${s.from} #${s.message.messageId} ${s.message.response ? 'response' : 'request'} at ${s.atMs} ms (${s.cause})`;
}

/** The invariants over everything sent so far. */
function checkInvariants(pair: IkePair): void {
  // Window of one, no responder-initiated exchanges here: the initiator sends requests, the responder responses.
  for (const s of pair.sends) expect(s.message.response, describeSent(s)).toBe(s.from === 'responder');

  for (const side of ['initiator', 'responder'] as const) {
    const first = new Map<number, Sent>();
    let newestId = -1;
    for (const s of pair.sends.filter((x) => x.from === side)) {
      const id = s.message.messageId;
      const earlier = first.get(id);
      if (earlier === undefined) {
        // RFC 7296 §2.2: each new message in a direction takes the next ID.
        expect(id, `${describeSent(s)}: a new message ID after #${newestId}`).toBeGreaterThan(newestId);
        newestId = id;
        first.set(id, s);
        continue;
      }
      // RFC 7296 §2.1: a retransmitted request, or a repeated response, is the same message, bit for bit.
      expect(sameBytes(s.bytes, earlier.bytes), `${describeSent(s)} repeats ${describeSent(earlier)}`).toBe(true);
      // Only the initiator retransmits, on its timer; the responder repeats only when the request comes again.
      expect(s.cause, describeSent(s)).toBe(side === 'initiator' ? 'clock' : 'deliver-to-responder');
    }
  }

  // The responder answers each delivery of a request at most once (it never retransmits by itself).
  const delivered = new Map<number, number>();
  for (const m of pair.deliveredToResponder) delivered.set(m.messageId, (delivered.get(m.messageId) ?? 0) + 1);
  const answered = new Map<number, number>();
  for (const s of pair.sends) {
    if (s.from === 'responder') answered.set(s.message.messageId, (answered.get(s.message.messageId) ?? 0) + 1);
  }
  for (const [id, n] of answered) expect(n, `responses #${id}`).toBeLessThanOrEqual(delivered.get(id) ?? 0);

  // Giving up (RFC 7296 §2.4) only after the whole schedule: the first send and every retransmission.
  const tries = pair.options.retransmit.tries;
  for (const note of pair.notes.filter((n) => n.side === 'initiator' && n.text === 'ike.giveUp')) {
    const copies = pair.sends.filter((s) => s.from === 'initiator' && s.message.messageId === note.data['messageId']);
    expect(copies.length, `give-up on #${String(note.data['messageId'])}`).toBe(tries + 1);
  }
}

function queue(pair: IkePair, to: Side): readonly unknown[] {
  return to === 'responder' ? pair.toResponder : pair.toInitiator;
}

class Deliver implements Cmd {
  constructor(
    readonly to: Side,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>): boolean => queue(m.pair, this.to).length > 0;
  run(_m: Model, pair: IkePair): void {
    const q = this.to === 'responder' ? pair.toResponder : pair.toInitiator;
    const index = this.pick % q.length;
    const item = q[index];
    const before = pair.sends.length;
    // The responder's latest response, which a repeat of its request must get again (RFC 7296 §2.1).
    const latest = pair.sends.filter((s) => s.from === 'responder').at(-1);
    pair.deliver(this.to, index);
    const request = item?.sent.message;
    if (this.to === 'responder' && latest !== undefined && request !== undefined && !request.response) {
      if (request.messageId === latest.message.messageId && request.spiI === latest.message.spiI) {
        const replies = pair.sends.slice(before);
        expect(replies.length, `a repeat of request #${request.messageId}`).toBe(1);
        expect(sameBytes(replies[0]?.bytes ?? new Uint8Array(), latest.bytes)).toBe(true);
      }
    }
    checkInvariants(pair);
  }
  toString = (): string => `deliver to ${this.to} [${this.pick}]`;
}

class Drop implements Cmd {
  constructor(
    readonly to: Side,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>): boolean => queue(m.pair, this.to).length > 0;
  run(_m: Model, pair: IkePair): void {
    pair.drop(this.to, this.pick % queue(pair, this.to).length);
    checkInvariants(pair);
  }
  toString = (): string => `drop to ${this.to} [${this.pick}]`;
}

class Duplicate implements Cmd {
  constructor(
    readonly to: Side,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>): boolean => queue(m.pair, this.to).length > 0;
  run(_m: Model, pair: IkePair): void {
    pair.duplicate(this.to, this.pick % queue(pair, this.to).length);
    checkInvariants(pair);
  }
  toString = (): string => `duplicate to ${this.to} [${this.pick}]`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  run(_m: Model, pair: IkePair): void {
    pair.advance(this.ms);
    checkInvariants(pair);
  }
  toString = (): string => `advance ${this.ms} ms`;
}

/** To the next timer (a retransmission, the provider's answer) ± 1 ms. */
class AdvanceToTimer implements Cmd {
  constructor(readonly offsetMs: number) {}
  check = (m: Readonly<Model>): boolean => m.pair.clock.nextDueMs() !== undefined;
  run(_m: Model, pair: IkePair): void {
    const due = pair.clock.nextDueMs() ?? pair.clock.nowMs();
    pair.advance(Math.max(0, due + this.offsetMs - pair.clock.nowMs()));
    checkInvariants(pair);
  }
  toString = (): string => `advance to the next timer ${this.offsetMs >= 0 ? '+' : ''}${this.offsetMs} ms`;
}

/**
 * The channel heals: everything in flight and everything sent from now on is delivered in order, at once. Returns
 * when the pair is established, the initiator closed, or `boundMs` passed.
 */
function heal(pair: IkePair, boundMs: number): void {
  const untilMs = pair.clock.nowMs() + boundMs;
  for (let round = 0; round < 1000; round++) {
    for (;;) {
      const heads = [pair.toResponder[0], pair.toInitiator[0]];
      const next = heads.reduce((a, b) => (b !== undefined && (a === undefined || b.sent.seq < a.sent.seq) ? b : a));
      if (next === undefined) break;
      pair.deliver(next === pair.toResponder[0] ? 'responder' : 'initiator', 0);
      checkInvariants(pair);
    }
    if (pair.established() || pair.closed.some((c) => c.side === 'initiator')) return;
    const due = pair.clock.nextDueMs();
    if (due === undefined || due > untilMs) return;
    pair.advance(due - pair.clock.nowMs());
    checkInvariants(pair);
  }
}

const sideArb = fc.constantFrom<Side>('responder', 'initiator');
const pickArb = fc.nat(7);

const commands = [
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(sideArb, pickArb).map(([to, pick]): Cmd => new Deliver(to, pick)) },
    { weight: 2, arbitrary: fc.tuple(sideArb, pickArb).map(([to, pick]): Cmd => new Drop(to, pick)) },
    { weight: 2, arbitrary: fc.tuple(sideArb, pickArb).map(([to, pick]): Cmd => new Duplicate(to, pick)) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 20_000 }).map((ms): Cmd => new Advance(ms)) },
    { weight: 3, arbitrary: fc.integer({ min: -1, max: 1 }).map((ms): Cmd => new AdvanceToTimer(ms)) },
  ),
];

const optionsArb: fc.Arbitrary<PairOptions> = fc.record({
  seed: fc.nat(),
  retransmit: fc.constantFrom(STRONGSWAN_RETRANSMIT, DOUBLING_RETRANSMIT),
  // Below the responder's 10 s address timeout, above its first retransmission (1 s or 4 s) now and then.
  providerDelayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6_000 })),
  busyRepeat: fc.constantFrom('ignore' as const, 'ack-later' as const),
});

describe('IKEv2 initiator and responder over a lossy, duplicating, reordering channel', () => {
  fcTest.prop([optionsArb, fc.commands(commands, { maxCommands: 50, size: 'large', ...commandsReplayPath() })], {
    numRuns: 80,
  })(
    'message IDs, retransmission, the responder cache and liveness after healing (RFC 7296 §2.1–2.4)',
    (options, cmds) => {
      let pair: IkePair | undefined;
      fc.modelRun(() => {
        pair = new IkePair(options);
        pair.connect();
        checkInvariants(pair);
        return { model: { pair }, real: pair };
      }, cmds);
      if (pair === undefined) throw new Error('no run');

      // Liveness: one retransmission wait (the longest) and the provider's delay after the channel heals.
      const boundMs = Math.max(...retransmitWaitsMs(options.retransmit)) + options.providerDelayMs + 100;
      heal(pair, boundMs);
      const gaveUp = pair.closed.filter((c) => c.side === 'initiator');
      if (gaveUp.length > 0) {
        expect(gaveUp.map((c) => c.reason)).toEqual(['dead-peer']);
        expect(pair.notes.filter((n) => n.side === 'initiator' && n.text === 'ike.giveUp')).toHaveLength(1);
      } else {
        expect(pair.established(), `initiator ${pair.initiatorState()} at ${pair.clock.nowMs()} ms`).toBe(true);
        expect(pair.responder?.getSnapshot().context.config).toEqual(expect.objectContaining({ address: '10.99.0.1' }));
      }
      expect(pair.closed.filter((c) => c.side === 'responder')).toEqual([]);
    },
  );
});
