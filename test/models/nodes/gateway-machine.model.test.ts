/**
 * The gateway machine (models/nodes/gateway/gateway-machine.ts) driven through real actors: a real provider actor over a
 * fake `AddressProvider`, real responders it spawns, IKE messages built by the initiator's task functions and passed
 * through the codecs. Scripted paths (not xstate/graph: the machine's context holds the SA table as mutable maps, which
 * a graph traversal would share between vertices) take every state and transition; each step checks what goes out:
 * an IKE_SA_INIT gets its response from a new responder with a deterministic child id, a rejected one an answer with
 * SPIr zero (RFC 7296 §1.2), an unknown SPI INVALID_IKE_SPI (§2.21.4), a retired SA's repeat the cached response (§2.1),
 * INITIAL_CONTACT deletes the identity's other SAs (§2.4), a closed SA's address goes back to the provider, a crash
 * forgets everything.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { DEFAULT_RESPONDER_POLICY, peerConfig } from '../../../models/ike/config.ts';
import type { AddressAnswer } from '../../../models/ike/hooks.ts';
import { ikeMessage } from '../../../models/ike/messages.ts';
import * as ikeConfig from '../../../models/ike/tasks/ike-config.ts';
import * as ikeInit from '../../../models/ike/tasks/ike-init.ts';
import type { AddressProvider } from '../../../models/methods/method.ts';
import {
  gatewayMachine,
  toGateway,
  type GatewayEvent,
  type SaRecord,
} from '../../../models/nodes/gateway/gateway-machine.ts';
import { providerActor } from '../../../models/nodes/gateway/provider-actor.ts';
import type { SentResponse } from '../../../models/nodes/gateway/sa-table.ts';
import { ikeOf, ikePacket, packetCodec } from '../../../models/nodes/lab-packet.ts';
import { IkeExchangeType, findNotify, tsRange, type IkeMessage } from '../../../models/wire/ike/index.ts';
import { createRng } from '../../../sim/rng.ts';
import { expectFullCoverage, TransitionCoverage } from '../../support/machine-coverage.ts';

const GW = 'gw.example.com';
const CLIENT_ADDR = '192.0.2.10';
const cfgR = peerConfig({ identity: GW, pskName: 'unused' });
const ASSIGNED = { address: '10.99.0.7', prefixLength: 24, dns: [] };

function wire(m: IkeMessage): IkeMessage {
  const r = packetCodec.decode(packetCodec.encode(ikePacket(CLIENT_ADDR, '192.0.2.1', m)));
  const back = r.ok ? ikeOf(r.value) : undefined;
  if (back === undefined) throw new Error('not an IKE message after the codecs');
  return back;
}

/** The response a harness port kept (this harness keeps the message itself, see `sendResponse`). */
function keptMessage(kept: SentResponse): IkeMessage {
  if (kept.sent instanceof Uint8Array) throw new Error('this harness keeps responses as messages');
  return kept.sent;
}

function initRequest(spiI: string, groups: readonly number[] = [31]): IkeMessage {
  const cfg = peerConfig({ identity: 'c@example.com', pskName: 'p', dhGroups: [...groups] });
  const { payloads } = ikeInit.buildI(cfg, createRng(3), groups[0] ?? 31);
  return wire(
    ikeMessage(
      { spiI, spiR: '0000000000000000', originalInitiator: true, suite: undefined },
      IkeExchangeType.IKE_SA_INIT,
      0,
      false,
      payloads,
    ),
  );
}

