/**
 * The one thing the simulated network asks of a real DHCP server: send it a DHCP message's bytes and wait for its
 * answer. The simulation's virtual time stands still while it waits (the exchange is synchronous), so a real server
 * fits a deterministic run except for what it answers: a run with one is not hermetic (its trace digest depends on
 * the server). The implementation lives outside models/ (scenarios/external/udp-exchange.ts: a UDP socket in Node);
 * nothing here touches a socket or a clock.
 */
export type ExternalDhcpOutcome =
  /** The server's reply to this request (same xid), exactly as it arrived. */
  | { readonly kind: 'reply'; readonly bytes: Uint8Array }
  /** Nothing within the wall-clock timeout (or a message that gets no reply, e.g. DHCPRELEASE): a loss. */
  | { readonly kind: 'noReply' }
  /** The transport itself failed (socket error, no server): traced, the message is lost. */
  | { readonly kind: 'error'; readonly message: string };

export interface ExternalDhcpExchange {
  /** Where the messages go, for the trace (`127.0.0.1:67`). */
  readonly endpoint: string;
  /**
   * Sends one DHCP message and blocks until the server's reply or the timeout. `expectReply` false (RELEASE, DECLINE:
   * RFC 2131 §4.3.4–4.3.5, no reply) returns `noReply` once the message is sent.
   */
  exchange(request: Uint8Array, expectReply: boolean): ExternalDhcpOutcome;
}
