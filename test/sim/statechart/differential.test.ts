/**
 * Differential tests of the fast runtime against xstate, machine by machine.
 * - Every machine the models export compiles (nothing falls back silently).
 * - The IKE initiator and responder (with the responder's invoked provider asks) back to back on one ordered virtual
 *   clock, on each runtime, driven by fast-check sequences of commands, clock advances, lost and duplicated
 *   messages and responder deletes: both actors' logs (snapshots with context, emitted events, clock calls) and the
 *   messages between them are equal, event by event. Failing sequences shrink to a short list of steps.
 * - A DHCP client and server back to back the same way (commands, stalls, restarts, loss).
 * The other machines (gateway, client, carrier, relay session, rfc3456 client, dhcp-proxy
 * session) are driven with realistic traffic by scenario-differential.test.ts, which observes every root actor of
 * whole scenario runs the same way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromTransition, type AnyActorRef } from 'xstate';
import { DEFAULT_LIFETIMES, DEFAULT_RESPONDER_POLICY, peerConfig } from '../../../models/ike/config.ts';
import { initiatorMachine } from '../../../models/ike/initiator-machine.ts';
import { addressAsk, childAsk } from '../../../models/ike/provider-ask.ts';
import { responderMachine } from '../../../models/ike/responder-machine.ts';
import * as ikeConfig from '../../../models/ike/tasks/ike-config.ts';
import * as ikeInit from '../../../models/ike/tasks/ike-init.ts';
import { dhcpClientMachine } from '../../../models/dhcp/client-machine.ts';
import { dhcpServerMachine } from '../../../models/dhcp/server-machine.ts';
import { proxySessionMachine } from '../../../models/methods/dhcp-proxy/session-machine.ts';
import { dhcpCarrierMachine } from '../../../models/methods/dhcp-carrier/carrier-machine.ts';
import { relaySessionMachine } from '../../../models/methods/gateway-relay/session-machine.ts';
import { rfc3456ClientMachine } from '../../../models/methods/rfc3456/client-machine.ts';
import { modeCfgClient } from '../../../models/methods/index.ts';
import { gatewayMachine } from '../../../models/nodes/gateway/gateway-machine.ts';
import { clientMachine } from '../../../models/nodes/client/client-machine.ts';
import { tsRange, type IkeMessage } from '../../../models/wire/ike/index.ts';
import { createRng } from '../../../sim/rng.ts';
import { ethernetIdentity } from '../../../models/dhcp/client-identity.ts';
import { POOL_A } from '../../models/dhcp/fixtures.ts';
import { testRng } from '../../models/dhcp/test-rng.ts';
import { canRunFast, createLabActor, type StatechartRuntime } from '../../../sim/statechart/index.ts';
import { loggingClock, observe, sanitize, type Entry } from './support/observe.ts';
import { OrderedClock } from './support/pair.ts';

const MACHINES = {
  initiatorMachine,
  responderMachine,
  addressAsk,
  childAsk,
  gatewayMachine,
  clientMachine,
  dhcpClientMachine,
  dhcpServerMachine,
  dhcpCarrierMachine,
  relaySessionMachine,
  rfc3456ClientMachine,
  proxySessionMachine,
};

type IkeStep =
  | { readonly kind: 'connect' | 'disconnect' | 'dropNextI' | 'dropNextR' | 'dupNextI' | 'dupNextR' }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'rDelete'; readonly notifyPeer: boolean }
  | { readonly kind: 'childRekeyAt'; readonly delayMs: number }
  | { readonly kind: 'childDelete' };

/** A provider answering every question at once (a transition actor: no clock, deterministic). */
const providerLogic = fromTransition((n: number, event: { type: string; replyTo?: AnyActorRef }) => {
  if (event.type === 'provider.address' && event.replyTo !== undefined) {
    const config = { address: '10.99.0.1', prefixLength: 24, dns: [] };
    event.replyTo.send({
      type: 'provider.answer',
      answer: { ok: true, config, replyPayloads: [ikeConfig.buildR(config)] },
    });
  } else if (event.type === 'provider.child' && event.replyTo !== undefined)
    event.replyTo.send({ type: 'provider.childAnswer', answer: { ok: true, replyPayloads: [] } });
  return n + 1;
}, 0);

