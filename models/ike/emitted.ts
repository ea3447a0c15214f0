/**
 * What the IKE machines emit to their node (packets to send, the IKE SA's and Child SAs' life, trace notes), and the
 * two small helpers both machines use to build them.
 */
import type { IkeMessage } from '../wire/ike/index.ts';
import type { AssignedConfig } from './tasks/ike-config.ts';
import type { ChildSa, ClientChild, IkeSaKeys } from './sa.ts';

export type IkeEmitted =
  | { readonly type: 'net.send'; readonly message: IkeMessage }
  /**
   * Responder: send again the last response it sent, byte for byte (RFC 7296 §2.1: a repeated request gets the cached
   * response). The node keeps those bytes as they went out: the responder keeps only which response it was, not a
   * built message (a parsed DHCP message and its payloads, ~1.4 KB per idle SA of a storm).
   */
  | { readonly type: 'net.resend'; readonly messageId: number }
  | {
      readonly type: 'ike.up';
      readonly keys: IkeSaKeys;
      readonly config: AssignedConfig | undefined;
      readonly child: ChildSa | undefined;
    }
  /** A Child SA was created (or `replaces` was rekeyed into it); the replaced one lives until its delete. */
  | { readonly type: 'ike.child'; readonly child: ChildSa | ClientChild; readonly replaces: ChildSa | undefined }
  /** Child SAs removed (deleted by either side, RFC 7296 §1.4.1), by our inbound SPI. */
  | { readonly type: 'ike.childDeleted'; readonly spisIn: readonly number[] }
  /** Initiator: the method changed the inner address (e.g. a DHCP(ACK) in a CREATE_CHILD_SA response). */
  | { readonly type: 'ike.configured'; readonly config: AssignedConfig | undefined }
  | { readonly type: 'ike.rekeyed'; readonly oldSpiI: string; readonly keys: IkeSaKeys }
  | { readonly type: 'ike.closed'; readonly reason: string }
  /**
   * Responder: IKE_AUTH authenticated the peer as `peerId` (before the address is asked for); `initialContact`: the
   * request carried INITIAL_CONTACT (RFC 7296 §2.4). The gateway enforces one IKE SA per identity on it.
   */
  | { readonly type: 'ike.authenticated'; readonly peerId: string; readonly initialContact: boolean }
  | {
      readonly type: 'ike.note';
      readonly text: string;
      readonly data: Readonly<Record<string, string | number | boolean>>;
    };

export function note(text: string, data: Readonly<Record<string, string | number | boolean>> = {}): IkeEmitted {
  return { type: 'ike.note', text, data };
}

/** Jittered interval (strongSwan: rekey_time − random(0, rand_time)). */
export function jittered(intervalMs: number, jitterMs: number, draw: (n: number) => number): number {
  return jitterMs > 0 ? intervalMs - draw(jitterMs + 1) : intervalMs;
}
