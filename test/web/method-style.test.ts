import { describe, expect, it } from 'vitest';
import { METHOD_IDS } from '../../scenarios/browser.ts';
import { formatMetric, methodStyle, metricLabel } from '../../web/model/method-style.ts';
import { narrowLane, buildLane } from '../../web/model/ladder-model.ts';
import { runScenario } from '../../scenarios/browser.ts';

describe('one look per method', () => {
  it('every method has a name and a distinct colour-and-marker pair; the two drafts share a hue', () => {
    const pairs = METHOD_IDS.map((m) => `${methodStyle(m).colour}/${methodStyle(m).marker}/${methodStyle(m).dash}`);
    expect(new Set(pairs).size).toBe(METHOD_IDS.length);
    expect(new Set(METHOD_IDS.map((m) => methodStyle(m).marker)).size).toBe(METHOD_IDS.length);
    expect(methodStyle('dhcp-over-ike').colour).toBe(methodStyle('dhcp-over-ike-wg').colour);
    expect(methodStyle('dhcp-over-ike').dash).not.toBe(methodStyle('dhcp-over-ike-wg').dash);
    for (const m of METHOD_IDS) expect(methodStyle(m).name).not.toBe(m);
  });

  it('metrics read in ms with words', () => {
    expect(formatMetric('timeToAddressUs.median', 64000)).toBe('64.000 ms');
    expect(formatMetric('addressed', 5)).toBe('5');
    expect(formatMetric('retransmits.ike', null)).toBe('—');
    expect(metricLabel('timeToAddressUs.median')).toBe('time to address (median)');
    expect(metricLabel('addressOverlaps')).toBe('address overlaps');
  });

  it('a compact lane keeps the clients and the gateway and the arrows between them', () => {
    const run = runScenario('basic', { method: 'dhcp-over-ike', seed: 1 });
    const lane = buildLane(run.trace, ['client1', 'gw', 'dhcp', 'host']);
    const compact = narrowLane(lane, new Set(['client1', 'gw']));
    expect(compact.nodes).toEqual(['client1', 'gw']);
    expect(compact.arrows.length).toBe(
      lane.arrows.filter((a) => a.from !== 'dhcp' && a.to !== 'dhcp' && a.from !== 'host' && a.to !== 'host').length,
    );
    expect(compact.arrows.every((a) => ['client1', 'gw'].includes(a.from) && ['client1', 'gw'].includes(a.to))).toBe(
      true,
    );
    expect(compact.brackets.length).toBe(lane.brackets.length);
  });
});