function summary(m: IkeMessage): unknown {
  return sanitize({ exchange: m.exchangeType, response: m.response, id: m.messageId, payloads: m.payloads.length });
}

function runIke(runtime: StatechartRuntime, steps: readonly IkeStep[]): Entry[] {
  const log: Entry[] = [];
  const iLog: Entry[] = [];
  const rLog: Entry[] = [];
  const clock = new OrderedClock();
  const cfgI = peerConfig({
    identity: 'client1@example.com',
    pskName: 'psk-client1',
    lifetimes: { ...DEFAULT_LIFETIMES, livenessMs: 2000, ikeRekeyMs: 20_000, childRekeyMs: 15_000, jitterMs: 1000 },
  });
  const cfgR = peerConfig({ identity: 'gw.example.com', pskName: 'unused' });
  const provider = createLabActor(providerLogic as never, undefined, 'xstate') as unknown as AnyActorRef;
  provider.start();
  let drop = { i: 0, r: 0 };
  let dup = { i: 0, r: 0 };
  const initiator = createLabActor(
    initiatorMachine,
    {
      clock: loggingClock(clock, iLog),
      input: { cfg: cfgI, method: modeCfgClient(), peerIdentity: 'gw.example.com', rng: createRng(1) },
    },
    runtime,
  );
  let responder: ReturnType<typeof createLabActor<typeof responderMachine>> | undefined;
  const deliverToI = (m: IkeMessage): void => {
    log.push(['r->i', summary(m)]);
    if (drop.r > 0) {
      drop = { ...drop, r: drop.r - 1 };
      return;
    }
    initiator.send({ type: 'net.recv', message: m });
    if (dup.r > 0) {
      dup = { ...dup, r: dup.r - 1 };
      initiator.send({ type: 'net.recv', message: m });
    }
  };
  const deliverToR = (m: IkeMessage): void => {
    log.push(['i->r', summary(m)]);
    if (drop.i > 0) {
      drop = { ...drop, i: drop.i - 1 };
      return;
    }
    if (responder === undefined) {
      const r = ikeInit.processR(cfgR, m);
      if (!r.ok) return;
      responder = createLabActor(
        responderMachine,
        {
          clock: loggingClock(clock, rLog),
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
      observe(responder, rLog, true);
      // The node keeps the last response as sent and sends it again on `net.resend` (RFC 7296 §2.1).
      let kept: IkeMessage | undefined;
      responder.on('*', (e) => {
        if (e.type === 'net.send') {
          const m = (e as { message: IkeMessage }).message;
          if (m.response) kept = m;
          deliverToI(m);
        } else if (e.type === 'net.resend' && kept !== undefined) deliverToI(kept);
      });
      responder.start();
      responder.send({ type: 'ike.start', request: m });
      return;
    }
    responder.send({ type: 'net.recv', message: m });
    if (dup.i > 0) {
      dup = { ...dup, i: dup.i - 1 };
      responder.send({ type: 'net.recv', message: m });
    }
  };
  observe(initiator, iLog, true);
  initiator.on('*', (e) => {
    if (e.type === 'net.send') deliverToR((e as { message: IkeMessage }).message);
  });
  initiator.start();
  for (const step of steps) {
    log.push(['step', step]);
    // A closed initiator ignores commands (xstate only warns): the log says so instead.
    const closed = initiator.getSnapshot().status !== 'active';
    if (closed && step.kind !== 'advance' && step.kind !== 'rDelete') {
      log.push(['ignored']);
      continue;
    }
    switch (step.kind) {
      case 'connect':
        initiator.send({ type: 'cmd.connect' });
        break;
      case 'disconnect':
        initiator.send({ type: 'cmd.disconnect' });
        break;
      case 'childRekeyAt':
        initiator.send({ type: 'cmd.childRekeyAt', slot: 'primary', delayMs: step.delayMs });
        break;
      case 'childDelete':
        initiator.send({ type: 'cmd.childDelete', slot: 'primary' });
        break;
      case 'rDelete':
        responder?.send({ type: 'cmd.delete', notifyPeer: step.notifyPeer, reason: 'test' });
        break;
      case 'dropNextI':
        drop = { ...drop, i: drop.i + 1 };
        break;
      case 'dropNextR':
        drop = { ...drop, r: drop.r + 1 };
        break;
      case 'dupNextI':
        dup = { ...dup, i: dup.i + 1 };
        break;
      case 'dupNextR':
        dup = { ...dup, r: dup.r + 1 };
        break;
      case 'advance':
        clock.advance(step.ms);
        break;
    }
  }
  return [...log, ['initiator'], ...iLog, ['responder'], ...rLog];
}

type DhcpStep =
  | {
      readonly kind:
        | 'start'
        | 'renew'
        | 'release'
        | 'conflict'
        | 'stall'
        | 'unstall'
        | 'restartKeep'
        | 'restartLose'
        | 'dropNextC'
        | 'dropNextS';
    }
  | { readonly kind: 'advance'; readonly ms: number };

/** A DHCP client and server back to back (1 ms service, a queue of two), each observed, on one ordered clock. */
function runDhcp(runtime: StatechartRuntime, steps: readonly DhcpStep[]): Entry[] {
  const log: Entry[] = [];
  const cLog: Entry[] = [];
  const sLog: Entry[] = [];
  const clock = new OrderedClock();
  const nowUs = (): number => clock.nowMs() * 1000;
  let drop = { c: 0, s: 0 };
  const server = createLabActor(
    dhcpServerMachine,
    {
      clock: loggingClock(clock, sLog),
      input: { server: { serverId: '10.1.0.1' }, leases: { pools: [POOL_A] }, nowUs, serviceUs: 1000, queueMax: 2 },
    },
    runtime,
  );
  const client = createLabActor(
    dhcpClientMachine,
    {
      clock: loggingClock(clock, cLog),
      input: { identity: ethernetIdentity('02:00:00:00:00:01'), rng: testRng(3), nowUs },
    },
    runtime,
  );
  observe(server, sLog, true);
  observe(client, cLog, true);
  client.on('dhcp.send', (e) => {
    log.push(['c->s', e.message.xid]);
    if (drop.c > 0) {
      drop = { ...drop, c: drop.c - 1 };
      return;
    }
    server.send({
      type: 'dhcp.recv',
      message: e.message,
      received: { interfaceName: 'eth0', interfaceAddress: '10.1.0.1' },
    });
  });
  server.on('dhcp.reply', (e) => {
    log.push(['s->c', e.message.xid]);
    if (drop.s > 0) {
      drop = { ...drop, s: drop.s - 1 };
      return;
    }
    client.send({ type: 'dhcp.recv', message: e.message });
  });
  server.start();
  client.start();
  for (const step of steps) {
    log.push(['step', step]);
    switch (step.kind) {
      case 'start':
        client.send({ type: 'cmd.start' });
        break;
      case 'renew':
        client.send({ type: 'cmd.renew' });
        break;
      case 'release':
        client.send({ type: 'cmd.release' });
        break;
      case 'conflict':
        client.send({ type: 'cmd.conflict' });
        break;
      case 'stall':
        server.send({ type: 'cmd.stall' });
        break;
      case 'unstall':
        server.send({ type: 'cmd.unstall' });
        break;
      case 'restartKeep':
        server.send({ type: 'cmd.restart', keepLeases: true });
        break;
      case 'restartLose':
        server.send({ type: 'cmd.restart', keepLeases: false });
        break;
      case 'dropNextC':
        drop = { ...drop, c: drop.c + 1 };
        break;
      case 'dropNextS':
        drop = { ...drop, s: drop.s + 1 };
        break;
      case 'advance':
        clock.advance(step.ms);
        break;
    }
  }
  return [...log, ['client'], ...cLog, ['server'], ...sLog];
}

const dhcpStep: fc.Arbitrary<DhcpStep> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom<DhcpStep['kind']>(
        'start',
        'renew',
        'release',
        'conflict',
        'stall',
        'unstall',
        'restartKeep',
        'restartLose',
        'dropNextC',
        'dropNextS',
      )
      .map((kind) => ({ kind }) as DhcpStep),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(1, 500, 4000, 30_000, 120_000).map((ms): DhcpStep => ({ kind: 'advance', ms })),
  },
);

