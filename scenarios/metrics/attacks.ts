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
  private readonly addresses = new Map<string, Set<string>>();
  /** client → times its IKE SA closed or its address was released. */
  private readonly disturbed = new Map<string, number[]>();

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
        const set = this.addresses.get(e.node) ?? new Set<string>();
        set.add(String(d['address']));
        this.addresses.set(e.node, set);
        return;
      }
      case 'client.closed':
      case 'address.released': {
        const list = this.disturbed.get(e.node) ?? [];
        list.push(e.atUs);
        this.disturbed.set(e.node, list);
        return;
      }
      default:
        return;
    }
  }

  finish(): AttackMetrics {
    const succeeded = new Map(this.succeeded);
    for (const [attacker, a] of this.attackers) {
      if (a.victim === undefined || !this.clients.includes(a.victim)) continue;
      if (a.kind === 'lease-theft') {
        const mine = this.addresses.get(attacker) ?? new Set<string>();
        const theirs = this.addresses.get(a.victim) ?? new Set<string>();
        const shared = [...mine].some((x) => theirs.has(x));
        if (shared || theirs.size === 0) this.bump(succeeded, a.kind);
      } else if (a.kind === 'ike-replay') {
        if ((this.disturbed.get(a.victim) ?? []).some((t) => t >= a.atUs)) this.bump(succeeded, a.kind);
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
