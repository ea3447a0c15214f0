/**
 * The one thing the simulated network asks of a real IKEv2 gateway (strongSwan's charon, say): send it one UDP
 * datagram's payload — an IKE message on port 500, or on 4500 an IKE message after the non-ESP marker, an ESP packet or
 * a NAT keepalive (RFC 3948 §2) — and hand back whatever the gateway sent meanwhile. Virtual time stands still while
 * the exchange waits (it is synchronous), so a real gateway fits a deterministic run except for what it answers: a run
 * with one is not hermetic. The implementation lives outside models/ (scenarios/external/ike-udp-exchange.ts: UDP
 * sockets in a Node worker); nothing here touches a socket or a clock.
 */

/** One UDP payload between the bridge and the real gateway. Ports are the simulation's (500 or 4500). */
export interface ExternalIkeDatagram {
  /** The client's side of the datagram (the bridge's socket): 500, or 4500 after NAT-T's switch (RFC 7296 §2.23). */
  readonly clientPort: number;
  /** The gateway's side: 500 or 4500. */
  readonly gatewayPort: number;
  /** The UDP payload, exactly as sent or received (a non-ESP marker included). */
  readonly bytes: Uint8Array;
}

export type ExternalIkeOutcome =
  /**
   * What the gateway sent since the last exchange and within this one's wait: the answer to this request (an empty
   * list when none came within the wall-clock timeout: a loss) and anything it sent on its own (DPD, rekeys).
   */
  | { readonly kind: 'datagrams'; readonly datagrams: readonly ExternalIkeDatagram[] }
  /** The transport itself failed (socket error, nothing bound): traced, the datagram is lost. */
  | { readonly kind: 'error'; readonly message: string };

export interface ExternalIkeExchange {
  /** Where the datagrams go, for the trace (`192.168.77.1:500`). */
  readonly endpoint: string;
  /** The host address the bridge sends from (the real peer address the gateway sees). */
  readonly localAddress: string;
  /**
   * Sends one datagram and, when `expectReply` (an IKE request, RFC 7296 §3.1 Response flag clear), blocks until the
   * gateway answers or the timeout passes; then collects for a short settle window so a second datagram of the same
   * answer (IKE fragments, RFC 7383) is not left behind. Without `expectReply` it only drains what has arrived.
   */
  exchange(datagram: ExternalIkeDatagram, expectReply: boolean): ExternalIkeOutcome;
}
