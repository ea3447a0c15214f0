/**
 * When a remote-access client brings a tunnel back by itself: after a failure or a dead gateway it waits a jittered
 * delay and starts a new IKE SA (RFC 7296 leaves retry policy to the implementation; strongSwan's `keyingtries` and
 * `dpdaction=restart` are the model), a bounded number of times; after its own restart it brings up again the tunnels
 * the user had connected (the connection is configuration: strongSwan's `auto=start`).
 */
export interface ReconnectPolicy {
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Reconnect attempts after a failure before giving up; reset by a successful connection. */
  readonly triesMax: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { delayMs: 5000, jitterMs: 1000, triesMax: 5 };
