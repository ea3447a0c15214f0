import { describe, expect, it } from 'vitest';
import { formatUrlState, parseUrlState } from '../../web/url-state.ts';

describe('URL state', () => {
  it('round-trips a run with drops, link settings, compare lanes and the cursor', () => {
    const state = {
      scenario: 'demo-lossy',
      method: 'dhcp-over-ike',
      seed: 42,
      drops: [{ link: 'wan', from: 'client', to: 'gw', n: 3 }],
      links: { wan: { lossPpm: 200_000, latencyUs: 20_000, jitterUs: 0 } },
      compare: [{ method: 'mode-cfg', seed: 42 }],
      cursorUs: 1_500_000,
    };
    const hash = formatUrlState(state);
    expect(hash).toBe(
      '#s=demo-lossy&m=dhcp-over-ike&seed=42&drop=wan%3Aclient%3Agw%3A3&link=wan%3Aloss%3D200000%2Clat%3D20000%2Cjit%3D0&cmp=mode-cfg%4042&t=1500000',
    );
    expect(parseUrlState(hash)).toEqual({ state, errors: [] });
  });

  it('reports and skips bad parts, never throws', () => {
    const { state, errors } = parseUrlState('#s=<script>&seed=-1&drop=wan:a:b:0&link=wan:loss=2000000&t=x');
    expect(state).toEqual({ seed: 1, drops: [], links: { wan: {} }, compare: [] });
    expect(errors).toEqual([
      's: not a name: "<script>"',
      'seed: not a non-negative integer: "-1"',
      'drop: expected <link>:<from>:<to>:<n ≥ 1>, got "wan:a:b:0"',
      'link wan: bad setting "loss=2000000"',
      't: not a time in µs: "x"',
    ]);
  });
});
