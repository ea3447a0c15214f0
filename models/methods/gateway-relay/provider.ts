/**
 * The gateway side of both DHCP-over-IKE methods: an `AddressProvider` that relays the DHCP payload of every IKE_AUTH
 * round and CREATE_CHILD_SA through `GatewayRelay` and answers with the server's replies.
 *
 * - seed (draft-richardson §2): IKE_AUTH carries DISCOVER → OFFER (childless: no SAr2); CREATE_CHILD_SA carries
 *   REQUEST → ACK with TSi narrowed to the leased address; every rekey carries REQUEST → ACK.
 * - wg (draft-ietf §3): every IKE_AUTH round carries DHCP; OFFER(s) and NAK answer `more`; the ACK ends IKE_AUTH and
 *   the responder narrows TSi to the address (§3 MUST); no reply in the collect window ⇒ a response without DHCP.
 */
import { selectorsContain } from '../../ike/tasks/child-create.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import {
  dhcpPayload,
  findPayload,
  findPayloads,
  notifyPayload,
  type IkeMessage,
  type IkePayload,
} from '../../wire/ike/index.ts';
import type {
  AddressProvider,
  AddressAnswer,
  ChildAnswer,
  ChildProviderRequest,
  GatewayMethodContext,
} from '../method.ts';
import { configFromAck, dhcpMessagesIn, isAck, isDiscover, isNak, isOffer } from './messages.ts';
import { GatewayRelay, type RelayConfig, type RelayMode, type RelayOutcome } from './relay.ts';

export type DraftFlavour = 'seed' | 'wg';

function relayMode(config: RelayConfig, flavour: DraftFlavour): RelayMode {
  const p = config.policy;
  const collect = p.collect === 'auto' ? (config.servers.length > 1 ? 'window' : 'first') : p.collect;
  // draft-ietf §3: the round is answered at the end of the collect window at the latest; the seed is silent, so
  // the gateway waits as long as its own retry schedule runs (IKE's addressTimeoutMs may end it earlier).
  return { collect, deadline: flavour === 'wg' ? 'collect' : 'retries' };
}

/** `dhcpIkeNoReply`: `draft` = WG §3 "MUST send reply … without the DHCP payload"; the seed is silent ⇒ fail. */
function emptyOnNoReply(config: RelayConfig, flavour: DraftFlavour): boolean {
  const p = config.policy.noReply;
  return p === 'empty' || (p === 'draft' && flavour === 'wg');
}

