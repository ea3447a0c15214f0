/**
 * Tiny fake methods that exercise every hook of models/methods/method.ts the way the real DHCP methods will. The
 * DHCP payloads are fixed sample messages (models/wire/ike/samples.ts): the point is the carrier, not DHCP.
 */
import { createActor, setup } from 'xstate';
import type {
  AddressProvider,
  AssignedConfig,
  ClientMethodFactory,
  ClientMethodTasks,
  GatewayMethodContext,
} from '../../../models/methods/index.ts';
import type { DhcpMessageTypeCode } from '../../../models/wire/dhcp/types.ts';
import {
  dhcpPayload,
  findPayload,
  sampleDhcpMessage,
  tsForAddress,
  tsFullRange,
  tsRange,
  type IkeMessage,
} from '../../../models/wire/ike/index.ts';

export const DISCOVER = 1;
export const OFFER = 2;
export const REQUEST = 3;
export const ACK = 5;

const dhcp = (type: DhcpMessageTypeCode, yiaddr?: string) => dhcpPayload(sampleDhcpMessage(type, yiaddr));

/** The DHCP message type and yiaddr in an IKE message's DHCP payload. */
export function dhcpIn(m: IkeMessage): { type: number; yiaddr: string } | undefined {
  const p = findPayload(m, 'DHCP');
  if (p === undefined || p.packet.kind !== 'dhcpv4') return undefined;
  const t = p.packet.message.options.find((o) => o.kind === 'messageType');
  return { type: t?.kind === 'messageType' ? t.type : 0, yiaddr: p.packet.message.yiaddr };
}

const config = (address: string): AssignedConfig => ({ address, prefixLength: 24, dns: [] });

// ---------------------------------------------------------------------------------------------------------------
// Multi-round IKE_AUTH (draft-ietf-ipsec-dhcp-over-ike-00 §3) with a provider that uses the gateway's UDP services.

export const ROUNDS_ADDRESS = '10.99.0.7';
export const PROBE_PORT = 40001;

export const roundsClient: ClientMethodTasks = {
  childInAuth: true,
  authRequestPayloads: () => [dhcp(DISCOVER)],
  processAuthResponse(resp, errors) {
    const first = errors[0];
    if (first !== undefined) return { kind: 'failed', notify: first };
    const d = dhcpIn(resp);
    if (d?.type === OFFER) return { kind: 'more', payloads: [dhcp(REQUEST)] };
    if (d?.type === ACK) return { kind: 'configured', config: config(d.yiaddr) };
    return { kind: 'failed', notify: 'INTERNAL_ADDRESS_FAILURE' };
  },
};

