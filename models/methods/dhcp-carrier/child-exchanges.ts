/**
 * DHCP over CREATE_CHILD_SA, shared by both methods (seed §2 steps 5–6; the WG method borrows the renewal,
 * `dhcpIkeWgRenew`): a DHCP message rides in a Child SA request for `slot`, the reply in its response; every rekey of
 * the slot carries DHCP(REQUEST) and its ACK; the rekey is scheduled at `dhcpIkeRekeyT1Percent` of T1.
 */
import { DhcpMessageType } from '../../wire/dhcp/types.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import { dhcpPayload, type IkeMessage, type IkePayload } from '../../wire/ike/index.ts';
import { dhcpMessagesIn, isType } from '../gateway-relay/messages.ts';
import type { ChildExchangeInfo, ClientChildOutcome, ClientMethodContext } from '../method.ts';
import type { DhcpCarrier } from './carrier.ts';
import type { CarrierPolicy } from './policies.ts';

export interface ChildExchanges {
  /** A CREATE_CHILD_SA for the slot (a rekey when the slot holds a Child SA) carrying `m`. */
  carry(m: DhcpMessage): void;
  /** (Re)arms the slot's rekey at the policy's share of T1. */
  scheduleRekey(): void;
  childRequestPayloads(info: ChildExchangeInfo): readonly IkePayload[];
  processChildResponse(info: ChildExchangeInfo, resp: IkeMessage, errors: readonly string[]): ClientChildOutcome;
}

export function childExchanges(
  ctx: ClientMethodContext,
  carrier: DhcpCarrier,
  slot: string,
  policy: CarrierPolicy,
): ChildExchanges {
  const carry = (m: DhcpMessage): void => ctx.requestChild({ slot, payloads: [dhcpPayload(m)] });
  const scheduleRekey = (): void => {
    const delayMs = carrier.rekeyDelayMs(policy.rekeyT1Percent);
    if (delayMs !== undefined) ctx.scheduleChildRekey(slot, delayMs);
  };
  let resends = 0;
  /**
   * The client is to start again at DISCOVER (a lost lease, a NAK, a REQUEST never answered). RFC 2131 §4.4.5: at
   * expiry the client MUST stop using the address — it is withdrawn and the Child SA bound to it goes. Then, per
   * `dhcpIkeNakRestart`: a new IKE SA whose IKE_AUTH carries the DISCOVER (seed §2, WG §3; deleting the IKE SA closes
   * its Child SAs, RFC 7296 §1.4.1), the DISCOVER in a CREATE_CHILD_SA, or no address at all.
   */
  const restart = (why: string, discover: DhcpMessage | undefined): void => {
    resends = 0;
    ctx.configure(undefined);
    if (policy.nakRestart === 'reconnect') {
      carrier.halt();
      ctx.reconnect(`dhcp-${why}`);
      return;
    }
    if (ctx.children().some((c) => c.slot === slot)) ctx.deleteChild(slot);
    if (policy.nakRestart === 'child-discover') {
      if (discover !== undefined) carry(discover);
      return;
    }
    ctx.traceNote('dhcp.stayDown', { reason: why });
    carrier.stop();
  };
  // An expiry comes from the machine's own timer; its DISCOVER follows as a spontaneous message (child-discover).
  carrier.onExpired = (address) => {
    ctx.traceNote('lease.lost', { address, why: 'expired' });
    restart('expired', undefined);
  };
  /**
   * A new Child SA failed without DHCP (the gateway timed out, INTERNAL_ADDRESS_FAILURE): like REQUESTING's own
   * retransmission (RFC 2131 §4.1), the same REQUEST goes again in a new CREATE_CHILD_SA, `dhcpIkeResendMax` times,
   * then the client starts again at DISCOVER (draft-ietf §3's rule; carried per `dhcpIkeNakRestart`).
   */
  const retryNewChild = (): void => {
    resends += 1;
    const again = resends <= policy.resendMax ? carrier.resend() : undefined;
    if (again !== undefined) {
      carry(again);
      return;
    }
    restart('no-ack', policy.nakRestart === 'child-discover' ? carrier.begin(null) : undefined);
  };
  return {
    carry,
    scheduleRekey,
    childRequestPayloads(info) {
      if (info.slot !== slot || !info.rekey) return [];
      const m = carrier.renew();
      return m === undefined ? [] : [dhcpPayload(m)];
    },
    processChildResponse(info, resp, errors) {
      if (info.slot !== slot)
        return errors[0] === undefined ? { kind: 'accept' } : { kind: 'reject', reason: errors[0] };
      const messages = dhcpMessagesIn(resp);
      if (messages.length === 0) {
        if (errors[0] === undefined) return { kind: 'accept' };
        const state = carrier.state();
        if (!info.rekey && (state === 'REQUESTING' || state === 'SELECTING')) retryNewChild();
        return { kind: 'reject', reason: errors[0] };
      }
      const r = carrier.deliver(messages);
      for (const e of r.events) {
        if (e.type === 'dhcp.bound' || e.type === 'dhcp.renewed') {
          resends = 0;
          scheduleRekey();
          return { kind: 'accept', config: carrier.configOf(e) };
        }
      }
      const nak = r.events.find((e) => e.type === 'dhcp.nak');
      if (nak !== undefined) {
        // RFC 2131 §4.4.5 (RENEWING/REBINDING) / §3.1 step 4 (REQUESTING): the address is gone; restart at DISCOVER.
        if (nak.withdrawn !== null) ctx.traceNote('lease.lost', { address: nak.withdrawn, why: 'nak' });
        restart('nak', r.sent);
        return { kind: 'reject', reason: 'DHCPNAK' };
      }
      // An OFFER (restart after a NAK): the REQUEST goes in the next CREATE_CHILD_SA.
      if (r.sent !== undefined && isType(r.sent, DhcpMessageType.REQUEST)) carry(r.sent);
      return { kind: 'reject', reason: 'no DHCPACK' };
    },
  };
}
