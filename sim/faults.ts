/**
 * Scheduled faults. Each takes effect at `atUs` and is traced as a `fault` event (levels `full` and `packets`).
 * Targeted drops (`drop.nth`, `drop.match`) arm at `atUs` (default 0) and later show as `drop` events with reason
 * `targeted` and the fault id as detail.
 */
import type { LinkProfile } from './link-profile.ts';
import type { TargetedDropFilter } from './targeted-drop.ts';

interface FaultBase {
  readonly atUs: number;
  /** Shown in the trace; default `<type>#<index in the fault list>`. */
  readonly id?: string;
}

export interface LinkDownFault extends FaultBase {
  readonly type: 'link.down';
  readonly link: string;
}
export interface LinkUpFault extends FaultBase {
  readonly type: 'link.up';
  readonly link: string;
}
/** Packets between nodes of different groups are dropped (`partition`); nodes in no group are unaffected. */
export interface PartitionFault extends FaultBase {
  readonly type: 'partition';
  readonly groups: readonly (readonly string[])[];
}
/** Heals the partition with id `partition`, or every partition when absent. */
export interface PartitionHealFault extends FaultBase {
  readonly type: 'partition.heal';
  readonly partition?: string;
}
/** Packets in flight to the node are lost, `node.crash()` is called, it receives nothing and its timers die. */
export interface NodeCrashFault extends FaultBase {
  readonly type: 'node.crash';
  readonly node: string;
}
export interface NodeRestartFault extends FaultBase {
  readonly type: 'node.restart';
  readonly node: string;
}
/** Merges `profile` over the current profile of the link's directions (only `from`→`to` when given). */
export interface ProfileFault extends FaultBase {
  readonly type: 'link.profile';
  readonly link: string;
  readonly from?: string;
  readonly to?: string;
  readonly profile: LinkProfile;
}
/** Drops the n-th (1-based) packet offered to the matching directions after the fault takes effect. */
export interface DropNthFault extends FaultBase, TargetedDropFilter {
  readonly type: 'drop.nth';
  readonly n: number;
}
/** Drops the first `count` (default 1) packets whose summary contains `match` (or matches it as RegExp source). */
export interface DropMatchFault extends FaultBase, TargetedDropFilter {
  readonly type: 'drop.match';
  readonly match: string;
  readonly regex?: boolean;
  readonly count?: number;
}

export type FaultSpec =
  | LinkDownFault
  | LinkUpFault
  | PartitionFault
  | PartitionHealFault
  | NodeCrashFault
  | NodeRestartFault
  | ProfileFault
  | DropNthFault
  | DropMatchFault;

export type FaultType = FaultSpec['type'];

export function faultId(fault: FaultSpec, index: number): string {
  return fault.id ?? `${fault.type}#${index}`;
}

function filterText(f: TargetedDropFilter): string {
  return `link ${f.link ?? '*'} ${f.from ?? '*'}→${f.to ?? '*'}`;
}

/** The one-line `detail` of the fault's trace event. */
export function faultDetail(fault: FaultSpec): string {
  switch (fault.type) {
    case 'link.down':
    case 'link.up':
      return `link ${fault.link}`;
    case 'partition':
      return `nodes ${fault.groups.map((g) => `[${g.join(',')}]`).join(' | ')}`;
    case 'partition.heal':
      return fault.partition === undefined ? 'all partitions' : `partition ${fault.partition}`;
    case 'node.crash':
    case 'node.restart':
      return `node ${fault.node}`;
    case 'link.profile': {
      const keys = Object.keys(fault.profile).sort();
      const settings = keys.map((k) => `${k}=${String(fault.profile[k as keyof LinkProfile])}`).join(' ');
      return `link ${fault.link} ${fault.from ?? '*'}→${fault.to ?? '*'} ${settings}`;
    }
    case 'drop.nth':
      return `${filterText(fault)} packet #${fault.n}`;
    case 'drop.match':
      return `${filterText(fault)} ${fault.regex ? 'regex' : 'substring'} ${JSON.stringify(fault.match)} ×${fault.count ?? 1}`;
  }
}
