/**
 * The gateway side of `mode-cfg-dhcp`: an address provider that obtains each peer's address as a DHCP client on the
 * peer's behalf (proxy.ts) during IKE_AUTH, and answers CP(CFG_REPLY) with the ACK's address, netmask and DNS
 * servers (RFC 7296 §2.19, §3.15.1). A peer that sent no CP gets FAILED_CP_REQUIRED when CP is required. Replies from
 * the server reach the gateway at giaddr:67 and are dispatched by chaddr (the identity hash). On IKE SA delete the
 * lease is released or kept (`leaseOnDelete`).
 */
import * as ikeConfig from '../../ike/tasks/ike-config.ts';
import type { AddressProvider, GatewayMethodContext, UdpDatagram, UdpSource } from '../method.ts';
import { configOfLease } from '../rfc3456/lease-config.ts';
import { chaddrKey, DhcpProxyClient, type ProxySettings } from './proxy.ts';

export type LeaseOnDelete = 'release' | 'keep';

export interface DhcpProxyOptions extends ProxySettings {
  readonly leaseOnDelete: LeaseOnDelete;
}

export function dhcpProxyProvider(o: DhcpProxyOptions, ctx: GatewayMethodContext): AddressProvider {
  const host = ctx.host;
  const byIkeSa = new Map<string, DhcpProxyClient>();
  const byChaddr = new Map<string, DhcpProxyClient>();
  /** IKE SAs whose IKE_AUTH response still waits for the proxy. */
  const waiting = new Set<string>();

  function drop(p: DhcpProxyClient): void {
    p.dispose();
    byIkeSa.delete(p.ikeSaId);
    if (byChaddr.get(p.key) === p) byChaddr.delete(p.key);
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
      if (old !== undefined) drop(old);
      let answered = false;
      const once = (a: Parameters<typeof answer>[0]): void => {
        if (answered) return;
        answered = true;
        waiting.delete(req.ikeSaId);
        answer(a);
      };
      const proxy: DhcpProxyClient = new DhcpProxyClient(host, req.ikeSaId, req.peerId, o, {
        onBound: (lease) => {
          const config = configOfLease(lease);
          host.traceNote('proxy.answer', { peer: req.peerId, address: config.address });
          once({ ok: true, config, replyPayloads: [ikeConfig.buildR(config)] });
        },
        onFailed: (reason) => {
          host.traceNote('proxy.failed', { peer: req.peerId, reason });
          drop(proxy);
          once({ ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' });
        },
      });
      byIkeSa.set(req.ikeSaId, proxy);
      byChaddr.set(proxy.key, proxy);
      waiting.add(req.ikeSaId);
      proxy.start();
    },
    onUdp(d: UdpDatagram, from: UdpSource) {
      if (from.via !== 'inside' || d.app.kind !== 'dhcp' || d.app.message.op !== 2) return;
      const p = byChaddr.get(chaddrKey(d.app.message));
      if (p === undefined) {
        host.traceNote('proxy.unknownReply', { xid: d.app.message.xid });
        return;
      }
      p.receive(d.app.message);
    },
    abandon(ikeSaId) {
      // The IKE_AUTH was answered INTERNAL_ADDRESS_FAILURE: the peer will not use a lease obtained now.
      const p = byIkeSa.get(ikeSaId);
      if (p === undefined || !waiting.delete(ikeSaId)) return;
      host.traceNote('proxy.abandoned', { peer: p.peerId });
      drop(p);
    },
    release(ikeSaId, _peerId, peerMayHold) {
      const p = byIkeSa.get(ikeSaId);
      if (p === undefined) return;
      // A peer that may still use the address keeps its lease until it runs out at the server (RFC 2131 §4.4.5).
      if (o.leaseOnDelete === 'release' && peerMayHold !== true) p.release();
      drop(p);
    },
    reset() {
      for (const p of byIkeSa.values()) p.dispose();
      byIkeSa.clear();
      byChaddr.clear();
      waiting.clear();
    },
    snapshot() {
      const out: Record<string, string> = {};
      for (const p of byIkeSa.values()) if (p.address !== undefined) out[p.address] = p.peerId;
      return out;
    },
  };
}
