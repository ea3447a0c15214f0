import { describe, expect, it } from 'vitest';
import { formatUrlState, parseUrlState } from '../../web/url-state.ts';

describe('URL state', () => {
  it('round-trips a run with drops, link settings, compare lanes and the cursor', () => {
    const state = {
      scenario: 'lossy',
      method: 'dhcp-over-ike',
      seed: 42,
      options: { retransmit: 'doubling' },
      params: { loss: '0.2' },
      drops: [{ link: 'outside', from: 'client1', to: 'gw', n: 3 }],
      links: { outside: { lossPpm: 200_000, latencyUs: 20_000, jitterUs: 0 } },
      compare: [{ method: 'mode-cfg', seed: 42 }],
      cursorUs: 1_500_000,
    };
    const hash = formatUrlState(state);
    expect(hash).toBe(
      '#s=lossy&m=dhcp-over-ike&seed=42&o=retransmit%3Adoubling&p=loss%3A0.2&drop=outside%3Aclient1%3Agw%3A3&link=outside%3Aloss%3D200000%2Clat%3D20000%2Cjit%3D0&cmp=mode-cfg%4042&t=1500000',
    );
    expect(parseUrlState(hash)).toEqual({ state, errors: [] });
  });

  it('reports and skips bad parts, never throws', () => {
    const { state, errors } = parseUrlState('#s=<script>&seed=-1&o=a:<b>&drop=wan:a:b:0&link=wan:loss=2000000&t=x');
    expect(state).toEqual({ options: {}, params: {}, drops: [], links: { wan: {} }, compare: [] });
    expect(errors).toEqual([
      's: not a name: "<script>"',
      'seed: not a non-negative integer: "-1"',
      'drop: expected <link>:<from>:<to>:<n ≥ 1>, got "wan:a:b:0"',
      'link wan: bad setting "loss=2000000"',
      'o: expected <name>:<value>, got "a:<b>"',
      't: not a time in µs: "x"',
    ]);
  });
});
