/**
 * An initiator and a responder machine wired back to back, message values passed directly (no network), on a
 * simulated clock: lets a test hold, drop or forge single messages. The responder's address provider is a stub
 * that answers every IKE_AUTH at once with 10.99.0.1 (CP(CFG_REPLY), RFC 7296 §2.19).
 */
import { createActor, SimulatedClock, type Actor } from 'xstate';
import {
  DEFAULT_RESPONDER_POLICY,
  peerConfig,
  type IkePeerConfig,
  type ResponderPolicy,
} from '../../../models/ike/config.ts';
import { initiatorMachine } from '../../../models/ike/initiator-machine.ts';
import { stubProvider } from '../../support/provider-stub.ts';
import { responderMachine } from '../../../models/ike/responder-machine.ts';
import type { IkeEmitted } from '../../../models/ike/emitted.ts';
import * as ikeConfig from '../../../models/ike/tasks/ike-config.ts';
import * as ikeInit from '../../../models/ike/tasks/ike-init.ts';
import { modeCfgClient } from '../../../models/methods/index.ts';
import { tsRange, type IkeMessage } from '../../../models/wire/ike/index.ts';
import { createRng } from '../../../sim/rng.ts';

export interface Pair {
  readonly clock: SimulatedClock;
  readonly initiator: Actor<typeof initiatorMachine>;
  responder(): Actor<typeof responderMachine> | undefined;
  /** Everything each side emitted, in order. */
  readonly fromI: IkeEmitted[];
  readonly fromR: IkeEmitted[];
  /** While set, the initiator's requests are handed to it instead of the responder (return true to deliver). */
  intercept: ((m: IkeMessage) => boolean) | undefined;
  /** Delivers a message to the initiator as if from the network. */
  toInitiator(m: IkeMessage): void;
}

export function ikePair(policy: Partial<ResponderPolicy> = {}, initiatorCfg: Partial<IkePeerConfig> = {}): Pair {
  const clock = new SimulatedClock();
  const cfgI = peerConfig({ identity: 'client1@example.com', pskName: 'psk-client1', ...initiatorCfg });
  const cfgR = peerConfig({ identity: 'gw.example.com', pskName: 'unused' });
  const initiator = createActor(initiatorMachine, {
    clock,
    input: { cfg: cfgI, method: modeCfgClient(), peerIdentity: 'gw.example.com', rng: createRng(1) },
  });
  let responder: Actor<typeof responderMachine> | undefined;
  const pair: Pair = {
    clock,
    initiator,
    responder: () => responder,
    fromI: [],
    fromR: [],
    intercept: undefined,
    toInitiator: (m) => initiator.send({ type: 'net.recv', message: m }),
  };
  const toResponder = (m: IkeMessage): void => {
    if (responder === undefined) {
      const r = ikeInit.processR(cfgR, m);
      if (!r.ok) return;
      responder = createActor(responderMachine, {
        clock,
        input: {
          cfg: cfgR,
          policy: { ...DEFAULT_RESPONDER_POLICY, protectedSubnets: [tsRange('10.1.0.0', '10.1.0.255')], ...policy },
          pskFor: (id) => (id === 'client1@example.com' ? 'psk-client1' : undefined),
          rng: createRng(2),
          ikeSaId: m.spiI,
          accepted: r,
          provider: stubProvider({
            address: (_req, reply) => {
              const config = { address: '10.99.0.1', prefixLength: 24, dns: [] };
              reply({ ok: true, config, replyPayloads: [ikeConfig.buildR(config)] });
            },
          }),
        },
      });
      const rr = responder;
      // The responder's node keeps its last response as sent and sends it again on `net.resend` (RFC 7296 §2.1).
      let kept: IkeMessage | undefined;
      rr.on('*', (e) => {
        const ev = e as IkeEmitted;
        pair.fromR.push(ev);
        if (ev.type === 'net.send') {
          if (ev.message.response) kept = ev.message;
          pair.toInitiator(ev.message);
        } else if (ev.type === 'net.resend' && kept?.messageId === ev.messageId) pair.toInitiator(kept);
      });
      rr.start();
      rr.send({ type: 'ike.start', request: m });
      return;
    }
    responder.send({ type: 'net.recv', message: m });
  };
  initiator.on('*', (e) => {
    const ev = e as IkeEmitted;
    pair.fromI.push(ev);
    if (ev.type !== 'net.send') return;
    if (pair.intercept !== undefined && !pair.intercept(ev.message)) return;
    toResponder(ev.message);
  });
  initiator.start();
  return pair;
}

export function notesOf(emitted: readonly IkeEmitted[], text: string): Readonly<Record<string, unknown>>[] {
  return emitted.flatMap((e) => (e.type === 'ike.note' && e.text === text ? [e.data] : []));
}

export function sent(emitted: readonly IkeEmitted[]): IkeMessage[] {
  return emitted.flatMap((e) => (e.type === 'net.send' ? [e.message] : []));
}