const ikeStep: fc.Arbitrary<IkeStep> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<IkeStep>({ kind: 'connect' }) },
  { weight: 1, arbitrary: fc.constant<IkeStep>({ kind: 'disconnect' }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<IkeStep['kind']>('dropNextI', 'dropNextR', 'dupNextI', 'dupNextR')
      .map((kind) => ({ kind }) as IkeStep),
  },
  {
    weight: 5,
    arbitrary: fc.constantFrom(1, 100, 1000, 2500, 10_000, 30_000).map((ms): IkeStep => ({ kind: 'advance', ms })),
  },
  { weight: 1, arbitrary: fc.boolean().map((notifyPeer): IkeStep => ({ kind: 'rDelete', notifyPeer })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, 500, 5000).map((delayMs): IkeStep => ({ kind: 'childRekeyAt', delayMs })),
  },
  { weight: 1, arbitrary: fc.constant<IkeStep>({ kind: 'childDelete' }) },
);

describe('differential: the fast runtime against xstate, machine by machine', () => {
  it('every machine the models export compiles for the fast runtime', () => {
    for (const [name, m] of Object.entries(MACHINES)) expect([name, canRunFast(m)]).toEqual([name, true]);
  });

  it('an established IKE SA: the same logs on both runtimes', () => {
    const steps: IkeStep[] = [{ kind: 'connect' }, { kind: 'advance', ms: 100 }, { kind: 'advance', ms: 30_000 }];
    const slow = runIke('xstate', steps);
    const fast = runIke('fast', steps);
    expect(slow.some((e) => e[0] === 'snapshot' && JSON.stringify(e[2]).includes('established'))).toBe(true);
    expect(fast).toEqual(slow);
  });

  it('a DHCP lease: the same logs on both runtimes', () => {
    const steps: DhcpStep[] = [{ kind: 'start' }, { kind: 'advance', ms: 4000 }, { kind: 'advance', ms: 120_000 }];
    const slow = runDhcp('xstate', steps);
    expect(slow.some((e) => e[0] === 'emitted' && JSON.stringify(e[1]).includes('dhcp.bound'))).toBe(true);
    expect(runDhcp('fast', steps)).toEqual(slow);
  });

  it('DHCP client + server under random commands, stalls, restarts and loss (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(dhcpStep, { minLength: 1, maxLength: 30 }), (steps) => {
        const slow = runDhcp('xstate', [{ kind: 'start' }, ...steps]);
        const fast = runDhcp('fast', [{ kind: 'start' }, ...steps]);
        expect(fast.length).toBe(slow.length);
        for (let i = 0; i < slow.length; i++) expect(fast[i], `entry ${i}`).toEqual(slow[i]);
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it('IKE initiator + responder + provider asks under random commands, loss and duplicates (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(ikeStep, { minLength: 1, maxLength: 30 }), (steps) => {
        const slow = runIke('xstate', steps);
        const fast = runIke('fast', steps);
        expect(fast.length).toBe(slow.length);
        for (let i = 0; i < slow.length; i++) expect(fast[i], `entry ${i}`).toEqual(slow[i]);
      }),
      { numRuns: 120, seed: 7 },
    );
  });
});
