/**
 * The `attacks` metric: per attack kind, how many attacks were tried (`attack.tried`) and how many succeeded. A
 * success is a defender's `attack.succeeded` (a canary let through, models/attacks/canary.ts), a bait ESP packet
 * delivered twice (a replay accepted, RFC 4303 §3.4.3), or an outcome: lease-theft succeeded when attacker and victim
 * held the same inner address at any time or the victim never got one (locked out); ike-replay when the victim's
 * IKE SA closed or its address was released after the replay.
 */
import type { TraceEvent } from '../../sim/trace.ts';

export interface AttackCounts {
  readonly tried: number;
  readonly succeeded: number;
}

export interface AttackMetrics {
  readonly byKind: Readonly<Record<string, AttackCounts>>;
  readonly total: AttackCounts;
}

type Note = Extract<TraceEvent, { type: 'note' }>;

export class AttackTally {
  private readonly tried = new Map<string, number>();
  private readonly succeeded = new Map<string, number>();
  private readonly baits = new Set<string>();
  /** attacker → its attack (first try). */
  private readonly attackers = new Map<string, { kind: string; victim: string | undefined; atUs: number }>();
  /** client → the inner addresses it was assigned: the one address most clients ever hold as itself, a set only
   * once a second one comes (every client of a storm is here; only a victim is ever read). */
  private readonly addresses = new Map<string, string | Set<string>>();
  /** client → the last time its IKE SA closed or its address was released (an attack succeeded when the victim was
   * disturbed at or after it: the last time answers that as the list of every time would). */
  private readonly disturbed = new Map<string, number>();

  constructor(private readonly clients: readonly string[]) {}

  private bump(m: Map<string, number>, kind: string): void {
    m.set(kind, (m.get(kind) ?? 0) + 1);
  }

  onNote(e: Note): void {
    const d = e.data ?? {};
    const kind = String(d['kind'] ?? '');
    switch (e.text) {
      case 'attack.tried': {
        this.bump(this.tried, kind);
        const attacker = String(d['attacker'] ?? e.node);
        if (!this.attackers.has(attacker)) {
          const victim = d['victim'];
          this.attackers.set(attacker, { kind, victim: typeof victim === 'string' ? victim : undefined, atUs: e.atUs });
        }
        return;
      }
      case 'attack.succeeded':
        this.bump(this.succeeded, kind);
        return;
      case 'attack.delivered': {
        const key = `${e.node}|${String(d['spi'])}|${String(d['sequence'])}`;
        if (this.baits.has(key)) this.bump(this.succeeded, kind);
        else this.baits.add(key);
        return;
      }
      case 'address.assigned': {
        const address = String(d['address']);
        const held = this.addresses.get(e.node);
        if (held === undefined) this.addresses.set(e.node, address);
        else if (typeof held !== 'string') held.add(address);
        else if (held !== address) this.addresses.set(e.node, new Set([held, address]));
        return;
      }
      case 'client.closed':
      case 'address.released':
        this.disturbed.set(e.node, Math.max(e.atUs, this.disturbed.get(e.node) ?? -Infinity));
        return;
      default:
        return;
    }
  }

  finish(): AttackMetrics {
    const succeeded = new Map(this.succeeded);
    for (const [attacker, a] of this.attackers) {
      if (a.victim === undefined || !this.clients.includes(a.victim)) continue;
      if (a.kind === 'lease-theft') {
        const mine = addressSet(this.addresses.get(attacker));
        const theirs = addressSet(this.addresses.get(a.victim));
        const shared = [...mine].some((x) => theirs.has(x));
        if (shared || theirs.size === 0) this.bump(succeeded, a.kind);
      } else if (a.kind === 'ike-replay') {
        if ((this.disturbed.get(a.victim) ?? -Infinity) >= a.atUs) this.bump(succeeded, a.kind);
      }
    }
    const byKind: Record<string, AttackCounts> = {};
    let tried = 0;
    let won = 0;
    for (const kind of [...new Set([...this.tried.keys(), ...succeeded.keys()])].sort()) {
      const t = this.tried.get(kind) ?? 0;
      const s = succeeded.get(kind) ?? 0;
      byKind[kind] = { tried: t, succeeded: s };
      tried += t;
      won += s;
    }
    return { byKind, total: { tried, succeeded: won } };
  }
}

function addressSet(held: string | Set<string> | undefined): ReadonlySet<string> {
  if (held === undefined) return new Set();
  return typeof held === 'string' ? new Set([held]) : held;
}
