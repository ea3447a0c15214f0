/** How a run description declares links. Endpoints name a node and one of its interfaces. */
import type { LinkProfile } from './link-profile.ts';

export interface Endpoint {
  readonly node: string;
  readonly iface: string;
}

/** Two interfaces joined by a wire: everything one end sends reaches the other end, whatever its destination. */
export interface PointToPointLinkSpec {
  readonly kind: 'p2p';
  readonly name: string;
  readonly a: Endpoint;
  readonly b: Endpoint;
  /** Both directions. */
  readonly profile?: LinkProfile;
  /** Per direction, merged over `profile`. */
  readonly aToB?: LinkProfile;
  readonly bToA?: LinkProfile;
}

/**
 * A shared LAN. 255.255.255.255, or a directed broadcast of the sender's subnet or of `subnet`, reaches every other
 * attached interface; a unicast reaches the attached interface owning the destination, else the first matching
 * `routes` entry's node, else it is dropped `no-route`. Each (sender → receiver) pair is one direction with its own
 * state (streams, burst state, queue), created on first use.
 */
export interface SegmentSpec {
  readonly kind: 'segment';
  readonly name: string;
  readonly attach: readonly Endpoint[];
  /** Optional `a.b.c.d/len` whose directed broadcast also floods the segment. */
  readonly subnet?: string;
  readonly profile?: LinkProfile;
  /** Per direction, keyed `<from node>→<to node>`, merged over `profile`. */
  readonly profiles?: Readonly<Record<string, LinkProfile>>;
  /** Next hops for unicast destinations nobody on the segment owns (e.g. a gateway). First match wins. */
  readonly routes?: readonly { readonly prefix: string; readonly via: string }[];
}

export type LinkSpec = PointToPointLinkSpec | SegmentSpec;

/** The direction key used in traces and stream labels. */
export function directionKey(from: string, to: string): string {
  return `${from}→${to}`;
}
