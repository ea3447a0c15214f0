import { setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { walkMachine } from '../../scenarios/metrics/machine-walk.ts';
import { definitionFor } from '../../web/model/machine-defs.ts';
import { edgeFor, layoutMachine, type BoxLayout } from '../../web/model/machine-layout.ts';
import { historyAt } from '../../web/model/states.ts';
import type { StateEvent } from '../../sim/trace.ts';

/** A small statechart with every kind of node the panel draws: compound, parallel regions, a root transition. */
const chart = setup({
  types: { events: {} as { type: 'go' } | { type: 'back' } | { type: 'stop' } | { type: 'tick' } },
  guards: { ready: () => true },
}).createMachine({
  id: 'chart',
  initial: 'a',
  on: { stop: '.done' },
  states: {
    a: { on: { go: [{ guard: 'ready', target: 'b' }, { target: 'b.y' }], tick: {} } },
    b: {
      initial: 'x',
      states: { x: { on: { go: 'y' } }, y: { on: { back: '#chart.a' } } },
      on: { tick: { target: 'b', reenter: true } },
    },
    p: { type: 'parallel', states: { r1: {}, r2: {} } },
    done: { type: 'final' },
  },
});

const inside = (outer: BoxLayout, inner: BoxLayout): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.w <= outer.x + outer.w &&
  inner.y + inner.h <= outer.y + outer.h;
const overlap = (a: BoxLayout, b: BoxLayout): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('statechart layout (pure, drawn by the State panel)', () => {
  const layout = layoutMachine(walkMachine(chart));
  const box = (p: string): BoxLayout => layout.boxes.find((b) => b.path === p) as BoxLayout;

  it('one box per state; children inside their parent; siblings never overlap; all inside the chart', () => {
    expect(layout.boxes.map((b) => b.path)).toEqual(['a', 'b', 'b.x', 'b.y', 'p', 'p.r1', 'p.r2', 'done']);
    expect(inside(box('b'), box('b.x')) && inside(box('b'), box('b.y'))).toBe(true);
    expect(inside(box('p'), box('p.r1')) && inside(box('p'), box('p.r2'))).toBe(true);
    for (const a of layout.boxes)
      for (const b of layout.boxes)
        if (a !== b && a.parent === b.parent) expect(overlap(a, b), `${a.path} / ${b.path}`).toBe(false);
    for (const b of layout.boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(layout.width);
      expect(b.y + b.h).toBeLessThanOrEqual(layout.height);
    }
    // Parallel regions side by side (same row); the compound's initial child first.
    expect(box('p.r1').y).toBe(box('p.r2').y);
    expect(box('b.x').y).toBeLessThan(box('b.y').y);
    // Rows follow the transitions from the initial state: a above b (a → b).
    expect(box('a').y).toBeLessThan(box('b').y);
  });

  it('one arrow per (source, target) with every `event [guard]`; root transitions start at `any state`', () => {
    expect(layout.edges.map((e) => [e.id, e.labels])).toEqual([
      ['→done', ['stop']],
      ['a→b', ['go [ready]']],
      ['a→b.y', ['go']],
      ['b→b', ['tick']],
      ['b.x→b.y', ['go']],
      ['b.y→a', ['back']],
    ]);
    expect(layout.any).toBeDefined();
    // A targetless transition is no arrow: the state lists it as handled in place.
    expect(box('a').internal).toEqual(['tick']);
    // The back arrow b.y → a goes up around the boxes (its label beside the chart, not across the boxes).
    const back = layout.edges.find((e) => e.id === 'b.y→a');
    expect(back?.labelAnchor).not.toBe('middle');
    // Initial markers: the machine's and each compound's.
    expect(layout.initials.map((i) => i.to)).toEqual(['a', 'b.x']);
  });

  it('maps a traced step to the most specific arrow, and lists the steps with their causes up to the cursor', () => {
    expect(edgeFor(layout.edges, 'a', 'b.x')?.id).toBe('a→b');
    expect(edgeFor(layout.edges, 'a', 'b.y')?.id).toBe('a→b.y');
    expect(edgeFor(layout.edges, 'b.y', 'done')?.id).toBe('→done');
    expect(edgeFor(layout.edges, 'done', 'a')).toBeUndefined();
    const ev = (atUs: number, from: string, to: string, machine = 'm'): StateEvent => ({
      type: 'state',
      atUs,
      node: 'n',
      machine,
      from,
      to,
    });
    const events = [ev(1, 'a', 'b.x'), ev(2, 'x', 'y', 'other'), ev(3, 'b.x', 'b.y'), ev(9, 'b.y', 'a')];
    expect(historyAt(events, 'n', 'm', 5, (f, t) => edgeFor(layout.edges, f, t))).toEqual([
      { atUs: 1, from: 'a', to: 'b.x', edge: 'a→b', causes: ['go [ready]'] },
      { atUs: 3, from: 'b.x', to: 'b.y', edge: 'b.x→b.y', causes: ['go'] },
    ]);
    expect(historyAt(events, 'n', 'm', 0)).toEqual([]);
  });

  it("lays out the lab's own machines: the DHCP client's nine states, RFC 2131 figure 5's arrows", () => {
    const dhcp = layoutMachine(definitionFor('dhcp', 'client') as never);
    expect(dhcp.boxes).toHaveLength(9);
    expect(dhcp.edges.find((e) => e.id === 'BOUND→RENEWING')?.labels).toEqual(['timer.t1', 'cmd.renew']);
    for (const a of dhcp.boxes) for (const b of dhcp.boxes) if (a !== b) expect(overlap(a, b)).toBe(false);
  });
});
