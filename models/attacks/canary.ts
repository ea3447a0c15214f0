/**
 * Instrumentation, not protocol: what an attacker sends carries a canary (`attack:<kind>:<attacker>` in a DHCP
 * message's `sname` field, RFC 2131 §2 — unused by clients — or at the start of a raw UDP payload), so the defender
 * whose code path lets it through or refuses it can say so in the trace (`attack.succeeded` / `attack.refused`).
 * Decisions never depend on it: defenders decide as for any packet, then label the outcome.
 */
import type { DhcpMessage } from '../wire/dhcp/types.ts';
import type { UdpApp } from '../wire/packet.ts';

export const ATTACK_KINDS = [
  'lease-theft',
  'option82',
  'release-other',
  'decline-other',
  'forged-relay',
  'dhcp-before-auth',
  'ike-replay',
  'esp-spoof',
] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

const PREFIX = 'attack:';
const text = new TextEncoder();
const untext = new TextDecoder();

export interface Canary {
  readonly kind: AttackKind;
  readonly attacker: string;
  /** `bait`: a packet the attacker sends legitimately in order to replay it later (only a second delivery counts). */
  readonly bait: boolean;
}

export function canaryText(kind: AttackKind, attacker: string, bait = false): string {
  return `${PREFIX}${kind}:${attacker}${bait ? ':bait' : ''}`;
}

export function canaryBytes(kind: AttackKind, attacker: string, bait = false): Uint8Array {
  return text.encode(canaryText(kind, attacker, bait));
}

function parseCanary(s: string): Canary | undefined {
  if (!s.startsWith(PREFIX)) return undefined;
  const [kind, attacker, bait] = s.slice(PREFIX.length).split(':');
  if (kind === undefined || attacker === undefined || !(ATTACK_KINDS as readonly string[]).includes(kind))
    return undefined;
  return { kind: kind as AttackKind, attacker, bait: bait === 'bait' };
}

/** The sname field (64 bytes, NUL-terminated) carrying a canary. */
export function withDhcpCanary(m: DhcpMessage, kind: AttackKind, attacker: string): DhcpMessage {
  const sname = new Uint8Array(64);
  sname.set(canaryBytes(kind, attacker).subarray(0, 63));
  return { ...m, sname };
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return untext.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

export function dhcpCanary(m: DhcpMessage): Canary | undefined {
  return m.sname[0] === PREFIX.charCodeAt(0) ? parseCanary(cString(m.sname)) : undefined;
}

/** A canary in a UDP application layer: DHCP `sname` or the start of a raw payload. */
export function udpCanary(app: UdpApp): Canary | undefined {
  if (app.kind === 'dhcp') return dhcpCanary(app.message);
  if (app.kind === 'raw' && app.data[0] === PREFIX.charCodeAt(0)) return parseCanary(cString(app.data));
  return undefined;
}
