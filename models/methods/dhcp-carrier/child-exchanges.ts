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
    resends = 0;
    const discover = policy.nakRestart === 'child-discover' ? carrier.begin(null) : undefined;
    if (discover !== undefined) carry(discover);
    else ctx.traceNote('dhcp.stayDown', { reason: 'no DHCPACK' });
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
      if (r.events.some((e) => e.type === 'dhcp.nak')) {
        // RFC 2131 §4.4.5 / seed: the address is gone; the Child SA for it is torn down; restart at DISCOVER.
        ctx.configure(undefined);
        if (ctx.children().some((c) => c.slot === slot)) ctx.deleteChild(slot);
        if (policy.nakRestart === 'child-discover' && r.sent !== undefined) carry(r.sent);
        else {
          ctx.traceNote('dhcp.stayDown', { reason: 'DHCPNAK' });
          carrier.stop();
        }
        return { kind: 'reject', reason: 'DHCPNAK' };
      }
      // An OFFER (restart after a NAK): the REQUEST goes in the next CREATE_CHILD_SA.
      if (r.sent !== undefined && isType(r.sent, DhcpMessageType.REQUEST)) carry(r.sent);
      return { kind: 'reject', reason: 'no DHCPACK' };
    },
  };
}