function harness() {
  const sent: { dst: string; message: IkeMessage }[] = [];
  const notes: { text: string; data: Readonly<Record<string, unknown>> }[] = [];
  const states: string[] = [];
  /** Traced states and sent packets, interleaved as they happened. */
  const order: string[] = [];
  const later: (() => void)[] = [];
  const released: string[] = [];
  let resets = 0;
  /** Called as each response goes out (while the gateway machine handles the event that sent it). */
  let onResponse: ((m: IkeMessage) => void) | undefined;
  const sendIke = (dst: string, message: IkeMessage): void => {
    sent.push({ dst, message: wire(message) });
    order.push(`send ${message.exchangeType}${message.response ? ' response' : ''}`);
  };
  const plugin: AddressProvider = {
    request: (_req, answer: (a: AddressAnswer) => void) =>
      answer({ ok: true, config: ASSIGNED, replyPayloads: [ikeConfig.buildR(ASSIGNED)] }),
    release: (ikeSaId) => released.push(ikeSaId),
    reset: () => (resets += 1),
    snapshot: () => ({}),
  };
  const provider = createActor(providerActor, { input: { provider: plugin, assigned: () => undefined } });
  provider.start();
  const cov = COV;
  const gateway = createActor(gatewayMachine, {
    inspect: cov.inspect,
    input: {
      ike: cfgR,
      policy: { ...DEFAULT_RESPONDER_POLICY, protectedSubnets: [tsRange('10.1.0.0', '10.1.0.255')] },
      psks: { 'c@example.com': 'p' },
      rng: createRng(9),
      clock: { setTimeout: () => 0, clearTimeout: () => undefined },
      provider,
      providerChildren: false,
      ports: {
        nowUs: () => 0,
        traceNote: (text, data) => notes.push({ text, data }),
        traceState: (m, from, to) => {
          states.push(`${m}:${from}→${to}`);
          order.push(`state ${to}`);
        },
        sendIke: (dst, message) => sendIke(dst, message),
        // As the node adapter keeps a response as sent; here as the message (the adapter keeps its bytes).
        sendResponse: (dst, message) => {
          sendIke(dst, message);
          onResponse?.(message);
          const { spiI, spiR, messageId } = message;
          return { spiI, spiR, messageId, response: true, sent: message, summary: undefined };
        },
        resend: (dst, kept) => sendIke(dst, keptMessage(kept)),
        afterThisEvent: (fire) => later.push(fire),
        forgetEsp: () => undefined,
        clearDataPlane: () => undefined,
      },
    },
  });
  gateway.start();
  const records = (): ReadonlyMap<string, SaRecord> => gateway.getSnapshot().context.table.records;
  const reap = (): void => {
    for (const f of later.splice(0)) f();
  };
  // As the node adapter does: every event through toGateway, so the machine knows when it is idle (a responder's
  // packet while it is handling an event waits its turn as `sa.emitted`, RFC order kept).
  const send = (e: GatewayEvent): void => toGateway(gateway, gateway.getSnapshot().context.handling, e);
  const whenResponding = (f: (m: IkeMessage) => void): void => {
    onResponse = f;
  };
  return { gateway, send, sent, notes, states, order, released, resets: () => resets, records, reap, whenResponding };
}

const COV = new TransitionCoverage(gatewayMachine);

