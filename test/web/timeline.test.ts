import { describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/browser.ts';
import { mergeTimelines, parseTimelineFilter, rowAtCursor, timelineRows } from '../../web/model/timeline.ts';

describe('the event timeline', () => {
  const run = runScenario('wildcard-hazard', { method: 'dhcp-over-ipsec', seed: 1 });
  const rows = timelineRows(run.trace);

  it('has a row for every event but deliveries and duplicates, in trace order', () => {
    const shown = run.trace.filter((e) => e.type !== 'deliver' && e.type !== 'duplicate');
    expect(rows.map((r) => r.atUs)).toEqual(shown.map((e) => e.atUs));
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['packet', 'command', 'state', 'note']));
  });

  it('filters by kind, node, message and note prefix, with negation; a bad kind is reported', () => {
    const notes = rows.filter(parseTimelineFilter('kind:note').test);
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.every((r) => r.kind === 'note')).toBe(true);
    const gwIke = rows.filter(parseTimelineFilter('node:gw msg:IKE_AUTH').test);
    expect(gwIke.length).toBeGreaterThan(0);
    expect(gwIke.every((r) => r.node === 'gw' && r.text.includes('IKE_AUTH'))).toBe(true);
    const noState = rows.filter(parseTimelineFilter('-kind:state').test);
    expect(noState.length).toBe(rows.filter((r) => r.kind !== 'state').length);
    expect(parseTimelineFilter('kind:nope').problems).toEqual([
      'kind:nope: kind is one of packet, drop, command, timer, state, note, fault, malformed',
    ]);
    // The home LAN's DHCP beside the tunnel (the wildcard-hazard scenario's point) is in the notes the timeline lists.
    expect(rows.filter(parseTimelineFilter('note:home.').test).map((r) => r.text.split(' ')[0])).toEqual([
      'home.bound',
      'home.renewed',
      'home.renewed',
    ]);
  });

  it('finds the row at the cursor by time', () => {
    expect(rowAtCursor(rows, -1)).toBe(-1);
    const r = rows[10];
    expect(rowAtCursor(rows, r?.atUs ?? 0)).toBeGreaterThanOrEqual(10);
    expect(rows[rowAtCursor(rows, r?.atUs ?? 0)]?.atUs).toBe(r?.atUs);
    expect(rowAtCursor(rows, Number.MAX_SAFE_INTEGER)).toBe(rows.length - 1);
  });

  it('merges compared lanes on one time line and filters them by method', () => {
    const other = runScenario('wildcard-hazard', { method: 'mode-cfg', seed: 1 });
    const both = mergeTimelines([
      timelineRows(run.trace, 'dhcp-over-ipsec', 0),
      timelineRows(other.trace, 'mode-cfg', 1),
    ]);
    expect(both.length).toBe(rows.length + timelineRows(other.trace).length);
    expect(both.every((r, i) => i === 0 || (both[i - 1]?.atUs ?? 0) <= r.atUs)).toBe(true);
    const modeCfg = both.filter(parseTimelineFilter('method:mode-cfg').test);
    expect(modeCfg.length).toBe(timelineRows(other.trace).length);
    expect(modeCfg.every((r) => r.lane === 1)).toBe(true);
  });
});
