/**
 * The unified event timeline (issue 16): every trace event as one row — packets, commands, timers, state transitions,
 * notes, faults, drops, malformed input — and a Wireshark-like display filter over them.
 *
 * Filter syntax: words separated by spaces, all of which must match (AND). `kind:note` (packet, drop, command, timer,
 * state, note, fault, malformed), `method:mode-cfg` (the lane's method, when lanes are compared), `node:gw` (exact
 * node; a fault matches any node), `msg:IKE_AUTH` (a packet's
 * summary contains it), `note:dhcp.` (a note's text starts with it); any other word must appear in the row's text
 * (case-insensitive); a leading `-` negates a word. Bad words are reported, never thrown.
 */
import { formatSeconds } from '../../sim/ladder.ts';
import type { TraceEvent } from '../../sim/trace.ts';

export type TimelineKind = 'packet' | 'drop' | 'command' | 'timer' | 'state' | 'note' | 'fault' | 'malformed';
export const TIMELINE_KINDS: readonly TimelineKind[] = [
  'packet',
  'drop',
  'command',
  'timer',
  'state',
  'note',
  'fault',
  'malformed',
];

export interface TimelineRow {
  readonly index: number;
  readonly atUs: number;
  readonly kind: TimelineKind;
  /** The node it happened on; '' for a fault (it names its target in the text). */
  readonly node: string;
  readonly text: string;
  /** For packets and drops: the packet, so a row can select its arrow. */
  readonly packetId?: number;
  /** The method of the lane the event comes from ('' when not given). */
  readonly method: string;
  /** The lane (0 = the first) the event comes from. */
  readonly lane: number;
}

function dataText(d: Readonly<Record<string, string | number | boolean>> | undefined): string {
  if (d === undefined) return '';
  const parts = Object.entries(d).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? '' : ` {${parts.join(', ')}}`;
}

/** One row per trace event the timeline shows (deliveries and duplicates are the packets' own story). */
export function timelineRows(trace: readonly TraceEvent[], method = '', lane = 0): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const push = (r: Omit<TimelineRow, 'index' | 'method' | 'lane'>): void =>
    void rows.push({ ...r, index: rows.length, method, lane });
  for (const e of trace) {
    switch (e.type) {
      case 'send':
        push({ atUs: e.atUs, kind: 'packet', node: e.node, text: e.summary, packetId: e.packetId });
        break;
      case 'drop':
        push({
          atUs: e.atUs,
          kind: 'drop',
          node: '',
          text: `packet #${e.packetId} dropped: ${e.reason}`,
          packetId: e.packetId,
        });
        break;
      case 'command':
        push({ atUs: e.atUs, kind: 'command', node: e.node, text: `${e.command}${dataText(e.args)}` });
        break;
      case 'timer':
        push({ atUs: e.atUs, kind: 'timer', node: e.node, text: e.name });
        break;
      case 'state':
        push({ atUs: e.atUs, kind: 'state', node: e.node, text: `${e.machine}: ${e.from} → ${e.to}` });
        break;
      case 'note':
        push({ atUs: e.atUs, kind: 'note', node: e.node, text: `${e.text}${dataText(e.data)}` });
        break;
      case 'fault':
        push({ atUs: e.atUs, kind: 'fault', node: '', text: `${e.fault} ${e.detail}` });
        break;
      case 'malformed':
        push({ atUs: e.atUs, kind: 'malformed', node: e.node, text: `malformed (${e.direction}): ${e.reason}` });
        break;
      default:
        break;
    }
  }
  return rows;
}

export interface TimelineFilter {
  readonly test: (row: TimelineRow) => boolean;
  /** Words that mean nothing (`kind:foo`), with why. */
  readonly problems: readonly string[];
}

export function parseTimelineFilter(text: string): TimelineFilter {
  const problems: string[] = [];
  const tests: ((r: TimelineRow) => boolean)[] = [];
  for (const raw of text.trim().split(/\s+/).filter(Boolean)) {
    const negate = raw.startsWith('-') && raw.length > 1;
    const word = negate ? raw.slice(1) : raw;
    const colon = word.indexOf(':');
    const key = colon > 0 ? word.slice(0, colon) : '';
    const value = colon > 0 ? word.slice(colon + 1) : word;
    let t: ((r: TimelineRow) => boolean) | undefined;
    switch (key) {
      case 'kind':
        if (!(TIMELINE_KINDS as readonly string[]).includes(value)) {
          problems.push(`${raw}: kind is one of ${TIMELINE_KINDS.join(', ')}`);
          continue;
        }
        t = (r) => r.kind === value;
        break;
      case 'node':
        t = (r) => r.node === value || r.node === '';
        break;
      case 'method':
        t = (r) => r.method === value;
        break;
      case 'msg':
        t = (r) => (r.kind === 'packet' || r.kind === 'drop') && r.text.toLowerCase().includes(value.toLowerCase());
        break;
      case 'note':
        t = (r) => r.kind === 'note' && r.text.startsWith(value);
        break;
      default: {
        const needle = word.toLowerCase();
        t = (r) => `${r.node} ${r.text}`.toLowerCase().includes(needle);
      }
    }
    const f = t;
    tests.push(negate ? (r) => !f(r) : f);
  }
  return { test: (r) => tests.every((f) => f(r)), problems };
}

/** The row the cursor is on: the last one at or before `atUs` (-1 before the first). */
export function rowAtCursor(rows: readonly TimelineRow[], atUs: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as TimelineRow).atUs <= atUs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function rowLine(r: TimelineRow): string {
  return `${formatSeconds(r.atUs)}  ${r.kind.padEnd(9)} ${r.node.padEnd(8)} ${r.text}`;
}

/** Several lanes' rows on one time line (stable: lane order within the same instant), renumbered. */
export function mergeTimelines(lanes: readonly (readonly TimelineRow[])[]): TimelineRow[] {
  return lanes
    .flat()
    .map((r, k) => ({ r, k }))
    .sort((a, b) => a.r.atUs - b.r.atUs || a.r.lane - b.r.lane || a.k - b.k)
    .map(({ r }, index) => ({ ...r, index }));
}