/** Round 0: asks "the backend" (the echo host, over UDP from the inside address) before offering; round 1: ACK. */
export function roundsProvider(echoHost: string) {
  return (ctx: GatewayMethodContext): AddressProvider => {
    const waiting = new Map<string, () => void>();
    const owners: Record<string, string> = {};
    const rng = ctx.host.rng('xid');
    return {
      udpPorts: [PROBE_PORT],
      request(req, answer) {
        if (req.round === 0) {
          const xid = rng.nextU32();
          ctx.host.traceNote('fake.probe', { xid });
          waiting.set(String(xid), () =>
            answer({ ok: true, more: true, replyPayloads: [dhcp(OFFER, ROUNDS_ADDRESS)] }),
          );
          const data = new TextEncoder().encode(String(xid));
          ctx.host.sendUdp({ dst: echoHost, srcPort: PROBE_PORT, dstPort: 7, app: { kind: 'raw', data } });
          return;
        }
        owners[ROUNDS_ADDRESS] = req.peerId;
        answer({ ok: true, config: config(ROUNDS_ADDRESS), replyPayloads: [dhcp(ACK, ROUNDS_ADDRESS)] });
      },
      onUdp(d, from) {
        if (d.app.kind !== 'raw') return;
        const key = new TextDecoder().decode(d.app.data);
        ctx.host.traceNote('fake.probeAnswered', { via: from.via, key });
        waiting.get(key)?.();
        waiting.delete(key);
      },
      release: () => undefined,
      reset: () => waiting.clear(),
      snapshot: () => owners,
    };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Childless IKE_AUTH, then a method-driven CREATE_CHILD_SA carrying DHCP (draft-richardson §2 steps 3–6), with an
// xstate machine on the node's clock and a method-scheduled rekey.

export const CHILD_ADDRESS = '10.99.0.8';
export const T1_MS = 3000;

const leaseMachine = setup({
  types: { events: {} as { type: 'offer' | 'ack' | 'renew' } },
}).createMachine({
  id: 'lease',
  initial: 'init',
  states: {
    init: { on: { offer: 'requesting' } },
    requesting: { on: { ack: 'bound' } },
    bound: { on: { renew: 'renewing' } },
    renewing: { on: { ack: 'bound' } },
  },
});

export const childDhcpClient: ClientMethodFactory = (ctx) => {
  const lease = createActor(leaseMachine, { clock: ctx.clock });
  ctx.traceMachine(lease, 'lease');
  lease.start();
  return {
    childInAuth: false,
    authRequestPayloads: () => [dhcp(DISCOVER)],
    processAuthResponse(resp) {
      if (dhcpIn(resp)?.type !== OFFER) return { kind: 'failed', notify: 'INTERNAL_ADDRESS_FAILURE' };
      lease.send({ type: 'offer' });
      return { kind: 'configured', config: undefined };
    },
    onIkeUp: () => ctx.requestChild({ slot: 'tunnel', payloads: [dhcp(REQUEST)] }),
    childRequestPayloads(info) {
      lease.send({ type: 'renew' });
      return info.rekey ? [dhcp(REQUEST)] : [];
    },
    processChildResponse(_info, resp) {
      const d = dhcpIn(resp);
      if (d?.type !== ACK) return { kind: 'reject', reason: 'no DHCP(ACK)' };
      lease.send({ type: 'ack' });
      // draft-richardson §2 step 6: the rekey (which carries the renewal) comes no later than T1.
      ctx.scheduleChildRekey('tunnel', T1_MS);
      return { kind: 'accept', config: config(d.yiaddr) };
    },
    stop: () => lease.stop(),
  };
};

export const childDhcpProvider = (ctx: GatewayMethodContext): AddressProvider => ({
  request: (_req, answer) => answer({ ok: true, config: undefined, replyPayloads: [dhcp(OFFER, CHILD_ADDRESS)] }),
  childRequest(req, answer) {
    // The DHCP server answers 100 ms later; the responder waits in `waitingChild`.
    ctx.host.setTimerUs(100_000, 'fake.ack', () =>
      answer({
        ok: true,
        replyPayloads: [dhcp(ACK, CHILD_ADDRESS)],
        tsiAddress: CHILD_ADDRESS,
        config: config(CHILD_ADDRESS),
      }),
    );
    ctx.host.traceNote('fake.childRequest', { rekey: req.rekeyOf !== undefined });
  },
  release: () => undefined,
  reset: () => undefined,
  snapshot: () => ({}),
});

// ---------------------------------------------------------------------------------------------------------------
// RFC 3456 on IKEv2: a DHCP SA (0.0.0.0/0 UDP 68 ↔ 67), DHCP through it, a tunnel SA for the leased address, then
// the DHCP SA deleted.

export const RFC3456_ADDRESS = '10.99.0.9';
const DHCP_SA = {
  tsi: [tsRange('0.0.0.0', '255.255.255.255', 17, 68, 68)],
  tsr: [tsRange('0.0.0.0', '255.255.255.255', 17, 67, 67)],
};

export const dhcpSaClient: ClientMethodFactory = (ctx) => ({
  childInAuth: false,
  authRequestPayloads: () => [],
  processAuthResponse: () => ({ kind: 'configured', config: undefined }),
  onIkeUp: () => ctx.requestChild({ slot: 'dhcp', selectors: DHCP_SA }),
  onChild(child) {
    if (child.slot === 'dhcp') {
      // RFC 3456 §4.1: the DHCPDISCOVER (broadcast) goes down the DHCP SA.
      const app = { kind: 'dhcp' as const, message: sampleDhcpMessage(DISCOVER) };
      const verdict = ctx.sendUdp({ src: '0.0.0.0', dst: '255.255.255.255', srcPort: 68, dstPort: 67, app });
      ctx.traceNote('fake.discover', { verdict: verdict.kind });
    }
    if (child.slot === 'tunnel') ctx.deleteChild('dhcp'); // RFC 3456 §3.1 d
  },
  onUdp(d, slot) {
    if (d.app.kind !== 'dhcp' || slot !== 'dhcp') return;
    const yiaddr = d.app.message.yiaddr;
    ctx.configure(config(yiaddr));
    // RFC 3456 §3.1 e: the new address in the tunnel SA's selectors.
    ctx.requestChild({ slot: 'tunnel', selectors: { tsi: [tsForAddress(yiaddr)], tsr: [tsFullRange()] } });
  },
});

export const dhcpSaProvider = (ctx: GatewayMethodContext): AddressProvider => ({
  udpPorts: [67],
  request: (_req, answer) => answer({ ok: true, config: undefined, replyPayloads: [] }),
  childRequest(req, answer) {
    const dhcpSa = findPayload(req.request, 'TSi')?.selectors.some(
      (s) => s.kind === 'ipv4Range' && s.ipProtocol === 17,
    );
    // The DHCP SA keeps its wildcard TSi; TSr is the DHCP server side, any address, UDP 67 (RFC 3456 §4.1).
    if (dhcpSa === true) answer({ ok: true, tsiAddress: null, tsr: DHCP_SA.tsr });
    else answer({ ok: true, tsiAddress: RFC3456_ADDRESS, config: config(RFC3456_ADDRESS) });
  },
  onUdp(d, from) {
    if (from.via !== 'tunnel' || d.app.kind !== 'dhcp') return;
    // A relay would forward to the server; the fake answers itself, back down the peer's DHCP SA (RFC 3456 §4.2).
    const sent = ctx.host.sendToPeer(from.ikeSaId, {
      src: ctx.host.insideAddress,
      dst: '255.255.255.255',
      srcPort: 67,
      dstPort: 68,
      app: { kind: 'dhcp', message: sampleDhcpMessage(OFFER, RFC3456_ADDRESS) },
    });
    ctx.host.traceNote('fake.offer', { sent });
  },
  release: () => undefined,
  reset: () => undefined,
  snapshot: () => ({}),
});
