/**
 * The fast statechart runtime (sim/statechart) against xstate's interpreter, same process, same work:
 * - flat: one state, one event type, one assign per event (the bare flat actor: the reference);
 * - parallel4: four regions, each taking the event with an assign;
 * - ikeLiveness: an established IKE SA (initiator and responder machines back to back on xstate's SimulatedClock),
 *   each liveness interval one timer event, one INFORMATIONAL request and its response: events/s counts the
 *   machine events both actors process (the timer, `net.recv` at each side).
 * Each figure is the best of 5 rounds after a warm-up, the two runtimes' rounds alternating; `ratioToXstateFlat` divides by the xstate flat rate.
 */
import { assign, createMachine, fromTransition, SimulatedClock, type AnyActorRef } from 'xstate';
import { DEFAULT_LIFETIMES, DEFAULT_RESPONDER_POLICY, peerConfig } from '../models/ike/config.ts';
import type { IkeEmitted } from '../models/ike/emitted.ts';
import { initiatorMachine as initiatorModule } from '../models/ike/initiator-machine.ts';
import { responderMachine as responderModule } from '../models/ike/responder-machine.ts';
import * as ikeConfig from '../models/ike/tasks/ike-config.ts';
import * as ikeInit from '../models/ike/tasks/ike-init.ts';
import { modeCfgClient } from '../models/methods/index.ts';
import { tsRange, type IkeMessage } from '../models/wire/ike/index.ts';
import { createRng } from '../sim/rng.ts';
import { createLabActor, type StatechartRuntime } from '../sim/statechart/index.ts';

// Fresh machine objects: machines.bench.ts's timing patch binds into machines created while it is on.
const initiatorMachine = initiatorModule.provide({});
const responderMachine = responderModule.provide({});

const flatMachine = createMachine({
  context: { n: 0 },
  on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});

const region = {
  initial: 'a',
  states: {
    a: {
      on: { inc: { target: 'b', actions: assign({ n: ({ context }: { context: { n: number } }) => context.n + 1 }) } },
    },
    b: {
      on: { inc: { target: 'a', actions: assign({ n: ({ context }: { context: { n: number } }) => context.n + 1 }) } },
    },
  },
};
const parallel4Machine = createMachine({
  context: { n: 0 },
  type: 'parallel',
  states: { r1: region, r2: region, r3: region, r4: region },
});

function perSec(events: number, ms: number): number {
  return Math.round((events * 1000) / ms);
}

function sendLoop(
  machine: typeof flatMachine | typeof parallel4Machine,
  runtime: StatechartRuntime,
  events: number,
): number {
  const actor = createLabActor(machine, undefined, runtime);
  actor.start();
  const ev = { type: 'inc' } as const;
  const start = performance.now();
  for (let i = 0; i < events; i++) actor.send(ev);
  const ms = performance.now() - start;
  if (actor.getSnapshot().context.n < events) throw new Error('events lost');
  return perSec(events, ms);
}

/** A stub provider answering every address question at once (a transition actor: no callbacks, no clock). */
const providerLogic = fromTransition((state: number, event: { type: string; replyTo?: AnyActorRef }) => {
  if (event.type === 'provider.address' && event.replyTo !== undefined) {
    const config = { address: '10.99.0.1', prefixLength: 24, dns: [] };
    event.replyTo.send({
      type: 'provider.answer',
      answer: { ok: true, config, replyPayloads: [ikeConfig.buildR(config)] },
    });
  }
  return state + 1;
}, 0);

