/**
 * The gateway side of `mode-cfg-dhcp`: an address provider that obtains each peer's address as a DHCP client on the
 * peer's behalf during IKE_AUTH (one proxy session per IKE SA, session-machine.ts, traced as `proxy:<IKE SA>`, its
 * RFC 2131 client as `dhcp:<IKE SA>`), and answers CP(CFG_REPLY) with the ACK's address, netmask and DNS servers
 * (RFC 7296 §2.19, §3.15.1). A peer that sent no CP gets FAILED_CP_REQUIRED when CP is required. Replies from the
 * server reach the gateway at giaddr:67 and are dispatched by chaddr (the identity hash). On IKE SA delete the lease
 * is released or kept (`leaseOnDelete`).
 */
import { type Actor } from 'xstate';
import { dhcpClientMachine } from '../../dhcp/client-machine.ts';
import { toHexPrefix } from '../../dhcp/options.ts';
import * as ikeConfig from '../../ike/tasks/ike-config.ts';
import { fireLeaseGuard } from '../lease-guard.ts';
import type { AddressAnswer, AddressProvider, GatewayMethodContext, UdpDatagram, UdpSource } from '../method.ts';
import { proxyIdentity, STRONGSWAN_PARAMETER_REQUEST_LIST } from './identity.ts';
import {
  proxySessionMachine,
  STRONGSWAN_DHCP_RETRANSMIT,
  type ProxySessionEmitted,
  type ProxySettings,
} from './session-machine.ts';
import { labActor } from '../../../sim/statechart/runtime-choice.ts';

export type LeaseOnDelete = 'release' | 'keep';

export interface DhcpProxyOptions extends ProxySettings {
  readonly leaseOnDelete: LeaseOnDelete;
}

/** The chaddr key replies are dispatched by (hex of the hardware address). */
export function chaddrKey(m: { readonly chaddr: Uint8Array; readonly hlen: number }): string {
  return toHexPrefix(m.chaddr, Math.min(16, m.hlen));
}

type Session = Actor<typeof proxySessionMachine>;

/**
 * One session in the indexes; also its actor's observer (`complete` on the prototype: a session that ends on its own
 * leaves the indexes) — an object per session, not a named closure (~250 B each under tsx's keepNames).
 */
class Entry {
  constructor(
    readonly ikeSaId: string,
    readonly key: string,
    readonly actor: Session,
    private readonly forget: (e: Entry) => void,
  ) {}

  complete(): void {
    this.forget(this);
  }
}

export function dhcpProxyProvider(o: DhcpProxyOptions, ctx: GatewayMethodContext): AddressProvider {
  const host = ctx.host;
  const byIkeSa = new Map<string, Entry>();
  const byChaddr = new Map<string, Entry>();

  function forget(e: Entry): void {
    if (byIkeSa.get(e.ikeSaId) === e) byIkeSa.delete(e.ikeSaId);
    if (byChaddr.get(e.key) === e) byChaddr.delete(e.key);
  }

  /** One clock reading for every session's DHCP client (one function, not one per session). */
  const nowUs = (): number => host.nowUs();

  /**
   * What a session asks after its step (answer the IKE_AUTH, or delete its SA at the lease guard): one listener for
   * every session and both requests (a closure per session over its SA was ~100 B of each idle session).
   */
  const onSessionEmitted = (e: ProxySessionEmitted): void => {
    if (e.type === 'proxy.answer') e.answer(e.result);
    else fireLeaseGuard(host, 'proxy', e.ikeSaId, e.guard);
  };

  /** One session: its DHCP client's emitted events are the session's events. */
  function start(ikeSaId: string, peerId: string, answer: (a: AddressAnswer) => void): void {
    const identity = proxyIdentity(peerId, o.clientId, o.clientIdForm);
    const dhcp = labActor(dhcpClientMachine, {
      id: `dhcp:${ikeSaId}`,
      clock: host.clock,
      input: {
        identity,
        rng: host.rng(`dhcp:${ikeSaId}`),
        nowUs,
        parameterRequestList: STRONGSWAN_PARAMETER_REQUEST_LIST,
        ...(o.retry === 'strongswan' ? { retransmit: STRONGSWAN_DHCP_RETRANSMIT } : {}),
      },
    });
    const actor = labActor(proxySessionMachine, {
      id: `proxy:${ikeSaId}`,
      clock: host.clock,
      input: { ikeSaId, peerId, host, settings: o, identity, dhcp, answer },
    });
    const entry = new Entry(ikeSaId, chaddrKey(identity), actor, forget);
    byIkeSa.set(ikeSaId, entry);
    byChaddr.set(entry.key, entry);
    // A session that ends on its own (the DHCP client gave up) leaves the indexes (Entry.complete).
    actor.subscribe(entry);
    // A bound `send`, not a closure and its scope (~50 B of every session).
    dhcp.on('*', actor.send.bind(actor));
    actor.on('*', onSessionEmitted);
    host.traceMachine(actor, `proxy:${ikeSaId}`);
    actor.start();
    host.traceMachine(dhcp, `dhcp:${ikeSaId}`);
    dhcp.start();
  }

  return {
    udpPorts: [67],
    request(req, answer) {
      const { requested } = ikeConfig.processR(req.request);
      if (!requested) {
        if (ctx.cpRequired) answer({ ok: false, notify: 'FAILED_CP_REQUIRED' });
        else answer({ ok: true, config: undefined, replyPayloads: [] });
        return;
      }
      const old = byIkeSa.get(req.ikeSaId);
      if (old !== undefined) {
        forget(old);
        old.actor.send({ type: 'proxy.drop' });
      }
      start(req.ikeSaId, req.peerId, answer);
    },
    onUdp(d: UdpDatagram, from: UdpSource) {
      if (from.via !== 'inside' || d.app.kind !== 'dhcp' || d.app.message.op !== 2) return;
      const e = byChaddr.get(chaddrKey(d.app.message));
      if (e === undefined) {
        host.traceNote('proxy.unknownReply', { xid: d.app.message.xid });
        return;
      }
      e.actor.send({ type: 'proxy.recv', message: d.app.message });
    },
    abandon(ikeSaId) {
      // The IKE_AUTH was answered INTERNAL_ADDRESS_FAILURE: the peer will not use a lease obtained now.
      byIkeSa.get(ikeSaId)?.actor.send({ type: 'proxy.abandon' });
    },
    release(ikeSaId, _peerId, peerMayHold) {
      const e = byIkeSa.get(ikeSaId);
      if (e === undefined) return;
      forget(e);
      // A peer that may still use the address keeps its lease until it runs out at the server (RFC 2131 §4.4.5).
      const release = o.leaseOnDelete === 'release' && peerMayHold !== true;
      e.actor.send({ type: release ? 'proxy.release' : 'proxy.drop' });
    },
    reset() {
      // A crash: nothing is sent or traced; the sessions and their DHCP clients stop with their timers.
      for (const e of byIkeSa.values()) {
        e.actor.getSnapshot().context.dhcp.stop();
        e.actor.stop();
      }
      byIkeSa.clear();
      byChaddr.clear();
    },
    snapshot() {
      const out: Record<string, string> = {};
      for (const e of byIkeSa.values()) {
        const { lease, peerId } = e.actor.getSnapshot().context;
        if (lease !== null) out[lease.address] = peerId;
      }
      return out;
    },
  };
}