describe('gateway machine: scripted paths through real actors', () => {
  it('a responder’s packet or note waits its turn while the gateway handles an event, and goes straight out when it is idle', () => {
    const h = harness();
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest('5555000055550000') });
    // Handling gw.ike: the responder's IKE_SA_INIT response waits (sa.emitted) behind its state changes.
    expect(h.order).toEqual(['state start', 'state initDone', `send ${IkeExchangeType.IKE_SA_INIT} response`]);
    // Idle: the IKE_SA_INIT repeated straight to the responder gets its cached response (RFC 7296 §2.1) with no
    // step of the gateway machine.
    const rec = h.records().get('5555000055550000');
    if (rec === undefined) throw new Error('the SA exists');
    let gatewaySteps = 0;
    const notesBefore = h.notes.length;
    const sub = h.gateway.subscribe(() => (gatewaySteps += 1));
    rec.actor.send({ type: 'net.recv', message: initRequest('5555000055550000') });
    sub.unsubscribe();
    expect(h.order.slice(3)).toEqual([`send ${IkeExchangeType.IKE_SA_INIT} response`]);
    // The responder's note and packet went out without a step of the gateway machine.
    expect(h.notes.slice(notesBefore).map((n) => n.text)).toEqual(['ike.cachedResponse']);
    expect(gatewaySteps).toBe(0);
    const kept = rec.lastResponse;
    expect(kept === undefined ? undefined : keptMessage(kept).exchangeType).toBe(IkeExchangeType.IKE_SA_INIT);
  });

  it('a new IKE SA, its repeat, a rejected IKE_SA_INIT, an unknown SPI', () => {
    const h = harness();
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest('1111000011110000') });
    const rec = h.records().get('1111000011110000');
    expect(rec?.actor.id).toBe('ike:1111000011110000#0');
    expect(h.states).toEqual(['ike:1111000011110000:none→start', 'ike:1111000011110000:start→initDone']);
    expect(h.sent.map((s) => [s.dst, s.message.exchangeType, s.message.response])).toEqual([
      [CLIENT_ADDR, IkeExchangeType.IKE_SA_INIT, true],
    ]);
    // An IKE_SA_INIT the gateway cannot accept (DH group 14 only): answered with SPIr zero, no SA.
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest('2222000022220000', [14]) });
    expect(h.notes.map((n) => n.text)).toContain('ike.initRejected');
    expect(h.sent[1]?.message.spiR).toBe('0000000000000000');
    expect(h.records().has('2222000022220000')).toBe(false);
    // A request for an SA we never had: INVALID_IKE_SPI (RFC 7296 §2.21.4).
    const stray = wire(
      ikeMessage(
        { spiI: '3333000033330000', spiR: '4444000044440000', originalInitiator: true, suite: undefined },
        IkeExchangeType.INFORMATIONAL,
        5,
        false,
        [],
      ),
    );
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: stray });
    expect(findNotify(h.sent[2]?.message as IkeMessage, 'INVALID_IKE_SPI')).toBeDefined();
  });

  it('INITIAL_CONTACT replaces the identity’s SA; the closed SA is reaped, its address released, its response kept', () => {
    const h = harness();
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest('aaaa0000aaaa0000') });
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest('bbbb0000bbbb0000') });
    const [a, b] = [h.records().get('aaaa0000aaaa0000'), h.records().get('bbbb0000bbbb0000')];
    if (a === undefined || b === undefined) throw new Error('both SAs exist');
    expect(b.actor.id).toBe('ike:bbbb0000bbbb0000#1');
    h.send({
      type: 'sa.emitted',
      rec: a,
      emitted: { type: 'ike.authenticated', peerId: 'c', initialContact: false },
    });
    const keys = a.actor.getSnapshot().context.keys;
    const child = { spiIn: 7, spiOut: 8, suite: 'aes128gcm16' as const, tsi: [], tsr: [] };
    h.send({ type: 'sa.emitted', rec: a, emitted: { type: 'ike.up', keys, config: ASSIGNED, child } });
    expect(h.notes.map((n) => n.text)).toContain('gateway.saUp');
    h.send({
      type: 'sa.emitted',
      rec: a,
      emitted: { type: 'ike.child', child: { ...child, spiIn: 9 }, replaces: child },
    });
    expect(a.children.map((c) => c.spiIn)).toEqual([9, 7]);
    h.send({ type: 'sa.emitted', rec: a, emitted: { type: 'ike.childDeleted', spisIn: [7] } });
    expect(a.children.map((c) => c.spiIn)).toEqual([9]);
    h.send({
      type: 'sa.emitted',
      rec: a,
      emitted: { type: 'ike.rekeyed', oldSpiI: 'aaaa0000aaaa0000', keys: { ...keys, spiI: 'cccc0000cccc0000' } },
    });
    expect(h.gateway.getSnapshot().context.table.bySpi('cccc0000cccc0000')).toBe(a);
    expect(h.gateway.getSnapshot().context.table.bySpi('aaaa0000aaaa0000')).toBeUndefined();
    // b authenticates as the same identity with INITIAL_CONTACT: a is deleted silently (RFC 7296 §2.4).
    const before = h.sent.length;
    h.send({
      type: 'sa.emitted',
      rec: b,
      emitted: { type: 'ike.authenticated', peerId: 'c', initialContact: true },
    });
    expect(h.notes.filter((n) => n.text === 'gateway.saReplaced').map((n) => n.data['old'])).toEqual([
      'aaaa0000aaaa0000',
    ]);
    expect(h.sent.length).toBe(before); // no Delete: the peer said it forgot that SA
    expect(h.released).toEqual(['aaaa0000aaaa0000']);
    expect(h.records().has('aaaa0000aaaa0000')).toBe(false);
    // The closed responder reached its final state; the gateway stops it once the event is over (gw.reap).
    expect(a.actor.getSnapshot().status).toBe('done');
    const reaped: string[] = [];
    h.gateway.subscribe({ next: () => reaped.push('gateway stepped') });
    h.reap();
    expect(reaped).toEqual(['gateway stepped']);
    // b closes with a Delete to the peer (cmd.delete: note, send, closed); its last response is retired.
    b.actor.send({ type: 'cmd.delete', notifyPeer: true, reason: 'replaced' });
    expect(h.sent.at(-1)?.message.exchangeType).toBe(IkeExchangeType.INFORMATIONAL);
    h.reap();
    const initResponse = h.sent.find((s) => s.message.spiI === 'bbbb0000bbbb0000' && s.message.response)?.message;
    if (initResponse === undefined) throw new Error('b answered its IKE_SA_INIT');
    const repeat = wire(
      ikeMessage(
        { spiI: 'bbbb0000bbbb0000', spiR: initResponse.spiR, originalInitiator: true, suite: undefined },
        IkeExchangeType.INFORMATIONAL,
        0,
        false,
        [],
      ),
    );
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: repeat });
    expect(h.sent.at(-1)?.message).toEqual(initResponse);
  });

  it('a crash forgets every SA and the provider’s state; nothing is received until the restart', () => {
    const h = harness();
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest('dddd0000dddd0000') });
    const responder = h.records().get('dddd0000dddd0000')?.actor;
    expect(responder?.getSnapshot().status).toBe('active');
    h.send({ type: 'gw.crash' });
    expect(responder?.getSnapshot().status).toBe('stopped');
    expect(h.gateway.getSnapshot().value).toBe('down');
    expect(h.records().size).toBe(0);
    expect(h.resets()).toBe(1);
    h.send({ type: 'gw.restart' });
    expect(h.gateway.getSnapshot().value).toBe('up');
  });

  it('a crash stops every responder, newest first, each with its deterministic id', () => {
    const h = harness();
    const spis = ['aaaa0000aaaa0001', 'aaaa0000aaaa0002', 'aaaa0000aaaa0003'];
    for (const spi of spis) h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest(spi) });
    const stopped: string[] = [];
    for (const rec of h.records().values()) rec.actor.subscribe({ complete: () => stopped.push(rec.actor.id) });
    h.send({ type: 'gw.crash' });
    expect(stopped).toEqual(['ike:aaaa0000aaaa0003#2', 'ike:aaaa0000aaaa0002#1', 'ike:aaaa0000aaaa0001#0']);
    expect(h.records().size).toBe(0);
  });

  it('a repeat reaching a responder while the gateway handles an event is answered in its turn, with the response it repeats', () => {
    const h = harness();
    const spiI = '6666000066660000';
    let repeated = false;
    h.whenResponding(() => {
      if (repeated) return;
      repeated = true;
      // The IKE_SA_INIT response is going out (the gateway is handling gw.ike): its request comes again.
      h.records()
        .get(spiI)
        ?.actor.send({ type: 'net.recv', message: initRequest(spiI) });
    });
    h.send({ type: 'gw.ike', src: CLIENT_ADDR, message: initRequest(spiI) });
    // RFC 7296 §2.1: the repeat gets the response again, after it (the responder's resend waited as `sa.emitted`).
    expect(h.order.filter((o) => o.startsWith('send'))).toEqual([
      `send ${IkeExchangeType.IKE_SA_INIT} response`,
      `send ${IkeExchangeType.IKE_SA_INIT} response`,
    ]);
    expect(h.notes.map((n) => n.text)).toContain('ike.cachedResponse');
    const [first, again] = h.sent;
    expect(again?.message.spiR).toBe(first?.message.spiR);
    expect(again?.message.payloads.length).toBe(first?.message.payloads.length);
  });

  it('covers every state and transition', () => {
    expectFullCoverage(COV);
  });
});