/** Machine events per second on the initiator's liveness path (timer → INFORMATIONAL → response). */
function ikeLiveness(runtime: StatechartRuntime, intervals: number): number {
  const clock = new SimulatedClock();
  const livenessMs = 1000;
  const cfgI = peerConfig({
    identity: 'client1@example.com',
    pskName: 'psk-client1',
    lifetimes: { ...DEFAULT_LIFETIMES, livenessMs },
  });
  const cfgR = peerConfig({ identity: 'gw.example.com', pskName: 'unused' });
  let events = 0;
  const initiator = createLabActor(
    initiatorMachine,
    {
      clock,
      input: { cfg: cfgI, method: modeCfgClient(), peerIdentity: 'gw.example.com', rng: createRng(1) },
    },
    runtime,
  );
  let responder: ReturnType<typeof createLabActor<typeof responderMachine>> | undefined;
  const provider = createLabActor(providerLogic as never, undefined, 'xstate') as unknown as AnyActorRef;
  provider.start();
  const toResponder = (m: IkeMessage): void => {
    events += 1;
    if (responder === undefined) {
      const r = ikeInit.processR(cfgR, m);
      if (!r.ok) return;
      responder = createLabActor(
        responderMachine,
        {
          clock,
          input: {
            cfg: cfgR,
            policy: { ...DEFAULT_RESPONDER_POLICY, protectedSubnets: [tsRange('10.1.0.0', '10.1.0.255')] },
            pskFor: (id: string) => (id === 'client1@example.com' ? 'psk-client1' : undefined),
            rng: createRng(2),
            ikeSaId: m.spiI,
            accepted: r,
            provider: provider as never,
          },
        },
        runtime,
      );
      // The node keeps the last response as sent and sends it again on `net.resend` (RFC 7296 §2.1).
      let kept: IkeMessage | undefined;
      responder.on('*', (e) => {
        const ev = e as IkeEmitted;
        if (ev.type === 'net.send') {
          events += 1;
          if (ev.message.response) kept = ev.message;
          initiator.send({ type: 'net.recv', message: ev.message });
        } else if (ev.type === 'net.resend' && kept !== undefined) {
          events += 1;
          initiator.send({ type: 'net.recv', message: kept });
        }
      });
      responder.start();
      responder.send({ type: 'ike.start', request: m });
      return;
    }
    responder.send({ type: 'net.recv', message: m });
  };
  initiator.on('*', (e) => {
    const ev = e as IkeEmitted;
    if (ev.type === 'net.send') toResponder(ev.message);
  });
  initiator.start();
  initiator.send({ type: 'cmd.connect' });
  clock.increment(10);
  if (!initiator.getSnapshot().matches('established')) throw new Error('IKE pair did not establish');
  events = 0;
  const start = performance.now();
  for (let i = 0; i < intervals; i++) {
    events += 1; // the liveness timer event
    clock.increment(livenessMs);
  }
  const ms = performance.now() - start;
  return perSec(events, ms);
}

export function statechartFigures(): Record<string, unknown> {
  const flatEvents = Number(process.env['STATECHART_EVENTS'] ?? 200_000);
  const intervals = Number(process.env['STATECHART_INTERVALS'] ?? 5_000);
  // Rounds alternate between the runtimes so both see the same machine load (the CPU may be shared).
  const pairBest = (rounds: number, a: () => number, b: () => number): [number, number] => {
    a();
    b();
    let ta = 0;
    let tb = 0;
    for (let i = 0; i < rounds; i++) {
      ta = Math.max(ta, a());
      tb = Math.max(tb, b());
    }
    return [ta, tb];
  };
  const [flatXstate, flatFast] = pairBest(
    5,
    () => sendLoop(flatMachine, 'xstate', flatEvents),
    () => sendLoop(flatMachine, 'fast', flatEvents),
  );
  const [parXstate, parFast] = pairBest(
    5,
    () => sendLoop(parallel4Machine, 'xstate', flatEvents / 4),
    () => sendLoop(parallel4Machine, 'fast', flatEvents / 4),
  );
  const [ikeXstate, ikeFast] = pairBest(
    5,
    () => ikeLiveness('xstate', intervals),
    () => ikeLiveness('fast', intervals),
  );
  const ratio = (x: number): number => Math.round((x / flatXstate) * 100) / 100;
  return {
    referenceXstateFlatEventsPerSec: flatXstate,
    flat: { xstate: flatXstate, fast: flatFast, ratioToXstateFlat: ratio(flatFast) },
    parallel4: {
      xstate: parXstate,
      fast: parFast,
      ratioToXstateFlat: { xstate: ratio(parXstate), fast: ratio(parFast) },
    },
    ikeLiveness: {
      xstate: ikeXstate,
      fast: ikeFast,
      ratioToXstateFlat: { xstate: ratio(ikeXstate), fast: ratio(ikeFast) },
    },
  };
}

/** One runtime's liveness figure alone (for profiling). */
export function ikeLivenessOnly(runtime: StatechartRuntime): number {
  return ikeLiveness(runtime, Number(process.env['STATECHART_INTERVALS'] ?? 5_000));
}

/** One runtime's parallel4 figure alone (for profiling). */
export function parallel4Only(runtime: StatechartRuntime, events: number): number {
  return sendLoop(parallel4Machine, runtime, events);
}