export function dhcpRelayProvider(
  ctx: GatewayMethodContext,
  config: RelayConfig,
  flavour: DraftFlavour,
): AddressProvider {
  const relay = new GatewayRelay(ctx.host, config);
  const mode = relayMode(config, flavour);
  const fail: AddressAnswer = { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' };

  const authAnswer = (o: RelayOutcome): AddressAnswer => {
    if (o.kind !== 'replies') {
      if (!emptyOnNoReply(config, flavour)) return fail;
      return flavour === 'wg'
        ? { ok: true, more: true, replyPayloads: [] }
        : { ok: true, config: undefined, replyPayloads: [] };
    }
    const ack = o.replies.find(isAck);
    if (ack !== undefined) return { ok: true, config: configFromAck(ack), replyPayloads: [dhcpPayload(ack)] };
    const shown = o.replies.filter((m) => isOffer(m) || isNak(m)).map(dhcpPayload);
    // seed §2: the IKE SA is up after this one round (childless); the REQUEST comes in CREATE_CHILD_SA.
    if (flavour === 'seed') return { ok: true, config: undefined, replyPayloads: shown };
    return { ok: true, more: true, replyPayloads: shown };
  };

  /** The expired lease's address a CREATE_CHILD_SA would keep or ask for (`dhcpIkeExpiredTsi: refuse`), if any. */
  const expiredTsi = (req: ChildProviderRequest, message: DhcpMessage | undefined): string | undefined => {
    if (config.policy.expiredTsi !== 'refuse' || (message !== undefined && isDiscover(message))) return undefined;
    const lease = relay.expiredLease(req.ikeSaId);
    if (lease === undefined) return undefined;
    const tsi = findPayload(req.request, 'TSi');
    const asked = tsi !== undefined && selectorsContain(tsi.selectors, lease.address);
    return req.rekeyOf !== undefined || asked ? lease.address : undefined;
  };
  /** draft-ietf §5: a DHCP payload whose Packet Type is not DHCPv4 (1) is answered UNKNOWN-DHCP-PAYLOAD-TYPE. */
  const unknownType = (m: IkeMessage, ikeSaId: string): readonly IkePayload[] | undefined => {
    const raw = findPayloads(m, 'DHCP').find((p) => p.packet.kind === 'raw');
    if (raw?.packet.kind !== 'raw' || dhcpMessagesIn(m).length > 0) return undefined;
    ctx.host.traceNote('relay.dropped', {
      reason: 'unknown-dhcp-packet-type',
      ikeSa: ikeSaId,
      type: raw.packet.packetType,
    });
    return [notifyPayload({ notify: 'UNKNOWN_DHCP_PAYLOAD_TYPE' })];
  };

  return {
    udpPorts: GatewayRelay.udpPorts,
    request(req, answer) {
      const unknown = unknownType(req.request, req.ikeSaId);
      if (unknown !== undefined) {
        answer({ ok: false, notify: 'INTERNAL_ADDRESS_FAILURE', replyPayloads: unknown });
        return;
      }
      const message = dhcpMessagesIn(req.request)[0];
      if (message === undefined || (flavour === 'seed' && req.round > 0)) {
        ctx.host.traceNote('relay.dropped', { reason: 'no-dhcp-payload', ikeSa: req.ikeSaId });
        answer(flavour === 'wg' && req.round > 0 ? { ok: true, more: true, replyPayloads: [] } : fail);
        return;
      }
      relay.relay({ ikeSaId: req.ikeSaId, peerId: req.peerId }, message, mode, (o) => answer(authAnswer(o)));
    },
    childRequest(req, answer) {
      const unknown = unknownType(req.request, req.ikeSaId);
      if (unknown !== undefined) {
        answer({ ok: false, notify: 'INTERNAL_ADDRESS_FAILURE', replyPayloads: unknown });
        return;
      }
      const message = dhcpMessagesIn(req.request)[0];
      const rekey = req.rekeyOf !== undefined;
      const expired = expiredTsi(req, message);
      if (expired !== undefined) {
        // RFC 2131 §4.4.5: the lease ran out (the relay saw no ACK by its end), so the address is the server's
        // again: no Child SA for it (RFC 7296 §2.9 TS_UNACCEPTABLE); the peer must start again at DISCOVER.
        ctx.host.traceNote('relay.expiredTsi', { ikeSa: req.ikeSaId, address: expired, rekey });
        answer({ ok: false, notify: 'TS_UNACCEPTABLE' });
        return;
      }
      if (message === undefined) {
        // A rekey without DHCP (e.g. the IKE lifetime timer while the client is not BOUND): keep the address.
        answer({ ok: true });
        return;
      }
      relay.relay({ ikeSaId: req.ikeSaId, peerId: req.peerId }, message, { ...mode, deadline: 'retries' }, (o) => {
        answer(childAnswer(o, rekey));
      });
    },
    onUdp: (d, from) => relay.onUdp(d, from),
    release: (ikeSaId, _peerId, peerMayHold) => relay.release(ikeSaId, peerMayHold === true),
    abandon: (ikeSaId) => relay.abandonSa(ikeSaId),
    reset: () => relay.reset(),
    snapshot: () => relay.snapshot(),
  };
}

/**
 * CREATE_CHILD_SA answers (seed §2 steps 5–6): ACK ⇒ the child with TSi = the leased address; NAK ⇒ no child, the NAK
 * rides in the error response (the client tears the old child down); an OFFER (the lab's restart after a NAK, see
 * dhcp-over-ike.ts) ⇒ no child, the OFFER in the response; no reply ⇒ a rekey is retried later (TEMPORARY_FAILURE,
 * RFC 7296 §2.25), a new child fails (INTERNAL_ADDRESS_FAILURE).
 */
export function childAnswer(o: RelayOutcome, rekey: boolean): ChildAnswer {
  if (o.kind !== 'replies') return { ok: false, notify: rekey ? 'TEMPORARY_FAILURE' : 'INTERNAL_ADDRESS_FAILURE' };
  const ack = o.replies.find(isAck);
  if (ack !== undefined) {
    const config = configFromAck(ack);
    return { ok: true, replyPayloads: [dhcpPayload(ack)], tsiAddress: config.address, config };
  }
  const shown = o.replies.filter((m) => isOffer(m) || isNak(m)).map(dhcpPayload);
  return { ok: false, notify: 'INTERNAL_ADDRESS_FAILURE', replyPayloads: shown };
}
